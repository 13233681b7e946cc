"""Naive against identified intercepts: how much work does the sampler do?

Fits the naive and the identified model (``depmap_models.models``, the builders the
chapter "The identifiability fix" uses) on three data sets: the forum thread's
(``two_intercepts``), Model 4 (``genes_and_cell_lines``) and Model 5
(``sgrna_and_cell_lines``), each simulated with ``RandomState(seed)``, with PyMC's
own NUTS and with nutpie: the same chains, draws, tuning steps, seed and target acceptance
rate for every fit.
Prints one table row per fit and, with ``--out``, writes them to a CSV with the columns
``model, parameterization, sampler`` and ``depmap_models.sampling.FIT_COLUMNS``.

The target acceptance rate is 0.9 rather than the samplers' default 0.8. With three genes,
the posterior of the forum model's ``sigma_alpha`` has light tails on the log scale (the
data's ``sum(alpha_g**2) / sigma_alpha**2`` below, the prior's rate above), and PyMC's
sampler, its step size tuned to the bulk, diverged there 0 to 2 times per run at 0.8 (seeds
103 and 1 to 5); at 0.9 it did not, in the four runs that had diverged. A smaller step is
the remedy for such occasional divergences in the tails; a funnel would need a new
parameterization instead.

Three measures of cost, because compilation is most of an identified fit's wall time:

- ``wall_s``, the wall-clock time of the whole ``pm.sample`` call (``time.perf_counter``),
  compilation included, and ``ess_per_s = min_ess_bulk / wall_s``;
- ``sampling_s``, the sampler's own timing of tuning and drawing (no compilation), and
  ``ess_per_sampling_s``;
- ``ess_per_1000_grad``, the smallest bulk ESS per 1000 gradient evaluations (leapfrog
  steps) of the kept draws: a measure of the posterior's geometry that neither the compiler
  nor the machine changes.

``min_ess_bulk`` and ``max_rhat`` are over the model's free random variables. Every fit has
four chains by default, the book's standard.

Run from the repository root with the project's environment::

    .venv/bin/python benchmarks/identifiability.py --out /tmp/b.csv
    .venv/bin/python benchmarks/identifiability.py --quick      # a smoke test
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

os.environ.setdefault("DEPMAP_BOOK_QUIET", "1")

from depmap_models import models, sampling  # noqa: E402

#: The CSV's columns, in order.
COLUMNS = ("model", "parameterization", "sampler", *sampling.FIT_COLUMNS)
SAMPLERS = ("pymc", "nutpie")
#: The costs compared between the identified and the naive model.
RATIOS = ("ess_per_s", "ess_per_sampling_s", "ess_per_1000_grad")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write one row per fit to this CSV file")
    parser.add_argument("--draws", type=int, default=1000, help="draws per chain (1000)")
    parser.add_argument("--tune", type=int, default=1000, help="tuning steps per chain (1000)")
    parser.add_argument(
        "--chains", type=int, default=sampling.CHAINS, help=f"chains ({sampling.CHAINS})"
    )
    parser.add_argument("--seed", type=int, default=103, help="data and sampler seed (103)")
    parser.add_argument(
        "--target-accept", type=float, default=0.9,
        help="NUTS's target acceptance rate, for every fit (0.9)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 100 draws and 100 tuning steps"
    )
    parser.add_argument(
        "--models", nargs="+", choices=models.DATASETS, default=list(models.DATASETS),
        help="data sets to fit (all three)",
    )
    parser.add_argument(
        "--parameterizations", nargs="+", choices=models.PARAMETERIZATIONS,
        default=list(models.PARAMETERIZATIONS), help="naive, identified or both (both)",
    )
    parser.add_argument(
        "--samplers", nargs="+", choices=SAMPLERS, default=list(SAMPLERS),
        help="NUTS implementations (both)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.tune = 100, 100
    for name in ("draws", "tune", "chains"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not 0 < args.target_accept < 1:
        parser.error(f"--target-accept must be between 0 and 1, got {args.target_accept}")
    return args


def run(args: argparse.Namespace) -> pd.DataFrame:
    """Fit every combination, each in a fresh process; one row per fit.

    A fresh process per fit keeps the fits independent (no compiled function or thread
    pool carried over) and lets PyMC's sampler fork its chain processes safely.
    """
    rows = []
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, max_tasks_per_child=1) as pool:
        for dataset in args.models:
            for parameterization in args.parameterizations:
                for sampler in args.samplers:
                    row = pool.submit(
                        sampling.benchmark_fit, dataset, parameterization, sampler,
                        draws=args.draws, tune=args.tune, chains=args.chains, seed=args.seed,
                        target_accept=args.target_accept,
                    ).result()
                    rows.append(row)
                    print(
                        f"{dataset:>22} {parameterization:>10} {sampler:>6}: "
                        f"{row['wall_s']:7.1f} s, min ESS {row['min_ess_bulk']:7.0f}",
                        file=sys.stderr,
                        flush=True,
                    )
    frame = pd.DataFrame(rows)
    frame["divergences"] = frame["divergences"].astype(int)
    return frame


def speedups(results: pd.DataFrame) -> pd.DataFrame:
    """Identified over naive: ESS per second (wall, sampling) and per gradient evaluation."""
    keys = ["model", "sampler"]
    wide = results.pivot_table(
        index=keys, columns="parameterization", values=list(RATIOS)
    )
    if not {"naive", "identified"} <= set(results["parameterization"]):
        return pd.DataFrame()
    return pd.DataFrame(
        {name: wide[name]["identified"] / wide[name]["naive"] for name in RATIOS}
    )


def write_csv(results: pd.DataFrame, path: str) -> None:
    """The CSV: exactly :data:`COLUMNS`, one row per fit."""
    results.loc[:, list(COLUMNS)].to_csv(path, index=False)


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(argv)
    start = time.perf_counter()
    results = run(args)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(
            f"{args.chains} chains x {args.draws} draws after {args.tune} tuning steps, "
            f"seed {args.seed}, target_accept {args.target_accept}"
        )
        print(results.round(3).to_string(index=False))
        ratios = speedups(results)
        if not ratios.empty:
            print("\nidentified / naive: ESS per second (wall), per second of sampling, and per"
                  " 1000 gradient evaluations:")
            print(ratios.round(1).to_string())
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if args.out:
        write_csv(results, args.out)
        print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
