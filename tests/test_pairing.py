"""Every chapter's MyST markdown and its .ipynb twin say the same thing.

`make sync` repairs them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.md"))
JUPYTEXT = str(Path(sys.executable).parent / "jupytext")


def cells(notebook) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (cell.cell_type, cell.source.strip(), tuple(cell.metadata.get("tags", ())))
        for cell in notebook.cells
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_twin_agrees_with_its_markdown(chapter):
    twin = chapter.with_suffix(".ipynb")
    assert twin.exists(), f"{twin.name} is missing: run `make sync`"
    assert cells(jupytext.read(chapter)) == cells(jupytext.read(twin)), (
        f"{chapter.name} and {twin.name} disagree: run `make sync`"
    )
    assert jupytext.read(twin).metadata["jupytext"]["formats"] == "ipynb,md:myst"


def test_sync_repairs_a_stale_twin(tmp_path):
    source = tmp_path / "chapter.md"
    shutil.copy(CHAPTERS[0], source)
    twin = source.with_suffix(".ipynb")
    subprocess.run([JUPYTEXT, "--quiet", "--sync", str(source)], check=True)
    assert cells(jupytext.read(source)) == cells(jupytext.read(twin))

    # An edit to the markdown (the source of truth) makes the twin stale ...
    text = source.read_text() + "\n```{code-cell} ipython3\nanswer = 42\n```\n"
    source.write_text(text)
    assert cells(jupytext.read(source)) != cells(jupytext.read(twin))
    # ... and sync brings it back in line.
    subprocess.run([JUPYTEXT, "--quiet", "--sync", str(source)], check=True)
    assert cells(jupytext.read(twin))[-1] == ("code", "answer = 42", ())
    assert cells(jupytext.read(source)) == cells(jupytext.read(twin))


def test_saving_the_twin_updates_the_markdown(tmp_path):
    """What JupyterLab does on save, through jupytext's pairing: the .md follows the .ipynb."""
    source = tmp_path / "chapter.md"
    shutil.copy(CHAPTERS[0], source)
    notebook = jupytext.read(source)
    notebook.cells.append(jupytext.reads("answer = 43", fmt="py:percent").cells[0])
    jupytext.write(notebook, source.with_suffix(".ipynb"))
    subprocess.run([JUPYTEXT, "--quiet", "--sync", str(source.with_suffix(".ipynb"))], check=True)
    assert cells(jupytext.read(source))[-1][1] == "answer = 43"
