"""The real screen's data preparation and model (chapter 13): what they promise, checked."""

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import stats

from depmap_models import data, realscreen
from depmap_models.design import sgrna_gene_index

LINES = list(realscreen.CHAPTER_LINES["cell_line"])
SMALL_GENES = ["ABCE1", "ACTL7A", "BRAF", "KRAS", "PIK3CA", "RPL3"]


@pytest.fixture(scope="module")
def screen():
    return realscreen.screen_data()


@pytest.fixture(scope="module")
def small():
    return realscreen.screen_data(cell_lines=LINES[:4], genes=SMALL_GENES)


def _replicates(frame):
    rows = [
        ("g1", "A", "c1", "r1", 1.0), ("g1", "A", "c1", "r2", 3.0),
        ("g2", "A", "c1", "r1", -2.0),
        ("g1", "A", "c2", "r3", 0.5), ("g1", "A", "c2", "r4", 1.5), ("g1", "A", "c2", "r5", 4.0),
    ]
    table = pd.DataFrame(rows, columns=["sgrna", "gene", "cell_line", "replicate", "logfc"])
    return table if frame is None else frame(table)


# --------------------------------------------------------------------------------------
# collapse_replicates
# --------------------------------------------------------------------------------------


def test_collapse_averages_replicates_and_counts_them():
    out = realscreen.collapse_replicates(_replicates(None))
    assert list(out.columns) == ["sgrna", "gene", "cell_line", "logfc", "n_replicates"]
    got = out.set_index(["sgrna", "cell_line"])
    assert got.loc[("g1", "c1"), "logfc"] == pytest.approx(2.0)
    assert got.loc[("g1", "c2"), "logfc"] == pytest.approx(2.0)
    assert got.loc[("g2", "c1"), "logfc"] == pytest.approx(-2.0)
    assert got["n_replicates"].to_dict() == {("g1", "c1"): 2, ("g2", "c1"): 1, ("g1", "c2"): 3}
    for column in ("sgrna", "gene", "cell_line"):
        assert isinstance(out[column].dtype, pd.CategoricalDtype)


def test_collapse_of_the_real_screen_recomputed_by_hand(screen):
    replicates = data.avana_logfc(cell_lines=LINES)
    replicates = replicates[replicates["passes_qc"]]
    # A line with four replicates over two pDNA batches, one with three, one with two.
    for row, line in [(5, "ACH-000614"), (1234, "ACH-000787"), (3000, "ACH-001411")]:
        rows = replicates[replicates["cell_line"] == line]
        sgrna = str(rows["sgrna"].iloc[row])
        rows = rows[rows["sgrna"] == sgrna]
        assert len(rows) >= 2
        got = screen[(screen["sgrna"] == sgrna) & (screen["cell_line"] == line)]
        assert len(got) == 1
        assert got["logfc"].iloc[0] == pytest.approx(float(np.mean(rows["logfc"])), abs=1e-12)
        assert got["n_replicates"].iloc[0] == len(rows)


def test_collapse_rejects_bad_tables_by_name():
    with pytest.raises(ValueError, match="replicate"):
        realscreen.collapse_replicates(_replicates(lambda t: t.drop(columns="replicate")))
    with pytest.raises(ValueError, match="empty"):
        realscreen.collapse_replicates(_replicates(lambda t: t.iloc[:0]))
    with pytest.raises(ValueError, match="finite"):
        nan_first = [np.nan, 1, 2, 3, 4, 5]
        realscreen.collapse_replicates(_replicates(lambda t: t.assign(logfc=nan_first)))
    with pytest.raises(ValueError, match="two genes"):
        realscreen.collapse_replicates(_replicates(lambda t: t.assign(gene=list("AAABAA"))))
    with pytest.raises(ValueError, match="twice"):
        realscreen.collapse_replicates(_replicates(lambda t: pd.concat([t, t.iloc[:1]])))
    with pytest.raises(ValueError, match="logfc must be a DataFrame"):
        realscreen.collapse_replicates([1, 2])


# --------------------------------------------------------------------------------------
# screen_data and the copy number
# --------------------------------------------------------------------------------------


def test_screen_data_shapes(screen):
    assert screen["cell_line"].nunique() == 10 and set(screen["cell_line"]) == set(LINES)
    assert screen["gene"].nunique() == 883 and screen["sgrna"].nunique() == 3474
    # Every guide in every line, less the guides missing in all of a line's replicates.
    assert 34_500 < len(screen) <= 3474 * 10
    assert screen.groupby(["sgrna", "cell_line"], observed=True).size().max() == 1
    assert set(screen["n_replicates"]) <= {1, 2, 3, 4}
    assert (screen.loc[screen["cell_line"] == "ACH-000614", "n_replicates"].max()) == 4
    assert np.isfinite(screen[["logfc", "cn", "cn_relative"]].to_numpy()).all()


