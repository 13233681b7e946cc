"""Non-Bayesian reference estimates that the chapters set beside a posterior.

Least squares reads only the data: where a posterior and least squares make the same error,
the data put it there; where they differ, the priors and the pooling did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["least_squares_lines"]


def least_squares_lines(frame: pd.DataFrame, x: str, y: str, by: str) -> pd.DataFrame:
    """Fit the least-squares line of ``y`` on ``x``, one per group of ``by``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    x, y : str
        Columns of the predictor and the response.
    by : str
        Column whose groups each get a line; a categorical keeps its category order (and
        so the order of the panels it facets).

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``slope`` and ``intercept``, one row per group (observed groups
        only).

    Raises
    ------
    ValueError
        If a column is missing, or a group has fewer than two distinct values of ``x``.
    """
    missing = [c for c in (x, y, by) if c not in frame]
    if missing:
        raise ValueError(f"frame lacks the columns {missing}")
    fits = {}
    for key, group in frame.groupby(by, observed=True, sort=True):
        if group[x].nunique() < 2:
            raise ValueError(f"group {key!r} of {by!r} needs two distinct values of {x!r}")
        fits[key] = np.polyfit(group[x].to_numpy(float), group[y].to_numpy(float), 1)
    lines = pd.DataFrame(
        {by: list(fits), "slope": [f[0] for f in fits.values()],
         "intercept": [f[1] for f in fits.values()]}
    )
    return lines.astype({by: frame[by].dtype})
