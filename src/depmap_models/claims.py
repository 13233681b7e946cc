"""The chapters' claims about their posteriors, checked and recorded.

A chapter states what it sees ("the intercepts' ESS is low", "the fix recovers the
truth") and proves it in a hidden cell with :func:`check`, which raises a
:class:`ClaimError` naming the claim, its value and its bounds when the claim is false.

When the environment variable ``DEPMAP_CLAIMS_LOG`` names a file, every checked claim
is also appended to it as one line of JSON (label, value, bounds, passed). The
robustness sweep (``benchmarks/claim_robustness.py``) sets it for each chapter and
sampler seed, and reports how far each claim's value stays from its bounds across
seeds: the margin a claim has, not only whether it held this time.
"""

from __future__ import annotations

import json
import math
import os
from numbers import Real

import numpy as np

__all__ = ["LOG_VARIABLE", "ClaimError", "check"]

#: The environment variable naming the file that records every checked claim.
LOG_VARIABLE = "DEPMAP_CLAIMS_LOG"


class ClaimError(AssertionError):
    """A claim of a chapter is false."""


def _record(entry: dict) -> None:
    path = os.environ.get(LOG_VARIABLE, "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def _number(name: str, value: object) -> float:
    if isinstance(value, bool | str | bytes):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not isinstance(value, Real):
        # NumPy scalars and 0-d arrays are Real or convertible.
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number, got {value!r}") from None
    return float(value)


def check(label: str, value, low: float | None = None, high: float | None = None):
    """Check one claim: ``low <= value <= high``, or ``value`` is true.

    Parameters
    ----------
    label : str
        What the claim says, short and unique within the chapter (it names the claim in
        errors and in the sweep's table).
    value : float or bool
        The quantity computed in the chapter. A bool (NumPy's too) is a claim by
        itself and takes no bounds.
    low, high : float, optional
        Inclusive bounds; at least one for a number. ``None`` leaves that side open.

    Returns
    -------
    float or bool
        ``value``, so a check can stand inside an expression.

    Raises
    ------
    ClaimError
        If the claim is false (a NaN value is never within bounds).
    ValueError
        If ``label`` is empty, a bool is given bounds, a number is given none, or
        ``low > high``.
    """
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    if isinstance(value, bool | np.bool_):
        if low is not None or high is not None:
            raise ValueError(f"claim {label!r}: a true/false value takes no bounds")
        passed = bool(value)
        _record({"label": label, "value": passed, "low": None, "high": None, "passed": passed})
        if not passed:
            raise ClaimError(f"claim {label!r} is false")
        return value
    number = _number("value", value)
    if low is None and high is None:
        raise ValueError(f"claim {label!r}: give low, high or both for a number")
    low_f = None if low is None else _number("low", low)
    high_f = None if high is None else _number("high", high)
    if low_f is not None and high_f is not None and low_f > high_f:
        raise ValueError(f"claim {label!r}: low {low_f} is above high {high_f}")
    passed = (
        not math.isnan(number)
        and (low_f is None or number >= low_f)
        and (high_f is None or number <= high_f)
    )
    _record({"label": label, "value": number, "low": low_f, "high": high_f, "passed": passed})
    if not passed:
        bounds = f"[{'-inf' if low_f is None else f'{low_f:g}'}, "
        bounds += f"{'inf' if high_f is None else f'{high_f:g}'}]"
        raise ClaimError(f"claim {label!r} is false: {number:.6g} is not in {bounds}")
    return value
