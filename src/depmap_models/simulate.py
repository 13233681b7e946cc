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

import inspect
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "SCREEN_DEFAULTS",
    "Simulation",
    "cell_line_noise",
    "genes_and_cell_lines",
    "genes_with_rna",
    "labels",
    "lineages",
    "mutation_screen",
    "realistic_screen",
    "rna_at_gene_level",
    "sgrna_and_cell_lines",
    "single_gene",
    "two_intercepts",
]

Rng = np.random.Generator | np.random.RandomState

#: The sgRNA intercepts hand-picked in the original analysis's Model 5.
MODEL5_ALPHA_S = (
    -0.4, -0.2, -0.3, 0.0, -0.5, -0.6, -1.0, -1.2, -1.7, -0.8, 2.0, 1.7, 2.4, 2.1, 0.0,
)


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


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """A categorical column: ``codes`` index into ``categories``, which keep their order."""
    return pd.Categorical.from_codes(codes, categories=list(categories))


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
        {"cell_line": _categorical(np.arange(n_cell_lines), cell_lines), "rna": rna, "logfc": logfc}
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
            "gene": _categorical(np.repeat(np.arange(n_genes), n_cell_lines), genes),
            "cell_line": _categorical(np.tile(np.arange(n_cell_lines), n_genes), cell_lines),
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
            "gene": _categorical(gene_idx, genes),
            "cell_line": _categorical(cell_line_idx, cell_lines),
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
            "gene": _categorical(gene_idx, genes),
            "cell_line": _categorical(cell_line_idx, cell_lines),
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
            "gene": _categorical(sgrna_gene_idx[sgrna_idx], genes),
            "sgrna": _categorical(sgrna_idx, sgrnas),
            "cell_line": _categorical(cell_line_idx, cell_lines),
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
            "cell_line": _categorical(cell_line_idx, cell_lines),
            "gene": _categorical(gene_idx, genes),
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


# --------------------------------------------------------------------------------------
# Extension processes: the models the original analysis planned next
# --------------------------------------------------------------------------------------
#
# These reproduce nothing from the seed; their defaults are documented parameter sets
# sized so that each chapter fits in seconds. Every one uses the identified
# parameterization of chapter 6: a global intercept ``mu_epsilon`` (or ``mu``) and
# cell-line (and lineage) effects that sum to zero, so the truth is directly comparable
# with the posterior of the identified models.


def _per_group(name: str, value: int | Sequence[int], n_groups: int | None = None) -> list[int]:
    """A count per group: an int repeated ``n_groups`` times, or one count per group."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        if n_groups is None:
            raise ValueError(f"{name} must be a sequence of counts, one per group")
        return [_check_count(name, value)] * n_groups
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be an integer or a sequence of integers, got {value!r}")
    counts = [_check_count(name, n) for n in value]
    if not counts:
        raise ValueError(f"{name} must name at least one group")
    return counts


def _check_probability(name: str, value: object, *, open_below: bool = False) -> float:
    value = _check_real(name, value)
    if not (0 < value <= 1 if open_below else 0 <= value <= 1):
        interval = "(0, 1]" if open_below else "[0, 1]"
        raise ValueError(f"{name} is a probability and must lie in {interval}, got {value}")
    return value


def _centred(values: np.ndarray) -> np.ndarray:
    return values - values.mean()


def _nested_guides(
    rng: Rng, per_gene: list[int], mu_epsilon: float, sigma_epsilon: float, sigma_alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gene intercepts, guide intercepts around them, and each guide's gene index."""
    epsilon_g = rng.normal(mu_epsilon, sigma_epsilon, len(per_gene))
    sgrna_gene_idx = np.repeat(np.arange(len(per_gene)), per_gene)
    alpha_s = rng.normal(epsilon_g[sgrna_gene_idx], sigma_alpha)
    return epsilon_g, alpha_s, sgrna_gene_idx


