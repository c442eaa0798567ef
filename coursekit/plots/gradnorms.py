"""Per-layer gradient norms, activation functions and their derivatives, per-layer histograms.

Drawing only: every function takes Matplotlib axes and data (computed by
``coursekit.diagnostics`` or ``coursekit.train``), draws, and returns the artists it made.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .contours import COLORS
from .curves import decorate, loss_curves

__all__ = ["activation_plot", "layer_norms", "layer_bars", "layer_histograms"]


def activation_plot(ax_f, ax_df, z, curves: dict, colors=None, bounds: dict | None = None):
    """Each activation ``φ`` on ``ax_f`` and its derivative ``φ'`` on ``ax_df``.

    ``curves`` is ``{name: (φ(z), φ'(z))}`` (``diagnostics.activation_curves``); ``bounds``
    optionally ``{label: value}`` horizontal reference lines on the derivative axes (e.g. the
    bound 0.25 of σ'). Returns the lines drawn."""
    colors = COLORS if colors is None else colors
    lines = []
    for i, (name, (a, da)) in enumerate(curves.items()):
        lines += ax_f.plot(z, a, color=colors[i % len(colors)], linewidth=1.6, label=name)
        lines += ax_df.plot(z, da, color=colors[i % len(colors)], linewidth=1.6, label=name)
    for label, value in (bounds or {}).items():
        lines.append(ax_df.axhline(value, color="0.4", linestyle=":", linewidth=1))
        ax_df.annotate(label, (z[0], value), xytext=(2, 2), textcoords="offset points", fontsize=8, color="0.3")
    ax_f.set_xlabel("pre-activation $z$")
    ax_f.set_ylabel(r"$\varphi(z)$")
    ax_f.set_title("activation functions")
    ax_df.set_xlabel("pre-activation $z$")
    ax_df.set_ylabel(r"$\varphi'(z)$")
    ax_df.set_title("their derivatives (the factor per layer)")
    for ax in (ax_f, ax_df):
        ax.grid(True, alpha=0.3)
        ax.axvline(0, color="0.7", linewidth=0.8)
    ax_f.legend(fontsize=8)  # same colours on both axes: one legend
    return lines


def layer_norms(ax, norms, labels=None, log: bool = True, colors=None, start: int = 1,
                xlabel: str = "layer $l$ (1 = next to the input)",
                ylabel: str = r"$\|\partial L/\partial W_l\|$", title: str | None = None,
                legend: bool = True, **line_kwargs):
    """One line per network: the per-layer norms against the layer index (``curves.loss_curves``
    with dots, whole-number ticks, and, on a log axis, non-positive values left out).

    ``norms`` is a list of arrays (one per network; lengths may differ) or a dict
    ``{label: array}``; non-finite or zero values are not drawn on a log axis."""
    if isinstance(norms, dict):
        labels = list(norms) if labels is None else labels
        norms = list(norms.values())
    with np.errstate(invalid="ignore"):
        shown = [np.where(np.isfinite(v) & ((v > 0) | (not log)), v, np.nan)
                 for v in (np.asarray(values, dtype=float) for values in norms)]
    lines = loss_curves(ax, shown, labels, log=log, colors=colors, xlabel=xlabel, ylabel=ylabel, title=title,
                        legend=legend, start=start, **{"marker": "o", "markersize": 3, **line_kwargs})
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return lines


def layer_bars(ax, values, labels=None, log: bool = True, colors=None, start: int = 1,
               xlabel: str = "layer $l$ (1 = next to the input)", ylabel: str = "",
               title: str | None = None):
    """Grouped bars per layer: ``values`` is a dict ``{label: array}`` or a list of arrays of
    equal length. Returns the bar containers."""
    if isinstance(values, dict):
        labels = list(values) if labels is None else labels
        values = list(values.values())
    labels = [None] * len(values) if labels is None else list(labels)
    colors = COLORS if colors is None else colors
    n = len(values)
    width = 0.8 / max(n, 1)
    bars = []
    for i, (v, label) in enumerate(zip(values, labels, strict=True)):
        x = np.arange(start, start + len(v)) + (i - (n - 1) / 2) * width
        bars.append(ax.bar(x, np.asarray(v, dtype=float), width=width, color=colors[i % len(colors)], label=label))
    decorate(ax, xlabel, ylabel, title, log=log, legend=any(label is not None for label in labels), grid_axis="y")
    return bars


def layer_histograms(axes, values, bins=None, color=None, label: str | None = None, derivative=None,
                     xlabel: str = "pre-activation $z$"):
    """One histogram per layer (``values[l]`` on ``axes[l]``), e.g. the pre-activations of
    each layer of a deep network. ``derivative`` is an optional ``(z, φ'(z))`` pair drawn
    (scaled to the axes) over each histogram to show where the activation is sensitive.
    Values outside ``[bins[0], bins[-1]]`` are counted in the end bins, and the fraction of
    them is written in the corner of the axes ("x% beyond the range, in the end bins")."""
    bins = np.linspace(-6, 6, 49) if bins is None else bins
    color = COLORS[0] if color is None else color
    artists = []
    for l, (ax, v) in enumerate(zip(axes, values, strict=False)):
        v = np.asarray(v, dtype=float).reshape(-1)
        v = v[np.isfinite(v)]
        artists.append(ax.hist(np.clip(v, bins[0], bins[-1]), bins=bins, density=True, color=color, alpha=0.6,
                               label=label if l == 0 else None))
        outside = float(np.mean((v < bins[0]) | (v > bins[-1]))) if v.size else 0.0
        if outside > 0:  # say so: the end bins hold every value beyond the range
            note = f"{100 * outside:.2g}% beyond\n[{bins[0]:g}, {bins[-1]:g}],\nin end bins"
            artists.append(ax.text(0.03, 0.97, note, transform=ax.transAxes, fontsize=6.5, va="top", color="0.25"))
        if derivative is not None:
            z, d = derivative
            artists += ax.plot(z, np.asarray(d) / np.max(d) * ax.get_ylim()[1] * 0.95, color="0.3",
                               linewidth=1, linestyle="--")
        ax.set_title(f"layer {l + 1}", fontsize=9)
        ax.set_yticks([])
        ax.set_xlabel(xlabel, fontsize=8)
    return artists
