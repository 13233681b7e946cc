"""Tests of depmap_models.sbc: ranks, thinning, the uniformity test and the ECDF band.

The rank statistics are checked on a conjugate normal model whose posterior is known
exactly: draws from the exact posterior give uniform ranks, a shifted or too-narrow
posterior does not. No test samples with NUTS (the chapter does that).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytest

from depmap_models import sampling, sbc

L = 99  # draws per fit; ranks in 0..L


def conjugate_ranks(rng, n_datasets, *, shift=0.0, scale=1.0, n_obs=5):
    """Ranks of theta ~ N(0, 1), y_i ~ N(theta, 1), among L exact posterior draws.

    The posterior is N(sum(y) / (n + 1), 1 / sqrt(n + 1)); ``shift`` (in posterior sds)
    and ``scale`` distort it.
    """
    rows = []
    for i in range(n_datasets):
        theta = rng.normal(0, 1)
        y = rng.normal(theta, 1, size=n_obs)
        sd = 1 / np.sqrt(n_obs + 1)
        mean = y.sum() / (n_obs + 1)
        draws = rng.normal(mean + shift * sd, scale * sd, size=(L, 1))
        rows.append((i, "theta", "theta", int(sbc.rank_of(draws, np.array([theta]))[0])))
    return pd.DataFrame(rows, columns=["dataset", "variable", "parameter", "rank"])


# -- ranks and thinning --------------------------------------------------------------------


def test_rank_counts_draws_strictly_below():
    draws = np.array([[0.0, 5.0], [1.0, 6.0], [2.0, 7.0], [3.0, 8.0]])
    assert sbc.rank_of(draws, np.array([2.5, 4.0])).tolist() == [3, 0]
    assert sbc.rank_of(draws, np.array([10.0, 6.0])).tolist() == [4, 1]


def test_rank_rejects_misshapen_truth():
    with pytest.raises(ValueError, match="truth"):
        sbc.rank_of(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="draws"):
        sbc.rank_of(np.zeros((0, 2)), np.zeros(2))


def test_thin_keeps_evenly_spaced_draws_including_the_ends():
    kept = sbc.thin(np.arange(200), 99)
    assert len(kept) == 99 and kept[0] == 0 and kept[-1] == 199
    assert set(np.diff(kept)) <= {2, 3}
    with pytest.raises(ValueError, match="thin_to"):
        sbc.thin(np.arange(10), 11)
    with pytest.raises(ValueError, match="thin_to"):
        sbc.thin(np.arange(10), 0)


# -- the uniformity test on a known posterior ----------------------------------------------


def test_exact_posterior_gives_uniform_ranks():
    ranks = conjugate_ranks(np.random.default_rng(1), 400)
    test = sbc.uniformity(ranks, L + 1, bins=10)
    assert test.loc["theta", "datasets"] == 400
    assert test.loc["theta", "p_value"] > 0.01


@pytest.mark.parametrize("shift, scale", [(0.7, 1.0), (0.0, 0.5), (0.0, 2.0)])
def test_distorted_posterior_is_rejected(shift, scale):
    ranks = conjugate_ranks(np.random.default_rng(2), 400, shift=shift, scale=scale)
    assert sbc.uniformity(ranks, L + 1, bins=10).loc["theta", "p_value"] < 1e-6


def test_uniformity_error_rate_is_about_its_level():
    # 200 calibrated families: a test at level 0.05 rejects about 5% of them.
    rng = np.random.default_rng(3)
    p = [
        sbc.uniformity(
            pd.DataFrame({"parameter": "x", "rank": rng.integers(0, L + 1, 200)}), L + 1
        ).loc["x", "p_value"]
        for _ in range(200)
    ]
    assert 0.01 <= np.mean(np.array(p) < 0.05) <= 0.10


def test_bonferroni_multiplies_by_the_number_of_parameters():
    rng = np.random.default_rng(4)
    ranks = pd.DataFrame(
        {"parameter": np.repeat(["a", "b", "c"], 100), "rank": rng.integers(0, L + 1, 300)}
    )
    test = sbc.uniformity(ranks, L + 1, bins=10)
    assert list(test.index) == ["a", "b", "c"]
    assert np.allclose(test["p_bonferroni"], np.minimum(1, 3 * test["p_value"]))


def test_uniformity_rejects_bad_input():
    ranks = pd.DataFrame({"parameter": "x", "rank": [0, 5, 99]})
    with pytest.raises(ValueError, match="bins"):
        sbc.uniformity(ranks, 100, bins=7)
    with pytest.raises(ValueError, match="ranks"):
        sbc.uniformity(ranks.assign(rank=[0, 5, 100]), 100)
    with pytest.raises(ValueError, match="ranks"):
        sbc.uniformity(ranks.rename(columns={"rank": "r"}), 100)
    with pytest.raises(ValueError, match="n_ranks"):
        sbc.uniformity(ranks, 0)


# -- ECDF difference and its simultaneous band ---------------------------------------------


def test_ecdf_difference_and_band():
    ranks = conjugate_ranks(np.random.default_rng(5), 200)
    curves, band = sbc.ecdf_difference(ranks, L + 1, prob=0.95, n_simulations=500)
    assert len(curves) == L and len(band) == L
    assert np.allclose(curves["z"], np.arange(1, L + 1) / (L + 1))
    assert (band["lower"] < 0).all() and (band["upper"] > 0).all()
    # Calibrated ranks stay inside; a shifted posterior leaves the band.
    inside = curves["difference"].between(band["lower"], band["upper"]).all()
    assert inside
    shifted = conjugate_ranks(np.random.default_rng(6), 200, shift=1.0)
    curves, band = sbc.ecdf_difference(shifted, L + 1, prob=0.95, n_simulations=500)
    assert not curves["difference"].between(band["lower"], band["upper"]).all()


def test_band_is_simultaneous():
    # A 90% simultaneous band: about 90% of uniform ECDFs stay inside over their whole length.
    n = 100
    _, lower, upper = sbc._band(n, L + 1, 0.9, 2000)
    rng = np.random.default_rng(7)
    ranks = rng.integers(0, L + 1, size=(400, n))
    ecdf = (ranks[:, :, None] < np.arange(1, L + 1)).mean(axis=1) - np.arange(1, L + 1) / (L + 1)
    inside = ((ecdf >= lower) & (ecdf <= upper)).all(axis=1).mean()
    assert 0.84 <= inside <= 0.96


def test_ecdf_difference_rejects_bad_input():
    ranks = pd.DataFrame({"parameter": ["a", "a", "b"], "rank": [0, 1, 2]})
    with pytest.raises(ValueError, match="same number"):
        sbc.ecdf_difference(ranks, 10)
    with pytest.raises(ValueError, match="prob"):
        sbc.ecdf_difference(ranks.iloc[:2], 10, prob=1.0)


# -- the model plumbing --------------------------------------------------------------------


def small_model():
    with pm.Model(coords={"obs": range(4)}) as model:
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu, 1, observed=np.array([0.1, -0.2, 0.3, 0.4]), dims="obs")
    return model


def test_data_swappable_puts_the_observed_values_in_a_container():
    model = small_model()
    swappable = sbc.data_swappable(model, "y")
    assert [v.name for v in swappable.data_vars] == ["y_obs"]
    assert "y_obs" not in model.named_vars and not model.data_vars
    point = {"mu": np.array(0.3)}
    assert np.isclose(swappable.compile_logp()(point), model.compile_logp()(point))
    swappable.set_data("y_obs", np.zeros(4))
    assert not np.isclose(swappable.compile_logp()(point), model.compile_logp()(point))


def test_data_swappable_names_the_bad_argument():
    with pytest.raises(ValueError, match="observed_name"):
        sbc.data_swappable(small_model(), "mu")
    with pytest.raises(ValueError, match="model"):
        sbc.data_swappable("not a model", "y")


def test_prior_draws_are_fixed_by_their_seed(monkeypatch):
    model = sbc.data_swappable(small_model(), "y")
    first = sbc.prior_draws(model, draws=20, data_seed=11)
    monkeypatch.setenv(sampling.SEED_VARIABLE, "5")  # the sampler seed does not move them
    second = sbc.prior_draws(model, draws=20, data_seed=11)
    assert first["prior_predictive"]["y"].shape == (1, 20, 4)
    assert np.array_equal(first["prior"]["mu"], second["prior"]["mu"])
    with pytest.raises(ValueError, match="draws"):
        sbc.prior_draws(model, draws=0, data_seed=1)
    with pytest.raises(ValueError, match="data_seed"):
        sbc.prior_draws(model, draws=5, data_seed=-1)


def test_ranks_validates_before_sampling():
    model = sbc.data_swappable(small_model(), "y")
    prior = sbc.prior_draws(model, draws=3, data_seed=1)
    compiled = sampling.Compiled(model, None, 0.0)  # never sampled: the checks come first
    kwargs = {"draws": 10, "tune": 10, "thin_to": 5, "random_seed": 1}
    with pytest.raises(ValueError, match="compiled"):
        sbc.ranks(model, prior, "y", ["mu"], **kwargs)
    with pytest.raises(ValueError, match="var_names"):
        sbc.ranks(compiled, prior, "y", ["sigma"], **kwargs)
    with pytest.raises(ValueError, match="var_names"):
        sbc.ranks(compiled, prior, "y", [], **kwargs)
    with pytest.raises(ValueError, match="observed_name"):
        sbc.ranks(compiled, prior, "z", ["mu"], **kwargs)
    with pytest.raises(ValueError, match="thin_to"):
        sbc.ranks(compiled, prior, "y", ["mu"], **{**kwargs, "thin_to": 41})