def cell_line_noise(
    rng: Rng,
    *,
    sgrnas_per_gene: int | Sequence[int] = (2, 3, 3, 4, 4, 5),
    n_cell_lines: int = 16,
    mu_epsilon: float = -0.5,
    sigma_epsilon: float = 1.0,
    sigma_alpha: float = 0.3,
    sigma_beta: float = 0.5,
    mu_log_sigma: float = -1.4,
    sigma_log_sigma: float = 0.5,
) -> Simulation:
    """Model C: Model 5 with a residual standard deviation per cell line.

    Guides are nested in genes as in Model 5 (``epsilon_g ~ N(mu_epsilon, sigma_epsilon)``,
    ``alpha_s ~ N(epsilon_g[gene of s], sigma_alpha)``), every guide is measured once in
    every cell line, the cell-line effects ``beta_c`` (drawn ``N(0, sigma_beta)``, then
    centred) sum to zero, and each cell line has its own noise:
    ``log(sigma_c) ~ N(mu_log_sigma, sigma_log_sigma)``,
    ``logfc[s, c] ~ N(alpha_s[s] + beta_c[c], sigma_c[c])``.

    With the defaults (exp(-1.4) = 0.25) the cell lines' noise ranges over roughly a
    factor of five; 21 guides of 6 genes in 16 cell lines give 336 measurements.
    """
    rng = _check_rng(rng)
    per_gene = _per_group("sgrnas_per_gene", sgrnas_per_gene)
    n_cell_lines = _check_count("n_cell_lines", n_cell_lines, minimum=2)
    mu_epsilon = _check_real("mu_epsilon", mu_epsilon)
    sigma_epsilon = _check_sd("sigma_epsilon", sigma_epsilon)
    sigma_alpha = _check_sd("sigma_alpha", sigma_alpha)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    mu_log_sigma = _check_real("mu_log_sigma", mu_log_sigma)
    sigma_log_sigma = _check_sd("sigma_log_sigma", sigma_log_sigma)

    epsilon_g, alpha_s, sgrna_gene_idx = _nested_guides(
        rng, per_gene, mu_epsilon, sigma_epsilon, sigma_alpha
    )
    beta_c = _centred(rng.normal(0, sigma_beta, n_cell_lines))
    sigma_c = np.exp(rng.normal(mu_log_sigma, sigma_log_sigma, n_cell_lines))

    n_genes, n_sgrnas = len(per_gene), alpha_s.size
    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    sgrnas = [f"sgRNA_{i}" for i in range(n_sgrnas)]
    sgrna_idx = np.repeat(np.arange(n_sgrnas), n_cell_lines)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_sgrnas)
    logfc = rng.normal(alpha_s[sgrna_idx] + beta_c[cell_line_idx], sigma_c[cell_line_idx])
    data = pd.DataFrame(
        {
            "gene": _categorical(sgrna_gene_idx[sgrna_idx], genes),
            "sgrna": _categorical(sgrna_idx, sgrnas),
            "cell_line": _categorical(cell_line_idx, cell_lines),
            "logfc": logfc,
        }
    )
    truth = {
        "mu_epsilon": mu_epsilon,
        "sigma_epsilon": sigma_epsilon,
        "sigma_alpha": sigma_alpha,
        "sigma_beta": sigma_beta,
        "mu_log_sigma": mu_log_sigma,
        "sigma_log_sigma": sigma_log_sigma,
        "epsilon_g": epsilon_g,
        "alpha_s": alpha_s,
        "beta_c": beta_c,
        "sigma_c": sigma_c,
        "sgrna_gene_idx": sgrna_gene_idx,
    }
    return Simulation(data, truth)


