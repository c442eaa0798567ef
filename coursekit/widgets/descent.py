r"""Explorer: the step size of gradient descent, :math:`x_{t+1} = x_t - \alpha\nabla f(x_t)`.

One log-scale ``lr`` slider drives plain gradient descent (``optim.SGD``) on a 1-D quadratic
:math:`f(x) = \tfrac{L}{2}x^2` and on a 2-D quadratic bowl. On a quadratic each step
multiplies the distance to the minimum along an eigenvector of curvature ``λ`` by
``1 − αλ``, so

- ``α < 1/L``: every factor is in ``(0, 1)``, a monotone (and, for tiny ``α``, slow) descent;
- ``1/L < α < 2/L``: the factor for ``λ = L`` is negative, the iterate jumps across the
  valley and back (oscillation) but still converges;
- ``α > 2/L``: ``|1 − αL| > 1``, every step overshoots further: divergence.

Panels: the 1-D parabola with the iterates, the 2-D contours with the trajectory, and
``f(x_t) − f(x*)`` against ``t`` for both (log scale), with ``α·L`` and the regime written.

The log-scale slider moves in notches of ``NOTCH = 1.05**(1/5)`` (about 1 %): ``α = 1`` is a
notch, so are ``0.99`` (one notch below, ``1.05**-0.2 = 0.9903``) and ``1.05`` (five notches
above). With ``L = 2`` that puts ``2/L`` itself and values just either side of it within reach.
"""

from __future__ import annotations

import math

import numpy as np

from .. import optim
from ..functions import Quadratic
from ..plots import COLORS, contour, trajectory_line
from ..train import minimize
from .base import Explorer, lr_slider

__all__ = ["NOTCH", "StepSizeExplorer", "regime", "step_size_slider"]

#: one notch of the step-size slider: five notches multiply α by 1.05
NOTCH = 1.05 ** 0.2


def step_size_slider(value: float = 0.8, min: float = 0.01, max: float = 3.0, **kwargs):
    """A log-scale ``lr`` slider whose notches are the powers ``NOTCH**k`` (so 1.0, 0.99 and
    1.05 are all notches), covering at least ``[min, max]``."""
    k_lo = math.floor(math.log(min) / math.log(NOTCH) + 1e-9)
    k_hi = math.ceil(math.log(max) / math.log(NOTCH) - 1e-9)
    return lr_slider(value, NOTCH**k_lo, NOTCH**k_hi, steps_per_decade=1 / math.log10(NOTCH), **kwargs)


def regime(lr: float, L: float) -> str:
    """In words, what gradient descent with step ``lr`` does on a quadratic of largest
    curvature ``L``."""
    aL = lr * L
    if math.isclose(aL, 1.0, rel_tol=1e-9):  # a slider value 10**x may miss 1/L by a rounding
        return "one step along the steepest axis (α = 1/L)"
    if math.isclose(aL, 2.0, rel_tol=1e-9):
        return "endless oscillation (α = 2/L)"
    if aL < 1:
        return "monotone convergence (α < 1/L)"
    if aL < 2:
        return "oscillating convergence (1/L < α < 2/L)"
    return "divergence (α > 2/L)"


