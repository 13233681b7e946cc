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

from depmap_models import diagnostics

__all__ = [
    "ARROW_COLOR",
    "DRAW_COLOR",
    "FONT",
    "GRID_COLOR",
    "PALETTE",
    "POOLING_METHODS",
    "POSTERIOR_COLOR",
    "REFERENCE_COLOR",
    "TRUTH_COLOR",
    "group_mean_jointplot",
    "interval_truth_plot",
    "observed_vs_fitted",
    "posterior_minus_truth",
    "gene_lines",
    "pooling_plot",
    "posterior_lines",
    "predictive_densities",
    "prior_predictive_plot",
    "set_theme",
    "true_line_plot",
]

#: Shipped with matplotlib itself, so it exists on every machine that runs the book.
FONT = "DejaVu Sans"

#: The book's colours, by what they mark.
POSTERIOR_COLOR = "#1f77b4"  # posterior draws, estimates, measured points
TRUTH_COLOR = "#d62728"  # true values and observed data in predictive checks
REFERENCE_COLOR = "#555555"  # reference lines: the truth in data plots, zero, the diagonal
DRAW_COLOR = "#bbbbbb"  # faint individual draws, prior densities
GRID_COLOR = "#999999"  # light lines: prior outlines, per-draw lines
ARROW_COLOR = "#333333"  # shrinkage arrows
#: ColorBrewer palette for categories (genes, cell lines).
PALETTE = "Set1"


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
    return diagnostics.draws(idata, var_name, group=group)


def true_line_plot(
    data: pd.DataFrame, alpha: float, beta: float, *, title: str | None = None
) -> gg.ggplot:
    """Measured logFC against RNA expression, with the true line dashed.

    Hand-written because it draws data before any fit: ArviZ's plots all start from draws.
    """
    for column in ("rna", "logfc"):
        if column not in data:
            raise ValueError(f"data needs a {column!r} column")
    return (
        gg.ggplot(data, gg.aes("rna", "logfc"))
        + gg.geom_abline(slope=beta, intercept=alpha, linetype="dashed", color=REFERENCE_COLOR)
        + gg.geom_point(color=POSTERIOR_COLOR, size=2.5)
        + gg.labs(x="RNA expression", y="logFC", title=title)
    )


def predictive_densities(
    idata, var_name: str = "logfc", *, observed: bool = True, max_values: int = 20_000
) -> gg.ggplot:
    """Prior and posterior predictive densities side by side, with the observed data's.

    Each panel has its own x scale: the prior predictive is usually far wider
    than the data, and that difference is what a prior predictive check looks at.
    Hand-written because ArviZ's ``plot_ppc_dist`` draws one group at a time, and the
    chapters that use this figure make their point by setting the two side by side;
    the predictive checks that look at one group use ``plot_ppc_dist``.
    A kernel density of hundreds of thousands of values takes minutes and looks
    no different, so each panel uses at most ``max_values`` values: whole
    predicted data sets from evenly spaced draws (deterministic, no rng needed).
    """
    if max_values < 1:
        raise ValueError(f"max_values must be at least 1, got {max_values}")
    frames = []
    for group, label in (("prior_predictive", "prior predictive"),
                         ("posterior_predictive", "posterior predictive")):
        draws = _draws(idata, group, var_name)
        per_draw = int(np.prod(draws.shape[1:]))
        keep = max(1, min(len(draws), max_values // max(per_draw, 1)))
        picked = draws[np.linspace(0, len(draws) - 1, keep).round().astype(int)]
        frames.append(pd.DataFrame({"logfc": picked.ravel(), "distribution": label}))
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
        plot += gg.geom_density(data=observed_frame, color=TRUTH_COLOR)
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
    Hand-written because ArviZ's ``plot_lm`` summarizes a fitted quantity at the
    observed x as a band; this figure shows whole lines, each one joint draw of the
    intercept and the slope, beside the true line, which is what chapter 1 asks the reader
    to see (the band of lines fans out where the data are sparse).
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
                         color=DRAW_COLOR, alpha=0.3)
        + gg.geom_abline(gg.aes(slope="beta", intercept="alpha", color="line"), data=lines,
                         size=1.2, linetype="dashed")
        + gg.geom_point(gg.aes("rna", "logfc"), data=data, size=2)
        + gg.scale_color_brewer(type="qual", palette=PALETTE)
        + gg.labs(x="RNA expression", y="logFC", color="")
    )


