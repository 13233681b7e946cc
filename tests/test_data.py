"""The Avana sample: the committed files, and the loader against arithmetic done here by hand."""

from __future__ import annotations

import csv
import gzip
import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from depmap_models import data

ROOT = Path(__file__).resolve().parent.parent
AVANA = ROOT / "data" / "avana"
COLUMNS = ["sgrna", "gene", "cell_line", "replicate", "passes_qc", "logfc"]


# --- raw committed files, read without the loader -------------------------------------------


def _raw_counts() -> tuple[list[str], dict[str, dict[str, float]]]:
    """The read counts as {sequence_id: {sgrna: count}} (NaN kept), read with csv."""
    with gzip.open(AVANA / "readcounts.csv.gz", "rt", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[0] == "sgrna"
    counts = {sid: {} for sid in header[1:]}
    for row in body:
        for sid, value in zip(header[1:], row[1:], strict=True):
            counts[sid][row[0]] = float(value)  # "NaN" -> nan
    return header[1:], counts


def _raw_sequence_map() -> list[dict[str, str]]:
    with open(AVANA / "sequence_map.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def raw():
    order, counts = _raw_counts()
    return {"order": order, "counts": counts, "seq": _raw_sequence_map()}


@pytest.fixture(scope="module")
def logfc() -> pd.DataFrame:
    return data.avana_logfc()


# --- the committed files ---------------------------------------------------------------------


def test_committed_files_match_sha256sums():
    listed = {}
    for line in (AVANA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    present = {p.name for p in AVANA.iterdir()} - {"SHA256SUMS"}
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((AVANA / name).read_bytes()).hexdigest() == digest, name


def test_converted_copy_is_within_budget():
    assert sum(p.stat().st_size for p in AVANA.iterdir()) <= 3_000_000


def test_licence_notices_are_kept():
    assert "Hart Lab" in (AVANA / "LICENSE-bagel.txt").read_text()
    assert "Dempster" in (AVANA / "LICENSE-chronos-code.txt").read_text()
    readme = (ROOT / "data" / "README.md").read_text()
    for needle in [
        "CC BY 4.0",
        "creativecommons.org/licenses/by/4.0",
        "20Q4",
        "3076d8b27f2c",
        "53388adbb4fb",
        "10.1186/s13059-021-02540-7",
        "SHA256SUMS",
    ]:
        assert needle in readme, needle


def test_guide_map_shape():
    guides = pd.read_csv(AVANA / "guide_map.csv")
    assert len(guides) == 3474 and guides.sgrna.is_unique
    assert guides.gene.nunique() == 883
    # Nothing is dropped by the guide map in this sample: the loader keeps every guide.
    assert guides.drop_reason.isna().all() and guides.used_by_chronos.all()


def test_sequence_map_shape(raw):
    seq = raw["seq"]
    pdna = [r for r in seq if r["cell_line"] == "pDNA"]
    screened = [r for r in seq if r["cell_line"] != "pDNA"]
    assert len(pdna) == 3 and len({r["pdna_batch"] for r in pdna}) == 3
    assert len(screened) == 92
    assert len({r["cell_line"] for r in screened}) == 44
    assert sum(r["passes_qc"] == "False" for r in screened) == 6
    assert raw["order"] == [r["sequence_id"] for r in seq]


# --- avana_logfc ----------------------------------------------------------------------------


def test_logfc_columns_and_dtypes(logfc):
    assert list(logfc.columns[: len(COLUMNS)]) == COLUMNS
    assert list(logfc.columns[len(COLUMNS) :]) == ["pdna_batch"]
    for col in ["sgrna", "gene", "cell_line", "replicate", "pdna_batch"]:
        assert isinstance(logfc[col].dtype, pd.CategoricalDtype), col
        cats = list(logfc[col].cat.categories)
        assert cats == sorted(cats)
    assert logfc.passes_qc.dtype == bool
    assert np.isfinite(logfc.logfc).all()
    assert not logfc.gene.astype(str).str.contains(r"\(").any()
    assert logfc.cell_line.astype(str).str.startswith("ACH-").all()


def test_logfc_shape_and_qc(logfc):
    assert logfc.sgrna.nunique() == 3474 and logfc.gene.nunique() == 883
    assert logfc.replicate.nunique() == 92 and logfc.cell_line.nunique() == 44
    qc = logfc.groupby("replicate", observed=True).passes_qc.agg(["min", "max"])
    assert (qc["min"] == qc["max"]).all()  # one flag per replicate
    assert qc["min"].sum() == 86 and (~qc["min"]).sum() == 6


def test_no_guide_lost_and_only_nan_counts_dropped(logfc, raw):
    screened = {r["sequence_id"] for r in raw["seq"] if r["cell_line"] != "pDNA"}
    expected, n_nan = set(), 0
    for sid in screened:
        for sgrna, value in raw["counts"][sid].items():
            if math.isnan(value):
                n_nan += 1
            else:
                expected.add((sgrna, sid))
    assert n_nan == 731
    assert len(logfc) == 92 * 3474 - n_nan == 318_877
    got = pd.MultiIndex.from_arrays([logfc.sgrna, logfc.replicate])
    assert got.is_unique
    assert set(got.to_flat_index()) == expected


def test_logfc_by_hand(logfc, raw):
    """Recompute a few values from the raw counts: CPM + 1 against the batch's pDNA."""
    counts, seq = raw["counts"], raw["seq"]
    batch_of = {r["sequence_id"]: r["pdna_batch"] for r in seq}
    pdna_of = {r["pdna_batch"]: r["sequence_id"] for r in seq if r["cell_line"] == "pDNA"}

    def cpm(sid, sgrna):
        column = counts[sid]
        total = sum(v for v in column.values() if not math.isnan(v))
        return 1e6 * column[sgrna] / total

    def by_hand(sid, sgrna, pc=1.0):
        return math.log2(cpm(sid, sgrna) + pc) - math.log2(cpm(pdna_of[batch_of[sid]], sgrna) + pc)

    # A passing and a failing replicate, and one of each pDNA batch.
    sids = [
        "HEL-311Cas9_RepA_p4_Avana-3",
        "LOXIMVI-311Cas9_RepA_p6_Avana-2",
        "RAMOS-311cas9-RepB-p6_Avana-4",
    ]
    guides = pd.read_csv(AVANA / "guide_map.csv")
    kras = guides.loc[guides.gene == "KRAS", "sgrna"].tolist()[:2]
    zero = next(s for s, v in counts[sids[0]].items() if v == 0)  # a guide with no reads
    table = logfc.set_index(["replicate", "sgrna"], drop=False).sort_index()
    for sid in sids:
        for sgrna in [*kras, zero]:
            if math.isnan(counts[sid][sgrna]):
                continue
            assert table.loc[(sid, sgrna), "logfc"] == pytest.approx(by_hand(sid, sgrna), abs=1e-12)

    # Another pseudocount, same arithmetic.
    other = data.avana_logfc(cell_lines="ACH-000004", genes="KRAS", pseudocount=0.5)
    for row in other.itertuples():
        assert row.logfc == pytest.approx(by_hand(row.replicate, row.sgrna, 0.5), abs=1e-12)


def test_nan_count_rows_are_absent(logfc, raw):
    sid = "HEL-311Cas9_RepA_p4_Avana-3"
    nan_guides = {s for s, v in raw["counts"][sid].items() if math.isnan(v)}
    assert len(nan_guides) == 5
    present = set(logfc.loc[logfc.replicate == sid, "sgrna"].astype(str))
    assert not nan_guides & present and len(present) == 3474 - 5


def test_selection_does_not_change_values(logfc):
    lines, genes = ["ACH-000004", "ACH-000750"], ["KRAS", "RPL3", "A1CF"]
    sub = data.avana_logfc(cell_lines=lines, genes=genes)
    full = logfc[logfc.cell_line.isin(lines) & logfc.gene.isin(genes)]
    assert set(sub.cell_line) == set(lines) and set(sub.gene) == set(genes)
    assert list(sub.gene.cat.categories) == sorted(genes)
    pd.testing.assert_frame_equal(
        sub.astype({c: str for c in ["sgrna", "gene", "cell_line", "replicate", "pdna_batch"]}),
        full.astype(
            {c: str for c in ["sgrna", "gene", "cell_line", "replicate", "pdna_batch"]}
        ).reset_index(drop=True),
    )


def test_failing_replicates_are_flagged(logfc):
    failing = logfc.loc[~logfc.passes_qc, "replicate"].astype(str).unique()
    assert "LOXIMVI-311Cas9_RepA_p6_Avana-2" in failing and len(failing) == 6


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cell_lines": ["ACH-000004", "ACH-999999"]}, r"unknown cell_lines: \['ACH-999999'\]"),
        ({"cell_lines": "pDNA"}, r"unknown cell_lines: \['pDNA'\]"),
        ({"genes": ["KRAS", "NOTAGENE"]}, r"unknown genes: \['NOTAGENE'\]"),
        ({"genes": "KRAS (3845)"}, r"unknown genes"),
        ({"genes": []}, "genes is empty"),
        ({"pseudocount": 0}, "pseudocount"),
        ({"pseudocount": -1.0}, "pseudocount"),
        ({"pseudocount": "1"}, "pseudocount"),
        ({"pseudocount": None}, "pseudocount"),
        ({"pseudocount": True}, "pseudocount"),
        ({"pseudocount": float("nan")}, "pseudocount"),
        ({"pseudocount": float("inf")}, "pseudocount"),
    ],
)
def test_logfc_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.avana_logfc(**kwargs)


@pytest.mark.parametrize("loader", [data.copy_number, data.expression, data.mutations])
def test_omics_unknown_names(loader):
    with pytest.raises(ValueError, match=r"unknown cell_lines: \['ACH-999999'\]"):
        loader(cell_lines="ACH-999999")
    with pytest.raises(ValueError, match=r"unknown genes: \['NOTAGENE'\]"):
        loader(genes=["NOTAGENE"])


def test_missing_files_raise_file_not_found(monkeypatch, tmp_path):
    caches = [data._sequence_map, data._guide_map, data._readcounts]
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "nowhere")
    try:
        with pytest.raises(FileNotFoundError, match="nowhere"):
            data.avana_logfc()
        with pytest.raises(FileNotFoundError, match="nowhere"):
            data.reference_genes()
    finally:
        for cached in caches:
            cached.cache_clear()


