"""How the real screen's model scales with the number of cell lines: NUTS against ADVI.

Fits the model of the chapter "The identified model meets real data"
(``depmap_models.realscreen.real_screen_model``, non-centred guides, gene x cell-line effect
summing to zero on both axes) to the DepMap Avana sample with all 883 genes and 5, 10, 20
and all 41 QC-passing cell lines (the chapter's ten first, then the others in order of their
DepMap id). For each size, in a fresh process (so that its peak memory is its own):

- ``observations`` (guide x cell-line means) and ``parameters`` (unconstrained scalars the
  sampler moves);
- NUTS with nutpie: ``compile_s``, ``sampling_s`` (tuning and drawing), ``min_ess_bulk``
  and ``min_ess_tail``, ``ess_per_sampling_s``, ``max_rhat``, ``divergences``,
  ``mean_tree_steps`` (leapfrog steps per draw), with the book's 4 chains;
- ADVI (``pm.fit``, mean-field): ``advi_s`` for ``--advi-steps`` steps, and how its gene
  effects (``epsilon_g + theta_gc``) compare with NUTS's: the correlation of the posterior
  means (``advi_mean_corr``) and the median ratio of posterior sds (``advi_sd_ratio``;
  mean-field ADVI is known to understate posterior spread);
- ``peak_mem_mb``: the process's peak resident memory;
- ``sampling_cpu_s`` and ``advi_cpu_s``: the CPU seconds (all threads) that NUTS and ADVI
  used, which other work on the machine inflates far less than their wall-clock seconds;
  ``load_avg``: the machine's one-minute load average when the size started (2 or less on
  an otherwise idle 2-core machine).

Run from the repository root with the project's environment (about 30 minutes on 2 cores)::

    .venv/bin/python benchmarks/real_screen_scaling.py \
        --out benchmarks/results/real_screen_scaling.csv
    .venv/bin/python benchmarks/real_screen_scaling.py --lines 5 --draws 100 --tune 100 \
        --advi-steps 2000       # a smoke test

The chapter reads the committed CSV; it never runs this script.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

os.environ.setdefault("DEPMAP_BOOK_QUIET", "1")

#: The CSV's columns, in order.
COLUMNS = (
    "lines", "observations", "parameters", "compile_s", "sampling_s", "min_ess_bulk",
    "min_ess_tail", "ess_per_sampling_s", "max_rhat", "divergences", "mean_tree_steps",
    "advi_s", "advi_mean_corr", "advi_sd_ratio", "peak_mem_mb", "sampling_cpu_s", "advi_cpu_s",
    "load_avg",
)
#: The sizes of the issue: 5, 10, 20 and all QC-passing lines (0 stands for all).
DEFAULT_LINES = (5, 10, 20, 0)


def line_order() -> list[str]:
    """Return the QC-passing cell lines: the chapter's ten first, then the rest by DepMap id."""
    from depmap_models import data, realscreen

    table = data.cell_lines()
    passing = sorted(table.loc[table["n_passing_qc"] > 0, "cell_line"])
    first = list(realscreen.CHAPTER_LINES["cell_line"])
    return first + [line for line in passing if line not in first]


def choose_lines(n_lines: int, order: Sequence[str]) -> list[str]:
    """Return the first ``n_lines`` of ``order`` (all of them for 0).

    Raises
    ------
    ValueError
        If ``n_lines`` is negative, 1, or more than there are lines.
    """
    if isinstance(n_lines, bool) or not isinstance(n_lines, int) or n_lines < 0:
        raise ValueError(f"n_lines must be a non-negative integer, got {n_lines!r}")
    if n_lines == 0:
        return list(order)
    if n_lines < 2 or n_lines > len(order):
        raise ValueError(f"n_lines must be 0 (all) or between 2 and {len(order)}, got {n_lines}")
    return list(order[:n_lines])


