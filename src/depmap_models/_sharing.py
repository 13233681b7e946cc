"""Results shared between the chapters of one run of the book, by content.

Chapters 13 and 14 fit the very same model to the very same data under the same seed, and
check the very same draws against the convergence standard. When the environment variable
``DEPMAP_FIT_CACHE`` names a directory (the book build and ``make test`` each set it to a
fresh one and delete it afterwards), :func:`shared` computes such a result once, saves it
under a key that hashes everything the result depends on, and hands it to any other process
that asks with the same key. One process at a time holds a key's lock, so the second asker
waits for the first instead of computing the result again. Unset, as when a reader runs a
chapter, every call computes its own result.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

#: The environment variable naming the directory of shared results.
FIT_CACHE_VARIABLE = "DEPMAP_FIT_CACHE"


def shared[T](key: str, kind: str, compute: Callable[[], T]) -> T:
    """Return ``compute()``, computed once per ``key`` across the processes of a run.

    Parameters
    ----------
    key : str
        A hash of everything the result depends on.
    kind : str
        What the result is (part of its file name).
    compute : callable
        Computes the result; it must be picklable.

    Returns
    -------
    object
        The result, computed here or loaded from the process that computed it.

    Raises
    ------
    ValueError
        If ``DEPMAP_FIT_CACHE`` names something that is not a directory.
    """
    directory = os.environ.get(FIT_CACHE_VARIABLE, "")
    if not directory:
        return compute()
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{FIT_CACHE_VARIABLE}={str(directory)!r} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    path = directory / f"{key}.{kind}.pickle"
    with FileLock(str(path) + ".lock"):
        if path.exists():
            with path.open("rb") as handle:
                return pickle.load(handle)
        result = compute()
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    return result
