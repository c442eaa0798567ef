"""Judges of chapter 2's exercises (the problems of SGD), and the SGD runs they share.

The problem is chapter 2's section 6: least squares ``J(θ) = ½·mean((Aθ − y)²)`` on 500 synthetic
examples with 5 features and an intercept (``data.synthetic_regression(500, 5, noise=0.5, seed=0)``),
whose exact minimiser ``θ*`` is known, so the gap ``J(θ) − J(θ*) = ½ (θ − θ*)ᵀ H (θ − θ*)`` is exact.
:func:`sgd_gaps` runs many SGD runs side by side with ``optim.SGD`` (each run its own random
examples, drawn with replacement, seeded). A judge validates its ``values`` itself, is
deterministic and takes well under a second.
"""

from __future__ import annotations

import functools
import math
from types import SimpleNamespace

import numpy as np

from coursekit import data, nn, optim
from coursekit.grading.judges import Number, read_numbers

__all__ = ["floor_reached", "regression", "sgd_gaps"]

SEED = 0


@functools.lru_cache(maxsize=1)
def regression():
    """The least-squares problem of chapter 2, section 6, as a namespace: ``A`` (inputs with a column
    of ones), ``y``, ``theta_star`` (the exact minimiser), ``H = AᵀA/N`` (the Hessian), ``Sigma``
    (the covariance of a one-example gradient at ``θ*``) and ``theta0`` (the start of every run:
    an ``nn.Linear(5, 1, seed=0)``'s weights and bias). The arrays are read-only."""
    reg = data.synthetic_regression(500, 5, noise=0.5, seed=SEED)
    A, y = np.hstack([reg.X, np.ones((len(reg.y), 1))]), reg.y
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    G_star = A * (A @ theta_star - y)[:, None]                 # per-example gradients at θ* (mean 0)
    lin = nn.Linear(A.shape[1] - 1, 1, seed=SEED)
    out = SimpleNamespace(A=A, y=y, theta_star=theta_star, H=A.T @ A / len(A), Sigma=G_star.T @ G_star / len(A),
                          theta0=np.r_[lin.W[:, 0], lin.b])
    for a in vars(out).values():
        a.setflags(write=False)
    return out


def sgd_gaps(lr, batch_size, steps, runs=100, seed=SEED):
    """``J(θ_t) − J(θ*)`` after each of ``steps`` steps of ``runs`` SGD runs side by side (shape
    ``(steps, runs)``), all from ``theta0``, at the constant rate ``lr`` with mini-batches of
    ``batch_size`` examples drawn with replacement (each run its own, from one seeded generator).
    A run that blows up holds ``inf``."""
    p = regression()
    theta = np.tile(p.theta0, (int(runs), 1))                 # row r: θ of run r
    opt = optim.SGD([theta], lr=float(lr))
    rng = np.random.default_rng(seed)
    gaps = np.empty((int(steps), int(runs)))
    with np.errstate(all="ignore"):                          # a diverging run overflows: it becomes inf below
        for t in range(int(steps)):
            S = rng.integers(0, len(p.y), size=(int(runs), int(batch_size)))
            residual = np.einsum("rbi,ri->rb", p.A[S], theta) - p.y[S]
            opt.step([np.einsum("rbi,rb->ri", p.A[S], residual) / S.shape[1]])   # g_S: mean of a_i (a_i·θ − y_i)
            d = theta - p.theta_star
            gaps[t] = 0.5 * np.einsum("ri,ij,rj->r", d, p.H, d)
    return np.where(np.isfinite(gaps), gaps, np.inf)



def floor_reached(values, *, target, steps, window, max_batch):
    """Does ``values = (lr, batch_size)`` bring the mean gap of :func:`sgd_gaps` (100 runs of
    ``steps`` steps) over the last ``window`` steps below ``target``, with ``batch_size <= max_batch``?"""
    got, problem = read_numbers(values, Number("lr", 0, 10), Number("batch_size", 1, max_batch, whole=True))
    if problem:
        return False, problem
    lr, batch_size = got
    gaps = sgd_gaps(lr, int(batch_size), steps)
    late = float(gaps[-int(window):].mean())
    where = f"lr = {float(lr):g}, batch_size = {int(batch_size)}"
    if not math.isfinite(late):
        return False, f"{where}: the runs diverged"
    trend = "still falling" if late < 0.7 * float(gaps[-2 * int(window):-int(window)].mean()) else "flat"
    verdict = "reaches" if late < target else "misses"
    return bool(late < target), (f"{where}: mean gap J − J* over the last {int(window)} of {int(steps)} steps "
                                 f"{late:.2e} ({trend} there), which {verdict} the target {target:.0e}")
