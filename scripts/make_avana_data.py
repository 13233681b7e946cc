"""Convert the upstream DepMap Avana sample into the small plain-text copy in ``data/avana/``.

The book never reads the upstream folder (a reader's clone does not have it): it reads the
converted copy this script writes, through :mod:`depmap_models.data`. Run from the repository
root, with h5py installed (pinned in ``scripts/requirements-data.txt``)::

    .venv/bin/pip install -r scripts/requirements-data.txt
    .venv/bin/python scripts/make_avana_data.py  # --source ../shared/data/depmap-avana-sample

The script first checks every upstream file against the upstream ``SHA256SUMS`` and stops on
any mismatch. Its output is deterministic: rows and columns sorted, fixed number formats,
``\\n`` line ends, gzip members written with ``mtime=0`` and no file name. It ends by writing
``data/avana/SHA256SUMS`` for every file it wrote. ``data/README.md`` describes each file.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / ".." / "shared" / "data" / "depmap-avana-sample"
DEFAULT_OUT = ROOT / "data" / "avana"

#: Upper bound on the converted copy, in bytes (the issue's budget).
MAX_BYTES = 3_000_000
#: Copy number and expression are written with this format (6 significant digits).
FLOAT_FORMAT = "%.6g"
#: "SYMBOL (EntrezID)", DepMap's gene label.
GENE_LABEL = r"^(?P<gene>\S+) \((?P<entrez_id>\d+)\)$"


def verify_checksums(source: Path) -> list[str]:
    """Check every file listed in ``source/SHA256SUMS``; return the listed paths."""
    sums = source / "SHA256SUMS"
    if not sums.is_file():
        sys.exit(f"no SHA256SUMS in {source}: is --source the upstream folder?")
    listed, bad = [], []
    for line in sums.read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        listed.append(name)
        path = source / name
        if not path.is_file():
            bad.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(f"{name}: checksum differs")
    if bad:
        sys.exit("upstream files do not match SHA256SUMS:\n  " + "\n  ".join(bad))
    return listed


def read_hdf5_matrix(path: Path) -> pd.DataFrame:
    """A ``chronos.write_hdf5`` matrix: datasets ``dim_0`` (rows), ``dim_1`` (columns), ``data``."""
    import h5py

    with h5py.File(path, "r") as f:
        rows = [x.decode() for x in f["dim_0"][:]]
        cols = [x.decode() for x in f["dim_1"][:]]
        data = f["data"][:]
    return pd.DataFrame(data, index=pd.Index(rows), columns=pd.Index(cols))


def split_gene_label(labels: pd.Series) -> pd.DataFrame:
    """``"KRAS (3845)"`` -> columns ``gene`` ("KRAS") and ``entrez_id`` (3845)."""
    parts = labels.str.extract(GENE_LABEL)
    if parts.isna().any().any():
        raise ValueError(
            f"gene labels not of the form 'SYMBOL (EntrezID)': {labels[parts.gene.isna()]}"
        )
    return pd.DataFrame({"gene": parts["gene"], "entrez_id": parts["entrez_id"].astype(int)})


def csv_bytes(frame: pd.DataFrame, **kwargs) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", **kwargs).encode()


def write(out: Path, name: str, data: bytes, written: list[str]) -> None:
    """Write ``data`` to ``out/name``, gzip-compressed (mtime 0, no name) if it ends in .gz."""
    if name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    (out / name).write_bytes(data)
    written.append(name)


def gene_symbols(labels: pd.Index) -> dict[str, str]:
    """Map DepMap gene labels to symbols, checking that a symbol names one label only."""
    split = split_gene_label(pd.Series(labels, dtype=str))
    if split.gene.duplicated().any():
        raise ValueError(f"a symbol names two Entrez ids: {split.gene[split.gene.duplicated()]}")
    return dict(zip(labels, split.gene, strict=True))


def convert(source: Path, out: Path) -> list[str]:
    chronos, bagel = source / "chronos", source / "bagel"
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    # Sequence map: one row per sequenced sample, snake_case names, sorted by sequence_id.
    seq = pd.read_csv(chronos / "AvanaSequenceMap.csv")
    seq = seq.rename(
        columns={
            "sequence_ID": "sequence_id",
            "cell_line_name": "cell_line",
            "pDNA_batch": "pdna_batch",
            "days": "days",
            "PassesQC": "passes_qc",
            "ScreenID": "screen_id",
            "Replicate": "replicate_label",
            "ScreenType": "screen_type",
            "ModelConditionID": "model_condition_id",
            "Library": "library",
        }
    )
    seq = seq.sort_values("sequence_id", ignore_index=True)
    write(out, "sequence_map.csv", csv_bytes(seq), written)

    # Guide map: the gene label split into symbol and Entrez id; all upstream columns kept.
    guides = pd.read_csv(chronos / "AvanaGuideMap.csv")
    genes = split_gene_label(guides["gene"])
    guide_map = pd.DataFrame(
        {
            "sgrna": guides["sgrna"],
            "gene": genes["gene"],
            "entrez_id": genes["entrez_id"],
            "genome_alignment": guides["GenomeAlignment"],
            "n_alignments": guides["nAlignments"].astype(int),
            "drop_reason": guides["DropReason"],
            "used_by_chronos": guides["UsedByChronos"],
        }
    ).sort_values(["sgrna", "gene"], ignore_index=True)
    write(out, "guide_map.csv", csv_bytes(guide_map), written)
    screen_lines = sorted(set(seq.cell_line) - {"pDNA"})
    screen_genes = set(guide_map.gene)

    # Read counts: wide, one row per sgRNA, one column per sequence_id (same order as the
    # sequence map); integers, NaN written as "NaN".
    counts = read_hdf5_matrix(chronos / "AvanaReadcounts.hdf5")
    values = counts.to_numpy()
    finite = values[np.isfinite(values)]
    if not np.array_equal(finite, np.round(finite)):
        raise ValueError("read counts are not whole numbers")
    if set(counts.index) != set(seq.sequence_id) or set(counts.columns) != set(guide_map.sgrna):
        raise ValueError("read counts do not match the sequence map and the guide map")
    counts = counts.T.loc[sorted(counts.columns), list(seq.sequence_id)].astype("Int64")
    counts.index.name = "sgrna"
    write(
        out,
        "readcounts.csv.gz",
        counts.to_csv(lineterminator="\n", na_rep="NaN").encode(),
        written,
    )

    # Copy number and expression: wide (cell_line x gene symbol), restricted to the screen's
    # cell lines and genes, 6 significant digits.
    for upstream, name in [
        ("OmicsCNGene.hdf5", "copy_number.csv.gz"),
        ("OmicsExpressionProteinCodingGenesTPMLogp1.hdf5", "expression.csv.gz"),
    ]:
        matrix = read_hdf5_matrix(chronos / upstream)
        matrix = matrix.rename(columns=gene_symbols(matrix.columns))
        lines = sorted(set(matrix.index) & set(screen_lines))
        cols = sorted(set(matrix.columns) & screen_genes)
        matrix = matrix.loc[lines, cols]
        if matrix.isna().any().any():
            raise ValueError(f"{upstream} has missing values: write them explicitly")
        matrix.index.name = "cell_line"
        data = matrix.to_csv(lineterminator="\n", float_format=FLOAT_FORMAT).encode()
        write(out, name, data, written)

    # Mutations: one row per mutation in a screened cell line.
    mut = pd.read_csv(chronos / "OmicsSomaticMutations.csv")
    mut_genes = split_gene_label(mut["Gene"])
    mutations = pd.DataFrame(
        {
            "cell_line": mut["ModelID"],
            "gene": mut_genes["gene"],
            "entrez_id": mut_genes["entrez_id"],
            "dna_change": mut["DNAChange"],
            "protein_change": mut["ProteinChange"],
            "likely_gof": mut["LikelyGoF"],
            "driver": mut["Driver"],
            "likely_driver": mut["LikelyDriver"],
        }
    )
    mutations = mutations[
        mutations.cell_line.isin(screen_lines) & mutations.gene.isin(screen_genes)
    ]
    mutations = mutations.sort_values(["cell_line", "gene", "dna_change"], ignore_index=True)
    write(out, "mutations.csv", csv_bytes(mutations), written)

    # DepMap's control sets: "SYMBOL (EntrezID)" split, sorted by symbol.
    for upstream, name in [
        ("AchillesCommonEssentialControls.csv", "controls_common_essential.csv"),
        ("AchillesNonessentialControls.csv", "controls_nonessential.csv"),
    ]:
        controls = split_gene_label(pd.read_csv(chronos / upstream)["Gene"])
        controls = controls.drop_duplicates().sort_values("gene", ignore_index=True)
        write(out, name, csv_bytes(controls), written)

    # BAGEL reference sets: tab -> comma, blank lines dropped, exact duplicate rows dropped
    # (NEGv1 lists SLC34A1 twice), sorted by symbol; Entrez id blank where BAGEL has none.
    for upstream, name in [("CEGv2.txt", "cegv2.csv"), ("NEGv1.txt", "negv1.csv")]:
        ref = pd.read_csv(bagel / upstream, sep="\t", skip_blank_lines=True)
        ref = ref.rename(columns={"GENE": "gene", "HGNC_ID": "hgnc_id", "ENTREZ_ID": "entrez_id"})
        ref["entrez_id"] = ref["entrez_id"].astype("Int64")
        n = len(ref)
        ref = ref.drop_duplicates().sort_values("gene", ignore_index=True)
        if ref.gene.duplicated().any():
            raise ValueError(f"{upstream}: a gene is listed twice with different ids")
        print(f"{upstream}: {n} rows, {n - len(ref)} duplicate(s) dropped -> {len(ref)} genes")
        write(out, name, csv_bytes(ref), written)

    # Licences, byte for byte.
    for path in [chronos / "LICENSE-chronos-code.txt", bagel / "LICENSE-bagel.txt"]:
        shutil.copyfile(path, out / path.name)
        written.append(path.name)

    # Keep the lines of files this script does not write (Chronos's gene effects, written by
    # benchmarks/chronos_reference.py), so a rerun does not orphan them.
    sums_path = out / "SHA256SUMS"
    sums = {}
    if sums_path.exists():
        for line in sums_path.read_text().splitlines():
            digest, name = line.split(maxsplit=1)
            if (out / name).exists():
                sums[name] = digest
    sums.update({name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in written})
    sums_path.write_text("".join(f"{sums[name]}  {name}\n" for name in sorted(sums)))
    return sorted(written)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="upstream folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="converted copy")
    args = parser.parse_args(argv)
    source = args.source.resolve()
    listed = verify_checksums(source)
    print(f"{source}: {len(listed)} files match SHA256SUMS")
    written = convert(source, args.out)
    total = sum((args.out / name).stat().st_size for name in [*written, "SHA256SUMS"])
    for name in written:
        print(f"{(args.out / name).stat().st_size:>9,d}  {name}")
    print(f"{total:>9,d}  bytes in all ({args.out})")
    if total > MAX_BYTES:
        sys.exit(f"the converted copy is {total:,d} bytes, over the {MAX_BYTES:,d} budget")


if __name__ == "__main__":
    main()
