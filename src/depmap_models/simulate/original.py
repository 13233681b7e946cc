"""The original analysis's processes: Models 1 to 5 and the forum thread's data.

Their defaults are those of the original analysis; passing
``np.random.RandomState(103)`` reproduces its data value for value.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np
import pandas as pd

from depmap_models.simulate._helpers import (
    Rng,
    categorical,
    check_count,
    check_real,
    check_rng,
    check_sd,
)
from depmap_models.simulate.core import Simulation, labels

__all__ = [
    "MODEL5_ALPHA_S",
    "genes_and_cell_lines",
    "genes_with_rna",
    "rna_at_gene_level",
    "sgrna_and_cell_lines",
    "single_gene",
    "two_intercepts",
]

#: The sgRNA intercepts hand-picked in the original analysis's Model 5.
MODEL5_ALPHA_S = (
    -0.4, -0.2, -0.3, 0.0, -0.5, -0.6, -1.0, -1.2, -1.7, -0.8, 2.0, 1.7, 2.4, 2.1, 0.0,
)


def single_gene(
    rng: Rng,
    *,
    n_cell_lines: int = 20,
    alpha: float = 0.5,
    beta: float = -1.0,
    sigma: float = 0.3,
) -> Simulation:
    """Model 1: the logFC of one gene, linear in RNA expression.

    ``logfc = alpha + beta * rna + e``, ``rna ~ N(0, 1)``, ``e ~ N(0, sigma)``,
    one measurement per cell line.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_cell_lines : int, default 20
        Number of cell lines (measurements), at least two.
    alpha, beta : float, default 0.5, -1.0
        Intercept and slope on RNA expression.
    sigma : float, default 0.3
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``cell_line`` (categorical), ``rna`` and ``logfc``;
        ``truth`` holds ``alpha``, ``beta`` and ``sigma``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If ``n_cell_lines`` is not an integer of at least two, ``alpha`` or ``beta`` is not
        a finite number, or ``sigma`` is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines, minimum=2)
    alpha = check_real("alpha", alpha)
    beta = check_real("beta", beta)
    sigma = check_sd("sigma", sigma)

    rna = rng.standard_normal(n_cell_lines)
    logfc = alpha + beta * rna + rng.normal(0, sigma, n_cell_lines)
    cell_lines = labels("cell", n_cell_lines)
    data = pd.DataFrame(
        {"cell_line": categorical(np.arange(n_cell_lines), cell_lines), "rna": rna, "logfc": logfc}
    )
    return Simulation(data, {"alpha": alpha, "beta": beta, "sigma": sigma})


