"""Generative processes for the book's synthetic CRISPR knock-out screens.

One function per process. Each takes a random generator ``rng`` (a
:class:`numpy.random.Generator` or a legacy :class:`numpy.random.RandomState`)
and keyword-only sizes and true parameter values, whose defaults are those of
the original analysis. Each returns a :class:`Simulation`: tidy data with one
row per logFC measurement, and the true parameter values keyed by the names of
the model's variables.

Passing ``np.random.RandomState(103)`` reproduces the original analysis's data
value for value: the original notebooks seeded NumPy's legacy global generator
with 103 (``np.random.seed``) and drew in the order reproduced here (vectorised
legacy draws give the same numbers as the original one-at-a-time loops).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "Simulation",
    "genes_and_cell_lines",
    "genes_with_rna",
    "labels",
    "rna_at_gene_level",
    "sgrna_and_cell_lines",
    "single_gene",
    "two_intercepts",
]

Rng = np.random.Generator | np.random.RandomState

#: The sgRNA intercepts hand-picked in the original analysis's Model 5.
MODEL5_ALPHA_S = (-0.4, -0.2, -0.3, 0.0, -0.5, -0.6, -1.0, -1.2, -1.7, -0.8, 2.0, 1.7, 2.4, 2.1, 0.0)


@dataclass(frozen=True)
class Simulation:
    """Synthetic data and the parameter values that generated it.

    Attributes
    ----------
    data:
        Tidy table, one row per logFC measurement. Grouping columns (``gene``,
        ``cell_line``, ``sgrna``) are categorical, with categories in the
        order the truth arrays use.
    truth:
        True parameter values keyed by the model's variable names; vectors are
        NumPy arrays aligned with the categories of the matching column.
    """

    data: pd.DataFrame
    truth: dict[str, float | np.ndarray] = field(default_factory=dict)

    @property
    def coords(self) -> dict[str, list[str]]:
        """PyMC coordinates: the categories of every categorical column."""
        return {
            str(col): list(self.data[col].cat.categories)
            for col in self.data.columns
            if isinstance(self.data[col].dtype, pd.CategoricalDtype)
        }


# --------------------------------------------------------------------------------------
# Validation and small helpers
# --------------------------------------------------------------------------------------


def _check_rng(rng: object) -> Rng:
    if not isinstance(rng, np.random.Generator | np.random.RandomState):
        raise TypeError(
            "rng must be a numpy.random.Generator or numpy.random.RandomState, "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_count(name: str, value: object, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _check_sd(name: str, value: object) -> float:
    value = _check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} is a standard deviation and must be positive, got {value}")
    return value


def labels(prefix: str, n: int) -> list[str]:
    """Labels ``prefixA, prefixB, ...`` as in the original analysis.

    Beyond 26 levels the letters run out, so the labels become zero-padded
    numbers (``cell01`` ... ``cell30``).
    """
    n = _check_count("n", n)
    if n <= len(string.ascii_uppercase):
        return [prefix + letter for letter in string.ascii_uppercase[:n]]
    width = len(str(n))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _categorical(values: Sequence[str] | np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical(values, categories=list(categories))


# --------------------------------------------------------------------------------------
# The processes
# --------------------------------------------------------------------------------------


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
    """
    rng = _check_rng(rng)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines, minimum=2)
    alpha = _check_real("alpha", alpha)
    beta = _check_real("beta", beta)
    sigma = _check_sd("sigma", sigma)

    rna = rng.standard_normal(n_cell_lines)
    logfc = alpha + beta * rna + rng.normal(0, sigma, n_cell_lines)
    cell_lines = labels("cell", n_cell_lines)
    data = pd.DataFrame(
        {"cell_line": _categorical(cell_lines, cell_lines), "rna": rna, "logfc": logfc}
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
    """
    rng = _check_rng(rng)
    n_genes = _check_count("n_genes", n_genes)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines)
    mu_alpha = _check_real("mu_alpha", mu_alpha)
    sigma_alpha = _check_sd("sigma_alpha", sigma_alpha)
    mu_beta = _check_real("mu_beta", mu_beta)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    sigma = _check_sd("sigma", sigma)

    alpha = rng.normal(mu_alpha, sigma_alpha, n_genes)
    beta = rng.normal(mu_beta, sigma_beta, n_genes)
    rna = rng.standard_normal((n_genes, n_cell_lines))
    noise = rng.normal(0, sigma, (n_cell_lines, n_genes)).T
    logfc = alpha[:, None] + beta[:, None] * rna + noise

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    data = pd.DataFrame(
        {
            "gene": _categorical(np.repeat(genes, n_cell_lines), genes),
            "cell_line": _categorical(np.tile(cell_lines, n_genes), cell_lines),
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
    """
    rng = _check_rng(rng)
    n_genes = _check_count("n_genes", n_genes)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines)
    n_replicates = _check_count("n_replicates", n_replicates)
    mu_gamma = _check_real("mu_gamma", mu_gamma)
    sigma_gamma = _check_sd("sigma_gamma", sigma_gamma)
    mu_delta = _check_real("mu_delta", mu_delta)
    sigma_delta = _check_sd("sigma_delta", sigma_delta)
    sigma_g = _check_sd("sigma_g", sigma_g)
    sigma = _check_sd("sigma", sigma)

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
            "gene": _categorical(np.asarray(genes)[gene_idx], genes),
            "cell_line": _categorical(np.asarray(cell_lines)[cell_line_idx], cell_lines),
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
    """
    rng = _check_rng(rng)
    n_genes = _check_count("n_genes", n_genes)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines)
    n_replicates = _check_count("n_replicates", n_replicates)
    mu_alpha = _check_real("mu_alpha", mu_alpha)
    sigma_alpha = _check_sd("sigma_alpha", sigma_alpha)
    mu_gamma = _check_real("mu_gamma", mu_gamma)
    sigma_gamma = _check_sd("sigma_gamma", sigma_gamma)
    mu_beta = _check_real("mu_beta", mu_beta)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    sigma = _check_sd("sigma", sigma)

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
            "gene": _categorical(np.asarray(genes)[gene_idx], genes),
            "cell_line": _categorical(np.asarray(cell_lines)[cell_line_idx], cell_lines),
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
    """
    rng = _check_rng(rng)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines)
    per_gene = [_check_count("sgrnas_per_gene", n) for n in sgrnas_per_gene]
    if not per_gene:
        raise ValueError("sgrnas_per_gene must name at least one gene")
    alpha_s = np.asarray([_check_real("alpha_s", a) for a in alpha_s], dtype=float)
    if alpha_s.size != sum(per_gene):
        raise ValueError(
            f"alpha_s has {alpha_s.size} values but sgrnas_per_gene needs {sum(per_gene)} "
            "(one per guide)"
        )
    mu_beta = _check_real("mu_beta", mu_beta)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    sigma = _check_sd("sigma", sigma)

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
            "gene": _categorical(np.asarray(genes)[sgrna_gene_idx[sgrna_idx]], genes),
            "sgrna": _categorical(np.asarray(sgrnas)[sgrna_idx], sgrnas),
            "cell_line": _categorical(np.asarray(cell_lines)[cell_line_idx], cell_lines),
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
    """The forum thread's data: a gene intercept plus a cell-line intercept.

    ``logfc[c, g, r] ~ N(alpha_g[g] + beta_c[c], sigma)`` with
    ``alpha_g ~ N(mu_alpha, sigma_alpha)`` and ``beta_c ~ N(mu_beta, sigma_beta)``;
    rows ordered cell line, gene, replicate as in the thread.
    """
    rng = _check_rng(rng)
    n_genes = _check_count("n_genes", n_genes)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines)
    n_replicates = _check_count("n_replicates", n_replicates)
    mu_alpha = _check_real("mu_alpha", mu_alpha)
    sigma_alpha = _check_sd("sigma_alpha", sigma_alpha)
    mu_beta = _check_real("mu_beta", mu_beta)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    sigma = _check_sd("sigma", sigma)

    alpha_g = rng.normal(mu_alpha, sigma_alpha, n_genes)
    beta_c = rng.normal(mu_beta, sigma_beta, n_cell_lines)

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    rows = list(product(range(n_cell_lines), range(n_genes), range(n_replicates)))
    cell_line_idx, gene_idx, replicate = (np.array(col) for col in zip(*rows, strict=True))
    logfc = rng.normal(alpha_g[gene_idx] + beta_c[cell_line_idx], sigma)
    data = pd.DataFrame(
        {
            "cell_line": _categorical(np.asarray(cell_lines)[cell_line_idx], cell_lines),
            "gene": _categorical(np.asarray(genes)[gene_idx], genes),
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
