"""Test functions with analytic gradients, vectorised over leading axes.

Every function here is an object ``f`` with
- ``f(x)``: the value, for ``x`` of shape ``(..., d)``; returns shape ``(...)``;
- ``f.grad(x)``: the gradient, same shape as ``x``;
- ``f.hessian(x)`` where given: shape ``(..., d, d)``;
- ``f.minimum``: the global minimiser (``None`` when unbounded below),
  ``f.bounds``: a plotting window ``((x_min, x_max), (y_min, y_max))`` for 2-D functions.

Because every formula works on the last axis only, a whole contour grid, or a batch of
independent trajectories, is one call: ``f(np.stack([X, Y], axis=-1))``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Quadratic",
    "Rosenbrock",
    "Beale",
    "Saddle",
    "LocalMinimum1D",
    "LocalMinimum2D",
    "grid",
]


def _as_points(x, dim: int) -> np.ndarray:
    """``x`` as a float array whose last axis has length ``dim`` (a clear error otherwise)."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(
            f"x must have shape (..., {dim}) (last axis = the {dim} coordinates); "
            f"got shape {x.shape}"
        )
    return x


class Quadratic:
    r"""The quadratic bowl :math:`f(x) = \tfrac12 (x - c)^\top H (x - c)`.

    Gradient :math:`\nabla f(x) = H (x - c)`, Hessian :math:`H` (symmetric positive
    semi-definite). The eigenvalues of ``H`` are the curvatures; the largest, ``L``,
    bounds the stable gradient-descent step (``lr < 2 / L``) and ``kappa = L / mu`` is the
    condition number.

    Build one from a Hessian, from per-coordinate coefficients
    (:meth:`from_coefficients`: ``0.1 x1² + 2 x2²``) or from a condition number
    (:meth:`with_condition_number`).
    """

    def __init__(self, H, center=None, bounds=((-3.0, 3.0), (-3.0, 3.0))):
        H = np.asarray(H, dtype=float)
        if H.ndim != 2 or H.shape[0] != H.shape[1]:
            raise ValueError(f"H must be a square matrix; got shape {H.shape}")
        if not np.allclose(H, H.T):
            raise ValueError("H must be symmetric")
        eig = np.linalg.eigvalsh(H)
        if eig[0] < -1e-12:
            raise ValueError(f"H must be positive semi-definite; its smallest eigenvalue is {eig[0]}")
        self.H = H
        self.dim = H.shape[0]
        self.center = np.zeros(self.dim) if center is None else _as_points(center, self.dim)
        self.eigenvalues = eig
        self.minimum = self.center
        self.bounds = bounds

    @classmethod
    def from_coefficients(cls, coefficients, **kwargs) -> Quadratic:
        """``f(x) = Σ a_i x_i²``, e.g. ``(1, 2)`` → ``x1² + 2 x2²`` (so ``H = 2 diag(a)``)."""
        a = np.asarray(coefficients, dtype=float)
        if a.ndim != 1 or np.any(a < 0):
            raise ValueError(f"coefficients must be a 1-D array of values >= 0; got {coefficients!r}")
        return cls(2.0 * np.diag(a), **kwargs)

    @classmethod
    def with_condition_number(cls, kappa: float, L: float = 1.0, angle: float = 0.0, **kwargs):
        """A 2-D bowl with curvatures ``L / kappa`` and ``L``, its axes rotated by ``angle``."""
        if not kappa >= 1:
            raise ValueError(f"kappa (the condition number) must be >= 1; got {kappa}")
        if not L > 0:
            raise ValueError(f"L (the largest curvature) must be > 0; got {L}")
        c, s = np.cos(angle), np.sin(angle)
        R = np.array([[c, -s], [s, c]])
        return cls(R @ np.diag([L / kappa, L]) @ R.T, **kwargs)

    @property
    def L(self) -> float:
        """Largest curvature (eigenvalue of ``H``)."""
        return float(self.eigenvalues[-1])

    @property
    def mu(self) -> float:
        """Smallest curvature (eigenvalue of ``H``)."""
        return float(self.eigenvalues[0])

    @property
    def kappa(self) -> float:
        """Condition number ``L / mu``."""
        return self.L / self.mu

    def __call__(self, x):
        d = _as_points(x, self.dim) - self.center
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.H, d)

    def grad(self, x):
        d = _as_points(x, self.dim) - self.center
        return d @ self.H  # H is symmetric, so (H d)ᵀ = dᵀ H

    def hessian(self, x):
        x = _as_points(x, self.dim)
        return np.broadcast_to(self.H, x.shape[:-1] + self.H.shape)

    def __repr__(self):
        return f"Quadratic(eigenvalues={np.round(self.eigenvalues, 6).tolist()})"


class Rosenbrock:
    r"""Rosenbrock's banana :math:`f(x, y) = (a - x)^2 + b (y - x^2)^2`, minimum at ``(a, a²)``."""

    dim = 2

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = float(a), float(b)
        self.minimum = np.array([self.a, self.a**2])
        self.bounds = ((-2.0, 2.0), (-1.0, 3.0))

    def __call__(self, p):
        p = _as_points(p, 2)
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, p):
        p = _as_points(p, 2)
        x, y = p[..., 0], p[..., 1]
        dx = -2 * (self.a - x) - 4 * self.b * x * (y - x**2)
        dy = 2 * self.b * (y - x**2)
        return np.stack([dx, dy], axis=-1)

    def hessian(self, p):
        p = _as_points(p, 2)
        x, y = p[..., 0], p[..., 1]
        dxx = 2 - 4 * self.b * (y - x**2) + 8 * self.b * x**2
        dxy = -4 * self.b * x
        dyy = np.full_like(x, 2 * self.b)
        return np.stack([np.stack([dxx, dxy], -1), np.stack([dxy, dyy], -1)], -2)

    def __repr__(self):
        return f"Rosenbrock(a={self.a}, b={self.b})"