def genes_with_rna(
    rng: Rng,
    *,
    n_genes: int = 5,
    n_cell_lines: int = 30,
    mu_alpha: float = -1.0,
    sigma_alpha: float = 1.0,
    mu_beta: float = -1.0,
    sigma_beta: float = 2.0,
    sigma: float = 0.5,
) -> Simulation:
    """Model 2: several genes, each with its own intercept and slope on RNA.

    ``alpha[g] ~ N(mu_alpha, sigma_alpha)``, ``beta[g] ~ N(mu_beta, sigma_beta)``,
    ``logfc[g, c] = alpha[g] + beta[g] * rna[g, c] + e``, ``e ~ N(0, sigma)``.
    The original text states ``sigma = 0.3`` but its code used 0.5: the default
    follows the code, which produced the original data.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_genes, n_cell_lines : int, default 5, 30
        Number of genes and of cell lines; one measurement per gene and cell line.
    mu_alpha, sigma_alpha : float, default -1.0, 1.0
        Mean and standard deviation of the gene intercepts ``alpha``.
    mu_beta, sigma_beta : float, default -1.0, 2.0
        Mean and standard deviation of the gene slopes ``beta`` on RNA expression.
    sigma : float, default 0.5
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``gene``, ``cell_line`` (categorical), ``rna`` and
        ``logfc``, gene by gene; ``truth`` holds the hyperparameters, the vectors
        ``alpha`` and ``beta`` (one per gene) and ``sigma``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a size is not a positive integer, or a mean is not a finite number, or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_genes = check_count("n_genes", n_genes)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines)
    mu_alpha = check_real("mu_alpha", mu_alpha)
    sigma_alpha = check_sd("sigma_alpha", sigma_alpha)
    mu_beta = check_real("mu_beta", mu_beta)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    sigma = check_sd("sigma", sigma)

    alpha = rng.normal(mu_alpha, sigma_alpha, n_genes)
    beta = rng.normal(mu_beta, sigma_beta, n_genes)
    rna = rng.standard_normal((n_genes, n_cell_lines))
    noise = rng.normal(0, sigma, (n_cell_lines, n_genes)).T
    logfc = alpha[:, None] + beta[:, None] * rna + noise

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    data = pd.DataFrame(
        {
            "gene": categorical(np.repeat(np.arange(n_genes), n_cell_lines), genes),
            "cell_line": categorical(np.tile(np.arange(n_cell_lines), n_genes), cell_lines),
            "rna": rna.ravel(),
            "logfc": logfc.ravel(),
        }
    )
    truth = {
        "mu_alpha": mu_alpha,
        "sigma_alpha": sigma_alpha,
        "mu_beta": mu_beta,
        "sigma_beta": sigma_beta,
        "alpha": alpha,
        "beta": beta,
        "sigma": sigma,
    }
    return Simulation(data, truth)


def rna_at_gene_level(
    rng: Rng,
    *,
    n_genes: int = 5,
    n_cell_lines: int = 20,
    n_replicates: int = 3,
    mu_gamma: float = -1.0,
    sigma_gamma: float = 0.4,
    mu_delta: float = 0.0,
    sigma_delta: float = 1.0,
    sigma_g: float = 0.4,
    sigma: float = 0.3,
) -> Simulation:
    """Model 3: repeated logFC per gene and cell line, RNA placed at the gene level.

    RNA expression ``rna[g, c]`` varies by gene and cell line, but the logFC
    depends on it only through a per-gene intercept whose mean averages RNA
    over the cell lines::

        mu_alpha[g] = mean_c(gamma[g] + delta[g] * rna[g, c])
        alpha[g] ~ N(mu_alpha[g], sigma_alpha[g]),  sigma_alpha[g] ~ Exp(mean=sigma_g)
        logfc[r, g, c] ~ N(alpha[g], sigma)

    The original text says 30 cell lines; its code used 20, the default here.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_genes, n_cell_lines, n_replicates : int, default 5, 20, 3
        Number of genes, of cell lines, and of logFC measurements per gene and cell line.
    mu_gamma, sigma_gamma : float, default -1.0, 0.4
        Mean and standard deviation of the gene-level intercepts ``gamma_g``.
    mu_delta, sigma_delta : float, default 0.0, 1.0
        Mean and standard deviation of the gene-level slopes ``delta_g`` on RNA.
    sigma_g : float, default 0.4
        Mean of the exponential prior of the gene intercepts' standard deviations.
    sigma : float, default 0.3
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``replicate``, ``gene``, ``cell_line`` (categorical),
        ``rna`` and ``logfc``, ordered replicate, gene, cell line; ``truth`` holds the
        hyperparameters and the per-gene vectors ``gamma_g``, ``delta_g``, ``mu_alpha``,
        ``sigma_alpha`` and ``alpha_g``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a size is not a positive integer, or a mean is not a finite number, or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_genes = check_count("n_genes", n_genes)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines)
    n_replicates = check_count("n_replicates", n_replicates)
    mu_gamma = check_real("mu_gamma", mu_gamma)
    sigma_gamma = check_sd("sigma_gamma", sigma_gamma)
    mu_delta = check_real("mu_delta", mu_delta)
    sigma_delta = check_sd("sigma_delta", sigma_delta)
    sigma_g = check_sd("sigma_g", sigma_g)
    sigma = check_sd("sigma", sigma)

    rna = rng.normal(0, 1, (n_genes, n_cell_lines))
    gamma_g = rng.normal(mu_gamma, sigma_gamma, n_genes)
    delta_g = rng.normal(mu_delta, sigma_delta, n_genes)
    mu_alpha = (gamma_g[:, None] + rna * delta_g[:, None]).mean(axis=1)
    sigma_alpha = rng.exponential(sigma_g, n_genes)
    alpha_g = rng.normal(mu_alpha, sigma_alpha)

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    rows = list(product(range(n_replicates), range(n_genes), range(n_cell_lines)))
    replicate, gene_idx, cell_line_idx = (np.array(col) for col in zip(*rows, strict=True))
    logfc = rng.normal(alpha_g[gene_idx], sigma)
    data = pd.DataFrame(
        {
            "replicate": replicate,
            "gene": categorical(gene_idx, genes),
            "cell_line": categorical(cell_line_idx, cell_lines),
            "rna": rna[gene_idx, cell_line_idx],
            "logfc": logfc,
        }
    )
    truth = {
        "mu_gamma": mu_gamma,
        "sigma_gamma": sigma_gamma,
        "mu_delta": mu_delta,
        "sigma_delta": sigma_delta,
        "sigma_g": sigma_g,
        "gamma_g": gamma_g,
        "delta_g": delta_g,
        "mu_alpha": mu_alpha,
        "sigma_alpha": sigma_alpha,
        "alpha_g": alpha_g,
        "sigma": sigma,
    }
    return Simulation(data, truth)


