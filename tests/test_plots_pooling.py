"""The figures of the many-genes chapters draw, and reject bad arguments by name."""

import arviz as az
import matplotlib
import numpy as np
import pandas as pd
import pytest

from depmap_models import plots, simulate

matplotlib.use("Agg")

GENES = ["geneA", "geneB", "geneC", "geneD", "geneE"]


@pytest.fixture(scope="module")
def model2():
    """Model 2's data and a fake posterior and prior with the shapes PyMC returns."""
    sim = simulate.genes_with_rna(np.random.RandomState(103))
    rng = np.random.default_rng(0)
    coords = {"gene": GENES}
    dims = {name: ["gene"] for name in ("alpha", "beta")}
    idata = az.from_dict(
        {
            "posterior": {"alpha": rng.normal(sim.truth["alpha"], 0.1, (2, 50, 5)),
                          "beta": rng.normal(sim.truth["beta"], 0.1, (2, 50, 5))},
            "prior": {"alpha": rng.normal(0, 5, (1, 200, 5)),
                      "beta": rng.normal(0, 2, (1, 200, 5))},
        },
        coords=coords,
        dims=dims,
    )
    return sim, idata


@pytest.fixture(scope="module")
def estimates():
    rng = np.random.default_rng(1)
    rows = []
    for panel in ("30 cell lines", "4 cell lines"):
        for parameter in ("alpha", "beta"):
            for gene, truth in zip(GENES, rng.normal(0, 2, 5), strict=True):
                rows += [
                    (gene, parameter, "truth", truth, panel),
                    (gene, parameter, "no pooling", truth + rng.normal(0, 0.5), panel),
                    (gene, parameter, "partial pooling", truth + rng.normal(0, 0.3), panel),
                ]
            rows += [("all", parameter, "complete pooling", 0.3, panel),
                     ("all", parameter, "population mean", -0.2, panel)]
    return pd.DataFrame(rows, columns=["gene", "parameter", "method", "value", "data"])


def _saves(figure, path) -> bool:
    figure.save(path, verbose=False)
    return path.stat().st_size > 1000


def test_gene_lines_draws_data_and_posterior(model2, tmp_path):
    sim, idata = model2
    data_only = plots.gene_lines(sim.data, sim.truth["alpha"], sim.truth["beta"], title="t")
    with_posterior = plots.gene_lines(sim.data, sim.truth["alpha"], sim.truth["beta"],
                                      idata=idata, n_lines=10, rng=np.random.default_rng(2))
    assert _saves(data_only, tmp_path / "data.png")
    assert _saves(with_posterior, tmp_path / "posterior.png")
    # One panel per gene, in the order of the gene categories.
    assert list(data_only.data["gene"].cat.categories) == GENES


def test_gene_lines_rejects_bad_arguments(model2):
    sim, idata = model2
    alpha, beta = sim.truth["alpha"], sim.truth["beta"]
    with pytest.raises(ValueError, match="rna"):
        plots.gene_lines(sim.data.drop(columns="rna"), alpha, beta)
    with pytest.raises(ValueError, match="alpha"):
        plots.gene_lines(sim.data, alpha[:4], beta)
    with pytest.raises(ValueError, match="beta"):
        plots.gene_lines(sim.data, alpha, np.append(beta, 0.0))
    with pytest.raises(ValueError, match="rng"):
        plots.gene_lines(sim.data, alpha, beta, idata=idata)
    with pytest.raises(ValueError, match="n_lines"):
        plots.gene_lines(sim.data, alpha, beta, idata=idata, n_lines=0,
                         rng=np.random.default_rng())
    with pytest.raises(ValueError, match="'sigma'"):
        plots.gene_lines(sim.data, alpha, beta, idata=idata, var_names=("alpha", "sigma"),
                         rng=np.random.default_rng())


def test_pooling_plot_draws_one_row_per_panel(estimates, tmp_path):
    assert _saves(plots.pooling_plot(estimates, panel="data"), tmp_path / "panels.png")
    one = estimates[estimates["data"] == "4 cell lines"].drop(columns="data")
    assert _saves(plots.pooling_plot(one), tmp_path / "one.png")
    # Without the pooled lines, the per-gene estimates still draw.
    per_gene = one[~one["method"].isin(["complete pooling", "population mean"])]
    assert _saves(plots.pooling_plot(per_gene), tmp_path / "per_gene.png")


def test_pooling_plot_rejects_bad_arguments(estimates):
    with pytest.raises(ValueError, match="estimates lacks"):
        plots.pooling_plot(estimates.drop(columns="value"))
    with pytest.raises(ValueError, match="panel"):
        plots.pooling_plot(estimates, panel="dataset")
    with pytest.raises(ValueError, match="unknown methods"):
        plots.pooling_plot(estimates.replace({"method": {"truth": "oracle"}}))
    with pytest.raises(ValueError, match="partial pooling"):
        plots.pooling_plot(estimates[estimates["method"] != "partial pooling"], panel="data")
