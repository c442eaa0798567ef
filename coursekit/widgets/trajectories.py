"""Explorer: several optimizers' trajectories over the contours of a 2-D function."""

from __future__ import annotations

import numpy as np

from ..plots import COLORS, contour, trajectory_line
from ..train import minimize
from .base import Explorer

__all__ = ["TrajectoryExplorer"]


class TrajectoryExplorer(Explorer):
    """Trajectories of several optimizer runs on ``f`` from ``start``, recomputed on every
    slider move; on the right, the loss gap ``f(x_t) − f(x*)`` per step (log scale) when ``f``
    has a known minimum.

    ``runs`` is a list of ``(label, optimizer_class, hyperparameters)`` where
    ``hyperparameters(values)`` maps the slider values (a dict by control name) to the
    optimizer's keyword arguments, e.g.
    ``("momentum", optim.SGD, lambda v: dict(lr=v["lr"], momentum=v["gamma"]))``.
    """

    def __init__(self, f, start, runs, controls, steps: int = 100, bounds=None, levels: int = 25,
                 figsize=(9.0, 3.8), **kwargs):
        self.f, self.start, self.runs, self.steps = f, np.asarray(start, dtype=float), list(runs), steps
        self.bounds, self.levels = bounds or f.bounds, levels
        self.trajectories = {}
        super().__init__(controls, figsize=figsize, **kwargs)

    @property
    def _has_loss_panel(self):
        return getattr(self.f, "minimum", None) is not None

    def setup(self, figure):
        if self._has_loss_panel:
            ax, self.loss_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        else:
            ax, self.loss_ax = figure.subplots(), None
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.92, wspace=0.25)
        contour(ax, self.f, self.bounds, levels=self.levels)
        ax.plot(*self.start, "ko", markersize=5)
        self.ax = ax
        self.lines = [self.dynamic(trajectory_line(ax, label, COLORS[i])) for i, (label, _, _) in enumerate(self.runs)]
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
        self.status = self.dynamic(ax.text(0.01, 0.01, "", transform=ax.transAxes, fontsize=8, va="bottom",
                                           bbox=dict(facecolor="white", alpha=0.8, edgecolor="none")))
        if self.loss_ax is not None:
            la = self.loss_ax
            la.set_yscale("log")
            la.set_xlim(0, self.steps)
            gap0 = float(self.f(self.start) - self.f(self.f.minimum))
            la.set_ylim(max(gap0, 1e-12) * 1e-10, max(gap0, 1e-12) * 1e3)
            la.set_xlabel("step $t$")
            la.set_ylabel(r"$f(x_t) - f(x^*)$")
            la.grid(True, which="major", alpha=0.3)
            self.loss_lines = [self.dynamic(la.plot([], [], color=COLORS[i], linewidth=1.4)[0])
                               for i in range(len(self.runs))]

    def update(self, **values):
        notes = []
        f_star = float(self.f(self.f.minimum)) if self._has_loss_panel else 0.0
        for i, (label, optimizer, hyper) in enumerate(self.runs):
            tr = minimize(self.f, self.start, optimizer, self.steps, **hyper(values))
            self.trajectories[label] = tr
            self.lines[i].set_data(tr.points[:, 0], tr.points[:, 1])
            if self._has_loss_panel:
                self.loss_lines[i].set_data(np.arange(len(tr.losses)), np.maximum(tr.losses - f_star, 1e-300))
            notes.append(f"{label}: diverged at step {tr.diverged_at}" if tr.diverged
                         else f"{label}: f = {tr.losses[-1]:.3g}")
        self.status.set_text("\n".join(notes))
        return False
