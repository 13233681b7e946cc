"""Build the HTML book into _build/html, never from stale execution results.

Jupyter Book caches each chapter's outputs keyed on the chapter's own code
cells, and Sphinx re-reads only the pages whose source changed. So a change in
``src/depmap_models`` (or in the pinned requirements) would leave old outputs
in the book twice over. This script keeps a fingerprint of those files beside
the cache; when it changes, it drops the cache and rebuilds every page
(``--all``), so every chapter is executed again.

Jupyter Book executes the chapters one after another, and most of a chapter's
time is single-threaded model compilation. So before building, this script
executes every chapter whose outputs are not cached yet into the same cache,
two at a time (one per core), with jupyter-cache's workers, the longest first
(by the times last measured with ``benchmarks/book_build.py``) and the chapters
that read another's fit last (``SHARED_FIT_READERS``); the build then
finds every chapter cached. Chapters that fit the same model to the same data
share one fit there (``sampling.fit``, through ``DEPMAP_FIT_CACHE``). A chapter
that fails there is left uncached, and the build executes it again and reports its error. Then it
builds with warnings as errors and prints where ``index.html`` is.

``make test`` executes every chapter under nbmake first (``--overwrite`` keeps
the outputs in the ``.ipynb`` twins) and then builds the book with
``DEPMAP_BOOK_REUSE_EXECUTED=1``: the build caches those fresh outputs instead
of executing every chapter a second time. Only a twin written after its page
and after every file of the fingerprint counts, so an old output never does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: jupyter-cache's name for myst-nb's reader of MyST markdown notebooks: the reader the
#: build itself uses, so that the cached notebooks match the build's.
MYST_READER = {"type": "plugin", "name": "myst_nb_md"}


#: Environment variables that change what a chapter computes: the sampler seed switch and
#: numba's target CPU. A build under other values must not reuse cached outputs.
FINGERPRINT_VARIABLES = ("DEPMAP_SAMPLER_SEED", "NUMBA_CPU_NAME")


def helpers_fingerprint(root: Path = ROOT) -> str:
    """Hash of everything a chapter's results depend on besides its own cells."""
    digest = hashlib.sha256()
    for path in _fingerprint_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    for name in FINGERPRINT_VARIABLES:
        digest.update(f"{name}={os.environ.get(name, '')}".encode())
    return digest.hexdigest()


def clear_stale_cache(root: Path = ROOT, *, force: bool = False) -> bool:
    """Drop the execution cache when the helpers changed (or when forced).

    Returns whether it was dropped, in which case every page must be rebuilt.
    """
    build_dir = root / "_build"
    cache, stamp = build_dir / ".jupyter_cache", build_dir / ".helpers-fingerprint"
    fingerprint = helpers_fingerprint(root)
    stale = force or not stamp.exists() or stamp.read_text() != fingerprint
    if stale and cache.exists():
        shutil.rmtree(cache)
    build_dir.mkdir(exist_ok=True)
    stamp.write_text(fingerprint)
    return stale


def toc_entries(root: Path = ROOT) -> list[str]:
    """Every page of ``_toc.yml`` (the root, then each part's chapters), in order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The book's pages that are notebooks (MyST markdown with a kernel), in toc order."""
    from myst_nb.core.read import is_myst_markdown_notebook

    pages = [root / f"{name}.md" for name in toc_entries(root)]
    return [page for page in pages if is_myst_markdown_notebook(page.read_text())]


def _cache(root: Path):
    """The build's execution cache (jupyter-cache), in ``_build/.jupyter_cache``."""
    from jupyter_cache import get_cache

    return get_cache(str(root / "_build" / ".jupyter_cache"))


def _fingerprint_files(root: Path) -> list[Path]:
    return [
        *sorted((root / "src" / "depmap_models").rglob("*.py")),
        *sorted(path for path in (root / "data").rglob("*") if path.is_file()),
        root / "requirements.txt",
    ]


