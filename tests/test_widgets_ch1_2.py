"""Explorers and helpers of chapters 1–2: direction, step size, mini-batch; curves, noise, landscape.

Each explorer test drives ``update`` with several slider values and checks that the drawn
artist data changed and equals what coursekit's public API computes for those values.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from coursekit import functions as F
from coursekit import optim
from coursekit.gradients import directional_derivative
from coursekit.landscape import hessian_signature_stats, random_symmetric
from coursekit.noise import (
    minibatch_gradient_noise,
    per_example_gradients,
    predicted_variance,
)
from coursekit.plots.curves import curve_values, loss_curves, reference_slope
from coursekit.train import minimize
from coursekit.widgets.descent import StepSizeExplorer, regime
from coursekit.widgets.direction import DirectionExplorer

# ----------------------------------------------------------------------------- direction


def test_direction_explorer_matches_directional_derivative():
    f = F.Quadratic.with_condition_number(4, L=2.0, angle=0.4)
    x = np.array([1.5, 1.0])
    ex = DirectionExplorer(f, x)
    g = f.grad(x)
    phi = np.arctan2(g[1], g[0])
    seen = []
    for theta in (-150.0, -90.0, 0.0, 37.0, 180.0):
        ex.update(theta=theta)
        ex.redraw()
        u = np.array([np.cos(phi + np.deg2rad(theta)), np.sin(phi + np.deg2rad(theta))])
        expected = float(directional_derivative(f.grad, x, u))
        mx, my = ex.marker.get_data()
        assert mx[0] == theta
        assert my[0] == pytest.approx(expected, abs=1e-12)
        assert my[0] == pytest.approx(np.linalg.norm(g) * np.cos(np.deg2rad(theta)), abs=1e-12)
        arrow = np.array([ex.arrow.U[0], ex.arrow.V[0]])
        np.testing.assert_allclose(arrow / np.linalg.norm(arrow), u, atol=1e-12)
        seen.append(my[0])
    assert len(set(np.round(seen, 9))) == len(seen)  # the marker moved every time
    assert seen[2] == pytest.approx(np.linalg.norm(g))  # θ = 0: steepest ascent
    assert seen[4] == pytest.approx(-np.linalg.norm(g))  # θ = 180°: steepest descent


def test_direction_explorer_rejects_stationary_point():
    with pytest.raises(ValueError, match="stationary"):
        DirectionExplorer(F.Quadratic.from_coefficients([1, 1]), [0.0, 0.0])


# ----------------------------------------------------------------------------- step size


def test_step_size_explorer_matches_minimize():
    ex = StepSizeExplorer(steps=25)
    f1 = F.Quadratic([[2.0]], bounds=((-3.0, 3.0),))
    f2 = F.Quadratic.from_coefficients([0.25, 1.0])
    previous = None
    for lr in (0.05, 0.4, 0.8, 1.2):
        ex.update(lr=lr)
        ex.redraw()
        t1 = minimize(f1, [2.0], optim.SGD, 25, lr=lr)
        t2 = minimize(f2, [-2.5, 2.0], optim.SGD, 25, lr=lr)
        x1, y1 = ex.line1.get_data()
        np.testing.assert_allclose(x1, t1.points[:, 0])
        np.testing.assert_allclose(y1, t1.losses)
        x2, y2 = ex.line2.get_data()
        np.testing.assert_allclose(x2, t2.points[:, 0])
        np.testing.assert_allclose(y2, t2.points[:, 1])
        _, gap2 = ex.gap2.get_data()
        np.testing.assert_allclose(gap2, np.maximum(t2.losses, 1e-300))
        assert regime(lr, 2.0) in ex.status.get_text()
        if previous is not None:
            assert not np.allclose(x2, previous)
        previous = np.array(x2)


def test_regime_words():
    assert regime(0.1, 2.0).startswith("monotone")
    assert regime(0.75, 2.0).startswith("oscillating")
    assert regime(1.5, 2.0).startswith("divergence")


def test_step_size_explorer_divergent_lr_is_finite_up_to_divergence():
    ex = StepSizeExplorer(steps=60)
    ex.update(lr=3.0)  # α·L = 6: diverges well within 60 steps
    assert ex.trajectories["1-D"].diverged
    assert ex.trajectories["2-D"].diverged


# ----------------------------------------------------------------------------- curves


def test_curve_values_and_loss_curves():
    tr = minimize(F.Quadratic.from_coefficients([1, 2]), [1.0, 1.0], optim.SGD, 5, lr=0.1)
    np.testing.assert_array_equal(curve_values(tr), tr.losses)
    np.testing.assert_array_equal(curve_values({"loss": [3, 2, 1]}), [3, 2, 1])
    with pytest.raises(ValueError, match="curve"):
        curve_values(object())
    fig, ax = plt.subplots()
    lines = loss_curves(ax, {"a": [3.0, 2.0, 1.0], "b": tr}, log=True, start=1)
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), tr.losses)
    assert ax.get_yscale() == "log"
    lines = loss_curves(ax, [[1.0, 2.0], [3.0, 4.0]], x=[[0.0, 0.5], [0.0, 2.0]])
    np.testing.assert_array_equal(lines[1].get_xdata(), [0.0, 2.0])
    line = reference_slope(ax, [1.0, 10.0], 1.0, 2.0, -1)
    np.testing.assert_allclose(line.get_ydata(), [2.0, 0.2])
    plt.close(fig)


# ----------------------------------------------------------------------------- noise


def test_predicted_variance_formulas():
    rng = np.random.default_rng(0)
    G = rng.normal(size=(50, 4)) + 1.0
    sigma2 = np.mean(np.sum((G - G.mean(0)) ** 2, axis=1))
    assert predicted_variance(G, 5, replace=True) == pytest.approx(sigma2 / 5)
    assert predicted_variance(G, 5) == pytest.approx(sigma2 / 5 * 45 / 49)
    assert predicted_variance(G, 50) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="batch_sizes"):
        predicted_variance(G, 51)


@pytest.mark.parametrize("replace", [False, True])
def test_minibatch_noise_matches_prediction(replace):
    rng = np.random.default_rng(1)
    G = rng.normal(size=(120, 6)) + 0.5
    bs = [1, 4, 30, 119]
    stats = minibatch_gradient_noise(G, bs, draws=4000, seed=2, replace=replace)
    pred = predicted_variance(G, bs, replace=replace)
    np.testing.assert_allclose(stats.variance, pred, rtol=0.1)
    assert np.all(np.diff(stats.cosine) > 0)  # larger batches point closer to the full gradient
    again = minibatch_gradient_noise(G, bs, draws=4000, seed=2, replace=replace)
    np.testing.assert_array_equal(stats.variance, again.variance)  # seeded


def test_full_batch_without_replacement_has_no_noise():
    G = np.random.default_rng(3).normal(size=(20, 3))
    stats = minibatch_gradient_noise(G, [20], draws=5)
    assert stats.variance[0] == pytest.approx(0.0, abs=1e-25)
    assert stats.cosine[0] == pytest.approx(1.0)


def test_per_example_gradients_of_least_squares():
    rng = np.random.default_rng(4)
    X, y, w = rng.normal(size=(15, 3)), rng.normal(size=15), rng.normal(size=3)

    def batch_gradient(idx):  # gradient of mean ½(x·w − y)² over idx
        r = X[idx] @ w - y[idx]
        return X[idx].T @ r / len(idx)

    G = per_example_gradients(batch_gradient, 15)
    np.testing.assert_allclose(G, X * (X @ w - y)[:, None])
    np.testing.assert_allclose(G.mean(0), batch_gradient(np.arange(15)))


# ----------------------------------------------------------------------------- landscape


def test_random_symmetric_and_signature_counts():
    A = random_symmetric(4, 10, seed=0)
    np.testing.assert_array_equal(A, np.swapaxes(A, 1, 2))
    s = hessian_signature_stats([1, 2, 4], samples=4000, seed=0)
    assert s["minima"][0] == pytest.approx(2000, rel=0.1)  # d = 1: a fair coin
    assert np.all(s["minima"] + s["maxima"] + s["saddles"] == 4000)
    assert s["fraction_minima"][1] < s["coin_flip"][1]  # eigenvalues repel: rarer than 2^-d
    assert s["fraction_minima"][2] < s["fraction_minima"][1] < s["fraction_minima"][0]


# ----------------------------------------------------------------------------- mini-batch


def _blobs(n=60, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(k, d))[y] + 0.5 * rng.normal(size=(n, d))
    return X, y


def _expected_losses(X, y, B, lr, epochs, seed):
    """Mini-batch SGD as documented: a fresh shuffle each epoch, ceil(N/B) steps, nn + optim."""
    from coursekit import nn
    model = nn.Linear(X.shape[1], int(y.max() + 1), seed=seed)
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for s in range(0, len(y), B):
            idx = order[s:s + B]
            _, d = nn.softmax_cross_entropy(model.forward(X[idx]), y[idx])
            model.backward(d)
            opt.step(model.gradients())
    return float(nn.softmax_cross_entropy(model.forward(X), y)[0])


def test_minibatch_explorer_matches_nn_and_sgd():
    from coursekit.widgets.minibatch import MinibatchExplorer

    X, y = _blobs()
    ex = MinibatchExplorer(X, y, epochs=2, seed=0)
    previous = None
    for B, lr in ((1, 0.05), (5, 0.3), (20, 0.3), (60, 1.0)):
        ex.update(batch_size=B, lr=lr)
        ex.redraw()
        epochs_drawn, loss_drawn = ex.line_epoch.get_data()
        assert epochs_drawn[-1] == pytest.approx(2.0)
        assert loss_drawn[-1] == pytest.approx(_expected_losses(X, y, B, lr, 2, 0), rel=1e-9)
        updates, loss2 = ex.line_updates.get_data()
        assert updates[-1] == 2 * -(-60 // B)
        np.testing.assert_array_equal(loss2, loss_drawn)
        assert f"B = {B}:" in ex.status.get_text()
        if previous is not None:
            assert loss_drawn[-1] != previous
        previous = loss_drawn[-1]


def test_batch_size_slider_options():
    from coursekit.widgets.minibatch import batch_size_slider

    s = batch_size_slider(300, 10)
    assert list(s.options) == [1, 2, 5, 10, 20, 50, 100, 200, 300]
    with pytest.raises(ValueError, match="value"):
        batch_size_slider(300, 3)


def test_minibatch_explorer_on_the_digits():
    """The chapter-2 set-up: 400 standardised training digits, ten classes."""
    from coursekit import data, nn
    from coursekit.widgets.minibatch import MinibatchExplorer

    X, y, _, _ = data.load_digits(val_fraction=0.2, seed=0)
    X, y = X[:120], y[:120]
    ex = MinibatchExplorer(X, y, epochs=1, seed=0)
    assert ex.reference["loss"][0] == pytest.approx(
        nn.softmax_cross_entropy(nn.Linear(64, int(y.max() + 1), seed=0).forward(X), y)[0])
    previous = None
    for B, lr in ((1, 0.01), (10, 0.1), (120, 0.5)):
        ex.update(batch_size=B, lr=lr)
        ex.redraw()
        _, loss_drawn = ex.line_epoch.get_data()
        assert loss_drawn[-1] == pytest.approx(_expected_losses(X, y, B, lr, 1, 0), rel=1e-9)
        assert loss_drawn[-1] < loss_drawn[0]  # it learns
        if previous is not None:
            assert loss_drawn[-1] != previous
        previous = loss_drawn[-1]


def test_chapter2_lr_explorer_on_the_tilted_valley():
    """Chapter 2's learning-rate explorer: SGD on a κ = 25 quadratic turned by 30°."""
    from coursekit.widgets import TrajectoryExplorer, lr_slider

    f = F.Quadratic.with_condition_number(25, L=2.0, angle=np.pi / 6)
    ex = TrajectoryExplorer(f, [-2.5, 2.0], [("SGD", optim.SGD, lambda v: dict(lr=v["lr"]))],
                            dict(lr=lr_slider(0.9, 0.01, 1.2)), steps=100)
    previous = None
    for lr in (0.05, 0.5, 0.95, 1.1):
        ex.update(lr=lr)
        ex.redraw()
        expected = minimize(f, [-2.5, 2.0], optim.SGD, 100, lr=lr)
        xs, ys = ex.lines[0].get_data()
        np.testing.assert_allclose(xs, expected.points[:, 0])
        np.testing.assert_allclose(ys, expected.points[:, 1])
        _, gap = ex.loss_lines[0].get_data()
        np.testing.assert_allclose(gap, np.maximum(expected.losses - float(f(f.minimum)), 1e-300))
        assert ("diverged" in ex.status.get_text()) == (lr > 2 / f.L)
        if previous is not None:
            assert not np.allclose(xs[:len(previous)], previous[:len(xs)])
        previous = np.array(xs)