def lineages(
    rng: Rng,
    *,
    cell_lines_per_lineage: int | Sequence[int] = (2, 3, 4, 6, 8),
    n_replicates: int = 3,
    mu: float = -0.5,
    sigma_lineage: float = 0.6,
    sigma_gamma: float = 0.3,
    sigma: float = 0.2,
) -> Simulation:
    """Cell lines within lineages, and nothing else: one gene's logFC across cell lines.

    Lineage effects ``gamma_l`` (drawn ``N(0, sigma_lineage)``, then centred) sum to zero;
    each cell line deviates from its lineage by ``N(0, sigma_gamma)``, so its effect is
    ``gamma_c = gamma_l[lineage of c] + that deviation``; each cell line is measured
    ``n_replicates`` times: ``logfc ~ N(mu + gamma_c[c], sigma)``. Lineages are of unequal
    sizes by default (2 to 8 cell lines), so partial pooling has something to show.
    """
    rng = _check_rng(rng)
    per_lineage = _per_group("cell_lines_per_lineage", cell_lines_per_lineage)
    if len(per_lineage) < 2:
        raise ValueError("cell_lines_per_lineage must name at least two lineages")
    n_replicates = _check_count("n_replicates", n_replicates)
    mu = _check_real("mu", mu)
    sigma_lineage = _check_sd("sigma_lineage", sigma_lineage)
    sigma_gamma = _check_sd("sigma_gamma", sigma_gamma)
    sigma = _check_sd("sigma", sigma)

    gamma_l = _centred(rng.normal(0, sigma_lineage, len(per_lineage)))
    lineage_of_cell_line = np.repeat(np.arange(len(per_lineage)), per_lineage)
    gamma_c = rng.normal(gamma_l[lineage_of_cell_line], sigma_gamma)

    n_cell_lines = lineage_of_cell_line.size
    lineage_names = labels("lineage", len(per_lineage))
    cell_lines = labels("cell", n_cell_lines)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_replicates)
    logfc = rng.normal(mu + gamma_c[cell_line_idx], sigma)
    data = pd.DataFrame(
        {
            "lineage": _categorical(lineage_of_cell_line[cell_line_idx], lineage_names),
            "cell_line": _categorical(cell_line_idx, cell_lines),
            "replicate": np.repeat(np.arange(n_replicates), n_cell_lines),
            "logfc": logfc,
        }
    )
    truth = {
        "mu": mu,
        "sigma_lineage": sigma_lineage,
        "sigma_gamma": sigma_gamma,
        "sigma": sigma,
        "gamma_l": gamma_l,
        "gamma_c": gamma_c,
        "lineage_of_cell_line": lineage_of_cell_line,
    }
    return Simulation(data, truth)


