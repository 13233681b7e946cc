"""Recovery tables, sampler health and identifiability checks.

Every function takes the ``xarray.DataTree`` that ``pm.sample`` returns in
PyMC 6 (an ``idata``) and returns plain pandas or Python objects, so that a
chapter can both show the result and assert on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr
from scipy import fft, special

from depmap_models import claims
from depmap_models._sharing import shared

__all__ = [
    "PriorPredictive",
    "prior_predictive_summary",
    "prior_tail_share",
    "MAX_RHAT",
    "MIN_CHAINS",
    "MIN_ESS",
    "Convergence",
    "GroupMeans",
    "SCREEN_RANGE",
    "bayesian_fdr_calls",
    "convergence",
    "coverage",
    "coverage_by_group",
    "draws",
    "fitted",
    "group_mean_correlation",
    "posterior_dataset",
    "recovery_table",
    "rank_diagnostics",
    "sampler_health",
    "TAIL_PROBS",
]

SAMPLE_DIMS = ("chain", "draw")

#: Where a pooled CRISPR knock-out screen's logFC lie, from a strong depletion (a common
#: essential gene) to a rare enrichment: the range the book's prior predictive checks hold
#: priors to. (Chapter 12's real screen: 98% of its guides lie within -5.5 and +1.3.)
SCREEN_RANGE = (-6.0, 3.0)


def posterior_dataset(idata) -> xr.Dataset:
    """Return the posterior of ``idata`` as a Dataset (a Dataset is taken to be the posterior).

    Parameters
    ----------
    idata : xarray.DataTree or xarray.Dataset

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    ValueError
        If ``idata`` has no posterior group.
    """
    if isinstance(idata, xr.Dataset):
        return idata
    try:
        return idata["posterior"].to_dataset()
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError("idata has no posterior group: pass the result of pm.sample") from err


def _sample_stats(idata) -> xr.Dataset:
    try:
        return idata["sample_stats"].to_dataset()
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError("idata has no sample_stats group: pass the result of pm.sample") from err


def _flat_labels(da: xr.DataArray) -> list[str]:
    """``name`` for a scalar, ``name[label, ...]`` for each element of a vector."""
    dims = [d for d in da.dims if d not in SAMPLE_DIMS]
    if not dims:
        return [str(da.name)]
    index = pd.MultiIndex.from_product([da[d].values for d in dims])
    return [f"{da.name}[{', '.join(map(str, key))}]" for key in index]


def recovery_table(
    idata,
    truth: Mapping[str, float | Sequence[float] | np.ndarray],
    var_names: Sequence[str] | None = None,
    *,
    prob: float = 0.89,
) -> pd.DataFrame:
    """Tabulate the posterior of each parameter beside its true value.

    ArviZ's ``az.summary`` (mean, sd, equal-tailed interval, bulk ESS, R-hat) with two
    columns added: the true value and whether the interval holds it.

    Parameters
    ----------
    idata:
        Result of ``pm.sample``.
    truth:
        True values keyed by variable name (for example ``Simulation.truth``);
        a vector must have one value per element of the variable, in the order
        of its coordinates.
    var_names:
        Variables to report; default: every key of ``truth`` that is in the posterior.
    prob:
        Mass of the equal-tailed credible interval.

    Returns
    -------
    DataFrame indexed by ``name[label]`` with columns ``mean``, ``sd``, the
    interval bounds ``eti89_lb``/``eti89_ub`` (named after ``prob``), ``truth``,
    ``inside`` (the truth lies in the interval) and ``ess_bulk``, ``r_hat``.
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    posterior = posterior_dataset(idata)
    if var_names is None:
        var_names = [name for name in truth if name in posterior]
    if not var_names:
        raise ValueError("var_names is empty: none of the truth's keys is in the posterior")
    tag = f"eti{round(prob * 100):d}"
    frames = []
    for name in var_names:
        if name not in posterior:
            raise ValueError(f"var_names names {name!r}, which is not in the posterior")
        if name not in truth:
            raise ValueError(f"truth has no value for {name!r}")
        rows = _flat_labels(posterior[name])
        true = np.ravel(np.asarray(truth[name], dtype=float))
        if true.size != len(rows):
            raise ValueError(
                f"truth[{name!r}] has {true.size} values but the posterior has {len(rows)}"
            )
        summary = az.summary(posterior[[name]], ci_kind="eti", ci_prob=prob, round_to="none")
        table = summary[["mean", "sd", f"{tag}_lb", f"{tag}_ub"]].astype(float)
        table.index = pd.Index(rows, name="parameter")
        frames.append(table.assign(
            truth=true,
            inside=(table[f"{tag}_lb"].to_numpy() <= true)
            & (true <= table[f"{tag}_ub"].to_numpy()),
            ess_bulk=summary["ess_bulk"].to_numpy(dtype=float),
            r_hat=summary["r_hat"].to_numpy(dtype=float),
        ))
    return pd.concat(frames)