def cpu_seconds() -> float:
    """CPU seconds this process has used so far, user and system, over all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fit_one(n_lines: int, draws: int, tune: int, advi_steps: int, seed: int) -> dict:
    """Fit one size with NUTS and ADVI; runs in its own process."""
    import pymc as pm

    from depmap_models import diagnostics, realscreen, sampling

    lines = choose_lines(n_lines, line_order())
    table = realscreen.screen_data(lines)
    model = realscreen.real_screen_model(table)
    names = [rv.name for rv in model.free_RVs]
    parameters = int(sum(np.size(v) for v in model.initial_point().values()))

    load_avg = os.getloadavg()[0]
    compiled = sampling.compile_model(model)
    cpu = cpu_seconds()
    idata = sampling.sample(compiled, random_seed=seed, draws=draws, tune=tune)
    sampling_cpu_s = cpu_seconds() - cpu
    summary = sampling.fit_summary(idata, model)
    convergence = diagnostics.convergence(idata, var_names=names)

    fit_seconds, cpu = time.perf_counter(), cpu_seconds()
    approx = pm.fit(n=advi_steps, method="advi", model=model, random_seed=seed,
                    progressbar=False)
    advi_s, advi_cpu_s = time.perf_counter() - fit_seconds, cpu_seconds() - cpu
    advi = approx.sample(1000, random_seed=seed)
    nuts_effect = realscreen.gene_effect(idata, table).stack(sample=("chain", "draw"))
    advi_effect = realscreen.gene_effect(advi, table).stack(sample=("chain", "draw"))
    nuts_mean = nuts_effect.mean("sample").values.ravel()
    advi_mean = advi_effect.mean("sample").values.ravel()
    sd_ratio = advi_effect.std("sample").values.ravel() / nuts_effect.std("sample").values.ravel()

    return {
        "lines": len(lines),
        "observations": len(table),
        "parameters": parameters,
        "compile_s": compiled.compile_s,
        "sampling_s": summary["sampling_s"],
        "min_ess_bulk": summary["min_ess_bulk"],
        "min_ess_tail": float(convergence.min_ess_tail),
        "ess_per_sampling_s": summary["ess_per_sampling_s"],
        "max_rhat": summary["max_rhat"],
        "divergences": summary["divergences"],
        "mean_tree_steps": summary["mean_tree_steps"],
        "advi_s": advi_s,
        "advi_mean_corr": float(np.corrcoef(nuts_mean, advi_mean)[0, 1]),
        "advi_sd_ratio": float(np.median(sd_ratio)),
        "peak_mem_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sampling_cpu_s": sampling_cpu_s,
        "advi_cpu_s": advi_cpu_s,
        "load_avg": load_avg,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=list(DEFAULT_LINES),
                        help="numbers of cell lines; 0 means all QC-passing lines")
    parser.add_argument("--draws", type=int, default=500, help="kept draws per chain")
    parser.add_argument("--tune", type=int, default=500, help="tuning steps per chain")
    parser.add_argument("--advi-steps", type=int, default=20000, help="ADVI optimisation steps")
    parser.add_argument("--seed", type=int, default=13, help="sampler and ADVI seed")
    parser.add_argument("--out", help="CSV to write")
    args = parser.parse_args(argv)
    if args.draws < 1 or args.tune < 0 or args.advi_steps < 1 or args.seed < 0:
        parser.error("--draws and --advi-steps must be positive, --tune and --seed non-negative")
    order = line_order()
    for n in args.lines:
        try:
            choose_lines(n, order)
        except ValueError as error:
            parser.error(f"--lines: {error}")
    return args


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    """Fit every size, one fresh process each, and print and write the table."""
    args = parse_args(argv)
    rows = []
    context = multiprocessing.get_context("spawn")
    for n_lines in args.lines:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            row = pool.submit(fit_one, n_lines, args.draws, args.tune, args.advi_steps,
                              args.seed).result()
        rows.append(row)
        print(pd.Series(row).to_string(), flush=True)
        table = pd.DataFrame(rows, columns=list(COLUMNS))
        if args.out:  # after every size, so that a long run keeps what it has measured
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            table.to_csv(args.out, index=False)
    print(table.round(3).to_string(index=False))
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
