"""Simulation-based calibration (SBC): is a model's posterior calibrated.

Talts et al. (2018): draw parameters from the prior and data from the likelihood given
them, fit the model to each simulated data set, and count, for every scalar parameter,
how many posterior draws fall below the value that generated the data (its *rank*).
If the sampler draws from the exact posterior of the model that simulated the data,
every rank is uniform on ``0, 1, ..., L`` (``L`` posterior draws kept per fit). A
sampler that is biased, too narrow or too wide, or a model fitted with another prior
than the data came from, bends the ranks away from uniform.

The module holds the loop and its statistics:

- :func:`data_swappable` rebuilds a model with its observed values in a ``pm.Data``
  container, so that nutpie compiles it once and samples it with new data
  (``CompiledPyMCModel.with_data``); the builders of :mod:`depmap_models.models` and
  :mod:`depmap_models.screen` take the observed values as constants;
- :func:`prior_draws` simulates the data sets (their seed is fixed: they are the page's
  simulated data and do not move with ``DEPMAP_SAMPLER_SEED``);
- :func:`ranks` fits every data set through :func:`depmap_models.sampling.sample` and
  returns the tidy table of ranks and one row of sampler diagnostics per fit;
- :func:`uniformity` tests each parameter's ranks with a chi-square test, Bonferroni
  corrected over the parameters;
- :func:`ecdf_difference` and :func:`plot_ecdf_difference` draw the ranks' empirical CDF
  minus the uniform CDF with a simultaneous confidence band (Säilynoja et al. 2022).
  ArviZ 1.3's ``plot_ecdf_pit`` draws such a band only with its ``method="envelope"``,
  which is deprecated and raises a ``TypeError`` in arviz-plots 1.3.2; its default
  (``"pot_c"``) marks suspicious points without a band. So the band is computed here and
  drawn with plotnine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotnine as gg
import pymc as pm
import pytensor
from scipy import stats

from depmap_models import sampling

__all__ = [
    "SBCResult",
    "data_swappable",
    "ecdf_difference",
    "plot_ecdf_difference",
    "prior_draws",
    "rank_of",
    "ranks",
    "thin",
    "uniformity",
]

#: The seed of the simulated uniform ranks behind the simultaneous band (a property of the
#: uniform distribution, not of any analysis: fixed).
BAND_SEED = 20220322


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _seed(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def data_swappable(model: pm.Model, observed_name: str = "logfc", data_name: str | None = None):
    """Rebuild ``model`` with the observed values of ``observed_name`` in a ``pm.Data`` container.

    Parameters
    ----------
    model : pymc.Model
        A model whose observed random variable ``observed_name`` holds constant values
        (as every builder of the book writes it).
    observed_name : str
        Name of the observed random variable.
    data_name : str, optional
        Name of the new data container; default ``f"{observed_name}_obs"``. nutpie's
        ``with_data(**{data_name: values})`` then swaps the data of a compiled model.

    Returns
    -------
    pymc.Model
        A new model (``model`` is left as it was), with the same random variables, dims
        and observed values.

    Raises
    ------
    ValueError
        If ``model`` is not a model, or ``observed_name`` is not one of its observed
        random variables.
    """
    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    observed = {rv.name: rv for rv in model.observed_RVs}
    if observed_name not in observed:
        raise ValueError(
            f"observed_name must name an observed variable of the model {sorted(observed)}, "
            f"got {observed_name!r}"
        )
    data_name = data_name or f"{observed_name}_obs"
    values = model.rvs_to_values[observed[observed_name]]
    values = values.data if hasattr(values, "data") else values.eval()
    dims = model.named_vars_to_dims.get(observed_name)
    # A shared variable observed in a copy of the model, then registered there as its data
    # (what pm.Data does): ``model`` itself is left as it was.
    container = pytensor.shared(np.asarray(values), name=data_name)
    swappable = pm.observe(model, {observed_name: container})
    swappable.register_data_var(container, dims=dims)
    return swappable


def prior_draws(model: pm.Model, *, draws: int, data_seed: int):
    """Parameters from the prior and data from the likelihood: the simulated data sets.

    Parameters
    ----------
    model : pymc.Model
    draws : int
        Number of data sets.
    data_seed : int
        Seed of the draws. It is used as given, not through
        :func:`depmap_models.sampling.sampler_seed`: the simulated data sets stay the same
        under every sampler seed, as every chapter's simulated data do.

    Returns
    -------
    xarray.DataTree
        ``prior`` (the parameters) and ``prior_predictive`` (the data), ``draws`` of each,
        with one chain.

    Raises
    ------
    ValueError
        If ``draws`` is not a positive integer or ``data_seed`` not a non-negative one.
    """
    draws = _positive_int("draws", draws)
    data_seed = _seed("data_seed", data_seed)
    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    # The forward graph is small: compiling it fast matters more than running it fast.
    return pm.sample_prior_predictive(
        draws=draws, model=model, random_seed=data_seed,
        compile_kwargs={"mode": "FAST_COMPILE"},
    )


def thin(values: np.ndarray, thin_to: int) -> np.ndarray:
    """``thin_to`` draws evenly spaced along the first axis of ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        Draws along the first axis (chains stacked one after another).
    thin_to : int
        How many to keep; at most ``len(values)``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``thin_to`` is not a positive integer or exceeds the number of draws.
    """
    values = np.asarray(values)
    thin_to = _positive_int("thin_to", thin_to)
    if thin_to > len(values):
        raise ValueError(
            f"thin_to must be at most the number of draws {len(values)}, got {thin_to}"
        )
    keep = np.round(np.linspace(0, len(values) - 1, thin_to)).astype(int)
    return values[keep]


def rank_of(draws: np.ndarray, truth) -> np.ndarray:
    """Rank ``truth`` among ``draws``: count the draws strictly below it.

    Parameters
    ----------
    draws : numpy.ndarray
        ``L`` posterior draws along the first axis; the other axes are parameters.
    truth : float or numpy.ndarray
        The values that generated the data, shaped as one draw.

    Returns
    -------
    numpy.ndarray of int
        Ranks in ``0, ..., L``, shaped as ``truth``.

    Raises
    ------
    ValueError
        If ``draws`` is empty or ``truth`` is not shaped as one draw.
    """
    draws = np.asarray(draws, dtype=float)
    truth = np.asarray(truth, dtype=float)
    if draws.ndim == 0 or len(draws) == 0:
        raise ValueError("draws must hold at least one draw along its first axis")
    if truth.shape != draws.shape[1:]:
        raise ValueError(f"truth must be shaped as one draw {draws.shape[1:]}, got {truth.shape}")
    return (draws < truth).sum(axis=0)


class SBCResult(NamedTuple):
    """What :func:`ranks` returns.

    Attributes
    ----------
    ranks : pandas.DataFrame
        One row per data set and scalar parameter: ``dataset``, ``variable``,
        ``parameter`` (the variable with its coordinate, ``alpha_s[sgRNA_0]``), ``rank``.
    fits : pandas.DataFrame
        One row per data set: ``divergences``, ``max_rhat`` (the classic split R-hat,
        which is ten times cheaper than the rank-normalized one of the book's standard),
        ``min_ess_bulk`` (rank-normalized bulk ESS), both over the parameters ranked and
        all draws before thinning, and ``seconds`` (the call to the sampler).
    n_ranks : int
        ``L + 1``: the number of possible ranks.
    """

    ranks: pd.DataFrame
    fits: pd.DataFrame
    n_ranks: int


def _labels(name: str, values) -> list[str]:
    dims = [d for d in values.dims if d not in ("chain", "draw")]
    if not dims:
        return [name]
    index = pd.MultiIndex.from_product([list(values[d].values) for d in dims])
    return [f"{name}[{','.join(str(v) for v in key)}]" for key in index]


def ranks(
    compiled: sampling.Compiled,
    prior,
    observed_name: str,
    var_names: Sequence[str],
    *,
    draws: int,
    tune: int,
    thin_to: int,
    random_seed: int,
    data_name: str | None = None,
    **sample_kwargs,
) -> SBCResult:
    """Fit every simulated data set with one compiled model; rank the truth in each posterior.

    Parameters
    ----------
    compiled : depmap_models.sampling.Compiled
        The model compiled once (:func:`depmap_models.sampling.compile_model` of a model
        made by :func:`data_swappable`).
    prior : xarray.DataTree
        The simulated data sets (:func:`prior_draws`, or a selection of its draws):
        ``prior`` holds the true parameters, ``prior_predictive`` the data.
    observed_name : str
        The observed variable, in ``prior_predictive``.
    var_names : sequence of str
        Variables to rank (free or deterministic, in both ``prior`` and the posterior);
        every scalar element is one parameter.
    draws, tune : int
        Draws kept and tuning steps, per chain (four chains,
        :data:`depmap_models.sampling.CHAINS`).
    thin_to : int
        ``L``: the draws of each fit (all chains) are thinned to ``L`` evenly spaced
        draws, roughly independent when ``L`` is below the effective sample size.
    random_seed : int
        Seed of the first fit; fit ``i`` uses a seed derived from ``(random_seed, i)``,
        each passed through :func:`depmap_models.sampling.sampler_seed`.
    data_name : str, optional
        The data container of the observed values; default ``f"{observed_name}_obs"``.
    **sample_kwargs
        Passed on to :func:`depmap_models.sampling.sample` (``target_accept``, ...).

    Returns
    -------
    SBCResult

    Raises
    ------
    ValueError
        If ``compiled`` is not a :class:`~depmap_models.sampling.Compiled`, a name is not
        in the simulated data, ``var_names`` is empty, or ``thin_to`` exceeds the draws
        of a fit.
    """
    from arviz_stats.base import array_stats

    if not isinstance(compiled, sampling.Compiled):
        raise ValueError(f"compiled must be a sampling.Compiled, got {type(compiled).__name__}")
    draws = _positive_int("draws", draws)
    thin_to = _positive_int("thin_to", thin_to)
    seed = _seed("random_seed", random_seed)
    chains = sample_kwargs.pop("chains", sampling.CHAINS)
    if thin_to > draws * chains:
        raise ValueError(
            f"thin_to must be at most draws * chains = {draws * chains}, got {thin_to}"
        )
    var_names = list(var_names) if not isinstance(var_names, str) else [var_names]
    if not var_names:
        raise ValueError("var_names must name at least one variable")
    if observed_name not in prior["prior_predictive"]:
        raise ValueError(f"observed_name {observed_name!r} is not in prior['prior_predictive']")
    missing = [name for name in var_names if name not in prior["prior"]]
    if missing:
        raise ValueError(f"var_names names variables not in prior['prior']: {missing}")
    data_name = data_name or f"{observed_name}_obs"
    observed = prior["prior_predictive"][observed_name].stack(sample=("chain", "draw"))
    truths = prior["prior"].to_dataset()[var_names].stack(sample=("chain", "draw"))
    n_datasets = observed.sizes["sample"]
    seeds = np.random.SeedSequence(seed).generate_state(n_datasets) >> 1

    rows, fits = [], []
    for i in range(n_datasets):
        y = observed.isel(sample=i).values
        model_i = compiled.nutpie_model.with_data(**{data_name: y})
        fit = sampling.Compiled(compiled.model, model_i, compiled.compile_s)
        start = time.perf_counter()
        idata = sampling.sample(
            fit, random_seed=int(seeds[i]), draws=draws, tune=tune, chains=chains,
            progressbar=False, **sample_kwargs,
        )
        seconds = time.perf_counter() - start
        posterior = idata["posterior"]
        stacked, labels, ranks_i = [], [], []
        for name in var_names:
            values = posterior[name]
            extra = [d for d in values.dims if d not in ("chain", "draw")]
            values = values.transpose("chain", "draw", *extra)
            array = values.values.reshape(values.sizes["chain"], values.sizes["draw"], -1)
            stacked.append(array)
            truth = truths[name].isel(sample=i).values.reshape(-1)
            kept = thin(array.reshape(-1, array.shape[-1]), thin_to)
            ranks_i.append(rank_of(kept, truth))
            for label in _labels(name, values):
                labels.append((name, label))
        ranks_i = np.concatenate(ranks_i)
        rows.extend(
            (i, name, label, int(r)) for (name, label), r in zip(labels, ranks_i, strict=True)
        )
        everything = np.concatenate(stacked, axis=-1)
        ess = array_stats.ess(everything, chain_axis=0, draw_axis=1, method="bulk")
        rhat = array_stats.rhat(everything, chain_axis=0, draw_axis=1, method="split")
        fits.append(
            {
                "dataset": i,
                "divergences": int(idata["sample_stats"]["diverging"].sum()),
                "max_rhat": float(np.nanmax(rhat)),
                "min_ess_bulk": float(np.nanmin(ess)),
                "seconds": seconds,
            }
        )
    table = pd.DataFrame(rows, columns=["dataset", "variable", "parameter", "rank"])
    table["variable"] = pd.Categorical(table["variable"], categories=var_names)
    table["parameter"] = pd.Categorical(
        table["parameter"], categories=list(dict.fromkeys(table["parameter"]))
    )
    return SBCResult(table, pd.DataFrame(fits).set_index("dataset"), thin_to + 1)


def _check_ranks(table: pd.DataFrame, n_ranks: int) -> int:
    if not isinstance(table, pd.DataFrame) or not {"parameter", "rank"} <= set(table.columns):
        raise ValueError("ranks must be a DataFrame with columns 'parameter' and 'rank'")
    n_ranks = _positive_int("n_ranks", n_ranks)
    if n_ranks < 2:
        raise ValueError(f"n_ranks must be at least 2, got {n_ranks}")
    values = table["rank"].to_numpy()
    if len(values) == 0 or values.min() < 0 or values.max() >= n_ranks:
        raise ValueError(f"ranks must lie in 0..{n_ranks - 1} (n_ranks={n_ranks})")
    return n_ranks


def uniformity(ranks: pd.DataFrame, n_ranks: int, *, bins: int = 20) -> pd.DataFrame:
    """Chi-square test that each parameter's ranks are uniform, Bonferroni corrected.

    The ranks ``0..n_ranks-1`` of each parameter are counted in ``bins`` bins of
    ``n_ranks / bins`` consecutive ranks; under uniformity every bin expects
    ``N / bins`` of the ``N`` data sets, and Pearson's statistic is close to a
    chi-square with ``bins - 1`` degrees of freedom (keep ``N / bins`` at 5 or more).

    Parameters
    ----------
    ranks : pandas.DataFrame
        Columns ``parameter`` and ``rank`` (:attr:`SBCResult.ranks`).
    n_ranks : int
        ``L + 1`` (:attr:`SBCResult.n_ranks`).
    bins : int
        Number of bins; must divide ``n_ranks``.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``datasets``, ``statistic``, ``p_value`` and
        ``p_bonferroni`` (``p_value`` times the number of parameters, at most 1). Reject
        uniformity of the whole family at level ``alpha`` when the smallest
        ``p_bonferroni`` is below ``alpha``: the chance of that for a calibrated model is
        at most ``alpha``.

    Raises
    ------
    ValueError
        If a rank lies outside ``0..n_ranks-1``, or ``bins`` does not divide ``n_ranks``.
    """
    n_ranks = _check_ranks(ranks, n_ranks)
    bins = _positive_int("bins", bins)
    if bins < 2 or n_ranks % bins:
        raise ValueError(f"bins must be at least 2 and divide n_ranks={n_ranks}, got {bins}")
    width = n_ranks // bins
    rows = {}
    for parameter, group in ranks.groupby("parameter", observed=True, sort=False):
        counts = np.bincount(group["rank"].to_numpy() // width, minlength=bins)
        statistic, p_value = stats.chisquare(counts)
        rows[parameter] = {
            "datasets": len(group),
            "statistic": float(statistic),
            "p_value": float(p_value),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "parameter"
    table["p_bonferroni"] = np.minimum(1.0, table["p_value"] * len(table))
    return table


def _band(n: int, n_ranks: int, prob: float, n_simulations: int) -> tuple[np.ndarray, ...]:
    """Simultaneous band of the ECDF of ``n`` uniform ranks at ``z = 1..L / (L + 1)``."""
    z = np.arange(1, n_ranks) / n_ranks
    rng = np.random.default_rng(BAND_SEED)
    simulated = rng.integers(0, n_ranks, size=(n_simulations, n))
    counts = (simulated[:, :, None] < np.arange(1, n_ranks)).sum(axis=1)  # sims x z
    below = stats.binom.cdf(counts, n, z)
    above = stats.binom.sf(counts - 1, n, z)
    gamma = np.quantile(2 * np.minimum(below, above).min(axis=1), 1 - prob)
    lower = stats.binom.ppf(gamma / 2, n, z) / n
    upper = stats.binom.ppf(1 - gamma / 2, n, z) / n
    return z, lower - z, upper - z


def ecdf_difference(
    ranks: pd.DataFrame, n_ranks: int, *, prob: float = 0.99, n_simulations: int = 2000
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each parameter's rank ECDF minus the uniform CDF, and a simultaneous band.

    Parameters
    ----------
    ranks : pandas.DataFrame
        Columns ``parameter`` and ``rank`` (and ``variable``, kept if present); every
        parameter must have the same number of data sets.
    n_ranks : int
        ``L + 1``.
    prob : float
        Probability that the ECDF difference of ONE parameter with uniform ranks stays
        inside the band over its whole length (a simultaneous band, Säilynoja et al.
        2022, found by simulating uniform ranks with a fixed seed).
    n_simulations : int
        Simulated ECDFs behind the band.

    Returns
    -------
    curves : pandas.DataFrame
        ``parameter`` (and ``variable``), ``z`` (``1..L`` over ``L + 1``) and
        ``difference``: the share of ranks below ``z * (L + 1)`` minus ``z``.
    band : pandas.DataFrame
        ``z``, ``lower``, ``upper``: the band around zero.

    Raises
    ------
    ValueError
        If the ranks are out of range, ``prob`` is not in (0, 1), or the parameters have
        different numbers of data sets.
    """
    n_ranks = _check_ranks(ranks, n_ranks)
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    n_simulations = _positive_int("n_simulations", n_simulations)
    sizes = ranks.groupby("parameter", observed=True)["rank"].size().unique()
    if len(sizes) != 1:
        raise ValueError("ranks must hold the same number of data sets for every parameter")
    n = int(sizes[0])
    z = np.arange(1, n_ranks) / n_ranks
    frames = []
    keys = ["variable", "parameter"] if "variable" in ranks else ["parameter"]
    for key, group in ranks.groupby(keys, observed=True, sort=False):
        ecdf = (group["rank"].to_numpy()[:, None] < np.arange(1, n_ranks)).mean(axis=0)
        frame = pd.DataFrame({"z": z, "difference": ecdf - z})
        for name, value in zip(keys, key if isinstance(key, tuple) else (key,), strict=True):
            frame[name] = value
        frames.append(frame)
    curves = pd.concat(frames, ignore_index=True)
    for name in keys:
        curves[name] = pd.Categorical(curves[name], categories=list(ranks[name].unique()))
    band_z, lower, upper = _band(n, n_ranks, prob, n_simulations)
    return curves, pd.DataFrame({"z": band_z, "lower": lower, "upper": upper})


def plot_ecdf_difference(
    curves: pd.DataFrame, band: pd.DataFrame, *, title: str = "", ncol: int = 4,
    height: float = 4.0,
) -> gg.ggplot:
    """ECDF differences (one line per parameter, one panel per variable) over the band.

    Parameters
    ----------
    curves, band : pandas.DataFrame
        From :func:`ecdf_difference`.
    title : str
        Figure title.
    ncol : int
        Panels per row.
    height : float
        Figure height in inches.

    Returns
    -------
    plotnine.ggplot
    """
    facet = "variable" if "variable" in curves else "parameter"
    return (
        gg.ggplot(curves, gg.aes("z", "difference"))
        + gg.geom_ribbon(gg.aes(x="z", ymin="lower", ymax="upper"), data=band,
                         inherit_aes=False, fill="#cccccc", alpha=0.7)
        + gg.geom_hline(yintercept=0, color="#888888", linetype="dashed")
        + gg.geom_step(gg.aes(group="parameter"), color="#1f77b4", alpha=0.5, size=0.5)
        + gg.facet_wrap(facet, ncol=ncol)
        + gg.scale_x_continuous(breaks=[0, 0.5, 1])
        + gg.labs(x="normalised rank", y="ECDF - uniform CDF", title=title)
        + gg.theme(figure_size=(9, height))
    )