def sampler_health(idata, var_names: Sequence[str] | None = None) -> pd.Series:
    """Sampler diagnostics in one row.

    ``divergences`` (count after tuning), ``treedepth_hits`` (draws whose tree
    reached the maximum depth), ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``
    (:func:`rank_diagnostics`: ArviZ's numbers, tail ESS at the 5% and 95% quantiles)
    over ``var_names`` (default: every posterior variable), and ``draws``
    (chains times draws). Works for PyMC's own NUTS and for nutpie, whose
    sample statistics are named differently. The draws of a fit that chapters share
    (:func:`depmap_models.sampling.fit` within one run of the book) are measured once,
    and the result shared.
    """
    posterior = posterior_dataset(idata)
    stats = _sample_stats(idata)
    if var_names is not None:
        missing = [name for name in var_names if name not in posterior]
        if missing:
            raise ValueError(f"var_names names variables not in the posterior: {missing}")
        posterior = posterior[list(var_names)]
    depth_name = next(
        (n for n in ("reached_max_treedepth", "maxdepth_reached") if n in stats), None
    )
    checked = {"diverging": stats["diverging"]}
    if depth_name:
        checked["depth"] = stats[depth_name]

    def measure() -> pd.Series:
        shape = (posterior.sizes["chain"], posterior.sizes["draw"], -1)
        table = pd.concat([
            rank_diagnostics(posterior[name].transpose("chain", "draw", ...).values.reshape(shape))
            for name in posterior.data_vars if posterior[name].size
        ])
        return pd.Series(
            {
                "divergences": int(checked["diverging"].sum()),
                "treedepth_hits": int(checked["depth"].sum()) if depth_name else 0,
                # A constant scalar has no R-hat (NaN); the extremes skip it, as ArviZ's do.
                "max_rhat": float(table["rhat"].max()),
                "min_ess_bulk": float(table["ess_bulk"].min()),
                "min_ess_tail": float(table["ess_tail"].min()),
                "draws": int(posterior.sizes["chain"] * posterior.sizes["draw"]),
            },
            name="sampler health",
        )

    # A fit that chapters share (sampling.fit) is measured once per run, by content.
    if "shared_fit" not in posterior.attrs:
        return measure()
    arrays = {**posterior.data_vars, **{f"sample_stats/{k}": v for k, v in checked.items()}}
    return shared(_content_hash(arrays), "health", measure)


#: The tail ESS quantiles of Vehtari et al. (2021), which the book's standard names.
TAIL_PROBS = (0.05, 0.95)


