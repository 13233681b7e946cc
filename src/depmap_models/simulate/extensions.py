"""Extension processes: the models the original analysis planned next.

These reproduce nothing from the seed; their defaults are documented parameter sets
sized so that each chapter fits in seconds. Every one uses the identified
parameterization of chapter 6: a global intercept ``mu_epsilon`` (or ``mu``) and
cell-line (and lineage) effects that sum to zero, so the truth is directly comparable
with the posterior of the identified models.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np
import pandas as pd

from depmap_models.simulate._helpers import (
    Rng,
    categorical,
    centred,
    check_count,
    check_probability,
    check_real,
    check_rng,
    check_sd,
    nested_guides,
    per_group,
)
from depmap_models.simulate.core import Simulation, labels

__all__ = [
    "MISSING",
    "SCREEN_DEFAULTS",
    "cell_line_noise",
    "lineages",
    "mutation_screen",
    "realistic_screen",
]


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

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws.
    sgrnas_per_gene : sequence of int, default (2, 3, 3, 4, 4, 5)
        Number of guides targeting each gene, one count per gene.
    n_cell_lines : int, default 16
        Number of cell lines, at least two.
    mu_epsilon, sigma_epsilon : float, default -0.5, 1.0
        Mean and standard deviation of the gene intercepts ``epsilon_g``.
    sigma_alpha : float, default 0.3
        Standard deviation of the guide intercepts ``alpha_s`` around their gene's.
    sigma_beta : float, default 0.5
        Standard deviation of the cell-line effects ``beta_c`` (before centring).
    mu_log_sigma, sigma_log_sigma : float, default -1.4, 0.5
        Mean and standard deviation of the log of each cell line's residual standard
        deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``gene``, ``sgrna``, ``cell_line`` (categorical) and
        ``logfc``, guide by guide; ``truth`` holds the hyperparameters, ``epsilon_g``,
        ``alpha_s``, ``beta_c``, ``sigma_c`` and ``sgrna_gene_idx``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a count is not a positive integer (``n_cell_lines`` at least two),
        ``sgrnas_per_gene`` is not a non-empty sequence, a mean is not finite or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    per_gene = per_group("sgrnas_per_gene", sgrnas_per_gene)
    n_cell_lines = check_count("n_cell_lines", n_cell_lines, minimum=2)
    mu_epsilon = check_real("mu_epsilon", mu_epsilon)
    sigma_epsilon = check_sd("sigma_epsilon", sigma_epsilon)
    sigma_alpha = check_sd("sigma_alpha", sigma_alpha)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    mu_log_sigma = check_real("mu_log_sigma", mu_log_sigma)
    sigma_log_sigma = check_sd("sigma_log_sigma", sigma_log_sigma)

    epsilon_g, alpha_s, sgrna_gene_idx = nested_guides(
        rng, per_gene, mu_epsilon, sigma_epsilon, sigma_alpha
    )
    beta_c = centred(rng.normal(0, sigma_beta, n_cell_lines))
    sigma_c = np.exp(rng.normal(mu_log_sigma, sigma_log_sigma, n_cell_lines))

    n_genes, n_sgrnas = len(per_gene), alpha_s.size
    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    sgrnas = [f"sgRNA_{i}" for i in range(n_sgrnas)]
    sgrna_idx = np.repeat(np.arange(n_sgrnas), n_cell_lines)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_sgrnas)
    logfc = rng.normal(alpha_s[sgrna_idx] + beta_c[cell_line_idx], sigma_c[cell_line_idx])
    data = pd.DataFrame(
        {
            "gene": categorical(sgrna_gene_idx[sgrna_idx], genes),
            "sgrna": categorical(sgrna_idx, sgrnas),
            "cell_line": categorical(cell_line_idx, cell_lines),
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

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws.
    cell_lines_per_lineage : sequence of int, default (2, 3, 4, 6, 8)
        Number of cell lines in each lineage, one count per lineage, at least two lineages.
    n_replicates : int, default 3
        Number of logFC measurements per cell line.
    mu : float, default -0.5
        Global intercept.
    sigma_lineage : float, default 0.6
        Standard deviation of the lineage effects ``gamma_l`` (before centring).
    sigma_gamma : float, default 0.3
        Standard deviation of the cell lines around their lineage.
    sigma : float, default 0.2
        Residual standard deviation.

    Returns
    -------
    Simulation
        ``data`` has columns ``lineage``, ``cell_line`` (categorical), ``replicate``
        and ``logfc``; ``truth`` holds the hyperparameters, ``gamma_l``, ``gamma_c`` and
        ``lineage_of_cell_line`` (the lineage index of each cell line).

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If ``cell_lines_per_lineage`` is not a sequence of at least two counts of at least
        one, ``n_replicates`` is not a positive integer, ``mu`` is not finite or a
        standard deviation is not positive (the message names the argument).
    """
    rng = check_rng(rng)
    per_lineage = per_group("cell_lines_per_lineage", cell_lines_per_lineage)
    if len(per_lineage) < 2:
        raise ValueError("cell_lines_per_lineage must name at least two lineages")
    n_replicates = check_count("n_replicates", n_replicates)
    mu = check_real("mu", mu)
    sigma_lineage = check_sd("sigma_lineage", sigma_lineage)
    sigma_gamma = check_sd("sigma_gamma", sigma_gamma)
    sigma = check_sd("sigma", sigma)

    gamma_l = centred(rng.normal(0, sigma_lineage, len(per_lineage)))
    lineage_of_cell_line = np.repeat(np.arange(len(per_lineage)), per_lineage)
    gamma_c = rng.normal(gamma_l[lineage_of_cell_line], sigma_gamma)

    n_cell_lines = lineage_of_cell_line.size
    lineage_names = labels("lineage", len(per_lineage))
    cell_lines = labels("cell", n_cell_lines)
    cell_line_idx = np.tile(np.arange(n_cell_lines), n_replicates)
    logfc = rng.normal(mu + gamma_c[cell_line_idx], sigma)
    data = pd.DataFrame(
        {
            "lineage": categorical(lineage_of_cell_line[cell_line_idx], lineage_names),
            "cell_line": categorical(cell_line_idx, cell_lines),
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
    rho_cn_rna: float = 0.0,
    missing: str = "random",
    mutation: dict[str, float] | None = None,
) -> Simulation:
    """Simulate the realistic screen (:func:`realistic_screen`), with or without mutations."""
    rng = check_rng(rng)
    per_gene = per_group("sgrnas_per_gene", sgrnas_per_gene)
    per_lineage = per_group("cell_lines_per_lineage", cell_lines_per_lineage)
    p_measured = check_probability("p_measured", p_measured, open_below=True)
    mu_epsilon = check_real("mu_epsilon", mu_epsilon)
    sigma_epsilon = check_sd("sigma_epsilon", sigma_epsilon)
    sigma_alpha = check_sd("sigma_alpha", sigma_alpha)
    sigma_lineage = check_sd("sigma_lineage", sigma_lineage)
    sigma_gamma = check_sd("sigma_gamma", sigma_gamma)
    mu_beta = check_real("mu_beta", mu_beta)
    sigma_beta = check_sd("sigma_beta", sigma_beta)
    eta = check_real("eta", eta)
    sigma_cn = check_sd("sigma_cn", sigma_cn)
    sigma = check_sd("sigma", sigma)
    rho_cn_rna = check_real("rho_cn_rna", rho_cn_rna)
    if not -1 < rho_cn_rna < 1:
        raise ValueError(f"rho_cn_rna must lie strictly between -1 and 1, got {rho_cn_rna}")
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}, got {missing!r}")
    if sum(per_lineage) < 2:
        raise ValueError("cell_lines_per_lineage must add up to at least two cell lines")

    n_genes = len(per_gene)
    lineage_of_cell_line = np.repeat(np.arange(len(per_lineage)), per_lineage)
    n_cell_lines = lineage_of_cell_line.size

    epsilon_g, alpha_s, sgrna_gene_idx = nested_guides(
        rng, per_gene, mu_epsilon, sigma_epsilon, sigma_alpha
    )
    n_sgrnas = alpha_s.size
    gamma_l = centred(rng.normal(0, sigma_lineage, len(per_lineage)))
    gamma_c = centred(rng.normal(gamma_l[lineage_of_cell_line], sigma_gamma))
    beta_g = rng.normal(mu_beta, sigma_beta, n_genes)
    rna = rng.normal(0, 1, (n_genes, n_cell_lines))
    # log2 copy-number ratio: one value per gene locus and cell line, and a small
    # cut-site-specific offset per guide (guides of one gene cut at nearby sites)
    cn_gene = rng.normal(0, 0.5, (n_genes, n_cell_lines))
    cn = cn_gene[sgrna_gene_idx] + rng.normal(0, sigma_cn, (n_sgrnas, n_cell_lines))
    if rho_cn_rna != 0:
        # amplified loci are over-expressed: RNA correlates rho_cn_rna with the locus's copy
        # number (both standardised), and stays standard normal
        rna = rho_cn_rna * cn_gene / 0.5 + np.sqrt(1 - rho_cn_rna**2) * rna

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
    if missing == "depleted":
        kept = _keep_undepleted(rng, logfc, sgrna_idx, cell_line_idx)
        sgrna_idx, cell_line_idx, gene_idx = sgrna_idx[kept], cell_line_idx[kept], gene_idx[kept]
        logfc = logfc[kept]
        columns = {name: values[kept] for name, values in columns.items()}

    genes, cell_lines = labels("gene", n_genes), labels("cell", n_cell_lines)
    lineage_names = labels("lineage", len(per_lineage))
    sgrnas = [f"sgRNA_{i}" for i in range(n_sgrnas)]
    data = pd.DataFrame(
        {
            "gene": categorical(gene_idx, genes),
            "sgrna": categorical(sgrna_idx, sgrnas),
            "lineage": categorical(lineage_of_cell_line[cell_line_idx], lineage_names),
            "cell_line": categorical(cell_line_idx, cell_lines),
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


#: How measurements go missing in :func:`realistic_screen`.
MISSING = ("random", "depleted")
#: With ``missing="depleted"``, a measurement is kept with probability
#: ``expit(DEPLETION_SLOPE * (logfc - DEPLETION_MIDPOINT))``.
DEPLETION_MIDPOINT, DEPLETION_SLOPE = -1.5, 3.0


def _keep_undepleted(
    rng: Rng, logfc: np.ndarray, sgrna_idx: np.ndarray, cell_line_idx: np.ndarray
) -> np.ndarray:
    """Which measurements survive a count filter that loses strongly depleted guides.

    Every guide and every cell line keeps at least its least depleted measurement.
    """
    p_keep = 1 / (1 + np.exp(-DEPLETION_SLOPE * (logfc - DEPLETION_MIDPOINT)))
    kept = rng.random(logfc.size) < p_keep
    for index in (sgrna_idx, cell_line_idx):
        for level in np.unique(index):
            rows = np.flatnonzero(index == level)
            if not kept[rows].any():
                kept[rows[np.argmax(logfc[rows])]] = True
    return kept


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
    rho_cn_rna: float = 0.0,
    missing: str = "random",
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
    - Two departures from that simple world, off by default: ``rho_cn_rna`` correlates a
      gene's RNA expression with its locus's copy number (amplified genes are
      over-expressed, the confound a real screen has), and ``missing="depleted"`` also loses
      measurements *because* they are depleted, as a count filter loses guides with few
      reads: a measurement is kept with probability ``expit(3 (logfc + 1.5))`` (missing not
      at random; every guide and cell line keeps its least depleted measurement).

    ``logfc ~ N(alpha_s + gamma_c + beta_g * rna + eta * cn, sigma)``, one row per
    measured guide and cell line. The defaults give 28 guides of 8 genes in 12 cell lines
    of 3 lineages, about 260 measurements.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws.
    sgrnas_per_gene : sequence of int, default (2, 3, 4, 5, 2, 3, 4, 5)
        Number of guides targeting each gene, one count per gene.
    cell_lines_per_lineage : sequence of int, default (3, 4, 5)
        Number of cell lines in each lineage, one count per lineage (two cell lines at
        least in all).
    p_measured : float, default 0.75
        Probability that a guide is measured in a cell line, in (0, 1].
    mu_epsilon, sigma_epsilon : float, default -0.5, 0.8
        Mean and standard deviation of the gene intercepts ``epsilon_g``.
    sigma_alpha : float, default 0.3
        Standard deviation of the guide intercepts ``alpha_s`` around their gene's.
    sigma_lineage : float, default 0.5
        Standard deviation of the lineage effects ``gamma_l`` (before centring).
    sigma_gamma : float, default 0.3
        Standard deviation of the cell-line effects around their lineage's.
    mu_beta, sigma_beta : float, default -0.4, 0.3
        Mean and standard deviation of the gene slopes ``beta_g`` on RNA expression.
    eta : float, default -0.3
        Slope on copy number.
    sigma_cn : float, default 0.1
        Standard deviation of a guide's copy number around its gene locus's.
    sigma : float, default 0.25
        Residual standard deviation.
    rho_cn_rna : float, default 0.0
        Correlation of a gene's RNA expression with its locus's copy number, in (-1, 1).
    missing : {"random", "depleted"}, default "random"
        ``"depleted"`` also loses strongly depleted measurements (see above).

    Returns
    -------
    Simulation
        ``data`` has columns ``gene``, ``sgrna``, ``lineage``, ``cell_line``
        (categorical), ``rna``, ``cn`` and ``logfc``, one row per measured guide and
        cell line; ``truth`` holds the hyperparameters, ``epsilon_g``, ``alpha_s``,
        ``gamma_l``, ``gamma_c``, ``beta_g``, ``sgrna_gene_idx`` and
        ``lineage_of_cell_line``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a count sequence is empty or holds a count below one, the lineages hold fewer
        than two cell lines, ``p_measured`` is outside (0, 1], a mean or slope is not
        finite, a standard deviation is not positive, ``rho_cn_rna`` is outside (-1, 1)
        or ``missing`` is not one of :data:`MISSING` (the message names the argument).
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
        rho_cn_rna=rho_cn_rna,
        missing=missing,
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

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        Source of the random draws.
    p_mutated : float, default 0.3
        Probability that a gene is mutated in a cell line, in (0, 1).
    p_affected : float, default 0.3
        Probability that a gene's mutation shifts its logFC, in [0, 1].
    mu_delta, sigma_delta : float, default -1.0, 0.4
        Mean and standard deviation of the shift ``delta_g`` of an affected gene.
    sgrnas_per_gene : int or sequence of int, default 3
        Guides per gene: one count for all ``n_genes`` genes, or one count per gene
        (then ``n_genes`` is ignored).
    n_genes : int, default 12
        Number of genes when ``sgrnas_per_gene`` is a single count.
    **screen
        Any other keyword argument of :func:`realistic_screen`; the rest keep their
        defaults (:data:`SCREEN_DEFAULTS`).

    Returns
    -------
    Simulation
        As :func:`realistic_screen`, with a boolean column ``mutated`` before
        ``logfc``; ``truth`` adds ``p_mutated``, ``p_affected``, ``mu_delta``,
        ``sigma_delta``, ``affected_g`` and ``delta_g``.

    Raises
    ------
    TypeError
        If ``rng`` is not a NumPy random generator.
    ValueError
        If a keyword argument is not one of :func:`realistic_screen`'s, ``p_mutated`` is
        outside (0, 1), ``p_affected`` outside [0, 1], or any argument fails
        :func:`realistic_screen`'s checks (the message names the argument).
    """
    unknown = sorted(set(screen) - set(SCREEN_DEFAULTS) - {"sgrnas_per_gene"})
    if unknown:
        raise ValueError(f"unknown arguments for mutation_screen: {unknown}")
    n_genes = check_count("n_genes", n_genes)
    if check_real("p_mutated", p_mutated) >= 1:
        raise ValueError(f"p_mutated must be below 1 (some cell lines wild-type), got {p_mutated}")
    mutation = {
        "p_mutated": check_probability("p_mutated", p_mutated, open_below=True),
        "p_affected": check_probability("p_affected", p_affected),
        "mu_delta": check_real("mu_delta", mu_delta),
        "sigma_delta": check_sd("sigma_delta", sigma_delta),
    }
    kwargs = {**SCREEN_DEFAULTS, **screen}
    kwargs["sgrnas_per_gene"] = per_group("sgrnas_per_gene", sgrnas_per_gene, n_genes)
    return _screen(rng, **kwargs, mutation=mutation)  # type: ignore[arg-type]
