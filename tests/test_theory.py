"""The quadratic theory of momentum (coursekit.momentum), batched runs (coursekit.batched),
the chapter-4 helpers (coursekit.problems, coursekit.second_order)."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import data, optim
from coursekit import functions as F
from coursekit.batched import FunctionStack, compare
from coursekit.momentum import (
    eigen_components,
    heavy_ball_rate,
    measured_rate,
    measured_rates,
    minimize_scheduled,
    nesterov_bound,
    nesterov_rate,
    optimal_gd,
    optimal_momentum,
    predicted_rate,
    rate_map,
    steps_to_tolerance,
)
from coursekit.problems import LinearRegression, run_minibatch
from coursekit.second_order import LocalGains, newton_minimize
from coursekit.train import minimize


@pytest.mark.parametrize("mu, L", [(0.01, 1.0), (0.5, 2.0), (1.0, 1.0), (0.04, 9.0)])
def test_optimal_parameters_closed_forms(mu, L):
    kappa = L / mu
    a, g = optimal_momentum(mu, L)
    assert a == pytest.approx(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2)
    assert g == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)
    assert predicted_rate(mu, L) == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    assert predicted_rate(mu, L) == pytest.approx(np.sqrt(g))
    a_gd, r_gd = optimal_gd(mu, L)
    assert a_gd == pytest.approx(2 / (L + mu)) and r_gd == pytest.approx((kappa - 1) / (kappa + 1))
    # the spectral radius at the optimum equals the predicted rate, and is a minimum of the map
    assert heavy_ball_rate(a, g, [mu, L]) == pytest.approx(predicted_rate(mu, L), rel=1e-6)
    if kappa > 1:
        for da, dg in [(0.02, 0), (-0.02, 0), (0, 0.02), (0, -0.02)]:
            assert heavy_ball_rate(a * (1 + da), g + dg, [mu, L]) > predicted_rate(mu, L) - 1e-9


def test_optimal_parameters_reject_bad_curvatures():
    with pytest.raises(ValueError, match="mu"):
        optimal_momentum(0.0, 1.0)
    with pytest.raises(ValueError, match="mu"):
        predicted_rate(2.0, 1.0)


def test_heavy_ball_rate_without_momentum_is_gradient_descent():
    lrs = np.linspace(0.1, 2.5, 7)
    np.testing.assert_allclose(heavy_ball_rate(lrs, 0.0, [0.2, 1.0]),
                               np.maximum(np.abs(1 - lrs * 0.2), np.abs(1 - lrs * 1.0)))


@pytest.mark.parametrize("kappa", [10, 100])
def test_measured_rate_matches_predicted(kappa):
    f = F.Quadratic.with_condition_number(kappa, L=1.0, angle=0.3)
    a, g = optimal_momentum(f.mu, f.L)
    tr = minimize(f, [2.0, 1.0], optim.SGD, 400, lr=a, momentum=g)
    rate = measured_rate(tr.points, f.minimum)
    assert rate == pytest.approx(predicted_rate(f.mu, f.L), abs=0.01)
    assert rate >= predicted_rate(f.mu, f.L) - 1e-3  # double root: t·ρ^t is slower than ρ^t
    # away from the optimum (distinct roots) the measured rate equals the theory closely
    tr = minimize(f, [2.0, 1.0], optim.SGD, 400, lr=0.5, momentum=0.5)
    assert measured_rate(tr.points, f.minimum) == pytest.approx(heavy_ball_rate(0.5, 0.5, f.eigenvalues), abs=1e-6)
    # measured_rates (no history) agrees with measured_rate on the full trajectory
    assert measured_rates(f, [2.0, 1.0], 0.5, 0.5, 400) == pytest.approx(measured_rate(tr.points, f.minimum))


def test_measured_rate_of_diverged_run_is_inf_and_arguments_checked():
    f = F.Quadratic.with_condition_number(10, L=1.0)
    tr = minimize(f, [1.0, 1.0], optim.SGD, 100, lr=2.5)
    pts = np.concatenate([tr.points, np.full((101 - len(tr.points), 2), np.nan)])
    assert measured_rate(pts) == np.inf
    with pytest.raises(ValueError, match="start"):
        measured_rate(tr.points, start=0)
    with pytest.raises(ValueError, match="steps"):
        measured_rates(f, [1.0, 1.0], 0.1, 0.5, steps=1)


def test_rate_map_equals_a_python_loop_over_grid_points():
    f = F.Quadratic.with_condition_number(50, L=1.0, angle=0.4)
    lrs = np.linspace(0, 4.0, 33)[1:]
    momenta = np.linspace(0, 0.99, 24)
    m = rate_map(f, lrs, momenta, steps=200)
    assert m.rates.shape == (24, 32) and m.theory.shape == (24, 32)
    _, vecs = np.linalg.eigh(f.H)
    x0 = vecs.sum(axis=1)
    for i, j in [(0, 0), (5, 17), (12, 30), (23, 3), (16, 25), (20, 31)]:
        one = measured_rates(f, x0, lrs[j], momenta[i], steps=200)
        assert m.rates[i, j] == pytest.approx(float(one), rel=1e-12) or (np.isinf(one) and np.isinf(m.rates[i, j]))
    # the fastest grid point is about as fast as the theory's best on this (coarse) grid, never
    # faster than the optimum, and near γ*
    a, g = optimal_momentum(f.mu, f.L)
    assert m.best[2] == pytest.approx(m.theory.min(), abs=0.01)
    assert m.best[2] >= predicted_rate(f.mu, f.L) - 1e-3
    assert abs(m.best[1] - g) < 0.15
    converged = m.theory < 0.999
    assert np.median(np.abs(m.rates - m.theory)[converged]) < 1e-6


def test_nesterov_rate_matches_runs_and_its_bound():
    f = F.Quadratic.with_condition_number(100, L=1.0, angle=0.4)
    for a, g in [(0.5, 0.95), (1.0, 0.8), (0.2, 0.5)]:
        tr = minimize(f, [2.0, 1.0], optim.SGD, 400, lr=a, momentum=g, nesterov=True)
        assert measured_rate(tr.points, f.minimum) == pytest.approx(float(nesterov_rate(a, g, f.eigenvalues)), abs=2e-3)
    # γ = 0: Nesterov is gradient descent; the bound 2(1 + γ)/((1 + 2γ) L) is where ρ crosses 1
    assert nesterov_rate(0.3, 0.0, f.eigenvalues) == pytest.approx(heavy_ball_rate(0.3, 0.0, f.eigenvalues))
    for g in (0.0, 0.5, 0.9, 0.99):
        edge = nesterov_bound(g, f.L)
        assert nesterov_rate(edge * 0.999, g, f.eigenvalues) < 1 < nesterov_rate(edge * 1.001, g, f.eigenvalues)
    assert nesterov_bound(0.9, 2.0) == pytest.approx(1.9 / 2.8)
    # the Nesterov rate map: measured (one run) equals the theory where it converges
    m = rate_map(f, np.linspace(0, 2.0, 17)[1:], np.linspace(0.1, 0.9, 9), steps=200, nesterov=True)
    converged = m.theory < 0.99
    assert np.median(np.abs(m.rates - m.theory)[converged]) < 1e-6


def test_eigen_components_and_steps_to_tolerance():
    f = F.Quadratic.with_condition_number(25, L=2.0, angle=0.5, center=(1.0, -1.0))
    tr = minimize(f, [-2.5, 2.0], optim.SGD, 30, lr=0.9)
    e = eigen_components(tr.points, f)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), np.linalg.norm(tr.points - f.minimum, axis=1))
    np.testing.assert_allclose(e[1:] / e[:-1], np.broadcast_to(1 - 0.9 * f.eigenvalues, (30, 2)), rtol=1e-9)
    assert steps_to_tolerance([5.0, 1.0, 0.1, 2.0, 0.05, 0.01], 0.5) == 4  # the last crossing, not the first
    assert steps_to_tolerance([0.1, 0.2], 1.0) == 0
    assert steps_to_tolerance([1.0, 2.0], 1.5) is None
    assert steps_to_tolerance([1.0, np.nan], 1.5) is None
    with pytest.raises(ValueError, match="1-D"):
        steps_to_tolerance([], 1.0)


def test_minimize_scheduled_constant_schedule_equals_minimize_and_schedule_matters():
    f = F.Quadratic.with_condition_number(25, L=2.0, angle=0.5)
    a = minimize(f, [-2.5, 2.0], optim.SGD, 40, lr=0.3, momentum=0.8)
    b = minimize_scheduled(f, [-2.5, 2.0], optim.SGD, 40, schedule={"lr": np.full(40, 0.3)}, momentum=0.8)
    np.testing.assert_allclose(a.points, b.points, rtol=0, atol=1e-14)
    # a hand-written PyTorch-form loop with α_t equals the scheduled run
    lr = np.where(np.arange(40) < 10, 0.3, 0.03)
    c = minimize_scheduled(f, [-2.5, 2.0], optim.SGD, 40, schedule={"lr": lr}, momentum=0.8)
    x, v = np.array([-2.5, 2.0]), np.zeros(2)
    for t in range(40):
        v = 0.8 * v + f.grad(x)
        x = x - lr[t] * v
    np.testing.assert_allclose(c.points[-1], x, rtol=1e-12)
    with pytest.raises(ValueError, match="schedule"):
        minimize_scheduled(f, [0.0, 1.0], optim.SGD, 10, schedule={"lr": [0.1] * 5})


def test_compare_equals_separate_minimize_runs():
    fs = [F.Beale(), F.Rosenbrock(), F.Saddle()]
    starts = [(1.0, 1.5), (-1.5, 2.5), (-1.8, 0.01)]
    runs = [(optim.SGD, dict(lr=1e-3, momentum=0.9)), (optim.Adam, dict(lr=0.05)), (optim.Rprop, dict(lr=0.01)),
            (optim.NAdam, dict(lr=0.05))]
    tr = compare(fs, starts, runs, steps=60)
    assert tr.points.shape == (61, 3, 4, 2)
    for k, f in enumerate(fs):
        for r, (cls, hyper) in enumerate(runs):
            alone = minimize(f, starts[k], cls, 60, **hyper)
            n = len(alone.points)
            np.testing.assert_allclose(tr.points[:n, k, r], alone.points, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="same dimension"):
        FunctionStack([F.Saddle(), F.LocalMinimum1D()])


def test_sparse_regression_adagrad_beats_sgd_on_rare_features():
    P = LinearRegression.sparse_features(seed=0)
    assert P.A[:, 5:].mean() < 0.1 < 0.4 < P.A[:, :5].mean()
    w = np.random.default_rng(1).standard_normal(P.dim)
    idx = np.arange(0, 50)
    np.testing.assert_allclose(P.grad(w, idx), P.A[idx].T @ (P.A[idx] @ w - P.b[idx]) / 50)
    np.testing.assert_allclose(P.grad(np.stack([w, w])), np.stack([P.grad(w)] * 2))
    sgd = run_minibatch(P, optim.SGD, 400, batch_size=10, seed=1, lr=0.05)
    ada = run_minibatch(P, optim.Adagrad, 400, batch_size=10, seed=1, lr=0.5)
    rare = lambda r: np.abs(r.weights[-1, 5:] - P.minimum[5:]).mean()  # noqa: E731
    assert rare(ada) < 0.2 * rare(sgd)
    rec = run_minibatch(P, optim.Adagrad, 5, batch_size=None, record=lambda o: o.state[0]["n"].copy(), lr=0.5)
    assert len(rec.records) == 5 and np.all(np.diff(np.array(rec.records), axis=0) >= 0)


def test_run_minibatch_steps_through_the_batches_of_data_minibatches():
    P = LinearRegression.gaussian(n_samples=23, dim=3, noise=0.1, seed=1)
    s = data.synthetic_regression(23, 3, 0.1, seed=1)
    np.testing.assert_array_equal(P.A, s.X)
    np.testing.assert_allclose(P.b, s.y - s.b)  # the same data, without the intercept
    run = run_minibatch(P, optim.SGD, 12, batch_size=5, seed=4, lr=0.05)
    rng, w = np.random.default_rng(4), np.zeros(3)
    expected = [w.copy()]
    for _ in range(3):  # 23 // 5 = 4 full batches an epoch, a new order every epoch
        for idx in data.minibatches(np.arange(23), None, 5, seed=rng, drop_last=True):
            w -= 0.05 * P.grad(w, idx)
            expected.append(w.copy())
    np.testing.assert_allclose(run.weights, expected, rtol=1e-12)
    full = run_minibatch(P, optim.SGD, 5, batch_size=None, lr=0.05)
    np.testing.assert_allclose(run_minibatch(P, optim.SGD, 5, batch_size=100, lr=0.05).weights, full.weights,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="batch_size"):
        run_minibatch(P, optim.SGD, 5, batch_size=0)


def test_newton_one_step_on_quadratic_and_fast_on_rosenbrock():
    q = F.Quadratic.with_condition_number(1000, L=1.0, angle=0.7)
    tr = newton_minimize(q, [3.0, -2.0], 1)
    np.testing.assert_allclose(tr.points[-1], q.minimum, atol=1e-10)
    tr = newton_minimize(F.Rosenbrock(), [-1.2, 1.0], 8)
    np.testing.assert_allclose(tr.points[-1], [1.0, 1.0], atol=1e-8)
    with pytest.raises(TypeError, match="hessian"):
        newton_minimize(F.Beale(), [1.0, 1.0], 3)


def test_local_gains_grow_with_consistent_sign_and_shrink_on_flips():
    x = np.zeros(2)
    opt = LocalGains([x], lr=0.1)
    for _ in range(10):
        opt.step([np.array([1.0, -1.0])])
    np.testing.assert_allclose(opt.state[0]["gain"], 1 + 9 * 0.05)
    x = np.zeros(1)
    opt = LocalGains([x], lr=0.1)
    for t in range(10):
        opt.step([np.array([(-1.0) ** t])])
    assert opt.state[0]["gain"][0] == pytest.approx(0.95**9)  # the first step has no previous sign
    with pytest.raises(ValueError, match="decrease"):
        LocalGains([x], decrease=1.5)
