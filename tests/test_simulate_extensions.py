"""The extension chapters' simulators: structure, identified truth, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depmap_models import simulate

EXTENSIONS = [
    simulate.cell_line_noise,
    simulate.lineages,
    simulate.realistic_screen,
    simulate.mutation_screen,
]
FAST = settings(max_examples=30, deadline=None)


def rng(seed: int = 103) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("process", EXTENSIONS, ids=lambda f: f.__name__)
def test_deterministic_finite_and_categorical(process):
    a, b = process(rng()), process(rng())
    pd.testing.assert_frame_equal(a.data, b.data)
    assert np.isfinite(a.data["logfc"]).all()
    for column in ("gene", "sgrna", "cell_line", "lineage"):
        if column in a.data:
            assert isinstance(a.data[column].dtype, pd.CategoricalDtype)
            assert a.data[column].nunique() == len(a.data[column].cat.categories)
    assert process(np.random.RandomState(103)).data.shape[1] == a.data.shape[1]


@pytest.mark.parametrize("process", EXTENSIONS, ids=lambda f: f.__name__)
def test_rejects_a_non_generator(process):
    with pytest.raises(TypeError, match="rng"):
        process(103)


def test_cell_line_noise_defaults_and_truth():
    sim = simulate.cell_line_noise(rng())
    data, truth = sim.data, sim.truth
    assert len(data) == 21 * 16  # every guide once in every cell line
    assert truth["alpha_s"].shape == (21,) and truth["sigma_c"].shape == (16,)
    assert abs(truth["beta_c"].sum()) < 1e-12  # identified: cell-line effects sum to zero
    assert (truth["sigma_c"] > 0).all() and truth["sigma_c"].max() / truth["sigma_c"].min() > 2
    # the noise really is per cell line: residual sd tracks sigma_c
    mean = truth["alpha_s"][data["sgrna"].cat.codes] + truth["beta_c"][data["cell_line"].cat.codes]
    residual_sd = (data["logfc"] - mean).groupby(data["cell_line"], observed=True).std()
    assert np.corrcoef(residual_sd, truth["sigma_c"])[0, 1] > 0.9


def test_lineages_nest_cell_lines_and_sum_to_zero():
    sim = simulate.lineages(rng(), cell_lines_per_lineage=(2, 5), n_replicates=4)
    data, truth = sim.data, sim.truth
    assert len(data) == 7 * 4
    assert abs(truth["gamma_l"].sum()) < 1e-12
    lineage_of = data.groupby("cell_line", observed=True)["lineage"].nunique()
    assert (lineage_of == 1).all()  # every cell line sits in exactly one lineage
    assert list(data.groupby("lineage", observed=True)["cell_line"].nunique()) == [2, 5]


def test_realistic_screen_is_ragged_and_complete_where_it_must_be():
    sim = simulate.realistic_screen(rng())
    data, truth = sim.data, sim.truth
    n_sgrnas, n_cell_lines = 28, 12
    assert truth["alpha_s"].shape == (n_sgrnas,) and truth["gamma_c"].shape == (n_cell_lines,)
    assert len(data) < n_sgrnas * n_cell_lines  # missing by design
    assert not data.duplicated(["sgrna", "cell_line"]).any()
    assert data["sgrna"].nunique() == n_sgrnas and data["cell_line"].nunique() == n_cell_lines
    assert abs(truth["gamma_c"].sum()) < 1e-12 and abs(truth["gamma_l"].sum()) < 1e-12
    # one RNA value per gene and cell line, shared by that gene's guides
    assert (data.groupby(["gene", "cell_line"], observed=True)["rna"].nunique() == 1).all()
    # copy number is per guide: guides of one gene differ a little in one cell line
    spread = data.groupby(["gene", "cell_line"], observed=True)["cn"].std().dropna()
    assert 0 < spread.median() < 0.5


def test_realistic_screen_mean_is_the_documented_sum():
    sim = simulate.realistic_screen(rng(), sigma=1e-9)
    data, t = sim.data, sim.truth
    s, c, g = (data[k].cat.codes.to_numpy() for k in ("sgrna", "cell_line", "gene"))
    mean = t["alpha_s"][s] + t["gamma_c"][c] + t["beta_g"][g] * data["rna"] + t["eta"] * data["cn"]
    np.testing.assert_allclose(data["logfc"], mean, atol=1e-6)


def test_mutation_screen_effects_only_in_affected_genes():
    sim = simulate.mutation_screen(rng(), p_affected=0.3, sigma=1e-9)
    data, t = sim.data, sim.truth
    assert data["mutated"].dtype == bool
    assert ((t["delta_g"] != 0) == t["affected_g"]).all()
    per_gene = data.groupby("gene", observed=True)["mutated"]
    assert (per_gene.any() & ~per_gene.all()).all()  # mutant and wild-type lines in each gene
    s, c, g = (data[k].cat.codes.to_numpy() for k in ("sgrna", "cell_line", "gene"))
    mean = (
        t["alpha_s"][s]
        + t["gamma_c"][c]
        + t["beta_g"][g] * data["rna"]
        + t["eta"] * data["cn"]
        + t["delta_g"][g] * data["mutated"]
    )
    np.testing.assert_allclose(data["logfc"], mean, atol=1e-6)
    dense = simulate.mutation_screen(rng(), p_affected=1.0)
    assert dense.truth["affected_g"].all() and (dense.truth["delta_g"] != 0).all()


@pytest.mark.parametrize(
    ("process", "kwargs", "name"),
    [
        (simulate.cell_line_noise, {"sigma_log_sigma": 0}, "sigma_log_sigma"),
        (simulate.cell_line_noise, {"sgrnas_per_gene": [2, 0]}, "sgrnas_per_gene"),
        (simulate.cell_line_noise, {"sgrnas_per_gene": "abc"}, "sgrnas_per_gene"),
        (simulate.cell_line_noise, {"n_cell_lines": 1}, "n_cell_lines"),
        (simulate.lineages, {"cell_lines_per_lineage": [3]}, "cell_lines_per_lineage"),
        (simulate.lineages, {"sigma_lineage": -1}, "sigma_lineage"),
        (simulate.lineages, {"mu": float("inf")}, "mu"),
        (simulate.realistic_screen, {"p_measured": 0}, "p_measured"),
        (simulate.realistic_screen, {"p_measured": 1.5}, "p_measured"),
        (simulate.realistic_screen, {"eta": "big"}, "eta"),
        (simulate.realistic_screen, {"sgrnas_per_gene": []}, "sgrnas_per_gene"),
        (simulate.mutation_screen, {"p_mutated": 1.0}, "p_mutated"),
        (simulate.mutation_screen, {"p_affected": -0.1}, "p_affected"),
        (simulate.mutation_screen, {"sigma_delta": 0}, "sigma_delta"),
        (simulate.mutation_screen, {"n_genes": 0}, "n_genes"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(process, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        process(rng(), **kwargs)


def test_mutation_screen_rejects_unknown_arguments():
    with pytest.raises(ValueError, match="sigma_typo"):
        simulate.mutation_screen(rng(), sigma_typo=1.0)


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    per_gene=st.lists(st.integers(1, 4), min_size=1, max_size=5),
    per_lineage=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    p_measured=st.floats(0.05, 1.0),
)
def test_realistic_screen_measures_every_guide_and_cell_line(
    seed, per_gene, per_lineage, p_measured
):
    if sum(per_lineage) < 2:
        return
    sim = simulate.realistic_screen(
        rng(seed),
        sgrnas_per_gene=per_gene,
        cell_lines_per_lineage=per_lineage,
        p_measured=p_measured,
    )
    data = sim.data
    assert data["sgrna"].nunique() == sum(per_gene)
    assert data["cell_line"].nunique() == sum(per_lineage)
    assert data["lineage"].nunique() == len(per_lineage)
    assert not data.duplicated(["sgrna", "cell_line"]).any()
    guides_per_gene = data.groupby("gene", observed=True)["sgrna"].nunique()
    assert list(guides_per_gene) == per_gene


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    n_cell_lines=st.integers(2, 10),
    per_gene=st.lists(st.integers(1, 4), min_size=1, max_size=5),
)
def test_cell_line_noise_shapes(seed, n_cell_lines, per_gene):
    sim = simulate.cell_line_noise(rng(seed), sgrnas_per_gene=per_gene, n_cell_lines=n_cell_lines)
    assert len(sim.data) == sum(per_gene) * n_cell_lines
    assert sim.truth["sigma_c"].shape == (n_cell_lines,)
    assert abs(sim.truth["beta_c"].sum()) < 1e-9


# --------------------------------------------------------------------------------------
# The realistic screen's two departures: RNA tied to copy number, depletion-driven dropout
# --------------------------------------------------------------------------------------


def test_defaults_leave_rna_and_dropout_as_they_were():
    plain = simulate.realistic_screen(np.random.default_rng(7))
    explicit = simulate.realistic_screen(np.random.default_rng(7), rho_cn_rna=0.0,
                                         missing="random")
    pd.testing.assert_frame_equal(plain.data, explicit.data)


def test_rna_follows_copy_number_when_asked():
    big = dict(sgrnas_per_gene=[2] * 60, cell_lines_per_lineage=(20, 20), p_measured=1.0)
    sim = simulate.realistic_screen(np.random.default_rng(3), rho_cn_rna=0.7, **big)
    per_locus = sim.data.groupby(["gene", "cell_line"], observed=True)[["rna", "cn"]].mean()
    r = np.corrcoef(per_locus["rna"], per_locus["cn"])[0, 1]
    assert 0.62 < r < 0.78, r
    assert 0.9 < per_locus["rna"].std() < 1.1
    independent = simulate.realistic_screen(np.random.default_rng(3), **big).data
    per_locus = independent.groupby(["gene", "cell_line"], observed=True)[["rna", "cn"]].mean()
    assert abs(np.corrcoef(per_locus["rna"], per_locus["cn"])[0, 1]) < 0.1


def test_depleted_measurements_go_missing_but_every_guide_and_line_stays():
    settings = dict(sgrnas_per_gene=[3] * 30, cell_lines_per_lineage=(10, 10), p_measured=1.0,
                    mu_epsilon=-1.5, sigma_epsilon=1.0)
    full = simulate.realistic_screen(np.random.default_rng(11), **settings).data
    lost = simulate.realistic_screen(np.random.default_rng(11), missing="depleted",
                                     **settings).data
    assert len(lost) < 0.8 * len(full)
    # What stays is less depleted than what a random loss would keep.
    assert lost["logfc"].mean() > full["logfc"].mean() + 0.3
    assert set(lost["sgrna"]) == set(full["sgrna"])
    assert set(lost["cell_line"]) == set(full["cell_line"])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"rho_cn_rna": 1.0}, "rho_cn_rna"), ({"rho_cn_rna": float("nan")}, "rho_cn_rna"),
     ({"missing": "mnar"}, "missing")],
)
def test_the_departures_name_a_bad_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate.realistic_screen(np.random.default_rng(0), **kwargs)
