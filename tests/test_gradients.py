"""Numerical gradients: exactness on polynomials, error order against h (forward O(h),
central O(h²)), gradient checking and the directional derivative."""

import numpy as np
import pytest

from coursekit import gradients as G


def test_central_difference_is_exact_for_quadratics():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    f = lambda x: 0.5 * x @ A @ x
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(G.central_difference(f, x), A @ x, rtol=1e-9)


def test_works_on_matrices():
    W = np.arange(6.0).reshape(2, 3) / 10
    g = G.numerical_gradient(lambda M: np.sum(np.sin(M)), W)
    np.testing.assert_allclose(g, np.cos(W), rtol=1e-9)
    assert g.shape == W.shape


def error_slope(method):
    """Slope of log(error) against log(h) for d/dx exp(x) at x = 1, on h ∈ [1e-4, 1e-1]."""
    hs = np.logspace(-4, -1, 7)
    errors = [abs(G.numerical_gradient(lambda x: np.exp(x[0]), np.array([1.0]), h=h, method=method)[0] - np.e)
              for h in hs]
    return np.polyfit(np.log(hs), np.log(errors), 1)[0]


def test_forward_difference_error_is_first_order():
    assert error_slope("forward") == pytest.approx(1.0, abs=0.1)


def test_central_difference_error_is_second_order():
    assert error_slope("central") == pytest.approx(2.0, abs=0.1)


def test_rounding_error_dominates_for_tiny_steps():
    """Below the optimal h the error grows again (≈ ε|f|/h), so h must not be too small."""
    f = lambda x: np.exp(x[0])
    err = lambda h: abs(G.forward_difference(f, np.array([1.0]), h=h)[0] - np.e)
    assert err(1e-13) > err(1e-8)


def test_gradient_check_tells_right_from_wrong():
    f = lambda x: np.sum(x**3)
    x = np.array([0.5, -1.0, 2.0])
    assert G.gradient_check(f, lambda x: 3 * x**2, x) < 1e-9
    assert G.gradient_check(f, lambda x: 2 * x**2, x) > 0.1


def test_relative_error():
    assert G.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert G.relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        G.relative_error([1.0], [1.0, 2.0])


def test_directional_derivative_is_gradient_norm_times_cosine():
    g = np.array([3.0, 4.0])
    theta = np.linspace(0, 2 * np.pi, 9)
    base = np.arctan2(4.0, 3.0)
    u = np.stack([np.cos(base + theta), np.sin(base + theta)], axis=-1)
    np.testing.assert_allclose(G.directional_derivative(g, None, u), 5.0 * np.cos(theta), atol=1e-12)
    np.testing.assert_allclose(G.directional_derivative(lambda x: 2 * x, np.array([1.0, 0.0]), [0.0, 5.0]), 0.0)


def test_directional_derivative_matches_a_one_sided_limit():
    f = lambda x: x[0] ** 2 * x[1] + np.sin(x[1])
    grad = lambda x: np.array([2 * x[0] * x[1], x[0] ** 2 + np.cos(x[1])])
    x, u = np.array([0.7, -0.4]), np.array([0.6, 0.8])
    h = 1e-6
    numeric = (f(x + h * u) - f(x - h * u)) / (2 * h)
    assert G.directional_derivative(grad, x, u) == pytest.approx(numeric, rel=1e-8)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: G.central_difference(np.sum, np.zeros(2), h=0.0), "h"),
        (lambda: G.forward_difference(np.sum, np.zeros(2), h=-1e-3), "h"),
        (lambda: G.central_difference(np.sum, np.array([np.nan, 1.0])), "finite"),
        (lambda: G.numerical_gradient(np.sum, np.zeros(2), method="backward"), "method"),
        (lambda: G.directional_derivative(np.ones(2), None, np.zeros(2)), "non-zero"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
