"""Recovery tables, sampler health and Bayesian FDR calls, on answers that are known."""

import warnings

import arviz as az
import numpy as np
import pandas as pd
import pytest

from depmap_models import diagnostics


def fake_idata(*, diverging=0, maxdepth=0, stat_name="maxdepth_reached", seed=0):
    """Independent normal draws (a perfect sampler) for a scalar and a gene vector."""
    rng = np.random.default_rng(seed)
    chains, draws = 2, 1000
    posterior = {
        "sigma": rng.normal(1.0, 0.1, (chains, draws)),
        "alpha_g": rng.normal([0.0, 5.0], 0.5, (chains, draws, 2)),
    }
    div = np.zeros((chains, draws), bool)
    div.flat[:diverging] = True
    depth = np.zeros((chains, draws), bool)
    depth.flat[:maxdepth] = True
    return az.from_dict(
        {"posterior": posterior, "sample_stats": {"diverging": div, stat_name: depth}},
        coords={"gene": ["geneA", "geneB"]},
        dims={"alpha_g": ["gene"]},
    )


def test_recovery_table_labels_values_and_flags_the_truth():
    idata = fake_idata()
    table = diagnostics.recovery_table(idata, {"sigma": 1.0, "alpha_g": [0.0, 7.0]})
    assert list(table.index) == ["sigma", "alpha_g[geneA]", "alpha_g[geneB]"]
    assert table.loc["alpha_g[geneA]", "inside"]
    assert not table.loc["alpha_g[geneB]", "inside"]  # 7 is four sd from 5
    assert table.loc["alpha_g[geneB]", "mean"] == pytest.approx(5.0, abs=0.05)
    assert table.loc["sigma", "sd"] == pytest.approx(0.1, abs=0.01)
    # An 89% equal-tailed interval of N(1, 0.1) is 1 +/- 1.598 * 0.1.
    assert table.loc["sigma", "eti89_lb"] == pytest.approx(1 - 0.1598, abs=0.02)
    assert table["ess_bulk"].min() > 1000
    assert table["r_hat"].max() < 1.01