def genes_and_cell_lines(
    rng: Rng,
    *,
    n_genes: int = 5,
    n_cell_lines: int = 20,
    n_replicates: int = 3,
    mu_alpha: float = -1.0,
    sigma_alpha: float = 1.0,
    mu_gamma: float = 0.0,
    sigma_gamma: float = 3.0,
    mu_beta: float = -1.0,
    sigma_beta: float = 2.0,
    sigma: float = 0.3,
) -> Simulation:
    """Model 4: gene and cell-line intercepts and a gene slope on RNA expression.

    ``logfc[r, g, c] ~ N(alpha_g[g] + gamma_c[c] + beta_g[g] * rna[g, c], sigma)``
    with normal gene intercepts ``alpha_g``, cell-line intercepts ``gamma_c``
    and gene slopes ``beta_g``; one RNA value per gene and cell line, repeated
    logFC measurements (``replicate``).

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_genes, n_cell_lines, n_replicates : int, default 5, 20, 3
        Number of genes, of cell lines, and of logFC measurements per gene and cell line.
    mu_alpha, sigma_alpha : float, default -1.0, 1.0
        Mean and standard deviation of the gene intercepts ``alpha_g``.
    mu_gamma, sigma_gamma : float, default 0.0, 3.0
        Mean and standard deviation of the cell-line intercepts ``gamma_c``.
    mu_beta, sigma_beta : float, default -1.0, 2.0
        Mean and standard deviation of the gene slopes ``beta_g`` on RNA expression.
    sigma : float, default 0.3
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``replicate``, ``gene``, ``cell_line`` (categorical),
        ``rna`` and ``logfc``; ``truth`` holds the hyperparameters, ``alpha_g``,
        ``gamma_c``, ``beta_g`` and ``sigma``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a size is not a positive integer, or a mean is not a finite number, or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_genes = check_count("n_genes", n_genes)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines)
    n_replicates = check_count("n_replicates", n_replicates)
    mu_alpha = check_real("mu_alpha", mu_alpha)
    sigma_alpha = check_sd("sigma_alpha", sigma_alpha)
    mu_gamma = check_real("mu_gamma", mu_gamma)
    sigma_gamma = check_sd("sigma_gamma", sigma_gamma)
    mu_beta = check_real("mu_beta", mu_beta)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    sigma = check_sd("sigma", sigma)

    alpha_g = rng.normal(mu_alpha, sigma_alpha, n_genes)
    gamma_c = rng.normal(mu_gamma, sigma_gamma, n_cell_lines)
    beta_g = rng.normal(mu_beta, sigma_beta, n_genes)
    rna = rng.normal(0, 1, n_genes * n_cell_lines)  # one per (gene, cell line), gene-major

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    gene_idx = np.tile(np.repeat(np.arange(n_genes), n_cell_lines), n_replicates)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_genes * n_replicates)
    rna_rows = np.tile(rna, n_replicates)
    mu = alpha_g[gene_idx] + gamma_c[cell_line_idx] + beta_g[gene_idx] * rna_rows
    logfc = rng.normal(mu, sigma)
    data = pd.DataFrame(
        {
            "replicate": np.repeat(np.arange(n_replicates), n_genes * n_cell_lines),
            "gene": categorical(gene_idx, genes),
            "cell_line": categorical(cell_line_idx, cell_lines),
            "rna": rna_rows,
            "logfc": logfc,
        }
    )
    truth = {
        "mu_alpha": mu_alpha,
        "sigma_alpha": sigma_alpha,
        "mu_gamma": mu_gamma,
        "sigma_gamma": sigma_gamma,
        "mu_beta": mu_beta,
        "sigma_beta": sigma_beta,
        "alpha_g": alpha_g,
        "gamma_c": gamma_c,
        "beta_g": beta_g,
        "sigma": sigma,
    }
    return Simulation(data, truth)


def sgrna_and_cell_lines(
    rng: Rng,
    *,
    n_cell_lines: int = 20,
    sgrnas_per_gene: Sequence[int] = (1, 2, 3, 4, 5),
    alpha_s: Sequence[float] = MODEL5_ALPHA_S,
    mu_beta: float = 0.0,
    sigma_beta: float = 1.0,
    sigma: float = 0.5,
) -> Simulation:
    """Model 5: sgRNA intercepts nested in genes, plus cell-line intercepts.

    Gene ``g`` is targeted by ``sgrnas_per_gene[g]`` guides; guide ``s`` has the
    fixed intercept ``alpha_s[s]`` (guides listed gene by gene). Every guide is
    measured once in every cell line:
    ``logfc[s, c] ~ N(alpha_s[s] + beta_c[c], sigma)``, ``beta_c ~ N(mu_beta, sigma_beta)``.
    The truth's ``epsilon_g`` is each gene's mean guide intercept, the value
    the original analysis compared its gene-level intercepts with.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_cell_lines : int, default 20
        Number of cell lines.
    sgrnas_per_gene : sequence of int, default (1, 2, 3, 4, 5)
        Number of guides targeting each gene, one count per gene.
    alpha_s : sequence of float, default MODEL5_ALPHA_S
        The guides' intercepts, gene by gene; one per guide.
    mu_beta, sigma_beta : float, default 0.0, 1.0
        Mean and standard deviation of the cell-line intercepts ``beta_c``.
    sigma : float, default 0.5
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``gene``, ``sgrna``, ``cell_line`` (categorical) and
        ``logfc``, guide by guide; ``truth`` holds ``mu_beta``, ``sigma_beta``,
        ``alpha_s``, ``epsilon_g``, ``beta_c``, ``sigma`` and ``sgrna_gene_idx`` (the gene
        index of each guide).

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a count is not a positive integer, ``sgrnas_per_gene`` is empty, ``alpha_s``
        does not have one finite value per guide, a mean is not finite or a standard
        deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines)
    per_gene = [check_count("sgrnas_per_gene", n) for n in sgrnas_per_gene]
    if not per_gene:
        raise ValueError("sgrnas_per_gene must name at least one gene")
    alpha_s = np.asarray([check_real("alpha_s", a) for a in alpha_s], dtype=float)
    if alpha_s.size != sum(per_gene):
        raise ValueError(
            f"alpha_s has {alpha_s.size} values but sgrnas_per_gene needs {sum(per_gene)} "
            "(one per guide)"
        )
    mu_beta = check_real("mu_beta", mu_beta)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    sigma = check_sd("sigma", sigma)

    beta_c = rng.normal(mu_beta, sigma_beta, n_cell_lines)

    n_genes, n_sgrnas = len(per_gene), alpha_s.size
    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    sgrnas = [f"sgRNA_{i}" for i in range(n_sgrnas)]
    sgrna_gene_idx = np.repeat(np.arange(n_genes), per_gene)
    sgrna_idx = np.repeat(np.arange(n_sgrnas), n_cell_lines)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_sgrnas)
    logfc = rng.normal(alpha_s[sgrna_idx] + beta_c[cell_line_idx], sigma)
    data = pd.DataFrame(
        {
            "gene": categorical(sgrna_gene_idx[sgrna_idx], genes),
            "sgrna": categorical(sgrna_idx, sgrnas),
            "cell_line": categorical(cell_line_idx, cell_lines),
            "logfc": logfc,
        }
    )
    epsilon_g = np.array([alpha_s[sgrna_gene_idx == g].mean() for g in range(n_genes)])
    truth = {
        "mu_beta": mu_beta,
        "sigma_beta": sigma_beta,
        "alpha_s": alpha_s,
        "epsilon_g": epsilon_g,
        "beta_c": beta_c,
        "sigma": sigma,
        "sgrna_gene_idx": sgrna_gene_idx,
    }
    return Simulation(data, truth)


