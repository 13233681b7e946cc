"""The robustness sweep's own logic: configurations, failure locations, claim margins."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def load():
    path = ROOT / "benchmarks" / "claim_robustness.py"
    spec = importlib.util.spec_from_file_location("claim_robustness", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_configurations_cover_default_seeds_and_a_generic_cpu(tmp_path):
    sweep = load()
    configs = sweep.configurations([1, 2], default=True, generic=True)
    assert [c.name for c in configs] == ["default", "seed 1", "seed 2", "generic"]
    env = configs[1].environment(tmp_path / "log")
    assert env["DEPMAP_SAMPLER_SEED"] == "1" and env["DEPMAP_BOOK_QUIET"] == "1"
    assert env["DEPMAP_CLAIMS_LOG"] == str(tmp_path / "log")
    generic = configs[-1].environment(tmp_path / "log")
    assert generic["NUMBA_CPU_NAME"] == "generic" and "DEPMAP_SAMPLER_SEED" not in generic


def test_a_failure_is_located_in_the_chapter(tmp_path):
    sweep = load()
    chapter = tmp_path / "01-x.md"
    source = "x = 1\nassert x == 2, x"
    chapter.write_text(f"# title\n\n```{{code-cell}} ipython3\n{source}\n```\n")
    traceback = ["\x1b[0;31mAssertionError\x1b[0m", "Cell \x1b[0;32mIn[3], line 2\x1b[0m"]
    line, statement = sweep._failure_location(chapter, source, traceback)
    assert (line, statement) == (5, "assert x == 2, x")


def test_margins_give_each_claims_range_beside_its_bounds():
    sweep = load()
    claims = [
        {"chapter": "04", "label": "ess", "value": 150.0, "low": None, "high": 400.0,
         "passed": True, "config": "default"},
        {"chapter": "04", "label": "ess", "value": 410.0, "low": None, "high": 400.0,
         "passed": False, "config": "seed 1"},
        {"chapter": "04", "label": "ok", "value": True, "low": None, "high": None,
         "passed": True, "config": "default"},
    ]
    table = sweep.margins(claims)
    assert list(table["label"]) == ["ess"]
    row = table.iloc[0]
    assert (row["min"], row["max"], row["high"], row["runs"], row["failed"]) == (
        150.0, 410.0, 400.0, 2, 1)
    assert sweep.margins([]).empty and isinstance(sweep.margins([]), pd.DataFrame)
