"""Figures of chapter 1: gradients, gradient descent, and gradient checks.

Drawing only: each function takes a Matplotlib ``ax`` (or two) and data computed in the
notebook, draws it, and returns the axes. Legends sit outside the axes, off the data.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from .contours import COLORS, contour
from .curves import reference_slope, vline

__all__ = [
    "basins_of_attraction",
    "condition_number_sweep",
    "contraction_sweep",
    "derivative_agreement",
    "descent_in_1d",
    "difference_errors",
    "gradient_field",
    "legend_outside",
]


def legend_outside(ax, **kwargs):
    """A small legend to the right of the axes (never over the data)."""
    kwargs = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, "fontsize": 8,
              "frameon": False, **kwargs}
    return ax.legend(**kwargs)


def gradient_field(ax, f, X, Y, G, levels: int = 15):
    """Contours of ``f`` and the arrows ``G = ∇f`` at the grid points ``X, Y``."""
    contour(ax, f, f.bounds, levels=levels)
    ax.quiver(X, Y, G[..., 0], G[..., 1], color=COLORS[0], angles="xy", width=0.004)
    ax.set_aspect("equal")
    ax.set_title("The gradient field $\\nabla f$ (red arrows) is perpendicular\n"
                 "to the contours and points uphill, away from the minimum (star)")
    return ax


def contraction_sweep(ax, lrs, predicted, measured, L: float, mu: float):
    """Measured against predicted contraction per step, one point per learning rate."""
    ax.plot(lrs, predicted, color="0.3", linewidth=1.2, label="predicted\n$\\max_i|1-\\alpha\\lambda_i|$")
    ax.plot(lrs, measured, "o", color=COLORS[1], markersize=4, label="measured\n(64 runs)")
    ax.axhline(1, color=COLORS[0], linewidth=0.8)
    ax.axvspan(2 / L, max(lrs), color=COLORS[0], alpha=0.08, label="$\\alpha > 2/L$:\ndistance grows")
    vline(ax, 2 / L, r"$2/L$", text_y=0.2)
    vline(ax, 2 / (L + mu), r"$\alpha^*$", text_y=0.95, color=COLORS[2])
    ax.set_xlabel(r"learning rate $\alpha$")
    ax.set_ylabel("contraction per step")
    ax.set_title(r"Gradient descent on a quadratic converges iff $\alpha < 2/L$")
    legend_outside(ax)
    return ax


def difference_errors(ax, hs, errors: dict, rounding: float):
    """Relative error of finite differences against the step ``h`` (log-log), with the
    slope-1 and slope-2 truncation guides and the rounding guide ``rounding / h``."""
    markers = "os"
    for i, (name, e) in enumerate(errors.items()):
        ax.loglog(hs, e, marker=markers[i % 2], color=COLORS[i], markersize=3, label=f"{name} difference")
    hh = np.logspace(-6, 0, 20)
    at = int(np.argmin(np.abs(np.asarray(hs) - 1e-3)))
    for e, order, style in zip(errors.values(), (1, 2), ("--", "-."), strict=False):
        reference_slope(ax, hh, 1e-3, e[at] * 3, order, label=f"$O(h^{order})$ (slope {order})", linestyle=style)
    hr = np.logspace(-15, -6, 20)
    reference_slope(ax, hr, 1.0, rounding, -1, label=r"rounding $\approx \varepsilon |f| / (h |\nabla f|)$",
                    color="0.65", linestyle=":")
    ax.set_xlabel("step $h$")
    ax.set_ylabel(r"relative error $|\tilde g - \nabla f| / |\nabla f|$")
    ax.set_title("Numerical gradient error: truncation (right) against rounding (left)")
    ax.set_ylim(1e-12, 1e2)
    ax.grid(True, which="major", alpha=0.3)
    legend_outside(ax)
    return ax


def derivative_agreement(ax, numeric, backprop, labels):
    """Back-propagated against numerical derivatives, one colour per parameter array."""
    for i, (n, g, label) in enumerate(zip(numeric, backprop, labels, strict=True)):
        ax.plot(np.ravel(n), np.ravel(g), "o", color=COLORS[i], markersize=3, alpha=0.6, label=label)
    lim = 1.1 * max(float(np.max(np.abs(g))) for g in backprop)
    ax.plot([-lim, lim], [-lim, lim], color="0.4", linewidth=0.8, zorder=0, label="equal")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("central difference of $J$")
    ax.set_ylabel("back-propagation (net.backward)")
    ax.locator_params(nbins=5)
    ax.set_title(f"All {sum(np.size(g) for g in backprop):,} derivatives of a two-layer network:\n"
                 "back-propagation = finite differences")
    legend_outside(ax)
    return ax


def descent_in_1d(ax, xs, fx, runs: dict, marks: dict, curve_label: str):
    """A 1-D function ``fx`` over ``xs``, gradient-descent iterates ``runs[label] = (x_t, f(x_t))``
    and marked points ``marks[label] = (x, f(x))``."""
    ax.plot(xs, fx, color="0.4", label=curve_label)
    for i, (label, (xt, ft)) in enumerate(runs.items()):
        ax.plot(xt, ft, "o-", color=COLORS[i], markersize=3, linewidth=0.8, label=label)
    for label, (xm, fm) in marks.items():
        ax.plot(xm, fm, "v", color="k", markersize=8, label=label)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title("Gradient descent stops in whichever minimum is downhill from the start")
    legend_outside(ax)
    return ax


def basins_of_attraction(ax, f, X, Y, trapped, paths, local_minimum):
    """Start points coloured by where gradient descent ends (``trapped``: in the local
    minimum), over the contours of ``f``, with a few trajectories ``paths = [(points, trapped)]``."""
    ax.pcolormesh(X, Y, trapped, cmap=ListedColormap(["#dceaf7", "#f7d9d9"]), shading="auto")
    contour(ax, f, f.bounds, levels=20)
    ax.plot(*local_minimum, "v", color=COLORS[0], markersize=9, label="local minimum")
    for points, in_dip in paths:
        ax.plot(points[:, 0], points[:, 1], "-", color=COLORS[0] if in_dip else COLORS[1], linewidth=1.2)
    ax.plot([], [], "-", color=COLORS[0], label="a trapped run")
    ax.plot([], [], "-", color=COLORS[1], label="a run that reaches\nthe global minimum (star)")
    ax.set_title("Where gradient descent ends: red starts are\ntrapped in the local minimum, blue ones reach the star")
    legend_outside(ax)
    return ax


def condition_number_sweep(ax_sweep, ax_runs, sweep_lrL, sweep_steps: dict, best_lrL: dict, runs: dict,
                           kappas: dict, tolerance: float):
    """Left: steps to shrink the distance to the minimum by ``tolerance`` against ``α·L``, one
    line per condition number (``sweep_steps[label]``; NaN = not reached), with the best
    constant step ``best_lrL[label]`` marked. Right: the distance ratio ``|x_t|/|x_0|`` of
    the runs at that step (``runs[label]``, a subset of the labels) against ``t/κ``
    (``kappas[label]``); lines that coincide are drawn from wide to narrow, so each shows."""
    lines = {}
    for i, (label, steps) in enumerate(sweep_steps.items()):
        (lines[label],) = ax_sweep.plot(sweep_lrL, steps, "o-", color=COLORS[i], markersize=3, linewidth=1,
                                        label=label)
        ax_sweep.axvline(best_lrL[label], color=COLORS[i], linewidth=0.8, linestyle=":")
    ax_sweep.set_yscale("log")
    ax_sweep.set_xlabel(r"$\alpha \cdot L$  (dotted: $\alpha^* L = 2L/(L+\mu)$)")
    ax_sweep.set_ylabel(f"steps until distance < {tolerance:g} × start")
    ax_sweep.set_title("The sweep: steps against the step size")
    ax_sweep.grid(True, alpha=0.3)
    widths = np.linspace(6.0, 1.5, max(len(runs), 2))
    for width, (label, ratio) in zip(widths, runs.items(), strict=False):
        ax_runs.plot(np.arange(len(ratio)) / kappas[label], ratio, color=lines[label].get_color(), linewidth=width,
                     solid_capstyle="butt")
    ax_runs.axhline(tolerance, color="0.5", linewidth=0.8, linestyle="--")
    ax_runs.set_yscale("log")
    ax_runs.set_ylim(tolerance / 30, 2)
    ax_runs.set_xlim(0, 6)
    ax_runs.set_xlabel(r"step $t$ divided by $\kappa$")
    ax_runs.set_ylabel(r"$|x_t - x^*| \,/\, |x_0 - x^*|$")
    ax_runs.set_title(f"At its own best step $\\alpha^*$, every bowl with {', '.join(runs)}\n"
                      "takes the same number of steps per unit of $\\kappa$", fontsize=10)
    ax_runs.grid(True, alpha=0.3)
    legend_outside(ax_runs, handles=list(lines.values()))
    return ax_sweep, ax_runs
