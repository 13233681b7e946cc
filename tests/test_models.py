"""Model builders, identified quantities and the benchmark's CSV, without long sampling."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest

from depmap_models import models, simulate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sims():
    return {name: models.simulate_dataset(name) for name in models.DATASETS}


def free_names(model: pm.Model) -> set[str]:
    return {rv.name for rv in model.free_RVs}


def dims(model: pm.Model, name: str) -> tuple:
    return tuple(model.named_vars_to_dims.get(name, ()))


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def test_forum_naive_model_matches_the_thread(sims):
    sim = sims["two_intercepts"]
    model = models.two_intercepts_naive(sim)
    assert free_names(model) == {
        "mu_alpha", "sigma_alpha", "mu_beta", "sigma_beta", "alpha_g", "beta_c", "sigma"
    }
    assert dims(model, "alpha_g") == ("gene",) and dims(model, "beta_c") == ("cell_line",)
    assert dims(model, "logfc") == ("obs",)
    assert model.coords["gene"] == ("geneA", "geneB", "geneC")
    assert len(model.coords["cell_line"]) == 10 and len(model.coords["obs"]) == 90
    # Priors of the thread: N(0, 5) hyper-means, Exp(1) scales.
    point = {"mu_alpha": 0.0, "mu_beta": 3.0}
    logp = model.compile_logp(vars=[model["mu_alpha"], model["mu_beta"]], sum=False)
    values = logp({**model.initial_point(), **point})
    assert values[0] == pytest.approx(-np.log(5 * np.sqrt(2 * np.pi)))
    assert values[1] == pytest.approx(-np.log(5 * np.sqrt(2 * np.pi)) - 9 / 50)


def test_tighter_priors_change_only_the_hyper_means(sims):
    model = models.two_intercepts_naive(sims["two_intercepts"], mean_prior_sd=1.0)
    logp = model.compile_logp(vars=[model["mu_alpha"]], sum=False)
    assert logp(model.initial_point())[0] == pytest.approx(-np.log(np.sqrt(2 * np.pi)))
    with pytest.raises(ValueError, match="mean_prior_sd"):
        models.two_intercepts_naive(sims["two_intercepts"], mean_prior_sd=0)


def test_identified_forum_models_have_a_global_intercept(sims):
    sim = sims["two_intercepts"]
    zerosum = models.two_intercepts_identified(sim)
    zero_mean = models.two_intercepts_zero_mean(sim)
    expected = {"mu", "sigma_alpha", "sigma_beta", "alpha_g", "beta_c", "sigma"}
    assert free_names(zerosum) == expected == free_names(zero_mean)
    assert "ZeroSum" in type(zerosum["alpha_g"].owner.op).__name__
    # Prior draws of the sum-to-zero effects sum to zero; the zero-mean ones do not.
    prior = pm.sample_prior_predictive(draws=20, model=zerosum, random_seed=1)["prior"]
    assert np.allclose(prior["beta_c"].sum("cell_line"), 0, atol=1e-10)
    prior = pm.sample_prior_predictive(draws=20, model=zero_mean, random_seed=1)["prior"]
    assert not np.allclose(prior["beta_c"].sum("cell_line"), 0, atol=1e-3)


FORUM_BUILDERS = {
    models.two_intercepts_naive: "Exp(1)",
    models.two_intercepts_identified: "Gamma(2, 2)",
    models.two_intercepts_zero_mean: "Gamma(2, 2)",
}


@pytest.mark.parametrize("builder", list(FORUM_BUILDERS), ids=lambda b: b.__name__)
def test_forum_builders_take_the_gene_scale_prior(sims, builder):
    """Each forum builder offers both priors of sigma_alpha; the default is the one documented."""
    from scipy import stats

    sim = sims["two_intercepts"]
    expected = {
        "Exp(1)": stats.expon.logpdf(0.5),
        "Gamma(2, 2)": stats.gamma(a=2, scale=0.5).logpdf(0.5),
    }
    assert set(expected) == set(models.GENE_SD_PRIORS)

    def logp_at_half(model):
        logp = model.compile_logp(vars=[model["sigma_alpha"]], jacobian=False, sum=False)
        point = {**model.initial_point(), "sigma_alpha_log__": np.log(0.5)}
        return logp(point)[0]

    for label, value in expected.items():
        assert logp_at_half(builder(sim, sigma_alpha_prior=label)) == pytest.approx(value)
    assert logp_at_half(builder(sim)) == pytest.approx(expected[FORUM_BUILDERS[builder]])
    with pytest.raises(ValueError, match="sigma_alpha_prior"):
        builder(sim, sigma_alpha_prior="HalfNormal(1)")


@pytest.mark.parametrize(
    "builder", [models.two_intercepts_identified, models.two_intercepts_zero_mean]
)
def test_identified_forum_builders_check_the_intercept_prior(sims, builder):
    model = builder(sims["two_intercepts"], intercept_prior_sd=5 * np.sqrt(2))
    logp = model.compile_logp(vars=[model["mu"]], sum=False)
    assert logp({**model.initial_point(), "mu": 0.0})[0] == pytest.approx(
        -np.log(5 * np.sqrt(2) * np.sqrt(2 * np.pi))
    )
    with pytest.raises(ValueError, match="intercept_prior_sd"):
        builder(sims["two_intercepts"], intercept_prior_sd=0)


def test_model4_builders(sims):
    sim = sims["genes_and_cell_lines"]
    naive = models.genes_and_cell_lines_naive(sim)
    identified = models.genes_and_cell_lines_identified(sim)
    assert free_names(naive) == {
        "mu_alpha", "sigma_alpha", "mu_gamma", "sigma_gamma", "mu_beta", "sigma_beta",
        "alpha_g", "gamma_c", "beta_g", "sigma",
    }
    assert free_names(identified) == {
        "mu", "sigma_alpha", "sigma_gamma", "mu_beta", "sigma_beta", "alpha_g", "gamma_c",
        "beta_g", "sigma",
    }
    for model in (naive, identified):
        assert dims(model, "gamma_c") == ("cell_line",) and dims(model, "beta_g") == ("gene",)
        assert len(model.coords["obs"]) == 300


def test_model5_builders_nest_guides_in_genes(sims):
    sim = sims["sgrna_and_cell_lines"]
    gene_of = models.sgrna_gene_index(sim.data)
    assert np.array_equal(gene_of, sim.truth["sgrna_gene_idx"])
    naive = models.sgrna_and_cell_lines_naive(sim)
    centred = models.sgrna_and_cell_lines_identified(sim, gene_level="centred")
    noncentred = models.sgrna_and_cell_lines_identified(sim, gene_level="non-centred")
    marginal = models.sgrna_and_cell_lines_identified(sim)
    assert {"mu_epsilon", "epsilon_g", "alpha_s", "mu_beta", "beta_c"} <= free_names(naive)
    assert "mu_beta" not in free_names(centred)
    assert {"epsilon_z", "alpha_z"} <= free_names(noncentred)
    assert "alpha_s" in noncentred.named_vars and "alpha_s" not in free_names(noncentred)
    assert {"alpha_s", "epsilon_z"} <= free_names(marginal)
    assert "epsilon_g" in marginal.named_vars and "epsilon_g" not in free_names(marginal)
    for model in (naive, centred, noncentred, marginal):
        assert dims(model, "alpha_s") == ("sgrna",) and dims(model, "epsilon_g") == ("gene",)
        assert len(model.coords["sgrna"]) == 15 and len(model.coords["cell_line"]) == 20
    with pytest.raises(ValueError, match="gene_level"):
        models.sgrna_and_cell_lines_identified(sim, gene_level="centered")


def test_marginal_gene_level_is_the_centred_model_reparameterized(sims):
    """Same joint density of (alpha_s, epsilon_g) at any point, up to the change of variables.

    The marginal form samples ``alpha_s`` from its marginal and ``epsilon_z``, with
    ``epsilon_g = m_g + epsilon_z / sqrt(p_g)``; so ``log N(epsilon_g | m_g, 1/sqrt(p_g))``
    equals ``log N(epsilon_z | 0, 1) + log(sqrt(p_g))``.
    """
    sim = sims["sgrna_and_cell_lines"]
    gene_of = models.sgrna_gene_index(sim.data)
    centred = models.sgrna_and_cell_lines_identified(sim, gene_level="centred")
    marginal = models.sgrna_and_cell_lines_identified(sim, gene_level="marginal")
    logp_centred, logp_marginal = centred.compile_logp(), marginal.compile_logp()
    [epsilon_g_of_values] = marginal.replace_rvs_by_values([marginal["epsilon_g"]])
    deterministic = marginal.compile_fn(
        epsilon_g_of_values, inputs=marginal.value_vars, on_unused_input="ignore"
    )
    rng = np.random.default_rng(1)
    n_genes = len(sim.coords["gene"])
    n_per_gene = np.bincount(gene_of, minlength=n_genes)
    for _ in range(3):
        mu, sd_gene, sd_guide = rng.normal(), rng.uniform(0.2, 2), rng.uniform(0.2, 2)
        epsilon_g = rng.normal(mu, 1, n_genes)
        alpha_s = rng.normal(epsilon_g[gene_of], 1)
        point = centred.initial_point()
        point.update(
            mu_epsilon=mu, sigma_epsilon_log__=np.log(sd_gene),
            sigma_alpha_log__=np.log(sd_guide), alpha_s=alpha_s, epsilon_g=epsilon_g,
        )
        precision = 1 / sd_gene**2 + n_per_gene / sd_guide**2
        sums = np.bincount(gene_of, weights=alpha_s, minlength=n_genes)
        mean = (mu / sd_gene**2 + sums / sd_guide**2) / precision
        marginal_point = {k: v for k, v in point.items() if k != "epsilon_g"}
        marginal_point["epsilon_z"] = (epsilon_g - mean) * np.sqrt(precision)
        expected = logp_centred(point) - 0.5 * np.log(precision).sum()
        np.testing.assert_allclose(logp_marginal(marginal_point), expected, rtol=1e-10)
        np.testing.assert_allclose(deterministic(marginal_point), epsilon_g, rtol=1e-10)


def test_sgrna_gene_index_rejects_a_guide_in_two_genes(sims):
    data = sims["sgrna_and_cell_lines"].data.copy()
    data.loc[0, "gene"] = "geneB"  # sgRNA_0 now appears under geneA and geneB
    with pytest.raises(ValueError, match="sgRNA_0"):
        models.sgrna_gene_index(data)


def test_build_dispatches_and_validates(sims):
    for dataset in models.DATASETS:
        for parameterization in models.PARAMETERIZATIONS:
            model = models.build(dataset, parameterization, sims[dataset])
            assert isinstance(model, pm.Model)
    with pytest.raises(ValueError, match="dataset"):
        models.build("model6", "naive", sims["two_intercepts"])
    with pytest.raises(ValueError, match="parameterization"):
        models.build("two_intercepts", "centred", sims["two_intercepts"])
    with pytest.raises(ValueError, match="rna"):
        models.genes_and_cell_lines_naive(sims["two_intercepts"])


# --------------------------------------------------------------------------------------
# Identified quantities on fake posteriors
# --------------------------------------------------------------------------------------


def fake_posterior(values: dict, coords: dict, dims: dict, chains=2, draws=3):
    """Every draw equal to ``values`` plus a draw-specific shift where given."""
    posterior = {}
    for name, value in values.items():
        value = np.asarray(value, dtype=float)
        posterior[name] = np.broadcast_to(value, (chains, draws, *value.shape)).copy()
    return az.from_dict({"posterior": posterior}, coords=coords, dims=dims)


def test_identified_quantities_ignore_the_shift(sims):
    sim = sims["two_intercepts"]
    alpha, beta = np.array([-1.0, 0.0, 2.0]), np.linspace(-1, 1, 10) + 0.3
    shifts = np.array([0.0, 5.0, -7.0])[None, :, None]  # one per draw: alpha + d, beta - d
    idata = az.from_dict(
        {"posterior": {"alpha_g": np.broadcast_to(alpha + shifts, (2, 3, 3)),
                       "beta_c": np.broadcast_to(beta - shifts, (2, 3, 10))}},
        coords={k: sim.coords[k] for k in ("gene", "cell_line")},
        dims={"alpha_g": ["gene"], "beta_c": ["cell_line"]},
    )
    assert float(idata["posterior"]["alpha_g"].std()) > 1  # the raw intercepts move
    quantities = models.identified_quantities(idata, sim, "two_intercepts")
    assert list(quantities.data_vars) == ["gene_intercept", "cell_line_effect"]
    assert quantities["gene_intercept"].dims == ("chain", "draw", "gene")
    assert np.allclose(quantities["gene_intercept"], alpha + beta.mean())
    assert np.allclose(quantities["cell_line_effect"], beta - beta.mean())


def test_identified_quantities_add_the_global_intercept(sims):
    sim = sims["genes_and_cell_lines"]
    alpha = np.array([0.5, -0.5, 0.0, 1.0, -1.0])  # sums to zero
    gamma = np.linspace(-2, 2, 20)  # sums to zero
    slopes = np.arange(5.0)
    coords = {k: sim.coords[k] for k in ("gene", "cell_line")}
    idata = fake_posterior(
        {"mu": -0.7, "alpha_g": alpha, "gamma_c": gamma, "beta_g": slopes}, coords,
        {"alpha_g": ["gene"], "gamma_c": ["cell_line"], "beta_g": ["gene"]},
    )
    quantities = models.identified_quantities(idata, sim, "genes_and_cell_lines")
    assert np.allclose(quantities["gene_intercept"], -0.7 + alpha)
    assert np.allclose(quantities["cell_line_effect"], gamma)
    assert np.allclose(quantities["beta_g"], slopes)


def test_identified_quantities_of_model5(sims):
    sim = sims["sgrna_and_cell_lines"]
    gene_of = sim.truth["sgrna_gene_idx"]
    epsilon = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    alpha = epsilon[gene_of] + 0.1 * np.arange(15)
    beta = np.full(20, 0.25)
    coords = {k: sim.coords[k] for k in ("gene", "sgrna", "cell_line")}
    idata = fake_posterior(
        {"epsilon_g": epsilon, "alpha_s": alpha, "beta_c": beta}, coords,
        {"epsilon_g": ["gene"], "alpha_s": ["sgrna"], "beta_c": ["cell_line"]},
    )
    quantities = models.identified_quantities(idata, sim, "sgrna_and_cell_lines")
    assert list(quantities.data_vars) == [
        "sgrna_intercept", "gene_intercept", "sgrna_deviation", "cell_line_effect"
    ]
    assert np.allclose(quantities["sgrna_intercept"], alpha + 0.25)
    assert np.allclose(quantities["gene_intercept"], epsilon + 0.25)
    assert np.allclose(quantities["sgrna_deviation"], 0.1 * np.arange(15))
    assert np.allclose(quantities["cell_line_effect"], 0.0)


def test_true_identified_quantities(sims):
    truth = models.true_identified_quantities(sims["two_intercepts"], "two_intercepts")
    raw = sims["two_intercepts"].truth
    assert np.allclose(truth["gene_intercept"], raw["alpha_g"] + raw["beta_c"].mean())
    assert np.allclose(truth["cell_line_effect"].sum(), 0)
    truth5 = models.true_identified_quantities(sims["sgrna_and_cell_lines"], "sgrna_and_cell_lines")
    assert truth5["sgrna_deviation"][0] == 0  # geneA has one guide: it is the gene's mean
    assert len(truth5["sgrna_intercept"]) == 15 and len(truth5["gene_intercept"]) == 5


def test_identified_recovery_finds_a_perfect_posterior(sims):
    sim = sims["two_intercepts"]
    rng = np.random.default_rng(0)
    truth = sim.truth
    shift = rng.normal(0, 3, (2, 500, 1))  # a ridge: wide along the shift
    coords = {k: sim.coords[k] for k in ("gene", "cell_line")}
    idata = az.from_dict(
        {"posterior": {
            "alpha_g": truth["alpha_g"] + shift + rng.normal(0, 0.01, (2, 500, 3)),
            "beta_c": truth["beta_c"] - shift + rng.normal(0, 0.01, (2, 500, 10)),
        }},
        coords=coords, dims={"alpha_g": ["gene"], "beta_c": ["cell_line"]},
    )
    table = models.identified_recovery(idata, sim, "two_intercepts")
    assert len(table) == 13
    assert table["sd"].max() < 0.02  # the shift is gone
    assert table["inside"].mean() > 0.6


def test_identified_quantities_reject_a_foreign_posterior(sims):
    idata = fake_posterior({"alpha": 1.0}, {}, {})
    with pytest.raises(ValueError, match="alpha_g"):
        models.identified_quantities(idata, sims["two_intercepts"], "two_intercepts")
    with pytest.raises(ValueError, match="dataset"):
        models.identified_quantities(idata, sims["two_intercepts"], "forum")


# --------------------------------------------------------------------------------------
# The benchmark's CSV
# --------------------------------------------------------------------------------------


def load_benchmark(name: str = "identifiability"):
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_writes_the_csv(tmp_path, capsys):
    benchmark = load_benchmark()
    out = tmp_path / "bench.csv"
    benchmark.main([
        "--draws", "20", "--tune", "20", "--models", "two_intercepts",
        "--parameterizations", "identified", "--out", str(out),
    ])
    table = pd.read_csv(out)
    assert tuple(table.columns) == (
        "model", "parameterization", "sampler", "wall_s", "sampling_s", "min_ess_bulk",
        "ess_per_s", "ess_per_sampling_s", "ess_per_1000_grad", "max_rhat", "divergences",
        "mean_tree_steps",
    )
    assert set(table["sampler"]) == {"pymc", "nutpie"}
    assert (table["model"] == "two_intercepts").all()
    assert (table["parameterization"] == "identified").all()
    assert (table["wall_s"] > 0).all() and (table["mean_tree_steps"] >= 1).all()
    assert np.allclose(table["ess_per_s"], table["min_ess_bulk"] / table["wall_s"])
    assert (table["sampling_s"] > 0).all() and (table["sampling_s"] < table["wall_s"]).all()
    assert np.allclose(table["ess_per_sampling_s"], table["min_ess_bulk"] / table["sampling_s"])
    # Four chains of 20 draws: at most 4 * 20 * 1023 gradient evaluations, at least 4 * 20.
    per_grad = table["min_ess_bulk"] / table["ess_per_1000_grad"] * 1000
    assert ((per_grad >= 80) & (per_grad <= 80 * 1023)).all(), per_grad
    assert "identified" in capsys.readouterr().out


def test_benchmark_target_accept_defaults_to_0_9_and_is_validated(capsys):
    benchmark = load_benchmark()
    assert benchmark.parse_args([]).target_accept == 0.9
    assert benchmark.parse_args(["--target-accept", "0.95"]).target_accept == 0.95
    with pytest.raises(SystemExit):
        benchmark.parse_args(["--target-accept", "1.5"])
    assert "--target-accept must be between 0 and 1" in capsys.readouterr().err


def test_rhat_noise_floor_counts_what_the_benchmark_checks(capsys):
    noise_floor = load_benchmark("rhat_noise_floor")
    counts = noise_floor.parameter_counts()
    assert counts == {"two_intercepts": 17, "genes_and_cell_lines": 36, "sgrna_and_cell_lines": 45}
    assert (noise_floor.DRAWS, noise_floor.TUNE, noise_floor.CHAINS) == (1000, 1000, 4)
    assert noise_floor.TARGET_ACCEPT == load_benchmark().parse_args([]).target_accept
    with pytest.raises(SystemExit):
        noise_floor.main(["--seeds", "0"])
    assert "--seeds must be at least 1" in capsys.readouterr().err


def test_parent_index_maps_children_to_parents_and_rejects_two_parents():
    data = pd.DataFrame(
        {
            "cell_line": pd.Categorical(["c2", "c1", "c3", "c1"], categories=["c1", "c2", "c3"]),
            "lineage": pd.Categorical(["L2", "L1", "L2", "L1"], categories=["L1", "L2"]),
        }
    )
    assert list(models.parent_index(data, "cell_line", "lineage")) == [0, 1, 1]
    data.loc[3, "lineage"] = "L2"
    with pytest.raises(ValueError, match="every cell_line must belong to exactly one lineage"):
        models.parent_index(data, "cell_line", "lineage")


def test_check_same_model_accepts_a_copy_and_names_a_difference():
    sim = simulate.genes_and_cell_lines(np.random.RandomState(3))
    reference = models.genes_and_cell_lines_naive(sim)
    # The same model again, and the identified one: other parameters.
    models.check_same_model(models.genes_and_cell_lines_naive(sim), reference)
    with pytest.raises(AssertionError, match="free parameters differ"):
        models.check_same_model(models.genes_and_cell_lines_identified(sim), reference)
    # Other data: the same parameters, another density.
    other = sim.data.assign(logfc=sim.data["logfc"] + 0.1)
    with pytest.raises(AssertionError, match="log densities differ"):
        models.check_same_model(models.genes_and_cell_lines_naive(other), reference)
    with pytest.raises(ValueError, match="reference"):
        models.check_same_model(reference, "model 4")
    with pytest.raises(ValueError, match="n_points"):
        models.check_same_model(reference, reference, n_points=-1)
