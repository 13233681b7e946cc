"""The real-screen scaling benchmark's own logic: which lines, which arguments."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load():
    path = ROOT / "benchmarks" / "real_screen_scaling.py"
    spec = importlib.util.spec_from_file_location("real_screen_scaling", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_line_order_starts_with_the_chapter_lines_and_holds_every_passing_line():
    from depmap_models import data, realscreen

    bench = load()
    order = bench.line_order()
    chapter = list(realscreen.CHAPTER_LINES["cell_line"])
    assert order[: len(chapter)] == chapter
    table = data.cell_lines()
    passing = set(table.loc[table["n_passing_qc"] > 0, "cell_line"])
    assert set(order) == passing and len(order) == len(passing) == 41
    assert order[len(chapter):] == sorted(passing - set(chapter))


def test_choose_lines_takes_a_prefix_or_all():
    bench = load()
    order = [f"ACH-{i:06d}" for i in range(12)]
    assert bench.choose_lines(5, order) == order[:5]
    assert bench.choose_lines(0, order) == order


@pytest.mark.parametrize("n_lines", [-1, 1, 13, True, 2.5])
def test_choose_lines_names_a_bad_count(n_lines):
    bench = load()
    with pytest.raises(ValueError, match="n_lines"):
        bench.choose_lines(n_lines, [f"ACH-{i:06d}" for i in range(12)])


def test_bad_arguments_are_refused(capsys):
    bench = load()
    with pytest.raises(SystemExit):
        bench.parse_args(["--lines", "99"])
    assert "--lines" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["--draws", "0"])
    args = bench.parse_args(["--lines", "5", "0"])
    assert args.lines == [5, 0] and args.draws == 500
