"""coursekit.train.minimize: trajectories, closed-form convergence, divergence detection,
and one vectorised run standing for many."""

import warnings

import numpy as np
import pytest

from coursekit import functions as F
from coursekit import optim
from coursekit.train import minimize


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    """x_k = (1 − α a_i·2)^k x_0 coordinate-wise for f = Σ a_i x_i²."""
    f = F.Quadratic.from_coefficients([0.1, 2.0])
    x0, lr = np.array([-5.0, -2.0]), 0.4
    tr = minimize(f, x0, optim.SGD, 30, lr=lr)
    k = np.arange(31)[:, None]
    np.testing.assert_allclose(tr.points, (1 - 2 * lr * np.array([0.1, 2.0])) ** k * x0, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(tr.losses, f(tr.points))
    np.testing.assert_allclose(tr.grad_norms, np.linalg.norm(f.grad(tr.points), axis=-1))
    assert tr.diverged_at is None and not tr.diverged


def test_divergence_stops_at_the_predicted_step_without_warnings():
    """With α > 2/L the y-coordinate grows like |1 − 4α|^k; it leaves |x| ≤ 1e6 at the
    first k with 2·|1 − 4α|^k > 1e6."""
    f = F.Quadratic.from_coefficients([0.1, 2.0])
    lr = 0.6  # 2/L = 0.5
    predicted = int(np.ceil(np.log(1e6 / 2.0) / np.log(abs(1 - 4 * lr))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = minimize(f, [0.0, 2.0], optim.SGD, 500, lr=lr)
    assert tr.diverged_at == predicted
    assert f"diverged at step {predicted}" in tr.message
    assert len(tr.points) == predicted + 1 and np.isnan(tr.points[-1]).all()
    assert np.all(np.isfinite(tr.points[:-1]))


def test_overflow_to_inf_is_caught_too():
    f = F.Quadratic.from_coefficients([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = minimize(f, [1.0], optim.SGD, 5000, lr=1e150, max_norm=np.inf)
    assert tr.diverged and tr.diverged_at <= 3


def test_a_batch_is_the_same_as_separate_runs():
    f = F.Rosenbrock()
    lrs = np.array([1e-4, 1e-3, 2e-3])
    gammas = np.array([0.9, 0.5, 0.0])
    batch = minimize(f, np.tile([-1.2, 1.0], (3, 1)), optim.SGD, 200,
                     lr=lrs[:, None], momentum=gammas[:, None])
    for i in range(3):
        single = minimize(f, [-1.2, 1.0], optim.SGD, 200, lr=lrs[i], momentum=gammas[i])
        np.testing.assert_allclose(batch.points[:, i], single.points, rtol=1e-12)


def test_a_batch_freezes_only_the_diverged_rows():
    f = F.Quadratic.from_coefficients([0.5, 0.5])  # L = 1: stable for lr < 2
    lrs = np.array([[0.5], [1.5], [2.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = minimize(f, np.ones((3, 2)), optim.SGD, 100, lr=lrs)
    assert tr.diverged_at[0] == -1 and tr.diverged_at[1] == -1 and tr.diverged_at[2] > 0
    assert "1 of 3 trajectories diverged" in tr.message
    assert np.isnan(tr.points[-1, 2]).all() and np.all(np.isfinite(tr.points[-1, :2]))


def test_factory_and_bad_arguments():
    f = F.Saddle()
    tr = minimize(f, [1.0, 1e-3], lambda ps: optim.Adam(ps, lr=0.1), 10)
    assert tr.points.shape == (11, 2)
    with pytest.raises(ValueError, match="steps"):
        minimize(f, [1.0, 1.0], optim.SGD, -1)
    with pytest.raises(ValueError, match="x0 must be finite"):
        minimize(f, [np.nan, 1.0], optim.SGD, 1)
    with pytest.raises(ValueError, match="lr"):
        minimize(f, [1.0, 1.0], optim.SGD, 1, lr=-1.0)
    with pytest.raises(TypeError, match="hyperparameters can only be given with an optimizer class"):
        minimize(f, [1.0, 1.0], lambda ps: optim.SGD(ps), 1, lr=0.1)


def test_momentum_rolls_through_the_small_local_minimum():
    """The point of chapter 3's figure: GD stops in the dip, momentum does not."""
    f = F.LocalMinimum1D()
    gd = minimize(f, [4.0], optim.SGD, 300, lr=0.05)
    mom = minimize(f, [4.0], optim.SGD, 300, lr=0.05, momentum=0.9)
    np.testing.assert_allclose(gd.final, f.local_minimum, atol=1e-6)
    np.testing.assert_allclose(mom.final, f.minimum, atol=1e-3)
