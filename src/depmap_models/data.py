"""A real screen: the DepMap Avana sample, read from the committed copy in ``data/avana/``.

The files were converted from the Chronos repository's sample data (a subset of DepMap
public 20Q4) and BAGEL's reference gene sets by ``scripts/make_avana_data.py``;
``data/README.md`` gives the sources, licences, citations and checksums. This module reads
only that committed copy, never the upstream files.

The screen: 3,474 sgRNAs targeting 883 genes, 92 sequenced replicates of 44 cell lines (6 of
them fail DepMap's QC) and 3 plasmid (pDNA) references, one per pDNA batch.

- :func:`avana_logfc`: guide-level log2 fold changes against the pDNA, one row per guide and
  replicate;
- :func:`replicates`, :func:`cell_lines`: the sequence map, per replicate and per cell line;
- :func:`reference_genes`: essential and non-essential gene sets (BAGEL's CEGv2 and NEGv1,
  DepMap's Achilles controls);
- :func:`copy_number`, :func:`expression`, :func:`mutations`: the omics tables, long.

Cell lines are DepMap ``ACH-`` ids, genes HGNC symbols as the upstream files spell them.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DATA_DIR",
    "PSEUDOCOUNT",
    "avana_logfc",
    "chronos_gene_effect",
    "cell_lines",
    "copy_number",
    "expression",
    "mutations",
    "reference_genes",
    "replicates",
]

#: Where the converted copy lives (committed with the repository).
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "avana"
#: Default pseudocount of :func:`avana_logfc`, in counts per million.
PSEUDOCOUNT = 1.0
#: ``cell_line`` of the plasmid references in the sequence map.
PDNA = "pDNA"


def _path(name: str) -> Path:
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: the Avana sample is read from the repository's data/avana/ "
            "(made by scripts/make_avana_data.py; see data/README.md)"
        )
    return path


@cache
def _sequence_map() -> pd.DataFrame:
    return pd.read_csv(_path("sequence_map.csv"))


@cache
def _guide_map() -> pd.DataFrame:
    return pd.read_csv(_path("guide_map.csv"), dtype={"drop_reason": str})


@cache
def _readcounts() -> pd.DataFrame:
    counts = pd.read_csv(_path("readcounts.csv.gz"), index_col="sgrna")
    return counts.astype(float)


def _kept_guides() -> pd.DataFrame:
    """Return the guide map less the guides it drops (a DropReason, or not used by Chronos)."""
    guides = _guide_map()
    keep = guides["drop_reason"].isna() & guides["used_by_chronos"]
    return guides[keep & guides["sgrna"].isin(_readcounts().index)]


def _screen_cell_lines() -> list[str]:
    return sorted(set(_sequence_map()["cell_line"]) - {PDNA})


def _screen_genes() -> list[str]:
    return sorted(set(_guide_map()["gene"]))


def _selection(names, known: Iterable[str], what: str) -> list[str] | None:
    """Check names asked for (None for all, one name, or several) against ``known``."""
    if names is None:
        return None
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"{what} is empty: pass None for all")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ValueError(f"{what} must be strings, got {bad!r}")
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown {what}: {unknown}")
    return sorted(set(names))


def _check_pseudocount(pseudocount) -> float:
    if (
        isinstance(pseudocount, bool)
        or not isinstance(pseudocount, numbers.Real)
        or not np.isfinite(pseudocount)
        or pseudocount <= 0
    ):
        raise ValueError(f"pseudocount must be a positive finite number, got {pseudocount!r}")
    return float(pseudocount)


def _categorical(values: Iterable[str]) -> pd.Categorical:
    values = np.asarray(list(values), dtype=object)
    return pd.Categorical(values, categories=sorted(set(values)))


def avana_logfc(
    cell_lines: str | Iterable[str] | None = None,
    genes: str | Iterable[str] | None = None,
    *,
    pseudocount: float = PSEUDOCOUNT,
) -> pd.DataFrame:
    """Guide-level log2 fold changes of the Avana sample, one row per guide and replicate.

    Every sequenced replicate (not the pDNA references) is included, those that fail
    DepMap's QC too, flagged by ``passes_qc``. For replicate ``r`` of pDNA batch ``b`` and
    guide ``s``::

        cpm[s, r] = 1e6 * reads[s, r] / sum over kept guides s' of reads[s', r]
        logfc[s, r] = log2(cpm[s, r] + pseudocount) - log2(mean_p cpm[s, p] + pseudocount)

    where the mean runs over the pDNA samples ``p`` of batch ``b`` (one per batch in this
    sample), normalized the same way. Depth is taken over all kept guides, so a value does
    not depend on which cell lines or genes are asked for.

    Rows are dropped, not imputed, where a read count is NaN (731 replicate-guide pairs; the
    pDNA has none) and where the batch's pDNA has no count for the guide (none here). Guides
    that the guide map drops (a ``drop_reason``, or ``used_by_chronos`` False) are left out
    before normalizing; there are none in this sample, so all 3,474 guides are kept,
    including the 178 that align to more than one place in the genome (``n_alignments`` in
    ``guide_map.csv``), which Chronos uses too. With every cell line and gene that gives
    92 x 3,474 - 731 = 318,877 rows.

    Parameters
    ----------
    cell_lines : str or iterable of str, optional
        DepMap ``ACH-`` ids to keep; None (the default) for all 44.
    genes : str or iterable of str, optional
        Gene symbols to keep; None (the default) for all 883.
    pseudocount : float, default 1.0
        Added to the counts per million of the replicate and of the pDNA before taking logs;
        must be a positive finite number. At 1, a guide with no reads gets a logFC around -8.

    Returns
    -------
    pandas.DataFrame
        Columns ``sgrna``, ``gene``, ``cell_line``, ``replicate`` (the upstream
        ``sequence_ID``; all four categorical with sorted categories), ``passes_qc`` (bool),
        ``logfc`` (float) and ``pdna_batch`` (categorical), sorted by cell line, replicate,
        gene and sgRNA, with a fresh RangeIndex.

    Raises
    ------
    ValueError
        If a cell line or gene is unknown (the message names them), if a selection is
        empty, or if ``pseudocount`` is not a positive finite number.
    FileNotFoundError
        If the committed files are missing.

    Examples
    --------
    >>> df = avana_logfc(cell_lines="ACH-000004", genes=["KRAS", "RPL3"])  # doctest: +SKIP
    """
    pc = _check_pseudocount(pseudocount)
    cell_lines = _selection(cell_lines, _screen_cell_lines(), "cell_lines")
    genes = _selection(genes, _screen_genes(), "genes")

    seq = _sequence_map()
    guides = _kept_guides().sort_values(["gene", "sgrna"])
    counts = _readcounts().loc[guides["sgrna"]]
    cpm = counts / counts.sum(axis=0) * 1e6  # NaN counts are skipped by the sum

    pdna = seq[seq["cell_line"] == PDNA]
    reference = {
        batch: cpm[group["sequence_id"]].mean(axis=1, skipna=True).to_numpy()
        for batch, group in pdna.groupby("pdna_batch")
    }

    samples = seq[seq["cell_line"] != PDNA]
    if cell_lines is not None:
        samples = samples[samples["cell_line"].isin(cell_lines)]
    samples = samples.sort_values(["cell_line", "sequence_id"])
    if genes is not None:
        keep = guides["gene"].isin(genes).to_numpy()
        guides, cpm = guides[keep], cpm[keep]
        reference = {batch: ref[keep] for batch, ref in reference.items()}

    sample_cpm = cpm[samples["sequence_id"]].to_numpy()  # guides x replicates
    ref_cpm = np.column_stack([reference[b] for b in samples["pdna_batch"]])
    logfc = np.log2(sample_cpm + pc) - np.log2(ref_cpm + pc)

    n_guides, n_reps = logfc.shape
    values = logfc.T.ravel()  # replicate-major: all guides of one replicate, then the next
    keep = np.isfinite(values)
    guide_idx = np.tile(np.arange(n_guides), n_reps)[keep]
    rep_idx = np.repeat(np.arange(n_reps), n_guides)[keep]

    def column(values: pd.Series, idx: np.ndarray) -> pd.Categorical:
        return _categorical(values.to_numpy(dtype=object)[idx])

    return pd.DataFrame(
        {
            "sgrna": column(guides["sgrna"], guide_idx),
            "gene": column(guides["gene"], guide_idx),
            "cell_line": column(samples["cell_line"], rep_idx),
            "replicate": column(samples["sequence_id"], rep_idx),
            "passes_qc": samples["passes_qc"].to_numpy(dtype=bool)[rep_idx],
            "logfc": values[keep],
            "pdna_batch": column(samples["pdna_batch"], rep_idx),
        }
    )


def replicates() -> pd.DataFrame:
    """List the sequenced replicates of the screen (the sequence map less the pDNA references).

    Returns
    -------
    pandas.DataFrame
        One row per replicate, sorted by cell line and replicate: ``replicate`` (the upstream
        ``sequence_ID``), ``cell_line``, ``pdna_batch``, ``days`` (21 for all),
        ``passes_qc``, ``screen_id`` and ``replicate_label`` (upstream ``Replicate``, A to D).

    Raises
    ------
    FileNotFoundError
        If the committed files are missing.
    """
    seq = _sequence_map()
    seq = seq[seq["cell_line"] != PDNA].sort_values(["cell_line", "sequence_id"])
    out = seq.rename(columns={"sequence_id": "replicate"})[
        [
            "replicate",
            "cell_line",
            "pdna_batch",
            "days",
            "passes_qc",
            "screen_id",
            "replicate_label",
        ]
    ]
    return out.reset_index(drop=True)


def cell_lines() -> pd.DataFrame:
    """One row per screened cell line: how many replicates, how many pass QC, which pDNA batch.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell_line`` (sorted), ``n_replicates``, ``n_passing_qc`` and
        ``pdna_batches`` (the batches of its replicates, comma-separated; one cell line,
        screened twice, has two).

    Raises
    ------
    FileNotFoundError
        If the committed files are missing.
    """
    reps = replicates()
    grouped = reps.groupby("cell_line", sort=True)
    return pd.DataFrame(
        {
            "n_replicates": grouped.size(),
            "n_passing_qc": grouped["passes_qc"].sum().astype(int),
            "pdna_batches": grouped["pdna_batch"].agg(lambda b: ", ".join(sorted(set(b)))),
        }
    ).reset_index()


def reference_genes(*, in_screen: bool = False) -> dict[str, list[str]]:
    """Return reference sets of essential and non-essential genes, as sorted lists of symbols.

    Symbols are as each source spells them. BAGEL's lists predate some HGNC renamings
    (CEGv2 has ``IARS``, ``QARS``, ``VARS`` where the screen has ``IARS1``, ...), so a match
    by symbol finds 140 CEGv2 and 359 NEGv1 genes in the screen; ``cegv2.csv`` and
    ``negv1.csv`` keep the Entrez ids for a match by id.

    Parameters
    ----------
    in_screen : bool, default False
        Keep only the genes targeted by the screen's guides.

    Returns
    -------
    dict of str to list of str
        ``essential``: BAGEL's core-essential genes CEGv2 (684; 140 in the screen);
        ``nonessential``: BAGEL's non-essential genes NEGv1 (926, the duplicated SLC34A1
        counted once; 359 in the screen); ``common_essential_controls`` (323) and
        ``nonessential_controls`` (380): DepMap's Achilles control sets.

    Raises
    ------
    FileNotFoundError
        If the committed files are missing.
    """
    files = {
        "essential": "cegv2.csv",
        "nonessential": "negv1.csv",
        "common_essential_controls": "controls_common_essential.csv",
        "nonessential_controls": "controls_nonessential.csv",
    }
    screen = set(_screen_genes())
    out = {}
    for key, name in files.items():
        genes = set(pd.read_csv(_path(name), usecols=["gene"])["gene"])
        out[key] = sorted(genes & screen if in_screen else genes)
    return out


def _omics_long(
    name: str, value: str, cell_lines: str | Iterable[str] | None, genes: str | Iterable[str] | None
) -> pd.DataFrame:
    cell_lines = _selection(cell_lines, _screen_cell_lines(), "cell_lines")
    genes = _selection(genes, _screen_genes(), "genes")
    wide = pd.read_csv(_path(name), index_col="cell_line")
    if cell_lines is not None:
        wide = wide.loc[wide.index.intersection(cell_lines)]
    if genes is not None:
        wide = wide[wide.columns.intersection(genes)]
    wide.columns.name = "gene"
    long = wide.stack().rename(value).reset_index().sort_values(["cell_line", "gene"])
    long["cell_line"] = _categorical(long["cell_line"])
    long["gene"] = _categorical(long["gene"])
    return long.reset_index(drop=True)


def copy_number(
    cell_lines: str | Iterable[str] | None = None, genes: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Relative gene copy number (DepMap ``OmicsCNGene``) of the screened cell lines and genes.

    Covers the 44 screened cell lines and 882 of the 883 screened genes (6 significant
    digits); a gene or cell line without a value has no rows.

    Parameters
    ----------
    cell_lines : str or iterable of str, optional
        DepMap ``ACH-`` ids of the screen; None for all.
    genes : str or iterable of str, optional
        Gene symbols of the screen; None for all.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell_line``, ``gene`` (categorical) and ``cn`` (relative copy number,
        about 1 for a diploid-like gene), sorted by cell line and gene.

    Raises
    ------
    ValueError
        If a cell line or gene is not in the screen (the message names them).
    FileNotFoundError
        If the committed files are missing.
    """
    return _omics_long("copy_number.csv.gz", "cn", cell_lines, genes)


