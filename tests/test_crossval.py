"""Exact K-fold cross-validation (depmap_models.crossval) against a conjugate model."""

import numpy as np
import pandas as pd
import pymc as pm
import pytest
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
