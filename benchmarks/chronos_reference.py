"""Chronos on the Avana sample: DepMap's own model, as a reference for the book's models.

Runs Chronos (Dempster et al. 2021, Genome Biology 22, 343, doi:10.1186/s13059-021-02540-7;
PyPI ``crispr-chronos``) on the committed copy of the DepMap Avana sample in ``data/avana/``
and writes its gene effects to ``data/avana/chronos_gene_effect.csv.gz``, adding the file's
SHA-256 to ``data/avana/SHA256SUMS``. It needs Chronos and TensorFlow, which the book does not:
run it in its own virtualenv (``benchmarks/chronos/requirements.txt``), from the repository
root::

    nice -n 19 benchmarks/chronos/.venv/bin/python benchmarks/chronos_reference.py

It reads only the CSV files in ``data/avana/`` (with pandas; nothing of ``depmap_models``),
never the upstream files. The steps follow Chronos's README and vignette (``Vignette.ipynb``
of github.com/broadinstitute/chronos):

1. inputs: read counts (sequence_ID x sgRNA), sequence map (``sequence_ID, cell_line_name,
   days, pDNA_batch, passes_QC``), guide map (``sgrna, gene`` with gene as "SYMBOL (Entrez)");
   only the sequenced replicates that pass DepMap's QC are kept (Chronos 2.3.11 has no QC
   filter of its own), with the three pDNA references;
2. negative-control sgRNAs: the guides of DepMap's Achilles non-essential control genes, as
   in the vignette;
3. ``chronos.normalize_readcounts`` and ``chronos.nan_outgrowths``, as in the vignette;
4. ``chronos.Chronos(...)`` with every hyperparameter at its default, ``train()`` with its
   defaults (301 epochs);
5. ``model.gene_effect`` scaled as the README recommends before copy-number correction
   (subtract the median over lines of the per-line median of the non-essential controls, then
   divide by the absolute median over lines of the per-line median of the common-essential
   controls), corrected for copy number with ``chronos.alternate_CN`` (the gene without copy
   number, POU2AF3, filled with 1 as in the vignette), and scaled once more the same way so
   that the saved values have median non-essential 0 and median common essential -1 exactly.

Every random seed is fixed (:data:`SEED`): Python's ``random``, NumPy's global generator
(Chronos draws its initial values, and ``alternate_CN`` its shuffles, from it) and
TensorFlow's graph-level seed; TensorFlow's op determinism is switched on. It ends by printing
sanity checks: medians of BAGEL's reference sets, per-line AUROC, BRAF and KRAS in mutant lines.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import platform
import random
import sys
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter TensorFlow start-up

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402

import chronos  # noqa: E402  (crispr-chronos; disables TensorFlow's eager mode on import)

ROOT = Path(__file__).resolve().parents[1]
AVANA = ROOT / "data" / "avana"
OUT = AVANA / "chronos_gene_effect.csv.gz"
#: The one seed of every random generator Chronos and TensorFlow use.
SEED = 15
LIBRARY = "avana"
FLOAT_FORMAT = "%.6g"


def set_seeds(seed: int = SEED) -> None:
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)  # in graph mode: the default graph's seed
    tf.compat.v1.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def label(symbol: str, entrez) -> str:
    """DepMap's gene label, "SYMBOL (EntrezID)"."""
    return f"{symbol} ({int(entrez)})"


def symbol_of(lab: str) -> str:
    return lab.rsplit(" (", 1)[0]


def read_inputs():
    """Chronos's three inputs from the committed CSVs, only replicates passing QC (+ pDNA)."""
    seq = pd.read_csv(AVANA / "sequence_map.csv")
    guides = pd.read_csv(AVANA / "guide_map.csv", dtype={"drop_reason": str})
    counts = pd.read_csv(AVANA / "readcounts.csv.gz", index_col="sgrna").astype(float)

    keep = guides["drop_reason"].isna() & guides["used_by_chronos"]
    guides = guides[keep]
    guide_map = pd.DataFrame(
        {
            "sgrna": guides["sgrna"].to_numpy(),
            "gene": [label(s, e) for s, e in zip(guides["gene"], guides["entrez_id"], strict=True)],
        }
    )

    sequence_map = pd.DataFrame(
        {
            "sequence_ID": seq["sequence_id"],
            "cell_line_name": seq["cell_line"],
            "days": seq["days"],
            "pDNA_batch": seq["pdna_batch"],
            "passes_QC": seq["passes_qc"].astype(bool),
        }
    )
    dropped = sequence_map[~sequence_map["passes_QC"]]
    sequence_map = sequence_map[sequence_map["passes_QC"]].reset_index(drop=True)

    readcounts = counts.loc[guide_map["sgrna"], sequence_map["sequence_ID"]].T
    readcounts.index.name, readcounts.columns.name = None, None
    return readcounts, sequence_map, guide_map, dropped


