"""Build the HTML book into _build/html, never from stale execution results.

Jupyter Book caches each chapter's outputs keyed on the chapter's own code
cells, and Sphinx re-reads only the pages whose source changed. So a change in
``src/depmap_models`` (or in the pinned requirements) would leave old outputs
in the book twice over. This script keeps a fingerprint of those files beside
the cache; when it changes, it drops the cache and rebuilds every page
(``--all``), so every chapter is executed again. Then it builds with warnings
as errors and prints where ``index.html`` is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def build(root: Path = ROOT, *, force: bool = False) -> Path:
    """Build the book in ``root``; ``force`` executes every chapter again (a cold build)."""
    stale = clear_stale_cache(root, force=force)
    if stale and not force:
        print("build: helpers changed since the last build: executing every chapter again")
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
