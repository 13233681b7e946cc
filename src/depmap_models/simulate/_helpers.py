"""Validation and small building blocks shared by the simulators.

A private module: its names are public so that :mod:`.core`, :mod:`.original` and
:mod:`.extensions` can import them, but it is no part of the package's API (import the
simulators from :mod:`depmap_models.simulate`). Every ``check_*`` function returns the
value converted to its plain Python type, or raises a :class:`ValueError` (a
:class:`TypeError` for the generator) whose message names the argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "Rng",
    "categorical",
    "centred",
    "check_count",
    "check_probability",
    "check_real",
    "check_rng",
    "check_sd",
    "nested_guides",
    "per_group",
]

#: The generators a simulator accepts: a NumPy ``Generator`` or a legacy ``RandomState``.
Rng = np.random.Generator | np.random.RandomState


def check_rng(rng: object) -> Rng:
    """Check that ``rng`` is a NumPy random generator.

    Parameters
    ----------
    rng : object
        The generator a simulator was given.

    Returns
    -------
    numpy.random.Generator or numpy.random.RandomState
        ``rng`` itself.

    Raises
    ------
    TypeError
        If ``rng`` is neither a ``Generator`` nor a ``RandomState``.
    """
    if not isinstance(rng, np.random.Generator | np.random.RandomState):
        raise TypeError(
            "rng must be a numpy.random.Generator or numpy.random.RandomState, "
            f"got {type(rng).__name__}"
        )
    return rng


def check_count(name: str, value: object, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer count of at least ``minimum``.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : object
        The value to check; a bool is not a count.
    minimum : int, default 1
        The smallest allowed count.

    Returns
    -------
    int
        ``value`` as a Python int.

    Raises
    ------
    ValueError
        If ``value`` is not an integer or is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(name: str, value: object) -> float:
    """Check that ``value`` is a finite real number.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : object
        The value to check; a bool is not a number.

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    ValueError
        If ``value`` is not a real number, or is infinite or NaN.
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_sd(name: str, value: object) -> float:
    """Check that ``value`` is a positive finite standard deviation.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : object
        The value to check.

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    ValueError
        If ``value`` is not a finite number or is not positive.
    """
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} is a standard deviation and must be positive, got {value}")
    return value


def check_probability(name: str, value: object, *, open_below: bool = False) -> float:
    """Check that ``value`` is a probability.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : object
        The value to check.
    open_below : bool, default False
        Exclude zero: require ``0 < value <= 1`` rather than ``0 <= value <= 1``.

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    ValueError
        If ``value`` is not a finite number or lies outside the interval.
    """
    value = check_real(name, value)
    if not (0 < value <= 1 if open_below else 0 <= value <= 1):
        interval = "(0, 1]" if open_below else "[0, 1]"
        raise ValueError(f"{name} is a probability and must lie in {interval}, got {value}")
    return value


def per_group(name: str, value: int | Sequence[int], n_groups: int | None = None) -> list[int]:
    """Return a count per group: an int repeated ``n_groups`` times, or one count per group.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    value : int or sequence of int
        One count for every group (only when ``n_groups`` is given), or one per group.
    n_groups : int, optional
        How many groups a single count is repeated for.

    Returns
    -------
    list of int
        One count per group.

    Raises
    ------
    ValueError
        If ``value`` is a single count and ``n_groups`` is None, if it is neither an
        integer nor a sequence of integers, if a count is below one, or if the sequence is
        empty.
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        if n_groups is None:
            raise ValueError(f"{name} must be a sequence of counts, one per group")
        return [check_count(name, value)] * n_groups
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be an integer or a sequence of integers, got {value!r}")
    counts = [check_count(name, n) for n in value]
    if not counts:
        raise ValueError(f"{name} must name at least one group")
    return counts


def categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    """Build a categorical column: ``codes`` index into ``categories``, which keep their order.

    Parameters
    ----------
    codes : numpy.ndarray
        Integer codes, one per row.
    categories : sequence of str
        The labels the codes refer to, in order.

    Returns
    -------
    pandas.Categorical
        The column, with exactly ``categories`` as its categories (used or not).
    """
    return pd.Categorical.from_codes(codes, categories=list(categories))


def centred(values: np.ndarray) -> np.ndarray:
    """Subtract the mean, so that the effects sum to zero.

    Parameters
    ----------
    values : numpy.ndarray
        The effects as drawn.

    Returns
    -------
    numpy.ndarray
        ``values - values.mean()``.
    """
    return values - values.mean()


def nested_guides(
    rng: Rng, per_gene: list[int], mu_epsilon: float, sigma_epsilon: float, sigma_alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw gene intercepts, guide intercepts around them, and each guide's gene index.

    ``epsilon_g ~ N(mu_epsilon, sigma_epsilon)``, then
    ``alpha_s ~ N(epsilon_g[gene of s], sigma_alpha)``, in that order.

    Parameters
    ----------
    rng : numpy.random.Generator or numpy.random.RandomState
        The simulator's generator.
    per_gene : list of int
        How many guides target each gene; guides are listed gene by gene.
    mu_epsilon, sigma_epsilon : float
        Mean and standard deviation of the gene intercepts.
    sigma_alpha : float
        Standard deviation of the guide intercepts around their gene's.

    Returns
    -------
    epsilon_g : numpy.ndarray
        One intercept per gene.
    alpha_s : numpy.ndarray
        One intercept per guide.
    sgrna_gene_idx : numpy.ndarray
        The gene index of each guide.
    """
    epsilon_g = rng.normal(mu_epsilon, sigma_epsilon, len(per_gene))
    sgrna_gene_idx = np.repeat(np.arange(len(per_gene)), per_gene)
    alpha_s = rng.normal(epsilon_g[sgrna_gene_idx], sigma_alpha)
    return epsilon_g, alpha_s, sgrna_gene_idx
