"""Quality control of a screen: how well essential and non-essential genes separate.

A knock-out screen that worked depletes the guides of core-essential genes (negative logFC)
and leaves those of non-essential genes near zero. Two standard measures of that separation,
for any score (a replicate's logFC, a model's gene effects):

- :func:`auroc`: the probability that a random non-essential score is above a random
  essential one (1 is perfect separation, 0.5 none);
- :func:`nnmd`: the null-normalized mean difference, the essential mean minus the
  non-essential mean in units of the non-essential sd (more negative is better; DepMap has
  used about -1.25 as a pass mark, Hart et al. 2015 about -2 for a good screen).

:func:`replicate_qc` applies both to every replicate of a tidy logFC table, and
:func:`replicate_correlation` compares the replicates of each cell line.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["auroc", "nnmd", "replicate_correlation", "replicate_qc"]


def _scores(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    array = array[np.isfinite(array)]
    if array.size < 2:
        raise ValueError(f"{name} needs at least two finite scores, got {array.size}")
    return array


def auroc(essential, nonessential) -> float:
    """Compute the probability that a non-essential score exceeds an essential one.

    Ties count half.

    Parameters
    ----------
    essential, nonessential : array-like
        Scores (logFC, gene effects) of the two reference sets; NaNs are dropped.

    Returns
    -------
    float
        The area under the ROC curve of the score as a classifier of non-essential genes.

    Raises
    ------
    ValueError
        If either set has fewer than two finite scores.
    """
    ess, non = _scores("essential", essential), _scores("nonessential", nonessential)
    u = stats.mannwhitneyu(non, ess, alternative="two-sided").statistic
    return float(u / (ess.size * non.size))


def nnmd(essential, nonessential) -> float:
    """Compute the null-normalized mean difference of essential from non-essential scores.

    ``(mean(essential) - mean(nonessential)) / sd(nonessential)``.

    Parameters
    ----------
    essential, nonessential : array-like
        Scores of the two reference sets; NaNs are dropped.

    Returns
    -------
    float
        Negative when essential genes are depleted; the more negative, the better separated.

    Raises
    ------
    ValueError
        If either set has fewer than two finite scores.
    """
    ess, non = _scores("essential", essential), _scores("nonessential", nonessential)
    return float((ess.mean() - non.mean()) / non.std(ddof=1))


def _check_table(table: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in table]
    if missing:
        raise ValueError(f"table lacks the columns {missing}")


def replicate_qc(
    table: pd.DataFrame,
    essential: Iterable[str],
    nonessential: Iterable[str],
    *,
    by: str = "replicate",
    score: str = "logfc",
) -> pd.DataFrame:
    """AUROC and NNMD of essential against non-essential guides, per replicate.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy scores with columns ``gene``, ``by`` and ``score`` (for example
        :func:`depmap_models.data.avana_logfc`).
    essential, nonessential : iterable of str
        Gene symbols of the two reference sets (for example from
        :func:`depmap_models.data.reference_genes`).
    by : str
        The column whose groups are compared (``replicate``, ``cell_line``).
    score : str
        The column of scores.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``auroc``, ``nnmd``, ``n_essential`` and ``n_nonessential``
        (scores used).

    Raises
    ------
    ValueError
        If a column is missing, the two sets overlap, or a group has fewer than two scores
        of either set.
    """
    _check_table(table, ["gene", by, score])
    essential, nonessential = set(essential), set(nonessential)
    overlap = essential & nonessential
    if overlap:
        raise ValueError(f"essential and nonessential share genes: {sorted(overlap)[:5]}")
    genes = table["gene"].astype(str)
    is_ess, is_non = genes.isin(essential), genes.isin(nonessential)
    rows = {}
    for key, group in table.groupby(by, observed=True, sort=True):
        ess = group.loc[is_ess.loc[group.index], score]
        non = group.loc[is_non.loc[group.index], score]
        rows[key] = {"auroc": auroc(ess, non), "nnmd": nnmd(ess, non),
                     "n_essential": int(ess.notna().sum()),
                     "n_nonessential": int(non.notna().sum())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def replicate_correlation(
    table: pd.DataFrame, *, score: str = "logfc", within: str = "cell_line"
) -> pd.DataFrame:
    """Pearson correlation of guide scores between every two replicates of a cell line.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy scores with columns ``sgrna``, ``replicate``, ``within`` and ``score``.
    score : str
        The column of scores.
    within : str
        Replicates are paired within the groups of this column.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``within``, ``replicate_a``, ``replicate_b``, ``correlation`` and
        ``guides`` (guides measured in both).
    """
    _check_table(table, ["sgrna", "replicate", within, score])
    rows = []
    for key, group in table.groupby(within, observed=True, sort=True):
        wide = group.pivot_table(index="sgrna", columns="replicate", values=score,
                                 observed=True)
        for a, b in combinations(wide.columns, 2):
            both = wide[[a, b]].dropna()
            rows.append({within: key, "replicate_a": a, "replicate_b": b,
                         "correlation": float(np.corrcoef(both[a], both[b])[0, 1]),
                         "guides": len(both)})
    return pd.DataFrame(rows, columns=[within, "replicate_a", "replicate_b", "correlation",
                                       "guides"])