def test_copy_number_is_floored_logged_and_centred(screen):
    pairs = screen.drop_duplicates(["gene", "cell_line"])
    assert len(pairs) == 883 * 10
    assert pairs["cn"].mean() == pytest.approx(0, abs=1e-12)
    log2 = np.log2(np.maximum(pairs["cn_relative"], realscreen.MIN_COPY_NUMBER))
    np.testing.assert_allclose(pairs["cn"], log2 - log2.mean())
    # Homozygous deletions (the interferon cluster at 9p21) sit at the floor.
    assert (pairs["cn_relative"] < realscreen.MIN_COPY_NUMBER).sum() > 5
    assert pairs["cn"].min() == pytest.approx(np.log2(realscreen.MIN_COPY_NUMBER) - log2.mean())
    # The gene without copy number counts as unchanged.
    assert (pairs.loc[pairs["gene"] == "POU2AF3", "cn_relative"] == 1.0).all()
    raw = data.copy_number(cell_lines="ACH-000147", genes="KRAS")["cn"].iloc[0]
    got = pairs[(pairs["gene"] == "KRAS") & (pairs["cell_line"] == "ACH-000147")]
    assert got["cn_relative"].iloc[0] == pytest.approx(raw)


def test_screen_data_rejects_bad_arguments_by_name():
    with pytest.raises(ValueError, match="ACH-000750"):
        realscreen.screen_data(cell_lines=["ACH-000147", "ACH-000750"], genes=SMALL_GENES)
    with pytest.raises(ValueError, match="ACH-999999"):
        realscreen.screen_data(cell_lines=["ACH-999999"], genes=SMALL_GENES)
    with pytest.raises(ValueError, match="NOTAGENE"):
        realscreen.screen_data(cell_lines=LINES[:2], genes=["NOTAGENE"])
    for bad in (0, -1, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="min_copy_number"):
            realscreen.screen_data(cell_lines=LINES[:2], genes=SMALL_GENES, min_copy_number=bad)


