"""Exact K-fold cross-validation (depmap_models.crossval) against a conjugate model."""

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import stats

from depmap_models import crossval, sampling

PRIOR_SD = 3.0
NOISE_SD = 1.0


def normal_mean(data: pd.DataFrame) -> pm.Model:
    """y ~ N(mu, 1), mu ~ N(0, 3): the posterior predictive is known in closed form."""
    with pm.Model(coords={"obs": list(range(len(data)))}) as model:
        mu = pm.Normal("mu", 0.0, PRIOR_SD)
        pm.Normal("logfc", mu, NOISE_SD, observed=data["logfc"].to_numpy(), dims="obs")
    return model


def exact_elpd_i(y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """log p(y_i | y without i's fold) for the conjugate normal model."""
    out = np.empty(len(y))
    for fold in np.unique(folds):
        train = y[folds != fold]
        precision = 1 / PRIOR_SD**2 + len(train) / NOISE_SD**2
        mean = train.sum() / NOISE_SD**2 / precision
        test = folds == fold
        out[test] = stats.norm.logpdf(y[test], mean, np.sqrt(NOISE_SD**2 + 1 / precision))
    return out


@pytest.fixture(scope="module")
def fitted():
    # Batch "d" sits 3 units above the others: leaving it out moves the posterior.
    shift = np.repeat([0.0, 0.0, 0.0, 3.0], 6)
    y = np.random.default_rng(5).normal(1.0, NOISE_SD, size=24) + shift
    data = pd.DataFrame({"logfc": y, "batch": np.repeat(["a", "b", "c", "d"], 6)})
    model = normal_mean(data)
    idata = sampling.sample(model, random_seed=1, draws=1000, tune=500, progressbar=False)
    pm.compute_log_likelihood(idata, model=model, progressbar=False)
    return data, idata


def test_kfold_matches_the_exact_predictive_density(fitted):
    data, idata = fitted
    result = crossval.kfold(normal_mean, data, idata, random_seed=3, k=4, group_by="batch",
                            draws=1000, tune=500, progressbar=False)
    assert result.kind == "loo_kfold"
    assert result.n_folds == 4
    folds = pd.Categorical(data["batch"]).codes
    exact = exact_elpd_i(data["logfc"].to_numpy(), folds)
    # 4000 draws of a one-parameter posterior: the Monte Carlo error of each log density is
    # far below 0.05; a model fitted to all the data (no refit) would miss by much more.
    np.testing.assert_allclose(result.elpd_i.values, exact, atol=0.05)
    assert result.elpd == pytest.approx(exact.sum(), abs=0.3)
    # Scoring with the full fit's posterior instead (no refit) would be off by far more.
    y = data["logfc"].to_numpy()
    precision = 1 / PRIOR_SD**2 + len(y) / NOISE_SD**2
    in_sample = stats.norm.logpdf(y, y.sum() / precision, np.sqrt(NOISE_SD**2 + 1 / precision))
    assert exact.sum() < in_sample.sum() - 5


def test_fold_seeds_differ_and_repeat():
    seeds = [crossval.fold_seed(7, fold) for fold in range(5)]
    assert len(set(seeds)) == 5
    assert seeds == [crossval.fold_seed(7, fold) for fold in range(5)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 1}, "k must be"),
        ({"k": 100}, "k must be"),
        ({"k": True}, "k must be"),
        ({"group_by": "plate"}, "group_by must be a column"),
        ({"stratify_by": [0, 1]}, "stratify_by must be a column of data or one label per row"),
        ({"folds": np.zeros(24)}, "folds must hold one integer fold per row"),
        ({"group_by": "batch", "folds": np.arange(24) % 4}, "at most one of"),
        ({"row_data": dict}, "compiled and row_data must be given together"),
        ({"compiled": object(), "row_data": dict}, "compiled must come from"),
        ({"log_likelihood": 3}, "log_likelihood must be callable"),
    ],
)
def test_bad_arguments_are_named(fitted, kwargs, message):
    data, idata = fitted
    with pytest.raises(ValueError, match=message):
        crossval.kfold(normal_mean, data, idata, random_seed=1, **kwargs)


