"""The one sampling entry point: seeds, the seed switch, compiled models, bad input."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from depmap_models import sampling


@pytest.fixture(scope="module")
def normal_model():
    with pm.Model(coords={"gene": ["geneA", "geneB", "geneC"]}) as model:
        pm.Normal("x", 0, 1, dims="gene")
    return model


@pytest.fixture
def no_seed_switch(monkeypatch):
    monkeypatch.delenv(sampling.SEED_VARIABLE, raising=False)


def test_sampler_seed_is_the_chapter_seed_when_the_switch_is_unset(no_seed_switch, monkeypatch):
    assert sampling.sampler_seed(103) == 103
    monkeypatch.setenv(sampling.SEED_VARIABLE, "  ")
    assert sampling.sampler_seed(103) == 103


def test_the_switch_gives_new_distinct_reproducible_seeds(monkeypatch):
    monkeypatch.setenv(sampling.SEED_VARIABLE, "7")
    shifted = [sampling.sampler_seed(s) for s in range(1, 13)]
    assert len(set(shifted)) == 12 and 103 not in shifted
    assert shifted == [sampling.sampler_seed(s) for s in range(1, 13)]
    assert all(0 <= s < 2**63 for s in shifted)
    monkeypatch.setenv(sampling.SEED_VARIABLE, "8")
    assert sampling.sampler_seed(1) != shifted[0]


@pytest.mark.parametrize("raw", ["abc", "1.5", "-3"])
def test_a_bad_switch_is_named(monkeypatch, raw):
    monkeypatch.setenv(sampling.SEED_VARIABLE, raw)
    with pytest.raises(ValueError, match=sampling.SEED_VARIABLE):
        sampling.sampler_seed(103)


@pytest.mark.parametrize("seed", [-1, 1.5, "103", None, True])
def test_a_bad_seed_is_named(no_seed_switch, seed):
    with pytest.raises(ValueError, match="seed"):
        sampling.sampler_seed(seed)


def test_rng_follows_the_switch(monkeypatch):
    monkeypatch.delenv(sampling.SEED_VARIABLE, raising=False)
    base = sampling.rng(103).normal(size=3)
    assert np.array_equal(base, np.random.default_rng(103).normal(size=3))
    monkeypatch.setenv(sampling.SEED_VARIABLE, "1")
    assert not np.array_equal(base, sampling.rng(103).normal(size=3))


def draws(idata) -> np.ndarray:
    return idata["posterior"]["x"].values


def test_sample_has_four_chains_times_and_reproduces_itself(no_seed_switch, normal_model):
    first = sampling.sample(normal_model, random_seed=1, draws=30, tune=30)
    again = sampling.sample(normal_model, random_seed=1, draws=30, tune=30)
    other = sampling.sample(normal_model, random_seed=2, draws=30, tune=30)
    assert draws(first).shape == (sampling.CHAINS, 30, 3) and sampling.CHAINS == 4
    assert np.array_equal(draws(first), draws(again))
    assert not np.array_equal(draws(first), draws(other))
    attrs = first["posterior"].attrs
    assert 0 < attrs["sampling_time"] <= attrs["wall_time"]


def test_the_switch_changes_the_draws_not_the_shape(monkeypatch, normal_model):
    monkeypatch.delenv(sampling.SEED_VARIABLE, raising=False)
    base = sampling.sample(normal_model, random_seed=1, draws=30, tune=30)
    monkeypatch.setenv(sampling.SEED_VARIABLE, "5")
    shifted = sampling.sample(normal_model, random_seed=1, draws=30, tune=30)
    derived = sampling.sampler_seed(1)
    monkeypatch.delenv(sampling.SEED_VARIABLE)
    explicit = sampling.sample(normal_model, random_seed=derived, draws=30, tune=30)
    assert draws(shifted).shape == draws(base).shape
    assert not np.array_equal(draws(shifted), draws(base))
    assert np.array_equal(draws(shifted), draws(explicit))


def test_a_compiled_model_samples_like_the_model(no_seed_switch, normal_model):
    compiled = sampling.compile_model(normal_model)
    assert compiled.model is normal_model and compiled.compile_s > 0
    first = sampling.sample(compiled, random_seed=3, draws=30, tune=30)
    again = sampling.sample(compiled, random_seed=3, draws=30, tune=30)
    assert np.array_equal(draws(first), draws(again))
    assert draws(first).shape == (4, 30, 3)
    # The same groups as pm.sample's, with the gene labels.
    assert list(first["posterior"]["x"].coords["gene"].values) == ["geneA", "geneB", "geneC"]
    assert "sample_stats" in first and "diverging" in first["sample_stats"]
    assert first["posterior"].attrs["wall_time"] > 0


def test_pymc_sampler_is_reachable(no_seed_switch, normal_model):
    idata = sampling.sample(
        normal_model, random_seed=1, draws=20, tune=20, chains=1, nuts_sampler="pymc",
    )  # one chain: sampled in this process, which nutpie's threads make unsafe to fork
    assert draws(idata).shape == (1, 20, 3)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"draws": 0}, "draws"),
        ({"chains": -1}, "chains"),
        ({"tune": 1.5}, "tune"),
        ({"target_accept": 1.0}, "target_accept"),
        ({"nuts_sampler": "blackjax"}, "nuts_sampler"),
        ({"random_seed": -5}, "seed"),
    ],
)
def test_sample_names_a_bad_argument(no_seed_switch, normal_model, kwargs, name):
    with pytest.raises(ValueError, match=name):
        sampling.sample(normal_model, **{"random_seed": 1, **kwargs})


def test_sample_rejects_what_is_not_a_model(no_seed_switch):
    with pytest.raises(ValueError, match="model must be"):
        sampling.sample("model", random_seed=1)
    with pytest.raises(ValueError, match="model must be"):
        sampling.compile_model(None)


def test_predictive_draws_follow_the_seed_and_the_switch(monkeypatch, normal_model):
    monkeypatch.delenv(sampling.SEED_VARIABLE, raising=False)
    prior = sampling.prior_predictive(normal_model, random_seed=4, draws=50)
    again = sampling.prior_predictive(normal_model, random_seed=4, draws=50)
    assert np.array_equal(prior["prior"]["x"].values, again["prior"]["x"].values)
    monkeypatch.setenv(sampling.SEED_VARIABLE, "2")
    shifted = sampling.prior_predictive(normal_model, random_seed=4, draws=50)
    assert not np.array_equal(prior["prior"]["x"].values, shifted["prior"]["x"].values)


def test_posterior_predictive_routes_the_seed(no_seed_switch):
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu, 1, observed=np.array([0.1, -0.3, 0.4]))
    idata = sampling.sample(model, random_seed=1, draws=30, tune=30)
    one = sampling.posterior_predictive(idata, model, random_seed=5)
    two = sampling.posterior_predictive(idata, model, random_seed=5)
    assert np.array_equal(one["posterior_predictive"]["y"].values,
                          two["posterior_predictive"]["y"].values)


def test_fit_summary_counts_gradients(no_seed_switch, normal_model):
    idata = sampling.sample(normal_model, random_seed=1, draws=40, tune=40)
    row = sampling.fit_summary(idata, normal_model)
    assert tuple(row.index) == sampling.FIT_COLUMNS
    steps = float(idata["sample_stats"]["n_steps"].sum())
    assert np.isclose(row["ess_per_1000_grad"], 1000 * row["min_ess_bulk"] / steps)
    assert np.isclose(row["ess_per_s"], row["min_ess_bulk"] / row["wall_s"])
    assert row["sampling_s"] <= row["wall_s"]


def _observed_model(values):
    with pm.Model(coords={"obs": range(len(values))}) as model:
        mu = pm.Normal("mu", 0, 1)
        pm.Deterministic("twice", 2 * mu)
        pm.Normal("y", mu, 1, observed=np.asarray(values, dtype=float), dims="obs")
    return model


@pytest.fixture
def no_fit_cache(monkeypatch):
    monkeypatch.delenv(sampling.FIT_CACHE_VARIABLE, raising=False)


def test_fit_samples_and_records_the_compilation(no_seed_switch, no_fit_cache):
    idata = sampling.fit(_observed_model([0.1, 0.4]), random_seed=3, tune=50, draws=20)
    assert idata["posterior"]["mu"].shape == (sampling.CHAINS, 20)
    assert "shared_fit" not in idata["posterior"].attrs
    assert idata["posterior"].attrs["compile_time"] > 0
    assert idata["posterior"].attrs["n_dim"] == 1


def test_the_fingerprint_sees_the_model_the_data_and_the_settings(no_seed_switch):
    base = sampling.fit_fingerprint(_observed_model([0.1, 0.4]), random_seed=3, draws=20)
    # built again, the same model gives the same fingerprint
    assert base == sampling.fit_fingerprint(_observed_model([0.1, 0.4]), random_seed=3, draws=20)
    assert base != sampling.fit_fingerprint(_observed_model([0.1, 0.5]), random_seed=3, draws=20)
    assert base != sampling.fit_fingerprint(_observed_model([0.1, 0.4]), random_seed=4, draws=20)
    with pm.Model(coords={"obs": range(2)}) as other:
        mu = pm.Normal("mu", 0, 2)
        pm.Deterministic("twice", 2 * mu)
        pm.Normal("y", mu, 1, observed=np.array([0.1, 0.4]), dims="obs")
    assert base != sampling.fit_fingerprint(other, random_seed=3, draws=20)


def test_a_shared_fit_is_sampled_once_and_loaded_after(no_seed_switch, monkeypatch, tmp_path):
    monkeypatch.setenv(sampling.FIT_CACHE_VARIABLE, str(tmp_path / "fits"))
    first = sampling.fit(_observed_model([0.1, 0.4]), random_seed=3, tune=50, draws=20)
    assert len(list((tmp_path / "fits").glob("*.pickle"))) == 1

    def no_sampling(*args, **kwargs):
        raise AssertionError("a shared fit was sampled again")

    monkeypatch.setattr(sampling, "sample", no_sampling)
    again = sampling.fit(_observed_model([0.1, 0.4]), random_seed=3, tune=50, draws=20)
    np.testing.assert_array_equal(first["posterior"]["mu"], again["posterior"]["mu"])
    assert again["posterior"].attrs["n_dim"] == 1
    assert again["posterior"].attrs["shared_fit"] == first["posterior"].attrs["shared_fit"]
    with pytest.raises(AssertionError, match="sampled again"):  # other data: not shared
        sampling.fit(_observed_model([0.1, 0.5]), random_seed=3, tune=50, draws=20)


def test_fit_names_a_bad_cache_and_a_bad_model(no_seed_switch, monkeypatch, tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    monkeypatch.setenv(sampling.FIT_CACHE_VARIABLE, str(not_a_directory))
    with pytest.raises(ValueError, match=sampling.FIT_CACHE_VARIABLE):
        sampling.fit(_observed_model([0.1]), random_seed=3, tune=50, draws=20)
    with pytest.raises(ValueError, match="model"):
        sampling.fit("model", random_seed=3)
