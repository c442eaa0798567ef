"""coursekit.functions: analytic gradients and Hessians against central differences,
known minima, and vectorisation over leading axes."""

import numpy as np
import pytest

from coursekit import functions as F
from coursekit.gradients import central_difference, relative_error

ALL = [
    F.Quadratic.from_coefficients([1.0, 2.0]),
    F.Quadratic.from_coefficients([0.1, 2.0]),
    F.Quadratic.with_condition_number(50.0, L=2.0, angle=0.3),
    F.Quadratic(np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]), center=[1.0, -1.0, 0.5]),
    F.Rosenbrock(),
    F.Rosenbrock(a=2.0, b=10.0),
    F.Beale(),
    F.Saddle(),
    F.LocalMinimum1D(),
    F.LocalMinimum2D(),
]


def random_points(f, n=5):
    rng = np.random.default_rng(0)
    return rng.uniform(-2.0, 2.0, size=(n, f.dim))


@pytest.mark.parametrize("f", ALL, ids=repr)
def test_gradient_agrees_with_central_differences(f):
    for x in random_points(f):
        err = relative_error(f.grad(x), central_difference(f, x, h=1e-6))
        assert err < 1e-7, f"{f!r} at {x}: relative error {err:.1e}"


@pytest.mark.parametrize("f", [f for f in ALL if hasattr(f, "hessian")], ids=repr)
def test_hessian_agrees_with_differences_of_the_gradient(f):
    for x in random_points(f):
        numeric = np.stack([central_difference(lambda y, i=i: f.grad(y)[i], x, h=1e-6) for i in range(f.dim)])
        assert relative_error(f.hessian(x), numeric) < 1e-6


@pytest.mark.parametrize("f", ALL, ids=repr)
def test_vectorised_over_leading_axes(f):
    pts = np.random.default_rng(1).uniform(-2, 2, size=(4, 3, f.dim))
    values, grads = f(pts), f.grad(pts)
    assert values.shape == (4, 3) and grads.shape == pts.shape
    for i in range(4):
        for j in range(3):
            assert values[i, j] == pytest.approx(float(f(pts[i, j])), rel=1e-12)
            np.testing.assert_allclose(grads[i, j], f.grad(pts[i, j]), rtol=1e-12)


def test_the_two_course_quadratics_are_the_formulas():
    x = np.array([1.5, -0.5])
    assert F.Quadratic.from_coefficients([1, 2])(x) == pytest.approx(1.5**2 + 2 * 0.25)
    q = F.Quadratic.from_coefficients([0.1, 2])
    assert q(x) == pytest.approx(0.1 * 1.5**2 + 2 * 0.25)
    np.testing.assert_allclose(q.grad(x), [0.2 * 1.5, 4 * -0.5])
    assert q.L == pytest.approx(4.0) and q.mu == pytest.approx(0.2) and q.kappa == pytest.approx(20.0)


def test_condition_number_constructor():
    q = F.Quadratic.with_condition_number(100.0, L=3.0, angle=0.7)
    np.testing.assert_allclose(q.eigenvalues, [0.03, 3.0])
    assert q.kappa == pytest.approx(100.0)


def test_known_minima():
    assert F.Beale()(np.array([3.0, 0.5])) == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(F.Beale().grad(np.array([3.0, 0.5])), 0.0, atol=1e-14)
    assert F.Rosenbrock()(np.array([1.0, 1.0])) == 0.0
    np.testing.assert_allclose(F.Rosenbrock(a=2.0).minimum, [2.0, 4.0])
    np.testing.assert_allclose(F.Saddle().grad(np.zeros(2)), 0.0)
    assert np.linalg.eigvalsh(F.Saddle().hessian(np.zeros(2))).tolist() == [-2.0, 2.0]


@pytest.mark.parametrize("f", [F.LocalMinimum1D(), F.LocalMinimum2D()], ids=repr)
def test_small_local_minimum_beside_the_global_one(f):
    for point in (f.minimum, f.local_minimum):
        np.testing.assert_allclose(f.grad(point), 0.0, atol=1e-10)
        assert np.all(np.linalg.eigvalsh(f.hessian(point)) > 0)  # a real minimum
    assert f(f.local_minimum) > f(f.minimum) + 0.5  # the dip is only local
    assert np.linalg.norm(f.local_minimum - f.minimum) > 1.5


def test_bad_shapes_and_arguments():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        F.Rosenbrock()(np.zeros(3))
    with pytest.raises(ValueError, match="symmetric"):
        F.Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive semi-definite"):
        F.Quadratic([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="kappa"):
        F.Quadratic.with_condition_number(0.5)


def test_grid_evaluates_a_surface_in_one_call():
    X, Y, P = F.grid(((-1, 1), (0, 2)), n=7)
    Z = F.Rosenbrock()(P)
    assert Z.shape == (7, 7)
    assert Z[3, 6] == pytest.approx(F.Rosenbrock()(np.array([X[3, 6], Y[3, 6]])))
