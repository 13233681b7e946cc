"""Build the HTML book into _build/html, never from stale execution results.

Jupyter Book caches each chapter's outputs keyed on the chapter's own code
cells only, so a change in ``src/depmap_models`` (or in the pinned
requirements) would leave old outputs in the book. This script keeps a
fingerprint of those files beside the cache and clears the cache when it
changes, so every chapter is executed again. Then it builds with warnings as
errors and prints where ``index.html`` is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
FINGERPRINT = BUILD / ".helpers-fingerprint"


def helpers_fingerprint() -> str:
    """Hash of everything a chapter's results depend on besides its own cells."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "src" / "depmap_models").rglob("*.py"))
    files += [ROOT / "requirements.txt"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def clear_stale_cache() -> bool:
    """Drop the execution cache when the helpers changed; return whether it was dropped."""
    fingerprint = helpers_fingerprint()
    stale = not FINGERPRINT.exists() or FINGERPRINT.read_text() != fingerprint
    if stale and CACHE.exists():
        shutil.rmtree(CACHE)
    BUILD.mkdir(exist_ok=True)
    FINGERPRINT.write_text(fingerprint)
    return stale


def build() -> Path:
    if clear_stale_cache():
        print("build: helpers changed since the last build: executing every chapter again")
    env = dict(os.environ, DEPMAP_BOOK_QUIET="1")
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build", str(ROOT), "--warningiserror", "--keep-going", "--quiet",
    ]
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    index = BUILD / "html" / "index.html"
    if not index.exists():
        raise SystemExit(f"build: {index} was not written")
    return index


if __name__ == "__main__":
    try:
        print(f"build: the book is at {build()}")
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"build: jupyter-book failed (exit {err.returncode}); see the log above")