# --------------------------------------------------------------------------------------
# Several genes: per-gene lines, pooling, prior against posterior
# --------------------------------------------------------------------------------------

#: The estimates :func:`pooling_plot` knows, in legend order.
POOLING_METHODS = ("no pooling", "partial pooling", "truth", "complete pooling", "population mean")

#: The estimates with one value per parameter, drawn as vertical lines.
_POOLED_LINES = {"complete pooling": "dashed", "population mean": "dotted"}


def _gene_labels(data: pd.DataFrame) -> list[str]:
    if isinstance(data["gene"].dtype, pd.CategoricalDtype):
        return [str(g) for g in data["gene"].cat.categories]
    return sorted(str(g) for g in data["gene"].unique())


def gene_lines(
    data: pd.DataFrame,
    alpha: np.ndarray | list[float],
    beta: np.ndarray | list[float],
    *,
    idata=None,
    var_names: tuple[str, str] = ("alpha", "beta"),
    n_lines: int = 50,
    rng: np.random.Generator | None = None,
    title: str | None = None,
) -> gg.ggplot:
    """Plot logFC against RNA expression, one panel per gene, each gene's true line dashed.

    ``alpha`` and ``beta`` hold one true intercept and slope per gene, in the
    order of the ``gene`` categories. With ``idata``, ``n_lines`` posterior
    draws of each gene's line (variables ``var_names``, dim ``gene``), picked
    with ``rng``, are drawn in grey under the points.
    """
    for column in ("gene", "rna", "logfc"):
        if column not in data:
            raise ValueError(f"data needs a {column!r} column")
    genes = _gene_labels(data)
    alpha, beta = np.ravel(alpha).astype(float), np.ravel(beta).astype(float)
    for name, values in (("alpha", alpha), ("beta", beta)):
        if values.size != len(genes):
            raise ValueError(f"{name} has {values.size} values but data has {len(genes)} genes")
    gene_type = pd.CategoricalDtype(genes)
    points = data.assign(gene=data["gene"].astype(str).astype(gene_type))
    truth = pd.DataFrame({"gene": pd.Categorical(genes, dtype=gene_type),
                          "alpha": alpha, "beta": beta})
    plot = gg.ggplot(points, gg.aes("rna", "logfc"))
    if idata is not None:
        if n_lines < 1:
            raise ValueError(f"n_lines must be at least 1, got {n_lines}")
        if rng is None:
            raise ValueError("rng is needed to pick posterior draws when idata is given")
        draws = [_draws(idata, "posterior", name) for name in var_names]
        if any(d.ndim != 2 or d.shape[1] != len(genes) for d in draws):
            raise ValueError(f"var_names {var_names} must name posterior vectors with one value "
                             f"per gene ({len(genes)})")
        pick = rng.choice(draws[0].shape[0], size=min(n_lines, draws[0].shape[0]), replace=False)
        lines = pd.DataFrame({
            "gene": pd.Categorical(np.tile(genes, pick.size), dtype=gene_type),
            "alpha": draws[0][pick].ravel(),
            "beta": draws[1][pick].ravel(),
        })
        plot += gg.geom_abline(gg.aes(slope="beta", intercept="alpha"), data=lines,
                               color=GRID_COLOR, alpha=0.15)
    return (
        plot
        + gg.geom_abline(gg.aes(slope="beta", intercept="alpha"), data=truth,
                         linetype="dashed", color=TRUTH_COLOR, size=0.8)
        + gg.geom_point(color=POSTERIOR_COLOR, size=1.5)
        + gg.facet_wrap("gene", nrow=1)
        + gg.labs(x="RNA expression", y="logFC", title=title)
        + gg.theme(figure_size=(10, 3))
    )