def rank_diagnostics(values, *, chunk: int = 1024) -> pd.DataFrame:
    """Rank-normalized split R-hat, bulk ESS and tail ESS of many scalars at once.

    The numbers are ArviZ's (``az.rhat``; ``az.ess`` with ``method="bulk"``, and with
    ``method="tail", prob=TAIL_PROBS``), from the same formulas (Vehtari et al. 2021):
    split chains, rank with average ties, normal scores with Blom's offset, Geyer's initial
    monotone sequence. ArviZ loops over the scalars in Python, one at a time, which takes
    43 s for the 26,000 values of the real screen's fit (chapter 13); this version ranks and
    transforms whole blocks of scalars with NumPy, and a test holds it to ArviZ's results.

    Parameters
    ----------
    values : array-like, shape (chain, draw, n)
        ``n`` scalars' draws; at least 4 draws. With one chain, R-hat is NaN, as in ArviZ.
    chunk : int, default 1024
        Scalars handled per block (memory grows with ``chunk * chain * draw``).

    Returns
    -------
    pandas.DataFrame
        One row per scalar: ``rhat``, ``ess_bulk`` and ``ess_tail``. A scalar with a
        missing draw gets NaN.

    Raises
    ------
    ValueError
        If ``values`` is not three-dimensional, has no chain or fewer than 4 draws, or
        ``chunk`` is not a positive integer.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 3:
        raise ValueError(f"values must have shape (chain, draw, n), got shape {values.shape}")
    n_chain, n_draw, n = values.shape
    if n_chain < 1 or n_draw < 4:
        raise ValueError(f"values needs at least 1 chain and 4 draws, got {n_chain} and {n_draw}")
    if not (isinstance(chunk, int) and chunk > 0):
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    out = np.empty((n, 3))
    for start in range(0, n, chunk):
        block = np.moveaxis(values[:, :, start:start + chunk], -1, 0)  # (m, chain, draw)
        out[start:start + chunk] = _rank_diagnostics_block(block)
    return pd.DataFrame(out, columns=["rhat", "ess_bulk", "ess_tail"])


def _rank_diagnostics_block(x: np.ndarray) -> np.ndarray:
    """R-hat, bulk ESS and tail ESS of ``x`` (scalar, chain, draw), as an (m, 3) array."""
    m, _, n_draw = x.shape
    split = _split(x)
    flat = split.reshape(m, -1)
    z, ordered = _normal_scores(flat)
    middle = flat.shape[1] // 2  # the split draws are always even in number
    median = (ordered[:, middle - 1] + ordered[:, middle]) / 2
    z_folded, _ = _normal_scores(np.abs(flat - median[:, None]))
    z, z_folded = z.reshape(split.shape), z_folded.reshape(split.shape)
    if x.shape[1] > 1:
        rhat = np.maximum(_split_rhat(z), _split_rhat(z_folded))
    else:  # one chain: no R-hat, as in ArviZ
        rhat = np.full(m, np.nan)
    ess_bulk = _geyer_ess(z)
    # The tail quantiles are of all draws; with an even number per chain the split keeps them all.
    flat_all = x.reshape(m, -1)
    sorted_all = ordered if n_draw % 2 == 0 else np.sort(flat_all, axis=1)
    ess_tail = np.minimum.reduce([
        _geyer_ess(_split(x <= np.quantile(sorted_all, prob, axis=1)[:, None, None]))
        for prob in TAIL_PROBS
    ])
    result = np.stack([rhat, ess_bulk, ess_tail], axis=1)
    result[np.isnan(flat_all).any(axis=1)] = np.nan
    return result


def _split(x: np.ndarray) -> np.ndarray:
    """Split each chain of (scalar, chain, draw) draws in two (an odd chain loses its middle)."""
    half = x.shape[2] // 2
    return np.concatenate([x[:, :, :half], x[:, :, x.shape[2] - half:]], axis=1).astype(float)


def _normal_scores(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score each row's average ranks as normal quantiles (Blom's offset 3/8); sort the rows."""
    m, size = flat.shape
    order = np.argsort(flat, axis=1)
    ordered = np.take_along_axis(flat, order, axis=1)
    position = np.arange(size)

    def score(ranks):
        return special.ndtri((ranks - 3 / 8) / (size - 2 * 3 / 8 + 1))

    sorted_scores = np.broadcast_to(score(position + 1.0), flat.shape)
    tied = ordered[:, 1:] == ordered[:, :-1]
    tied_rows = np.flatnonzero(tied.any(axis=1))
    if tied_rows.size:  # a run of equal values shares its average rank
        sorted_scores = sorted_scores.copy()
        first = np.ones((tied_rows.size, size), dtype=bool)
        first[:, 1:] = ~tied[tied_rows]
        last = np.ones((tied_rows.size, size), dtype=bool)
        last[:, :-1] = first[:, 1:]
        run_start = np.maximum.accumulate(np.where(first, position, 0), axis=1)
        run_end = np.minimum.accumulate(np.where(last, position, size)[:, ::-1], axis=1)[:, ::-1]
        sorted_scores[tied_rows] = score((run_start + run_end) / 2 + 1)
    scores = np.empty(flat.shape)
    np.put_along_axis(scores, order, sorted_scores, axis=1)
    return scores, ordered


def _split_rhat(z: np.ndarray) -> np.ndarray:
    """Gelman-Rubin R-hat of (scalar, chain, draw) arrays."""
    n_draw = z.shape[2]
    between = n_draw * np.var(z.mean(axis=2), axis=1, ddof=1)
    within = np.var(z, axis=2, ddof=1).mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant scalar: NaN, as ArviZ
        return np.sqrt((between / within + n_draw - 1) / n_draw)