def test_recovery_table_rejects_mismatched_truth():
    idata = fake_idata()
    with pytest.raises(ValueError, match="alpha_g"):
        diagnostics.recovery_table(idata, {"alpha_g": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="beta"):
        diagnostics.recovery_table(idata, {"sigma": 1.0}, ["beta"])
    with pytest.raises(ValueError, match="prob"):
        diagnostics.recovery_table(idata, {"sigma": 1.0}, prob=89)


@pytest.mark.parametrize("stat_name", ["maxdepth_reached", "reached_max_treedepth"])
def test_sampler_health_counts_problems_for_both_samplers(stat_name):
    health = diagnostics.sampler_health(
        fake_idata(diverging=3, maxdepth=7, stat_name=stat_name)
    )
    assert health["divergences"] == 3
    assert health["treedepth_hits"] == 7
    assert health["draws"] == 2000
    assert health["max_rhat"] < 1.01
    assert health["min_ess_bulk"] > 1000


def test_sampler_health_sees_chains_that_disagree():
    idata = fake_idata()
    shifted = idata["posterior"]["sigma"].values
    shifted[1] += 1.0  # the second chain sits elsewhere: R-hat must notice
    health = diagnostics.sampler_health(idata, var_names=["sigma"])
    assert health["max_rhat"] > 1.5


def test_sampler_health_rejects_unknown_variables_and_non_idata():
    with pytest.raises(ValueError, match="beta"):
        diagnostics.sampler_health(fake_idata(), var_names=["beta"])
    with pytest.raises(ValueError, match="posterior"):
        diagnostics.sampler_health({"not": "idata"})


def _awkward_draws(chains, draws, seed=1):
    """Draws that walk every branch of the diagnostics: slow and fast mixing, chains
    that disagree, ties, a constant, an indicator and anti-correlated draws."""
    rng = np.random.default_rng(seed)
    n = 12
    walk = rng.normal(size=(chains, draws, n)).cumsum(axis=1) * np.linspace(0.02, 1, n)
    x = walk + rng.normal(size=(chains, 1, n)) * np.linspace(0, 1, n)
    x[:, :, 0] = 1.0  # constant: R-hat NaN, ESS = all draws
    x[:, :, 1] = np.round(x[:, :, 1])  # heavy ties
    x[:, :, 2] = rng.normal(size=(chains, draws))  # independent
    x[:, :, 3] = rng.integers(0, 2, size=(chains, draws))  # an indicator
    x[:, 1::2, 4] = -x[:, 0:draws - draws % 2:2, 4] * 0.99  # anti-correlated: ESS above the draws
    return x


@pytest.mark.parametrize("chains, draws", [(4, 1000), (4, 1001), (2, 7), (1, 400), (3, 5)])
def test_rank_diagnostics_are_arviz_numbers(chains, draws):
    x = _awkward_draws(chains, draws)
    dataset = az.from_dict({"posterior": {"v": x}})["posterior"].to_dataset()
    ours = diagnostics.rank_diagnostics(x)
    with warnings.catch_warnings():  # ArviZ warns about the constant scalar's 0/0
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = {
            "rhat": az.rhat(dataset)["v"].values,
            "ess_bulk": az.ess(dataset, method="bulk")["v"].values,
            "ess_tail": az.ess(dataset, method="tail", prob=diagnostics.TAIL_PROBS)["v"].values,
        }
    for name, values in expected.items():
        np.testing.assert_allclose(ours[name], values, rtol=1e-10, err_msg=name)
    assert ours["ess_bulk"].iloc[0] == chains * (draws - draws % 2)  # the constant


def test_rank_diagnostics_do_not_depend_on_the_block_size():
    x = _awkward_draws(4, 200)
    pd.testing.assert_frame_equal(diagnostics.rank_diagnostics(x, chunk=1),
                                  diagnostics.rank_diagnostics(x, chunk=1000))


def test_rank_diagnostics_mark_a_scalar_with_a_missing_draw():
    x = _awkward_draws(4, 100)
    x[2, 50, 5] = np.nan
    table = diagnostics.rank_diagnostics(x)
    assert table.loc[5].isna().all()
    assert table.drop(index=[0, 5]).notna().all().all()


def test_rank_diagnostics_reject_bad_arguments():
    with pytest.raises(ValueError, match="values must have shape"):
        diagnostics.rank_diagnostics(np.zeros((4, 100)))
    with pytest.raises(ValueError, match="4 draws"):
        diagnostics.rank_diagnostics(np.zeros((4, 3, 2)))
    with pytest.raises(ValueError, match="chunk"):
        diagnostics.rank_diagnostics(np.zeros((4, 100, 2)), chunk=0)


def test_tail_ess_is_measured_where_the_book_says():
    # The diagnostics appendix holds tail ESS at the 5% and 95% quantiles (Vehtari et al.
    # 2021); ArviZ's default would follow its ci_prob setting (89%: the 11% and 89% ones).
    assert diagnostics.TAIL_PROBS == (0.05, 0.95)
    x = _awkward_draws(4, 500)
    health = diagnostics.sampler_health(az.from_dict({
        "posterior": {"v": x[:, :, 2:]},
        "sample_stats": {"diverging": np.zeros((4, 500), bool)},
    }))
    assert health["min_ess_tail"] == diagnostics.rank_diagnostics(x[:, :, 2:])["ess_tail"].min()


# --------------------------------------------------------------------------------------
# The convergence standard
# --------------------------------------------------------------------------------------


def standard_idata(*, chains=4, draws=1000, diverging=0, stuck=False, seed=0):
    """Independent normal draws; ``stuck`` shifts one chain (a chain that found another mode)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, (chains, draws, 2))
    if stuck:
        x[0] += 3.0
    div = np.zeros((chains, draws), bool)
    div.flat[:diverging] = True
    return az.from_dict({"posterior": {"x": x}, "sample_stats": {"diverging": div}})


def test_independent_draws_pass_the_standard():
    convergence = diagnostics.convergence(standard_idata())
    assert convergence.passed and convergence.failures == []
    assert convergence.chains == 4 and convergence.max_rhat <= diagnostics.MAX_RHAT
    assert convergence.check() is convergence
    table = convergence.table()
    assert list(table.index) == ["chains", "rhat", "ess_bulk", "ess_tail", "divergences"]
    assert table["met"].all() and "<td>" in convergence._repr_html_()


@pytest.mark.parametrize(
    ("kwargs", "failures"),
    [
        ({"chains": 2}, ["chains"]),
        ({"stuck": True}, ["rhat"]),
        ({"draws": 60}, ["ess_bulk", "ess_tail"]),
        ({"diverging": 3}, ["divergences"]),
    ],
)
def test_each_criterion_fails(kwargs, failures):
    convergence = diagnostics.convergence(standard_idata(**kwargs))
    assert not convergence.passed
    # A stuck chain or few draws also cost effective draws; chains and divergences stand alone.
    if "rhat" in failures or "ess_bulk" in failures:
        assert set(failures) <= set(convergence.failures)
    else:
        assert convergence.failures == failures
    assert not convergence.table().loc[failures, "met"].any()
    with pytest.raises(AssertionError, match=", ".join(failures)):
        convergence.check()


def test_a_nan_rhat_fails():
    convergence = diagnostics.Convergence(4, float("nan"), 1000.0, 1000.0, 0)
    assert convergence.failures == ["rhat"]


def test_the_standard_is_the_books():
    assert (diagnostics.MIN_CHAINS, diagnostics.MAX_RHAT, diagnostics.MIN_ESS) == (4, 1.01, 400)


def _shared_fit(**kwargs):
    idata = fake_idata(**kwargs)
    idata["posterior"].attrs["shared_fit"] = "fingerprint"
    return idata


def test_sampler_health_of_a_shared_fit_is_shared_within_a_run(monkeypatch, tmp_path):
    monkeypatch.setenv("DEPMAP_FIT_CACHE", str(tmp_path))
    diagnostics.sampler_health(fake_idata())  # not a shared fit: nothing saved
    assert not list(tmp_path.glob("*.health.pickle"))
    idata = _shared_fit(diverging=2)
    first = diagnostics.sampler_health(idata)
    assert len(list(tmp_path.glob("*.health.pickle"))) == 1

    def no_measuring(*args, **kwargs):
        raise AssertionError("measured again")

    monkeypatch.setattr(diagnostics, "rank_diagnostics", no_measuring)
    again = diagnostics.sampler_health(_shared_fit(diverging=2))  # equal draws, rebuilt
    assert again.equals(first)
    # Other draws, other variables or other divergences are measured afresh.
    for other in (_shared_fit(seed=1), _shared_fit(diverging=3)):
        with pytest.raises(AssertionError, match="measured again"):
            diagnostics.sampler_health(other)
    with pytest.raises(AssertionError, match="measured again"):
        diagnostics.sampler_health(idata, var_names=["sigma"])


# --------------------------------------------------------------------------------------
# bayesian_fdr_calls
# --------------------------------------------------------------------------------------


def test_bayesian_fdr_calls_the_longest_list_within_the_level():
    probability = pd.Series([0.5, 1.0, 0.96, 0.75, 0.98], index=list("abcde"))
    calls = diagnostics.bayesian_fdr_calls(probability, level=0.05)
    assert list(calls.index) == ["b", "e", "c", "d", "a"]
    # Running means of 1 - p: 0, 0.02/2, 0.06/3, 0.31/4, 0.81/5.
    np.testing.assert_allclose(calls["fdr"], [0.0, 0.01, 0.02, 0.0775, 0.162])
    assert list(calls["called"]) == [True, True, True, False, False]
    # The estimated rate of the called set is the mean of 1 - p over it.
    called = calls[calls["called"]]
    assert (1 - called["probability"]).mean() == pytest.approx(called["fdr"].iloc[-1])
    assert diagnostics.bayesian_fdr_calls(probability, level=0.1)["called"].sum() == 4
    assert diagnostics.bayesian_fdr_calls(probability, level=0.2)["called"].all()
    none = diagnostics.bayesian_fdr_calls(pd.Series([0.5, 0.2]), level=0.05)
    assert not none["called"].any()


def test_bayesian_fdr_calls_keep_a_multi_index():
    index = pd.MultiIndex.from_product([["g1", "g2"], ["c1", "c2"]], names=["gene", "cell_line"])
    calls = diagnostics.bayesian_fdr_calls(pd.Series([0.1, 0.99, 1.0, 0.2], index=index))
    assert calls.index.names == ["gene", "cell_line"]
    assert list(calls.index[calls["called"]]) == [("g2", "c1"), ("g1", "c2")]


def test_bayesian_fdr_calls_reject_bad_arguments():
    with pytest.raises(ValueError, match="Series"):
        diagnostics.bayesian_fdr_calls(np.array([0.5]))
    with pytest.raises(ValueError, match="empty"):
        diagnostics.bayesian_fdr_calls(pd.Series([], dtype=float))
    for bad in ([0.5, 1.5], [-0.1], [np.nan]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            diagnostics.bayesian_fdr_calls(pd.Series(bad))
    for level in (0, 1, True, "0.05"):
        with pytest.raises(ValueError, match="level"):
            diagnostics.bayesian_fdr_calls(pd.Series([0.5]), level=level)


def test_the_screen_range_holds_the_real_screen():
    from depmap_models import data

    logfc = data.avana_logfc()
    low, high = logfc.loc[logfc["passes_qc"], "logfc"].quantile([0.01, 0.99])
    assert diagnostics.SCREEN_RANGE[0] < low < high < diagnostics.SCREEN_RANGE[1]