class StepSizeExplorer(Explorer):
    """Gradient descent with step ``lr`` on a 1-D quadratic ``f1`` and a 2-D quadratic ``f2``.

    ``f1`` defaults to ``Quadratic([[L]])`` (``f = L x²/2``) with ``L = 2``, started at
    ``x0_1``; ``f2`` to ``Quadratic.from_coefficients([0.25, 1])`` (curvatures 0.5 and 2, so
    the same ``L = 2`` and the same bound ``α < 2/L = 1``), started at ``x0_2``. The slider
    (``step_size_slider``) opens at ``α = 0.8``, between ``1/L`` and ``2/L``: the 1-D iterate
    hops across the parabola, the 2-D one zig-zags, and both still converge.
    After ``update(lr=…)``, ``self.trajectories`` holds the two ``Trajectory`` objects.
    """

    def __init__(self, f1=None, f2=None, x0_1=(2.0,), x0_2=(-2.5, 2.0), steps: int = 30, controls=None,
                 figsize=(9.0, 3.4), dpi: int = 100, **kwargs):
        self.f1 = f1 if f1 is not None else Quadratic([[2.0]], bounds=((-3.0, 3.0),))
        self.f2 = f2 if f2 is not None else Quadratic.from_coefficients([0.25, 1.0])
        if self.f1.dim != 1 or self.f2.dim != 2:
            raise ValueError("f1 must be a 1-D and f2 a 2-D function")
        self.x0_1, self.x0_2 = np.asarray(x0_1, dtype=float), np.asarray(x0_2, dtype=float)
        self.steps = steps
        self.L = max(self.f1.L, self.f2.L)
        self.trajectories = {}
        controls = controls or dict(lr=step_size_slider())
        super().__init__(controls, figsize=figsize, dpi=dpi, **kwargs)

    def setup(self, figure):
        a1, a2, a3 = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.1]})
        figure.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.8, wspace=0.45)
        (lo, hi), = self.f1.bounds
        xs = np.linspace(lo, hi, 300)
        a1.plot(xs, self.f1(xs[:, None]), color="0.5", linewidth=1.2)
        a1.set_xlim(lo, hi)
        top = float(self.f1(np.array([hi])))
        a1.set_ylim(-0.05 * top, 1.05 * top)
        a1.set_xlabel("$x$")
        a1.set_ylabel("$f(x)$")
        a1.set_title(f"1-D: $f = \\frac{{L}}{{2}}x^2$, $L = {self.f1.L:g}$", fontsize=10)
        self.line1 = self.dynamic(a1.plot([], [], "-o", color=COLORS[0], markersize=3, linewidth=1)[0])

        contour(a2, self.f2, self.f2.bounds, levels=15)
        a2.plot(*self.x0_2, "ko", markersize=4)
        a2.set_title(f"2-D bowl, curvatures {self.f2.mu:g} and {self.f2.L:g}", fontsize=10)
        self.line2 = self.dynamic(trajectory_line(a2, "GD", COLORS[1]))

        a3.set_yscale("log")
        a3.set_xlim(0, self.steps)
        gap0 = max(float(self.f1(self.x0_1)), float(self.f2(self.x0_2) - self.f2(self.f2.minimum)))
        a3.set_ylim(gap0 * 1e-12, gap0 * 1e4)
        a3.set_xlabel("step $t$")
        a3.set_ylabel(r"$f(x_t) - f(x^*)$")
        a3.grid(True, alpha=0.3)
        # 1-D dashed and on top: at α = 2/(L+μ) both gaps fall at the same rate, one line on the other
        self.gap1 = self.dynamic(a3.plot([], [], "--", color=COLORS[0], linewidth=1.8, zorder=3, label="1-D")[0])
        self.gap2 = self.dynamic(a3.plot([], [], color=COLORS[1], linewidth=1.5, label="2-D")[0])
        a3.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
        self.status = self.dynamic(figure.text(0.5, 0.965, "", ha="center", va="center", fontsize=10))

    def update(self, lr):
        t1 = minimize(self.f1, self.x0_1, optim.SGD, self.steps, lr=lr)
        t2 = minimize(self.f2, self.x0_2, optim.SGD, self.steps, lr=lr)
        self.trajectories = {"1-D": t1, "2-D": t2}
        self.line1.set_data(t1.points[:, 0], t1.losses)
        self.line2.set_data(t2.points[:, 0], t2.points[:, 1])
        steps = np.arange(len(t1.losses))
        self.gap1.set_data(steps, np.maximum(t1.losses - float(self.f1(self.f1.minimum)), 1e-300))
        steps = np.arange(len(t2.losses))
        self.gap2.set_data(steps, np.maximum(t2.losses - float(self.f2(self.f2.minimum)), 1e-300))
        self.status.set_text(f"α = {lr:.3g},  α·L = {lr * self.L:.2f}  (bound α·L < 2):  {regime(lr, self.L)}")
        return False