def _screen(
    rng: Rng,
    *,
    sgrnas_per_gene: int | Sequence[int],
    cell_lines_per_lineage: int | Sequence[int],
    p_measured: float,
    mu_epsilon: float,
    sigma_epsilon: float,
    sigma_alpha: float,
    sigma_lineage: float,
    sigma_gamma: float,
    mu_beta: float,
    sigma_beta: float,
    eta: float,
    sigma_cn: float,
    sigma: float,
    mutation: dict[str, float] | None = None,
) -> Simulation:
    """The realistic screen (:func:`realistic_screen`), with or without mutations."""
    rng = _check_rng(rng)
    per_gene = _per_group("sgrnas_per_gene", sgrnas_per_gene)
    per_lineage = _per_group("cell_lines_per_lineage", cell_lines_per_lineage)
    p_measured = _check_probability("p_measured", p_measured, open_below=True)
    mu_epsilon = _check_real("mu_epsilon", mu_epsilon)
    sigma_epsilon = _check_sd("sigma_epsilon", sigma_epsilon)
    sigma_alpha = _check_sd("sigma_alpha", sigma_alpha)
    sigma_lineage = _check_sd("sigma_lineage", sigma_lineage)
    sigma_gamma = _check_sd("sigma_gamma", sigma_gamma)
    mu_beta = _check_real("mu_beta", mu_beta)
    sigma_beta = _check_sd("sigma_beta", sigma_beta)
    eta = _check_real("eta", eta)
    sigma_cn = _check_sd("sigma_cn", sigma_cn)
    sigma = _check_sd("sigma", sigma)
    if sum(per_lineage) < 2:
        raise ValueError("cell_lines_per_lineage must add up to at least two cell lines")

    n_genes = len(per_gene)
    lineage_of_cell_line = np.repeat(np.arange(len(per_lineage)), per_lineage)
    n_cell_lines = lineage_of_cell_line.size

    epsilon_g, alpha_s, sgrna_gene_idx = _nested_guides(
        rng, per_gene, mu_epsilon, sigma_epsilon, sigma_alpha
    )
    n_sgrnas = alpha_s.size
    gamma_l = _centred(rng.normal(0, sigma_lineage, len(per_lineage)))
    gamma_c = _centred(rng.normal(gamma_l[lineage_of_cell_line], sigma_gamma))
    beta_g = rng.normal(mu_beta, sigma_beta, n_genes)
    rna = rng.normal(0, 1, (n_genes, n_cell_lines))
    # log2 copy-number ratio: one value per gene locus and cell line, and a small
    # cut-site-specific offset per guide (guides of one gene cut at nearby sites)
    cn_gene = rng.normal(0, 0.5, (n_genes, n_cell_lines))
    cn = cn_gene[sgrna_gene_idx] + rng.normal(0, sigma_cn, (n_sgrnas, n_cell_lines))

    # which guide was measured in which cell line: a ragged table, but every guide and
    # every cell line measured at least once
    measured = rng.random((n_sgrnas, n_cell_lines)) < p_measured
    # (uniform integers drawn as floor(n * U), which both kinds of generator provide)
    measured[np.arange(n_sgrnas), (rng.random(n_sgrnas) * n_cell_lines).astype(int)] = True
    measured[(rng.random(n_cell_lines) * n_sgrnas).astype(int), np.arange(n_cell_lines)] = True
    sgrna_idx, cell_line_idx = np.nonzero(measured)
    gene_idx = sgrna_gene_idx[sgrna_idx]

    mu_rows = (
        alpha_s[sgrna_idx]
        + gamma_c[cell_line_idx]
        + beta_g[gene_idx] * rna[gene_idx, cell_line_idx]
        + eta * cn[sgrna_idx, cell_line_idx]
    )
    truth: dict[str, float | np.ndarray] = {}
    columns: dict[str, np.ndarray] = {}
    if mutation is not None:
        # every gene mutated in at least one cell line and wild-type in at least one
        mutated = rng.random((n_genes, n_cell_lines)) < mutation["p_mutated"]
        for g in range(n_genes):
            mutant, wild_type = rng.permutation(n_cell_lines)[:2]
            mutated[g, mutant], mutated[g, wild_type] = True, False
        affected = rng.random(n_genes) < mutation["p_affected"]
        delta_g = np.where(
            affected, rng.normal(mutation["mu_delta"], mutation["sigma_delta"], n_genes), 0.0
        )
        mu_rows = mu_rows + delta_g[gene_idx] * mutated[gene_idx, cell_line_idx]
        columns["mutated"] = mutated[gene_idx, cell_line_idx]
        truth |= {**mutation, "affected_g": affected, "delta_g": delta_g}
    logfc = rng.normal(mu_rows, sigma)

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    lineage_names = labels("lineage", len(per_lineage))
    sgrnas = [f"sgRNA_{i}" for i in range(n_sgrnas)]
    data = pd.DataFrame(
        {
            "gene": _categorical(gene_idx, genes),
            "sgrna": _categorical(sgrna_idx, sgrnas),
            "lineage": _categorical(lineage_of_cell_line[cell_line_idx], lineage_names),
            "cell_line": _categorical(cell_line_idx, cell_lines),
            "rna": rna[gene_idx, cell_line_idx],
            "cn": cn[sgrna_idx, cell_line_idx],
            **columns,
            "logfc": logfc,
        }
    )
    truth = {
        "mu_epsilon": mu_epsilon,
        "sigma_epsilon": sigma_epsilon,
        "sigma_alpha": sigma_alpha,
        "sigma_lineage": sigma_lineage,
        "sigma_gamma": sigma_gamma,
        "mu_beta": mu_beta,
        "sigma_beta": sigma_beta,
        "eta": eta,
        "sigma": sigma,
        "epsilon_g": epsilon_g,
        "alpha_s": alpha_s,
        "gamma_l": gamma_l,
        "gamma_c": gamma_c,
        "beta_g": beta_g,
        "sgrna_gene_idx": sgrna_gene_idx,
        "lineage_of_cell_line": lineage_of_cell_line,
        **truth,
    }
    return Simulation(data, truth)


