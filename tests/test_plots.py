"""The shared figures draw, on data of the shape the chapters pass them."""

import arviz as az
import matplotlib
import numpy as np
import pytest

from depmap_models import plots, simulate

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def model1():
    sim = simulate.single_gene(np.random.RandomState(103))
    rng = np.random.default_rng(0)
    idata = az.from_dict(
        {
            "posterior": {"alpha": rng.normal(0.5, 0.05, (2, 50)),
                          "beta": rng.normal(-1, 0.05, (2, 50))},
            "prior_predictive": {"logfc": rng.normal(0, 10, (1, 50, 20))},
            "posterior_predictive": {"logfc": rng.normal(0, 1, (2, 50, 20))},
            "observed_data": {"logfc": sim.data["logfc"].to_numpy()},
        }
    )
    return sim, idata


def test_set_theme_uses_a_font_that_exists():
    from matplotlib import font_manager

    plots.set_theme()
    assert font_manager.findfont(plots.FONT, fallback_to_default=False)
    assert matplotlib.rcParams["font.family"] == [plots.FONT]


def test_figures_draw(model1, tmp_path):
    sim, idata = model1
    figures = [
        plots.true_line_plot(sim.data, 0.5, -1.0, title="t"),
        plots.predictive_densities(idata),
        plots.posterior_lines(idata, sim.data, sim.truth, n_lines=10,
                              rng=np.random.default_rng(1)),
    ]
    for i, figure in enumerate(figures):
        path = tmp_path / f"{i}.png"
        figure.save(path, verbose=False)
        assert path.stat().st_size > 1000


def test_figures_reject_bad_input(model1):
    sim, idata = model1
    with pytest.raises(ValueError, match="rna"):
        plots.true_line_plot(sim.data.drop(columns="rna"), 0.5, -1.0)
    with pytest.raises(ValueError, match="n_lines"):
        plots.posterior_lines(idata, sim.data, sim.truth, n_lines=0, rng=np.random.default_rng())
    with pytest.raises(ValueError, match="mu"):
        plots.predictive_densities(idata, var_name="mu")


def test_predictive_densities_thins_large_posteriors():
    rng = np.random.default_rng(2)
    big = az.from_dict(
        {
            "prior_predictive": {"logfc": rng.normal(0, 5, (1, 500, 300))},
            "posterior_predictive": {"logfc": rng.normal(0, 1, (2, 2000, 300))},
            "observed_data": {"logfc": rng.normal(0, 1, 300)},
        }
    )
    figure = plots.predictive_densities(big, max_values=3000)
    sizes = figure.data.groupby("distribution", observed=True).size()
    assert (sizes == 3000).all()  # ten whole predicted data sets per panel
    figure.draw()
    with pytest.raises(ValueError, match="max_values"):
        plots.predictive_densities(big, max_values=0)
