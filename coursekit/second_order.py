r"""Per-weight gains and Newton's method (the short "beyond" section of chapter 4).

``LocalGains`` is gradient descent in which every weight has its own gain (Jacobs 1988's
delta-bar-delta, as taught in Hinton's lecture 6b and described in source 002): the gain grows
additively while the gradient keeps its sign and shrinks multiplicatively when it flips.

``Newton`` uses the curvature itself: :math:`x \leftarrow x - \alpha H^{-1} \nabla f(x)`, with
``H`` the Hessian (``f.hessian``), optionally damped, :math:`H + \lambda I`. On a quadratic one
full Newton step lands on the minimum whatever the condition number; the price is building and
solving with a ``d × d`` matrix per step, which is why deep learning rarely uses it.
"""

from __future__ import annotations

import numpy as np

from .optim import Optimizer, _arrays_like, _pair, check_range
from .train import Trajectory, minimize

__all__ = ["LocalGains", "Newton", "newton_minimize"]


class LocalGains(Optimizer):
    r"""Gradient descent with a gain per weight.

    .. code-block:: text

        if g · g_prev > 0:  k ← k + increase          same sign: trust this direction more
        if g · g_prev < 0:  k ← k · decrease          sign flipped: back off
        k ← clip(k, gain_range)
        v ← γ v − α k g ;  θ ← θ + v                  (γ = momentum; 0: plain per-weight rates)

    Gains start at 1. Meant for full batches or large mini-batches: with small mini-batches
    the sign of ``g`` flips by noise and the gains only shrink.
    """

    defaults = dict(lr=1e-2, increase=0.05, decrease=0.95, gain_range=(0.1, 10.0), momentum=0.0)

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        check_range("increase", group["increase"], low=0)
        check_range("decrease", group["decrease"], low=0, high=1, low_open=True)
        lo, hi = _pair("gain_range", group["gain_range"])
        check_range("gain_range[0]", lo, low=0, low_open=True)
        check_range("gain_range[1]", hi, low=lo)
        check_range("momentum", group["momentum"], low=0, high=1, high_open=True)

    def _init_state(self, p, group):
        return {**_arrays_like(p, "g_prev", "v"), "gain": np.ones_like(p)}

    def _update(self, p, g, state, group):
        k = state["gain"]
        agreement = g * state["g_prev"]  # 0 at the first step: no previous sign, gain unchanged
        k[...] = np.where(agreement > 0, k + group["increase"], np.where(agreement < 0, k * group["decrease"], k))
        np.clip(k, *group["gain_range"], out=k)
        v = state["v"]
        v *= group["momentum"]
        v -= group["lr"] * k * g
        p += v
        state["g_prev"][...] = g


class Newton:
    r"""Newton's method as an optimizer for ``train.minimize``: ``x ← x − α (H + λI)⁻¹ g`` with
    ``H = hessian(x)`` (``lr = α``, ``damping = λ``). ``params`` is ``[x]`` of shape ``(..., d)``."""

    def __init__(self, params, hessian, lr: float = 1.0, damping: float = 0.0):
        check_range("lr", lr, low=0)
        check_range("damping", damping, low=0)
        (self.x,) = params
        self.hessian, self.lr, self.damping = hessian, lr, damping

    def step(self, grads):
        (g,) = grads
        H = self.hessian(self.x) + self.damping * np.eye(self.x.shape[-1])
        self.x -= self.lr * np.linalg.solve(H, g[..., None])[..., 0]


def newton_minimize(f, x0, steps: int = 20, lr: float = 1.0, damping: float = 0.0) -> Trajectory:
    """``steps`` Newton steps on ``f`` (which needs ``f.hessian``) from ``x0``; a ``Trajectory``
    like ``train.minimize`` returns."""
    if not hasattr(f, "hessian"):
        raise TypeError(f"{f!r} has no hessian: Newton's method needs second derivatives")
    return minimize(f, x0, lambda params: Newton(params, f.hessian, lr=lr, damping=damping), steps)
