"""The data plumbing that the model builders share.

The builders are :mod:`~depmap_models.models` and :mod:`~depmap_models.screen`.

A model reads a tidy data frame whose grouping columns (``gene``, ``sgrna``,
``cell_line``, ``lineage``) are categorical: their categories become the model's
coordinates and their integer codes index its vectors of effects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pymc as pm

from depmap_models.simulate import Simulation

__all__ = [
    "GROUPS",
    "codes",
    "gene_sd_prior",
    "model_coords",
    "model_data",
    "parent_index",
    "sgrna_gene_index",
]

#: Grouping columns, which must be categorical (their categories are the coordinates).
GROUPS = ("gene", "sgrna", "cell_line", "lineage")


def model_data(sim: Simulation | pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return the data frame of ``sim``, checked to have ``columns``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        A simulation (only its ``data`` is read) or a data frame.
    columns : sequence of str
        Columns the model reads; those in :data:`GROUPS` must be categorical.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    TypeError
        If ``sim`` is neither a Simulation nor a DataFrame.
    ValueError
        If a column is missing, or a grouping column is not categorical.
    """
    data = sim.data if isinstance(sim, Simulation) else sim
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a Simulation or a DataFrame, got {type(sim).__name__}")
    missing = [c for c in columns if c not in data]
    if missing:
        raise ValueError(f"the data need the columns {missing}")
    for column in columns:
        if column in GROUPS and not isinstance(data[column].dtype, pd.CategoricalDtype):
            raise ValueError(f"column {column!r} must be categorical")
    return data


def model_coords(data: pd.DataFrame, columns: Sequence[str]) -> dict[str, list]:
    """PyMC coordinates: the categories of each of ``columns``, and ``obs``, one per row.

    Parameters
    ----------
    data : pandas.DataFrame
        Checked by :func:`model_data`.
    columns : sequence of str
        Categorical columns.

    Returns
    -------
    dict
    """
    coords: dict[str, list] = {c: list(data[c].cat.categories) for c in columns}
    coords["obs"] = list(range(len(data)))
    return coords


def codes(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return the integer codes of a categorical column (one per row).

    Parameters
    ----------
    data : pandas.DataFrame
    column : str

    Returns
    -------
    numpy.ndarray
    """
    return data[column].cat.codes.to_numpy()


def parent_index(data: pd.DataFrame, child: str, parent: str) -> np.ndarray:
    """For each level of ``child`` (in category order), the integer code of its ``parent``.

    Parameters
    ----------
    data : pandas.DataFrame
        With categorical columns ``child`` and ``parent``.
    child, parent : str
        For example ``"sgrna"`` and ``"gene"``, or ``"cell_line"`` and ``"lineage"``.

    Returns
    -------
    numpy.ndarray
        Integer codes of the parents, one per child category.

    Raises
    ------
    ValueError
        If a level of ``child`` appears under more than one ``parent`` or is never
        measured.
    """
    pairs = data[[child, parent]].drop_duplicates()
    per_child = pairs.groupby(child, observed=False)[parent].nunique()
    if (per_child != 1).any():
        bad = list(per_child.index[per_child != 1])
        raise ValueError(f"every {child} must belong to exactly one {parent}; these do not: {bad}")
    parent_of = pairs.set_index(child)[parent]
    return np.asarray(parent_of.loc[data[child].cat.categories].cat.codes, dtype=int)


def sgrna_gene_index(data: pd.DataFrame) -> np.ndarray:
    """For each sgRNA (in category order), the integer code of the gene it targets.

    Parameters
    ----------
    data : pandas.DataFrame
        With categorical ``sgrna`` and ``gene`` columns.

    Returns
    -------
    numpy.ndarray
    """
    return parent_index(data, "sgrna", "gene")


def gene_sd_prior(name: str):
    """``name ~ Gamma(2, 2)``: the identified models' prior on the gene-level standard deviation.

    ``Gamma(2, 2)`` has the mean of ``Exp(1)`` (1) but zero density at zero. Chung et al.
    (2013) propose such boundary-avoiding priors for group-level scales in posterior-mode
    (penalized likelihood) estimation, where a mode at zero is the failure. For NUTS with
    nutpie on the forum's data it changes neither the sampling nor the identified
    quantities (chapter "The identifiability fix" shows it as a separate step), and the
    chapter "Models 4 and 5, identified" measures its influence by power-scaling. Call
    inside a model.

    Parameters
    ----------
    name : str
        Name of the random variable.

    Returns
    -------
    pytensor.tensor.TensorVariable
    """
    return pm.Gamma(name, 2, 2)
