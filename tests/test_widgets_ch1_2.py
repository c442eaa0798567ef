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
from coursekit.widgets.descent import NOTCH, StepSizeExplorer, regime, step_size_slider
from coursekit.widgets.direction import DirectionExplorer

# ----------------------------------------------------------------------------- direction


def test_direction_explorer_matches_directional_derivative():
    f = F.Quadratic.with_condition_number(4, L=2.0, angle=0.4)
    x = np.array([1.5, 1.0])
    ex = DirectionExplorer(f, x)
    g = f.grad(x)
    g_angle = np.arctan2(g[1], g[0])
    seen = []
    for phi_deg in (-150.0, -90.0, 0.0, 37.0, 180.0):
        ex.update(phi=phi_deg)
        ex.redraw()
        u = np.array([np.cos(g_angle + np.deg2rad(phi_deg)), np.sin(g_angle + np.deg2rad(phi_deg))])
        expected = float(directional_derivative(f.grad, x, u))
        mx, my = ex.marker.get_data()
        assert mx[0] == phi_deg
        assert my[0] == pytest.approx(expected, abs=1e-12)
        assert my[0] == pytest.approx(np.linalg.norm(g) * np.cos(np.deg2rad(phi_deg)), abs=1e-12)
        arrow = np.array([ex.arrow.U[0], ex.arrow.V[0]])
        np.testing.assert_allclose(arrow / np.linalg.norm(arrow), u, atol=1e-12)
        seen.append(my[0])
    assert len(set(np.round(seen, 9))) == len(seen)  # the marker moved every time
    assert seen[2] == pytest.approx(np.linalg.norm(g))  # φ = 0: steepest ascent
    assert seen[4] == pytest.approx(-np.linalg.norm(g))  # φ = 180°: steepest descent
    assert list(ex.controls) == ["phi"] and ex.controls["phi"].description.startswith("φ")


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
    assert regime(1.0 + 1e-15, 2.0).startswith("endless")  # a slider's 10**x that misses 2/L by a rounding
    assert regime(0.5 - 1e-16, 2.0).startswith("one step")


def _slider_notches(control):
    """Every value a log slider can be dragged to (its notches)."""
    n = round((control.max - control.min) / control.step)
    return control.base ** (control.min + control.step * np.arange(n + 1))


def test_step_size_slider_reaches_the_values_the_chapter_asks_for():
    control = StepSizeExplorer().controls["lr"]
    notches = _slider_notches(control)
    assert notches[0] <= 0.01 and notches[-1] >= 3.0
    np.testing.assert_allclose(notches[1:] / notches[:-1], NOTCH)
    for wanted in (1.0, 1.05):  # 2/L, and just above it: notches to rounding
        assert np.min(np.abs(notches / wanted - 1)) < 1e-12
    for wanted in (0.05, 0.3, 0.8, 0.99):  # within half a notch, and shown as wanted by the readout
        nearest = notches[np.argmin(np.abs(np.log(notches / wanted)))]
        assert abs(np.log(nearest / wanted)) <= np.log(NOTCH) / 2
    assert f"{notches[np.argmin(np.abs(notches - 0.99))]:.2g}" == "0.99"
    assert control.value == 0.8 and regime(control.value, 2.0).startswith("oscillating")
    with pytest.raises(ValueError, match="value"):
        step_size_slider(5.0)


def test_step_size_explorer_divergent_lr_is_finite_up_to_divergence():
    ex = StepSizeExplorer(steps=60)
    ex.update(lr=3.0)  # α·L = 6: diverges well within 60 steps
    assert ex.trajectories["1-D"].diverged
    assert ex.trajectories["2-D"].diverged


# ----------------------------------------------------------------------------- chapter 1 figures


def _legend_is_off_the_axes(ax):
    fig = ax.figure
    fig.canvas.draw()
    box, legend = ax.get_window_extent(), ax.get_legend().get_window_extent()
    return legend.x0 >= box.x1  # entirely to the right of the axes


def test_chapter1_figures_draw_the_data_they_are_given():
    from coursekit.plots import gradient_descent as draw

    f = F.Quadratic.from_coefficients([0.25, 1.0])
    lrs = np.linspace(0.1, 1.2, 12)
    predicted = np.max(np.abs(1 - lrs[:, None] * f.eigenvalues), axis=1)
    fig, ax = plt.subplots()
    draw.contraction_sweep(ax, lrs, predicted, predicted + 0.01, f.L, f.mu)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), predicted + 0.01)
    assert _legend_is_off_the_axes(ax)
    plt.close(fig)

    hs = np.logspace(-12, 0, 13)
    fig, ax = plt.subplots()
    draw.difference_errors(ax, hs, {"forward": hs + 1e-12, "central": hs**2 + 1e-12}, 1e-14)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), hs**2 + 1e-12)
    assert _legend_is_off_the_axes(ax)
    plt.close(fig)

    fig, (a1, a2) = plt.subplots(1, 2)
    grid = np.array([0.5, 1.0, 1.5])
    steps = {"κ = 10": np.array([60.0, 30.0, np.nan]), "κ = 100": np.array([600.0, 300.0, 200.0])}
    ratio = {"κ = 10": 0.5 ** np.arange(5), "κ = 100": 0.9 ** np.arange(5)}
    draw.condition_number_sweep(a1, a2, grid, steps, {"κ = 10": 1.8, "κ = 100": 1.98}, ratio,
                                {"κ = 10": 10, "κ = 100": 100}, 1e-3)
    np.testing.assert_array_equal(a2.lines[1].get_xdata(), np.arange(5) / 100)
    assert a2.lines[0].get_linewidth() > a2.lines[1].get_linewidth()  # coinciding lines both show
    assert _legend_is_off_the_axes(a2)
    plt.close(fig)


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


def test_minibatch_explorer_rate_slider_reaches_large_batch_rates():
    """Chapter 2 asks for α = 1 at B = 1 and for the tuned rates of B = 100 (5 to 20): reachable."""
    from coursekit.widgets.minibatch import MinibatchExplorer

    X, y = _blobs()
    lr = MinibatchExplorer(X, y, epochs=1, seed=0).controls["lr"]
    assert 10 ** lr.min <= 0.01 and 10 ** lr.max >= 30 - 1e-9
    reachable = 10 ** (lr.min + lr.step * np.arange(round((lr.max - lr.min) / lr.step) + 1))
    for want in (0.1, 1.0, 5.0, 20.0):
        assert np.min(np.abs(reachable / want - 1)) < 0.01
