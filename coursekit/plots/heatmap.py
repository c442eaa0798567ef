"""A heat map of a convergence rate over a grid of two hyperparameters (e.g. ``α`` × ``γ``)."""

from __future__ import annotations

import numpy as np

__all__ = ["rate_heatmap"]


def rate_heatmap(ax, xs, ys, rates, optimum=None, best=None, vmin: float = 0.8, vmax: float = 1.0,
                 xlabel: str = r"learning rate $\alpha$", ylabel: str = r"momentum $\gamma$",
                 title: str | None = "convergence rate per step", colorbar: bool = True, cmap: str = "viridis"):
    """Draw ``rates[i, j]`` (for ``ys[i]``, ``xs[j]``; linear, evenly spaced axes) with
    ``imshow``: rates are clipped to ``[vmin, vmax]``, and rates ``≥ 1`` (no convergence or
    divergence, including ``inf``) are drawn in one flat colour and outlined by the contour
    ``rate = 1``. ``optimum = (x, y)`` is marked with a white star (the theory's optimum),
    ``best = (x, y)`` with a red cross (the grid's fastest point). Returns the image."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    r = np.asarray(rates, dtype=float)
    shown = np.ma.masked_where(~(r < 1), np.clip(r, vmin, vmax))
    dx, dy = (xs[-1] - xs[0]) / max(len(xs) - 1, 1), (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    extent = (xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2)
    ax.set_facecolor("#f2d0d0")  # where the map is masked: rate >= 1
    im = ax.imshow(shown, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.contour(xs, ys, np.where(np.isfinite(r), r, 10.0), levels=[1.0], colors="k", linewidths=0.8)
    if optimum is not None:
        ax.plot(*optimum, marker="*", color="white", markeredgecolor="k", markersize=14, linestyle="none",
                label=r"theory: $(\alpha^*, \gamma^*)$")
    if best is not None:
        ax.plot(*best, marker="x", color="red", markersize=9, mew=2, linestyle="none", label="fastest grid point")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        cb = ax.figure.colorbar(im, ax=ax)
        cb.set_label(f"rate (clipped to [{vmin:g}, {vmax:g}]; pink: ≥ 1)")
    if optimum is not None or best is not None:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return im