def control_labels(name: str, screen_labels: pd.Index) -> list[str]:
    ctrl = pd.read_csv(AVANA / name).dropna(subset=["entrez_id"])
    labels = {label(s, e) for s, e in zip(ctrl["gene"], ctrl["entrez_id"], strict=True)}
    return sorted(labels & set(screen_labels))


def reference_labels(name: str, screen: pd.DataFrame) -> list[str]:
    """BAGEL's reference set in the screen, matched by Entrez id, else (id blank) by symbol."""
    ref = pd.read_csv(AVANA / name)
    by_entrez = set(screen.index[screen["entrez_id"].isin(ref["entrez_id"].dropna())])
    no_id = ref.loc[ref["entrez_id"].isna(), "gene"]
    by_symbol = set(screen.index[screen["symbol"].isin(no_id)])
    return sorted(by_entrez | by_symbol)


def scale(ge: pd.DataFrame, nonessential: list[str], essential: list[str]) -> pd.DataFrame:
    """Chronos README's global scaling: median non-essential 0, median common essential -1."""
    ge = ge - ge.reindex(columns=nonessential).median(axis=1).median()
    return ge / ge.reindex(columns=essential).median(axis=1).abs().median()


def anchors(ge, nonessential, essential) -> tuple[float, float]:
    return (
        float(ge.reindex(columns=nonessential).median(axis=1).median()),
        float(ge.reindex(columns=essential).median(axis=1).median()),
    )


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties half (Mann-Whitney ranks)."""
    ranks = pd.Series(scores).rank().to_numpy()
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def write_deterministic(ge: pd.DataFrame, path: Path) -> None:
    text = ge.to_csv(lineterminator="\n", float_format=FLOAT_FORMAT)
    path.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def update_sha256sums(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    sums = AVANA / "SHA256SUMS"
    entries = {}
    for line in sums.read_text().splitlines():
        d, name = line.split("  ", 1)
        entries[name] = d
    entries[path.name] = digest
    sums.write_text("".join(f"{entries[n]}  {n}\n" for n in sorted(entries)))
    return digest


def sanity(ge: pd.DataFrame, screen: pd.DataFrame) -> None:
    """ge: cell lines x "SYMBOL (Entrez)" labels."""
    ceg = reference_labels("cegv2.csv", screen)
    neg = reference_labels("negv1.csv", screen)
    print("\n=== sanity checks (saved gene effects) ===")
    print(f"BAGEL sets in the screen (by Entrez id): CEGv2 {len(ceg)}, NEGv1 {len(neg)}")
    for name, genes in [("NEGv1 non-essential", neg), ("CEGv2 core-essential", ceg)]:
        values = ge[genes]
        print(
            f"{name}: median over all lines x genes {np.nanmedian(values.to_numpy()):+.3f}; "
            f"median over lines of per-line medians {values.median(axis=1).median():+.3f}"
        )
    aucs = []
    for _line, row in ge.iterrows():
        sub = row[ceg + neg].dropna()
        aucs.append(auroc(sub.to_numpy(), ~sub.index.isin(ceg)))
    aucs = pd.Series(aucs, index=ge.index)
    print(
        "per-line AUROC, NEGv1 above CEGv2: "
        f"median {aucs.median():.4f}, mean {aucs.mean():.4f}, min {aucs.min():.4f} "
        f"({aucs.idxmin()}), max {aucs.max():.4f}; "
        f"lines >= 0.97: {(aucs >= 0.97).sum()}/{len(aucs)}"
    )
    mut = pd.read_csv(AVANA / "mutations.csv")
    for gene in ["BRAF", "KRAS"]:
        col = screen.index[screen["symbol"] == gene][0]
        mutant = sorted(set(mut.loc[mut["gene"] == gene, "cell_line"]))
        in_ge = [c for c in mutant if c in ge.index]
        missing = sorted(set(mutant) - set(in_ge))
        others = ge.index.difference(in_ge)
        m, o = ge.loc[in_ge, col], ge.loc[others, col]
        print(
            f"{gene}: mutant lines (n={len(m)}) mean {m.mean():+.3f}, median {m.median():+.3f} "
            f"[{', '.join(f'{c} {v:+.2f}' for c, v in m.items())}]; "
            f"other lines (n={len(o)}) mean {o.mean():+.3f}, median {o.median():+.3f}"
            + (
                f"; mutant lines without output (no replicate passes QC): {missing}"
                if missing
                else ""
            )
        )


def main() -> None:
    t_start = time.time()
    set_seeds()
    print(
        f"python {platform.python_version()}, crispr-chronos {version('crispr-chronos')}, "
        f"tensorflow {tf.__version__}, numpy {np.__version__}, pandas {pd.__version__}; seed {SEED}"
    )

    readcounts, sequence_map, guide_map, dropped = read_inputs()
    n_lines = sequence_map.loc[sequence_map.cell_line_name != "pDNA", "cell_line_name"].nunique()
    print(
        f"inputs: {readcounts.shape[1]} sgRNAs, {guide_map.gene.nunique()} genes; "
        f"{(sequence_map.cell_line_name != 'pDNA').sum()} replicates passing QC of {n_lines} "
        f"cell lines + {(sequence_map.cell_line_name == 'pDNA').sum()} pDNA; "
        f"dropped {len(dropped)} failing replicates: {dropped.sequence_ID.tolist()}"
    )
    no_line = sorted(set(dropped.cell_line_name) - set(sequence_map.cell_line_name))
    print(f"cell lines with no replicate passing QC (absent from the output): {no_line}")

    screen_labels = pd.Index(sorted(guide_map.gene.unique()))
    nonessential = control_labels("controls_nonessential.csv", screen_labels)
    essential = control_labels("controls_common_essential.csv", screen_labels)
    negative_controls = guide_map.loc[guide_map.gene.isin(nonessential), "sgrna"]
    print(
        f"Achilles controls in the screen: {len(nonessential)} non-essential genes "
        f"({len(negative_controls)} negative-control sgRNAs), {len(essential)} common essential"
    )

    readcounts = chronos.normalize_readcounts(readcounts, negative_controls, sequence_map)
    chronos.nan_outgrowths(
        readcounts=readcounts, guide_gene_map=guide_map, sequence_map=sequence_map
    )

    model = chronos.Chronos(
        readcounts={LIBRARY: readcounts},
        sequence_map={LIBRARY: sequence_map},
        guide_gene_map={LIBRARY: guide_map},
        negative_control_sgrnas={LIBRARY: negative_controls},
    )
    t_train = time.time()
    model.train()  # defaults: 301 epochs, burn-in 50
    t_train = time.time() - t_train
    print(f"trained {model.epoch} epochs in {t_train:.0f} s")

    raw = model.gene_effect
    ne, ce = anchors(raw, nonessential, essential)
    print(f"raw gene effect anchors (median non-essential, common essential): {ne:+.4f}, {ce:+.4f}")
    scaled = scale(raw, nonessential, essential)

    cn = pd.read_csv(AVANA / "copy_number.csv.gz", index_col="cell_line")
    to_label = dict(zip(map(symbol_of, screen_labels), screen_labels, strict=True))
    cn = cn.rename(columns=to_label).reindex(index=scaled.index)
    for col in sorted(set(scaled.columns) - set(cn.columns)):
        print(f"no copy number for {col}: filled with 1 (as the Chronos vignette does)")
    cn = cn.reindex(columns=scaled.columns, fill_value=1.0)
    corrected, _shifts = chronos.alternate_CN(scaled, cn)
    corrected = corrected.reindex(index=scaled.index, columns=scaled.columns)
    ne, ce = anchors(corrected, nonessential, essential)
    print(f"after copy-number correction, anchors: {ne:+.4f}, {ce:+.4f}")
    final = scale(corrected, nonessential, essential)
    ne, ce = anchors(final, nonessential, essential)
    print(f"saved (rescaled) anchors: {ne:+.4f}, {ce:+.4f}")

    out = final.copy()
    out.columns = [symbol_of(c) for c in out.columns]
    assert out.columns.is_unique and out.index.is_unique
    out = out.sort_index(axis=0).sort_index(axis=1)
    out.index.name = "cell_line"
    assert out.notna().all().all()
    write_deterministic(out, OUT)
    digest = update_sha256sums(OUT)
    print(
        f"wrote {OUT.relative_to(ROOT)}: {out.shape[0]} cell lines x {out.shape[1]} genes, "
        f"{OUT.stat().st_size} bytes, sha256 {digest}"
    )

    screen = pd.DataFrame(
        {
            "symbol": [symbol_of(s) for s in screen_labels],
            "entrez_id": [int(s.rsplit("(", 1)[1].rstrip(")")) for s in screen_labels],
        },
        index=screen_labels,
    )
    saved = pd.read_csv(OUT, index_col="cell_line")  # check what was written, 6 digits
    saved.columns = [to_label[c] for c in saved.columns]
    sanity(saved, screen)
    print(f"\ntotal run time {time.time() - t_start:.0f} s (training {t_train:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
