"""Separation of essential from non-essential scores, and replicate agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from depmap_models import qc


def test_auroc_counts_pairs_and_ties():
    assert qc.auroc([-3, -2], [0, 1]) == 1.0
    assert qc.auroc([0, 1], [-3, -2]) == 0.0
    # Pairs (ess, non): (-1,0) yes, (-1,-1) tie, (1,0) no, (1,-1) no -> 1.5 of 4.
    assert qc.auroc([-1, 1], [0, -1]) == pytest.approx(0.375)
    assert qc.auroc([-1, 1, np.nan], [0, -1]) == pytest.approx(0.375)


def test_nnmd_is_in_units_of_the_nonessential_sd():
    assert qc.nnmd([-3, -1], [-1, 1]) == pytest.approx(-2 / np.std([-1, 1], ddof=1))


@pytest.mark.parametrize("function", [qc.auroc, qc.nnmd])
def test_too_few_scores_are_named(function):
    with pytest.raises(ValueError, match="essential needs at least two"):
        function([1.0], [0, 1])
    with pytest.raises(ValueError, match="nonessential needs at least two"):
        function([0, 1], [np.nan, 2])


def toy_table(shift_b=-2.0):
    rng = np.random.default_rng(0)
    genes = ["E1", "E2", "N1", "N2"]
    rows = []
    for rep, shift in (("r1", -2.0), ("r2", shift_b)):
        for g in genes:
            for s in range(5):
                base = shift if g.startswith("E") else 0.0
                rows.append({"gene": g, "sgrna": f"{g}_{s}", "replicate": rep,
                             "cell_line": "c1", "logfc": base + rng.normal(0, 0.3)})
    return pd.DataFrame(rows)


def test_replicate_qc_separates_a_good_replicate_from_a_failed_one():
    table = qc.replicate_qc(toy_table(shift_b=0.0), ["E1", "E2"], ["N1", "N2"])
    assert list(table.index) == ["r1", "r2"]
    assert table.loc["r1", "auroc"] > 0.99 and table.loc["r1", "nnmd"] < -4
    assert 0.2 < table.loc["r2", "auroc"] < 0.8
    assert (table["n_essential"] == 10).all() and (table["n_nonessential"] == 10).all()
    with pytest.raises(ValueError, match="share genes"):
        qc.replicate_qc(toy_table(), ["E1", "N1"], ["N1"])
    with pytest.raises(ValueError, match="lacks the columns"):
        qc.replicate_qc(toy_table().drop(columns="gene"), ["E1"], ["N1"])


def test_replicate_correlation_pairs_replicates_within_a_line():
    pairs = qc.replicate_correlation(toy_table())
    assert len(pairs) == 1 and pairs.loc[0, "guides"] == 20
    assert pairs.loc[0, "correlation"] > 0.9
