"""Naive and identified versions of the book's models with two sets of intercepts.

Three data sets add a gene-side intercept to a cell-line intercept with no
global intercept: the forum thread's data (:func:`simulate.two_intercepts`),
Model 4 (:func:`simulate.genes_and_cell_lines`) and Model 5
(:func:`simulate.sgrna_and_cell_lines`). Written as the original analysis wrote
them (the *naive* models), adding a constant to every gene-side intercept and
subtracting it from every cell-line intercept leaves the likelihood unchanged:
only the priors on the two hyper-means decide where along that line the
posterior sits. The *identified* models remove the line with a global intercept
and sum-to-zero effects (:class:`pymc.ZeroSumNormal`). Model 5's guide and gene levels can
be written three ways (:data:`GENE_LEVELS`); the default integrates the gene means out.

Every builder takes a :class:`~depmap_models.simulate.Simulation` (only its
``data`` is read) and returns a :class:`pymc.Model` with named dims ``gene``,
``cell_line``, ``sgrna`` (where they apply) and ``obs`` (one per measurement).
Models of one data set share the names of their intercepts, so that
:func:`identified_quantities` reads the quantities the data do identify from
the posterior of any of them, and :func:`true_identified_quantities` gives the
matching true values from ``Simulation.truth``.

Sampling and timing live in :mod:`depmap_models.sampling`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from depmap_models import diagnostics, simulate
from depmap_models.design import (
    codes,
    gene_sd_prior,
    model_coords,
    model_data,
    parent_index,
    sgrna_gene_index,
)
from depmap_models.diagnostics import posterior_dataset
from depmap_models.simulate import Simulation

__all__ = [
    "BUILDERS",
    "DATASETS",
    "GENE_SD_PRIORS",
    "PARAMETERIZATIONS",
    "build",
    "check_same_model",
    "GENE_LEVELS",
    "gene_sd_prior",
    "genes_and_cell_lines_identified",
    "genes_and_cell_lines_naive",
    "guides_centred",
    "guides_marginal",
    "guides_noncentred",
    "identified_quantities",
    "parent_index",
    "identified_recovery",
    "sgrna_and_cell_lines_identified",
    "sgrna_gene_index",
    "sgrna_and_cell_lines_naive",
    "simulate_dataset",
    "true_identified_quantities",
    "two_intercepts_identified",
    "two_intercepts_naive",
    "two_intercepts_zero_mean",
]

#: The three data sets, named after their simulators.
DATASETS = ("two_intercepts", "genes_and_cell_lines", "sgrna_and_cell_lines")
PARAMETERIZATIONS = ("naive", "identified")

SAMPLE_DIMS = ("chain", "draw")


def _exponential_sd_prior(name: str):
    return pm.Exponential(name, 1)


#: The priors the forum's builders offer for the gene-level scale ``sigma_alpha``, by label:
#: the thread's ``Exp(1)`` and the identified models' ``Gamma(2, 2)`` (:func:`gene_sd_prior`).
#: Both have mean 1; the gamma has zero density at zero.
GENE_SD_PRIORS: dict[str, Callable[[str], object]] = {
    "Exp(1)": _exponential_sd_prior,
    "Gamma(2, 2)": gene_sd_prior,
}


def _gene_sd(name: str, prior: str):
    """Create ``name`` with the prior labelled ``prior`` (a key of :data:`GENE_SD_PRIORS`)."""
    return GENE_SD_PRIORS[prior](name)


def _check_gene_sd_prior(prior: str) -> None:
    if prior not in GENE_SD_PRIORS:
        raise ValueError(
            f"sigma_alpha_prior must be one of {tuple(GENE_SD_PRIORS)}, got {prior!r}"
        )


def _check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")


# --------------------------------------------------------------------------------------
# The forum's data: logfc ~ alpha_g[gene] + beta_c[cell_line]
# --------------------------------------------------------------------------------------


def two_intercepts_naive(
    sim: Simulation | pd.DataFrame,
    *,
    mean_prior_sd: float = 5.0,
    sigma_alpha_prior: str = "Exp(1)",
) -> pm.Model:
    """Build the model as posted on the forum: two hierarchical intercepts, no global intercept.

    ``mu_alpha, mu_beta ~ N(0, mean_prior_sd)`` (5 in the thread; a smaller value is
    the "tighter priors" fix), ``sigma_alpha ~ Exp(1)`` (the thread's; see
    ``sigma_alpha_prior``), ``sigma_beta, sigma ~ Exp(1)``,
    ``alpha_g ~ N(mu_alpha, sigma_alpha)``, ``beta_c ~ N(mu_beta, sigma_beta)``,
    ``logfc ~ N(alpha_g[gene] + beta_c[cell_line], sigma)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``cell_line`` (categorical) and ``logfc``.
    mean_prior_sd : float, default 5.0
        Standard deviation of the priors of ``mu_alpha`` and ``mu_beta``; positive.
    sigma_alpha_prior : {"Exp(1)", "Gamma(2, 2)"}, default "Exp(1)"
        Prior of the gene-level scale ``sigma_alpha`` (a key of :data:`GENE_SD_PRIORS`).

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
        Also if ``mean_prior_sd`` is not positive or ``sigma_alpha_prior`` is unknown.
    """
    _check_positive("mean_prior_sd", mean_prior_sd)
    _check_gene_sd_prior(sigma_alpha_prior)
    data = model_data(sim, ["gene", "cell_line", "logfc"])
    gene_idx, cell_line_idx = codes(data, "gene"), codes(data, "cell_line")
    with pm.Model(coords=model_coords(data, ["gene", "cell_line"])) as model:
        mu_alpha = pm.Normal("mu_alpha", 0, mean_prior_sd)
        sigma_alpha = _gene_sd("sigma_alpha", sigma_alpha_prior)
        mu_beta = pm.Normal("mu_beta", 0, mean_prior_sd)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_g = pm.Normal("alpha_g", mu_alpha, sigma_alpha, dims="gene")
        beta_c = pm.Normal("beta_c", mu_beta, sigma_beta, dims="cell_line")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            alpha_g[gene_idx] + beta_c[cell_line_idx],
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


def two_intercepts_identified(
    sim: Simulation | pd.DataFrame,
    *,
    intercept_prior_sd: float = 5.0,
    sigma_alpha_prior: str = "Gamma(2, 2)",
) -> pm.Model:
    """Global intercept ``mu`` plus sum-to-zero gene and cell-line effects.

    ``mu ~ N(0, intercept_prior_sd)``, ``alpha_g ~ ZeroSumNormal(sigma_alpha)``,
    ``beta_c ~ ZeroSumNormal(sigma_beta)``, ``sigma_alpha ~ Gamma(2, 2)`` by default (three
    genes: :func:`gene_sd_prior`; ``sigma_alpha_prior="Exp(1)"`` gives the thread's prior),
    ``sigma_beta, sigma ~ Exp(1)``,
    ``logfc ~ N(mu + alpha_g[gene] + beta_c[cell_line], sigma)``. Here ``alpha_g``
    and ``beta_c`` are deviations from the average gene and cell line.

    With ``sigma_alpha_prior="Exp(1)"`` and ``intercept_prior_sd`` near ``5 * sqrt(2)``, this
    is the posted model (:func:`two_intercepts_naive`) with its ridge integrated out: there,
    the deviations ``alpha_g - mean(alpha_g)`` of independent normal draws have exactly the
    ``ZeroSumNormal(sigma_alpha)`` distribution, and the level
    ``mean(alpha_g) + mean(beta_c)`` has a normal prior with standard deviation
    ``sqrt(2 * 5**2 + sigma_alpha**2 / 3 + sigma_beta**2 / 10)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``cell_line`` (categorical) and ``logfc``.
    intercept_prior_sd : float, default 5.0
        Standard deviation of the prior of ``mu``; positive.
    sigma_alpha_prior : {"Gamma(2, 2)", "Exp(1)"}, default "Gamma(2, 2)"
        Prior of the gene-level scale ``sigma_alpha`` (a key of :data:`GENE_SD_PRIORS`).

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
        Also if ``intercept_prior_sd`` is not positive or ``sigma_alpha_prior`` is unknown.
    """
    _check_positive("intercept_prior_sd", intercept_prior_sd)
    _check_gene_sd_prior(sigma_alpha_prior)
    data = model_data(sim, ["gene", "cell_line", "logfc"])
    gene_idx, cell_line_idx = codes(data, "gene"), codes(data, "cell_line")
    with pm.Model(coords=model_coords(data, ["gene", "cell_line"])) as model:
        mu = pm.Normal("mu", 0, intercept_prior_sd)
        sigma_alpha = _gene_sd("sigma_alpha", sigma_alpha_prior)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_g = pm.ZeroSumNormal("alpha_g", sigma_alpha, dims="gene")
        beta_c = pm.ZeroSumNormal("beta_c", sigma_beta, dims="cell_line")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            mu + alpha_g[gene_idx] + beta_c[cell_line_idx],
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


def two_intercepts_zero_mean(
    sim: Simulation | pd.DataFrame,
    *,
    intercept_prior_sd: float = 5.0,
    sigma_alpha_prior: str = "Gamma(2, 2)",
) -> pm.Model:
    """Global intercept ``mu`` plus zero-mean hierarchical effects (the lme4/brms convention).

    As :func:`two_intercepts_identified` (same priors) but ``alpha_g ~ N(0, sigma_alpha)`` and
    ``beta_c ~ N(0, sigma_beta)``: the effects are pulled towards zero by their prior
    rather than constrained to sum to zero, so the split between ``mu`` and the means
    of the effects is decided by the priors, within about ``sigma_alpha / sqrt(genes)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``cell_line`` (categorical) and ``logfc``.
    intercept_prior_sd : float, default 5.0
        Standard deviation of the prior of ``mu``; positive.
    sigma_alpha_prior : {"Gamma(2, 2)", "Exp(1)"}, default "Gamma(2, 2)"
        Prior of the gene-level scale ``sigma_alpha`` (a key of :data:`GENE_SD_PRIORS`).

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
        Also if ``intercept_prior_sd`` is not positive or ``sigma_alpha_prior`` is unknown.
    """
    _check_positive("intercept_prior_sd", intercept_prior_sd)
    _check_gene_sd_prior(sigma_alpha_prior)
    data = model_data(sim, ["gene", "cell_line", "logfc"])
    gene_idx, cell_line_idx = codes(data, "gene"), codes(data, "cell_line")
    with pm.Model(coords=model_coords(data, ["gene", "cell_line"])) as model:
        mu = pm.Normal("mu", 0, intercept_prior_sd)
        sigma_alpha = _gene_sd("sigma_alpha", sigma_alpha_prior)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_g = pm.Normal("alpha_g", 0, sigma_alpha, dims="gene")
        beta_c = pm.Normal("beta_c", 0, sigma_beta, dims="cell_line")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            mu + alpha_g[gene_idx] + beta_c[cell_line_idx],
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


# --------------------------------------------------------------------------------------
# Model 4: logfc ~ alpha_g[gene] + gamma_c[cell_line] + beta_g[gene] * rna
# --------------------------------------------------------------------------------------


def genes_and_cell_lines_naive(sim: Simulation | pd.DataFrame) -> pm.Model:
    """Model 4 as the original analysis wrote it.

    ``mu_alpha, mu_gamma ~ N(0, 2)``, ``mu_beta ~ N(0, 1)``, every ``sigma_* ~ Exp(1)``,
    ``alpha_g ~ N(mu_alpha, sigma_alpha)``, ``gamma_c ~ N(mu_gamma, sigma_gamma)``,
    ``beta_g ~ N(mu_beta, sigma_beta)``,
    ``logfc ~ N(alpha_g[gene] + gamma_c[cell_line] + beta_g[gene] * rna, sigma)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``cell_line`` (categorical), ``rna`` and ``logfc``.

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
    """
    data = model_data(sim, ["gene", "cell_line", "rna", "logfc"])
    gene_idx, cell_line_idx = codes(data, "gene"), codes(data, "cell_line")
    rna = data["rna"].to_numpy()
    with pm.Model(coords=model_coords(data, ["gene", "cell_line"])) as model:
        mu_alpha = pm.Normal("mu_alpha", 0, 2)
        sigma_alpha = pm.Exponential("sigma_alpha", 1)
        mu_gamma = pm.Normal("mu_gamma", 0, 2)
        sigma_gamma = pm.Exponential("sigma_gamma", 1)
        mu_beta = pm.Normal("mu_beta", 0, 1)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_g = pm.Normal("alpha_g", mu_alpha, sigma_alpha, dims="gene")
        gamma_c = pm.Normal("gamma_c", mu_gamma, sigma_gamma, dims="cell_line")
        beta_g = pm.Normal("beta_g", mu_beta, sigma_beta, dims="gene")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            alpha_g[gene_idx] + gamma_c[cell_line_idx] + beta_g[gene_idx] * rna,
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


def genes_and_cell_lines_identified(sim: Simulation | pd.DataFrame) -> pm.Model:
    """Model 4 with a global intercept and sum-to-zero gene and cell-line intercepts.

    ``mu ~ N(0, 2)`` (the scale of the naive hyper-means), ``alpha_g ~ ZeroSumNormal(sigma_alpha)``
    with ``sigma_alpha ~ Gamma(2, 2)`` (:func:`gene_sd_prior`),
    ``gamma_c ~ ZeroSumNormal(sigma_gamma)``, slopes and the rest as in the naive model:
    ``logfc ~ N(mu + alpha_g[gene] + gamma_c[cell_line] + beta_g[gene] * rna, sigma)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``cell_line`` (categorical), ``rna`` and ``logfc``.

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
    """
    data = model_data(sim, ["gene", "cell_line", "rna", "logfc"])
    gene_idx, cell_line_idx = codes(data, "gene"), codes(data, "cell_line")
    rna = data["rna"].to_numpy()
    with pm.Model(coords=model_coords(data, ["gene", "cell_line"])) as model:
        mu = pm.Normal("mu", 0, 2)
        sigma_alpha = gene_sd_prior("sigma_alpha")
        sigma_gamma = pm.Exponential("sigma_gamma", 1)
        mu_beta = pm.Normal("mu_beta", 0, 1)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_g = pm.ZeroSumNormal("alpha_g", sigma_alpha, dims="gene")
        gamma_c = pm.ZeroSumNormal("gamma_c", sigma_gamma, dims="cell_line")
        beta_g = pm.Normal("beta_g", mu_beta, sigma_beta, dims="gene")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            mu + alpha_g[gene_idx] + gamma_c[cell_line_idx] + beta_g[gene_idx] * rna,
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


# --------------------------------------------------------------------------------------
# Model 5: logfc ~ alpha_s[sgrna] + beta_c[cell_line], alpha_s nested in genes
# --------------------------------------------------------------------------------------


def sgrna_and_cell_lines_naive(sim: Simulation | pd.DataFrame) -> pm.Model:
    """Model 5 as the original analysis wrote it.

    ``mu_epsilon ~ N(0, 5)``, ``epsilon_g ~ N(mu_epsilon, sigma_epsilon)``,
    ``alpha_s ~ N(epsilon_g[gene of s], sigma_alpha)``, ``mu_beta ~ N(0, 5)``,
    ``beta_c ~ N(mu_beta, sigma_beta)``, every ``sigma_* ~ Exp(1)``,
    ``logfc ~ N(alpha_s[sgrna] + beta_c[cell_line], sigma)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``sgrna``, ``cell_line`` (categorical) and ``logfc``.

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``sgrna``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
    """
    data = model_data(sim, ["gene", "sgrna", "cell_line", "logfc"])
    sgrna_idx, cell_line_idx = codes(data, "sgrna"), codes(data, "cell_line")
    gene_of_sgrna = sgrna_gene_index(data)
    with pm.Model(coords=model_coords(data, ["gene", "sgrna", "cell_line"])) as model:
        mu_epsilon = pm.Normal("mu_epsilon", 0, 5)
        sigma_epsilon = pm.Exponential("sigma_epsilon", 1)
        sigma_alpha = pm.Exponential("sigma_alpha", 1)
        mu_beta = pm.Normal("mu_beta", 0, 5)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        epsilon_g = pm.Normal("epsilon_g", mu_epsilon, sigma_epsilon, dims="gene")
        alpha_s = pm.Normal("alpha_s", epsilon_g[gene_of_sgrna], sigma_alpha, dims="sgrna")
        beta_c = pm.Normal("beta_c", mu_beta, sigma_beta, dims="cell_line")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            alpha_s[sgrna_idx] + beta_c[cell_line_idx],
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


def guides_centred(mu_epsilon, sigma_epsilon, sigma_alpha, gene_of_sgrna):
    """Gene means, then guides around them; returns ``alpha_s``.

    ``epsilon_g ~ N(mu_epsilon, sigma_epsilon)``,
    ``alpha_s ~ N(epsilon_g[gene of s], sigma_alpha)``.
    Call inside a model with ``gene`` and ``sgrna`` dims; ``gene_of_sgrna`` is
    :func:`sgrna_gene_index`.

    Parameters
    ----------
    mu_epsilon, sigma_epsilon : pytensor.tensor.TensorVariable or float
        Mean and standard deviation of the gene means ``epsilon_g``.
    sigma_alpha : pytensor.tensor.TensorVariable or float
        Standard deviation of the guides around their gene's mean.
    gene_of_sgrna : numpy.ndarray
        The gene index of each guide (:func:`sgrna_gene_index`).

    Returns
    -------
    pytensor.tensor.TensorVariable
        ``alpha_s``, dims ``sgrna``.
    """
    epsilon_g = pm.Normal("epsilon_g", mu_epsilon, sigma_epsilon, dims="gene")
    return pm.Normal("alpha_s", epsilon_g[gene_of_sgrna], sigma_alpha, dims="sgrna")


def guides_noncentred(mu_epsilon, sigma_epsilon, sigma_alpha, gene_of_sgrna):
    """:func:`guides_centred` written as standard normals that the scales stretch.

    ``epsilon_g = mu_epsilon + sigma_epsilon * epsilon_z``,
    ``alpha_s = epsilon_g[gene of s] + sigma_alpha * alpha_z``; returns ``alpha_s``.

    Parameters
    ----------
    mu_epsilon, sigma_epsilon : pytensor.tensor.TensorVariable or float
        Mean and standard deviation of the gene means ``epsilon_g``.
    sigma_alpha : pytensor.tensor.TensorVariable or float
        Standard deviation of the guides around their gene's mean.
    gene_of_sgrna : numpy.ndarray
        The gene index of each guide (:func:`sgrna_gene_index`).

    Returns
    -------
    pytensor.tensor.TensorVariable
        ``alpha_s``, dims ``sgrna``.
    """
    epsilon_z = pm.Normal("epsilon_z", 0, 1, dims="gene")
    epsilon_g = pm.Deterministic("epsilon_g", mu_epsilon + sigma_epsilon * epsilon_z, dims="gene")
    alpha_z = pm.Normal("alpha_z", 0, 1, dims="sgrna")
    return pm.Deterministic(
        "alpha_s", epsilon_g[gene_of_sgrna] + sigma_alpha * alpha_z, dims="sgrna"
    )


def guides_marginal(mu_epsilon, sigma_epsilon, sigma_alpha, gene_of_sgrna):
    """Draw guides as :func:`guides_centred` does, with the gene means integrated out.

    Guides of one gene share its mean, so marginally they are correlated normals:
    ``alpha_s ~ MvNormal(mu_epsilon, sigma_alpha**2 * I + sigma_epsilon**2 * B)`` with
    ``B[s, t] = 1`` when guides ``s`` and ``t`` target the same gene. Given the guides, a
    gene's mean is normal with precision ``1 / sigma_epsilon**2 + n_g / sigma_alpha**2`` (its
    prior plus its ``n_g`` guides) and the precision-weighted mean of the two; ``epsilon_g``
    is that conditional mean plus its sd times a standard normal ``epsilon_z``, which the data
    never touch. Returns ``alpha_s``.

    Parameters
    ----------
    mu_epsilon, sigma_epsilon : pytensor.tensor.TensorVariable or float
        Mean and standard deviation of the gene means ``epsilon_g``.
    sigma_alpha : pytensor.tensor.TensorVariable or float
        Standard deviation of the guides around their gene's mean.
    gene_of_sgrna : numpy.ndarray
        The gene index of each guide (:func:`sgrna_gene_index`).

    Returns
    -------
    pytensor.tensor.TensorVariable
        ``alpha_s``, dims ``sgrna``.
    """
    n_genes = len(pm.modelcontext(None).coords["gene"])
    member = (gene_of_sgrna[None, :] == np.arange(n_genes)[:, None]).astype(float)  # gene x sgrna
    cov = sigma_alpha**2 * np.eye(len(gene_of_sgrna)) + sigma_epsilon**2 * (member.T @ member)
    alpha_s = pm.MvNormal(
        "alpha_s", mu=mu_epsilon * np.ones(len(gene_of_sgrna)), cov=cov, dims="sgrna"
    )
    precision = 1 / sigma_epsilon**2 + member.sum(axis=1) / sigma_alpha**2
    guide_sums = pt.inc_subtensor(pt.zeros(n_genes)[gene_of_sgrna], alpha_s)  # per gene
    mean = (mu_epsilon / sigma_epsilon**2 + guide_sums / sigma_alpha**2) / precision
    epsilon_z = pm.Normal("epsilon_z", 0, 1, dims="gene")
    pm.Deterministic("epsilon_g", mean + epsilon_z / pm.math.sqrt(precision), dims="gene")
    return alpha_s


#: ``gene_level`` of :func:`sgrna_and_cell_lines_identified`: how the guide and gene levels
#: are written. All three are the same model.
GENE_LEVELS: dict[str, Callable] = {
    "centred": guides_centred,
    "non-centred": guides_noncentred,
    "marginal": guides_marginal,
}


def sgrna_and_cell_lines_identified(
    sim: Simulation | pd.DataFrame, *, gene_level: str = "marginal"
) -> pm.Model:
    """Model 5 with sum-to-zero cell-line effects; the guide hierarchy carries the intercept.

    ``beta_c ~ ZeroSumNormal(sigma_beta)`` replaces ``N(mu_beta, sigma_beta)`` (and
    ``mu_beta`` goes), so ``mu_epsilon`` is the global intercept; the guide and gene levels
    are those of the naive model, but for ``sigma_epsilon ~ Gamma(2, 2)``
    (:func:`gene_sd_prior`). One constraint suffices: with the cell-line effects
    averaging zero, each guide's intercept is the guide's mean logFC over the cell lines.

    ``gene_level`` (a key of :data:`GENE_LEVELS`) says how the guide and gene levels are
    written: ``"marginal"`` (:func:`guides_marginal`, the default), ``"centred"`` or
    ``"non-centred"``. The model is the same; ``alpha_s`` and ``epsilon_g`` keep their names
    and dims, as free or as deterministic variables.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The simulation (only its ``data`` is read) or its data frame, with columns
        ``gene``, ``sgrna``, ``cell_line`` (categorical) and ``logfc``.
    gene_level : {"marginal", "centred", "non-centred"}, default "marginal"
        How the guide and gene levels are written (a key of :data:`GENE_LEVELS`).

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``sgrna``, ``cell_line`` and ``obs`` (one per measurement).

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing or a grouping column is not categorical.
        Also if ``gene_level`` is not a key of :data:`GENE_LEVELS`.
    """
    if gene_level not in GENE_LEVELS:
        raise ValueError(f"gene_level must be one of {tuple(GENE_LEVELS)}, got {gene_level!r}")
    data = model_data(sim, ["gene", "sgrna", "cell_line", "logfc"])
    sgrna_idx, cell_line_idx = codes(data, "sgrna"), codes(data, "cell_line")
    gene_of_sgrna = sgrna_gene_index(data)
    with pm.Model(coords=model_coords(data, ["gene", "sgrna", "cell_line"])) as model:
        mu_epsilon = pm.Normal("mu_epsilon", 0, 5)
        sigma_epsilon = gene_sd_prior("sigma_epsilon")
        sigma_alpha = pm.Exponential("sigma_alpha", 1)
        sigma_beta = pm.Exponential("sigma_beta", 1)
        alpha_s = GENE_LEVELS[gene_level](mu_epsilon, sigma_epsilon, sigma_alpha, gene_of_sgrna)
        beta_c = pm.ZeroSumNormal("beta_c", sigma_beta, dims="cell_line")
        sigma = pm.Exponential("sigma", 1)
        pm.Normal(
            "logfc",
            alpha_s[sgrna_idx] + beta_c[cell_line_idx],
            sigma,
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


#: ``(data set, parameterization)`` to builder: what the benchmark fits.
BUILDERS: dict[tuple[str, str], Callable[..., pm.Model]] = {
    ("two_intercepts", "naive"): two_intercepts_naive,
    ("two_intercepts", "identified"): two_intercepts_identified,
    ("genes_and_cell_lines", "naive"): genes_and_cell_lines_naive,
    ("genes_and_cell_lines", "identified"): genes_and_cell_lines_identified,
    ("sgrna_and_cell_lines", "naive"): sgrna_and_cell_lines_naive,
    ("sgrna_and_cell_lines", "identified"): sgrna_and_cell_lines_identified,
}


def _check_dataset(dataset: str) -> str:
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    return dataset


def build(dataset: str, parameterization: str, sim: Simulation | pd.DataFrame) -> pm.Model:
    """Build the ``naive`` or ``identified`` model of one of :data:`DATASETS`.

    Parameters
    ----------
    dataset : str
        One of :data:`DATASETS`.
    parameterization : {"naive", "identified"}
        Which of the two models (:data:`PARAMETERIZATIONS`).
    sim : Simulation or pandas.DataFrame
        The data to model: a simulation (only its ``data`` is read) or its data frame.

    Returns
    -------
    pymc.Model
        The model :data:`BUILDERS` names, with its default options.

    Raises
    ------
    ValueError
        If ``dataset`` or ``parameterization`` is unknown, or the data do not fit the
        model (see the builders).
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    """
    _check_dataset(dataset)
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(
            f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}"
        )
    return BUILDERS[dataset, parameterization](sim)


def simulate_dataset(dataset: str, seed: int = 103) -> Simulation:
    """Simulate a data set as the book does: its simulator with ``RandomState(seed)``.

    Parameters
    ----------
    dataset : str
        One of :data:`DATASETS`, the name of its simulator in :mod:`depmap_models.simulate`.
    seed : int, default 103
        Seed of the legacy ``RandomState``; 103 reproduces the original analysis.

    Returns
    -------
    Simulation
        The simulator's result with its default arguments.

    Raises
    ------
    ValueError
        If ``dataset`` is unknown.
    """
    return getattr(simulate, _check_dataset(dataset))(np.random.RandomState(seed))


# --------------------------------------------------------------------------------------
# What the data identify
# --------------------------------------------------------------------------------------

#: Per data set: the posterior variables the identified quantities are made of, the
#: cell-line intercept first.
_NEEDS = {
    "two_intercepts": ("beta_c", "alpha_g"),
    "genes_and_cell_lines": ("gamma_c", "alpha_g", "beta_g"),
    "sgrna_and_cell_lines": ("beta_c", "alpha_s", "epsilon_g"),
}
#: Per data set: the identified quantities, in the order they are reported.
_ORDER = {
    "two_intercepts": ("gene_intercept", "cell_line_effect"),
    "genes_and_cell_lines": ("gene_intercept", "cell_line_effect", "beta_g"),
    "sgrna_and_cell_lines": (
        "sgrna_intercept",
        "gene_intercept",
        "sgrna_deviation",
        "cell_line_effect",
    ),
}


def identified_quantities(idata, sim: Simulation | pd.DataFrame, dataset: str) -> xr.Dataset:
    """Compute the quantities the likelihood identifies, from any model of ``dataset``.

    With ``cell`` the cell-line intercepts and ``mu`` the global intercept (zero when the
    model has none):

    * ``cell_line_effect`` = ``cell - mean(cell)``, each cell line against the average one;
    * ``gene_intercept`` (forum data, Model 4) = ``mu + alpha_g + mean(cell)``, the gene's
      logFC in the average cell line; Model 5 has ``sgrna_intercept`` = ``alpha_s +
      mean(beta_c)`` per guide instead, and at the gene level ``gene_intercept`` =
      ``epsilon_g + mean(beta_c)`` and ``sgrna_deviation`` = ``alpha_s - epsilon_g[gene]``,
      which the hierarchy (not the likelihood alone) separates;
    * ``beta_g`` (Model 4), the slopes, which never were in question.

    None of these moves when a constant is added to every gene-side intercept and
    subtracted from every cell-line intercept. ``idata`` is the result of ``pm.sample``
    (or its posterior as an ``xarray.Dataset``); the result keeps its ``chain``/``draw`` dims.
    ``sim`` (or its data) says which gene each guide targets in Model 5.

    Parameters
    ----------
    idata : xarray.DataTree or xarray.Dataset
        The result of ``pm.sample``, or its posterior.
    sim : Simulation or pandas.DataFrame
        The data the model was fitted to (read for Model 5 only: ``gene`` and ``sgrna``).
    dataset : str
        One of :data:`DATASETS`.

    Returns
    -------
    xarray.Dataset
        One variable per identified quantity, in the order above, with dims ``chain``,
        ``draw`` first.

    Raises
    ------
    ValueError
        If ``dataset`` is unknown, ``idata`` has no posterior, or the posterior lacks a
        variable the quantities need (it is not a model of ``dataset``).
    """
    needs = _NEEDS[_check_dataset(dataset)]
    cell_name = needs[0]
    posterior = posterior_dataset(idata)
    missing = [n for n in needs if n not in posterior]
    if missing:
        raise ValueError(f"the posterior has no {missing}: is it a model of {dataset!r}?")
    cell = posterior[cell_name]
    cell_mean = cell.mean("cell_line")
    level = cell_mean + (posterior["mu"] if "mu" in posterior else 0.0)
    out = {"cell_line_effect": cell - cell_mean}
    if dataset == "sgrna_and_cell_lines":
        alpha_s, epsilon_g = posterior["alpha_s"], posterior["epsilon_g"]
        out["sgrna_intercept"] = alpha_s + level
        out["gene_intercept"] = epsilon_g + level
        data = model_data(sim, ["gene", "sgrna"])
        gene_of = xr.DataArray(sgrna_gene_index(data), dims="sgrna")
        out["sgrna_deviation"] = alpha_s - epsilon_g.isel(gene=gene_of).drop_vars(
            "gene", errors="ignore"
        )
    else:
        out["gene_intercept"] = posterior["alpha_g"] + level
        if dataset == "genes_and_cell_lines":
            out["beta_g"] = posterior["beta_g"]
    order = _ORDER[dataset]
    return xr.Dataset({name: out[name].transpose(*SAMPLE_DIMS, ...) for name in order})


def true_identified_quantities(sim: Simulation, dataset: str) -> dict[str, np.ndarray]:
    """Compute the true values of :func:`identified_quantities`, from ``sim.truth``.

    Parameters
    ----------
    sim : Simulation
        The simulation of ``dataset``; only its ``truth`` is read.
    dataset : str
        One of :data:`DATASETS`.

    Returns
    -------
    dict of str to numpy.ndarray
        The true identified quantities, keyed and ordered as
        :func:`identified_quantities` returns them.

    Raises
    ------
    ValueError
        If ``dataset`` is unknown.
    KeyError
        If ``sim.truth`` lacks a value the quantities need.
    """
    truth = sim.truth
    cell = np.asarray(truth[_NEEDS[_check_dataset(dataset)][0]], dtype=float)
    out = {"cell_line_effect": cell - cell.mean()}
    if dataset == "sgrna_and_cell_lines":
        alpha_s = np.asarray(truth["alpha_s"], dtype=float)
        epsilon_g = np.asarray(truth["epsilon_g"], dtype=float)
        gene_of = np.asarray(truth["sgrna_gene_idx"], dtype=int)
        out["sgrna_intercept"] = alpha_s + cell.mean()
        out["gene_intercept"] = epsilon_g + cell.mean()
        out["sgrna_deviation"] = alpha_s - epsilon_g[gene_of]
    else:
        out["gene_intercept"] = np.asarray(truth["alpha_g"], dtype=float) + cell.mean()
        if dataset == "genes_and_cell_lines":
            out["beta_g"] = np.asarray(truth["beta_g"], dtype=float)
    return {name: out[name] for name in _ORDER[dataset]}


def identified_recovery(
    idata, sim: Simulation, dataset: str, *, prob: float = 0.89
) -> pd.DataFrame:
    """:func:`diagnostics.recovery_table` of the identified quantities against their truth.

    Parameters
    ----------
    idata : xarray.DataTree or xarray.Dataset
        The result of ``pm.sample``, or its posterior.
    sim : Simulation
        The simulation the model was fitted to.
    dataset : str
        One of :data:`DATASETS`.
    prob : float, default 0.89
        Mass of the equal-tailed credible interval.

    Returns
    -------
    pandas.DataFrame
        The recovery table (see :func:`diagnostics.recovery_table`), one row per element
        of each identified quantity.

    Raises
    ------
    ValueError
        As :func:`identified_quantities`, or if ``prob`` is not strictly between 0 and 1.
    """
    quantities = identified_quantities(idata, sim, dataset)
    tree = xr.DataTree.from_dict({"posterior": quantities})
    return diagnostics.recovery_table(tree, true_identified_quantities(sim, dataset), prob=prob)


def check_same_model(model: pm.Model, reference: pm.Model, *, n_points: int = 5,
                     seed: int = 0) -> None:
    """Check that a model written out in a chapter is the package's model, the same density.

    Both must have the same free parameters (names and shapes, on the sampler's
    unconstrained scale) and the same log density, data included, at the initial point and
    at ``n_points`` random points. Deterministic quantities and the names of data containers
    may differ: they do not change what is sampled.

    Parameters
    ----------
    model : pymc.Model
        The model as the chapter writes it.
    reference : pymc.Model
        The package's model, built from the same data.
    n_points : int
        Random points at which the densities are compared (standard normal on the
        unconstrained scale, from ``numpy.random.default_rng(seed)``).
    seed : int
        Seed of those points.

    Raises
    ------
    AssertionError
        If the parameters or the densities differ; the message says which.
    ValueError
        If ``model`` or ``reference`` is not a :class:`pymc.Model`, or ``n_points`` is
        negative.
    """
    for name, value in (("model", model), ("reference", reference)):
        if not isinstance(value, pm.Model):
            raise ValueError(f"{name} must be a pymc.Model, got {type(value).__name__}")
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 0:
        raise ValueError(f"n_points must be a non-negative integer, got {n_points!r}")
    start, reference_start = model.initial_point(), reference.initial_point()
    shapes = {name: np.shape(value) for name, value in start.items()}
    reference_shapes = {name: np.shape(value) for name, value in reference_start.items()}
    if shapes != reference_shapes:
        raise AssertionError(
            f"the free parameters differ: {shapes} against the package's {reference_shapes}"
        )
    logp, reference_logp = model.compile_logp(), reference.compile_logp()
    rng = np.random.default_rng(seed)
    points = [start] + [
        {name: rng.normal(size=shape) for name, shape in shapes.items()} for _ in range(n_points)
    ]
    for point in points:
        here, there = float(logp(point)), float(reference_logp(point))
        if not np.isclose(here, there, rtol=1e-9, atol=1e-9):
            raise AssertionError(
                f"the log densities differ: {here} against the package's {there} at {point}"
            )
