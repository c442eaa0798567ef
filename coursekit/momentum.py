r"""The quadratic theory of momentum, and runs whose hyperparameters change every step.

On a quadratic :math:`f(x) = \tfrac12 (x - x^*)^\top H (x - x^*)` whose curvatures (the
eigenvalues of ``H``) lie in :math:`[\mu, L]`, gradient descent with momentum ("heavy ball")

.. math::

    x_{t+1} = x_t - \alpha \nabla f(x_t) + \gamma (x_t - x_{t-1})

acts on each eigen-direction of curvature :math:`\lambda` as the linear recursion
:math:`e_{t+1} = (1 + \gamma - \alpha\lambda) e_t - \gamma e_{t-1}`, whose characteristic roots
:math:`z^2 - (1 + \gamma - \alpha\lambda) z + \gamma = 0` set the convergence rate: the error
shrinks like :math:`\rho^t` with :math:`\rho = \max_\lambda \max |z|` (``heavy_ball_rate``).
The best constant pair (Polyak, 1964) is

.. math::

    \alpha^* = \Bigl(\frac{2}{\sqrt L + \sqrt\mu}\Bigr)^2, \qquad
    \gamma^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \qquad
    \rho^* = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}

with :math:`\kappa = L/\mu`; plain gradient descent at its best, :math:`\alpha = 2/(L + \mu)`,
only reaches :math:`(\kappa - 1)/(\kappa + 1)`.

``measured_rates`` runs ``coursekit.optim.SGD`` (PyTorch's momentum form, equal to the
heavy ball for a constant ``α``) and reads the rate off the run; ``rate_map`` does it for a
whole grid of ``(α, γ)`` in ONE vectorised run (array hyperparameters, one row per grid point).
Nesterov's variant acts on the same eigen-direction as
:math:`e_{t+1} = (1 + \gamma)(1 - \alpha\lambda) e_t - \gamma (1 - \alpha\lambda) e_{t-1}`
(``nesterov_rate``); it is stable for :math:`\alpha\lambda < 2(1 + \gamma)/(1 + 2\gamma)`
(``nesterov_bound``), against :math:`\alpha\lambda < 2(1 + \gamma)` for the heavy ball.
``eigen_components`` splits a run's error into its eigen-directions, and
``steps_to_tolerance`` counts the steps until a curve stays below a tolerance (its last
crossing, not its first touch, which matters for oscillating curves).

``minimize_scheduled`` runs an optimizer whose hyperparameters (``lr``, ``momentum``) follow a
schedule, one value per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import optim as _optim
from .train import Trajectory, minimize

__all__ = [
    "optimal_gd",
    "optimal_momentum",
    "predicted_rate",
    "heavy_ball_rate",
    "nesterov_rate",
    "nesterov_bound",
    "eigen_components",
    "steps_to_tolerance",
    "measured_rate",
    "measured_rates",
    "RateMap",
    "rate_map",
    "minimize_scheduled",
]


def _curvatures(mu, L):
    mu, L = float(mu), float(L)
    if not (mu > 0 and L >= mu):
        raise ValueError(f"need 0 < mu <= L (the smallest and largest curvature); got mu={mu}, L={L}")
    return mu, L


def optimal_gd(mu: float, L: float) -> tuple[float, float]:
    """Plain gradient descent on a quadratic with curvatures in ``[mu, L]``: the best step
    ``α = 2/(L + μ)`` and its rate ``(κ − 1)/(κ + 1)``."""
    mu, L = _curvatures(mu, L)
    kappa = L / mu
    return 2 / (L + mu), (kappa - 1) / (kappa + 1)


def optimal_momentum(mu: float, L: float) -> tuple[float, float]:
    """The best constant ``(α*, γ*)`` of momentum on a quadratic with curvatures in ``[mu, L]``:
    ``α* = (2/(√L + √μ))²``, ``γ* = ((√κ − 1)/(√κ + 1))²``."""
    mu, L = _curvatures(mu, L)
    root_kappa = np.sqrt(L / mu)
    return float((2 / (np.sqrt(L) + np.sqrt(mu))) ** 2), float(((root_kappa - 1) / (root_kappa + 1)) ** 2)


def predicted_rate(mu: float, L: float) -> float:
    """The convergence rate of momentum at ``(α*, γ*)``: ``(√κ − 1)/(√κ + 1)`` (per step, the
    factor by which the error shrinks)."""
    mu, L = _curvatures(mu, L)
    root_kappa = np.sqrt(L / mu)
    return float((root_kappa - 1) / (root_kappa + 1))


def heavy_ball_rate(lr, momentum, eigenvalues) -> np.ndarray:
    """The exact asymptotic rate ``ρ(α, γ) = max_λ max|z|`` over the roots ``z`` of
    ``z² − (1 + γ − αλ) z + γ = 0``, for every curvature ``λ`` in ``eigenvalues``.

    ``lr`` and ``momentum`` broadcast against each other (a whole grid at once); ``ρ < 1``
    means convergence, ``ρ ≥ 1`` divergence (or no progress).
    """
    a = np.asarray(lr, dtype=float)[..., None]
    g = np.asarray(momentum, dtype=float)[..., None]
    lam = np.asarray(eigenvalues, dtype=float)
    b = 1 + g - a * lam
    disc = (b * b - 4 * g).astype(complex)
    root = np.sqrt(disc)
    z = np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))
    return z.max(axis=-1)


def nesterov_rate(lr, momentum, eigenvalues) -> np.ndarray:
    """The exact asymptotic rate of Nesterov momentum (PyTorch's ``nesterov=True``, the same
    iterates up to the look-ahead shift): ``max_λ max|z|`` over the roots of
    ``z² − (1 + γ)(1 − αλ) z + γ(1 − αλ) = 0``. Broadcasts like ``heavy_ball_rate``."""
    a = np.asarray(lr, dtype=float)[..., None]
    g = np.asarray(momentum, dtype=float)[..., None]
    lam = np.asarray(eigenvalues, dtype=float)
    q = 1 - a * lam
    b = (1 + g) * q
    root = np.sqrt((b * b - 4 * g * q).astype(complex))
    z = np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))
    return z.max(axis=-1)


def nesterov_bound(momentum, L: float = 1.0):
    """The largest stable learning rate of Nesterov momentum on curvatures up to ``L``:
    ``α < 2(1 + γ) / ((1 + 2γ) L)`` (the heavy ball's is ``2(1 + γ) / L``)."""
    g = np.asarray(momentum, dtype=float)
    return 2 * (1 + g) / ((1 + 2 * g) * float(L))


def eigen_components(points, f) -> np.ndarray:
    """The error ``x_t − x*`` of a run on the quadratic ``f`` in the eigenbasis of ``f.H``:
    column ``i`` belongs to ``f.eigenvalues[i]`` (ascending: column 0 is the flattest
    direction, the last the steepest). ``points`` has shape ``(T + 1, ..., d)``."""
    _, vecs = np.linalg.eigh(f.H)
    return (np.asarray(points, dtype=float) - np.asarray(f.minimum, dtype=float)) @ vecs


def steps_to_tolerance(values, tol: float):
    """The number of steps after which ``values`` (one per step, ``values[0]`` at the start)
    stay below ``tol`` for good: one past the LAST index with ``values >= tol`` (an
    oscillating curve may touch ``tol`` long before it stays below). ``None`` if the last
    value is not below ``tol`` (or is NaN)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("values must be a non-empty 1-D array (one value per step)")
    above = np.flatnonzero(~(values < tol))
    if above.size and above[-1] == values.size - 1:
        return None
    return int(above[-1] + 1) if above.size else 0


def _window(T: int, start, window):
    start = T // 2 if start is None else int(start)
    if not 0 < start < T:
        raise ValueError(f"start must be in (0, {T}) (the run has {T} steps); got {start}")
    window = max(1, (T - start) // 5) if window is None else int(window)
    if not 1 <= window <= start + 1:
        raise ValueError(f"window must be in [1, start + 1 = {start + 1}]; got {window}")
    return start, window


def _rate_from_envelopes(d_start, d_end, span):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = (d_end / d_start) ** (1.0 / span)
    return np.where(np.isfinite(rate), rate, np.inf)


def measured_rate(points, x_star=None, start: int | None = None, window: int | None = None) -> np.ndarray:
    """The rate a run achieved, read off its distances ``d_t = ‖x_t − x*‖``:
    ``(D_T / D_start)^(1/(T − start))`` where ``D_s = max(d_{s−window+1}, …, d_s)``.

    ``points`` has shape ``(T + 1, ..., d)`` (``Trajectory.points``); returns shape ``(...)``.
    Defaults: ``start = T // 2`` (skip the transient of the first steps) and
    ``window = (T − start) // 5``. The max over a window (the envelope) keeps the oscillation of
    complex roots, whose distance dips every half-period, from spoiling the estimate. A diverged
    run (NaN) gets ``inf``. Over a finite run the estimate sits a little above the asymptotic
    rate where a root is double (as at ``(α*, γ*)``, where the error falls like ``t·ρ^t``).
    """
    points = np.asarray(points, dtype=float)
    x_star = 0.0 if x_star is None else np.asarray(x_star, dtype=float)
    T = points.shape[0] - 1
    start, window = _window(T, start, window)
    d = np.linalg.norm(points - x_star, axis=-1)
    return _rate_from_envelopes(d[start - window + 1 : start + 1].max(axis=0), d[T - window + 1 :].max(axis=0),
                                T - start)


def measured_rates(f, x0, lr, momentum, steps: int = 200, nesterov: bool = False) -> np.ndarray:
    """Run ``optim.SGD(lr=lr, momentum=momentum)`` on the quadratic ``f`` from ``x0`` for
    ``steps`` steps and return ``measured_rate`` of the run (default window).

    ``lr`` and ``momentum`` may be arrays of shape ``(*batch, 1)`` with ``x0`` of shape
    ``(*batch, d)``: then this is ONE run of ``len(batch)`` trajectories, one per pair; only the
    distances inside the two windows are kept (no ``(steps, *batch, d)`` history).
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2; got {steps!r}")
    x = np.array(x0, dtype=float)
    x_star = np.asarray(f.minimum, dtype=float)
    start, window = _window(steps, None, None)
    opt = _optim.SGD([x], lr=lr, momentum=momentum, nesterov=nesterov)
    D_start = D_end = np.zeros(x.shape[:-1])
    with np.errstate(all="ignore"):  # diverging grid points overflow; they get rate inf
        for t in range(1, steps + 1):
            opt.step([f.grad(x)])
            if t > start - window and t <= start:
                D_start = np.maximum(D_start, np.linalg.norm(x - x_star, axis=-1))
            elif t > steps - window:
                D_end = np.maximum(D_end, np.linalg.norm(x - x_star, axis=-1))
    return _rate_from_envelopes(D_start, D_end, steps - start)


@dataclass
class RateMap:
    """The measured convergence rate over a grid: ``rates[i, j]`` for ``momenta[i]``, ``lrs[j]``
    (rows γ, columns α, ready for ``imshow``); ``best`` = ``(α, γ, rate)`` of the fastest grid
    point; ``theory`` = ``heavy_ball_rate`` on the same grid."""

    lrs: np.ndarray
    momenta: np.ndarray
    rates: np.ndarray
    theory: np.ndarray
    best: tuple[float, float, float]


def rate_map(f, lrs, momenta, steps: int = 200, x0=None, nesterov: bool = False) -> RateMap:
    """The convergence rate of momentum on the quadratic ``f`` for every pair of ``lrs`` ×
    ``momenta``, from ONE vectorised run: ``x`` of shape ``(n_γ·n_α, d)``, ``lr`` and
    ``momentum`` of shape ``(n_γ·n_α, 1)``.

    ``x0`` (default: one unit along each eigenvector of ``f.H`` from the minimum) is the start of
    every trajectory. ``nesterov=True`` maps Nesterov momentum instead (``theory`` is then
    ``nesterov_rate``).
    """
    lrs, momenta = np.asarray(lrs, dtype=float), np.asarray(momenta, dtype=float)
    if lrs.ndim != 1 or momenta.ndim != 1:
        raise ValueError("lrs and momenta must be 1-D arrays (the grid's axes)")
    if x0 is None:
        _, vecs = np.linalg.eigh(f.H)
        x0 = np.asarray(f.minimum, dtype=float) + vecs.sum(axis=1)
    A, G = np.meshgrid(lrs, momenta)  # rows: momentum, columns: lr
    n = A.size
    X0 = np.broadcast_to(np.asarray(x0, dtype=float), (n, f.dim))
    rates = measured_rates(f, X0, A.reshape(n, 1), G.reshape(n, 1), steps, nesterov=nesterov).reshape(A.shape)
    i, j = np.unravel_index(np.argmin(rates), rates.shape)
    theory = (nesterov_rate if nesterov else heavy_ball_rate)(A, G, f.eigenvalues)
    return RateMap(lrs, momenta, rates, theory, (float(lrs[j]), float(momenta[i]), float(rates[i, j])))


def minimize_scheduled(f, x0, optimizer=_optim.SGD, steps: int = 100, schedule=None,
                       **hyperparameters) -> Trajectory:
    """Like ``train.minimize``, but the hyperparameters named in ``schedule`` change every step:
    ``schedule = {"lr": values, "momentum": values}`` with ``values[t]`` used for step ``t + 1``
    (set in ``opt.param_groups[0]`` before the step, as a PyTorch scheduler would).

    Example: momentum ramped from 0.5 to 0.99, ``schedule={"momentum": np.linspace(0.5, 0.99, 100)}``.
    """
    schedule = {k: np.asarray(v, dtype=float) for k, v in (schedule or {}).items()}
    for name, values in schedule.items():
        if values.ndim != 1 or len(values) < steps:
            raise ValueError(f"schedule[{name!r}] must be a 1-D array of at least steps={steps} values")
    first = {k: float(v[0]) for k, v in schedule.items()}
    t = [0]

    def factory(params):
        opt = optimizer(params, **hyperparameters, **first)
        plain_step = opt.step

        def step(grads):
            for name, values in schedule.items():
                opt.param_groups[0][name] = float(values[t[0]])
            t[0] += 1
            plain_step(grads)

        opt.step = step
        return opt

    return minimize(f, x0, factory, steps)
