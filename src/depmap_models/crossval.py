"""Exact K-fold cross-validation for the book's model builders.

PSIS-LOO (``az.loo``) approximates leave-one-out from one fit. When a data point informs a
parameter almost alone (a guide's or a gene × mutation's own effect, a cell line's own noise
level), leaving it out moves the posterior too far for importance sampling, and its Pareto k
exceeds 0.7: the estimate is then unreliable. Exact K-fold refits the model K times, each time
without one fold, and scores the left-out points under the refitted posterior
(Vehtari et al. 2017, section 4). :func:`kfold` does so with ArviZ's ``loo_kfold``, so the
result is an ``ELPDData`` that ``az.compare`` ranks like any other.

A builder of this book takes a tidy data frame whose grouping columns are categorical
(:mod:`depmap_models.design`), so a model built on a fold's training rows keeps every
coordinate of the full model: the refitted posterior has the parameters of the full model, and
the full model scores the left-out rows under it.

Refitting can skip compilation: give :func:`kfold` the model compiled for the full fit
(:func:`depmap_models.sampling.compile_model` of a builder whose per-row arrays are data
containers, ``pm.Data``) and a ``row_data(frame)`` function returning those arrays, and each fold
swaps its training rows into the compiled model (nutpie's ``with_data``). A model whose
likelihood PyMC cannot evaluate point by point (a ``Potential``, a summed-out mixture) passes
its own ``log_likelihood(idata, frame)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from arviz_stats.loo import SamplingWrapper

from depmap_models import diagnostics, sampling

__all__ = ["BuilderWrapper", "fold_convergence", "fold_seed", "kfold"]


def fold_seed(random_seed: int, fold: int) -> int:
    """Return the sampler seed of one fold: distinct per fold, fixed by ``random_seed``.

    Parameters
    ----------
    random_seed : int
        The chapter's seed for the cross-validation (it passes through
        :func:`depmap_models.sampling.sampler_seed` when the fold is sampled).
    fold : int
        The fold's number, from 0.

    Returns
    -------
    int
    """
    return int(np.random.SeedSequence([int(random_seed), int(fold)]).generate_state(1)[0])


class BuilderWrapper(SamplingWrapper):
    """ArviZ's ``SamplingWrapper`` around a model builder of the book.

    Parameters
    ----------
    builder : callable
        ``builder(data) -> pymc.Model`` for a tidy data frame ``data``.
    data : pandas.DataFrame
        The rows the full model was fitted to, one per observation, in the order of the
        model's ``obs`` dimension.
    idata : xarray.DataTree
        The full fit, with a ``log_likelihood`` group.
    random_seed : int
        Seed of the refits; fold ``i`` samples with :func:`fold_seed` ``(random_seed, i)``.
    var_name : str
        The observed variable.
    compiled : depmap_models.sampling.Compiled, optional
        The full model compiled once; with ``row_data``, each fold samples it on its
        training rows instead of compiling ``builder(train)``.
    row_data : callable, optional
        ``row_data(frame) -> dict`` of the arrays the compiled model's data containers hold,
        for the rows of ``frame``. Required with ``compiled``.
    log_likelihood : callable, optional
        ``log_likelihood(idata, frame) -> DataArray (chain, draw, obs)``: the log density of
        each row of ``frame`` under each draw of a fold's fit. Default: PyMC's
        ``compute_log_likelihood`` with the full model.
    **sample_kwargs
        Passed to :func:`depmap_models.sampling.sample` (``draws``, ``tune``,
        ``target_accept``, nutpie options...).
    """

    def __init__(self, builder: Callable[[pd.DataFrame], pm.Model], data: pd.DataFrame, idata,
                 *, random_seed: int, var_name: str = "logfc", compiled=None,
                 row_data: Callable[[pd.DataFrame], dict] | None = None,
                 log_likelihood: Callable | None = None, **sample_kwargs):
        super().__init__(model=None, idata_orig=idata)
        if (compiled is None) != (row_data is None):
            raise ValueError("compiled and row_data must be given together: row_data(frame) "
                             "fills the compiled model's data containers")
        if compiled is not None and not hasattr(compiled, "nutpie_model"):
            raise ValueError("compiled must come from depmap_models.sampling.compile_model, got "
                             f"{type(compiled).__name__}")
        for name, function in (("builder", builder), ("row_data", row_data),
                               ("log_likelihood", log_likelihood)):
            if function is not None and not callable(function):
                raise ValueError(f"{name} must be callable, got {type(function).__name__}")
        self.builder = builder
        self.data = data.reset_index(drop=True)
        self.random_seed = random_seed
        self.var_name = var_name
        self.compiled = compiled
        self.row_data = row_data
        self.log_likelihood = log_likelihood
        self.sample_kwargs = sample_kwargs
        self.full_model = builder(self.data) if log_likelihood is None else None
        self._fold = 0

    def sel_observations(self, idx):
        """Training rows (all but ``idx``) and test positions (``idx``).

        Parameters
        ----------
        idx : array-like of int
            Positions of the left-out observations.

        Returns
        -------
        tuple of (pandas.DataFrame, numpy.ndarray)
        """
        idx = np.asarray(idx, dtype=int)
        keep = np.ones(len(self.data), dtype=bool)
        keep[idx] = False
        return self.data[keep].reset_index(drop=True), idx

    def sample(self, modified_observed_data):
        """Fit the model to the training rows.

        Parameters
        ----------
        modified_observed_data : pandas.DataFrame
            The training rows.

        Returns
        -------
        xarray.DataTree
        """
        seed = fold_seed(self.random_seed, self._fold)
        if self.compiled is not None:
            fold_model = self.compiled.nutpie_model.with_data(
                **self.row_data(modified_observed_data))
            model = sampling.Compiled(self.compiled.model, fold_model, 0.0)
        else:
            try:
                model = self.builder(modified_observed_data)
            except ValueError as error:
                raise ValueError(
                    f"fold {self._fold + 1}: the builder cannot fit the training rows ({error}); "
                    "every group the model has a parameter for must keep some rows in each fold"
                ) from error
        self._fold += 1
        return sampling.sample(model, random_seed=seed, **self.sample_kwargs)

    def get_inference_data(self, fitted_model):
        """Return the fit itself (:func:`sample` already returns a DataTree).

        Parameters
        ----------
        fitted_model : xarray.DataTree

        Returns
        -------
        xarray.DataTree
        """
        return fitted_model

    def log_likelihood__i(self, excluded_obs, idata__i):
        """Log-likelihood of the left-out rows under a fold's posterior.

        Parameters
        ----------
        excluded_obs : numpy.ndarray
            Positions of the left-out rows.
        idata__i : xarray.DataTree
            The fold's fit.

        Returns
        -------
        xarray.DataArray
            Dims ``chain, draw, obs``, one entry per left-out row, in the order given.
        """
        if self.log_likelihood is not None:
            log_lik = self.log_likelihood(idata__i, self.data.iloc[excluded_obs])
            obs_dim = [d for d in log_lik.dims if d not in ("chain", "draw")]
            if len(obs_dim) != 1 or log_lik.sizes[obs_dim[0]] != len(excluded_obs):
                raise ValueError("log_likelihood must return (chain, draw, obs) with one entry "
                                 f"per row of frame, got dims {dict(log_lik.sizes)}")
            return log_lik.transpose("chain", "draw", obs_dim[0])
        log_lik = pm.compute_log_likelihood(
            idata__i, var_names=[self.var_name], model=self.full_model,
            extend_inferencedata=False, progressbar=False,
        )[self.var_name]
        obs_dim = [d for d in log_lik.dims if d not in ("chain", "draw")]
        if len(obs_dim) != 1:
            raise ValueError(f"{self.var_name} must have one observation dimension, got {obs_dim}")
        return log_lik.isel({obs_dim[0]: excluded_obs}).transpose("chain", "draw", obs_dim[0])


def _row_labels(name: str, value, data: pd.DataFrame) -> xr.DataArray | None:
    """Return a column name or one label per row of ``data`` as ``loo_kfold``'s DataArray."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in data:
            raise ValueError(f"{name} must be a column of data or one label per row, "
                             f"got {value!r}")
        return xr.DataArray(pd.Categorical(data[value]).codes, dims=["__obs"])
    labels = np.asarray(value)
    if labels.ndim != 1 or len(labels) != len(data):
        raise ValueError(f"{name} must be a column of data or one label per row "
                         f"({len(data)}), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        labels = pd.Categorical(labels).codes
    return xr.DataArray(labels, dims=["__obs"])


def kfold(builder: Callable[[pd.DataFrame], pm.Model], data: pd.DataFrame, idata, *,
          random_seed: int, k: int = 5, group_by=None, stratify_by=None, folds=None,
          var_name: str = "logfc", compiled=None,
          row_data: Callable[[pd.DataFrame], dict] | None = None,
          log_likelihood: Callable | None = None, save_fits: bool = True, **sample_kwargs):
    """Exact K-fold cross-validation of a model builder: ``az.loo_kfold`` with refits.

    Parameters
    ----------
    builder : callable
        ``builder(data) -> pymc.Model``, for example
        :func:`depmap_models.models.genes_and_cell_lines_identified` or a
        ``functools.partial`` of :func:`depmap_models.screen.realistic_model`.
    data : pandas.DataFrame
        The rows of the full fit, in the order of its observations.
    idata : xarray.DataTree
        The full fit, with a ``log_likelihood`` group for ``var_name``
        (``pm.compute_log_likelihood(idata, model=model)`` after sampling).
    random_seed : int
        Seed of the fold assignment and of the refits.
    k : int
        Number of folds, at least 2.
    group_by : str or array-like, optional
        A column of ``data`` (or one label per row) whose levels stay together in one fold
        (for example ``"cell_line"`` to ask how well a model predicts a new cell line).
    stratify_by : str or array-like, optional
        A column (or one label per row) whose levels are dealt to the folds in turn, so that
        every fold holds its share of each level.
    folds : array-like of int, optional
        Each row's fold, chosen by the caller. At most one of ``group_by``, ``stratify_by``
        and ``folds``; with none, rows are assigned to folds at random.
    var_name : str
        The observed variable.
    compiled, row_data : optional
        Refit without compiling again: see :class:`BuilderWrapper`.
    log_likelihood : callable, optional
        A scorer of left-out rows for models PyMC cannot score: see :class:`BuilderWrapper`.
    save_fits : bool
        Keep each fold's fit in the result's ``fold_fits`` (for :func:`fold_convergence`).
    **sample_kwargs
        Passed to :func:`depmap_models.sampling.sample` for every refit.

    Returns
    -------
    arviz_stats ELPDData
        Kind ``"loo_kfold"``, with pointwise ``elpd_i``; ``az.compare`` accepts it.

    Raises
    ------
    ValueError
        If ``data`` does not match the fit's observations, ``k`` is not an integer in
        ``[2, n]``, a fold option is not a column or a label per row, more than one fold
        option is given, or a fold leaves a group without rows.
    """
    import arviz as az

    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 2 <= k <= len(data):
        raise ValueError(f"k must be an integer between 2 and the number of rows, got {k!r}")
    if "log_likelihood" not in idata.children or var_name not in idata["log_likelihood"]:
        raise ValueError(
            f"idata needs a log_likelihood group with {var_name!r}: call "
            "pm.compute_log_likelihood(idata, model=model) after sampling"
        )
    n_obs = int(np.prod([s for d, s in idata["log_likelihood"][var_name].sizes.items()
                         if d not in ("chain", "draw")]))
    if n_obs != len(data):
        raise ValueError(f"data has {len(data)} rows but the fit has {n_obs} observations")
    given = [name for name, value in (("group_by", group_by), ("stratify_by", stratify_by),
                                      ("folds", folds)) if value is not None]
    if len(given) > 1:
        raise ValueError(f"give at most one of group_by, stratify_by and folds, got {given}")
    options = {"group_by": _row_labels("group_by", group_by, data),
               "stratify_by": _row_labels("stratify_by", stratify_by, data)}
    if folds is not None:
        folds = np.asarray(folds)
        if folds.shape != (len(data),) or not np.issubdtype(folds.dtype, np.integer):
            raise ValueError(f"folds must hold one integer fold per row ({len(data)}), "
                             f"got shape {folds.shape} and dtype {folds.dtype}")
        k = len(np.unique(folds))
        options["folds"] = folds
    wrapper = BuilderWrapper(builder, data, idata, random_seed=random_seed, var_name=var_name,
                             compiled=compiled, row_data=row_data,
                             log_likelihood=log_likelihood, **sample_kwargs)
    # The folds are part of the analysis: they move with DEPMAP_SAMPLER_SEED, as draws do.
    return az.loo_kfold(idata, wrapper, pointwise=True, var_name=var_name, k=int(k),
                        save_fits=save_fits, seed=sampling.sampler_seed(random_seed),
                        **{name: value for name, value in options.items() if value is not None})


def fold_convergence(result, var_names) -> list:
    """Each refit of a K-fold result measured against the book's convergence standard.

    Parameters
    ----------
    result : arviz_stats ELPDData
        A :func:`kfold` result made with ``save_fits=True``.
    var_names : sequence of str
        The variables to check, usually the model's free random variables.

    Returns
    -------
    list of depmap_models.diagnostics.Convergence
        One per fold, in fold order; call ``check()`` on each.

    Raises
    ------
    ValueError
        If ``result`` holds no fold fits.
    """
    fits = getattr(result, "fold_fits", None)
    if not fits:
        raise ValueError("result holds no fold fits: run kfold with save_fits=True")
    return [diagnostics.convergence(fits[fold]["fit"], var_names=list(var_names))
            for fold in sorted(fits)]