# --- reference genes, QC ----------------------------------------------------------------------


def test_reference_genes():
    ref = data.reference_genes()
    assert {k: len(v) for k, v in ref.items()} == {
        "essential": 684,
        "nonessential": 926,
        "common_essential_controls": 323,
        "nonessential_controls": 380,
    }
    for genes in ref.values():
        assert genes == sorted(set(genes))
    assert ref["nonessential"].count("SLC34A1") == 1
    screen = set(pd.read_csv(AVANA / "guide_map.csv").gene)
    assert len(set(ref["essential"]) & screen) == 140
    assert len(set(ref["nonessential"]) & screen) == 359
    assert not set(ref["essential"]) & set(ref["nonessential"])
    in_screen = data.reference_genes(in_screen=True)
    assert {k: set(v) for k, v in in_screen.items()} == {k: set(v) & screen for k, v in ref.items()}


def _auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties half: the Mann-Whitney rank formula."""
    ranks = pd.Series(scores).rank().to_numpy()
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def test_auroc_helper():
    assert _auroc(np.array([1.0, 2.0, 3.0, 4.0]), np.array([False, False, True, True])) == 1.0
    assert _auroc(np.array([1.0, 1.0]), np.array([True, False])) == 0.5


def test_qc_essential_genes_deplete(logfc):
    """Non-essential genes' logFC above essential genes', per replicate (AUROC).

    At the gene level (mean logFC of a gene's guides in the replicate) this reproduces the
    upstream provenance note: about 0.97 for replicates passing QC, 0.65 for failing ones.
    Guide by guide the separation is weaker (median about 0.90 passing, 0.57 failing), and a
    single replicate threshold does not split passing from failing: J82's replicate A passes
    QC at 0.705, replicate B fails at 0.704.
    """
    ref = data.reference_genes(in_screen=True)
    sub = logfc[logfc.gene.isin(ref["essential"] + ref["nonessential"])]
    rows = []
    for (rep, qc), g in sub.groupby(["replicate", "passes_qc"], observed=True):
        guide_auc = _auroc(g.logfc.to_numpy(), ~g.gene.isin(ref["essential"]).to_numpy())
        genes = g.groupby("gene", observed=True).logfc.mean()
        gene_auc = _auroc(genes.to_numpy(), ~genes.index.isin(ref["essential"]))
        rows.append((rep, qc, guide_auc, gene_auc))
    auc = pd.DataFrame(rows, columns=["replicate", "passes_qc", "guide", "gene"])
    passing, failing = auc[auc.passes_qc], auc[~auc.passes_qc]
    assert len(passing) == 86 and len(failing) == 6
    # Gene level.
    assert passing.gene.mean() > 0.95 and passing.gene.min() > 0.8
    assert failing.gene.mean() < 0.75 and failing.gene.max() < passing.gene.min()
    # Guide level.
    assert passing.guide.median() > 0.85 and passing.guide.min() > 0.65
    assert failing.guide.median() < 0.65


# --- sequence map summaries, omics tables -----------------------------------------------------


def test_replicates_and_cell_lines(raw):
    reps = data.replicates()
    assert len(reps) == 92 and reps.replicate.is_unique
    assert list(reps.columns[:2]) == ["replicate", "cell_line"]
    lines = data.cell_lines()
    assert len(lines) == 44 and lines.cell_line.is_unique
    assert lines.n_replicates.sum() == 92 and lines.n_passing_qc.sum() == 86
    two_batches = lines[lines.pdna_batches.str.contains(",")]
    assert two_batches.cell_line.tolist() == ["ACH-000614"]


def test_copy_number():
    cn = data.copy_number()
    assert list(cn.columns) == ["cell_line", "gene", "cn"]
    assert cn.cell_line.nunique() == 44 and cn.gene.nunique() == 882
    assert len(cn) == 44 * 882 and not cn.duplicated(["cell_line", "gene"]).any()
    assert (cn.cn > 0).all()
    one = data.copy_number(cell_lines="ACH-000004", genes=["KRAS", "RPL3"])
    assert len(one) == 2 and set(one.gene) == {"KRAS", "RPL3"}


def test_expression():
    rna = data.expression()
    assert list(rna.columns) == ["cell_line", "gene", "rna"]
    assert rna.cell_line.nunique() == 44 and rna.gene.nunique() == 105
    assert len(rna) == 44 * 105 and (rna.rna >= 0).all()


def test_mutations():
    mut = data.mutations()
    assert list(mut.columns) == [
        "cell_line",
        "gene",
        "dna_change",
        "protein_change",
        "likely_gof",
        "driver",
        "likely_driver",
    ]
    assert len(mut) == 67
    assert set(mut.cell_line) <= set(data.cell_lines().cell_line)
    counts = mut.groupby("gene", observed=True).cell_line.nunique()
    assert counts["PIK3CA"] == 7 and counts["BRAF"] == 5 and counts["KRAS"] == 4
    assert len(data.mutations(genes="KRAS")) == 4


def test_chronos_gene_effects_are_on_depmaps_scale():
    effects = data.chronos_gene_effect()
    assert effects["cell_line"].nunique() == 41 and effects["gene"].nunique() == 883
    assert len(effects) == 41 * 883
    passing = data.cell_lines().query("n_passing_qc > 0")["cell_line"]
    assert set(effects["cell_line"]) == set(passing)
    ref = data.reference_genes(in_screen=True)
    per_line = effects.pivot(index="cell_line", columns="gene", values="gene_effect")
    controls_non = per_line[ref["nonessential_controls"]].median(axis=1).median()
    controls_ess = per_line[ref["common_essential_controls"]].median(axis=1).median()
    assert abs(controls_non) < 0.01 and abs(controls_ess + 1) < 0.01
    braf = effects[effects["gene"] == "BRAF"].set_index("cell_line")["gene_effect"]
    mutant = set(data.mutations(genes="BRAF")["cell_line"]) & set(braf.index)
    assert braf[list(mutant)].mean() < braf.drop(list(mutant)).mean() - 0.5
    with pytest.raises(ValueError, match="unknown genes"):
        data.chronos_gene_effect(genes=["NOTAGENE"])
