"""The mutation models: their likelihoods against brute force, and the mixture's replications."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from depmap_models import mutation, simulate


@pytest.fixture(scope="module")
def sim():
    return simulate.mutation_screen(
        np.random.default_rng(5), n_genes=3, sgrnas_per_gene=2, cell_lines_per_lineage=(2, 3)
    )


def random_point(model, seed):
    """Every free variable at a random value (on the sampler's unconstrained scale)."""
    rng = np.random.default_rng(seed)
    point = model.initial_point(random_seed=seed)
    return {name: value + rng.normal(0, 0.3, np.shape(value)) for name, value in point.items()}


def parameters(model, point) -> dict:
    """The model's named quantities at ``point`` (constrained values and deterministics)."""
    outputs = model.unobserved_value_vars
    values = model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore",
                              point_fn=False)(*[point[v.name] for v in model.value_vars])
    return {v.name: np.asarray(x) for v, x in zip(outputs, values, strict=True)}


def mean_logfc(p, data):
    """Model A's mean, written out with numpy."""
    return (
        p["alpha_s"][data["sgrna"].cat.codes] + p["gamma_c"][data["cell_line"].cat.codes]
        + p["beta_g"][data["gene"].cat.codes] * data["rna"].to_numpy()
        + p["eta"] * data["cn"].to_numpy()
    )


def gene_likelihoods(p, data, mu):
    """Per gene: log-likelihood with no shift, and with the shift integrated out by quadrature."""
    y, mutated = data["logfc"].to_numpy(), data["mutated"].to_numpy().astype(bool)
    null, shifted = [], []
    for g in range(data["gene"].cat.categories.size):
        rows = (data["gene"].cat.codes == g).to_numpy()
        base = stats.norm.logpdf(y[rows], mu[rows], p["sigma"]).sum()

        def integrand(delta, rows=rows, base=base):
            moved = mu[rows] + delta * mutated[rows]
            return np.exp(
                stats.norm.logpdf(y[rows], moved, p["sigma"]).sum() - base
                + stats.norm.logpdf(delta, p["mu_delta"], p["sigma_delta"])
            )

        centre, width = p["mu_delta"], 12 * p["sigma_delta"] + 5
        value, _ = integrate.quad(integrand, centre - width, centre + width, limit=200,
                                  epsabs=0, epsrel=1e-11)
        null.append(base)
        shifted.append(base + np.log(value))
    return np.array(null), np.array(shifted)


@pytest.mark.parametrize("seed", [1, 2])
def test_mixture_log_density_is_the_sum_over_both_components(sim, seed):
    model = mutation.mixture_model(sim)
    point = random_point(model, seed)
    p = parameters(model, point)
    data = sim.data
    null, shifted = gene_likelihoods(p, data, mean_logfc(p, data))
    pi = p["p_affected"]
    brute_likelihood = np.logaddexp(np.log1p(-pi) + null, np.log(pi) + shifted).sum()
    priors = float(model.compile_logp(vars=model.free_RVs)(point))
    total = float(model.compile_logp()(point))
    assert np.isclose(total, priors + brute_likelihood, rtol=0, atol=1e-6)
    assert np.allclose(p["loglik_g"], np.logaddexp(np.log1p(-pi) + null, np.log(pi) + shifted),
                       atol=1e-6)
    # The probability that a gene is affected is its component's share.
    share = np.exp(np.log(pi) + shifted - np.logaddexp(np.log1p(-pi) + null, np.log(pi) + shifted))
    assert np.allclose(p["prob_affected_g"], share, atol=1e-8)


def test_varying_effect_gene_likelihood_integrates_the_shift_out(sim):
    model = mutation.varying_effect_model(sim)
    point = random_point(model, 3)
    p = parameters(model, point)
    _, shifted = gene_likelihoods(p, sim.data, mean_logfc(p, sim.data))
    assert np.allclose(p["loglik_g"], shifted, atol=1e-6)


