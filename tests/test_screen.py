"""The realistic screen's model: the variables, dims and mean it promises."""

import numpy as np
import pymc as pm
import pytest

from depmap_models import screen, simulate


@pytest.fixture(scope="module")
def sim():
    return simulate.realistic_screen(np.random.default_rng(103))


def test_model_has_named_dims_and_the_documented_variables(sim):
    model = screen.realistic_model(sim)
    names = {rv.name for rv in model.free_RVs}
    assert {"mu_epsilon", "epsilon_g", "alpha_s", "gamma_c", "beta_g", "eta", "sigma"} <= names
    assert model.named_vars_to_dims["alpha_s"] == ("sgrna",)
    assert model.named_vars_to_dims["gamma_c"] == ("cell_line",)
    assert len(model.coords["obs"]) == len(sim.data)
    assert "eta" not in {rv.name for rv in screen.realistic_model(sim, copy_number=False).free_RVs}


def test_mean_is_the_documented_sum_at_the_truth(sim):
    """At the true parameter values the model's mean equals the simulator's."""
    t, data = sim.truth, sim.data
    with pm.Model(coords=screen.coords(sim)) as model:
        pm.Deterministic("mu", screen.linear_predictor(sim), dims="obs")
    names = ("alpha_s", "gamma_c", "beta_g", "eta")
    at_truth = pm.do(model, {name: t[name] for name in names})
    got = pm.draw(at_truth["mu"], random_seed=1)
    s, c, g = (data[k].cat.codes.to_numpy() for k in ("sgrna", "cell_line", "gene"))
    expected = (
        t["alpha_s"][s] + t["gamma_c"][c] + t["beta_g"][g] * data["rna"] + t["eta"] * data["cn"]
    )
    np.testing.assert_allclose(got, expected)


def test_lineage_level_sums_to_zero_and_nests_cell_lines(sim):
    model = screen.realistic_model(sim, lineage=True)
    names = {rv.name for rv in model.free_RVs}
    assert {"gamma_l", "delta_c", "sigma_lineage"} <= names and "gamma_c" in model.named_vars
    draw = pm.draw([model["gamma_l"], model["delta_c"]], random_seed=1)
    assert abs(draw[0].sum()) < 1e-9 and abs(draw[1].sum()) < 1e-9
    assert model.named_vars_to_dims["gamma_l"] == ("lineage",)


def test_bad_data_are_rejected_by_name(sim):
    with pytest.raises(ValueError, match="columns"):
        screen.realistic_model(sim.data.drop(columns="cn"))
    data = sim.data.copy()
    data["cell_line"] = data["cell_line"].astype(str)
    with pytest.raises(ValueError, match="cell_line"):
        screen.realistic_model(data)
    data = sim.data.copy()
    data.loc[0, "lineage"] = data["lineage"].cat.categories[-1]
    data.loc[len(data) - 1, "lineage"] = data["lineage"].cat.categories[0]
    with pytest.raises(ValueError, match="exactly one lineage"):
        screen.realistic_model(data, lineage=True)
