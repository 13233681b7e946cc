"""The book's theme and the figures more than one chapter draws.

Data and posterior-against-truth figures are plotnine ``ggplot`` objects (a
notebook displays them when they are the cell's last expression); sampler
diagnostics come from ArviZ directly in the chapters.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
import plotnine as gg

__all__ = ["FONT", "posterior_lines", "predictive_densities", "set_theme", "true_line_plot"]

#: Shipped with matplotlib itself, so it exists on every machine that runs the book.
FONT = "DejaVu Sans"


def set_theme(base_size: int = 11) -> None:
    """One look for every figure: plotnine's minimal theme and matching matplotlib defaults."""
    gg.theme_set(gg.theme_minimal(base_size=base_size, base_family=FONT))
    mpl.rcParams.update(
        {
            "font.family": FONT,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _draws(idata, group: str, var_name: str) -> np.ndarray:
    try:
        da = idata[group][var_name]
    except KeyError as err:
        raise ValueError(f"idata has no {var_name!r} in its {group!r} group") from err
    return np.asarray(da.values).reshape(-1, *da.shape[2:])


def true_line_plot(
    data: pd.DataFrame, alpha: float, beta: float, *, title: str | None = None
) -> gg.ggplot:
    """Measured logFC against RNA expression, with the true line dashed."""
    for column in ("rna", "logfc"):
        if column not in data:
            raise ValueError(f"data needs a {column!r} column")
    return (
        gg.ggplot(data, gg.aes("rna", "logfc"))
        + gg.geom_abline(slope=beta, intercept=alpha, linetype="dashed", color="#555555")
        + gg.geom_point(color="#1f77b4", size=2.5)
        + gg.labs(x="RNA expression", y="logFC", title=title)
    )


def predictive_densities(idata, var_name: str = "logfc", *, observed: bool = True) -> gg.ggplot:
    """Prior and posterior predictive densities side by side, with the observed data's.

    Each panel has its own x scale: the prior predictive is usually far wider
    than the data, and that difference is what a prior predictive check looks at.
    """
    frames = []
    for group, label in (("prior_predictive", "prior predictive"),
                         ("posterior_predictive", "posterior predictive")):
        draws = _draws(idata, group, var_name).ravel()
        frames.append(pd.DataFrame({"logfc": draws, "distribution": label}))
    sim = pd.concat(frames, ignore_index=True)
    order = ["prior predictive", "posterior predictive"]
    sim["distribution"] = pd.Categorical(sim["distribution"], categories=order)
    plot = (
        gg.ggplot(sim, gg.aes("logfc"))
        + gg.facet_wrap("distribution", nrow=1, scales="free")
        + gg.geom_density(fill="black", alpha=0.1)
        + gg.labs(x="logFC", y="density")
        + gg.theme(figure_size=(9, 3.5))
    )
    if observed:
        obs = np.ravel(idata["observed_data"][var_name].values)
        observed_frame = pd.DataFrame(
            {"logfc": np.tile(obs, 2), "distribution": pd.Categorical(
                np.repeat(order, obs.size), categories=order)}
        )
        plot += gg.geom_density(data=observed_frame, color="#d62728")
    return plot


def posterior_lines(
    idata,
    data: pd.DataFrame,
    truth: Mapping[str, float],
    *,
    n_lines: int = 100,
    rng: np.random.Generator,
) -> gg.ggplot:
    """Regression lines drawn from the posterior, against the data and the true line.

    ``n_lines`` posterior draws of ``(alpha, beta)`` are drawn with ``rng``;
    the dashed lines are the true line and the line of posterior means.
    """
    if n_lines < 1:
        raise ValueError(f"n_lines must be at least 1, got {n_lines}")
    alpha, beta = _draws(idata, "posterior", "alpha"), _draws(idata, "posterior", "beta")
    pick = rng.choice(alpha.size, size=min(n_lines, alpha.size), replace=False)
    draws = pd.DataFrame({"alpha": alpha[pick], "beta": beta[pick]})
    lines = pd.DataFrame(
        {
            "line": ["true line", "posterior mean"],
            "alpha": [truth["alpha"], alpha.mean()],
            "beta": [truth["beta"], beta.mean()],
        }
    )
    return (
        gg.ggplot()
        + gg.geom_abline(gg.aes(slope="beta", intercept="alpha"), data=draws,
                         color="#bbbbbb", alpha=0.3)
        + gg.geom_abline(gg.aes(slope="beta", intercept="alpha", color="line"), data=lines,
                         size=1.2, linetype="dashed")
        + gg.geom_point(gg.aes("rna", "logfc"), data=data, size=2)
        + gg.scale_color_brewer(type="qual", palette="Set1")
        + gg.labs(x="RNA expression", y="logFC", color="")
    )
