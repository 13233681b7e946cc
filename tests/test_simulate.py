"""The simulators reproduce the original analysis and reject bad input by name."""

import numpy as np
import pandas as pd
import pytest

from depmap_models import simulate

SEED = 103


def legacy():
    return np.random.RandomState(SEED)


# Values printed in the original analysis's tables (seeds/002_*.txt and the forum thread).


def test_single_gene_reproduces_the_original_data():
    sim = simulate.single_gene(legacy())
    # np.random.seed(103); np.random.randn(20): the first values.
    assert np.allclose(sim.data["rna"].iloc[:3], [-1.249278, -0.260331, 0.383793], atol=1e-6)
    assert sim.truth == {"alpha": 0.5, "beta": -1.0, "sigma": 0.3}
    assert len(sim.data) == 20


def test_genes_with_rna_reproduces_the_original_truth():
    sim = simulate.genes_with_rna(legacy())
    assert np.allclose(
        sim.truth["alpha"], [-2.249278, -1.260331, -0.616207, -1.385461, -2.085137], atol=1e-6
    )
    assert np.allclose(
        sim.truth["beta"], [3.654438, -0.138414, -0.135368, -2.960023, -2.263930], atol=1e-6
    )
    assert sim.data.shape == (150, 4)
    assert sim.truth["sigma"] == 0.5  # the code's value, not the text's 0.3


def test_rna_at_gene_level_reproduces_the_original_data():
    data = simulate.rna_at_gene_level(legacy()).data
    assert np.allclose(
        data["logfc"].iloc[[0, 1, 2, 3, 4]],
        [-1.475160, -1.574389, -1.413401, -1.057404, -1.570743],
        atol=1e-6,
    )
    assert np.allclose(
        data["logfc"].iloc[[295, 296, 297, 298, 299]],
        [0.758133, 0.352038, 0.583303, 0.818320, 0.686769],
        atol=1e-6,
    )
    assert list(data.loc[299, ["gene", "cell_line"]]) == ["geneE", "cellT"]


def test_genes_and_cell_lines_reproduces_the_original_data():
    sim = simulate.genes_and_cell_lines(legacy())
    data = sim.data
    assert np.allclose(data["rna"].iloc[:3], [-1.187443, 0.299138, -0.947764], atol=1e-6)
    assert np.allclose(
        data["logfc"].iloc[[0, 1, 2, 3, 4]],
        [7.516370, -1.184598, 1.945419, -0.861100, -6.491923],
        atol=1e-6,
    )
    assert np.allclose(data["logfc"].iloc[[298, 299]], [1.885927, -1.022285], atol=1e-6)
    assert np.allclose(sim.truth["alpha_g"][0], -2.249278, atol=1e-6)
    assert np.allclose(sim.truth["gamma_c"][[0, 19]], [6.981657, -0.587932], atol=1e-6)
    assert np.allclose(
        sim.truth["beta_g"], [-2.634413, -2.892255, -0.558722, -2.201467, -1.305132], atol=1e-6
    )
    # One RNA value per (gene, cell line), shared by the replicates.
    assert (data.groupby(["gene", "cell_line"], observed=True)["rna"].nunique() == 1).all()


def test_sgrna_and_cell_lines_reproduces_the_original_data():
    sim = simulate.sgrna_and_cell_lines(legacy())
    data = sim.data
    assert np.allclose(
        data["logfc"].iloc[:10],
        [-1.007554, -1.539458, 0.290946, -0.027282, -1.583125,
         1.518616, -0.442271, 0.142635, -1.680378, -1.108248],
        atol=1e-6,
    )
    assert np.allclose(sim.truth["beta_c"][[0, 19]], [-1.249278, 1.329175], atol=1e-6)
    assert np.allclose(sim.truth["epsilon_g"], [-0.4, -0.25, -0.366667, -1.175, 1.64], atol=1e-6)
    counts = data.groupby("gene", observed=True)["sgrna"].nunique()
    assert list(counts) == [1, 2, 3, 4, 5]
    assert len(data) == 15 * 20


def test_two_intercepts_reproduces_the_forum_thread():
    data = simulate.two_intercepts(legacy()).data
    assert np.allclose(
        data["logfc"].iloc[:10],
        [-1.737624, -1.877467, -1.886188, -1.270179, -1.324839,
         -1.288882, -0.934375, -0.936662, -1.088747, -2.136492],
        atol=1e-6,
    )
    assert list(data.loc[9, ["cell_line", "gene", "replicate"]]) == ["cellB", "geneA", 0]


ALL = [
    simulate.single_gene,
    simulate.genes_with_rna,
    simulate.rna_at_gene_level,
    simulate.genes_and_cell_lines,
    simulate.sgrna_and_cell_lines,
    simulate.two_intercepts,
]


@pytest.mark.parametrize("process", ALL, ids=lambda f: f.__name__)
def test_accepts_a_generator_and_is_deterministic(process):
    a = process(np.random.default_rng(1))
    b = process(np.random.default_rng(1))
    pd.testing.assert_frame_equal(a.data, b.data)
    assert np.isfinite(a.data["logfc"]).all()
    for col in ("gene", "cell_line", "sgrna"):
        if col in a.data:
            assert isinstance(a.data[col].dtype, pd.CategoricalDtype)
            assert a.coords[col] == list(a.data[col].cat.categories)


@pytest.mark.parametrize("process", ALL, ids=lambda f: f.__name__)
def test_rejects_a_non_generator(process):
    with pytest.raises(TypeError, match="rng"):
        process(103)


@pytest.mark.parametrize(
    ("process", "kwargs", "name"),
    [
        (simulate.single_gene, {"sigma": -0.3}, "sigma"),
        (simulate.single_gene, {"n_cell_lines": 0}, "n_cell_lines"),
        (simulate.single_gene, {"alpha": float("nan")}, "alpha"),
        (simulate.genes_with_rna, {"sigma_beta": 0}, "sigma_beta"),
        (simulate.genes_with_rna, {"n_genes": 2.5}, "n_genes"),
        (simulate.rna_at_gene_level, {"sigma_g": -1}, "sigma_g"),
        (simulate.genes_and_cell_lines, {"sigma_gamma": -3}, "sigma_gamma"),
        (simulate.genes_and_cell_lines, {"n_replicates": 0}, "n_replicates"),
        (simulate.sgrna_and_cell_lines, {"alpha_s": [0.1, 0.2]}, "alpha_s"),
        (simulate.sgrna_and_cell_lines, {"sgrnas_per_gene": [1, 0]}, "sgrnas_per_gene"),
        (simulate.sgrna_and_cell_lines, {"sigma": -0.5}, "sigma"),
        (simulate.two_intercepts, {"sigma_alpha": -0.5}, "sigma_alpha"),
        (simulate.two_intercepts, {"n_genes": True}, "n_genes"),
    ],
)
def test_invalid_arguments_raise_naming_the_argument(process, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        process(legacy(), **kwargs)


def test_labels_follow_the_original_then_switch_to_numbers():
    assert simulate.labels("gene", 3) == ["geneA", "geneB", "geneC"]
    many = simulate.labels("cell", 30)
    assert many[0] == "cell01" and many[-1] == "cell30" and len(set(many)) == 30
