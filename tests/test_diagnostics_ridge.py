"""The group-mean correlation diagnostic, on posteriors built with a known ridge."""

import arviz as az
import numpy as np
import pytest

from depmap_models import diagnostics


def ridge_idata(*, seed=0, chains=2, draws=1000):
    """Gene and cell-line intercepts that trade off: alpha_g + shift, gamma_c - shift."""
    rng = np.random.default_rng(seed)
    shift = rng.normal(0, 2.0, (chains, draws, 1))  # the ridge: wide and shared
    alpha_g = np.array([-1.0, 0.0, 1.0]) + shift + rng.normal(0, 0.05, (chains, draws, 3))
    gamma_c = np.array([2.0, -2.0]) - shift + rng.normal(0, 0.05, (chains, draws, 2))
    posterior = {
        "alpha_g": alpha_g,
        "gamma_c": gamma_c,
        "beta_g": rng.normal(0, 1, (chains, draws, 3)),  # independent of the rest
        "sigma": rng.normal(1, 0.1, (chains, draws)),
        "constant": np.ones((chains, draws)),
    }
    return az.from_dict(
        {"posterior": posterior},
        coords={"gene": ["geneA", "geneB", "geneC"], "cell_line": ["cellA", "cellB"]},
        dims={"alpha_g": ["gene"], "gamma_c": ["cell_line"], "beta_g": ["gene"]},
    )


def test_group_means_of_a_ridge_are_perfectly_anticorrelated():
    result = diagnostics.group_mean_correlation(ridge_idata(), "alpha_g", "gamma_c")
    assert result.correlation < -0.99
    assert list(result.draws.columns) == ["chain", "draw", "alpha_g", "gamma_c"]
    assert len(result.draws) == 2000
    # Each mean is as wide as the ridge; their sum is as narrow as the noise.
    assert result.sd["alpha_g"] == pytest.approx(2.0, rel=0.1)
    assert result.sd["gamma_c"] == pytest.approx(2.0, rel=0.1)
    assert result.sd_sum < 0.1


def test_group_means_are_the_per_draw_averages():
    idata = ridge_idata()
    result = diagnostics.group_mean_correlation(idata, "alpha_g", "gamma_c")
    alpha = idata["posterior"]["alpha_g"].values
    expected = alpha[1, 7].mean()  # chain 1, draw 7
    row = result.draws[(result.draws["chain"] == 1) & (result.draws["draw"] == 7)]
    assert row["alpha_g"].item() == pytest.approx(expected)
    assert (result.a, result.b) == ("alpha_g", "gamma_c")


def test_independent_groups_and_scalars_are_uncorrelated():
    result = diagnostics.group_mean_correlation(ridge_idata(), "beta_g", "sigma")
    assert abs(result.correlation) < 0.1
    assert result.draws["sigma"].mean() == pytest.approx(1.0, abs=0.01)


def test_a_constant_variable_gives_nan_without_warning():
    with np.errstate(all="raise"):
        result = diagnostics.group_mean_correlation(ridge_idata(), "alpha_g", "constant")
    assert np.isnan(result.correlation)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("alpha", "gamma_c", "a must name"),
        ("alpha_g", "gamma", "b must name"),
        (None, "gamma_c", "a must name"),
        ("alpha_g", "alpha_g", "b must name a different"),
    ],
)
def test_group_mean_correlation_rejects_bad_names(a, b, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.group_mean_correlation(ridge_idata(), a, b)


def test_group_mean_correlation_needs_a_posterior():
    with pytest.raises(ValueError, match="posterior"):
        diagnostics.group_mean_correlation({"not": "idata"}, "alpha_g", "gamma_c")
