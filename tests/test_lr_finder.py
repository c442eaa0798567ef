"""coursekit.lr_finder: 002's halving search and the LR range test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit import optim
from coursekit.lr_finder import halving_search, lr_range_test

try:  # coursekit.nn and coursekit.data are written in parallel; the range test needs them
    from coursekit import data, nn
except ImportError:  # pragma: no cover
    data = nn = None
needs_nn = pytest.mark.skipif(nn is None, reason="coursekit.nn / coursekit.data not available yet")

# ----------------------------------------------------------------------------- halving search


def test_halving_search_stops_when_halving_no_longer_helps():
    # a made-up "loss after a short run": blows up above 3, best near 0.5, slowly worse below
    def loss_after(lr):
        if lr > 3:
            return math.nan
        return 0.2 + 0.1 * abs(math.log2(lr / 0.5)) if lr > 0 else 2.3

    res = halving_search(loss_after, lr_start=16.0, tol=0.02)
    assert res.baseline == 2.3
    np.testing.assert_allclose(res.lrs, [16, 8, 4, 2, 1, 0.5, 0.25])
    assert np.isinf(res.losses[:3]).all()  # diverged runs count as an infinite loss
    assert res.suggested_lr == 0.5  # the halving to 0.25 made the loss worse
    assert "halve" in res.rule


def test_halving_search_takes_the_larger_rate_when_the_loss_is_flat():
    res = halving_search(lambda lr: 1.0 if lr < 5 else 10.0, lr_start=8.0, tol=0.05, baseline=None)
    assert res.suggested_lr == 4.0  # 4 → 2 changed nothing: keep the larger, faster rate
    np.testing.assert_allclose(res.lrs, [8, 4, 2])


def test_halving_search_skips_rates_that_learn_nothing():
    # at 8 and 4 the network "dies": the loss stays at its untrained value (flat, but useless)
    def loss_after(lr):
        return 2.3 if lr == 0 or lr > 3 else {2.0: 0.6, 1.0: 0.5}.get(lr, 0.5)

    res = halving_search(loss_after, lr_start=8.0, tol=0.02)
    np.testing.assert_allclose(res.lrs, [8, 4, 2, 1, 0.5])
    assert res.losses[0] == res.losses[1] == np.inf
    assert res.suggested_lr == 1.0


def test_halving_search_errors():
    with pytest.raises(ValueError, match="lr_start"):
        halving_search(lambda lr: 1.0, lr_start=-1)
    with pytest.raises(ValueError, match="tol"):
        halving_search(lambda lr: 1.0, tol=1.5)
    with pytest.raises(RuntimeError, match="kept falling"):
        halving_search(lambda lr: lr, lr_start=1.0, max_halvings=5, baseline=None)
    with pytest.raises(ValueError, match="baseline"):
        halving_search(lambda lr: 1.0, baseline="zero")


# ----------------------------------------------------------------------------- range test


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    return X[:600], y[:600]


@needs_nn
def test_range_test_sweeps_exponentially_and_suggests_min_over_ten(digits):
    X, y = digits
    model = nn.Sequential(nn.Linear(64, 10, seed=0))
    before = [p.copy() for p in model.parameters()]
    res = lr_range_test(model, X, y, lr_min=1e-3, lr_max=100.0, steps=120, batch_size=32, seed=0)
    n = len(res.lrs)
    expected = 1e-3 * (100.0 / 1e-3) ** (np.arange(120) / 119)
    np.testing.assert_allclose(res.lrs, expected[:n])  # an exponential sweep
    assert res.losses.shape == res.smoothed.shape == (n,)
    assert res.suggested_lr == pytest.approx(res.min_loss_lr / 10)
    k_min = int(np.nanargmin(res.smoothed))
    assert res.min_loss_lr == res.lrs[k_min]
    assert res.smoothed[k_min] < res.smoothed[0]  # the loss did fall first
    assert res.steepest_lr <= res.min_loss_lr
    # the model is restored: the test does not train it
    for p, p0 in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p, p0)
    # same seed, same numbers
    again = lr_range_test(model, X, y, lr_min=1e-3, lr_max=100.0, steps=120, batch_size=32, seed=0)
    np.testing.assert_array_equal(again.losses, res.losses)


@needs_nn
def test_range_test_stops_when_the_loss_explodes(digits):
    X, y = digits
    model = nn.mlp(64, [32], 10, seed=1) if hasattr(nn, "mlp") else nn.Sequential(
        nn.Linear(64, 32, seed=1), nn.ReLU(), nn.Linear(32, 10, seed=2))
    res = lr_range_test(model, X, y, lr_min=1e-3, lr_max=1e4, steps=150, batch_size=32, seed=0)
    assert res.stopped_at is not None and res.stopped_at < 149
    assert len(res.lrs) == res.stopped_at + 1
    last = res.smoothed[-1]
    assert not np.isfinite(last) or last > 4 * np.nanmin(res.smoothed[:-1])


@needs_nn
def test_range_test_smoothing_is_a_bias_corrected_ema(digits):
    X, y = digits
    res = lr_range_test(nn.Sequential(nn.Linear(64, 10, seed=0)), X, y, lr_min=1e-3, lr_max=1e-2,
                        steps=20, beta=0.8, seed=3)
    avg, expected = 0.0, []
    for k, v in enumerate(res.losses):
        avg = 0.8 * avg + 0.2 * v
        expected.append(avg / (1 - 0.8 ** (k + 1)))
    np.testing.assert_allclose(res.smoothed, expected)
    assert res.smoothed[0] == pytest.approx(res.losses[0])


@needs_nn
def test_range_test_passes_hyperparameters_and_checks_arguments(digits):
    X, y = digits
    model = nn.Sequential(nn.Linear(64, 10, seed=0))
    res = lr_range_test(model, X, y, steps=10, optimizer=optim.SGD, momentum=0.9)
    assert len(res.lrs) <= 10
    with pytest.raises(ValueError, match="lr_min"):
        lr_range_test(model, X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="steps"):
        lr_range_test(model, X, y, steps=1)
    with pytest.raises(ValueError, match="batch_size"):
        lr_range_test(model, X, y, batch_size=0)
    with pytest.raises(ValueError, match="same length"):
        lr_range_test(model, X, y[:10])
