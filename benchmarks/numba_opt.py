"""Does numba's optimisation level change the book's fits? Compile and sample each model twice.

Usage (after `make book` has set up .venv):

    .venv/bin/python benchmarks/numba_opt.py [--out FILE.csv]

The package sets ``NUMBA_OPT=1`` (unless the environment already sets it) before numba is
first imported. This script checks that choice: for each of several of the book's models, and
for each level (1, and numba's default 3), a fresh process compiles the model with nutpie and
samples it (4 chains of 1000 draws after 1000 tuning steps, seed 1). Each level gets compile
caches of its own (PyTensor's and numba's, in a temporary directory), and runs twice: first
with the caches empty, as on a fresh machine (``cold``), then with the caches the first run
filled, as on any later run (``warm``). It prints, per model, level and run, the compilation
and sampling seconds and a SHA-256 of the draws, and whether the two levels gave the same
draws.

Each process compiles every model in turn, as a chapter does: the first compilation of a
process also pays for numba's start.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("1", "3")


def build_models():
    """Four of the book's simulated-data models, as ``{name: pymc.Model}``."""
    import numpy as np

    from depmap_models import models, mutation, screen, simulate

    sim4 = simulate.genes_and_cell_lines(np.random.RandomState(103))
    sim5 = simulate.sgrna_and_cell_lines(np.random.RandomState(103))
    return {
        "Model 4 (naive)": models.genes_and_cell_lines_naive(sim4),
        "Model 5 (identified)": models.sgrna_and_cell_lines_identified(sim5),
        "realistic screen (ch. 8)": screen.realistic_model(
            simulate.realistic_screen(np.random.default_rng(2024))),
        "varying mutation effect (ch. 9)": mutation.varying_effect_model(
            simulate.mutation_screen(np.random.default_rng(2024))),
    }


def run_level() -> list[dict]:
    """Compile and sample every model in this process, at the level the environment sets."""
    import time

    from depmap_models import sampling

    rows = []
    for name, model in build_models().items():
        start = time.perf_counter()
        compiled = sampling.compile_model(model)
        compile_s = time.perf_counter() - start
        idata = sampling.sample(compiled, random_seed=1, draws=1000, tune=1000)
        digest = hashlib.sha256()
        for var in sorted(idata["posterior"].data_vars):
            digest.update(idata["posterior"][var].values.tobytes())
        rows.append({"model": name, "compile_s": compile_s,
                     "sampling_s": float(idata["posterior"].attrs["sampling_time"]),
                     "draws_sha256": digest.hexdigest()})
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the measurements to this CSV file")
    args = parser.parse_args(argv)
    frames = []
    for level in LEVELS:
        with tempfile.TemporaryDirectory(prefix=f"numba-opt-{level}-") as caches:
            env = dict(os.environ, NUMBA_OPT=level, DEPMAP_BOOK_QUIET="1",
                       PYTENSOR_FLAGS=f"base_compiledir={caches}/pytensor",
                       NUMBA_CACHE_DIR=f"{caches}/numba")
            env.pop("DEPMAP_SAMPLER_SEED", None)
            for caches_state in ("cold", "warm"):
                done = subprocess.run([sys.executable, __file__, "--run-level"], env=env,
                                      check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
                frame = pd.DataFrame(json.loads(done.stdout.strip().splitlines()[-1]))
                frames.append(frame.assign(numba_opt=int(level), caches=caches_state))
    table = pd.concat(frames, ignore_index=True)
    same = table.groupby("model", sort=False)["draws_sha256"].nunique() == 1
    table["same_draws_at_both_levels"] = table["model"].map(same)
    runs = table.groupby(["model", "numba_opt"], sort=False)["draws_sha256"].nunique() == 1
    table["same_draws_cold_and_warm"] = [
        runs[key] for key in zip(table["model"], table["numba_opt"], strict=True)]
    table = table.round({"compile_s": 2, "sampling_s": 2})
    print(table.drop(columns="draws_sha256").to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)
    return table


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run-level"]:
        print(json.dumps(run_level()))
        raise SystemExit(0)
    main()