def two_intercepts(
    rng: Rng,
    *,
    n_genes: int = 3,
    n_cell_lines: int = 10,
    n_replicates: int = 3,
    mu_alpha: float = -1.0,
    sigma_alpha: float = 0.5,
    mu_beta: float = 0.0,
    sigma_beta: float = 0.5,
    sigma: float = 0.05,
) -> Simulation:
    """Simulate the forum thread's data: a gene intercept plus a cell-line intercept.

    ``logfc[c, g, r] ~ N(alpha_g[g] + beta_c[c], sigma)`` with
    ``alpha_g ~ N(mu_alpha, sigma_alpha)`` and ``beta_c ~ N(mu_beta, sigma_beta)``;
    rows ordered cell line, gene, replicate as in the thread.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws; ``np.random.RandomState(103)`` reproduces the original
        analysis.
    n_genes, n_cell_lines, n_replicates : int, default 3, 10, 3
        Number of genes, of cell lines, and of logFC measurements per gene and cell line.
    mu_alpha, sigma_alpha : float, default -1.0, 0.5
        Mean and standard deviation of the gene intercepts ``alpha_g``.
    mu_beta, sigma_beta : float, default 0.0, 0.5
        Mean and standard deviation of the cell-line intercepts ``beta_c``.
    sigma : float, default 0.05
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``cell_line``, ``gene`` (categorical), ``replicate`` and
        ``logfc``; ``truth`` holds the hyperparameters, ``alpha_g``, ``beta_c`` and
        ``sigma``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a size is not a positive integer, or a mean is not a finite number, or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    n_genes = check_count("n_genes", n_genes)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines)
    n_replicates = check_count("n_replicates", n_replicates)
    mu_alpha = check_real("mu_alpha", mu_alpha)
    sigma_alpha = check_sd("sigma_alpha", sigma_alpha)
    mu_beta = check_real("mu_beta", mu_beta)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    sigma = check_sd("sigma", sigma)

    alpha_g = rng.normal(mu_alpha, sigma_alpha, n_genes)
    beta_c = rng.normal(mu_beta, sigma_beta, n_cell_lines)

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    rows = list(product(range(n_cell_lines), range(n_genes), range(n_replicates)))
    cell_line_idx, gene_idx, replicate = (np.array(col) for col in zip(*rows, strict=True))
    logfc = rng.normal(alpha_g[gene_idx] + beta_c[cell_line_idx], sigma)
    data = pd.DataFrame(
        {
            "cell_line": categorical(cell_line_idx, cell_lines),
            "gene": categorical(gene_idx, genes),
            "replicate": replicate,
            "logfc": logfc,
        }
    )
    truth = {
        "mu_alpha": mu_alpha,
        "sigma_alpha": sigma_alpha,
        "mu_beta": mu_beta,
        "sigma_beta": sigma_beta,
        "alpha_g": alpha_g,
        "beta_c": beta_c,
        "sigma": sigma,
    }
    return Simulation(data, truth)
