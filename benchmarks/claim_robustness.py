"""Do the chapters' claims hold for any sampler seed? Execute the book under many.

Every chapter is executed (two at a time, each in a fresh kernel) once per
configuration:

- ``default``: the chapters' own seeds (``DEPMAP_SAMPLER_SEED`` unset);
- ``seed k`` for each requested seed: ``DEPMAP_SAMPLER_SEED=k``, which changes every
  sampler, predictive and other non-data random step (the simulated data stay);
- ``generic`` (with ``--generic``): the chapters' own seeds with
  ``NUMBA_CPU_NAME=generic``, so numba compiles the models for another CPU target, as a
  reader's machine would.

It writes two tables (printed, and as CSV beside this script):

- ``claim_robustness.csv``: one row per chapter and configuration: passed or not, the
  seconds it took, and the first failing claim (its label or assert, the chapter's file
  and line, the message with the values);
- ``claim_margins.csv``: one row per claim checked with ``depmap_models.claims.check``:
  its bounds beside the smallest and largest value it took across configurations, so a
  reviewer sees how much margin each claim has.

Usage::

    python benchmarks/claim_robustness.py --n-seeds 10 --generic      # make sweep
    python benchmarks/claim_robustness.py --seeds 7 --chapters 04 06  # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
HERE = Path(__file__).resolve().parent
TIMEOUT_S = 900
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Config:
    """One way of executing the book: a name, its sampler seed and extra environment."""

    name: str
    seed: int | None = None
    env: dict = field(default_factory=dict)

    def environment(self, log: Path) -> dict:
        # Every run samples its own fits: no seed switch and no shared fits inherited.
        env = {k: v for k, v in os.environ.items()
               if k not in ("DEPMAP_SAMPLER_SEED", "DEPMAP_FIT_CACHE")}
        env.update(self.env, DEPMAP_BOOK_QUIET="1", DEPMAP_CLAIMS_LOG=str(log))
        if self.seed is not None:
            env["DEPMAP_SAMPLER_SEED"] = str(self.seed)
        return env


def configurations(seeds: list[int], *, default: bool, generic: bool) -> list[Config]:
    configs = [Config("default")] if default else []
    configs += [Config(f"seed {seed}", seed) for seed in seeds]
    if generic:
        configs.append(Config("generic", None, {"NUMBA_CPU_NAME": "generic"}))
    return configs


def chapters(selected: list[str] | None) -> list[Path]:
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.md"))
    if not selected:
        return found
    chosen = [p for p in found if any(p.name.startswith(s) for s in selected)]
    unknown = [s for s in selected if not any(p.name.startswith(s) for p in found)]
    if unknown:
        raise SystemExit(f"--chapters names no chapter: {unknown}")
    return chosen


# --------------------------------------------------------------------------------------
# One chapter in one configuration (run in a subprocess: `--run-one CHAPTER --result F`)
# --------------------------------------------------------------------------------------


def _failure_location(md_path: Path, cell_source: str, traceback: list[str]) -> tuple[int, str]:
    """The chapter's line of the failing statement, and that statement."""
    text = md_path.read_text(encoding="utf-8")
    start = text.find(cell_source)
    cell_line = text[:start].count("\n") + 1 if start >= 0 else 0
    lines = [ANSI.sub("", t) for t in traceback]
    offset = None
    for chunk in lines:
        for match in re.finditer(r"Cell In\[\d+\], line (\d+)", chunk):
            offset = int(match.group(1))
    if offset is None or start < 0:
        return cell_line, ""
    statement = cell_source.splitlines()[offset - 1].strip() if cell_source else ""
    return cell_line + offset - 1, statement


