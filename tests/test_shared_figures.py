"""The figures and helpers more than one chapter uses: fitted values, coverage, the ridge."""

from __future__ import annotations

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotnine as gg
import pytest

from depmap_models import diagnostics, plots, reference


def ridge_idata(seed=0):
    """Draws of two groups that trade a shared constant: the naive models' ridge."""
    rng = np.random.default_rng(seed)
    shift = rng.normal(0, 2, (4, 500, 1))
    return az.from_dict(
        {"posterior": {
            "alpha_g": -1 + shift + rng.normal(0, 0.05, (4, 500, 3)),
            "beta_c": 0 - shift + rng.normal(0, 0.05, (4, 500, 5)),
        }},
        dims={"alpha_g": ["gene"], "beta_c": ["cell_line"]},
    )


def test_draws_stacks_chains_and_names_a_missing_variable():
    idata = ridge_idata()
    assert diagnostics.draws(idata, "alpha_g").shape == (2000, 3)
    with pytest.raises(ValueError, match="'mu' in its 'posterior'"):
        diagnostics.draws(idata, "mu")


def test_fitted_summarises_each_measurement():
    data = pd.DataFrame({"logfc": [0.0, 1.0], "gene": ["a", "b"]})
    mu = np.stack([np.linspace(-1, 1, 1001), np.linspace(0, 2, 1001)], axis=1)
    table = diagnostics.fitted(data, mu, prob=0.5)
    assert np.allclose(table["mu_mean"], [0.0, 1.0])
    assert np.allclose(table["mu_lower"], [-0.5, 0.5])
    assert np.allclose(table["mu_upper"], [0.5, 1.5])
    assert np.allclose(diagnostics.fitted(data, mu[None])["mu_mean"], table["mu_mean"])
    with pytest.raises(ValueError, match="one mean per row of data"):
        diagnostics.fitted(data, mu[:, :1])
    with pytest.raises(ValueError, match="prob"):
        diagnostics.fitted(data, mu, prob=1.0)


def recovery(inside, errors):
    n = len(inside)
    return pd.DataFrame(
        {"mean": errors, "sd": np.ones(n), "truth": np.zeros(n), "inside": inside},
        index=[f"alpha_g[g{i}]" for i in range(n - 1)] + ["sigma"],
    )


def test_coverage_counts_misses_against_chance():
    table = recovery([True] * 8 + [False, False], [0.1] * 8 + [2.0, -3.0])
    result = diagnostics.coverage(table)
    assert result["quantities"] == 10 and result["misses"] == 2 and result["inside"] == 8
    assert np.isclose(result["expected_misses"], 1.1) and result["max_abs_z"] == 3.0
    # P(Binomial(10, 0.11) >= 2)
    expected = 1 - (0.89**10 + 10 * 0.11 * 0.89**9)
    assert np.isclose(result["p_at_least_this_many"], expected)
    with pytest.raises(ValueError, match="recovery lacks"):
        diagnostics.coverage(table.drop(columns="inside"))


def test_coverage_by_group_ends_with_all():
    table = diagnostics.coverage_by_group(recovery([True, False, True], [0.5, -2.0, 1.0]))
    assert list(table.index) == ["alpha_g", "sigma", "all"]
    assert table.loc["alpha_g", "inside"] == 1 and table.loc["all", "quantities"] == 3
    assert table.loc["all", "max_abs_z"] == 2.0


def test_least_squares_lines_recover_exact_lines():
    x = np.tile([0.0, 1.0, 2.0], 2)
    frame = pd.DataFrame({
        "g": pd.Categorical(["b"] * 3 + ["a"] * 3, categories=["b", "a"]),
        "x": x, "y": np.r_[1 + 2 * x[:3], -1 - x[3:]],
    })
    lines = reference.least_squares_lines(frame, "x", "y", "g")
    assert list(lines["g"]) == ["b", "a"]
    assert np.allclose(lines["slope"], [2, -1]) and np.allclose(lines["intercept"], [1, -1])
    with pytest.raises(ValueError, match="lacks the columns"):
        reference.least_squares_lines(frame, "x", "z", "g")
    with pytest.raises(ValueError, match="two distinct values"):
        reference.least_squares_lines(frame.assign(x=1.0), "x", "y", "g")


