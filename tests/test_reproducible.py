"""Two cold executions of a chapter give the same numbers in every table and text output."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from depmap_models import simulate

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "notebooks" / "01-single-gene.ipynb"


def text_outputs(notebook) -> list[str]:
    """Every text and HTML output (tables, printed numbers), but not images or the watermark."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "%watermark" in cell.source:
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            for mime in ("text/plain", "text/html"):
                value = output.get("data", {}).get(mime)
                if value and " at 0x" not in value and "<Figure" not in value:
                    texts.append(value)
    return texts


def execute_cold(path: Path, cache_dir: Path, monkeypatch) -> list[str]:
    """Execute with empty compilation caches, as on a fresh machine."""
    monkeypatch.setenv("PYTENSOR_FLAGS", f"base_compiledir={cache_dir / 'pytensor'}")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache_dir / "numba"))
    monkeypatch.setenv("DEPMAP_BOOK_QUIET", "1")
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(notebook, timeout=600, resources=resources).execute()
    return text_outputs(notebook)


@pytest.mark.parametrize(
    "process",
    [simulate.single_gene, simulate.genes_with_rna, simulate.rna_at_gene_level,
     simulate.genes_and_cell_lines, simulate.sgrna_and_cell_lines, simulate.two_intercepts],
    ids=lambda f: f.__name__,
)
def test_simulators_are_reproducible(process):
    first = process(np.random.RandomState(103))
    second = process(np.random.RandomState(103))
    pd.testing.assert_frame_equal(first.data, second.data)
    for name, value in first.truth.items():
        assert np.array_equal(value, second.truth[name]), name


def test_a_chapter_gives_the_same_numbers_twice(tmp_path, monkeypatch):
    assert CHAPTER.exists(), "run `make sync` first"
    first = execute_cold(CHAPTER, tmp_path / "first", monkeypatch)
    second = execute_cold(CHAPTER, tmp_path / "second", monkeypatch)
    assert len(first) >= 5, "the chapter should print its tables"
    assert first == second
