"""Mutation status on top of the realistic screen's model (Model B, chapter 9).

A gene's mutation may shift the logFC of its guides in mutant cell lines by ``delta_g``.
Two models of that shift:

- :func:`varying_effect_model`: every gene has a shift, ``delta_g ~ N(mu_delta, sigma_delta)``;
- :func:`mixture_model`: a gene is *affected* with probability ``p_affected`` and then has a
  shift drawn as above, or else none (a spike-and-slab prior). The indicator is summed out
  and the shift integrated out in closed form, gene by gene (:func:`mutation_terms`), so
  NUTS samples only continuous parameters.

Both build on :func:`depmap_models.screen.linear_predictor`. Because the mixture's
likelihood is a ``pm.Potential``, PyMC can neither simulate from it nor score it point by
point: :func:`mixture_posterior_predictive` draws replicated data from a fitted mixture model,
and :func:`measurement_log_likelihood` scores each measurement (for cross-validation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from scipy import stats

from depmap_models import diagnostics, screen
from depmap_models.design import codes, gene_sd_prior, model_data
from depmap_models.simulate import Simulation

__all__ = [
    "COLUMNS",
    "measurement_log_likelihood",
    "mixture_model",
    "mixture_posterior_predictive",
    "mutation_terms",
    "varying_effect_model",
]

#: The columns the mutation models read.
COLUMNS = (*screen.COLUMNS, "mutated")


def mutation_terms(data: pd.DataFrame, mu, sigma, mu_delta, sigma_delta):
    """Per gene, the pieces of the mutation likelihood with the shift integrated out.

    For gene ``g`` with mutant measurements ``M_g`` (``n_g`` of them), the mean residual
    ``r_g`` of its mutant measurements about ``mu`` has standard error ``e_g = sigma / sqrt(n_g)``
    and is a sufficient statistic for the shift: integrating ``delta_g ~ N(mu_delta,
    sigma_delta)`` out multiplies the no-shift likelihood by the Bayes factor
    ``B_g = N(r_g | mu_delta, sqrt(sigma_delta^2 + e_g^2)) / N(r_g | 0, e_g)``.

    Parameters
    ----------
    data : pandas.DataFrame
        With categorical ``gene``, boolean ``mutated`` and ``logfc``; every gene needs at
        least one mutant measurement.
    mu : tensor
        The mean logFC of every measurement without a shift.
    sigma, mu_delta, sigma_delta : tensor
        Noise sd, and the mean and sd of the shifts.

    Returns
    -------
    tuple
        ``(loglik_null, log_bayes_factor, se, residual)``, each one value per gene:
        the gene's log-likelihood with no shift, ``log B_g``, ``e_g`` and ``r_g``.

    Raises
    ------
    ValueError
        If a gene has no mutant measurement.
    """
    gene_idx = codes(data, "gene")
    mutated = data["mutated"].to_numpy().astype(bool)
    logfc = data["logfc"].to_numpy()
    n_genes = data["gene"].cat.categories.size
    n_mutant = np.bincount(gene_idx[mutated], minlength=n_genes)
    if (n_mutant == 0).any():
        bad = list(np.asarray(data["gene"].cat.categories)[n_mutant == 0])
        raise ValueError(f"every gene needs a mutant measurement; these have none: {bad}")

    loglik_null = pt.zeros(n_genes)[gene_idx].inc(pm.logp(pm.Normal.dist(mu, sigma), logfc))
    residual = pt.zeros(n_genes)[gene_idx[mutated]].inc((logfc - mu)[mutated]) / n_mutant
    se = sigma / np.sqrt(n_mutant)
    log_bayes_factor = pm.logp(
        pm.Normal.dist(mu_delta, pt.sqrt(sigma_delta**2 + se**2)), residual
    ) - pm.logp(pm.Normal.dist(0.0, se), residual)
    return loglik_null, log_bayes_factor, se, residual


def varying_effect_model(sim: Simulation | pd.DataFrame) -> pm.Model:
    """Model A plus a shift of every gene in its mutant cell lines (centred).

    ``mu_delta ~ N(0, 1)``, ``sigma_delta ~ Gamma(2, 2)``, ``delta_g ~ N(mu_delta,
    sigma_delta)`` (dims ``gene``), ``sigma ~ Exp(1)``, ``logfc ~ N(mu + delta_g * mutated,
    sigma)``. The deterministic ``loglik_g`` is each gene's log-likelihood with its shift
    integrated out (the mixture with ``p_affected = 1``), for cross-validation by gene.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        From :func:`depmap_models.simulate.mutation_screen`, or data with its columns.

    Returns
    -------
    pymc.Model
    """
    data = model_data(sim, COLUMNS)
    gene_idx = codes(data, "gene")
    mutated = data["mutated"].to_numpy().astype(float)
    with pm.Model(coords=screen.coords(data)) as model:
        mu = screen.linear_predictor(data)
        mu_delta = pm.Normal("mu_delta", 0, 1)
        sigma_delta = gene_sd_prior("sigma_delta")
        delta_g = pm.Normal("delta_g", mu_delta, sigma_delta, dims="gene")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal("logfc", mu + delta_g[gene_idx] * mutated, sigma,
                  observed=data["logfc"].to_numpy(), dims="obs")
        loglik_null, log_bayes_factor, _, _ = mutation_terms(data, mu, sigma, mu_delta,
                                                             sigma_delta)
        pm.Deterministic("loglik_g", loglik_null + log_bayes_factor, dims="gene")
    return model


def mixture_model(sim: Simulation | pd.DataFrame) -> pm.Model:
    """Model A plus a spike-and-slab shift: affected genes shift, the others do not.

    ``p_affected ~ Beta(1, 1)``, ``mu_delta ~ N(0, 1)``, ``sigma_delta ~ Gamma(2, 2)``,
    ``sigma ~ Exp(1)``. The observed ``logfc`` carries Model A's likelihood (the "not
    affected" branch for every gene), and a ``pm.Potential`` adds, per gene,
    ``log((1 - p_affected) + p_affected * B_g)`` (:func:`mutation_terms`): the indicator
    summed out. Deterministics kept for every draw: ``loglik_g``, ``prob_affected_g``
    (the posterior probability that the gene is affected, given the draw's parameters)
    and ``delta_mean_g``, ``delta_sd_g`` (the normal distribution of its shift if it is).

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        From :func:`depmap_models.simulate.mutation_screen`, or data with its columns.

    Returns
    -------
    pymc.Model
    """
    data = model_data(sim, COLUMNS)
    with pm.Model(coords=screen.coords(data)) as model:
        mu = screen.linear_predictor(data)
        p_affected = pm.Beta("p_affected", 1, 1)
        mu_delta = pm.Normal("mu_delta", 0, 1)
        sigma_delta = gene_sd_prior("sigma_delta")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal("logfc", mu, sigma, observed=data["logfc"].to_numpy(), dims="obs")
        loglik_null, log_bayes_factor, se, residual = mutation_terms(
            data, mu, sigma, mu_delta, sigma_delta
        )
        log_affected = pt.log(p_affected) + log_bayes_factor
        log_mix = pt.logaddexp(pt.log1p(-p_affected), log_affected)
        pm.Potential("affected_or_not", log_mix.sum())
        pm.Deterministic("loglik_g", loglik_null + log_mix, dims="gene")
        pm.Deterministic("prob_affected_g", pt.exp(log_affected - log_mix), dims="gene")
        precision = 1 / sigma_delta**2 + 1 / se**2
        pm.Deterministic("delta_mean_g",
                         (mu_delta / sigma_delta**2 + residual / se**2) / precision, dims="gene")
        pm.Deterministic("delta_sd_g", 1 / pt.sqrt(precision), dims="gene")
    return model


def _mean_without_shift(idata, data: pd.DataFrame) -> np.ndarray:
    """Model A's mean of every measurement in every draw: ``(sample, obs)``."""
    post = {name: diagnostics.draws(idata, name)
            for name in ("alpha_s", "gamma_c", "beta_g", "eta")}
    return (
        post["alpha_s"][:, codes(data, "sgrna")]
        + post["gamma_c"][:, codes(data, "cell_line")]
        + post["beta_g"][:, codes(data, "gene")] * data["rna"].to_numpy()
        + post["eta"][:, None] * data["cn"].to_numpy()
    )


def mixture_posterior_predictive(
    idata, sim: Simulation | pd.DataFrame, *, rng: np.random.Generator, draws: int = 200
) -> np.ndarray:
    """Replicated logFC from a fitted :func:`mixture_model`: ``(draws, obs)``.

    For each of ``draws`` evenly spaced posterior draws: each gene is affected with its
    ``prob_affected_g``; an affected gene's shift is drawn from ``N(delta_mean_g,
    delta_sd_g)`` (its conditional posterior), an unaffected gene's is 0; then
    ``logfc ~ N(mu + delta_g * mutated, sigma)``.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of :func:`mixture_model`.
    sim : Simulation or pandas.DataFrame
        The data it was fitted to.
    rng : numpy.random.Generator
        Source of the replication's randomness (:func:`depmap_models.sampling.rng`).
    draws : int
        Number of replicated data sets, at most the number of posterior draws.

    Returns
    -------
    numpy.ndarray
    """
    data = model_data(sim, COLUMNS)
    mu = _mean_without_shift(idata, data)
    total = mu.shape[0]
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= total:
        raise ValueError(f"draws must be an integer from 1 to {total}, got {draws!r}")
    pick = np.linspace(0, total - 1, draws).round().astype(int)
    prob = diagnostics.draws(idata, "prob_affected_g")[pick]
    shift_mean = diagnostics.draws(idata, "delta_mean_g")[pick]
    shift_sd = diagnostics.draws(idata, "delta_sd_g")[pick]
    sigma = diagnostics.draws(idata, "sigma")[pick]
    affected = rng.random(prob.shape) < prob
    delta = np.where(affected, rng.normal(shift_mean, shift_sd), 0.0)
    gene_idx = codes(data, "gene")
    mutated = data["mutated"].to_numpy().astype(float)
    mean = mu[pick] + delta[:, gene_idx] * mutated
    return rng.normal(mean, sigma[:, None])


def measurement_log_likelihood(idata, sim: Simulation | pd.DataFrame) -> xr.DataArray:
    """Return log p(logFC | draw) of every measurement, under either model: ``(chain, draw, obs)``.

    For :func:`varying_effect_model`, ``N(y | mu + delta_g M, sigma)``. For
    :func:`mixture_model` the shift is summed out, as in its likelihood: a mutant measurement
    scores ``w_g N(y | mu + m_g, sqrt(sigma^2 + s_g^2)) + (1 - w_g) N(y | mu, sigma)``, with
    ``w_g, m_g, s_g`` the draw's ``prob_affected_g, delta_mean_g, delta_sd_g``, and a
    wild-type one ``N(y | mu, sigma)``. PyMC's ``compute_log_likelihood`` cannot give the
    mixture's terms (they live in a ``Potential``). For a fit to other rows (a fold of
    :func:`depmap_models.crossval.kfold`), the terms are the held-out rows' predictive scores.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of either model.
    sim : Simulation or pandas.DataFrame
        The measurements to score; their categories must be the fit's.

    Returns
    -------
    xarray.DataArray
    """
    data = model_data(sim, COLUMNS)
    mu = _mean_without_shift(idata, data)
    gene = codes(data, "gene")
    y, mutant = data["logfc"].to_numpy(), data["mutated"].to_numpy().astype(bool)
    sigma = diagnostics.draws(idata, "sigma")[:, None]
    if "prob_affected_g" in idata["posterior"]:
        w, m, s = (diagnostics.draws(idata, name)[:, gene]
                   for name in ("prob_affected_g", "delta_mean_g", "delta_sd_g"))
        unshifted = stats.norm.logpdf(y, mu, sigma)
        with np.errstate(divide="ignore"):  # w can be exactly 0 or 1
            shifted = np.log(w) + stats.norm.logpdf(y, mu + m, np.sqrt(sigma**2 + s**2))
            log_lik = np.where(mutant, np.logaddexp(np.log1p(-w) + unshifted, shifted),
                               unshifted)
    else:
        delta = diagnostics.draws(idata, "delta_g")[:, gene]
        log_lik = stats.norm.logpdf(y, mu + delta * mutant, sigma)
    sizes = idata["posterior"].sizes
    return xr.DataArray(log_lik.reshape(sizes["chain"], sizes["draw"], -1),
                        dims=("chain", "draw", "obs"))
