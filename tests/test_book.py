"""The book builds with warnings as errors, from one source per chapter, never stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import _load_build_script

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    return _load_build_script().toc_entries(ROOT)


def test_every_toc_entry_exists_and_chapters_are_paired():
    for entry in toc_files():
        assert (ROOT / f"{entry}.md").exists(), entry
        if entry.startswith("notebooks/"):
            text = (ROOT / f"{entry}.md").read_text()
            assert "formats: ipynb,md:myst" in text, f"{entry} is not jupytext-paired"
            assert re.search(r"^\(ch-[a-z-]+\)=$", text, re.M), f"{entry} has no MyST target"
            assert ":tags: [remove-cell]" in text, f"{entry} has no hidden check cell"


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-e ")):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), line


@pytest.mark.book
def test_book_builds_every_page(built_book):
    for entry in toc_files():
        page = built_book / f"{entry}.html"
        assert page.exists(), f"{page} was not built"
    # The chapters were executed: their pages carry outputs, images among them.
    chapter1 = (built_book / "notebooks" / "01-single-gene.html").read_text()
    assert "cell_output" in chapter1 and "<img" in chapter1


def _mini_project(root: Path, value: int) -> None:
    """A project with one helper module (``VALUE = value``) and nothing else."""
    package = root / "src" / "depmap_models"
    package.mkdir(parents=True, exist_ok=True)
    (package / "value.py").write_text(f"VALUE = {value}\n")
    (root / "requirements.txt").write_text("numpy==2.0.0\n")


def test_helper_change_invalidates_the_execution_cache(build_script, tmp_path):
    """A change in src/depmap_models must clear the cache so no stale output is shown."""
    _mini_project(tmp_path, 1)
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    assert build_script.clear_stale_cache(tmp_path), "no fingerprint yet: the cache is not trusted"
    assert not cache.exists()
    cache.mkdir()
    assert not build_script.clear_stale_cache(tmp_path), "nothing changed: the cache must be kept"
    assert cache.exists()
    _mini_project(tmp_path, 2)
    assert build_script.clear_stale_cache(tmp_path), "a helper changed"
    assert not cache.exists(), "a helper change must drop the cache"
    cache.mkdir()
    assert build_script.clear_stale_cache(tmp_path, force=True), "a forced (cold) build"
    assert not cache.exists()


def test_fingerprint_changes_with_any_helper_or_pin(build_script, tmp_path):
    _mini_project(tmp_path, 1)
    before = build_script.helpers_fingerprint(tmp_path)
    assert build_script.helpers_fingerprint(tmp_path) == before
    _mini_project(tmp_path, 2)
    after_helper = build_script.helpers_fingerprint(tmp_path)
    assert after_helper != before
    (tmp_path / "requirements.txt").write_text("numpy==2.0.1\n")
    after_pin = build_script.helpers_fingerprint(tmp_path)
    assert after_pin != after_helper
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "table.csv").write_text("a\n1\n")
    after_data = build_script.helpers_fingerprint(tmp_path)
    assert after_data != after_pin


@pytest.mark.parametrize("name", ["DEPMAP_SAMPLER_SEED", "NUMBA_CPU_NAME"])
def test_fingerprint_changes_with_the_seed_switch_and_cpu_target(
    build_script, tmp_path, monkeypatch, name
):
    _mini_project(tmp_path, 1)
    monkeypatch.delenv(name, raising=False)
    before = build_script.helpers_fingerprint(tmp_path)
    monkeypatch.setenv(name, "7")
    assert build_script.helpers_fingerprint(tmp_path) != before, "cached outputs of other draws"


MINI_CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# Mini chapter

```{code-cell} ipython3
from pathlib import Path

helper = Path("src/depmap_models/value.py").read_text().strip()
print(f"helper says {helper}")
```
"""


@pytest.mark.book
def test_book_never_shows_stale_helper_output(build_script, tmp_path):
    """End to end: change a helper, rebuild, and the page shows the new result."""
    _mini_project(tmp_path, 1)
    (tmp_path / "_config.yml").write_text(
        "title: mini\nexecute:\n  execute_notebooks: cache\n"
        "exclude_patterns: [_build, src]\nonly_build_toc_files: true\n"
    )
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    (tmp_path / "chapter.md").write_text(MINI_CHAPTER)
    page = tmp_path / "_build" / "html" / "chapter.html"

    build_script.build(tmp_path)
    assert "helper says VALUE = 1" in page.read_text()
    build_script.build(tmp_path)  # nothing changed: cached, still right
    assert "helper says VALUE = 1" in page.read_text()
    _mini_project(tmp_path, 2)  # the helper changes, the chapter does not
    build_script.build(tmp_path)
    assert "helper says VALUE = 2" in page.read_text(), "the book shows a stale helper output"


