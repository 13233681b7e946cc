"""The realistic screen's model (the original analysis's Model A), shared by the extension chapters.

:func:`realistic_model` is the model of :func:`depmap_models.simulate.realistic_screen`,
written in chapter 6's identified parameterization: a global intercept ``mu_epsilon``,
gene intercepts ``epsilon_g`` around it, guide intercepts ``alpha_s`` nested in the genes,
cell-line effects that sum to zero, a gene slope ``beta_g`` on RNA expression and a slope
``eta`` on the guide's copy number. ``lineage=True`` splits the cell-line effects into
lineage effects and cell-line deviations, both summing to zero.

Chapters that add terms (mutation status) build on :func:`linear_predictor`, which creates
the same random variables inside the caller's model and returns the mean logFC.
"""

from __future__ import annotations

import pandas as pd
import pymc as pm
from pytensor.tensor import TensorVariable

from depmap_models.design import (
    codes,
    gene_sd_prior,
    model_coords,
    model_data,
    parent_index,
    sgrna_gene_index,
)
from depmap_models.simulate import Simulation

__all__ = ["COLUMNS", "coords", "linear_predictor", "realistic_model"]

#: The columns the realistic model reads.
COLUMNS = ("gene", "sgrna", "lineage", "cell_line", "rna", "cn", "logfc")


def coords(sim: Simulation | pd.DataFrame) -> dict[str, list]:
    """PyMC coordinates of the realistic screen: gene, sgrna, lineage, cell_line, obs.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The realistic screen (:func:`~depmap_models.simulate.realistic_screen`), or its data.

    Returns
    -------
    dict of str to list
        Categories of ``gene``, ``sgrna``, ``lineage``, ``cell_line``, and ``obs``, one per
        measurement.

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column of :data:`COLUMNS` is missing or a grouping column is not categorical.
    """
    return model_coords(model_data(sim, COLUMNS), ["gene", "sgrna", "lineage", "cell_line"])


def linear_predictor(
    sim: Simulation | pd.DataFrame, *, copy_number: bool = True, lineage: bool = False
) -> TensorVariable:
    """Create the realistic model's intercepts and slopes in the current model; return the mean.

    Must be called inside ``with pm.Model(coords=coords(sim)):``. The variables are

    - ``mu_epsilon ~ N(0, 2)``, ``sigma_epsilon ~ Gamma(2, 2)``
      (:func:`~depmap_models.design.gene_sd_prior`),
      ``epsilon_g ~ N(mu_epsilon, sigma_epsilon)`` (dims ``gene``);
    - ``sigma_alpha ~ Exp(1)``, ``alpha_s ~ N(epsilon_g[gene of s], sigma_alpha)`` (``sgrna``);
    - ``sigma_gamma ~ Exp(1)``, ``gamma_c ~ ZeroSumNormal(sigma_gamma)`` (``cell_line``); with
      ``lineage=True`` instead ``sigma_lineage ~ Gamma(2, 2)``,
      ``gamma_l ~ ZeroSumNormal(sigma_lineage)`` (``lineage``),
      ``delta_c ~ ZeroSumNormal(sigma_gamma)`` and the deterministic
      ``gamma_c = gamma_l[lineage of c] + delta_c``;
    - ``mu_beta ~ N(0, 1)``, ``sigma_beta ~ Exp(1)``, ``beta_g ~ N(mu_beta, sigma_beta)``
      (``gene``);
    - with ``copy_number=True``, ``eta ~ N(0, 1)``;

    and the returned mean is
    ``alpha_s[sgrna] + gamma_c[cell_line] + beta_g[gene] * rna (+ eta * cn)``.
    A lineage has few levels (three by default), too few to pull its standard deviation
    away from zero; ``Gamma(2, 2)`` keeps it off the boundary, as chapter 6 explains.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The realistic screen (:func:`~depmap_models.simulate.realistic_screen`), or its data.
    copy_number : bool, default True
        Include the copy-number slope ``eta``.
    lineage : bool, default False
        Split the cell-line effects into lineage effects and cell-line deviations.

    Returns
    -------
    pytensor.tensor.TensorVariable
        The mean logFC, one value per row of the data.

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame, or the call is outside a model.
    ValueError
        If a column of :data:`COLUMNS` is missing or a grouping column is not categorical.
    """
    data = model_data(sim, COLUMNS)
    gene_idx, sgrna_idx = codes(data, "gene"), codes(data, "sgrna")
    cell_line_idx = codes(data, "cell_line")
    gene_of_sgrna = sgrna_gene_index(data)
    rna, cn = data["rna"].to_numpy(), data["cn"].to_numpy()

    mu_epsilon = pm.Normal("mu_epsilon", 0, 2)
    sigma_epsilon = gene_sd_prior("sigma_epsilon")
    epsilon_g = pm.Normal("epsilon_g", mu_epsilon, sigma_epsilon, dims="gene")
    sigma_alpha = pm.Exponential("sigma_alpha", 1)
    alpha_s = pm.Normal("alpha_s", epsilon_g[gene_of_sgrna], sigma_alpha, dims="sgrna")

    sigma_gamma = pm.Exponential("sigma_gamma", 1)
    if lineage:
        lineage_of_cell_line = parent_index(data, "cell_line", "lineage")
        sigma_lineage = pm.Gamma("sigma_lineage", 2, 2)
        gamma_l = pm.ZeroSumNormal("gamma_l", sigma_lineage, dims="lineage")
        delta_c = pm.ZeroSumNormal("delta_c", sigma_gamma, dims="cell_line")
        gamma_c = pm.Deterministic(
            "gamma_c", gamma_l[lineage_of_cell_line] + delta_c, dims="cell_line"
        )
    else:
        gamma_c = pm.ZeroSumNormal("gamma_c", sigma_gamma, dims="cell_line")

    mu_beta = pm.Normal("mu_beta", 0, 1)
    sigma_beta = pm.Exponential("sigma_beta", 1)
    beta_g = pm.Normal("beta_g", mu_beta, sigma_beta, dims="gene")

    mu = alpha_s[sgrna_idx] + gamma_c[cell_line_idx] + beta_g[gene_idx] * rna
    if copy_number:
        eta = pm.Normal("eta", 0, 1)
        mu = mu + eta * cn
    return mu


def realistic_model(
    sim: Simulation | pd.DataFrame, *, copy_number: bool = True, lineage: bool = False
) -> pm.Model:
    """Build the realistic screen's model: :func:`linear_predictor` plus ``logfc ~ N(mu, sigma)``.

    ``sigma ~ Exp(1)``; the observed ``logfc`` has dims ``obs``. ``copy_number=False``
    drops the copy-number slope (the model a reader would fit without that covariate);
    ``lineage=True`` adds the lineage level.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The realistic screen (:func:`~depmap_models.simulate.realistic_screen`), or its data.
    copy_number : bool, default True
        Include the copy-number slope ``eta``.
    lineage : bool, default False
        Add the lineage level.

    Returns
    -------
    pymc.Model
        With dims ``gene``, ``sgrna``, ``lineage``, ``cell_line`` and ``obs``.

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column of :data:`COLUMNS` is missing or a grouping column is not categorical.
    """
    data = model_data(sim, COLUMNS)
    with pm.Model(coords=coords(data)) as model:
        mu = linear_predictor(data, copy_number=copy_number, lineage=lineage)
        sigma = pm.Exponential("sigma", 1)
        pm.Normal("logfc", mu, sigma, observed=data["logfc"].to_numpy(), dims="obs")
    return model
