"""Property-based tests of every simulator: shapes, levels, determinism, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depmap_models import simulate

sizes = st.integers(min_value=1, max_value=12)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
positive = st.floats(min_value=1e-3, max_value=10, allow_nan=False)
real = st.floats(min_value=-10, max_value=10, allow_nan=False)
not_positive = st.one_of(
    st.floats(max_value=0, allow_nan=False, allow_infinity=False),
    st.just(float("nan")),
    st.just(float("inf")),
)
rngs = st.sampled_from(["generator", "legacy"])

FAST = settings(max_examples=40, deadline=None)


def make_rng(kind: str, seed: int):
    return np.random.default_rng(seed) if kind == "generator" else np.random.RandomState(seed)


def assert_levels(data: pd.DataFrame, column: str, n: int) -> None:
    assert isinstance(data[column].dtype, pd.CategoricalDtype)
    assert len(data[column].cat.categories) == n
    assert data[column].nunique() == n  # every level is used


@FAST
@given(kind=rngs, seed=seeds, n_genes=sizes, n_cell_lines=sizes, n_replicates=sizes)
def test_two_intercepts_shapes_and_determinism(kind, seed, n_genes, n_cell_lines, n_replicates):
    kwargs = dict(n_genes=n_genes, n_cell_lines=n_cell_lines, n_replicates=n_replicates)
    sim = simulate.two_intercepts(make_rng(kind, seed), **kwargs)
    again = simulate.two_intercepts(make_rng(kind, seed), **kwargs)
    pd.testing.assert_frame_equal(sim.data, again.data)
    assert len(sim.data) == n_genes * n_cell_lines * n_replicates
    assert_levels(sim.data, "gene", n_genes)
    assert_levels(sim.data, "cell_line", n_cell_lines)
    assert sim.truth["alpha_g"].shape == (n_genes,)
    assert sim.truth["beta_c"].shape == (n_cell_lines,)


@FAST
@given(kind=rngs, seed=seeds, n_genes=sizes, n_cell_lines=sizes, n_replicates=sizes)
def test_genes_and_cell_lines_shapes(kind, seed, n_genes, n_cell_lines, n_replicates):
    sim = simulate.genes_and_cell_lines(
        make_rng(kind, seed), n_genes=n_genes, n_cell_lines=n_cell_lines, n_replicates=n_replicates
    )
    assert len(sim.data) == n_genes * n_cell_lines * n_replicates
    assert_levels(sim.data, "gene", n_genes)
    assert_levels(sim.data, "cell_line", n_cell_lines)
    per_pair = sim.data.groupby(["gene", "cell_line"], observed=True).size()
    assert (per_pair == n_replicates).all()
    for name, n in [("alpha_g", n_genes), ("beta_g", n_genes), ("gamma_c", n_cell_lines)]:
        assert sim.truth[name].shape == (n,)


@FAST
@given(kind=rngs, seed=seeds, n_genes=sizes, n_cell_lines=sizes, n_replicates=sizes)
def test_rna_at_gene_level_shapes(kind, seed, n_genes, n_cell_lines, n_replicates):
    sim = simulate.rna_at_gene_level(
        make_rng(kind, seed), n_genes=n_genes, n_cell_lines=n_cell_lines, n_replicates=n_replicates
    )
    assert len(sim.data) == n_genes * n_cell_lines * n_replicates
    assert_levels(sim.data, "gene", n_genes)
    # The gene-level mean is the average over cell lines of gamma + delta * rna.
    rna = sim.data.groupby(["gene", "cell_line"], observed=True)["rna"].first().unstack()
    expected = sim.truth["gamma_g"] + sim.truth["delta_g"] * rna.mean(axis=1).to_numpy()
    assert np.allclose(sim.truth["mu_alpha"], expected)
    assert (sim.truth["sigma_alpha"] >= 0).all()


@FAST
@given(kind=rngs, seed=seeds, n_genes=sizes, n_cell_lines=st.integers(2, 40))
def test_genes_with_rna_shapes(kind, seed, n_genes, n_cell_lines):
    sim = simulate.genes_with_rna(make_rng(kind, seed), n_genes=n_genes, n_cell_lines=n_cell_lines)
    assert len(sim.data) == n_genes * n_cell_lines
    assert_levels(sim.data, "gene", n_genes)
    assert_levels(sim.data, "cell_line", n_cell_lines)
    assert sim.data["cell_line"].cat.categories.is_unique


@FAST
@given(
    kind=rngs, seed=seeds, n_cell_lines=st.integers(2, 40), alpha=real, beta=real, sigma=positive
)
def test_single_gene_shapes(kind, seed, n_cell_lines, alpha, beta, sigma):
    sim = simulate.single_gene(
        make_rng(kind, seed), n_cell_lines=n_cell_lines, alpha=alpha, beta=beta, sigma=sigma
    )
    assert len(sim.data) == n_cell_lines
    assert np.isfinite(sim.data[["rna", "logfc"]].to_numpy()).all()
    assert sim.truth == {"alpha": alpha, "beta": beta, "sigma": sigma}


@FAST
@given(kind=rngs, seed=seeds, per_gene=st.lists(st.integers(1, 5), min_size=1, max_size=6),
       n_cell_lines=sizes, data=st.data())
def test_sgrna_and_cell_lines_shapes(kind, seed, per_gene, n_cell_lines, data):
    alpha_s = data.draw(st.lists(real, min_size=sum(per_gene), max_size=sum(per_gene)))
    sim = simulate.sgrna_and_cell_lines(
        make_rng(kind, seed), n_cell_lines=n_cell_lines, sgrnas_per_gene=per_gene, alpha_s=alpha_s
    )
    assert len(sim.data) == sum(per_gene) * n_cell_lines
    assert_levels(sim.data, "gene", len(per_gene))
    assert_levels(sim.data, "sgrna", sum(per_gene))
    guides = sim.data.groupby("gene", observed=True)["sgrna"].nunique().to_numpy()
    assert list(guides) == per_gene
    # Each guide belongs to exactly one gene.
    assert (sim.data.groupby("sgrna", observed=True)["gene"].nunique() == 1).all()
    means = [np.mean(alpha_s[s:e]) for s, e in zip(np.cumsum([0] + per_gene[:-1]),
                                                    np.cumsum(per_gene), strict=True)]
    assert np.allclose(sim.truth["epsilon_g"], means)


@FAST
@given(value=not_positive)
@pytest.mark.parametrize(
    ("process", "argument"),
    [
        (simulate.single_gene, "sigma"),
        (simulate.genes_with_rna, "sigma_alpha"),
        (simulate.rna_at_gene_level, "sigma_g"),
        (simulate.genes_and_cell_lines, "sigma_beta"),
        (simulate.sgrna_and_cell_lines, "sigma_beta"),
        (simulate.two_intercepts, "sigma"),
    ],
)
def test_every_standard_deviation_must_be_positive(process, argument, value):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        process(np.random.default_rng(0), **{argument: value})


@FAST
@given(n=st.integers(max_value=0))
@pytest.mark.parametrize(
    ("process", "argument"),
    [
        (simulate.genes_with_rna, "n_genes"),
        (simulate.rna_at_gene_level, "n_replicates"),
        (simulate.genes_and_cell_lines, "n_cell_lines"),
        (simulate.sgrna_and_cell_lines, "n_cell_lines"),
        (simulate.two_intercepts, "n_replicates"),
    ],
)
def test_every_count_must_be_positive(process, argument, n):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        process(np.random.default_rng(0), **{argument: n})


@FAST
@given(per_gene=st.lists(st.integers(1, 4), min_size=1, max_size=5), extra=st.integers(-3, 3))
def test_alpha_s_length_must_match_the_guides(per_gene, extra):
    n = sum(per_gene) + extra
    if extra == 0 or n < 0:
        return
    with pytest.raises(ValueError, match=r"^alpha_s\b"):
        simulate.sgrna_and_cell_lines(
            np.random.default_rng(0), sgrnas_per_gene=per_gene, alpha_s=[0.0] * n
        )
