"""Chapter 5: the schedule explorer and the schedule plots.

The explorer test drives ``update`` with several slider values and checks that the drawn
artist data changed and equals what coursekit's public API (``schedules``, ``train.fit``)
computes for those values.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from coursekit import schedules as S
from coursekit.lr_finder import halving_search, lr_range_test
from coursekit.plots.schedules import halving_plot, mark_values, range_test_plot, schedule_curves
from coursekit.widgets.base import Explorer

try:  # coursekit.nn, coursekit.data and train.fit are written in parallel
    from coursekit import data, nn
    from coursekit.train import fit
    from coursekit.widgets.schedule import ScheduleExplorer, default_schedules
except ImportError:  # pragma: no cover
    data = nn = fit = ScheduleExplorer = default_schedules = None
needs_nn = pytest.mark.skipif(fit is None, reason="coursekit.nn / coursekit.data / train.fit not available yet")


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    order = np.random.default_rng(0).permutation(len(y))
    tr, va = order[:300], order[300:500]
    return (X[tr], y[tr]), (X[va], y[va])


@pytest.fixture(scope="module")
def explorer(digits):
    train, val = digits
    ex = ScheduleExplorer(train, val, epochs=4, batch_size=50, seed=3)
    yield ex
    plt.close(ex.figure)


def _expected_rates(epochs, lr, gamma):
    step_size = max(1, epochs // 4)
    t = np.arange(epochs)
    return [np.full(epochs, lr), S.step_decay(t, lr, step_size, gamma), S.exponential_decay(t, lr, gamma),
            S.cosine_annealing(t, lr, max(1, epochs - 1), eta_min=lr / 100)]


@needs_nn
def test_schedule_explorer_is_an_explorer_with_log_lr_and_gamma_sliders(explorer):
    assert isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"lr", "gamma"}
    assert type(explorer.controls["lr"]).__name__ == "FloatLogSlider"
    assert [label for label, _ in explorer.schedules] == [label for label, _ in default_schedules(4)]


@needs_nn
@pytest.mark.parametrize("lr, gamma", [(0.2, 0.8), (0.05, 0.9), (2.0, 0.3)])
def test_schedule_explorer_draws_what_coursekit_computes(explorer, digits, lr, gamma):
    train, val = digits
    before = [line.get_ydata().copy() for line in explorer.rate_lines + explorer.loss_lines]
    explorer.update(lr=lr, gamma=gamma)
    explorer.redraw()
    after = [np.asarray(line.get_ydata()) for line in explorer.rate_lines + explorer.loss_lines]
    changed = [b.shape != a.shape or not np.allclose(b, a, equal_nan=True) for b, a in zip(before, after, strict=True)]
    assert changed[0]  # the constant schedule moves with lr (every case differs from the last)
    assert any(changed)

    for line, rates in zip(explorer.rate_lines, _expected_rates(4, lr, gamma), strict=True):
        x, shown = line.get_data()
        np.testing.assert_array_equal(x, np.arange(5))
        np.testing.assert_allclose(shown[:4], np.clip(rates, *explorer.lr_limits), rtol=1e-12)
    # the training curves: fit with the same rates, same initial weights, same batches
    for line, rates in zip(explorer.loss_lines, _expected_rates(4, lr, gamma), strict=True):
        model = nn.Sequential(nn.Linear(64, 10, seed=3))
        history = fit(model, train, epochs=4, lr=rates, batch_size=50, val=val, seed=3)
        x, shown = line.get_data()
        np.testing.assert_allclose(shown, history["val_loss"], rtol=1e-10)
        np.testing.assert_array_equal(x, np.arange(1, len(shown) + 1))


@needs_nn
def test_schedule_explorer_reports_divergence(digits):
    train, val = digits
    # weights so large (float32) that the logits overflow: a run that diverges at its first step
    def huge(seed):
        return nn.Sequential(nn.Linear(64, 10, init="normal", std=1e37, seed=seed, dtype=np.float32))

    ex = ScheduleExplorer(train, val, epochs=3, batch_size=50, model=huge, seed=0)
    lr, gamma = 10.0, 0.99
    ex.update(lr=lr, gamma=gamma)
    lines = ex.status.get_text().splitlines()
    assert len(lines) == 4
    diverged = 0
    for line, rates in zip(lines, _expected_rates(3, lr, gamma), strict=True):
        history = fit(huge(0), train, epochs=3, lr=rates, batch_size=50, val=val, seed=0)
        if history["diverged_at"] is not None:
            diverged += 1
            assert f"diverged (step {history['diverged_at']})" in line
        else:
            assert f"{100 * history['val_acc'][-1]:5.1f}%" in line
    assert diverged == 4
    assert np.isnan(ex.loss_lines[0].get_ydata()).all()  # a diverged run draws no loss
    plt.close(ex.figure)


# ----------------------------------------------------------------------------- plots


def test_schedule_curves_and_marks():
    fig, ax = plt.subplots()
    t = np.arange(20)
    curves = {"step": S.step_decay(t, 0.1, 5, 0.5), "cos": S.cosine_annealing(t, 0.1, 20)}
    lines = schedule_curves(ax, t, curves)
    assert [ln.get_label() for ln in lines] == ["step", "cos"]
    np.testing.assert_array_equal(lines[0].get_ydata(), curves["step"])
    assert lines[0].get_drawstyle() == "steps-post"
    assert ax.get_yscale() == "log"
    dots = mark_values(ax, [5, 10], [0.05, 0.025], fmt="{:g}")
    np.testing.assert_array_equal(dots.get_ydata(), [0.05, 0.025])
    assert [a.get_text() for a in ax.texts] == ["0.05", "0.025"]
    with pytest.raises(ValueError, match="shape"):
        schedule_curves(ax, t, {"bad": np.ones(3)})
    plt.close(fig)


@needs_nn
def test_range_test_plot_marks_the_suggested_rate(digits):
    train, _ = digits
    res = lr_range_test(nn.Sequential(nn.Linear(64, 10, seed=0)), *train, steps=60, seed=0)
    fig, ax = plt.subplots()
    artists = range_test_plot(ax, res)
    assert artists["suggested"].get_xdata()[0] == res.suggested_lr
    np.testing.assert_array_equal(artists["smoothed"].get_ydata(), res.smoothed)
    assert ax.get_xscale() == "log"
    plt.close(fig)


def test_halving_plot_draws_the_search():
    def loss_after(lr):  # blows up above 3, best near 0.5
        return np.nan if lr > 3 else (2.3 if lr == 0 else 0.2 + 0.1 * abs(np.log2(lr / 0.5)))

    res = halving_search(loss_after, lr_start=8.0, tol=0.02)
    fig, ax = plt.subplots()
    artists = halving_plot(ax, res)
    ok = np.isfinite(res.losses)
    np.testing.assert_array_equal(artists["losses"].get_xdata(), res.lrs[ok])
    np.testing.assert_array_equal(artists["losses"].get_ydata(), res.losses[ok])
    np.testing.assert_array_equal(artists["failed"].get_xdata(), res.lrs[~ok])
    assert len(artists["failed"].get_xdata()) == 2  # 8 and 4 blew up
    assert artists["suggested"].get_xdata()[0] == res.suggested_lr == 0.5
    assert artists["baseline"].get_ydata()[0] == res.baseline == 2.3
    assert ax.get_xscale() == "log"
    plt.close(fig)


def test_default_cosine_reaches_its_floor_in_the_last_epoch():
    """T_max = epochs - 1: the last epoch trains at α₀/100, as the chapter's text says."""
    from coursekit.widgets.schedule import default_schedules

    for epochs in (4, 8, 20):
        label, rates = default_schedules(epochs)[3]
        values = rates(np.arange(epochs), 0.5, 0.7)
        assert label.startswith("cosine")
        assert np.isclose(values[-1], 0.5 / 100) and np.isclose(values[0], 0.5)
        assert np.all(np.diff(values) <= 0)


def test_explorer_on_a_regression_with_mse():
    """loss="mse": each schedule's run equals fit(..., loss="mse") with the same rates; the status shows losses."""
    from coursekit import data, nn
    from coursekit.train import fit
    from coursekit.widgets.schedule import ScheduleExplorer

    reg = data.synthetic_regression(n_samples=200, n_features=5, noise=1.0, seed=1)
    X, y = reg.X, reg.y.reshape(-1, 1)
    model = lambda s: nn.Sequential(nn.Linear(5, 1, seed=s))  # noqa: E731
    ex = ScheduleExplorer((X[:150], y[:150]), (X[150:], y[150:]), epochs=4, batch_size=25, seed=2, loss="mse",
                          model=model, loss_limits=(0.5, 50))
    ex.update(lr=0.05, gamma=0.5)
    for label, rates in ex.rates(0.05, 0.5).items():
        expected = fit(model(2), (X[:150], y[:150]), epochs=4, lr=rates, batch_size=25, val=(X[150:], y[150:]),
                       seed=2, loss="mse")
        np.testing.assert_allclose(ex.histories[label].val_loss, expected.val_loss)
    assert "val loss" in ex.status.get_text() and "acc" not in ex.status.get_text()
    plt.close("all")