def test_cn_components_add_up_and_sum_to_zero(small):
    parts = realscreen.cn_components(small)
    x = parts["x"]
    assert x.shape == (len(SMALL_GENES), 4)
    rebuilt = (parts["x_gene"][:, None] + parts["x_line"][None, :] + parts["x_inter"]
               + parts["grand_mean"])
    np.testing.assert_allclose(rebuilt, x)
    np.testing.assert_allclose(parts["x_inter"].sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(parts["x_inter"].sum(axis=1), 0, atol=1e-12)
    assert parts["x_gene"].sum() == pytest.approx(0, abs=1e-12)
    assert parts["x_line"].sum() == pytest.approx(0, abs=1e-12)
    one = small[(small["gene"] == "KRAS") & (small["cell_line"] == LINES[1])]["cn"].iloc[0]
    g = list(small["gene"].cat.categories).index("KRAS")
    c = list(small["cell_line"].cat.categories).index(LINES[1])
    assert x[g, c] == one


def test_cn_components_need_every_pair(small):
    holey = small[~((small["gene"] == "KRAS") & (small["cell_line"] == LINES[0]))]
    with pytest.raises(ValueError, match="pairs"):
        realscreen.cn_components(holey)
    clash = small.copy()
    clash.loc[clash.index[0], "cn"] += 1
    with pytest.raises(ValueError, match="two copy numbers"):
        realscreen.cn_components(clash)


# --------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------


def test_model_variables_and_dims(small):
    model = realscreen.real_screen_model(small)
    free = {rv.name for rv in model.free_RVs}
    assert free == {"mu_epsilon", "sigma_epsilon", "sigma_alpha", "sigma_gamma", "sigma_theta",
                    "eta", "sigma_c", "epsilon_g_total", "alpha_s_total", "gamma_c_total",
                    "theta_gc_total"}
    assert model.named_vars_to_dims["theta_gc_total"] == ("gene", "cell_line")
    assert model.named_vars_to_dims["sigma_c"] == ("cell_line",)
    assert len(model.coords["obs"]) == len(small)
    direct = realscreen.real_screen_model(small, parameterization="direct", guides="non-centred")
    assert {"epsilon_g", "alpha_z", "gamma_c", "theta_gc"} <= {rv.name for rv in direct.free_RVs}
    assert "alpha_s" in direct.named_vars


def _transformed(model, point):
    values = {}
    for rv in model.free_RVs:
        transform = model.rvs_to_transforms.get(rv)
        value = point[rv.name]
        if transform is not None:
            value = transform.forward(pm.math.constant(value), *rv.owner.inputs).eval()
        values[model.rvs_to_values[rv].name] = value
    return values


def _draw(model, seed):
    return dict(zip([rv.name for rv in model.free_RVs],
                    pm.draw(model.free_RVs, random_seed=seed), strict=True))


def test_mean_and_noise_recomputed_by_hand_on_the_whole_screen(screen):
    """The whole screen: guides x lines exceeds int16, the codes' dtype."""
    model = realscreen.real_screen_model(screen, parameterization="direct")
    point = _draw(model, 3)
    s, c, g = (screen[k].cat.codes.to_numpy() for k in ("sgrna", "cell_line", "gene"))
    mean = (point["alpha_s"][s] + point["gamma_c"][c] + point["theta_gc"][g, c]
            + point["eta"] * screen["cn"].to_numpy())
    sd = point["sigma_c"][c] / np.sqrt(screen["n_replicates"].to_numpy())
    logp = model.compile_logp(vars=[model["logfc"]], jacobian=False)
    expected = stats.norm.logpdf(screen["logfc"], mean, sd).sum()
    assert logp(_transformed(model, point)) == pytest.approx(expected, rel=1e-10)


def test_projected_is_the_direct_model_shifted(small):
    """Same log density at corresponding points: the shift by eta times each part."""
    direct = realscreen.real_screen_model(small, parameterization="direct")
    projected = realscreen.real_screen_model(small)
    parts = realscreen.cn_components(small)
    gene_of_sgrna = sgrna_gene_index(small)
    logp_direct = direct.compile_logp(jacobian=False)
    logp_projected = projected.compile_logp(jacobian=False)
    values = []
    for seed in (1, 2):
        point = _draw(direct, seed)
        eta = point["eta"]
        shifted = {k: v for k, v in point.items()
                   if k not in ("epsilon_g", "alpha_s", "gamma_c", "theta_gc")}
        shifted["epsilon_g_total"] = point["epsilon_g"] + eta * parts["x_gene"]
        shifted["alpha_s_total"] = point["alpha_s"] + eta * parts["x_gene"][gene_of_sgrna]
        shifted["gamma_c_total"] = point["gamma_c"] + eta * parts["x_line"]
        shifted["theta_gc_total"] = point["theta_gc"] + eta * parts["x_inter"]
        values.append((logp_direct(_transformed(direct, point)),
                       logp_projected(_transformed(projected, shifted))))
    # Equal up to the constant of the transforms: the differences between points agree.
    assert values[0][0] - values[1][0] == pytest.approx(values[0][1] - values[1][1], rel=1e-9)
    assert values[0][0] == pytest.approx(values[0][1], rel=1e-9)


def test_zero_sum_constraints(small):
    direct = realscreen.real_screen_model(small, parameterization="direct")
    theta, gamma = pm.draw([direct["theta_gc"], direct["gamma_c"]], random_seed=4)
    np.testing.assert_allclose(theta.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(theta.sum(axis=1), 0, atol=1e-12)
    assert abs(gamma.sum()) < 1e-12
    lines_only = realscreen.real_screen_model(small, parameterization="direct",
                                              interaction_zero_sum="cell_line")
    theta = pm.draw(lines_only["theta_gc"], random_seed=4)
    np.testing.assert_allclose(theta.sum(axis=1), 0, atol=1e-12)
    assert np.abs(theta.sum(axis=0)).max() > 1e-3  # free over genes: per-line means move


def test_effects_undo_the_shift(small):
    parts = realscreen.cn_components(small)
    gene_of_sgrna = sgrna_gene_index(small)
    rng = np.random.default_rng(0)
    n_gene, n_line = parts["x"].shape
    n_sgrna = len(gene_of_sgrna)
    eta = rng.normal(size=(1, 3))
    truth = {"epsilon_g": rng.normal(size=(1, 3, n_gene)),
             "alpha_s": rng.normal(size=(1, 3, n_sgrna)),
             "gamma_c": rng.normal(size=(1, 3, n_line)),
             "theta_gc": rng.normal(size=(1, 3, n_gene, n_line))}
    e = eta[..., None]
    posterior = xr.Dataset({
        "eta": (("chain", "draw"), eta),
        "epsilon_g_total": (("chain", "draw", "gene"), truth["epsilon_g"] + e * parts["x_gene"]),
        "alpha_s_total": (("chain", "draw", "sgrna"),
                          truth["alpha_s"] + e * parts["x_gene"][gene_of_sgrna]),
        "gamma_c_total": (("chain", "draw", "cell_line"), truth["gamma_c"] + e * parts["x_line"]),
        "theta_gc_total": (("chain", "draw", "gene", "cell_line"),
                           truth["theta_gc"] + e[..., None] * parts["x_inter"]),
    })
    idata = xr.DataTree.from_dict({"posterior": posterior})
    found = realscreen.effects(idata, small)
    for name, value in truth.items():
        np.testing.assert_allclose(found[name].values, value)
    effect = realscreen.gene_effect(idata, small)
    np.testing.assert_allclose(effect.values, truth["epsilon_g"][..., None] + truth["theta_gc"])
    with pytest.raises(ValueError, match="neither"):
        realscreen.effects(xr.DataTree.from_dict({"posterior": posterior[["eta"]]}), small)


def test_model_rejects_bad_arguments_by_name(small):
    for name, value in [("parameterization", "sideways"), ("guides", "free"),
                        ("interaction_zero_sum", "gene")]:
        with pytest.raises(ValueError, match=name):
            realscreen.real_screen_model(small, **{name: value})
    with pytest.raises(ValueError, match="interaction_zero_sum"):
        realscreen.real_screen_model(small, interaction_zero_sum="cell_line")
    with pytest.raises(ValueError, match="n_replicates"):
        realscreen.real_screen_model(small.assign(n_replicates=small["n_replicates"] * 0.5))
    with pytest.raises(ValueError, match="n_replicates"):
        realscreen.real_screen_model(small.assign(n_replicates=0))
    with pytest.raises(ValueError, match="'cn'"):
        realscreen.real_screen_model(small.assign(cn=np.inf))
    with pytest.raises(ValueError, match="columns"):
        realscreen.real_screen_model(small.drop(columns="n_replicates"))
    with pytest.raises(ValueError, match="cell_line"):
        realscreen.real_screen_model(small.assign(cell_line=small["cell_line"].astype(str)))
    with pytest.raises(ValueError, match="data must be a DataFrame"):
        realscreen.real_screen_model(small.to_numpy())


# --------------------------------------------------------------------------------------
# The posterior as DepMap reports it
# --------------------------------------------------------------------------------------


def _effect_table():
    genes = ["e1", "e2", "e3", "n1", "n2", "n3", "x"]
    values = np.array([[-3.0, -2.0], [-2.0, -2.0], [-1.0, -4.0],
                       [0.0, 0.5], [1.0, 0.5], [2.0, 0.5], [7.0, 7.0]])
    return xr.DataArray(values, dims=("gene", "cell_line"),
                        coords={"gene": genes, "cell_line": ["c1", "c2"]})


def test_depmap_scale_puts_the_anchors_at_zero_and_minus_one():
    effect = _effect_table()
    scaled = realscreen.depmap_scale(effect, ["n1", "n2", "n3", "absent"], ["e1", "e2", "e3"])
    # Per line medians: non-essential 1 and 0.5 (median over lines 0.75); essential -2 and
    # -2 (median -2): scaled = (x - 0.75) / 2.75.
    np.testing.assert_allclose(scaled.values, (effect.values - 0.75) / 2.75)
    per_gene = realscreen.depmap_scale(effect.sel(cell_line="c1"), ["n1", "n2", "n3"],
                                       ["e1", "e2", "e3"])
    assert float(per_gene.sel(gene=["n1", "n2", "n3"]).median()) == pytest.approx(0)
    assert float(per_gene.sel(gene=["e1", "e2", "e3"]).median()) == pytest.approx(-1)
    with_draws = effect.expand_dims(draw=[0, 1]) * xr.DataArray([1.0, 2.0], dims="draw")
    scaled = realscreen.depmap_scale(with_draws, ["n1", "n2", "n3"], ["e1", "e2", "e3"])
    np.testing.assert_allclose(scaled.sel(draw=0).values, scaled.sel(draw=1).values)


def test_depmap_scale_rejects_bad_arguments():
    effect = _effect_table()
    with pytest.raises(ValueError, match="essential has no gene"):
        realscreen.depmap_scale(effect, ["n1"], ["absent"])
    with pytest.raises(ValueError, match="gene' dim"):
        realscreen.depmap_scale(effect.rename(gene="g"), ["n1"], ["e1"])
    with pytest.raises(ValueError, match="coincide"):
        realscreen.depmap_scale(effect, ["e2"], ["e2"])


def test_mutant_contrast_is_mutant_mean_minus_other_mean():
    effect = xr.DataArray(
        [[-2.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 4.0]], dims=("gene", "cell_line"),
        coords={"gene": ["BRAF", "KRAS"], "cell_line": ["a", "b", "c", "d"]},
    )
    mutations = pd.DataFrame({"cell_line": ["a", "b", "d", "zz"],
                              "gene": ["BRAF", "BRAF", "KRAS", "KRAS"]})
    out = realscreen.mutant_contrast(effect, mutations, ["BRAF", "KRAS"])
    np.testing.assert_allclose(out.values, [-1.5 - 0.5, 4.0 - 0.0])
    assert list(out["n_mutant"].values) == [2, 1] and list(out["n_other"].values) == [2, 3]
    with pytest.raises(ValueError, match="NRAS"):
        realscreen.mutant_contrast(effect, mutations, ["BRAF", "NRAS"])
    with pytest.raises(ValueError, match="'KRAS'"):
        realscreen.mutant_contrast(effect, mutations.iloc[:2], ["KRAS"])
    with pytest.raises(ValueError, match="dims"):
        realscreen.mutant_contrast(effect.sel(cell_line="a"), mutations)


def test_chapter_lines_give_every_oncogene_mutant_and_other_lines():
    mutations = data.mutations(cell_lines=LINES)
    for gene in realscreen.ONCOGENES:
        mutant = set(mutations.loc[mutations["gene"] == gene, "cell_line"].astype(str))
        assert 2 <= len(mutant) <= 3, gene
    passing = data.cell_lines().set_index("cell_line")["n_passing_qc"]
    assert (passing.loc[LINES] >= 1).all()
    assert realscreen.CHAPTER_LINES["cell_line"].is_unique


# --------------------------------------------------------------------------------------
# summarize_draws
# --------------------------------------------------------------------------------------


def test_summarize_draws_gives_mean_and_central_interval():
    values = np.arange(2 * 50 * 3, dtype=float).reshape(2, 50, 3)
    values[..., 2] *= -1
    draws = xr.DataArray(values, dims=("chain", "draw", "gene"),
                         coords={"gene": ["a", "b", "c"]})
    table = realscreen.summarize_draws(draws)
    assert list(table.columns) == ["mean", "low", "high"] and list(table.index) == ["a", "b", "c"]
    for column, gene in enumerate(["a", "b", "c"]):
        flat = values[..., column].ravel()
        assert table.loc[gene, "mean"] == pytest.approx(flat.mean())
        np.testing.assert_allclose(table.loc[gene, ["low", "high"]].to_numpy(dtype=float),
                                   np.quantile(flat, [0.055, 0.945]))
    wide = realscreen.summarize_draws(draws, interval=0.5)
    np.testing.assert_allclose(wide.loc["a", ["low", "high"]].to_numpy(dtype=float),
                               np.quantile(values[..., 0].ravel(), [0.25, 0.75]))
    two_dims = realscreen.summarize_draws(draws.expand_dims(cell_line=["c1", "c2"], axis=-1))
    assert two_dims.index.names == ["gene", "cell_line"] and len(two_dims) == 6


def test_summarize_draws_rejects_bad_arguments():
    draws = xr.DataArray(np.zeros((2, 5, 3)), dims=("chain", "draw", "gene"))
    with pytest.raises(ValueError, match="'chain' and 'draw'"):
        realscreen.summarize_draws(draws.rename(draw="sample"))
    with pytest.raises(ValueError, match="besides"):
        realscreen.summarize_draws(draws.isel(gene=0))
    for interval in (0, 1, 1.5, True):
        with pytest.raises(ValueError, match="interval"):
            realscreen.summarize_draws(draws, interval=interval)


def test_scaling_results_are_committed_and_complete():
    table = realscreen.scaling_results()
    assert list(table["lines"]) == [5, 10, 20, 41]
    assert table["observations"].is_monotonic_increasing
    assert table["parameters"].is_monotonic_increasing
    assert (table[["compile_s", "sampling_s", "sampling_cpu_s", "advi_s"]] > 0).all().all()


def test_scaling_results_name_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="real_screen_scaling.py --out"):
        realscreen.scaling_results(tmp_path / "none.csv")
