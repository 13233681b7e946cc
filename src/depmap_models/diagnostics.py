"""Recovery tables, sampler health and identifiability checks.

Every function takes the ``xarray.DataTree`` that ``pm.sample`` returns in
PyMC 6 (an ``idata``) and returns plain pandas or Python objects, so that a
chapter can both show the result and assert on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["recovery_table", "sampler_health"]

SAMPLE_DIMS = ("chain", "draw")


def _posterior(idata) -> xr.Dataset:
    try:
        return idata["posterior"].to_dataset()
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError("idata has no posterior group: pass the result of pm.sample") from err


def _sample_stats(idata) -> xr.Dataset:
    try:
        return idata["sample_stats"].to_dataset()
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError("idata has no sample_stats group: pass the result of pm.sample") from err


def _flat_labels(da: xr.DataArray) -> list[str]:
    """``name`` for a scalar, ``name[label, ...]`` for each element of a vector."""
    dims = [d for d in da.dims if d not in SAMPLE_DIMS]
    if not dims:
        return [str(da.name)]
    index = pd.MultiIndex.from_product([da[d].values for d in dims])
    return [f"{da.name}[{', '.join(map(str, key))}]" for key in index]


def recovery_table(
    idata,
    truth: Mapping[str, float | Sequence[float] | np.ndarray],
    var_names: Sequence[str] | None = None,
    *,
    prob: float = 0.89,
) -> pd.DataFrame:
    """The posterior of each parameter beside its true value.

    Parameters
    ----------
    idata:
        Result of ``pm.sample``.
    truth:
        True values keyed by variable name (for example ``Simulation.truth``);
        a vector must have one value per element of the variable, in the order
        of its coordinates.
    var_names:
        Variables to report; default: every key of ``truth`` that is in the posterior.
    prob:
        Mass of the equal-tailed credible interval.

    Returns
    -------
    DataFrame indexed by ``name[label]`` with columns ``mean``, ``sd``, the
    interval bounds ``eti89_lb``/``eti89_ub`` (named after ``prob``), ``truth``,
    ``inside`` (the truth lies in the interval) and ``ess_bulk``, ``r_hat``.
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    posterior = _posterior(idata)
    if var_names is None:
        var_names = [name for name in truth if name in posterior]
    if not var_names:
        raise ValueError("var_names is empty: none of the truth's keys is in the posterior")
    tag = f"eti{round(prob * 100):d}"
    frames = []
    for name in var_names:
        if name not in posterior:
            raise ValueError(f"var_names names {name!r}, which is not in the posterior")
        if name not in truth:
            raise ValueError(f"truth has no value for {name!r}")
        da = posterior[name]
        rows = _flat_labels(da)
        true = np.ravel(np.asarray(truth[name], dtype=float))
        if true.size != len(rows):
            raise ValueError(
                f"truth[{name!r}] has {true.size} values but the posterior has {len(rows)}"
            )
        stacked = da.stack(sample=SAMPLE_DIMS).values.reshape(len(rows), -1)
        lower, upper = np.quantile(stacked, [(1 - prob) / 2, (1 + prob) / 2], axis=1)
        ess = np.ravel(az.ess(posterior[[name]], method="bulk")[name].values)
        rhat = np.ravel(az.rhat(posterior[[name]])[name].values)
        frames.append(
            pd.DataFrame(
                {
                    "mean": stacked.mean(axis=1),
                    "sd": stacked.std(axis=1, ddof=1),
                    f"{tag}_lb": lower,
                    f"{tag}_ub": upper,
                    "truth": true,
                    "inside": (lower <= true) & (true <= upper),
                    "ess_bulk": ess,
                    "r_hat": rhat,
                },
                index=pd.Index(rows, name="parameter"),
            )
        )
    return pd.concat(frames)


def sampler_health(idata, var_names: Sequence[str] | None = None) -> pd.Series:
    """Sampler diagnostics in one row.

    ``divergences`` (count after tuning), ``treedepth_hits`` (draws whose tree
    reached the maximum depth), ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``
    over ``var_names`` (default: every posterior variable), and ``draws``
    (chains times draws). Works for PyMC's own NUTS and for nutpie, whose
    sample statistics are named differently.
    """
    posterior = _posterior(idata)
    stats = _sample_stats(idata)
    if var_names is not None:
        missing = [name for name in var_names if name not in posterior]
        if missing:
            raise ValueError(f"var_names names variables not in the posterior: {missing}")
        posterior = posterior[list(var_names)]
    depth_name = next(
        (n for n in ("reached_max_treedepth", "maxdepth_reached") if n in stats), None
    )
    treedepth_hits = int(stats[depth_name].sum()) if depth_name else 0
    ess_bulk = az.ess(posterior, method="bulk")
    ess_tail = az.ess(posterior, method="tail")
    rhat = az.rhat(posterior)
    return pd.Series(
        {
            "divergences": int(stats["diverging"].sum()),
            "treedepth_hits": treedepth_hits,
            "max_rhat": float(max(rhat[v].max() for v in rhat.data_vars)),
            "min_ess_bulk": float(min(ess_bulk[v].min() for v in ess_bulk.data_vars)),
            "min_ess_tail": float(min(ess_tail[v].min() for v in ess_tail.data_vars)),
            "draws": int(posterior.sizes["chain"] * posterior.sizes["draw"]),
        },
        name="sampler health",
    )
