"""Running optimizers: on a test function (a trajectory) and on a network (a history).

``minimize`` runs any ``coursekit.optim`` optimizer on a function of ``coursekit.functions``
from a start point, or from a whole batch of start points with array-valued
hyperparameters (one trajectory per row: a sweep in one run). A run that blows up stops
and says at which step, instead of filling the screen with overflow warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import optim as _optim

__all__ = ["Trajectory", "minimize"]


@dataclass
class Trajectory:
    """What ``minimize`` returns.

    ``points[s]`` is the iterate after ``s`` steps (``points[0]`` the start), with shape
    ``(n_steps + 1, *batch, d)``; ``losses`` and ``grad_norms`` have shape
    ``(n_steps + 1, *batch)``. A trajectory that diverged holds NaN from its divergence step
    on; ``diverged_at`` is that step (``None`` if it never diverged; for a batch an integer
    array with ``-1`` for the trajectories that did not). ``message`` says what happened.
    """

    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: int | np.ndarray | None
    message: str

    @property
    def diverged(self) -> bool | np.ndarray:
        if isinstance(self.diverged_at, np.ndarray):
            return self.diverged_at >= 0
        return self.diverged_at is not None

    @property
    def final(self) -> np.ndarray:
        """The last iterate (NaN for a trajectory that diverged)."""
        return self.points[-1]


def _make_optimizer(optimizer, params, hyperparameters):
    if isinstance(optimizer, type) and issubclass(optimizer, _optim.Optimizer):
        return optimizer(params, **hyperparameters)
    if hyperparameters:
        raise TypeError(
            "hyperparameters can only be given with an optimizer class (e.g. optimizer=Adam, lr=0.1); "
            "a factory function should set them itself"
        )
    if not callable(optimizer):
        raise TypeError(
            f"optimizer must be a coursekit.optim class or a function params -> optimizer; got {optimizer!r}"
        )
    return optimizer(params)


def minimize(f, x0, optimizer=_optim.SGD, steps: int = 100, *, max_norm: float = 1e6,
             **hyperparameters) -> Trajectory:
    """Run ``optimizer`` on ``f`` from ``x0`` for ``steps`` steps.

    ``f`` is a function object with ``f(x)`` and ``f.grad(x)`` (``coursekit.functions``);
    ``x0`` has shape ``(d,)`` for one trajectory or ``(*batch, d)`` for many, run at once;
    ``optimizer`` is a ``coursekit.optim`` class, called as ``optimizer([x], **hyperparameters)``
    (array hyperparameters of shape ``(*batch, 1)`` give each trajectory its own value), or
    a function ``params -> optimizer``.

    A trajectory diverges at step ``k`` when its iterate becomes non-finite or its norm
    exceeds ``max_norm``; from then on it is NaN, and the run stops when every trajectory
    has diverged (or finished).

    Example: ``minimize(Quadratic.from_coefficients([0.1, 2]), [-5, -2], SGD, 50, lr=0.4)``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0; got {steps!r}")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0; got {max_norm!r}")
    x = np.array(x0, dtype=float)
    if x.ndim == 0:
        raise ValueError("x0 must be a point of shape (d,) or a batch of shape (..., d); got a scalar")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite (it contains NaN or inf)")
    opt = _make_optimizer(optimizer, [x], hyperparameters)

    batch = x.shape[:-1]
    points = np.full((steps + 1, *x.shape), np.nan)
    losses = np.full((steps + 1, *batch), np.nan)
    grad_norms = np.full((steps + 1, *batch), np.nan)
    diverged_at = np.full(batch, -1, dtype=int)
    alive = np.ones(batch, dtype=bool)

    last = steps
    with np.errstate(all="ignore"):  # divergence is detected below, not by warnings
        g = f.grad(x)
        points[0], losses[0], grad_norms[0] = x, f(x), np.linalg.norm(g, axis=-1)
        for s in range(1, steps + 1):
            opt.step([g])
            g = f.grad(x)
            bad = alive & ~(np.all(np.isfinite(x), axis=-1) & (np.linalg.norm(x, axis=-1) <= max_norm)
                            & np.all(np.isfinite(g), axis=-1))
            if np.any(bad):
                diverged_at[bad] = s
                alive &= ~bad
                x[bad] = np.nan  # stop the row from overflowing further; NaN stays in its row
                g[bad] = np.nan
            points[s] = np.where(alive[..., None], x, np.nan)
            losses[s] = np.where(alive, f(x), np.nan)
            grad_norms[s] = np.where(alive, np.linalg.norm(g, axis=-1), np.nan)
            if not np.any(alive):
                last = s
                break

    points, losses, grad_norms = points[: last + 1], losses[: last + 1], grad_norms[: last + 1]
    if batch == ():
        k = int(diverged_at)
        if k >= 0:
            message = f"diverged at step {k}: the iterate left |x| <= {max_norm:g} (or became NaN/inf)"
            return Trajectory(points, losses, grad_norms, k, message)
        return Trajectory(points, losses, grad_norms, None, f"ran {steps} steps")
    n_bad = int(np.sum(diverged_at >= 0))
    if n_bad:
        message = (f"{n_bad} of {diverged_at.size} trajectories diverged "
                   f"(the first at step {int(diverged_at[diverged_at >= 0].min())})")
    else:
        message = f"ran {steps} steps on {diverged_at.size} trajectories; none diverged"
    return Trajectory(points, losses, grad_norms, diverged_at, message)
