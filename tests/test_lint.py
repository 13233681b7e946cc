"""The code passes ruff: style, imports, bugbear and numpydoc docstrings (``pyproject.toml``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("src", "benchmarks", "tests", "scripts")


def test_ruff_check_passes():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"ruff check {' '.join(PATHS)}:\n{result.stdout}{result.stderr}"
