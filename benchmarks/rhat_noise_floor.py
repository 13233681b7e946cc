"""How often does a perfect posterior fail the check R-hat <= 1.01?

The identifiability benchmark (``benchmarks/identifiability.py``) asks every identified model
for a largest R-hat of at most 1.01 from 4 chains x 1000 draws. This script measures how
often that check fails when nothing is wrong: it samples ``k`` independent standard normals,
a posterior without funnel, ridge or heavy tail, with the same settings and several sampler
seeds, for ``k`` equal to the number of scalar parameters whose R-hat the benchmark takes the
largest of in each identified model (17, 36 and 45).

ArviZ's R-hat is the larger of a rank-normalised R-hat of the draws and of their distance
from the median (the *folded* draws). NUTS draws of a normal posterior are antithetic: a
trajectory that stops at a U-turn lands near the mirror image of its start, which makes the
mean very precise (bulk ESS above the number of draws) but leaves the distance from the
median almost unchanged from one draw to the next (folded ESS a fraction of it). The folded
R-hat therefore rests on few effective draws, and the largest of some 40 of them reaches
past 1.01 in a share of the runs that this script prints.

Run from the repository root with the project's environment::

    .venv/bin/python benchmarks/rhat_noise_floor.py             # 10 seeds, about 3 minutes
    .venv/bin/python benchmarks/rhat_noise_floor.py --seeds 3   # a smoke test
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

os.environ.setdefault("DEPMAP_BOOK_QUIET", "1")

import arviz as az  # noqa: E402
import pymc as pm  # noqa: E402

from depmap_models import models, sampling  # noqa: E402

#: Settings shared with the identifiability benchmark.
DRAWS, TUNE, CHAINS, TARGET_ACCEPT = 1000, 1000, sampling.CHAINS, 0.9


def parameter_counts() -> dict[str, int]:
    """Per data set, the scalar parameters of the identified model that R-hat is taken over."""
    counts = {}
    for dataset in models.DATASETS:
        model = models.build(dataset, "identified", models.simulate_dataset(dataset))
        shapes = model.eval_rv_shapes()
        counts[dataset] = sum(int(np.prod(shapes[rv.name])) for rv in model.free_RVs)
    return counts


def standard_normals(k: int) -> pm.Model:
    with pm.Model() as model:
        pm.Normal("x", 0, 1, shape=k)
    return model


def summarise(idata) -> dict[str, float]:
    return {
        "max_rhat": float(az.rhat(idata)["x"].max()),
        "min_ess_bulk": float(az.ess(idata)["x"].min()),
        "min_ess_folded": float(az.ess(idata, method="folded")["x"].min()),
    }


def runs(k: int, seeds: Sequence[int]) -> list[dict]:
    """Every seed with PyMC's sampler, then with nutpie (compiled once)."""
    rows = []
    model = standard_normals(k)
    for seed in seeds:
        idata = sampling.sample(
            model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=seed, nuts_sampler="pymc",
            target_accept=TARGET_ACCEPT, mp_ctx=sampling.CHAIN_START_METHOD,
        )
        rows.append({"sampler": "pymc", "k": k, "seed": seed, **summarise(idata)})
    compiled = sampling.compile_model(model)
    for seed in seeds:
        idata = sampling.sample(
            compiled, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=seed,
            target_accept=TARGET_ACCEPT,
        )
        rows.append({"sampler": "nutpie", "k": k, "seed": seed, **summarise(idata)})
    return rows


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="sampler seeds 1..N (10)")
    parser.add_argument("--out", help="write one row per run to this CSV file")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    counts = parameter_counts()
    rows = []
    # PyMC forks its chains: fork before nutpie has started any thread, i.e. in a fresh
    # process per k (nutpie's thread pool lives as long as the process). The executor's
    # workers, unlike a multiprocessing.Pool's, may start processes of their own.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, max_tasks_per_child=1) as pool:
        for k in sorted(set(counts.values())):
            rows += pool.submit(runs, k, list(range(1, args.seeds + 1))).result()
            print(f"k = {k}: done", file=sys.stderr, flush=True)
    results = pd.DataFrame(rows)
    table = results.groupby(["k", "sampler"]).agg(
        runs=("max_rhat", "size"),
        share_above_1_01=("max_rhat", lambda r: float((r > 1.01).mean())),
        median_max_rhat=("max_rhat", "median"),
        largest_max_rhat=("max_rhat", "max"),
        median_min_ess_bulk=("min_ess_bulk", "median"),
        median_min_ess_folded=("min_ess_folded", "median"),
    )
    print(
        f"{CHAINS} chains x {DRAWS} draws after {TUNE} tuning steps, target_accept "
        f"{TARGET_ACCEPT}; k independent N(0, 1); parameters per identified model: {counts}"
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round(4).to_string())
    if args.out:
        results.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