def realistic_screen(
    rng: Rng,
    *,
    sgrnas_per_gene: int | Sequence[int] = (2, 3, 4, 5, 2, 3, 4, 5),
    cell_lines_per_lineage: int | Sequence[int] = (3, 4, 5),
    p_measured: float = 0.75,
    mu_epsilon: float = -0.5,
    sigma_epsilon: float = 0.8,
    sigma_alpha: float = 0.3,
    sigma_lineage: float = 0.5,
    sigma_gamma: float = 0.3,
    mu_beta: float = -0.4,
    sigma_beta: float = 0.3,
    eta: float = -0.3,
    sigma_cn: float = 0.1,
    sigma: float = 0.25,
) -> Simulation:
    """Model A: a realistic screen, ragged by design, with RNA and copy number.

    - **Guides in genes**: gene ``g`` has ``sgrnas_per_gene[g]`` guides;
      ``epsilon_g ~ N(mu_epsilon, sigma_epsilon)``, ``alpha_s ~ N(epsilon_g, sigma_alpha)``.
    - **Cell lines in lineages**: lineage ``l`` holds ``cell_lines_per_lineage[l]`` cell
      lines; lineage effects ``gamma_l`` (``N(0, sigma_lineage)``, centred) and cell-line
      effects ``gamma_c ~ N(gamma_l[lineage of c], sigma_gamma)``, centred to sum to zero.
    - **RNA expression** (standardised, one value per gene and cell line) with a gene
      slope ``beta_g ~ N(mu_beta, sigma_beta)``.
    - **Copy number** ``cn``, the log2 copy-number ratio at each guide's cut site
      (``N(0, 0.5)`` per gene locus and cell line, plus ``N(0, sigma_cn)`` per guide): more
      copies mean more DNA breaks, so a negative slope ``eta`` (cutting toxicity).
    - **Missing by design**: each guide is measured in each cell line with probability
      ``p_measured`` (every guide and every cell line at least once).

    ``logfc ~ N(alpha_s + gamma_c + beta_g * rna + eta * cn, sigma)``, one row per
    measured guide and cell line. The defaults give 28 guides of 8 genes in 12 cell lines
    of 3 lineages, about 260 measurements.
    """
    return _screen(
        rng,
        sgrnas_per_gene=sgrnas_per_gene,
        cell_lines_per_lineage=cell_lines_per_lineage,
        p_measured=p_measured,
        mu_epsilon=mu_epsilon,
        sigma_epsilon=sigma_epsilon,
        sigma_alpha=sigma_alpha,
        sigma_lineage=sigma_lineage,
        sigma_gamma=sigma_gamma,
        mu_beta=mu_beta,
        sigma_beta=sigma_beta,
        eta=eta,
        sigma_cn=sigma_cn,
        sigma=sigma,
    )


#: The realistic screen's default parameter set (read off :func:`realistic_screen`'s
#: signature), which :func:`mutation_screen` starts from.
SCREEN_DEFAULTS: dict[str, object] = {
    name: parameter.default
    for name, parameter in inspect.signature(realistic_screen).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}


def mutation_screen(
    rng: Rng,
    *,
    p_mutated: float = 0.3,
    p_affected: float = 0.3,
    mu_delta: float = -1.0,
    sigma_delta: float = 0.4,
    sgrnas_per_gene: int | Sequence[int] = 3,
    n_genes: int = 12,
    **screen: object,
) -> Simulation:
    """Model B: the realistic screen plus a gene's mutation status.

    Each gene is mutated in each cell line with probability ``p_mutated`` (column
    ``mutated``). Only some genes' mutations matter: gene ``g`` is *affected* with
    probability ``p_affected``, and then its mutation shifts the logFC by
    ``delta_g ~ N(mu_delta, sigma_delta)``; otherwise ``delta_g = 0``. The truth holds
    ``affected_g`` and ``delta_g``.

    ``p_affected=1`` makes every mutation matter by a varying amount (the process a
    varying-effect model assumes); a small ``p_affected`` gives the sparse, all-or-nothing
    pattern a mixture model assumes. ``sgrnas_per_gene`` may be one count for all
    ``n_genes`` genes; the other keyword arguments are :func:`realistic_screen`'s
    (:data:`SCREEN_DEFAULTS`).
    """
    unknown = sorted(set(screen) - set(SCREEN_DEFAULTS) - {"sgrnas_per_gene"})
    if unknown:
        raise ValueError(f"unknown arguments for mutation_screen: {unknown}")
    n_genes = _check_count("n_genes", n_genes)
    if _check_real("p_mutated", p_mutated) >= 1:
        raise ValueError(f"p_mutated must be below 1 (some cell lines wild-type), got {p_mutated}")
    mutation = {
        "p_mutated": _check_probability("p_mutated", p_mutated, open_below=True),
        "p_affected": _check_probability("p_affected", p_affected),
        "mu_delta": _check_real("mu_delta", mu_delta),
        "sigma_delta": _check_sd("sigma_delta", sigma_delta),
    }
    kwargs = {**SCREEN_DEFAULTS, **screen}
    kwargs["sgrnas_per_gene"] = _per_group("sgrnas_per_gene", sgrnas_per_gene, n_genes)
    return _screen(rng, **kwargs, mutation=mutation)  # type: ignore[arg-type]