def _geyer_ess(x: np.ndarray) -> np.ndarray:
    """ESS of (scalar, chain, draw) arrays with Geyer's initial monotone sequence, as ArviZ."""
    m, n_chain, n_draw = x.shape
    centred = x - x.mean(axis=2, keepdims=True)
    length = fft.next_fast_len(2 * n_draw)
    spectrum = fft.rfft(centred, n=length, axis=2)
    acov = fft.irfft(spectrum * np.conjugate(spectrum), n=length, axis=2)[:, :, :n_draw] / n_draw
    mean_var = acov[:, :, 0].mean(axis=1) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw + np.var(x.mean(axis=2), axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = 1.0 - (mean_var[:, None] - acov.mean(axis=1)) / var_plus[:, None]
    rho[:, 0] = 1.0
    # Pair sums P_k = rho_2k + rho_2k+1. ArviZ's loop reads pairs k = 1, 2, ... while
    # 2k - 1 < n_draw - 3 and the previous pair's sum is positive, so it stops at the first
    # pair K whose sum is not positive (or at the last pair it may read).
    n_pairs = max(0, -(-(n_draw - 2) // 2) - 1)
    pairs = rho[:, 0:2 * n_pairs + 2:2] + rho[:, 1:2 * n_pairs + 2:2]
    row = np.arange(m)
    nonpositive = pairs[:, 1:] <= 0
    first_nonpositive = nonpositive.argmax(axis=1) + 1 if n_pairs else np.zeros(m, dtype=int)
    last = np.where(nonpositive.any(axis=1), first_nonpositive, n_pairs)
    last = np.where(pairs[:, 0] > 0, last, 0)
    monotone = np.minimum.accumulate(pairs, axis=1)
    summed = np.concatenate([np.zeros((m, 1)), np.cumsum(monotone, axis=1)], axis=1)[row, last]
    even = rho[row, 2 * last]
    keep_even = (even > 0) | ((last >= 1) & (pairs[row, last] >= 0))
    tau = -1.0 + 2.0 * summed + np.where(keep_even, even, 0.0)
    total = n_chain * n_draw
    tau = np.maximum(tau, 1 / np.log10(total))
    ess = total / tau
    ess[np.isnan(rho).any(axis=1)] = np.nan
    constant = (x.max(axis=(1, 2)) - x.min(axis=(1, 2))) < np.finfo(float).resolution
    ess[constant] = total
    return ess


def _content_hash(arrays: Mapping[str, xr.DataArray]) -> str:
    """SHA-256 of named arrays: their names, dims, shapes, dtypes and values."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = arrays[name]
        digest.update(repr((name, array.dims, array.shape, str(array.dtype))).encode())
        digest.update(np.ascontiguousarray(array.values).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class GroupMeans:
    """Per-draw means of two groups of intercepts, and how they move together.

    Attributes
    ----------
    draws:
        One row per posterior draw, columns ``chain``, ``draw`` and the two
        variable names, each holding the mean over that variable's elements
        (for example the mean of the five ``alpha_g`` in one draw).
    a, b:
        The two variable names, in the order they were given.
    correlation:
        Pearson correlation of the two columns over all draws (NaN when one
        column is constant).
    """

    draws: pd.DataFrame
    a: str
    b: str
    correlation: float

    @property
    def sd(self) -> pd.Series:
        """Posterior standard deviation of each group's mean."""
        return self.draws[[self.a, self.b]].std(ddof=1)

    @property
    def sd_sum(self) -> float:
        """Posterior standard deviation of the sum of the two means."""
        return float((self.draws[self.a] + self.draws[self.b]).std(ddof=1))

    def summary(self) -> pd.Series:
        """Return the correlation, each mean's posterior sd and the sd of their sum."""
        return pd.Series({
            "correlation": self.correlation,
            f"sd of mean {self.a}": float(self.sd[self.a]),
            f"sd of mean {self.b}": float(self.sd[self.b]),
            "sd of their sum": self.sd_sum,
        })


def group_mean_correlation(idata, a: str, b: str) -> GroupMeans:
    """Correlation, across posterior draws, of the mean of ``a`` and the mean of ``b``.

    The original analysis's diagnostic for two sets of intercepts that trade
    off against each other: in every draw average the elements of ``a`` (say
    the gene intercepts) and of ``b`` (the cell-line intercepts); if the model
    only pins down their sum, the two averages are almost perfectly negatively
    correlated, each is wide and their sum is narrow (see :attr:`GroupMeans.sd`
    and :attr:`GroupMeans.sd_sum`).

    Parameters
    ----------
    idata:
        Result of ``pm.sample``.
    a, b:
        Names of two different posterior variables; every dimension other than
        ``chain`` and ``draw`` is averaged over (a scalar is used as it is).

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is not a posterior variable, or both name the same one.
    """
    posterior = posterior_dataset(idata)
    for arg, name in (("a", a), ("b", b)):
        if not isinstance(name, str) or name not in posterior:
            raise ValueError(f"{arg} must name a posterior variable, got {name!r}")
    if a == b:
        raise ValueError(f"b must name a different variable than a, got {b!r} twice")
    means = {}
    for name in (a, b):
        da = posterior[name]
        other = [d for d in da.dims if d not in SAMPLE_DIMS]
        means[name] = da.mean(dim=other) if other else da
    frame = (
        xr.Dataset(means)
        .transpose(*SAMPLE_DIMS)
        .to_dataframe()
        .reset_index()[["chain", "draw", a, b]]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = float(np.corrcoef(frame[a], frame[b])[0, 1])
    return GroupMeans(frame, a, b, correlation)


# --------------------------------------------------------------------------------------
# Draws, fitted values and coverage
# --------------------------------------------------------------------------------------


def draws(idata, var_name: str, *, group: str = "posterior") -> np.ndarray:
    """Return the draws of one variable with the chains stacked: ``(sample, ...)``.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit, or prior or predictive draws.
    var_name : str
        The variable.
    group : str
        The group it is in (``posterior``, ``prior``, ``posterior_predictive``, ...).

    Returns
    -------
    numpy.ndarray
        Its first axis runs over chains and draws; the others are the variable's own.

    Raises
    ------
    ValueError
        If the group has no such variable.
    """
    try:
        da = idata[group][var_name]
    except KeyError as err:
        raise ValueError(f"idata has no {var_name!r} in its {group!r} group") from err
    return np.asarray(da.values).reshape(-1, *da.shape[2:])


def prior_tail_share(prior, var_name: str = "logfc") -> float:
    """How far into its prior predictive the most extreme observed value falls.

    For each observed value, the share of prior predictive draws beyond it on its nearer side
    (the smaller of the shares below and above it); the smallest such share over all values.
    A share of 0.3 means every value sits comfortably inside what the priors predict; a share
    of 0.001 means one value is as extreme as a one-in-a-thousand prior draw; 0 means the
    priors never produce a value like it.

    Parameters
    ----------
    prior : xarray.DataTree
        From :func:`depmap_models.sampling.prior_predictive`: groups ``prior_predictive``
        and ``observed_data``, both holding ``var_name`` with the same observation dims.
    var_name : str
        The observed variable.

    Returns
    -------
    float
    """
    for group in ("prior_predictive", "observed_data"):
        if group not in prior.children or var_name not in prior[group]:
            raise ValueError(f"prior needs {var_name!r} in its {group!r} group")
    predicted, observed = prior["prior_predictive"][var_name], prior["observed_data"][var_name]
    below = (predicted < observed).mean(("chain", "draw"))
    return float(np.minimum(below, 1 - below).min())


@dataclass(frozen=True)
class PriorPredictive:
    """What a prior predictive check reads: the predictions' central range against the data.

    Attributes
    ----------
    mass:
        Mass of the central range (0.98: from the 1% to the 99% quantile).
    lower, median, upper:
        Quantiles of all prior-predicted values pooled.
    observed_min, observed_max:
        The range of the data.
    tail_share:
        :func:`prior_tail_share`: how far into its prior predictive the most extreme
        observed value falls.
    """

    mass: float
    lower: float
    median: float
    upper: float
    observed_min: float
    observed_max: float
    tail_share: float

    @property
    def observed_inside(self) -> bool:
        """Whether the data's range lies inside the central range of the predictions."""
        return self.lower < self.observed_min and self.observed_max < self.upper

    def _percents(self) -> tuple[str, str, str]:
        def percent(x: float) -> str:
            return f"{x:.1%}".replace(".0%", "%")

        return (percent((1 - self.mass) / 2), percent((1 + self.mass) / 2),
                percent(self.mass))

    def table(self) -> pd.Series:
        """Return the numbers as one labelled table."""
        pct, top, _ = self._percents()
        return pd.Series({f"prior {pct}": self.lower, "prior median": self.median,
                          f"prior {top}": self.upper, "data min": self.observed_min,
                          "data max": self.observed_max,
                          "smallest tail share": self.tail_share})

    def check(self, plausible: tuple[float, float], *, inner: float, min_tail: float) -> None:
        """Claim that the priors predict plausible screens that still cover the data.

        Four claims (:func:`depmap_models.claims.check`): the lower quantile lies between
        ``plausible[0]`` and ``-inner``, the upper between ``inner`` and ``plausible[1]``,
        the most extreme observed value keeps at least ``min_tail`` of the predictions
        beyond it, and the data's range lies inside the central range.

        Parameters
        ----------
        plausible : tuple of float
            The range a screen can produce.
        inner : float
            How far from zero each quantile must at least reach (the predictions are not
            narrower than the screens they describe).
        min_tail : float
            Smallest acceptable :attr:`tail_share`.
        """
        low, high = plausible
        pct, top, middle = self._percents()
        claims.check(f"prior predictive {pct} quantile inside the plausible range", self.lower,
                     low, -inner)
        claims.check(f"prior predictive {top} quantile inside the plausible range", self.upper,
                     inner, high)
        claims.check("every observed value well inside its prior predictive (smallest tail "
                     "share)", self.tail_share, min_tail)
        claims.check(f"the observed range lies inside the prior predictive's middle {middle}",
                     self.observed_inside)


def prior_predictive_summary(prior, var_name: str = "logfc", *,
                             mass: float = 0.98) -> PriorPredictive:
    """Summarize a prior predictive check: the predictions' central range, the data's range.

    Parameters
    ----------
    prior : xarray.DataTree
        From :func:`depmap_models.sampling.prior_predictive`.
    var_name : str
        The observed variable.
    mass : float
        Mass of the central range.

    Returns
    -------
    PriorPredictive
    """
    if not 0 < mass < 1:
        raise ValueError(f"mass must lie strictly between 0 and 1, got {mass}")
    tail = prior_tail_share(prior, var_name)
    predicted = np.asarray(prior["prior_predictive"][var_name].values)
    observed = np.asarray(prior["observed_data"][var_name].values)
    lower, median, upper = np.quantile(predicted, [(1 - mass) / 2, 0.5, (1 + mass) / 2])
    return PriorPredictive(float(mass), float(lower), float(median), float(upper),
                           float(observed.min()), float(observed.max()), tail)


def fitted(data: pd.DataFrame, mu, *, prob: float = 0.89) -> pd.DataFrame:
    """Return the data with the posterior of each measurement's mean beside it.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per measurement.
    mu : array-like or xarray.DataArray
        Posterior draws of the means: ``(chain, draw, obs)`` (a DataArray with dims
        ``chain`` and ``draw``, or a 3-d array) or already stacked ``(sample, obs)``.
    prob : float
        Mass of the equal-tailed interval.

    Returns
    -------
    pandas.DataFrame
        ``data`` plus ``mu_mean``, ``mu_sd``, ``mu_lower`` and ``mu_upper``.

    Raises
    ------
    ValueError
        If ``prob`` is not in (0, 1) or ``mu`` does not have one column per row of
        ``data``.
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    values = np.asarray(getattr(mu, "values", mu), dtype=float)
    if values.ndim == 3:
        values = values.reshape(-1, values.shape[-1])
    if values.ndim != 2 or values.shape[1] != len(data):
        raise ValueError(
            f"mu must hold draws of one mean per row of data ({len(data)}), got shape "
            f"{np.shape(values)}"
        )
    lower, upper = np.quantile(values, [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    return data.assign(
        mu_mean=values.mean(axis=0), mu_sd=values.std(axis=0, ddof=1),
        mu_lower=lower, mu_upper=upper,
    )


def _check_recovery(recovery: pd.DataFrame) -> None:
    missing = [c for c in ("mean", "sd", "truth", "inside") if c not in recovery]
    if missing:
        raise ValueError(f"recovery lacks the columns {missing}: pass a recovery_table")


def coverage(recovery: pd.DataFrame, *, prob: float = 0.89) -> pd.Series:
    """How many true values a recovery table's intervals hold, against what chance predicts.

    An interval of mass ``prob`` misses its truth with probability ``1 - prob`` when the
    model is right, so a check over many quantities counts the misses rather than
    demanding none: the binomial probability of at least as many misses is the test.

    Parameters
    ----------
    recovery : pandas.DataFrame
        From :func:`recovery_table` (columns ``mean``, ``sd``, ``truth``, ``inside``).
    prob : float
        The intervals' mass.

    Returns
    -------
    pandas.Series
        ``quantities``; ``inside``; ``share_inside``; ``expected_misses``; ``misses``;
        ``p_at_least_this_many`` (binomial upper tail of the misses); ``max_abs_z``, the
        largest distance from the truth to the posterior mean in posterior sds.
    """
    from scipy import stats

    _check_recovery(recovery)
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    n = len(recovery)
    misses = int((~recovery["inside"].astype(bool)).sum())
    z = (recovery["mean"] - recovery["truth"]) / recovery["sd"]
    return pd.Series(
        {
            "quantities": n,
            "inside": n - misses,
            "share_inside": (n - misses) / n,
            "expected_misses": n * (1 - prob),
            "misses": misses,
            "p_at_least_this_many": float(stats.binom.sf(misses - 1, n, 1 - prob)),
            "max_abs_z": float(np.abs(z).max()),
        },
        name="coverage",
    )


def coverage_by_group(recovery: pd.DataFrame) -> pd.DataFrame:
    """Per variable of a recovery table: quantities, truths inside, and the largest ``|z|``.

    Parameters
    ----------
    recovery : pandas.DataFrame
        From :func:`recovery_table`.

    Returns
    -------
    pandas.DataFrame
        One row per variable (``alpha_g`` for ``alpha_g[geneA]`` ...) in the table's order,
        then a row ``all``; columns ``quantities``, ``inside`` and ``max_abs_z``.
    """
    _check_recovery(recovery)
    group = recovery.index.str.replace(r"\[.*\]", "", regex=True)
    z = (recovery["mean"] - recovery["truth"]) / recovery["sd"]
    table = pd.DataFrame(
        {
            "quantities": recovery.groupby(group)["inside"].size(),
            "inside": recovery.groupby(group)["inside"].sum().astype(int),
            "max_abs_z": z.abs().groupby(group).max(),
        }
    ).loc[list(dict.fromkeys(group))]
    table.loc["all"] = [len(recovery), int(recovery["inside"].sum()), float(z.abs().max())]
    return table.astype({"quantities": int, "inside": int})


# --------------------------------------------------------------------------------------
# The book's convergence standard
# --------------------------------------------------------------------------------------

#: Fewest chains of a fit the book trusts.
MIN_CHAINS = 4
#: Largest rank-normalized split R-hat (ArviZ's: the larger of the bulk and folded R-hat).
MAX_RHAT = 1.01
#: Smallest bulk and tail effective sample size: 100 per chain over four chains.
MIN_ESS = 400


@dataclass(frozen=True)
class Convergence:
    """A fit measured against the book's convergence standard (:func:`convergence`).

    Attributes
    ----------
    chains : int
        Number of chains.
    max_rhat : float
        Largest rank-normalized split R-hat over the variables checked.
    min_ess_bulk, min_ess_tail : float
        Smallest bulk and tail effective sample sizes over the variables checked.
    divergences : int
        Divergent transitions after tuning.
    """

    chains: int
    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int

    @property
    def failures(self) -> list[str]:
        """List the criteria the fit fails, by name (empty when it passes).

        The names are ``chains``, ``rhat``, ``ess_bulk``, ``ess_tail`` and ``divergences``.
        """
        failed = {
            "chains": self.chains < MIN_CHAINS,
            "rhat": not self.max_rhat <= MAX_RHAT,
            "ess_bulk": not self.min_ess_bulk >= MIN_ESS,
            "ess_tail": not self.min_ess_tail >= MIN_ESS,
            "divergences": self.divergences > 0,
        }
        return [name for name, bad in failed.items() if bad]

    @property
    def passed(self) -> bool:
        """Whether the fit meets every criterion of the standard."""
        return not self.failures

    def table(self) -> pd.DataFrame:
        """Tabulate the criteria: value, requirement and whether it is met."""
        rows = {
            "chains": (self.chains, f">= {MIN_CHAINS}"),
            "rhat": (self.max_rhat, f"<= {MAX_RHAT}"),
            "ess_bulk": (self.min_ess_bulk, f">= {MIN_ESS}"),
            "ess_tail": (self.min_ess_tail, f">= {MIN_ESS}"),
            "divergences": (self.divergences, "0"),
        }
        failures = self.failures
        return pd.DataFrame(
            {
                "value": [value for value, _ in rows.values()],
                "required": [required for _, required in rows.values()],
                "met": [name not in failures for name in rows],
            },
            index=pd.Index(list(rows), name="criterion"),
        )

    def _repr_html_(self) -> str:
        return self.table().to_html(float_format=lambda x: f"{x:.3f}")

    def check(self) -> Convergence:
        """Raise an ``AssertionError`` that lists the failed criteria, unless the fit passes."""
        if not self.passed:
            raise AssertionError(
                f"the fit fails the convergence standard on {', '.join(self.failures)}:\n"
                f"{self.table()}"
            )
        return self


def convergence(idata, var_names: Sequence[str] | None = None) -> Convergence:
    """Measure a fit against the book's convergence standard.

    The standard (written out in the book's diagnostics appendix): at least
    :data:`MIN_CHAINS` chains, rank-normalized split R-hat at most :data:`MAX_RHAT`,
    bulk and tail ESS at least :data:`MIN_ESS`, and no divergent transition.

    Parameters
    ----------
    idata : xarray.DataTree
        Result of ``pm.sample`` (or :func:`depmap_models.sampling.sample`).
    var_names : sequence of str, optional
        Variables to check; default every posterior variable. Pass the model's free
        random variables (``[rv.name for rv in model.free_RVs]``) to leave out
        deterministic quantities.

    Returns
    -------
    Convergence
        Its ``passed`` says whether the fit meets the standard, ``failures`` which
        criteria it fails, and ``check()`` raises unless it passes.
    """
    health = sampler_health(idata, var_names=var_names)
    return Convergence(
        chains=int(posterior_dataset(idata).sizes["chain"]),
        max_rhat=float(health["max_rhat"]),
        min_ess_bulk=float(health["min_ess_bulk"]),
        min_ess_tail=float(health["min_ess_tail"]),
        divergences=int(health["divergences"]),
    )


def bayesian_fdr_calls(probability: pd.Series, level: float = 0.05) -> pd.DataFrame:
    """Call the longest list, by decreasing probability, whose Bayesian FDR is at most ``level``.

    With ``p`` the posterior probability that a hypothesis holds (a gene effect below a
    threshold, say), ``1 - p`` is the posterior probability that calling it is a false
    discovery, so the expected share of false discoveries in a called set, the Bayesian
    false discovery rate (Newton et al. 2004; Muller, Parmigiani and Rice 2007), is the mean
    of ``1 - p`` over the set. Sorted by decreasing ``p``, that running mean never falls, so
    the calls at a level are a prefix of the sorted list.

    Parameters
    ----------
    probability : pandas.Series
        Posterior probabilities in [0, 1], one per hypothesis (any index, for example gene
        and cell line).
    level : float, default 0.05
        The largest estimated false discovery rate allowed, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        The same index, sorted by decreasing probability (ties keep their order):
        ``probability``, ``fdr`` (the estimated false discovery rate of the list that ends
        at this row) and ``called`` (bool; the called rows come first, and the ``fdr`` of
        the last of them is the list's estimated rate).

    Raises
    ------
    ValueError
        If ``probability`` is not a Series, is empty, or holds a value outside [0, 1] or
        NaN; or ``level`` is not a number in (0, 1).
    """
    if not isinstance(probability, pd.Series):
        raise ValueError(f"probability must be a pandas Series, got {type(probability).__name__}")
    if probability.empty:
        raise ValueError("probability is empty")
    values = probability.to_numpy(dtype=float)
    if not (np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()):
        raise ValueError("probability must hold numbers in [0, 1]")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    order = np.argsort(-values, kind="stable")
    fdr = np.cumsum(1 - values[order]) / np.arange(1, values.size + 1)
    n_called = int((fdr <= level).sum())
    return pd.DataFrame(
        {"probability": values[order], "fdr": fdr, "called": np.arange(values.size) < n_called},
        index=probability.index[order],
    )