def pooling_plot(estimates: pd.DataFrame, *, panel: str | None = None) -> gg.ggplot:
    """Each gene's estimate under no, partial and complete pooling, against the truth.

    ``estimates`` is tidy, with columns ``gene``, ``parameter``, ``method`` (one
    of :data:`POOLING_METHODS`) and ``value``, plus the column named by
    ``panel`` to draw several data sets in rows. ``"complete pooling"`` and
    ``"population mean"`` (the hierarchical model's estimate of the mean of
    the genes) have one value per parameter (and panel) and are drawn as
    vertical lines; an arrow runs from each gene's no-pooling estimate to its
    partial-pooling estimate, so its length is the shrinkage.
    """
    missing = [c for c in ("gene", "parameter", "method", "value") if c not in estimates]
    if missing:
        raise ValueError(f"estimates lacks the columns {missing}")
    if panel is not None and panel not in estimates:
        raise ValueError(f"panel names {panel!r}, which is not a column of estimates")
    unknown = sorted(set(estimates["method"]) - set(POOLING_METHODS))
    if unknown:
        raise ValueError(f"estimates has unknown methods {unknown}; use {POOLING_METHODS}")
    keys = ["parameter", "gene"] + ([panel] if panel else [])
    per_gene = estimates[~estimates["method"].isin(list(_POOLED_LINES))]
    wide = per_gene.pivot_table(index=keys, columns="method", values="value",
                                observed=True).reset_index()
    for method in ("no pooling", "partial pooling"):
        if method not in wide:
            raise ValueError(f"estimates has no {method!r} rows")
    point_methods = [m for m in POOLING_METHODS if m in set(per_gene["method"])]
    points = per_gene.assign(method=pd.Categorical(per_gene["method"], point_methods),
                             gene=per_gene["gene"].astype(str))
    wide["gene"] = wide["gene"].astype(str)
    shapes = {"no pooling": "o", "partial pooling": "o", "truth": "x"}
    fills = {"no pooling": "white", "partial pooling": POSTERIOR_COLOR, "truth": TRUTH_COLOR}
    colors = {
        "no pooling": POSTERIOR_COLOR, "partial pooling": POSTERIOR_COLOR, "truth": TRUTH_COLOR,
    }
    plot = (
        gg.ggplot(points, gg.aes("value", "gene"))
        + gg.geom_point(gg.aes(shape="method", color="method", fill="method"), size=3,
                        stroke=0.8)
        + gg.geom_segment(gg.aes(x="no pooling", xend="partial pooling", yend="gene"),
                          data=wide, color=ARROW_COLOR,
                          arrow=gg.arrow(length=0.06, type="closed"))
        + gg.scale_shape_manual(values=[shapes[m] for m in point_methods])
        + gg.scale_fill_manual(values=[fills[m] for m in point_methods])
        + gg.scale_color_manual(values=[colors[m] for m in point_methods])
        + gg.scale_y_discrete(limits=sorted(points["gene"].unique())[::-1])
        + gg.labs(x="estimate", y="", shape="", color="", fill="", linetype="")
        + gg.theme(figure_size=(9, 3.2 * (estimates[panel].nunique() if panel else 1)))
    )
    pooled = estimates[estimates["method"].isin(list(_POOLED_LINES))]
    if not pooled.empty:
        line_methods = [m for m in _POOLED_LINES if m in set(pooled["method"])]
        pooled = pooled.assign(method=pd.Categorical(pooled["method"], line_methods))
        plot += gg.geom_vline(gg.aes(xintercept="value", linetype="method"), data=pooled,
                              color=REFERENCE_COLOR)
        plot += gg.scale_linetype_manual(values=[_POOLED_LINES[m] for m in line_methods])
    facet = f"{panel} ~ parameter" if panel else ". ~ parameter"
    return plot + gg.facet_grid(facet, scales="free_x")


def prior_predictive_plot(prior, plausible: tuple[float, float], *,
                          figsize: tuple[float, float] = (7, 3), num_samples: int = 100):
    """Draw a prior predictive check: prior data sets (grey), the data (red), a plausible range.

    ArviZ's ``plot_ppc_dist`` on the ``prior_predictive`` group, in the book's colours, with
    dashed lines at the ends of the range a screen can produce.

    Parameters
    ----------
    prior : xarray.DataTree
        From :func:`depmap_models.sampling.prior_predictive` (one panel per variable).
    plausible : tuple of float
        The lower and upper end of the plausible range, drawn as dashed lines.
    figsize : tuple of float
    num_samples : int
        Prior data sets drawn, one density each.

    Returns
    -------
    arviz_plots.PlotCollection
    """
    import arviz as az

    low, high = plausible
    if not low < high:
        raise ValueError(f"plausible must be (low, high) with low < high, got {plausible!r}")
    pc = az.plot_ppc_dist(
        prior, group="prior_predictive", kind="kde", num_samples=num_samples,
        visuals={"predictive_dist": {"color": DRAW_COLOR},
                 "observed_dist": {"color": TRUTH_COLOR}},
        figure_kwargs={"figsize": figsize},
    )
    az.add_lines(pc, [low, high])
    return pc


