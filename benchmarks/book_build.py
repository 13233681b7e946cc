"""Time the book: a cold build (no execution cache), a warm rebuild, and each chapter's execution.

Usage (after `make book` has set up .venv):

    .venv/bin/python benchmarks/book_build.py [--out FILE.csv]

Prints a table; with --out, writes one row per measurement with columns
``what`` (``cold build``, ``warm build`` or a chapter's path) and ``seconds``.
The cold build drops the execution cache and rebuilds every page, so every chapter runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import pandas as pd
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed_build(build_script, *, force: bool = False) -> float:
    start = time.perf_counter()
    build_script.build(force=force)
    return time.perf_counter() - start


def chapter_times(cache_dir: Path) -> dict[str, float]:
    records = get_cache(str(cache_dir)).list_cache_records()
    return {
        str(Path(record.uri).relative_to(ROOT)): float(record.data["execution_seconds"])
        for record in sorted(records, key=lambda r: r.uri)
    }


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the measurements to this CSV file")
    args = parser.parse_args(argv)

    build_script = load_build_script()
    rows = [("cold build", timed_build(build_script, force=True))]
    rows += list(chapter_times(ROOT / "_build" / ".jupyter_cache").items())
    rows.append(("warm build", timed_build(build_script)))
    table = pd.DataFrame(rows, columns=["what", "seconds"]).round({"seconds": 1})
    print(table.to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)
    return table


if __name__ == "__main__":
    main()
