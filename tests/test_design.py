"""The data plumbing the model builders share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from depmap_models import design, simulate


def test_model_data_checks_columns_and_categories():
    sim = simulate.sgrna_and_cell_lines(np.random.RandomState(103))
    data = design.model_data(sim, ["gene", "sgrna", "cell_line", "logfc"])
    assert data is sim.data
    with pytest.raises(ValueError, match=r"columns \['rna'\]"):
        design.model_data(sim, ["rna"])
    plain = sim.data.assign(gene=sim.data["gene"].astype(str))
    with pytest.raises(ValueError, match="'gene' must be categorical"):
        design.model_data(plain, ["gene"])
    with pytest.raises(TypeError, match="Simulation or a DataFrame"):
        design.model_data([1, 2], ["gene"])


def test_coords_and_codes_follow_the_categories():
    data = pd.DataFrame({"gene": pd.Categorical(["b", "a", "b"], categories=["a", "b"])})
    assert design.model_coords(data, ["gene"]) == {"gene": ["a", "b"], "obs": [0, 1, 2]}
    assert list(design.codes(data, "gene")) == [1, 0, 1]


def test_sgrna_gene_index_maps_guides_to_genes():
    sim = simulate.sgrna_and_cell_lines(np.random.RandomState(103))
    gene_of = design.sgrna_gene_index(sim.data)
    pairs = sim.data[["sgrna", "gene"]].drop_duplicates().set_index("sgrna")["gene"]
    expected = pairs.loc[sim.data["sgrna"].cat.categories].cat.codes.to_numpy()
    assert np.array_equal(gene_of, expected)