def execute_in_parallel(root: Path = ROOT, *, timeout: int = 900) -> list[str]:
    """Execute the uncached notebook pages into the build's cache, one per core.

    Runs in a fresh Python process: jupyter-cache forks its workers, which is unsafe in
    a process that already runs threads (a test session, say). Returns the pages that
    failed; the build executes them again and shows the error.
    """
    import tempfile

    command = [sys.executable, __file__, "--execute-in-parallel", str(root), str(timeout)]
    (root / "_build").mkdir(exist_ok=True)
    # Chapters that fit the same model to the same data share one fit (sampling.fit), through
    # a directory that lives as long as this run.
    with tempfile.TemporaryDirectory(prefix="fits-", dir=root / "_build") as fits:
        env = dict(os.environ, DEPMAP_BOOK_QUIET="1")  # the kernels inherit it: no progress bars
        env.setdefault("DEPMAP_FIT_CACHE", fits)
        done = subprocess.run(command, check=True, env=env, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


#: The last measured execution seconds of each page (``benchmarks/book_build.py --out``):
#: the pool starts the longest pages first.
TIMINGS = ROOT / "benchmarks" / "results" / "book_build.csv"


def expected_seconds(root: Path = ROOT) -> dict[str, float]:
    """Each page's last measured execution seconds, keyed by its path from ``root``."""
    timings = root / TIMINGS.relative_to(ROOT)
    if not timings.is_file():
        return {}
    import csv

    with timings.open(newline="", encoding="utf-8") as handle:
        return {row["what"]: float(row["seconds"]) for row in csv.DictReader(handle)}


#: Pages that load a fit another page samples (``sampling.fit`` shares it within a run),
#: keyed by the page that samples it. They start last: started beside the page they wait for,
#: they would hold a worker idle while it samples.
SHARED_FIT_READERS = {"notebooks/13-real-screen-model.md": ["notebooks/14-against-chronos.md"]}


def execution_order(pages: list[str], expected: dict[str, float]) -> list[str]:
    """The order in which the pool starts ``pages``: longest first, shared-fit readers last.

    Parameters
    ----------
    pages : list of str
        Paths from the book's root.
    expected : dict
        Each page's last measured seconds (:func:`expected_seconds`); unknown pages count 0.

    Returns
    -------
    list of str
    """
    readers = {reader for sampled in SHARED_FIT_READERS.values() for reader in sampled}
    return sorted(pages, key=lambda page: (page in readers, -expected.get(page, 0.0)))


def _execute_in_parallel(root: Path, timeout: int) -> list[str]:
    import multiprocessing

    from jupyter_cache.executors import load_executor
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    cache = _cache(root)
    for page in notebook_pages(root):
        cache.add_nb_to_project(str(page), read_data=MYST_READER)
    logger = logging.getLogger("build_book")
    logger.setLevel(logging.WARNING)
    executor = load_executor("local-parallel", cache=cache, logger=logger)
    records = executor.get_records(clear_tracebacks=True)
    # Longest first, one page at a time (jupyter-cache's own run_and_cache hands the pool
    # chunks of three pages in file order, which left the two real-data chapters to one
    # worker at the end): the two workers then finish close together.
    by_page = {Path(record.uri).resolve().relative_to(root.resolve()).as_posix(): record
               for record in records}
    records = [by_page[page] for page in execution_order(list(by_page), expected_seconds(root))]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        results = pool.map(
            ExecutionWorkerLocalMProc(),
            [ProcessData(record.pk, record.uri, cache, timeout, False) for record in records],
            chunksize=1,
        )
    return [uri for status, uri in results if status in (1, 2)]


def cache_executed_twins(root: Path = ROOT) -> list[Path]:
    """Cache the outputs that nbmake has just written into the ``.ipynb`` twins.

    A twin counts only if it is newer than its page and than every fingerprinted file,
    ran every code cell without an error, and has exactly its page's code. Its outputs
    are set into the page as the build reads it, so the build finds them in the cache.
    Returns the pages cached.
    """
    import nbformat
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import myst_nb_reader_plugin

    cache = _cache(root)
    inputs_changed = max(path.stat().st_mtime for path in _fingerprint_files(root))
    cached = []
    for page in notebook_pages(root):
        twin = page.with_suffix(".ipynb")
        if not twin.exists() or twin.stat().st_mtime <= max(inputs_changed, page.stat().st_mtime):
            continue
        executed = [c for c in nbformat.read(twin, as_version=4).cells if c.cell_type == "code"]
        notebook = myst_nb_reader_plugin(str(page))
        code = [c for c in notebook.cells if c.cell_type == "code"]
        ran = all(c.get("execution_count") is not None for c in executed) and not any(
            output.get("output_type") == "error" for c in executed for output in c.outputs
        )
        if not ran or [c.source for c in code] != [c.source for c in executed]:
            continue
        for cell, done in zip(code, executed, strict=True):
            cell.outputs, cell.execution_count = done.outputs, done.execution_count
        cache.add_nb_to_project(str(page), read_data=MYST_READER)
        seconds = _execution_seconds(executed)
        bundle = CacheBundleIn(notebook, str(page), data={"execution_seconds": seconds})
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        cached.append(page)
    return cached


def _execution_seconds(cells) -> float | None:
    """Wall time from the first cell's start to the last cell's end, as nbclient records it."""
    from datetime import datetime

    times = [c.metadata.get("execution", {}) for c in cells]
    start = times[0].get("iopub.execute_input") if times else None
    end = times[-1].get("shell.execute_reply") if times else None
    if not (start and end):
        return None
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def build(root: Path = ROOT, *, force: bool = False) -> Path:
    """Build the book in ``root``; ``force`` executes every chapter again (a cold build)."""
    stale = clear_stale_cache(root, force=force)
    if stale and not force:
        print("build: helpers changed since the last build: executing every chapter again")
    if os.environ.get("DEPMAP_BOOK_REUSE_EXECUTED") and not force:
        reused = cache_executed_twins(root)
        print(f"build: reusing the outputs nbmake just wrote for {len(reused)} chapter(s)")
    failed = execute_in_parallel(root)
    if failed:
        print(f"build: {len(failed)} chapter(s) failed to execute; the build shows why")
    env = dict(os.environ, DEPMAP_BOOK_QUIET="1")
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build", str(root), "--warningiserror", "--keep-going", "--quiet",
    ]
    if stale:
        command.append("--all")
    subprocess.run(command, check=True, cwd=root, env=env)
    index = root / "_build" / "html" / "index.html"
    if not index.exists():
        raise SystemExit(f"build: {index} was not written")
    return index


if __name__ == "__main__":
    if sys.argv[1:2] == ["--execute-in-parallel"]:
        print(json.dumps(_execute_in_parallel(Path(sys.argv[2]), int(sys.argv[3]))))
        raise SystemExit(0)
    try:
        print(f"build: the book is at {build()}")
    except subprocess.CalledProcessError as err:
        raise SystemExit(
            f"build: jupyter-book failed (exit {err.returncode}); see the log above"
        ) from err