def test_data_must_match_the_fit(fitted):
    data, idata = fitted
    with pytest.raises(ValueError, match="data has 23 rows"):
        crossval.kfold(normal_mean, data.iloc[:-1], idata, random_seed=1)
    with pytest.raises(ValueError, match="data must be a pandas DataFrame"):
        crossval.kfold(normal_mean, data["logfc"], idata, random_seed=1)


def test_a_fit_without_log_likelihood_is_refused(fitted):
    data, idata = fitted
    bare = idata.copy()
    del bare["log_likelihood"]
    with pytest.raises(ValueError, match="log_likelihood group"):
        crossval.kfold(normal_mean, data, bare, random_seed=1)


def normal_mean_data(data: pd.DataFrame) -> pm.Model:
    """normal_mean with the observations in a data container, to be compiled once."""
    with pm.Model() as model:
        y = pm.Data("y", data["logfc"].to_numpy())
        mu = pm.Normal("mu", 0.0, PRIOR_SD)
        pm.Normal("logfc", mu, NOISE_SD, observed=y, shape=y.shape)
    return model


def closed_form_log_lik(idata, frame):
    """The left-out rows' log density under each draw of mu, written out by hand."""
    mu = idata["posterior"]["mu"].values[..., None]
    y = frame["logfc"].to_numpy()
    return xr.DataArray(stats.norm.logpdf(y, mu, NOISE_SD), dims=("chain", "draw", "obs"))


def test_compiled_refits_and_custom_scores_match_the_closed_form(fitted):
    data, idata = fitted
    folds = np.arange(len(data)) % 3 + 1
    exact = exact_elpd_i(data["logfc"].to_numpy(), folds)
    compiled = sampling.compile_model(normal_mean_data(data))
    by_data = crossval.kfold(normal_mean_data, data, idata, random_seed=3, folds=folds,
                             compiled=compiled, row_data=lambda f: {"y": f["logfc"].to_numpy()},
                             draws=1000, tune=500, progressbar=False)
    by_hand = crossval.kfold(normal_mean, data, idata, random_seed=3, folds=folds,
                             log_likelihood=closed_form_log_lik, draws=1000, tune=500,
                             progressbar=False)
    for result in (by_data, by_hand):
        assert result.n_folds == 3
        np.testing.assert_allclose(result.elpd_i.values, exact, atol=0.05)
    # The compiled model was sampled on each fold's 16 training rows, not on all 24.
    means = [float(fit["fit"]["posterior"]["mu"].mean())
             for _, fit in sorted(by_data.fold_fits.items())]
    y = data["logfc"].to_numpy()
    expected = [y[folds != f].sum() / (1 / PRIOR_SD**2 + (folds != f).sum()) for f in (1, 2, 3)]
    np.testing.assert_allclose(means, expected, atol=0.05)
    conv = crossval.fold_convergence(by_data, ["mu"])
    assert len(conv) == 3
    for c in conv:
        c.check()


def test_stratified_folds_deal_every_level_to_every_fold(fitted):
    data, idata = fitted
    result = crossval.kfold(normal_mean, data, idata, random_seed=2, k=3, stratify_by="batch",
                            draws=300, tune=300, progressbar=False)
    for fit in result.fold_fits.values():
        test_batches = data["batch"].iloc[fit["test_indices"]]
        assert test_batches.value_counts().to_dict() == {b: 2 for b in "abcd"}


def test_fold_convergence_needs_the_fits(fitted):
    data, idata = fitted
    result = crossval.kfold(normal_mean, data, idata, random_seed=2, k=2, save_fits=False,
                            draws=200, tune=200, progressbar=False)
    with pytest.raises(ValueError, match="save_fits=True"):
        crossval.fold_convergence(result, ["mu"])
