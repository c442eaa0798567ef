"""Contours of a 2-D test function, and trajectories drawn over them."""

from __future__ import annotations

import numpy as np

from ..functions import grid

__all__ = ["contour", "trajectory_line", "COLORS"]

COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def contour(ax, f, bounds=None, n: int = 160, levels: int = 25, log: bool = True, cmap: str = "Greys_r"):
    """Contour lines of ``f`` over ``bounds`` (default ``f.bounds``), one vectorised call.

    ``log=True`` spaces the levels geometrically above the minimum value on the grid, which
    shows both the floor of a valley and its steep walls (Rosenbrock, Beale).
    Marks ``f.minimum`` with a star when the function has one. Returns the contour set.
    """
    bounds = f.bounds if bounds is None else bounds
    X, Y, P = grid(bounds, n)
    Z = f(P)
    if log:
        floor = Z.min()
        span = Z.max() - floor
        lv = floor + np.geomspace(span * 1e-4, span, levels)
    else:
        lv = np.linspace(Z.min(), Z.max(), levels)
    cs = ax.contour(X, Y, Z, levels=lv, cmap=cmap, linewidths=0.7, alpha=0.8)
    if getattr(f, "minimum", None) is not None and np.size(f.minimum) == 2:
        ax.plot(*f.minimum, marker="*", color="k", markersize=11, linestyle="none", zorder=5)
    ax.set_xlim(bounds[0])
    ax.set_ylim(bounds[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return cs


def trajectory_line(ax, label: str, color: str):
    """An empty line with dot markers for a trajectory (fill it with ``set_data``)."""
    (line,) = ax.plot([], [], "-o", color=color, label=label, markersize=2.5, linewidth=1.4)
    return line