def run_one(md_path: Path, result_path: Path) -> None:
    """Execute one chapter and write what happened as JSON."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = jupytext.read(md_path)
    client = NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(md_path.parent)}},
    )
    start = time.perf_counter()
    result = {"passed": True, "line": None, "statement": "", "error": ""}
    try:
        client.execute()
    except CellExecutionError as err:
        failed = next(
            (c for c in nb.cells if c.cell_type == "code"
             and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        result["passed"] = False
        if failed is not None:
            error = next(o for o in failed.outputs if o.get("output_type") == "error")
            line, statement = _failure_location(md_path, failed.source, error.get("traceback", []))
            result.update(line=line, statement=statement,
                          error=f"{error.get('ename')}: {ANSI.sub('', error.get('evalue', ''))}")
        else:
            result["error"] = str(err).splitlines()[-1][:500]
    except Exception as err:  # a kernel that died or timed out is a failure too
        result.update(passed=False, error=f"{type(err).__name__}: {err}"[:500])
    result["seconds"] = time.perf_counter() - start
    result_path.write_text(json.dumps(result), encoding="utf-8")


# --------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------


def _execute(task: tuple[Config, Path], workdir: Path) -> dict:
    config, md_path = task
    tag = f"{config.name.replace(' ', '')}-{md_path.stem}"
    log = workdir / f"{tag}.claims.jsonl"
    out = workdir / f"{tag}.result.json"
    log.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--run-one", str(md_path), "--result", str(out)],
        env=config.environment(log), capture_output=True, text=True, timeout=TIMEOUT_S + 120,
    )
    if out.exists():
        result = json.loads(out.read_text(encoding="utf-8"))
    else:
        result = {"passed": False, "line": None, "statement": "", "seconds": float("nan"),
                  "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    claims = []
    if log.exists():
        claims = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    failing = next((c for c in claims if not c["passed"]), None)
    location = f"notebooks/{md_path.name}:{result['line']}" if result.get("line") else ""
    row = {
        "config": config.name,
        "seed": "" if config.seed is None else config.seed,
        "chapter": md_path.stem,
        "passed": bool(result["passed"]),
        "seconds": round(float(result.get("seconds", float("nan"))), 1),
        "first_failure": (failing["label"] if failing else result.get("statement", "")),
        "location": location,
        "message": result.get("error", ""),
    }
    print(f"{row['config']:>9} {row['chapter']:<28} {'pass' if row['passed'] else 'FAIL'} "
          f"{row['seconds']:7.1f} s {row['location']} {row['message'][:160]}", flush=True)
    return {"row": row, "claims": [{**c, "config": config.name, "chapter": md_path.stem}
                                   for c in claims]}


def margins(claims: list[dict]):
    """Per claim: its bounds, and the smallest and largest value across configurations."""
    import pandas as pd

    frame = pd.DataFrame(claims)
    if frame.empty:
        return frame
    frame = frame[frame["value"].map(lambda v: not isinstance(v, bool))].copy()
    frame["value"] = frame["value"].astype(float)
    return (
        frame.groupby(["chapter", "label"], sort=False)
        .agg(low=("low", "first"), min=("value", "min"), max=("value", "max"),
             high=("high", "first"), runs=("value", "size"),
             failed=("passed", lambda p: int((~p.astype(bool)).sum())))
        .reset_index()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=None,
                        help="sampler seeds to sweep (default: 1..N with --n-seeds)")
    parser.add_argument("--n-seeds", type=int, default=10, help="sweep seeds 1..N")
    parser.add_argument("--chapters", nargs="*", help="chapter number prefixes (default: all)")
    parser.add_argument("--no-default", action="store_true", help="skip the chapters' own seeds")
    parser.add_argument("--generic", action="store_true",
                        help="also run once with NUMBA_CPU_NAME=generic")
    parser.add_argument("--jobs", type=int, default=2, help="chapters executed at a time")
    parser.add_argument("--out", type=Path, default=HERE / "claim_robustness.csv")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        run_one(args.run_one, args.result)
        return 0
    if args.n_seeds < 0 or args.jobs < 1:
        parser.error("--n-seeds must be >= 0 and --jobs >= 1")
    import pandas as pd

    seeds = args.seeds if args.seeds is not None else list(range(1, args.n_seeds + 1))
    configs = configurations(seeds, default=not args.no_default, generic=args.generic)
    if not configs:
        parser.error("nothing to run: no seeds, --no-default and no --generic")
    # Longest chapters first, so two workers finish together.
    paths = sorted(chapters(args.chapters), key=lambda p: -p.stat().st_size)
    tasks = [(config, path) for config in configs for path in paths]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="claims-") as tmp, \
            ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda task: _execute(task, Path(tmp)), tasks))
    rows = pd.DataFrame([r["row"] for r in results]).sort_values(["chapter", "config"])
    table = margins([c for r in results for c in r["claims"]])
    rows.to_csv(args.out, index=False)
    table.to_csv(args.out.with_name("claim_margins.csv"), index=False)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60,
                           "display.max_rows", 1000):
        print("\nPer chapter and configuration:")
        print(rows.drop(columns="message").to_string(index=False))
        if not table.empty:
            print("\nClaims (value range across configurations, beside the bounds):")
            print(table.to_string(index=False))
    failed = rows.loc[~rows["passed"]]
    print(f"\n{len(rows)} runs, {len(failed)} failed, {time.perf_counter() - start:.0f} s")
    for _, row in failed.iterrows():
        print(f"  {row['config']} {row['chapter']}: {row['first_failure']} at {row['location']}"
              f" -- {row['message'][:300]}")
    return 1 if len(failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