def observed_vs_fitted(
    data: pd.DataFrame,
    mu,
    *,
    color: str | None = "gene",
    prob: float = 0.89,
    ylabel: str = "posterior mean of mu",
    title: str | None = None,
) -> gg.ggplot:
    """Each measurement's observed logFC against the posterior of its mean.

    Parameters
    ----------
    data : pandas.DataFrame
        The measurements, with a ``logfc`` column (and ``color``, if given).
    mu : array-like or xarray.DataArray
        Posterior draws of the mean of each measurement: ``(chain, draw, obs)`` or
        ``(sample, obs)``; see :func:`depmap_models.diagnostics.fitted`.
    color : str, optional
        Column that colours the points; ``None`` for one colour.
    prob : float
        Mass of the equal-tailed interval drawn as a vertical bar.
    ylabel, title : str, optional
        Axis label and title.

    Returns
    -------
    plotnine.ggplot
        Points on the dashed diagonal mean that the model predicts the data.
    """
    fitted = diagnostics.fitted(data, mu, prob=prob)
    if color is not None and color not in fitted:
        raise ValueError(f"color names {color!r}, which is not a column of data")
    points = gg.geom_point(gg.aes(color=color), size=1.5, alpha=0.7) if color else (
        gg.geom_point(color=POSTERIOR_COLOR, size=1.5, alpha=0.7))
    return (
        gg.ggplot(fitted, gg.aes("logfc", "mu_mean"))
        + gg.geom_abline(slope=1, intercept=0, linetype="dashed", color=REFERENCE_COLOR)
        + gg.geom_linerange(gg.aes(ymin="mu_lower", ymax="mu_upper"))
        + points
        + gg.scale_color_brewer(type="qual", palette=PALETTE)
        + gg.labs(x="observed logFC", y=f"{ylabel} ({round(prob * 100)}% interval)", color="",
                  title=title)
        + gg.theme(figure_size=(5.5, 4.5))
    )


def posterior_minus_truth(recovery: pd.DataFrame, groups: list[str]) -> gg.ggplot:
    """Each parameter's posterior mean minus its true value, with its interval shifted alike.

    Parameters
    ----------
    recovery : pandas.DataFrame
        From :func:`depmap_models.diagnostics.recovery_table` (index ``name[label]``, columns
        ``mean``, ``truth`` and the interval bounds ``eti*_lb``/``eti*_ub``).
    groups : list of str
        The variables to draw, one panel each, in this order.

    Returns
    -------
    plotnine.ggplot
        A perfect recovery sits on the dashed zero line; errors shared by every element
        of a group (a ridge) show as a panel shifted off zero.
    """
    if not groups:
        raise ValueError("groups is empty")
    name = recovery.index.str.replace(r"\[.*\]", "", regex=True)
    missing = [g for g in groups if g not in set(name)]
    if missing:
        raise ValueError(f"groups names variables not in recovery: {missing}")
    lower = next((c for c in recovery if c.startswith("eti") and c.endswith("_lb")), None)
    if lower is None:
        raise ValueError("recovery has no interval columns (eti*_lb, eti*_ub)")
    upper = lower.replace("_lb", "_ub")
    keep = name.isin(groups)
    rows = recovery.loc[keep]
    table = pd.DataFrame(
        {
            "group": pd.Categorical(name[keep], categories=groups),
            "label": rows.index.str.extract(r"\[(.*)\]", expand=False).fillna(""),
            "error": rows["mean"] - rows["truth"],
            "lower": rows[lower] - rows["truth"],
            "upper": rows[upper] - rows["truth"],
        }
    )
    width = f"{lower[3:-3]}%"
    return (
        gg.ggplot(table, gg.aes("label", "error"))
        + gg.facet_wrap("group", scales="free_x")
        + gg.geom_hline(yintercept=0, linetype="dashed", color=REFERENCE_COLOR)
        + gg.geom_linerange(gg.aes(ymin="lower", ymax="upper"), color=POSTERIOR_COLOR, alpha=0.6)
        + gg.geom_point(color=POSTERIOR_COLOR, size=2)
        + gg.labs(x="", y=f"posterior minus truth ({width} interval)")
        + gg.theme(figure_size=(10, 3.5))
    )


