"""One entry point for every random step of a chapter that is not the simulated data.

Every chapter samples through :func:`sample` (NUTS, with PyMC's sampler or nutpie),
draws predictive samples through :func:`prior_predictive` and
:func:`posterior_predictive`, and takes any other random numbers (thinning, shuffles,
jitter) from :func:`rng` or :func:`sampler_seed`. Each of them passes the chapter's
seed through :func:`sampler_seed`, which reads the environment variable
``DEPMAP_SAMPLER_SEED``:

- unset (or empty), the chapter's own seed is used, so the book reproduces itself;
- set to an integer ``k``, every seed ``s`` becomes a new seed derived from ``(k, s)``,
  so that the whole book can be executed under other sampler seeds (the robustness
  sweep, ``benchmarks/claim_robustness.py``) while distinct seeds within a chapter stay
  distinct.

The simulated data never pass through here: simulators take their own generator
(``np.random.RandomState(103)`` reproduces the original analysis).

Two chapters that fit the very same model to the very same data under the same seed (the real
screen's chapters 13 and 14) call :func:`fit`, which can share one fit between them: when the
environment variable ``DEPMAP_FIT_CACHE`` names a directory (the book build and ``make test``
set it to a fresh one for each run and delete it afterwards), the first chapter to get there
samples and saves its draws under a fingerprint of the model, the data and the settings, and
the other waits for them and loads them (the same holds for their convergence check,
:func:`depmap_models.diagnostics.convergence`). Unset, as when a reader runs a chapter, every
chapter samples its own fit.

The module also holds the timing helpers of the identifiability benchmark
(:func:`benchmark_fit`, :func:`fit_summary`).
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm

from depmap_models import PROGRESSBAR, diagnostics
from depmap_models._sharing import FIT_CACHE_VARIABLE, shared

__all__ = [
    "CHAINS",
    "CHAIN_START_METHOD",
    "Compiled",
    "FIT_CACHE_VARIABLE",
    "SEED_VARIABLE",
    "benchmark_fit",
    "compile_model",
    "fit",
    "fit_fingerprint",
    "fit_summary",
    "posterior_predictive",
    "prior_predictive",
    "rng",
    "sample",
    "sampler_seed",
]

#: The environment variable that shifts every sampler seed of the book.
SEED_VARIABLE = "DEPMAP_SAMPLER_SEED"

#: Chains of every fit the book trusts (see the diagnostics appendix).
CHAINS = 4



def _check_seed(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def sampler_seed(seed: int) -> int:
    """Return the seed a chapter's random step uses in place of ``seed``.

    Parameters
    ----------
    seed : int
        The chapter's own seed (for example ``RANDOM_SEED = 103``), non-negative.

    Returns
    -------
    int
        ``seed`` itself when ``DEPMAP_SAMPLER_SEED`` is unset or empty; otherwise a seed
        derived from both integers with :class:`numpy.random.SeedSequence`, the same on
        every machine.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer, or ``DEPMAP_SAMPLER_SEED`` is set to
        something other than a non-negative integer.
    """
    seed = _check_seed("seed", seed)
    raw = os.environ.get(SEED_VARIABLE, "").strip()
    if not raw:
        return seed
    try:
        shift = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer, got {raw!r}") from None
    if shift < 0:
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer, got {raw!r}")
    return int(np.random.SeedSequence([shift, seed]).generate_state(1)[0] >> 1)


def rng(seed: int) -> np.random.Generator:
    """Return a NumPy generator for a random step that is not the simulated data.

    Parameters
    ----------
    seed : int
        The chapter's seed; it passes through :func:`sampler_seed`.

    Returns
    -------
    numpy.random.Generator
    """
    return np.random.default_rng(sampler_seed(seed))


@dataclass(frozen=True)
class Compiled:
    """A PyMC model compiled once by nutpie, to be sampled many times by :func:`sample`.

    Attributes
    ----------
    model : pymc.Model
        The model that was compiled.
    nutpie_model : object
        nutpie's compiled model.
    compile_s : float
        Seconds the compilation took.
    """

    model: pm.Model
    nutpie_model: object
    compile_s: float


def compile_model(model: pm.Model) -> Compiled:
    """Compile ``model`` with nutpie (the numba backend) once, timed.

    Parameters
    ----------
    model : pymc.Model

    Returns
    -------
    Compiled
    """
    import nutpie

    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    start = time.perf_counter()
    compiled = nutpie.compile_pymc_model(model)
    return Compiled(model, compiled, time.perf_counter() - start)


def sample(
    model: pm.Model | Compiled,
    *,
    random_seed: int,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = CHAINS,
    target_accept: float = 0.8,
    nuts_sampler: str = "nutpie",
    progressbar: bool | None = None,
    **kwargs,
):
    """NUTS draws from ``model``: the one sampling entry point of the book.

    Parameters
    ----------
    model : pymc.Model or Compiled
        A model (compiled by the sampler on each call, as ``pm.sample`` does), or a model
        compiled once by :func:`compile_model`, which nutpie then samples directly.
    random_seed : int
        The chapter's seed; it passes through :func:`sampler_seed`.
    draws, tune : int
        Draws kept per chain, and tuning steps per chain (discarded).
    chains : int
        Number of chains; the book's standard is :data:`CHAINS`.
    target_accept : float
        Target acceptance rate of the step-size adaptation, in (0, 1).
    nuts_sampler : {"nutpie", "pymc"}
        Which NUTS implementation samples a :class:`pymc.Model`; a :class:`Compiled`
        model is always sampled by nutpie.
    progressbar : bool, optional
        Default: shown when a person runs the chapter, hidden in the built book.
    **kwargs
        Passed on to ``pm.sample`` or ``nutpie.sample`` (for example nutpie's
        ``adaptation="low_rank"``).

    Returns
    -------
    xarray.DataTree
        The draws, with ``posterior.attrs["wall_time"]``: the seconds a user waits,
        compilation included (for a :class:`Compiled` model, its compilation is not
        counted again), and ``posterior.attrs["sampling_time"]``: tuning and drawing only.

    Raises
    ------
    ValueError
        If a count is not a positive integer, ``target_accept`` is outside (0, 1), or
        ``nuts_sampler`` is not one of the two.
    """
    for name, value in {"draws": draws, "tune": tune, "chains": chains}.items():
        if _check_seed(name, value) == 0 and name != "tune":
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not 0 < target_accept < 1:
        raise ValueError(f"target_accept must lie strictly between 0 and 1, got {target_accept}")
    if nuts_sampler not in ("nutpie", "pymc"):
        raise ValueError(f"nuts_sampler must be 'nutpie' or 'pymc', got {nuts_sampler!r}")
    seed = sampler_seed(random_seed)
    show = PROGRESSBAR if progressbar is None else bool(progressbar)
    cores = min(chains, os.cpu_count() or 1)
    start = time.perf_counter()
    if isinstance(model, Compiled):
        import nutpie
        from pymc.backends.arviz import patch_nutpie_idata

        idata = nutpie.sample(
            model.nutpie_model, draws=draws, tune=tune, chains=chains, cores=cores, seed=seed,
            save_warmup=False, progress_bar=show, target_accept=target_accept, **kwargs,
        )
        sampling_s = time.perf_counter() - start
        patch_nutpie_idata(idata, model.model, sampling_time=sampling_s)
    elif isinstance(model, pm.Model):
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
            nuts_sampler=nuts_sampler, progressbar=show, target_accept=target_accept,
            compute_convergence_checks=False, model=model, **kwargs,
        )
    else:
        raise ValueError(
            f"model must be a pymc.Model or a sampling.Compiled, got {type(model).__name__}"
        )
    idata["posterior"].attrs["wall_time"] = time.perf_counter() - start
    return idata


def fit_fingerprint(model: pm.Model, **settings) -> str:
    """Hash everything that decides a fit's draws on this machine.

    Parameters
    ----------
    model : pymc.Model
    **settings
        The sampler's settings (seed, draws, tuning steps, ...).

    Returns
    -------
    str
        The SHA-256 of the model's log density and deterministics (their printed graph and
        every constant and shared value in it, which hold the data), its coordinates, the
        settings, the versions of the libraries that compile and sample it, and numba's
        target CPU. Two processes that build the same model from the same data get the
        same fingerprint.
    """
    import nutpie
    import pytensor
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import ancestors

    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    outputs = [model.logp(), *model.deterministics]
    text = io.StringIO()
    pytensor.printing.debugprint(outputs, file=text, print_type=True)
    digest = hashlib.sha256(text.getvalue().encode())
    for variable in ancestors(outputs):
        value = variable.data if isinstance(variable, Constant) else None
        if value is None and hasattr(variable, "get_value"):
            value = variable.get_value(borrow=True)
        if value is None or isinstance(value, np.random.Generator):
            continue  # random generators hold no data (and no stable bytes)
        digest.update(repr(variable.type).encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    coords = {name: list(map(str, values)) for name, values in model.coords.items()}
    digest.update(repr(sorted(coords.items())).encode())
    digest.update(repr(sorted(settings.items())).encode())
    for name, module in (("pymc", pm), ("pytensor", pytensor), ("nutpie", nutpie), ("numpy", np)):
        digest.update(f"{name}={module.__version__}".encode())
    digest.update(f"NUMBA_CPU_NAME={os.environ.get('NUMBA_CPU_NAME', '')}".encode())
    return digest.hexdigest()


def fit(
    model: pm.Model,
    *,
    random_seed: int,
    draws: int = 1000,
    tune: int = 1000,
    target_accept: float = 0.8,
    **kwargs,
):
    """Compile ``model`` with nutpie and sample it; share the fit between chapters of one run.

    The same as :func:`compile_model` then :func:`sample`, except that when the environment
    variable ``DEPMAP_FIT_CACHE`` names a directory, the fit is looked up there under
    :func:`fit_fingerprint` first. One process at a time holds the fingerprint's lock: the
    first samples and saves the draws, any other waits and loads them, so two chapters of
    one build that fit the same model to the same data under the same seed sample it once
    (``depmap_models._sharing``).

    Parameters
    ----------
    model : pymc.Model
    random_seed : int
        The chapter's seed; it passes through :func:`sampler_seed`.
    draws, tune : int
        Draws kept per chain, and tuning steps per chain.
    target_accept : float
        Target acceptance rate of the step-size adaptation, in (0, 1).
    **kwargs
        Passed on to ``nutpie.sample``.

    Returns
    -------
    xarray.DataTree
        As :func:`sample`, with ``posterior.attrs["compile_time"]`` (seconds) and
        ``posterior.attrs["n_dim"]``, the number of unconstrained parameters NUTS moves.
        A shared fit keeps the times of the process that sampled it, and has
        ``posterior.attrs["shared_fit"]``, its fingerprint.

    Raises
    ------
    ValueError
        As :func:`sample`; also if ``DEPMAP_FIT_CACHE`` names something that is not a
        directory.
    """
    if not isinstance(model, pm.Model):
        raise ValueError(f"model must be a pymc.Model, got {type(model).__name__}")
    settings = {"random_seed": sampler_seed(random_seed), "draws": draws, "tune": tune,
                "chains": CHAINS, "target_accept": target_accept, **kwargs}

    def run():
        compiled = compile_model(model)
        idata = sample(compiled, random_seed=random_seed, draws=draws, tune=tune,
                       target_accept=target_accept, **kwargs)
        idata["posterior"].attrs["compile_time"] = compiled.compile_s
        idata["posterior"].attrs["n_dim"] = int(compiled.nutpie_model.n_dim)
        return idata

    if not os.environ.get(FIT_CACHE_VARIABLE, ""):
        return run()
    fingerprint = fit_fingerprint(model, **settings)
    idata = shared(fingerprint, "fit", run)
    # Marks a fit that other chapters may share: its convergence check is shared too.
    idata["posterior"].attrs["shared_fit"] = fingerprint
    return idata


def prior_predictive(model: pm.Model, *, random_seed: int, draws: int = 500, **kwargs):
    """``pm.sample_prior_predictive`` with the seed passed through :func:`sampler_seed`.

    Parameters
    ----------
    model : pymc.Model
    random_seed : int
        The chapter's seed.
    draws : int
        Number of prior draws.
    **kwargs
        Passed on to ``pm.sample_prior_predictive``.

    Returns
    -------
    xarray.DataTree
        With ``prior`` and ``prior_predictive`` groups.
    """
    return pm.sample_prior_predictive(
        draws=draws, model=model, random_seed=sampler_seed(random_seed), **kwargs
    )


def posterior_predictive(idata, model: pm.Model, *, random_seed: int, **kwargs):
    """``pm.sample_posterior_predictive`` with the seed passed through :func:`sampler_seed`.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior draws (from :func:`sample`).
    model : pymc.Model
    random_seed : int
        The chapter's seed.
    **kwargs
        Passed on to ``pm.sample_posterior_predictive`` (for example
        ``extend_inferencedata=True``).

    Returns
    -------
    xarray.DataTree
    """
    kwargs.setdefault("progressbar", PROGRESSBAR)
    return pm.sample_posterior_predictive(
        idata, model=model, random_seed=sampler_seed(random_seed), **kwargs
    )


# --------------------------------------------------------------------------------------
# Timing fits: the identifiability benchmark
# --------------------------------------------------------------------------------------

#: How PyMC's sampler starts its chain processes in a benchmark's fresh process: ``fork``
#: where there is one (safe there: no nutpie thread exists yet), else PyMC's default. A
#: process started by ``spawn`` hands that method down to PyMC, whose chains would then
#: import PyMC afresh inside the timed call (about 10 s per fit here).
CHAIN_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else None

#: The columns of :func:`fit_summary`.
FIT_COLUMNS = (
    "wall_s",
    "sampling_s",
    "min_ess_bulk",
    "ess_per_s",
    "ess_per_sampling_s",
    "ess_per_1000_grad",
    "max_rhat",
    "divergences",
    "mean_tree_steps",
)


def fit_summary(idata, model: pm.Model, wall_s: float | None = None) -> pd.Series:
    """One fit's costs and health in one row (:data:`FIT_COLUMNS`).

    Parameters
    ----------
    idata : xarray.DataTree
        The fit (from :func:`sample`).
    model : pymc.Model
        Its model: ``min_ess_bulk`` and ``max_rhat`` are taken over its free random
        variables (what the sampler moves; for ``ZeroSumNormal`` the constrained values).
    wall_s : float, optional
        The seconds a user waited; default ``posterior.attrs["wall_time"]``.

    Returns
    -------
    pandas.Series
        ``wall_s``; ``sampling_s`` (tuning and drawing, no compilation); ``min_ess_bulk``;
        ``ess_per_s`` (over ``wall_s``) and ``ess_per_sampling_s``; ``ess_per_1000_grad``,
        the smallest bulk ESS per 1000 gradient evaluations of the kept draws (leapfrog
        steps, which measures the geometry rather than the compiler); ``max_rhat``;
        ``divergences``; ``mean_tree_steps``, the mean number of leapfrog steps per draw
        (1023 means every tree hit the maximum depth of 10).
    """
    posterior_attrs = idata["posterior"].attrs
    if wall_s is None:
        wall_s = float(posterior_attrs["wall_time"])
    sampling_s = float(posterior_attrs.get("sampling_time", float("nan")))
    names = [rv.name for rv in model.free_RVs]
    health = diagnostics.sampler_health(idata, var_names=names)
    steps = idata["sample_stats"]["n_steps"]
    min_ess = float(health["min_ess_bulk"])
    return pd.Series(
        {
            "wall_s": float(wall_s),
            "sampling_s": sampling_s,
            "min_ess_bulk": min_ess,
            "ess_per_s": min_ess / float(wall_s),
            "ess_per_sampling_s": min_ess / sampling_s,
            "ess_per_1000_grad": 1000 * min_ess / float(steps.sum()),
            "max_rhat": float(health["max_rhat"]),
            "divergences": int(health["divergences"]),
            "mean_tree_steps": float(steps.mean()),
        },
        name="fit",
    )


def benchmark_fit(
    dataset: str,
    parameterization: str,
    sampler: str,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = CHAINS,
    seed: int = 103,
    target_accept: float = 0.8,
) -> dict[str, float | int | str]:
    """Simulate, build, sample and summarise one fit: one row of the benchmark.

    Parameters
    ----------
    dataset : str
        One of :data:`depmap_models.models.DATASETS`.
    parameterization : str
        ``"naive"`` or ``"identified"``.
    sampler : str
        ``"nutpie"`` or ``"pymc"``.
    draws, tune, chains : int
        Sampler settings.
    seed : int
        Seed of the simulated data and (through :func:`sampler_seed`) of the sampler.
    target_accept : float
        Target acceptance rate.

    Returns
    -------
    dict
        ``model``, ``parameterization``, ``sampler`` and :data:`FIT_COLUMNS`. The
        benchmark runs each call in a fresh process, so that no fit inherits another's
        state; PyMC's sampler starts its chains with :data:`CHAIN_START_METHOD`.
    """
    from depmap_models import models

    sim = models.simulate_dataset(dataset, seed)
    model = models.build(dataset, parameterization, sim)
    idata = sample(
        model, draws=draws, tune=tune, chains=chains, random_seed=seed, nuts_sampler=sampler,
        target_accept=target_accept,
        **({"mp_ctx": CHAIN_START_METHOD} if sampler == "pymc" else {}),
    )
    return {
        "model": dataset,
        "parameterization": parameterization,
        "sampler": sampler,
        **fit_summary(idata, model).to_dict(),
    }