def test_observed_vs_fitted_and_posterior_minus_truth_draw():
    data = pd.DataFrame({"logfc": [0.0, 1.0], "gene": ["a", "b"]})
    mu = np.random.default_rng(1).normal([0, 1], 0.1, (200, 2))
    plot = plots.observed_vs_fitted(data, mu)
    assert isinstance(plot, gg.ggplot)
    plot.draw()
    with pytest.raises(ValueError, match="color"):
        plots.observed_vs_fitted(data, mu, color="cell_line")
    rec = diagnostics.recovery_table(ridge_idata(), {"alpha_g": [-1, -1, -1], "beta_c": [0] * 5})
    figure = plots.posterior_minus_truth(rec, ["alpha_g", "beta_c"])
    figure.draw()
    with pytest.raises(ValueError, match="not in recovery"):
        plots.posterior_minus_truth(rec, ["gamma_c"])
    plt.close("all")


def test_interval_truth_plot_draws_one_panel_per_variable():
    rec = diagnostics.recovery_table(ridge_idata(), {"alpha_g": [-1, -1, -1], "beta_c": [0] * 5})
    figure = plots.interval_truth_plot(rec, "ridge")
    built = figure.draw()
    assert len(built.axes) == 2
    assert list(figure.data["variable"].cat.categories) == ["alpha_g", "beta_c"]
    # Parameters read top to bottom in the table's order.
    assert list(figure.data["parameter"].cat.categories)[-1] == rec.index[0]
    with pytest.raises(ValueError, match="needs the columns"):
        plots.interval_truth_plot(rec.drop(columns="truth"), "ridge")
    plt.close("all")


def test_group_mean_jointplot_shows_the_ridge():
    grid = plots.group_mean_jointplot(ridge_idata(), "alpha_g", "beta_c", title="ridge")
    text = grid.ax_joint.texts[0].get_text()
    assert text.startswith("correlation = -0.99")
    assert grid.ax_joint.get_xlabel() == "mean of alpha_g in a draw"
    plt.close("all")


def prior_tree(observed):
    """A prior predictive of 1000 standard normal draws per point, with observed values."""
    draws = np.random.default_rng(2).standard_normal((1, 1000, len(observed)))
    return az.from_dict({"prior_predictive": {"logfc": draws},
                         "observed_data": {"logfc": np.asarray(observed, dtype=float)}},
                        dims={"logfc": ["obs"]})


def test_prior_tail_share_is_the_most_extreme_values_tail():
    share = diagnostics.prior_tail_share(prior_tree([0.0, 2.0, -0.5]))
    # 2.0 is the most extreme: about 2.3% of standard normal draws lie above it.
    assert share == pytest.approx(0.023, abs=0.012)
    assert diagnostics.prior_tail_share(prior_tree([0.0, 9.0])) == 0.0
    with pytest.raises(ValueError, match="'y' in its 'prior_predictive' group"):
        diagnostics.prior_tail_share(prior_tree([0.0]), var_name="y")


def test_prior_predictive_plot_draws_the_plausible_range():
    plots.prior_predictive_plot(prior_tree([0.3, 1.2, -0.4]), (-6, 4))
    lines = [line for ax in plt.gcf().axes for line in ax.get_lines()]
    assert {-6.0, 4.0} <= {float(line.get_xdata()[0]) for line in lines}
    with pytest.raises(ValueError, match="plausible must be"):
        plots.prior_predictive_plot(prior_tree([0.0]), (4, -6))
    plt.close("all")


def test_prior_predictive_summary_reads_the_range_and_checks_it(tmp_path, monkeypatch):
    import json

    from depmap_models import claims

    summary = diagnostics.prior_predictive_summary(prior_tree([0.3, 1.2, -0.4]))
    # Standard normal draws: the 1% and 99% quantiles near -2.33 and +2.33.
    assert summary.lower == pytest.approx(-2.33, abs=0.1)
    assert summary.upper == pytest.approx(2.33, abs=0.1)
    assert (summary.observed_min, summary.observed_max) == (-0.4, 1.2)
    assert summary.observed_inside
    assert list(summary.table().index[:3]) == ["prior 1%", "prior median", "prior 99%"]
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.LOG_VARIABLE, str(log))
    summary.check((-6, 4), inner=2, min_tail=0.05)
    assert len(log.read_text().splitlines()) == 4
    with pytest.raises(claims.ClaimError, match="99% quantile"):
        summary.check((-6, 2), inner=2, min_tail=0.05)
    assert not diagnostics.prior_predictive_summary(prior_tree([0.0, 3.0])).observed_inside
    with pytest.raises(ValueError, match="mass"):
        diagnostics.prior_predictive_summary(prior_tree([0.0]), mass=1.0)
    assert json.loads(log.read_text().splitlines()[0])["passed"]
