"""The identified model meets the real screen (chapter 13): data preparation and model builder.

The DepMap Avana sample (:mod:`depmap_models.data`) holds replicate-level log-fold changes of
3,474 guides against 883 genes in 44 cell lines. This module turns them into what the
chapter's model reads and builds that model:

- :func:`collapse_replicates`: the mean logFC of each guide in each cell line over its
  replicates, with their number (the mean is sufficient for the model's mean when the noise
  is normal with a per-line sd; what it drops is said there);
- :func:`screen_data`: QC-passing replicates of chosen cell lines, collapsed, with the
  log2 relative copy number of each gene in each line, floored and centred;
- :func:`cn_components`: the copy number split into gene, line and interaction parts;
- :func:`real_screen_model`: guides within genes, gene effects, cell-line effects, a
  gene x cell-line effect, a copy-number slope and a noise level per cell line, with
  sum-to-zero constraints that leave each effect one job;
- :func:`effects`, :func:`gene_effect`, :func:`depmap_scale`, :func:`mutant_contrast`: the
  posterior as DepMap reports it, and the test of an oncogene addiction;
- :func:`summarize_draws`: posterior means and intervals as a table (dependency calls at a
  stated Bayesian false discovery rate are :func:`depmap_models.diagnostics.bayesian_fdr_calls`,
  shared with chapter 9).

:data:`CHAPTER_LINES` are the ten cell lines the chapter fits, with their names and cancers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from depmap_models import data as avana
from depmap_models.design import codes, model_coords, model_data, sgrna_gene_index

__all__ = [
    "CHAPTER_LINES",
    "COLUMNS",
    "GUIDES",
    "PARAMETERIZATIONS",
    "INTERACTION_ZERO_SUM",
    "MIN_COPY_NUMBER",
    "ONCOGENES",
    "cn_components",
    "collapse_replicates",
    "depmap_scale",
    "effects",
    "gene_effect",
    "mutant_contrast",
    "real_screen_model",
    "scaling_results",
    "screen_data",
    "summarize_draws",
]

#: The ten QC-passing cell lines of chapter 13: DepMap id, the name in the sample's sequence
#: ids, and the tissue (lineage) and cancer each was derived from (from the lines'
#: Cellosaurus descriptions; the sample itself has no lineage). Nine cancers from eight
#: tissues, chosen so that each oncogene of :data:`ONCOGENES` has two or three mutant lines
#: (per :func:`depmap_models.data.mutations`) and lines without a listed mutation. ICC3
#: (ACH-001843), the third passing line with a CTNNB1 mutation, is left out: a third of its
#: guides have a logFC below -5 (reads lost), against at most 3.5% in any other passing line.
CHAPTER_LINES = pd.DataFrame(
    [
        ("ACH-000614", "RVH421", "skin", "melanoma"),
        ("ACH-000935", "MDST8", "bowel", "colorectal adenocarcinoma"),
        ("ACH-000774", "RERF-LC-Ad2", "lung", "lung adenocarcinoma"),
        ("ACH-000787", "LXF-289", "lung", "lung adenocarcinoma"),
        ("ACH-000168", "NOMO-1", "myeloid", "acute myeloid leukaemia"),
        ("ACH-000183", "L363", "lymphoid", "multiple myeloma"),
        ("ACH-000937", "PF382", "lymphoid", "T-cell acute lymphoblastic leukaemia"),
        ("ACH-000946", "HEC265", "uterus", "endometrial adenocarcinoma"),
        ("ACH-000147", "T47D", "breast", "breast ductal carcinoma"),
        ("ACH-001411", "UMUC5", "bladder", "bladder urothelial carcinoma"),
    ],
    columns=["cell_line", "name", "lineage", "cancer"],
)

#: Oncogenes whose activating mutations make cancer cells depend on them (oncogene addiction).
ONCOGENES = ("BRAF", "KRAS", "NRAS", "CTNNB1", "PIK3CA")

#: Relative copy numbers below this are raised to it before taking log2: a homozygous
#: deletion (relative copy number near 0) would otherwise get a log2 of -30.
MIN_COPY_NUMBER = 0.25

#: The columns :func:`real_screen_model` reads.
COLUMNS = ("sgrna", "gene", "cell_line", "logfc", "n_replicates", "cn")

#: How :func:`real_screen_model` writes the guides around their gene.
GUIDES = ("centred", "non-centred")

#: How :func:`real_screen_model` samples the effects (the same model either way).
PARAMETERIZATIONS = ("projected", "direct")

#: Which axes the gene x cell-line effect sums to zero over in :func:`real_screen_model`.
INTERACTION_ZERO_SUM = ("both", "cell_line")


def _choice(name: str, value: object, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def collapse_replicates(logfc: pd.DataFrame) -> pd.DataFrame:
    """Average the replicates of each guide in each cell line.

    With noise that is normal with one sd ``sigma_c`` per cell line, the mean of ``n``
    replicates is normal with sd ``sigma_c / sqrt(n)`` around the same mean, and it is a
    sufficient statistic for that mean: a model of the mean learns the same about every
    effect as a model of the replicates. What the mean drops is the spread of the replicates
    around it (the within-replicate sum of squares, ``n - 1`` degrees of freedom per guide and
    line), which would otherwise also inform ``sigma_c``, and any effect that differs
    between replicates of one line (a replicate's own shift, its pDNA batch).

    Parameters
    ----------
    logfc : pandas.DataFrame
        Replicate-level logFC with columns ``sgrna``, ``gene``, ``cell_line``, ``replicate``
        and ``logfc`` (:func:`depmap_models.data.avana_logfc`; filter the replicates first).

    Returns
    -------
    pandas.DataFrame
        One row per guide and cell line measured at least once: ``sgrna``, ``gene``,
        ``cell_line`` (categorical, with only the categories present), ``logfc`` (the mean)
        and ``n_replicates``, sorted by cell line, gene and guide.

    Raises
    ------
    ValueError
        If a column is missing, the table is empty, a logFC is not finite, or a guide is
        listed under two genes.
    """
    if not isinstance(logfc, pd.DataFrame):
        raise ValueError(f"logfc must be a DataFrame, got {type(logfc).__name__}")
    missing = [c for c in ("sgrna", "gene", "cell_line", "replicate", "logfc") if c not in logfc]
    if missing:
        raise ValueError(f"logfc lacks the columns {missing}")
    if logfc.empty:
        raise ValueError("logfc is empty")
    if not np.isfinite(logfc["logfc"].to_numpy(dtype=float)).all():
        raise ValueError("logfc has values that are not finite")
    genes_per_guide = logfc.groupby(logfc["sgrna"].astype(str))["gene"].nunique()
    if (genes_per_guide > 1).any():
        raise ValueError(f"logfc lists guides under two genes: {list(genes_per_guide.index[:5])}")
    keys = [logfc[c].astype(str) for c in ("cell_line", "gene", "sgrna")]
    grouped = logfc.groupby(keys, sort=True)
    out = pd.DataFrame(
        {"logfc": grouped["logfc"].mean(), "n_replicates": grouped["replicate"].nunique()}
    ).reset_index()
    if (grouped.size() != out.set_index(["cell_line", "gene", "sgrna"])["n_replicates"]).any():
        raise ValueError("logfc lists a guide twice in one replicate")
    for column in ("sgrna", "gene", "cell_line"):
        out[column] = pd.Categorical(out[column], categories=sorted(out[column].unique()))
    return out[["sgrna", "gene", "cell_line", "logfc", "n_replicates"]]


def screen_data(
    cell_lines: Iterable[str] | None = None,
    genes: Iterable[str] | None = None,
    *,
    min_copy_number: float = MIN_COPY_NUMBER,
) -> pd.DataFrame:
    """Load the chapter's data: QC-passing replicates, collapsed, with centred log2 copy number.

    Parameters
    ----------
    cell_lines : iterable of str, optional
        DepMap ``ACH-`` ids; default the ten of :data:`CHAPTER_LINES`. Each needs at least
        one replicate that passes DepMap's QC.
    genes : iterable of str, optional
        Gene symbols; default all 883.
    min_copy_number : float, default :data:`MIN_COPY_NUMBER`
        Floor of the relative copy number before its log2; positive.

    Returns
    -------
    pandas.DataFrame
        :func:`collapse_replicates` of the passing replicates, plus ``cn_relative`` (the
        gene's relative copy number in the line, 1 where the sample has none: one gene,
        POU2AF3) and ``cn``: ``log2(max(cn_relative, min_copy_number))`` minus its mean
        over the gene and cell-line pairs (each pair once), so that 0 is the screen's
        average copy number.

    Raises
    ------
    ValueError
        If a cell line or gene is unknown (named), a cell line has no passing replicate,
        a selection is empty, or ``min_copy_number`` is not a positive number.
    """
    if (
        isinstance(min_copy_number, bool)
        or not isinstance(min_copy_number, int | float)
        or not np.isfinite(min_copy_number)
        or min_copy_number <= 0
    ):
        raise ValueError(f"min_copy_number must be a positive number, got {min_copy_number!r}")
    if cell_lines is None:
        cell_lines = list(CHAPTER_LINES["cell_line"])
    cell_lines = [cell_lines] if isinstance(cell_lines, str) else list(cell_lines)
    if genes is not None:
        genes = [genes] if isinstance(genes, str) else list(genes)
    logfc = avana.avana_logfc(cell_lines=cell_lines, genes=genes)
    passing = set(logfc.loc[logfc["passes_qc"], "cell_line"].astype(str))
    failing = sorted(set(cell_lines) - passing)
    if failing:
        raise ValueError(f"cell_lines without a replicate that passes QC: {failing}")
    table = collapse_replicates(logfc[logfc["passes_qc"]])

    cn = avana.copy_number(cell_lines=cell_lines, genes=genes)
    cn = cn.assign(cell_line=cn["cell_line"].astype(str), gene=cn["gene"].astype(str))
    pairs = table[["cell_line", "gene"]].astype(str).drop_duplicates()
    pairs = pairs.merge(cn, on=["cell_line", "gene"], how="left")
    pairs["cn_relative"] = pairs["cn"].fillna(1.0)
    log2_cn = np.log2(np.maximum(pairs["cn_relative"].to_numpy(), min_copy_number))
    pairs["cn"] = log2_cn - log2_cn.mean()
    keys = [table["cell_line"].astype(str), table["gene"].astype(str)]
    lookup = pairs.set_index(["cell_line", "gene"])
    index = pd.MultiIndex.from_arrays(keys)
    table = table.assign(
        cn_relative=lookup["cn_relative"].reindex(index).to_numpy(),
        cn=lookup["cn"].reindex(index).to_numpy(),
    )
    return table.reset_index(drop=True)


def cn_components(data: pd.DataFrame) -> dict[str, np.ndarray]:
    """Split the centred log2 copy number into gene, cell-line and interaction parts.

    With ``x[g, c]`` the copy number of gene ``g`` in line ``c`` (the data's ``cn``, one
    value per pair), ``x = x_gene[g] + x_line[c] + x_inter[g, c] + mean(x)``, where
    ``x_gene`` and ``x_line`` are the row and column means less the grand mean and
    ``x_inter`` sums to zero over genes and over lines: the two-way analysis of variance of
    the table. Each part lies in the span of one effect of :func:`real_screen_model`.

    Parameters
    ----------
    data : pandas.DataFrame
        With categorical ``gene`` and ``cell_line`` and a ``cn`` column that has one value
        per gene and line, every pair present.

    Returns
    -------
    dict of str to numpy.ndarray
        ``x`` (genes x lines), ``x_gene`` (genes), ``x_line`` (lines), ``x_inter``
        (genes x lines) and ``grand_mean`` (a 0-d array).

    Raises
    ------
    ValueError
        If a pair of gene and line is missing, or a pair has two copy numbers.
    """
    data = model_data(data, ("gene", "cell_line", "cn"))
    genes, lines = data["gene"].cat.categories, data["cell_line"].cat.categories
    pairs = data.groupby(["gene", "cell_line"], observed=False)["cn"].agg(["min", "max", "size"])
    if (pairs["size"] == 0).any():
        missing = list(pairs.index[pairs["size"] == 0][:5])
        raise ValueError(f"data lack pairs of gene and cell line, for example {missing}")
    if not np.allclose(pairs["min"], pairs["max"]):
        raise ValueError("data give two copy numbers to one pair of gene and cell line")
    x = pairs["min"].to_numpy().reshape(len(genes), len(lines))
    grand = x.mean()
    x_gene, x_line = x.mean(axis=1) - grand, x.mean(axis=0) - grand
    x_inter = x - x_gene[:, None] - x_line[None, :] - grand
    return {"x": x, "x_gene": x_gene, "x_line": x_line, "x_inter": x_inter,
            "grand_mean": np.asarray(grand)}


def real_screen_model(
    data: pd.DataFrame,
    *,
    parameterization: str = "projected",
    guides: str = "centred",
    interaction_zero_sum: str = "both",
) -> pm.Model:
    """Build the identified model of chapter 13 for collapsed real data.

    For guide ``s`` of gene ``g`` in cell line ``c``, with ``n`` replicates averaged::

        logfc[s, c] ~ N(mu[s, c], sigma_c[c] / sqrt(n))
        mu[s, c] = alpha_s[s] + gamma_c[c] + theta_gc[g, c] + eta * cn[g, c]
        alpha_s[s] ~ N(epsilon_g[g], sigma_alpha)        epsilon_g ~ N(mu_epsilon, sigma_epsilon)
        gamma_c ~ ZeroSumNormal(sigma_gamma)             (sums to zero over cell lines)
        theta_gc ~ ZeroSumNormal(sigma_theta)            (over cell lines and over genes)

    with ``mu_epsilon ~ N(-0.75, 0.5)``, ``sigma_epsilon ~ Gamma(2, 3)`` (shape and rate),
    ``sigma_alpha, sigma_gamma ~ Exp(2)``, ``sigma_theta ~ Exp(4)``, ``eta ~ N(0, 0.5)``
    and ``sigma_c ~ Exp(2)``. Each constraint leaves one job to one variable: the gene's
    effect in the average cell line is ``epsilon_g`` (``theta_gc`` sums to zero over lines);
    a line's shift of every guide is ``gamma_c`` (``theta_gc`` sums to zero over genes,
    else its per-line mean would compete with ``gamma_c``); the overall level is
    ``mu_epsilon`` (``gamma_c`` sums to zero).

    Every part of the copy number (:func:`cn_components`) lies in the span of one effect:
    its gene means in ``epsilon_g``'s, its line means in ``gamma_c``'s, the rest in
    ``theta_gc``'s. So the likelihood sees only the sums, and ``eta`` is learned from the
    priors of the effects alone: how far the effects would have to stray from their
    hierarchical distributions to explain the data without it.
    ``parameterization="projected"`` samples those sums, the effects *in total*,

    - ``epsilon_g_total = epsilon_g + eta * x_gene``, ``alpha_s_total = alpha_s +
      eta * x_gene[g]`` (so ``alpha_s_total ~ N(epsilon_g_total[g], sigma_alpha)``),
    - ``gamma_c_total = gamma_c + eta * x_line``, ``theta_gc_total = theta_gc + eta * x_inter``,

    with the shifted priors (a ``pm.Potential`` moves each zero-sum normal's centre to
    ``eta`` times its part), and gives back ``epsilon_g`` and ``gamma_c`` as deterministics
    (``alpha_s`` and ``theta_gc``, large, come from :func:`effects`). The same model as
    ``"direct"``, which samples the effects as written: the shift has Jacobian 1.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`screen_data`: categorical ``sgrna``, ``gene`` and ``cell_line``, ``logfc``,
        ``n_replicates`` (positive integers) and ``cn`` (centred log2 copy number), with
        every pair of gene and cell line present.
    parameterization : {"projected", "direct"}
        Sample the effects in total (``"projected"``) or as written (``"direct"``; PyMC
        cannot draw prior predictive samples of a model with a ``pm.Potential``, so the
        chapter draws them from this form).
    guides : {"centred", "non-centred"}
        ``"centred"``: the guides are sampled around their gene; ``"non-centred"``:
        as standard normals ``alpha_z`` that ``sigma_alpha`` stretches (``alpha_s``, or
        ``alpha_s_total``, then deterministic).
    interaction_zero_sum : {"both", "cell_line"}
        ``"both"``: ``theta_gc`` sums to zero over genes and over cell lines (the identified
        model); ``"cell_line"``: over cell lines only, which leaves its per-line mean free to
        trade off against ``gamma_c`` (for showing why; ``"direct"`` only).

    Returns
    -------
    pymc.Model
        Dims ``gene``, ``sgrna``, ``cell_line`` and ``obs``; the observed variable is
        ``logfc``.

    Raises
    ------
    ValueError
        If a column is missing or not categorical, ``n_replicates`` is not a positive
        integer, ``cn`` or ``logfc`` is not finite, a pair of gene and line is missing, an
        option is unknown, or ``interaction_zero_sum="cell_line"`` is asked of the
        projected form.
    """
    parameterization = _choice("parameterization", parameterization, PARAMETERIZATIONS)
    guides = _choice("guides", guides, GUIDES)
    interaction_zero_sum = _choice("interaction_zero_sum", interaction_zero_sum,
                                   INTERACTION_ZERO_SUM)
    if parameterization == "projected" and interaction_zero_sum != "both":
        raise ValueError(
            "interaction_zero_sum must be 'both' for the projected parameterization, "
            f"got {interaction_zero_sum!r}"
        )
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a DataFrame, got {type(data).__name__}")
    data = model_data(data, COLUMNS)
    n = data["n_replicates"].to_numpy()
    if not (np.issubdtype(n.dtype, np.integer) and (n >= 1).all()):
        raise ValueError("n_replicates must hold positive integers")
    for column in ("logfc", "cn"):
        if not np.isfinite(data[column].to_numpy(dtype=float)).all():
            raise ValueError(f"column {column!r} has values that are not finite")
    cn = cn_components(data)
    n_lines = len(data["cell_line"].cat.categories)
    # The mean is built as a dense guides x lines table, then read at the measured cells.
    cell = codes(data, "sgrna").astype(np.int64) * n_lines + codes(data, "cell_line")
    line_idx = codes(data, "cell_line")
    gene_of_sgrna = sgrna_gene_index(data)

    with pm.Model(coords=model_coords(data, ["gene", "sgrna", "cell_line"])) as model:
        mu_epsilon = pm.Normal("mu_epsilon", -0.75, 0.5)
        sigma_epsilon = pm.Gamma("sigma_epsilon", 2, 3)
        sigma_alpha = pm.Exponential("sigma_alpha", 2)
        sigma_gamma = pm.Exponential("sigma_gamma", 2)
        sigma_theta = pm.Exponential("sigma_theta", 4)
        eta = pm.Normal("eta", 0, 0.5)
        sigma_c = pm.Exponential("sigma_c", 2, dims="cell_line")
        if parameterization == "direct":
            epsilon_g = pm.Normal("epsilon_g", mu_epsilon, sigma_epsilon, dims="gene")
            alpha_s = _guides("alpha_s", epsilon_g[gene_of_sgrna], sigma_alpha, guides)
            gamma_c = pm.ZeroSumNormal("gamma_c", sigma_gamma, dims="cell_line")
            theta_gc = pm.ZeroSumNormal(
                "theta_gc", sigma_theta, dims=("gene", "cell_line"),
                n_zerosum_axes=2 if interaction_zero_sum == "both" else 1,
            )
            table = (alpha_s[:, None] + gamma_c[None, :] + theta_gc[gene_of_sgrna, :]
                     + eta * cn["x"][gene_of_sgrna, :])
        else:
            epsilon_total = pm.Normal(
                "epsilon_g_total", mu_epsilon + eta * cn["x_gene"], sigma_epsilon, dims="gene"
            )
            alpha_total = _guides("alpha_s_total", epsilon_total[gene_of_sgrna], sigma_alpha,
                                  guides)
            gamma_total = pm.ZeroSumNormal("gamma_c_total", sigma_gamma, dims="cell_line")
            theta_total = pm.ZeroSumNormal(
                "theta_gc_total", sigma_theta, dims=("gene", "cell_line"), n_zerosum_axes=2
            )
            # ZeroSumNormal(sigma) centred at eta * part instead of 0: the log density gains
            # (2 eta <total, part> - eta^2 |part|^2) / (2 sigma^2), the same on the subspace.
            for name, total, part, sigma in (
                ("gamma_c_shift", gamma_total, cn["x_line"], sigma_gamma),
                ("theta_gc_shift", theta_total, cn["x_inter"], sigma_theta),
            ):
                pm.Potential(
                    name,
                    (2 * eta * (total * part).sum() - eta**2 * float((part**2).sum()))
                    / (2 * sigma**2),
                )
            pm.Deterministic("epsilon_g", epsilon_total - eta * cn["x_gene"], dims="gene")
            pm.Deterministic("gamma_c", gamma_total - eta * cn["x_line"], dims="cell_line")
            table = alpha_total[:, None] + gamma_total[None, :] + theta_total[gene_of_sgrna, :]
        pm.Normal(
            "logfc",
            table.ravel()[cell],
            sigma_c[line_idx] / np.sqrt(n),
            observed=data["logfc"].to_numpy(),
            dims="obs",
        )
    return model


def _guides(name: str, centre, sigma_alpha, guides: str):
    if guides == "centred":
        return pm.Normal(name, centre, sigma_alpha, dims="sgrna")
    alpha_z = pm.Normal("alpha_z", 0, 1, dims="sgrna")
    return pm.Deterministic(name, centre + sigma_alpha * alpha_z, dims="sgrna")


def effects(idata, data: pd.DataFrame) -> xr.Dataset:
    """Return the identified effects of a fit, whichever parameterization sampled them.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of :func:`real_screen_model` to ``data``.
    data : pandas.DataFrame
        The data of the fit.

    Returns
    -------
    xarray.Dataset
        ``epsilon_g``, ``alpha_s``, ``gamma_c``, ``theta_gc`` and ``eta``, per draw; for the
        projected form, each total less ``eta`` times its part of the copy number.

    Raises
    ------
    ValueError
        If the posterior holds neither form's variables.
    """
    posterior = idata["posterior"]
    names = ("epsilon_g", "alpha_s", "gamma_c", "theta_gc", "eta")
    if all(name in posterior for name in names):
        return posterior.to_dataset()[list(names)]
    totals = ("epsilon_g_total", "alpha_s_total", "gamma_c_total", "theta_gc_total", "eta")
    if not all(name in posterior for name in totals):
        raise ValueError("idata holds neither the direct nor the projected model's variables")
    cn = cn_components(model_data(data, COLUMNS))
    gene_of_sgrna = sgrna_gene_index(data)
    eta = posterior["eta"]
    x_gene = xr.DataArray(cn["x_gene"], dims="gene")
    return xr.Dataset(
        {
            "epsilon_g": posterior["epsilon_g_total"] - eta * x_gene,
            "alpha_s": posterior["alpha_s_total"]
            - eta * xr.DataArray(cn["x_gene"][gene_of_sgrna], dims="sgrna"),
            "gamma_c": posterior["gamma_c_total"] - eta * xr.DataArray(cn["x_line"],
                                                                      dims="cell_line"),
            "theta_gc": posterior["theta_gc_total"]
            - eta * xr.DataArray(cn["x_inter"], dims=("gene", "cell_line")),
            "eta": eta,
        }
    )


def gene_effect(idata, data: pd.DataFrame) -> xr.DataArray:
    """Return the gene effect of each gene in each line, ``epsilon_g + theta_gc``, per draw.

    Copy number is taken out (its gene and interaction parts), and so is the line's shift
    ``gamma_c``, which moves every guide of the line alike.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of :func:`real_screen_model` to ``data``.
    data : pandas.DataFrame
        The data of the fit.

    Returns
    -------
    xarray.DataArray
        Dims ``chain``, ``draw``, ``gene``, ``cell_line``, on the logFC scale (see
        :func:`depmap_scale` for DepMap's).

    Raises
    ------
    ValueError
        If the posterior holds neither form's variables.
    """
    posterior = idata["posterior"]
    if "theta_gc" in posterior and "epsilon_g" in posterior:
        return (posterior["epsilon_g"] + posterior["theta_gc"]).rename("gene_effect")
    if "theta_gc_total" not in posterior or "epsilon_g_total" not in posterior:
        raise ValueError("idata holds neither the direct nor the projected model's variables")
    cn = cn_components(model_data(data, COLUMNS))
    # epsilon_g + theta_gc = totals less eta times the gene and interaction parts.
    part = cn["x_gene"][:, None] + cn["x_inter"]
    theta = posterior["theta_gc_total"].transpose("chain", "draw", "gene", "cell_line")
    values = theta.values + posterior["epsilon_g_total"].transpose("chain", "draw", "gene").values[
        ..., None
    ]
    eta = posterior["eta"].transpose("chain", "draw").values
    for chain in range(values.shape[0]):  # in place, one chain at a time: these are large
        values[chain] -= eta[chain][:, None, None] * part
    return xr.DataArray(values, coords=theta.coords, dims=theta.dims, name="gene_effect")


def depmap_scale(
    effect: xr.DataArray, nonessential: Iterable[str], essential: Iterable[str]
) -> xr.DataArray:
    """Rescale gene effects linearly: median non-essential gene 0, median essential gene -1.

    DepMap's scale. With ``m0`` and ``m1`` the medians of the non-essential and essential
    genes (with a ``cell_line`` dim: the median over lines of each line's median, as DepMap
    scales Chronos's output), the result is ``(effect - m0) / (m0 - m1)``, computed per draw
    when ``effect`` has draws. A linear map: it changes no ranking and no AUROC.

    Parameters
    ----------
    effect : xarray.DataArray
        Gene effects with a ``gene`` dim (and optionally ``cell_line``, ``chain``, ``draw``).
    nonessential, essential : iterable of str
        Gene symbols of the two anchor sets; those not among ``effect``'s genes are ignored.

    Returns
    -------
    xarray.DataArray
        Same dims as ``effect``.

    Raises
    ------
    ValueError
        If ``effect`` has no ``gene`` dim, either set has no gene in it, or the two
        medians coincide somewhere.
    """
    if not isinstance(effect, xr.DataArray) or "gene" not in effect.dims:
        raise ValueError("effect must be a DataArray with a 'gene' dim")
    genes = set(map(str, effect["gene"].values))
    anchors = {}
    for name, members in (("nonessential", nonessential), ("essential", essential)):
        chosen = sorted(genes & set(members))
        if not chosen:
            raise ValueError(f"{name} has no gene among effect's genes")
        median = effect.sel(gene=chosen).median("gene")
        if "cell_line" in median.dims:
            median = median.median("cell_line")
        anchors[name] = median
    spread = anchors["nonessential"] - anchors["essential"]
    if bool((spread == 0).any()):
        raise ValueError("the non-essential and essential medians coincide")
    scaled = effect - anchors["nonessential"]
    scaled /= spread
    return scaled


def mutant_contrast(
    effect: xr.DataArray, mutations: pd.DataFrame, genes: Iterable[str] = ONCOGENES
) -> xr.DataArray:
    """Per gene: mean gene effect in its mutant lines minus that in the other lines, per draw.

    Negative when the mutant lines depend on the gene more (their knock-out depletes more).
    A line "without a mutation" is one where the sample lists none, which is not the same as
    wild type: the sample lists selected driver mutations only.

    Parameters
    ----------
    effect : xarray.DataArray
        Gene effects with dims ``gene`` and ``cell_line`` (:func:`gene_effect`).
    mutations : pandas.DataFrame
        With ``cell_line`` and ``gene`` columns (:func:`depmap_models.data.mutations`).
    genes : iterable of str
        The genes to contrast; default :data:`ONCOGENES`.

    Returns
    -------
    xarray.DataArray
        Dims ``gene`` (in the order given) and whatever else ``effect`` has, less
        ``cell_line``; with the coordinates ``n_mutant`` and ``n_other`` along ``gene``.

    Raises
    ------
    ValueError
        If ``effect`` lacks the dims, a gene is not in it (named), or a gene has no mutant
        line or no other line among ``effect``'s lines.
    """
    if not isinstance(effect, xr.DataArray) or not {"gene", "cell_line"} <= set(effect.dims):
        raise ValueError("effect must be a DataArray with 'gene' and 'cell_line' dims")
    genes = [genes] if isinstance(genes, str) else list(genes)
    if not genes:
        raise ValueError("genes is empty")
    unknown = sorted(set(genes) - set(map(str, effect["gene"].values)))
    if unknown:
        raise ValueError(f"genes not in effect: {unknown}")
    lines = np.asarray(effect["cell_line"].values).astype(str)
    contrasts, n_mutant, n_other = [], [], []
    for gene in genes:
        mutant_lines = set(mutations.loc[mutations["gene"].astype(str) == gene, "cell_line"]
                           .astype(str))
        is_mutant = np.isin(lines, sorted(mutant_lines))
        if not is_mutant.any() or is_mutant.all():
            raise ValueError(f"gene {gene!r} needs both mutant and other lines among effect's")
        row = effect.sel(gene=gene)
        contrasts.append(
            row.isel(cell_line=np.flatnonzero(is_mutant)).mean("cell_line")
            - row.isel(cell_line=np.flatnonzero(~is_mutant)).mean("cell_line")
        )
        n_mutant.append(int(is_mutant.sum()))
        n_other.append(int((~is_mutant).sum()))
    out = xr.concat(contrasts, dim="gene").assign_coords(
        gene=genes, n_mutant=("gene", n_mutant), n_other=("gene", n_other)
    )
    return out.rename("mutant_minus_other")


def summarize_draws(draws: xr.DataArray, *, interval: float = 0.89) -> pd.DataFrame:
    """Posterior mean and central interval of every value of a DataArray of draws, as a table.

    Parameters
    ----------
    draws : xarray.DataArray
        With dims ``chain`` and ``draw`` and any others (``gene``, ``cell_line``).
    interval : float, default 0.89
        The probability of the central interval, in (0, 1): its ends are the
        ``(1 - interval) / 2`` and ``(1 + interval) / 2`` quantiles of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per value, indexed by the other dims (as :meth:`xarray.DataArray.to_series`
        indexes them): ``mean``, ``low`` and ``high``.

    Raises
    ------
    ValueError
        If ``draws`` is not a DataArray with ``chain`` and ``draw`` dims and at least one
        other, or ``interval`` is not a number in (0, 1).
    """
    if not isinstance(draws, xr.DataArray) or not {"chain", "draw"} <= set(draws.dims):
        raise ValueError("draws must be a DataArray with 'chain' and 'draw' dims")
    if len(draws.dims) < 3:
        raise ValueError("draws needs a dim besides 'chain' and 'draw'")
    if isinstance(interval, bool) or not isinstance(interval, int | float) or not 0 < interval < 1:
        raise ValueError(f"interval must be a number in (0, 1), got {interval!r}")
    sample = ("chain", "draw")
    ends = draws.quantile([(1 - interval) / 2, (1 + interval) / 2], dim=sample)
    return pd.DataFrame({
        "mean": draws.mean(sample).to_series(),
        "low": ends.isel(quantile=0, drop=True).to_series(),
        "high": ends.isel(quantile=1, drop=True).to_series(),
    })


#: The committed results of ``benchmarks/real_screen_scaling.py``.
SCALING_RESULTS = (Path(__file__).resolve().parents[2] / "benchmarks" / "results"
                   / "real_screen_scaling.csv")


def scaling_results(path: str | Path | None = None) -> pd.DataFrame:
    """Return the committed measurements of how the model's cost grows with the screen.

    One row per size (5, 10, 20 and all 41 QC-passing lines, all genes): observations,
    parameters, NUTS's compile and sampling seconds, ESS, CPU seconds and peak memory, and
    ADVI's seconds and agreement with NUTS. ``benchmarks/real_screen_scaling.py`` wrote them
    (its docstring describes each column); a chapter reads them and never reruns it.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Another results file; default :data:`SCALING_RESULTS`.

    Returns
    -------
    pandas.DataFrame
        Sorted by the number of lines.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path) if path is not None else SCALING_RESULTS
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: run benchmarks/real_screen_scaling.py --out {path}"
        )
    return pd.read_csv(path).sort_values("lines", ignore_index=True)