@pytest.mark.book
def test_chapters_execute_in_parallel_into_the_builds_cache(build_script, tmp_path):
    """The pre-pass caches every notebook page exactly as the build will look it up."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import myst_nb_reader_plugin

    _mini_project(tmp_path, 3)
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: chapter\nparts:\n  - chapters:\n"
        "      - file: second\n      - file: plain\n"
    )
    (tmp_path / "chapter.md").write_text(MINI_CHAPTER)
    (tmp_path / "second.md").write_text(MINI_CHAPTER.replace("helper says", "second says"))
    (tmp_path / "plain.md").write_text("# Not a notebook\n\nJust text.\n")

    pages = build_script.notebook_pages(tmp_path)
    assert [p.name for p in pages] == ["chapter.md", "second.md"]  # toc order, notebooks only
    assert build_script.execute_in_parallel(tmp_path) == []
    cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
    for page in pages:
        record = cache.match_cache_notebook(myst_nb_reader_plugin(str(page)))
        outputs = [o for c in cache.get_cache_bundle(record.pk).nb.cells for o in c.outputs]
        assert any("says VALUE = 3" in o.get("text", "") for o in outputs), page
    # a failing chapter is reported, not cached
    (tmp_path / "second.md").write_text(MINI_CHAPTER.replace("print(", "raise SystemError("))
    assert build_script.execute_in_parallel(tmp_path) == [str(tmp_path / "second.md")]


def _execute_twin(page: Path) -> Path:
    """Pair ``page`` with an .ipynb twin and execute it there, as nbmake --overwrite does."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    twin = page.with_suffix(".ipynb")
    notebook = jupytext.read(page, fmt="md:myst")
    NotebookClient(notebook, resources={"metadata": {"path": str(page.parent)}}).execute()
    nbformat.write(notebook, twin)
    return twin


PID_CHAPTER = MINI_CHAPTER.replace(
    'print(f"helper says {helper}")',
    'import os\nprint(f"helper says {helper} in process {os.getpid()}")',
)


@pytest.mark.book
def test_build_reuses_fresh_nbmake_outputs_and_never_stale_ones(
    build_script, tmp_path, monkeypatch
):
    """make test executes each chapter once: the book takes nbmake's fresh outputs."""
    import time

    _mini_project(tmp_path, 4)
    (tmp_path / "_config.yml").write_text(
        "title: mini\nexecute:\n  execute_notebooks: cache\n"
        "exclude_patterns: [_build, src, '*.ipynb']\nonly_build_toc_files: true\n"
    )
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    page = tmp_path / "chapter.md"
    page.write_text(PID_CHAPTER)
    time.sleep(0.05)
    twin = _execute_twin(page)
    twin_output = re.search(r"helper says VALUE = 4 in process \d+", twin.read_text()).group()

    monkeypatch.setenv("DEPMAP_BOOK_REUSE_EXECUTED", "1")
    html = build_script.build(tmp_path).parent / "chapter.html"
    assert twin_output in html.read_text(), "the build executed the chapter again"

    # A helper edited after nbmake ran: the twin is stale and must not be used.
    time.sleep(0.05)
    _mini_project(tmp_path, 5)
    assert build_script.cache_executed_twins(tmp_path) == []
    build_script.build(tmp_path)
    assert "helper says VALUE = 5" in html.read_text()


def test_expected_seconds_come_from_the_last_benchmark(build_script, tmp_path):
    assert build_script.expected_seconds(tmp_path) == {}
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "book_build.csv").write_text(
        "what,seconds\ncold build,500.0\nnotebooks/13-real.md,150.5\n")
    assert build_script.expected_seconds(tmp_path) == {"cold build": 500.0,
                                                       "notebooks/13-real.md": 150.5}
    # The committed timings cover every chapter of the book.
    committed = build_script.expected_seconds()
    pages = {p.relative_to(build_script.ROOT).as_posix() for p in build_script.notebook_pages()}
    assert pages <= set(committed), pages - set(committed)


def test_pages_start_longest_first_and_shared_fit_readers_last(build_script):
    expected = {"a.md": 10.0, "b.md": 30.0, "notebooks/14-against-chronos.md": 150.0}
    order = build_script.execution_order(
        ["a.md", "notebooks/14-against-chronos.md", "c.md", "b.md"], expected)
    assert order == ["b.md", "a.md", "c.md", "notebooks/14-against-chronos.md"]
    # Every reader of a shared fit, and the page that samples it, is a page of the book.
    pages = {p.relative_to(build_script.ROOT).as_posix() for p in build_script.notebook_pages()}
    for sampled, readers in build_script.SHARED_FIT_READERS.items():
        assert {sampled, *readers} <= pages
