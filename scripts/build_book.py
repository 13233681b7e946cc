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
two at a time (one per core), with jupyter-cache's parallel executor; the
build then finds every chapter cached. A chapter that fails there is left
uncached, and the build executes it again and reports its error. Then it
builds with warnings as errors and prints where ``index.html`` is.
"""

from __future__ import annotations

import hashlib
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


def helpers_fingerprint(root: Path = ROOT) -> str:
    """Hash of everything a chapter's results depend on besides its own cells."""
    digest = hashlib.sha256()
    files = sorted((root / "src" / "depmap_models").rglob("*.py"))
    files += [root / "requirements.txt"]
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
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


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The book's pages that are notebooks (MyST markdown with a kernel), in toc order."""
    import yaml
    from myst_nb.core.read import is_myst_markdown_notebook

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    pages = [root / f"{name}.md" for name in files]
    return [page for page in pages if is_myst_markdown_notebook(page.read_text())]


def execute_in_parallel(root: Path = ROOT, *, timeout: int = 900) -> list[str]:
    """Execute the uncached notebook pages into the build's cache, one per core.

    Returns the pages that failed (the build executes them again and shows the error).
    """
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(root / "_build" / ".jupyter_cache"))
    for page in notebook_pages(root):
        cache.add_nb_to_project(str(page), read_data=MYST_READER)
    logger = logging.getLogger("build_book")
    logger.setLevel(logging.WARNING)
    executor = load_executor("local-parallel", cache=cache, logger=logger)
    quiet = os.environ.get("DEPMAP_BOOK_QUIET")
    os.environ["DEPMAP_BOOK_QUIET"] = "1"  # the kernels inherit it: no progress bars
    try:
        result = executor.run_and_cache(timeout=timeout, allow_errors=False)
    finally:
        if quiet is None:
            del os.environ["DEPMAP_BOOK_QUIET"]
        else:
            os.environ["DEPMAP_BOOK_QUIET"] = quiet
    return [*result.excepted, *result.errored]


def build(root: Path = ROOT, *, force: bool = False) -> Path:
    """Build the book in ``root``; ``force`` executes every chapter again (a cold build)."""
    stale = clear_stale_cache(root, force=force)
    if stale and not force:
        print("build: helpers changed since the last build: executing every chapter again")
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
    try:
        print(f"build: the book is at {build()}")
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"build: jupyter-book failed (exit {err.returncode}); see the log above")
