r"""Explorers for chapter 3 (momentum): several optimizers on several functions side by side,
and the (α, γ) convergence-rate map of momentum on a quadratic.

``MultiFunctionExplorer`` runs every optimizer on every function in ONE ``minimize`` call
(``coursekit.batched.compare``) and draws one contour panel per function.
``momentum_explorer()`` is the chapter's preset: SGD, momentum and Nesterov on an
ill-conditioned quadratic, the saddle ``x² − y²`` and a bowl with a small local minimum, with a
log-scale ``lr`` slider and a ``γ`` slider. ``RateMapExplorer`` shows the heat map of the
measured rate over the ``(α, γ)`` plane with a marker at the slider values, and the run at those
values over the quadratic's contours.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import functions as F
from .. import optim
from ..batched import compare
from ..momentum import heavy_ball_rate, measured_rate, optimal_momentum, rate_map
from ..plots import COLORS, contour, trajectory_line
from ..plots.heatmap import rate_heatmap
from ..train import minimize
from .base import Explorer, gamma_slider, lr_slider

__all__ = ["MultiFunctionExplorer", "momentum_runs", "momentum_panels", "momentum_explorer", "RateMapExplorer"]


class MultiFunctionExplorer(Explorer):
    """Trajectories of several optimizer runs on several 2-D functions, one panel each.

    ``panels`` is a list of ``(title, f, start)`` or ``(title, f, start, bounds)``; ``runs`` a
    list of ``(label, OptimizerClass, hyperparameters)`` where ``hyperparameters(values)`` maps
    the slider values to keyword arguments. The runs whose hyperparameters changed since the
    last move are recomputed on all panels in one ``batched.compare`` call (the others are
    reused); after ``update``, ``self.points[:, k, r]`` is run ``r`` on panel ``k`` (NaN after a
    divergence) and ``self.lines[k][r]`` draws it.
    """

    def __init__(self, panels, runs, controls, steps: int = 100, levels: int = 20, figsize=None,
                 legend_panel: int = 0, **kwargs):
        self.panels = [tuple(p) + ((None,) if len(p) == 3 else ()) for p in panels]
        self.runs, self.steps, self.levels, self.legend_panel = list(runs), steps, levels, legend_panel
        self.functions = [p[1] for p in self.panels]
        self.starts = np.array([np.asarray(p[2], dtype=float) for p in self.panels])
        self._cache = [None] * len(self.runs)  # per run: (hyperparameters, points, final losses, diverged_at)
        figsize = figsize or (3.4 * len(self.panels), 3.6)
        self.info = W.HTML()  # final losses, as a table under the figure (text in the figure is slow to blit)
        super().__init__(controls, figsize=figsize, **kwargs)
        self.widget = W.VBox([W.HBox(list(self.controls.values())), self.canvas, self.info])

    def setup(self, figure):
        axes = figure.subplots(1, len(self.panels), squeeze=False)[0]
        figure.subplots_adjust(left=0.05, right=0.99, bottom=0.13, top=0.9, wspace=0.22)
        self.axes, self.lines = axes, []
        for k, (ax, (title, f, start, bounds)) in enumerate(zip(axes, self.panels, strict=True)):
            contour(ax, f, bounds or f.bounds, levels=self.levels)
            ax.plot(*start, "ko", markersize=4)
            if getattr(f, "local_minimum", None) is not None:
                ax.plot(*f.local_minimum, marker="x", color="k", markersize=7, linestyle="none")
            ax.set_title(title, fontsize=10)
            if k:
                ax.set_ylabel("")
            self.lines.append([self.dynamic(trajectory_line(ax, label, COLORS[r % len(COLORS)]))
                               for r, (label, _, _) in enumerate(self.runs)])
        axes[self.legend_panel].legend(loc="upper left", fontsize=7, framealpha=0.85)

    def update(self, **values):
        specs = [(cls, hyper(values)) for _, cls, hyper in self.runs]
        keys = [(cls, repr(sorted(h.items()))) for cls, h in specs]
        todo = [r for r, key in enumerate(keys) if self._cache[r] is None or self._cache[r][0] != key]
        if todo:  # only the runs whose hyperparameters changed, all in one batched call
            tr = compare(self.functions, self.starts, [specs[r] for r in todo], self.steps)
            n = len(tr.points)
            for i, r in enumerate(todo):
                points = np.full((self.steps + 1, len(self.panels), 2), np.nan)
                points[:n] = tr.points[:, :, i]
                self._cache[r] = (keys[r], points, tr.losses[-1, :, i], tr.diverged_at[:, i])
        self.points = np.stack([c[1] for c in self._cache], axis=2)  # (steps + 1, K, R, 2)
        self.final_losses = np.stack([c[2] for c in self._cache], axis=1)  # (K, R)
        self.diverged_at = np.stack([c[3] for c in self._cache], axis=1)  # (K, R), -1: did not diverge
        cells = [[] for _ in self.panels]
        for k in range(len(self.panels)):
            for r in range(len(self.runs)):
                pts = self.points[:, k, r]
                self.lines[k][r].set_data(pts[:, 0], pts[:, 1])
                at = int(self.diverged_at[k, r])
                cells[k].append(f"diverged at step {at}" if at >= 0 else f"{self.final_losses[k, r]:.3g}")
        rows = "".join(f"<tr><td style='color:{COLORS[r % len(COLORS)]}'><b>{label}</b></td>"
                       + "".join(f"<td>{cells[k][r]}</td>" for k in range(len(self.panels))) + "</tr>"
                       for r, (label, _, _) in enumerate(self.runs))
        head = "".join(f"<th>{p[0]}</th>" for p in self.panels)
        self.info.value = f"<table><tr><th>f after {self.steps} steps</th>{head}</tr>{rows}</table>"
        return False


def momentum_runs():
    """SGD, momentum (γ) and Nesterov (γ), all with the ``lr`` slider's ``α`` (at ``γ = 0`` the
    last two are plain SGD)."""
    return [
        ("SGD", optim.SGD, lambda v: dict(lr=v["lr"])),
        ("momentum", optim.SGD, lambda v: dict(lr=v["lr"], momentum=v["gamma"])),
        ("Nesterov", optim.SGD, _nesterov),
    ]


def _nesterov(v):
    # at γ = 0 Nesterov is plain SGD (PyTorch refuses nesterov=True with momentum 0)
    return dict(lr=v["lr"], momentum=v["gamma"], nesterov=True) if v["gamma"] > 0 else dict(lr=v["lr"])


def momentum_panels():
    """The three landscapes of chapter 3: an ill-conditioned quadratic (κ = 25), the saddle
    ``x² − y²`` started almost on its ridge, and a bowl with a small local minimum."""
    quad = F.Quadratic.with_condition_number(25, L=2.0, angle=0.5)
    return [
        ("quadratic, κ = 25", quad, (-2.5, 2.0)),
        ("saddle x² − y²", F.Saddle(), (-1.8, 0.01)),
        ("bowl with a local minimum (×)", F.LocalMinimum2D(), (3.2, 2.6)),
    ]


def momentum_explorer(lr: float = 0.05, gamma: float = 0.9, steps: int = 100, **kwargs) -> MultiFunctionExplorer:
    """The chapter-3 explorer: ``lr`` (log scale, 0.001 to 2) and ``γ`` sliders, SGD vs
    momentum vs Nesterov on ``momentum_panels()``. The ``lr`` range reaches past every
    divergence edge of the quadratic panel (``L = 2``): ``2/L = 1`` for SGD,
    ``(1 + γ)/(1 + 2γ)`` for Nesterov and ``1 + γ`` (up to 1.99) for momentum."""
    controls = dict(lr=lr_slider(lr, 1e-3, 2.0), gamma=gamma_slider(gamma, 0.0, 0.99))
    kwargs.setdefault("legend_panel", 1)  # the saddle panel's upper left is empty: the legend hides no path
    return MultiFunctionExplorer(momentum_panels(), momentum_runs(), controls, steps=steps, **kwargs)


class RateMapExplorer(Explorer):
    """Left: the measured convergence rate of momentum over the ``(α, γ)`` grid (computed once,
    in one vectorised run), a marker at the slider values ``(lr, gamma)`` and a star at
    ``(α*, γ*)``. Right: the run at the slider values over the quadratic's contours, with the
    measured rate of that run. Sliders: ``lr`` (log scale) and ``gamma``."""

    def __init__(self, f=None, n: int = 128, steps: int = 300, start=None, lr=None, gamma=None, **kwargs):
        self.f = f if f is not None else F.Quadratic.with_condition_number(100, L=1.0, angle=0.4,
                                                                           bounds=((-2.5, 2.5), (-2.5, 2.5)))
        self.steps = steps
        self.start = np.array([2.0, 1.0] if start is None else start, dtype=float)
        self.alpha_star, self.gamma_star = optimal_momentum(self.f.mu, self.f.L)
        lrs = np.linspace(0, 4 / self.f.L, n + 1)[1:]
        self.map = rate_map(self.f, lrs, np.linspace(0, 0.99, n), steps=steps)
        default_lr, default_gamma = self.best_slider_values()
        controls = dict(lr=lr_slider(lr or default_lr, 1e-2, 4 / self.f.L, steps_per_decade=40),
                        gamma=gamma_slider(gamma if gamma is not None else default_gamma))
        super().__init__(controls, figsize=(9.0, 3.8), **kwargs)

    def best_slider_values(self) -> tuple[float, float]:
        """The ``(α, γ)`` the sliders can reach (log grid of 40 values a decade, γ in steps of
        0.01) with the smallest theoretical rate; among equal rates, the one nearest to
        ``(α*, γ*)``. The exact optimum sits on the divergence edge, so the nearest slider value
        to ``α*`` may lie just past it; this default never does."""
        exponents = np.arange(-2, np.log10(4 / self.f.L) + 1e-9, 1 / 40)
        A, G = np.meshgrid(10.0**exponents, np.round(np.arange(0, 100) / 100, 2))
        rates = heavy_ball_rate(A, G, self.f.eigenvalues)
        near = np.hypot(np.log(A / self.alpha_star), G - self.gamma_star)
        ties = rates <= rates.min() + 1e-9
        k = np.argmin(np.where(ties, near, np.inf))
        return float(A.flat[k]), float(G.flat[k])

    def setup(self, figure):
        ax_map, ax = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.07, right=0.97, bottom=0.14, top=0.9, wspace=0.35)
        rate_heatmap(ax_map, self.map.lrs, self.map.momenta, self.map.rates, optimum=(self.alpha_star, self.gamma_star),
                     colorbar=False, title="rate per step (★: α*, γ*; ○: the sliders)")
        ax_map.get_legend().remove()  # the title explains the markers; a legend would cover the map
        contour(ax, self.f, self.f.bounds, levels=20)
        ax.plot(*self.start, "ko", markersize=4)
        self.marker = self.dynamic(ax_map.plot([], [], "o", color="white", markeredgecolor="k", markersize=8)[0])
        self.line = self.dynamic(trajectory_line(ax, "momentum", COLORS[1]))
        self.note = self.dynamic(ax.set_title("", fontsize=9))
        self.ax, self.ax_map = ax, ax_map

    def update(self, lr, gamma):
        tr = minimize(self.f, self.start, optim.SGD, self.steps, lr=lr, momentum=gamma)
        self.run = tr
        self.marker.set_data([lr], [gamma])
        self.line.set_data(tr.points[:, 0], tr.points[:, 1])
        rate = float(measured_rate(tr.points, self.f.minimum))
        self.note.set_text(f"α = {lr:.3g}, γ = {gamma:.2f}: " +
                           (f"diverged at step {tr.diverged_at}" if tr.diverged else f"rate {rate:.3f} per step"))
        return False