def interval_truth_plot(recovery: pd.DataFrame, title: str, *, ncol: int = 2,
                        height: float = 4.0) -> gg.ggplot:
    """Each parameter's interval (grey), posterior mean (dark) and truth (red cross).

    Unlike :func:`posterior_minus_truth`, the values are drawn on their own scale, so a wide
    interval reads as wide: the picture of a ridge's absurd widths.

    Parameters
    ----------
    recovery : pandas.DataFrame
        From :func:`depmap_models.diagnostics.recovery_table` (index ``name[label]``, columns
        ``mean``, ``truth`` and the interval bounds ``eti*_lb``/``eti*_ub``).
    title : str
    ncol : int
        Panels per row; one panel per variable, in the order of ``recovery``.
    height : float
        Figure height in inches.

    Returns
    -------
    plotnine.ggplot
    """
    lower = next((c for c in recovery if c.startswith("eti") and c.endswith("_lb")), None)
    missing = {"mean", "truth"} - set(recovery)
    if lower is None or missing:
        raise ValueError("recovery needs the columns mean, truth, eti*_lb and eti*_ub, "
                         f"got {list(recovery)}")
    upper = lower.replace("_lb", "_ub")
    frame = recovery.rename_axis("parameter").reset_index()
    variable = frame["parameter"].str.split("[").str[0]
    frame["variable"] = pd.Categorical(variable, categories=list(dict.fromkeys(variable)))
    frame["parameter"] = pd.Categorical(frame["parameter"],
                                        categories=list(frame["parameter"])[::-1])
    return (
        gg.ggplot(frame, gg.aes(y="parameter"))
        + gg.geom_segment(gg.aes(x=lower, xend=upper, yend="parameter"), color=DRAW_COLOR,
                          size=1.5)
        + gg.geom_point(gg.aes(x="mean"), color=ARROW_COLOR, size=1.5)
        + gg.geom_point(gg.aes(x="truth"), color=TRUTH_COLOR, shape="x", size=3)
        + gg.facet_wrap("variable", scales="free", ncol=ncol)
        + gg.labs(x="value", y="", title=title)
        + gg.theme(figure_size=(9, height), panel_spacing_y=0.04)
    )


def group_mean_jointplot(idata, a: str, b: str, *, title: str | None = None, height: float = 4.5,
                         every: int = 1, digits: int = 4):
    """Per-draw means of two groups of intercepts against each other, with their margins.

    Parameters
    ----------
    idata : xarray.DataTree
        The fit.
    a, b : str
        Two vector variables (for example ``"alpha_g"`` and ``"beta_c"``).
    title : str, optional
        A title above the figure.
    height : float
        Size of the square figure, in inches.
    every : int
        Draw every ``every``-th posterior draw (the correlation uses them all).
    digits : int
        Decimals of the correlation printed in the corner.

    Returns
    -------
    seaborn.JointGrid
        The draws fall on a line of slope -1 when the two groups trade a constant (an
        additive non-identifiability); the correlation is printed in the corner.
    """
    import seaborn as sns

    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    means = diagnostics.group_mean_correlation(idata, a, b)
    grid = sns.jointplot(
        data=means.draws.iloc[::every], x=a, y=b, kind="scatter", s=6, alpha=0.3, linewidth=0,
        height=height, color=POSTERIOR_COLOR,
    )
    grid.set_axis_labels(f"mean of {a} in a draw", f"mean of {b} in a draw")
    grid.ax_joint.text(
        0.97, 0.97, f"correlation = {means.correlation:.{digits}f}",
        transform=grid.ax_joint.transAxes, ha="right", va="top",
    )
    if title:
        grid.figure.suptitle(title, y=1.02)
    return grid