def expression(
    cell_lines: str | Iterable[str] | None = None, genes: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """RNA expression, log2(TPM + 1) (DepMap ``OmicsExpressionProteinCodingGenesTPMLogp1``).

    Covers the 44 screened cell lines but only 105 of the 883 screened genes (the upstream
    sample holds 106 genes); a gene without a value has no rows.

    Parameters
    ----------
    cell_lines : str or iterable of str, optional
        DepMap ``ACH-`` ids of the screen; None for all.
    genes : str or iterable of str, optional
        Gene symbols of the screen; None for all.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell_line``, ``gene`` (categorical) and ``rna`` (log2(TPM + 1)), sorted by
        cell line and gene.

    Raises
    ------
    ValueError
        If a cell line or gene is not in the screen (the message names them).
    FileNotFoundError
        If the committed files are missing.
    """
    return _omics_long("expression.csv.gz", "rna", cell_lines, genes)


def mutations(
    cell_lines: str | Iterable[str] | None = None, genes: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Somatic mutations (DepMap ``OmicsSomaticMutations``) in the screened cell lines.

    The upstream sample lists selected mutations only (99 in 49 genes, every one flagged
    likely gain of function and likely driver; 67 of them in screened cell lines), not every
    mutation of a cell line: a cell line and gene without a row is not known to be wild type.

    Parameters
    ----------
    cell_lines : str or iterable of str, optional
        DepMap ``ACH-`` ids of the screen; None for all.
    genes : str or iterable of str, optional
        Gene symbols of the screen; None for all.

    Returns
    -------
    pandas.DataFrame
        One row per mutation (a cell line can have several in one gene): ``cell_line``,
        ``gene`` (categorical), ``dna_change``, ``protein_change``, ``likely_gof``,
        ``driver`` and ``likely_driver`` (bool), sorted by cell line, gene and DNA change.

    Raises
    ------
    ValueError
        If a cell line or gene is not in the screen (the message names them).
    FileNotFoundError
        If the committed files are missing.
    """
    cell_lines = _selection(cell_lines, _screen_cell_lines(), "cell_lines")
    genes = _selection(genes, _screen_genes(), "genes")
    mut = pd.read_csv(_path("mutations.csv")).drop(columns="entrez_id")
    if cell_lines is not None:
        mut = mut[mut["cell_line"].isin(cell_lines)]
    if genes is not None:
        mut = mut[mut["gene"].isin(genes)]
    mut = mut.sort_values(["cell_line", "gene", "dna_change"]).reset_index(drop=True)
    mut["cell_line"] = _categorical(mut["cell_line"])
    mut["gene"] = _categorical(mut["gene"])
    return mut


def chronos_gene_effect(
    cell_lines: str | Iterable[str] | None = None, genes: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Chronos's gene effects on this sample, as ``benchmarks/chronos_reference.py`` made them.

    Chronos 2.3.11 (Dempster et al. 2021) fitted to the replicates that pass QC, with its
    defaults; the gene effects are copy-number corrected and scaled so that the median
    non-essential control is 0 and the median common-essential control -1 (DepMap's scale).
    The 3 cell lines with no passing replicate are absent (41 of 44). ``data/README.md``
    gives the versions, seeds and command.

    Parameters
    ----------
    cell_lines : str or iterable of str, optional
        DepMap ``ACH-`` ids to keep (lines Chronos did not fit are skipped); None for all.
    genes : str or iterable of str, optional
        Gene symbols to keep; None for all 883.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell_line``, ``gene`` (categorical) and ``gene_effect``, sorted.

    Raises
    ------
    ValueError
        If a cell line or gene is unknown to the screen (the message names them).
    FileNotFoundError
        If the committed file is missing.
    """
    return _omics_long("chronos_gene_effect.csv.gz", "gene_effect", cell_lines, genes)