def fake_fit(sim, *, prob, n_draws=40):
    """Posterior draws of a mixture fit with all shifts' probabilities set to ``prob``."""
    import arviz as az

    data = sim.data
    sizes = {n: data[n].cat.categories.size for n in ("sgrna", "cell_line", "gene")}
    rng = np.random.default_rng(0)
    post = {
        "alpha_s": rng.normal(-1, 0.1, (1, n_draws, sizes["sgrna"])),
        "gamma_c": rng.normal(0, 0.1, (1, n_draws, sizes["cell_line"])),
        "beta_g": rng.normal(0, 0.1, (1, n_draws, sizes["gene"])),
        "eta": rng.normal(0, 0.1, (1, n_draws)),
        "sigma": np.full((1, n_draws), 1e-6),
        "prob_affected_g": np.full((1, n_draws, sizes["gene"]), prob),
        "delta_mean_g": np.full((1, n_draws, sizes["gene"]), -2.0),
        "delta_sd_g": np.full((1, n_draws, sizes["gene"]), 1e-6),
    }
    return az.from_dict({"posterior": post}), post


@pytest.mark.parametrize("prob", [0.0, 1.0])
def test_mixture_replications_follow_the_affected_branch(sim, prob):
    idata, post = fake_fit(sim, prob=prob)
    replicated = mutation.mixture_posterior_predictive(
        idata, sim, rng=np.random.default_rng(1), draws=40
    )
    assert replicated.shape == (40, len(sim.data))
    p = {k: v[0, 0] for k, v in post.items()}
    expected = mean_logfc(p, sim.data) + prob * -2.0 * sim.data["mutated"].to_numpy()
    assert np.allclose(replicated[0], expected, atol=1e-4)


def test_mixture_replications_check_their_arguments(sim):
    idata, _ = fake_fit(sim, prob=0.5)
    with pytest.raises(ValueError, match="draws must be an integer from 1 to 40"):
        mutation.mixture_posterior_predictive(idata, sim, rng=np.random.default_rng(1), draws=41)


def test_a_gene_without_mutant_measurements_is_named(sim):
    data = sim.data.copy()
    first = data["gene"].cat.categories[0]
    data.loc[data["gene"] == first, "mutated"] = False
    with pytest.raises(ValueError, match=f"these have none: \\['{first}'\\]"):
        mutation.mixture_model(data)


def test_measurement_log_likelihood_sums_the_mixture_out(sim):
    import arviz as az

    idata, post = fake_fit(sim, prob=0.3)
    sigma, shift_sd = 0.5, 0.4
    post = post | {"sigma": np.full_like(post["sigma"], sigma),
                   "delta_sd_g": np.full_like(post["delta_sd_g"], shift_sd)}
    mixture = mutation.measurement_log_likelihood(az.from_dict({"posterior": post}), sim)
    assert mixture.dims == ("chain", "draw", "obs")
    assert mixture.shape == (1, 40, len(sim.data))
    data, p = sim.data, {k: v[0, 3] for k, v in post.items()}
    mu, y = mean_logfc(p, data), data["logfc"].to_numpy()
    mutant = data["mutated"].to_numpy()
    expected = np.where(
        mutant,
        np.log(0.7 * stats.norm.pdf(y, mu, sigma)
               + 0.3 * stats.norm.pdf(y, mu - 2.0, np.hypot(sigma, shift_sd))),
        stats.norm.logpdf(y, mu, sigma),
    )
    np.testing.assert_allclose(mixture.values[0, 3], expected, rtol=1e-10)
    # The varying-effect model: a plain normal around the shifted mean.
    genes = data["gene"].cat.codes.to_numpy()
    varying = {k: v for k, v in post.items() if k not in ("prob_affected_g", "delta_mean_g",
                                                          "delta_sd_g")}
    varying["delta_g"] = np.broadcast_to(np.linspace(-1, 0, genes.max() + 1),
                                         post["prob_affected_g"].shape).copy()
    plain = mutation.measurement_log_likelihood(az.from_dict({"posterior": varying}), sim)
    expected = stats.norm.logpdf(y, mu + varying["delta_g"][0, 3][genes] * mutant, sigma)
    np.testing.assert_allclose(plain.values[0, 3], expected, rtol=1e-10)