class Beale:
    r"""Beale's function :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2` with
    :math:`c = (1.5, 2.25, 2.625)`; minimum 0 at ``(3, 0.5)``."""

    dim = 2
    c = (1.5, 2.25, 2.625)

    def __init__(self):
        self.minimum = np.array([3.0, 0.5])
        self.bounds = ((-4.5, 4.5), (-4.5, 4.5))

    def __call__(self, p):
        p = _as_points(p, 2)
        x, y = p[..., 0], p[..., 1]
        return sum((c - x + x * y**i) ** 2 for i, c in enumerate(self.c, start=1))

    def grad(self, p):
        p = _as_points(p, 2)
        x, y = p[..., 0], p[..., 1]
        dx = np.zeros_like(x)
        dy = np.zeros_like(y)
        for i, c in enumerate(self.c, start=1):
            r = c - x + x * y**i  # residual i
            dx += 2 * r * (y**i - 1)
            dy += 2 * r * i * x * y ** (i - 1)
        return np.stack([dx, dy], axis=-1)

    def __repr__(self):
        return "Beale()"


class Saddle:
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: zero gradient at the origin, which is a
    minimum along ``x`` and a maximum along ``y``; unbounded below."""

    dim = 2

    def __init__(self):
        self.minimum = None
        self.saddle_point = np.zeros(2)
        self.bounds = ((-2.0, 2.0), (-2.0, 2.0))

    def __call__(self, p):
        p = _as_points(p, 2)
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(self, p):
        p = _as_points(p, 2)
        return np.stack([2 * p[..., 0], -2 * p[..., 1]], axis=-1)

    def hessian(self, p):
        p = _as_points(p, 2)
        return np.broadcast_to(np.diag([2.0, -2.0]), p.shape[:-1] + (2, 2))

    def __repr__(self):
        return "Saddle()"


class _BowlWithDip:
    r"""A bowl with a narrow Gaussian dip: :math:`f(x) = \tfrac12 |x|^2 - h\,e^{-|x-c|^2/(2w^2)}`.

    The bowl's global minimum is near the origin; when the dip is deep and narrow enough
    (``h / w`` large against ``|c|``) it adds a small local minimum near ``c``.
    Gradient: :math:`x + h\,e^{-|x-c|^2/(2w^2)}\,(x - c) / w^2`.
    """

    def __init__(self, center, depth, width):
        self.c = np.asarray(center, dtype=float)
        self.dim = self.c.size
        self.h, self.w = float(depth), float(width)

    def _bump(self, x):
        d = x - self.c
        return d, self.h * np.exp(-np.sum(d**2, axis=-1) / (2 * self.w**2))

    def __call__(self, x):
        x = _as_points(x, self.dim)
        _, bump = self._bump(x)
        return 0.5 * np.sum(x**2, axis=-1) - bump

    def grad(self, x):
        x = _as_points(x, self.dim)
        d, bump = self._bump(x)
        return x + bump[..., None] * d / self.w**2

    def hessian(self, x):
        x = _as_points(x, self.dim)
        d, bump = self._bump(x)
        eye = np.eye(self.dim)
        outer = d[..., :, None] * d[..., None, :] / self.w**2
        return eye + (bump[..., None, None] / self.w**2) * (eye - outer)

    def _newton(self, x0):
        """The stationary point that Newton's method reaches from ``x0`` (for plots and tests)."""
        x = np.asarray(x0, dtype=float)
        for _ in range(100):
            x = x - np.linalg.solve(self.hessian(x), self.grad(x))
        return x


class LocalMinimum1D(_BowlWithDip):
    r"""1-D: :math:`f(x) = \tfrac12 x^2 - 2\,e^{-(x-2.5)^2/(2\cdot0.3^2)}`.

    Global minimum near 0; a small local minimum near ``x ≈ 2.2``, where plain gradient
    descent started at ``x = 4`` gets stuck and momentum rolls through.
    Points have shape ``(..., 1)``.
    """

    def __init__(self, center=2.5, depth=2.0, width=0.3):
        super().__init__([center], depth, width)
        self.minimum = self._newton(np.zeros(1))
        self.local_minimum = self._newton(self.c)
        self.bounds = ((-1.5, 4.5),)

    def __repr__(self):
        return f"LocalMinimum1D(center={self.c[0]}, depth={self.h}, width={self.w})"


class LocalMinimum2D(_BowlWithDip):
    r"""2-D: :math:`f(x) = \tfrac12 |x|^2 - 1.5\,e^{-|x-(2, 1.5)|^2/(2\cdot0.35^2)}`.

    Global minimum near the origin; a small local minimum in the dip near ``(2, 1.5)``.
    """

    def __init__(self, center=(2.0, 1.5), depth=1.5, width=0.35):
        super().__init__(center, depth, width)
        self.minimum = self._newton(np.zeros(2))
        self.local_minimum = self._newton(self.c)
        self.bounds = ((-1.5, 3.5), (-1.5, 3.0))

    def __repr__(self):
        return f"LocalMinimum2D(center={self.c.tolist()}, depth={self.h}, width={self.w})"


def grid(bounds, n: int = 200):
    """A contour grid over ``bounds = ((x0, x1), (y0, y1))``: returns ``X, Y, P`` where
    ``P[..., 0] = X``, ``P[..., 1] = Y``, so ``f(P)`` is the whole surface in one call."""
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return X, Y, np.stack([X, Y], axis=-1)
