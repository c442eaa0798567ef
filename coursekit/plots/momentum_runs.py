"""The figures of chapter 3 (momentum): paths over contours, per-step curves on a log scale,
the error of a run split into its eigen-directions, runs on a 1-D landscape, and rate maps.

Drawing only: every function takes data (trajectories, arrays computed by ``coursekit``) and
Matplotlib axes or a figure, draws, and returns what it made. Legends go outside the axes,
off the data.
"""

from __future__ import annotations

import numpy as np

from .contours import COLORS, contour
from .curves import decorate, vline
from .heatmap import rate_heatmap

__all__ = ["figure_legend", "paths_on_contour", "log_curves", "eigen_error_curves", "runs_on_curve",
           "rate_maps", "rate_against_lr"]

DASHES = ["-", "--", "-.", ":"]


def figure_legend(fig, axes=None, ncol: int | None = None):
    """One legend for the figure, below the axes (off the data), from the labelled artists of
    ``axes`` (default: all), each label once."""
    handles, labels = [], []
    for ax in axes if axes is not None else fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels and not lab.startswith("_"):
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=ncol or min(len(labels), 4), fontsize=8,
                   frameon=False)


def paths_on_contour(ax, f, bounds, paths: dict, title: str | None = None, colors=None, markersize: float = 2.5):
    """Contours of ``f`` over ``bounds`` and one path per entry of ``paths``
    (``{label: points of shape (T + 1, 2)}``), in ``colors`` (default ``COLORS``)."""
    contour(ax, f, bounds, levels=15)
    colors = COLORS if colors is None else colors
    for (label, pts), color in zip(paths.items(), colors, strict=False):
        ax.plot(*np.asarray(pts).T, "-o", ms=markersize, lw=1.2, color=color, label=label)
    if title:
        ax.set_title(title, fontsize=10)


def log_curves(ax, curves: dict, xlabel: str = "step $t$", ylabel: str = "$L(x_t)$ (log scale)",
               title: str | None = None, colors=None, styles=None, x=None, ylim=None, hline=None):
    """One line per entry of ``curves`` (``{label: values per step}``) on a log y-axis, each
    with its own colour and dash pattern (so coinciding lines stay visible); ``hline`` = a
    dotted horizontal reference (a tolerance)."""
    colors = COLORS if colors is None else colors
    styles = DASHES if styles is None else styles
    for i, (label, y) in enumerate(curves.items()):
        y = np.asarray(y, dtype=float)
        xi = np.arange(len(y)) if x is None else np.asarray(x)[: len(y)]
        ax.plot(xi, y, styles[i % len(styles)], color=colors[i % len(colors)], lw=1.4, label=label)
    if hline is not None:
        ax.axhline(hline, color="k", ls=":", lw=0.8)
    if ylim is not None:
        ax.set_ylim(*ylim)
    decorate(ax, xlabel, ylabel, title, log=True, legend=False)


def eigen_error_curves(ax, components: dict, names=("flat direction", "steep direction"), title: str | None = None,
                       colors=None):
    """``|e_t|`` along each eigen-direction (``{label: array (T + 1, 2)}``, from
    ``momentum.eigen_components``): one colour per run, solid for the flat direction, dashed
    for the steep one."""
    colors = COLORS if colors is None else colors
    for (label, e), color in zip(components.items(), colors, strict=False):
        e = np.abs(np.asarray(e, dtype=float))
        for k, name in enumerate(names):
            ax.plot(e[:, k], DASHES[k], color=color, lw=1.4, label=f"{label}: {name}")
    decorate(ax, "step $t$", r"$|e_t|$ along the eigen-direction (log)", title, log=True, legend=False)


def runs_on_curve(ax, ax_t, xs, fx, runs: dict, marks: dict, title: str | None = None, colors=None):
    """A 1-D landscape ``fx`` over ``xs`` with the iterates of each run on it (left, ``ax``) and
    the position per step (right, ``ax_t``). ``runs = {label: (positions, losses)}``;
    ``marks = {name: x}`` draws labelled horizontal lines on ``ax_t`` (the minima)."""
    colors = COLORS if colors is None else colors
    ax.plot(xs, fx, color="0.3", lw=1.2)
    for i, ((label, (pos, loss)), color) in enumerate(zip(runs.items(), colors, strict=False)):
        ax.plot(pos, loss, "o", ms=6 - 1.5 * i, color=color, alpha=0.7, label=label)
        ax_t.plot(pos, ["-", "--", ":"][i % 3], color=color, lw=2.2 - 0.4 * i, label=label)
    for name, x in marks.items():
        ax_t.axhline(x, color="k", ls=":", lw=0.8)
        ax_t.text(len(pos) - 1, x, name, fontsize=8, ha="right", va="bottom")
    decorate(ax, "$x$", "$L(x)$", title, legend=False)
    decorate(ax_t, "step $t$", "$x_t$", "position per step", legend=False)


def rate_maps(axes, maps: dict, optimum=None, best=None, bounds: dict | None = None, vmin: float = 0.8):
    """Heat maps of convergence rates, one per axes: ``maps = {title: (lrs, momenta, rates)}``;
    ``optimum = (α, γ)`` is starred and ``best = [(α, γ) per map or None]`` crossed on every
    map; ``bounds = {label: (α values, γ values)}`` draws stability edges as lines."""
    for i, (ax, (title, (lrs, momenta, rates))) in enumerate(zip(axes, maps.items(), strict=True)):
        rate_heatmap(ax, lrs, momenta, rates, title=title, colorbar=i == len(axes) - 1, vmin=vmin)
        for k, (label, (a, g)) in enumerate((bounds or {}).items()):
            ax.plot(a, g, DASHES[(k + 1) % len(DASHES)], color=COLORS[(k + 3) % len(COLORS)], lw=1.5, label=label)
        ax.set_xlim(lrs[0], lrs[-1])
        ax.set_ylim(momenta[0], momenta[-1])
        if optimum is not None:
            ax.plot(*optimum, marker="*", color="white", markeredgecolor="k", markersize=14, linestyle="none",
                    label=r"theory: $(\alpha^*, \gamma^*)$")
        if best is not None and best[i] is not None:
            ax.plot(*best[i], marker="x", color="red", markersize=9, mew=2, linestyle="none",
                    label="fastest grid point (measured)")


def rate_against_lr(ax, lrs, curves: dict, marks: dict | None = None, title: str | None = None, colors=None):
    """The measured rate per step against the learning rate (log x-axis), one line per entry
    of ``curves`` (``{label: rates}``; ``inf`` = diverged, not drawn), the best point of each
    circled; ``marks = {name: α}`` draws labelled vertical lines (``1/L``, ``2/L``)."""
    colors = COLORS if colors is None else colors
    lrs = np.asarray(lrs, dtype=float)
    for i, (label, rates) in enumerate(curves.items()):
        r = np.where(np.isfinite(rates), rates, np.nan)
        ax.plot(lrs, r, DASHES[i % len(DASHES)], color=colors[i % len(colors)], lw=1.5, label=label)
        k = int(np.nanargmin(r))
        ax.plot(lrs[k], r[k], "o", mfc="none", mec=colors[i % len(colors)], ms=9, mew=1.5)
    for name, x in (marks or {}).items():
        vline(ax, x, name, text_y=0.08)
    ax.set_xscale("log")
    ax.set_ylim(top=1.005)
    decorate(ax, r"learning rate $\alpha$ (log scale)", r"rate $\rho$ per step", title, legend=False)
