r"""Explorer: the directional derivative :math:`D_u f = \nabla f\cdot u = |\nabla f|\cos\varphi`.

An angle slider turns a unit direction ``u`` about a point ``x`` of a 2-D function: ``φ`` is
the angle from the gradient ``∇f(x)`` to ``u`` (anticlockwise; ``φ``, not ``θ``, because the
course keeps ``θ`` for the parameters). On the left, the contours, the gradient (fixed) and
the direction ``u`` (moving); on the right, ``D_u f`` against ``φ`` with the current ``φ``
marked: largest (``|∇f|``) at ``φ = 0`` — the gradient is the direction of steepest ascent —
zero along the contour (``φ = ±90°``) and most negative at ``φ = 180°``, the direction
``−∇f`` that gradient descent takes.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..gradients import directional_derivative
from ..plots import COLORS, contour
from .base import Explorer

__all__ = ["DirectionExplorer", "angle_slider", "direction_at_angle"]


def angle_slider(value: float = 45.0, description: str = "φ (degrees)", **kwargs) -> W.FloatSlider:
    """A slider for the angle ``φ`` between ``∇f`` and the direction ``u``, in degrees."""
    return W.FloatSlider(value=value, min=-180.0, max=180.0, step=1.0, description=description,
                         readout_format=".0f", continuous_update=True,
                         style={"description_width": "initial"}, **kwargs)


def direction_at_angle(g, phi_degrees) -> np.ndarray:
    """The unit vector(s) at angle ``φ`` (degrees, anticlockwise) from the 2-D vector ``g``;
    ``phi_degrees`` may be an array (result shape ``(..., 2)``)."""
    g = np.asarray(g, dtype=float)
    angle = np.arctan2(g[1], g[0]) + np.deg2rad(np.asarray(phi_degrees, dtype=float))
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


class DirectionExplorer(Explorer):
    """Angle slider ``phi`` (degrees) turning the direction ``u`` about the point ``x`` of
    the 2-D function ``f`` (``f.grad`` needed); see the module docstring.

    After ``update(phi=…)``: ``self.u`` is the direction and ``self.value`` is ``D_u f``.
    """

    def __init__(self, f, x, controls=None, bounds=None, arrow_scale: float | None = None,
                 figsize=(8.0, 3.5), dpi: int = 100, **kwargs):
        self.f, self.x = f, np.asarray(x, dtype=float)
        self.bounds = bounds or f.bounds
        self.g = np.asarray(f.grad(self.x), dtype=float)
        self.gnorm = float(np.linalg.norm(self.g))
        if self.gnorm == 0:
            raise ValueError("x must not be a stationary point: the gradient there is zero")
        span = min(b[1] - b[0] for b in self.bounds)
        self.arrow_scale = arrow_scale or 0.3 * span  # length of the drawn arrows
        controls = controls or dict(phi=angle_slider())
        super().__init__(controls, figsize=figsize, dpi=dpi, **kwargs)

    def setup(self, figure):
        ax, cax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.1]})
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.84, wspace=0.28)
        contour(ax, self.f, self.bounds, levels=20)
        ax.set_aspect("equal", adjustable="box")
        ax.plot(*self.x, "ko", markersize=5)
        s = self.arrow_scale / self.gnorm
        ax.quiver(*self.x, *(self.g * s), angles="xy", scale_units="xy", scale=1, color=COLORS[0],
                  width=0.012, label=r"$\nabla f$ (ascent)")
        ax.quiver(*self.x, *(-self.g * s), angles="xy", scale_units="xy", scale=1, color=COLORS[2],
                  width=0.012, label=r"$-\nabla f$ (descent)")
        self.arrow = self.dynamic(ax.quiver(*self.x, 1.0, 0.0, angles="xy", scale_units="xy", scale=1,
                                            color=COLORS[1], width=0.007, label="$u$"))
        # the legend above the contours, where the title would be: off the data
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False,
                  handlelength=1.2, columnspacing=1.0)

        phis = np.linspace(-180, 180, 361)
        d = directional_derivative(self.g, self.x, direction_at_angle(self.g, phis))
        cax.plot(phis, d, color="k", linewidth=1.4, label=r"$D_u f = |\nabla f|\cos\varphi$")
        cax.axhline(0, color="0.6", linewidth=0.8)
        cax.set_xlim(-180, 180)
        cax.set_ylim(-1.2 * self.gnorm, 1.35 * self.gnorm)
        cax.set_xticks([-180, -90, 0, 90, 180])
        cax.set_xlabel("φ (degrees) between $u$ and $\\nabla f$")
        cax.set_ylabel("$D_u f$")
        cax.grid(True, alpha=0.3)
        cax.legend(loc="upper right", fontsize=8)
        self.marker = self.dynamic(cax.plot([], [], "o", color=COLORS[1], markersize=8)[0])
        self.label = self.dynamic(cax.text(0.02, 0.97, "", transform=cax.transAxes, fontsize=9, va="top"))

    def update(self, phi):
        self.u = direction_at_angle(self.g, phi)
        self.value = float(directional_derivative(self.g, self.x, self.u))
        self.arrow.set_UVC(*(self.u * self.arrow_scale))
        self.marker.set_data([phi], [self.value])
        self.label.set_text(f"φ = {phi:.0f}°:  $D_u f$ = {self.value:.3f}")
        return False
