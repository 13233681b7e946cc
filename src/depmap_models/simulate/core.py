"""What every simulator returns (:class:`Simulation`) and how it names levels (:func:`labels`)."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from depmap_models.simulate._helpers import check_count

__all__ = ["Simulation", "labels"]


@dataclass(frozen=True)
class Simulation:
    """Synthetic data and the parameter values that generated it.

    Attributes
    ----------
    data : pandas.DataFrame
        Tidy table, one row per logFC measurement. Grouping columns (``gene``,
        ``cell_line``, ``sgrna``) are categorical, with categories in the
        order the truth arrays use.
    truth : dict of str to float or numpy.ndarray
        True parameter values keyed by the model's variable names; vectors are
        NumPy arrays aligned with the categories of the matching column.
    """

    data: pd.DataFrame
    truth: dict[str, float | np.ndarray] = field(default_factory=dict)

    @property
    def coords(self) -> dict[str, list[str]]:
        """PyMC coordinates: the categories of every categorical column."""
        return {
            str(col): list(self.data[col].cat.categories)
            for col in self.data.columns
            if isinstance(self.data[col].dtype, pd.CategoricalDtype)
        }


def labels(prefix: str, n: int) -> list[str]:
    """Make labels ``prefixA, prefixB, ...`` as in the original analysis.

    Beyond 26 levels the letters run out, so the labels become zero-padded
    numbers (``cell01`` ... ``cell30``).

    Parameters
    ----------
    prefix : str
        What every label starts with (``"gene"``, ``"cell"``, ``"lineage"``).
    n : int
        How many labels, at least one.

    Returns
    -------
    list of str
        ``n`` labels, in order.

    Raises
    ------
    ValueError
        If ``n`` is not an integer of at least one.
    """
    n = check_count("n", n)
    if n <= len(string.ascii_uppercase):
        return [prefix + letter for letter in string.ascii_uppercase[:n]]
    width = len(str(n))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
