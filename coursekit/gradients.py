"""Numerical gradients, gradient checking, and the directional derivative.

For a scalar function ``f`` of an array ``x`` (any shape: a point, or a weight matrix):

- forward difference  ``∂f/∂x_i ≈ (f(x + h e_i) − f(x)) / h``          error O(h)
- central difference  ``∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)``  error O(h²)

Both also carry a rounding error of about ``ε_machine · |f| / h``, so the total error is
smallest at ``h ≈ ε^(1/2)`` (forward) and ``h ≈ ε^(1/3)`` (central).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "forward_difference",
    "central_difference",
    "numerical_gradient",
    "relative_error",
    "gradient_check",
    "directional_derivative",
]


def _check_h(h):
    if not (np.isscalar(h) and np.isfinite(h) and h > 0):
        raise ValueError(f"h (the step) must be a positive finite number; got {h!r}")


def _as_float_array(x):
    x = np.array(x, dtype=float)  # a copy: we perturb it in place
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (it contains NaN or inf)")
    return x


def forward_difference(f, x, h: float = 1e-6) -> np.ndarray:
    """Gradient of scalar ``f`` at ``x`` by ``(f(x + h e_i) − f(x)) / h``, one coordinate at a time."""
    _check_h(h)
    x = _as_float_array(x)
    fx = float(f(x))
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        gflat[i] = (float(f(x)) - fx) / h
        flat[i] = old
    return grad


def central_difference(f, x, h: float = 1e-5) -> np.ndarray:
    """Gradient of scalar ``f`` at ``x`` by ``(f(x + h e_i) − f(x − h e_i)) / (2h)``."""
    _check_h(h)
    x = _as_float_array(x)
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = float(f(x))
        flat[i] = old - h
        f_minus = float(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient(f, x, h: float | None = None, method: str = "central") -> np.ndarray:
    """Numerical gradient by ``method`` ``"central"`` (default, h = 1e-5) or ``"forward"``
    (h = 1e-6)."""
    if method == "central":
        return central_difference(f, x, 1e-5 if h is None else h)
    if method == "forward":
        return forward_difference(f, x, 1e-6 if h is None else h)
    raise ValueError(f"method must be 'central' or 'forward'; got {method!r}")


def relative_error(a, b) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, tiny)``: 0 for equal arrays, 1 for opposite ones.

    For a correct analytic gradient against a central difference in float64 expect about
    1e-11 to 1e-9; above 1e-7 (the course's threshold) something is usually wrong.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), np.finfo(float).tiny)
    return float(np.linalg.norm(a - b) / denom)


def gradient_check(f, grad, x, h: float = 1e-5) -> float:
    """Relative error between the analytic gradient ``grad(x)`` and the central difference of
    ``f`` at ``x``. ``grad`` may be a function or an already computed array."""
    analytic = grad(x) if callable(grad) else grad
    return relative_error(analytic, central_difference(f, x, h))


def directional_derivative(grad, x, u) -> np.ndarray:
    r"""Rate of change of ``f`` at ``x`` along the direction ``u``:
    :math:`D_u f = \nabla f \cdot \hat u = |\nabla f| \cos\varphi`, where ``φ`` is the angle
    between ``∇f`` and ``u`` (``u`` is normalised here; it must not be zero).

    ``grad`` is a function or the gradient array; ``u`` may be a batch of directions of
    shape ``(..., d)`` (for example one per angle on a slider).
    """
    g = np.asarray(grad(x) if callable(grad) else grad, dtype=float)
    u = np.asarray(u, dtype=float)
    norms = np.linalg.norm(u, axis=-1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("u (the direction) must be non-zero")
    return np.sum(g * (u / norms), axis=-1)
