"""Curves against a step, an epoch or a time: loss curves, error-against-step-size plots.

Drawing only: every function takes a Matplotlib ``ax`` and data, draws, and returns the
artists it made. Nothing here computes anything an optimizer or a network needs.

``loss_curves`` accepts, for each curve, a plain array of values, a dict holding the values
under ``key`` (``history["loss"]``), or an object with that attribute (``history.loss``,
``trajectory.losses``), so the histories returned by ``coursekit.train`` can be passed as
they are.
"""

from __future__ import annotations

import numpy as np

from .contours import COLORS

__all__ = ["curve_values", "loss_curves", "reference_slope", "vline"]


def curve_values(curve, key: str = "loss") -> np.ndarray:
    """The values of one curve as a float array.

    ``curve`` is an array-like of numbers, or a dict / object that holds them under ``key``
    (also tried: ``key + "es"``, ``key + "s"``, ``"train_" + key``), e.g. a training history
    (``history["loss"]``) or a ``Trajectory`` (``trajectory.losses``).
    """
    if isinstance(curve, np.ndarray | list | tuple):
        return np.asarray(curve, dtype=float)
    names = (key, key + "es", key + "s", "train_" + key)
    for name in names:
        if isinstance(curve, dict) and name in curve:
            return np.asarray(curve[name], dtype=float)
        if not isinstance(curve, dict) and hasattr(curve, name):
            return np.asarray(getattr(curve, name), dtype=float)
    raise ValueError(f"curve must be an array or hold its values under one of {names}; got {type(curve).__name__}")


def loss_curves(ax, curves, labels=None, x=None, key: str = "loss", log: bool = False,
                colors=None, xlabel: str = "epoch", ylabel: str = "loss", title: str | None = None,
                legend: bool = True, start: int = 0, **line_kwargs):
    """Draw one line per curve on ``ax``; returns the list of lines.

    - ``curves``: a list of curves (arrays, histories or trajectories; see ``curve_values``),
      or a dict ``{label: curve}`` (then ``labels`` is taken from its keys);
    - ``x``: the abscissa, shared (one array) or one array per curve (e.g. wall-clock
      times); default ``start, start + 1, …`` (so ``start=1`` counts epochs from 1);
    - ``log``: logarithmic y axis (for losses that fall by orders of magnitude);
    - NaN values (a diverged run) are simply not drawn.
    """
    if isinstance(curves, dict):
        labels = list(curves) if labels is None else labels
        curves = list(curves.values())
    curves = list(curves)
    if labels is None:
        labels = [None] * len(curves)
    if len(labels) != len(curves):
        raise ValueError(f"labels must have one entry per curve ({len(curves)}); got {len(labels)}")
    colors = COLORS if colors is None else colors
    per_curve_x = x is not None and len(x) == len(curves) and np.ndim(x[0]) == 1
    lines = []
    for i, (curve, label) in enumerate(zip(curves, labels, strict=True)):
        y = curve_values(curve, key)
        if x is None:
            xi = np.arange(start, start + len(y))
        else:
            xi = np.asarray(x[i] if per_curve_x else x, dtype=float)
        kwargs = {"linewidth": 1.5, **line_kwargs}
        (line,) = ax.plot(xi[: len(y)], y[: len(xi)], color=colors[i % len(colors)], label=label, **kwargs)
        lines.append(line)
    decorate(ax, xlabel, ylabel, title, log=log, legend=legend and any(label is not None for label in labels))
    return lines


def decorate(ax, xlabel: str, ylabel: str, title: str | None = None, log: bool = False, legend: bool = True,
             grid_axis: str = "both") -> None:
    """The finish every course figure shares: axis labels, optional title and log y-axis, a
    light grid, and a small legend."""
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3, which="major", axis=grid_axis)
    if legend:
        ax.legend(fontsize=8)


def reference_slope(ax, x, x0: float, y0: float, order: float, label: str | None = None, **kwargs):
    """A dashed line ``y = y0 (x / x0)^order`` over ``x`` on a log-log axes: the slope an
    error of order ``O(x^order)`` would have (``order=-1`` for a ``1/B`` or ``ε/h`` law)."""
    x = np.asarray(x, dtype=float)
    kwargs = {"color": "0.4", "linestyle": "--", "linewidth": 1.0, **kwargs}
    (line,) = ax.plot(x, y0 * (x / x0) ** order, label=label, **kwargs)
    return line


def vline(ax, x: float, label: str | None = None, text_y: float = 0.95, **kwargs):
    """A labelled vertical marker (a bound such as ``α = 2/L``); returns the line."""
    kwargs = {"color": "k", "linestyle": ":", "linewidth": 1.2, **kwargs}
    line = ax.axvline(x, **kwargs)
    if label:
        ax.text(x, text_y, " " + label, transform=ax.get_xaxis_transform(), fontsize=8,
                va="top", ha="left")
    return line
