"""coursekit.train.fit: training networks with any optimizer — accuracy on the digits, the same
steps as a hand-written loop, schedules and parameter groups, clipping, per-step records,
divergence without warnings, and clear errors."""

import warnings

import numpy as np
import pytest

from coursekit import data, nn, optim
from coursekit.train import History, fit


@pytest.fixture(scope="module")
def digits():
    return data.load_digits(val_fraction=0.2, seed=0)


@pytest.fixture(scope="module")
def small(digits):
    X_tr, y_tr, X_va, y_va = digits
    return (X_tr[:200], y_tr[:200]), (X_va[:100], y_va[:100])


def test_mlp_with_adam_reaches_95_percent_on_the_digits(digits):
    X_tr, y_tr, X_va, y_va = digits
    model = nn.mlp(64, 128, 128, 10, seed=0)
    h = fit(model, (X_tr, y_tr), epochs=20, batch_size=32, optimizer=optim.Adam(model.parameters(), lr=1e-3),
            val=(X_va, y_va), seed=0, progress=False)
    assert isinstance(h, History) and not h.diverged and h.diverged_at is None
    assert h.val_acc[-1] >= 0.95 and h.val_acc.max() >= 0.95
    assert h.val_acc[0] < h.val_acc[-1] and h.loss[-1] < 0.1 * h.loss[0]
    assert h.acc[-1] > 0.97
    for key in ("epoch", "loss", "acc", "val_loss", "val_acc", "lr", "time"):
        assert len(h[key]) == 20, key
    steps = 20 * int(np.ceil(len(y_tr) / 32))
    assert h.steps == steps and h.step_loss.shape == h.step_lr.shape == (steps,)
    assert h.grad_norms is None and "trained 20 epochs" in h.message
    np.testing.assert_array_equal(h.lr, 1e-3)
    assert np.all(np.diff(h.time) > 0)
    # the recorded validation numbers are the model's, in evaluation mode
    model.eval()
    out = model.forward(X_va)
    assert h["val_loss"][-1] == pytest.approx(nn.softmax_cross_entropy(out, y_va)[0], rel=1e-12)
    assert h.val_acc[-1] == pytest.approx(nn.accuracy(out, y_va))


def manual_sgd(model, X, y, epochs, batch_size, lr, seed, clip_value=None, clip_norm=None):
    """The loop fit runs, written out (plain SGD), for comparison."""
    rng = np.random.default_rng(seed)
    params, losses = model.parameters(), []
    for _ in range(epochs):
        for xb, yb in data.minibatches(X, y, batch_size, rng):
            value, dout = nn.softmax_cross_entropy(model.forward(xb), yb)
            losses.append(value)
            model.backward(dout)
            grads = model.gradients()
            if clip_value is not None:
                grads = [np.clip(g, -clip_value, clip_value) for g in grads]
            if clip_norm is not None:
                norm = np.sqrt(sum(np.sum(g * g) for g in grads))
                grads = [g * min(1.0, clip_norm / (norm + 1e-6)) for g in grads]
            for p, g in zip(params, grads, strict=True):
                p -= lr * g
    return np.array(losses)


@pytest.mark.parametrize("clip", [{}, {"clip_value": 0.01}, {"clip_norm": 0.5}], ids=["plain", "value", "norm"])
def test_fit_takes_the_same_steps_as_a_hand_written_loop(small, clip):
    (X, y), _ = small
    ours, theirs = nn.mlp(64, 16, 10, batchnorm=True, seed=1), nn.mlp(64, 16, 10, batchnorm=True, seed=1)
    h = fit(ours, (X, y), epochs=2, batch_size=48, lr=0.1, seed=7, progress=False, **clip)
    losses = manual_sgd(theirs, X, y, 2, 48, 0.1, seed=7, **clip)
    np.testing.assert_allclose(h.step_loss, losses, rtol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_clipping_changes_the_run(small):
    (X, y), _ = small
    runs = {}
    for label, clip in {"none": {}, "value": {"clip_value": 1e-3}, "norm": {"clip_norm": 1e-2}}.items():
        model = nn.mlp(64, 16, 10, seed=1)
        before = [p.copy() for p in model.parameters()]
        runs[label] = fit(model, (X, y), epochs=1, batch_size=len(y), lr=1.0, seed=0, progress=False,
                          record_steps=True, **clip)
        deltas = [p - b for p, b in zip(model.parameters(), before, strict=True)]
        if label == "value":  # every entry moved by at most lr · c
            assert max(np.abs(d).max() for d in deltas) <= 1e-3 * (1 + 1e-12)
        if label == "norm":  # the whole step has length lr · c
            assert np.sqrt(sum(np.sum(d * d) for d in deltas)) == pytest.approx(1e-2, rel=1e-4)
    assert runs["none"].grad_norm[0] > 1e-2  # so clipping by norm had something to do


def test_same_seed_same_history_and_another_seed_another(small):
    (X, y), val = small
    runs = [fit(nn.mlp(64, 16, 10, seed=2), (X, y), epochs=2, batch_size=32, lr=0.05, val=val, seed=s,
                progress=False) for s in (3, 3, 4)]
    for key in ("loss", "acc", "val_loss", "val_acc", "step_loss"):
        np.testing.assert_array_equal(runs[0][key], runs[1][key])
    assert not np.array_equal(runs[0].step_loss, runs[2].step_loss)


def test_schedules_per_epoch_and_per_step(small):
    (X, y), _ = small
    h = fit(nn.mlp(64, 10, seed=0), (X, y), epochs=4, batch_size=50, lr=0.5, seed=0, progress=False,
            schedule=lambda t: 0.2 * 0.5**t)
    np.testing.assert_allclose(h.lr, 0.2 * 0.5 ** np.arange(4))
    np.testing.assert_allclose(h.step_lr, np.repeat(0.2 * 0.5 ** np.arange(4), 4))
    h = fit(nn.mlp(64, 10, seed=0), (X, y), epochs=2, batch_size=50, seed=0, progress=False,
            schedule=lambda t: 0.1 / (1 + t), schedule_per="step")
    np.testing.assert_allclose(h.step_lr, 0.1 / (1 + np.arange(8)))
    np.testing.assert_allclose(h.lr, [0.1, 0.1 / 5])
    rates = [0.3, 0.2, 0.1]
    h = fit(nn.mlp(64, 10, seed=0), (X, y), epochs=3, batch_size=100, lr=rates, seed=0, progress=False)
    np.testing.assert_allclose(h.lr, rates)
    np.testing.assert_allclose(h.step_lr, np.repeat(rates, 2))


def test_parameter_groups_keep_their_ratio_and_a_missing_group_is_frozen(small):
    (X, y), _ = small
    model = nn.mlp(64, 16, 10, seed=0)
    body, head = model.layers[0].parameters(), model.layers[2].parameters()
    opt = optim.SGD([{"params": body}, {"params": head, "lr": 0.1}], lr=0.01, momentum=0.9)
    h = fit(model, (X, y), epochs=3, batch_size=50, optimizer=opt, seed=0, progress=False,
            schedule=lambda t: 0.01 * 0.1**t)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([1e-4, 1e-3])
    np.testing.assert_allclose(h.lr, [1e-2, 1e-3, 1e-4])
    # an optimizer over the head only: the body does not move (fine-tuning the last layer)
    model = nn.mlp(64, 16, 10, seed=0)
    body_before = [p.copy() for p in model.layers[0].parameters()]
    head_before = [p.copy() for p in model.layers[2].parameters()]
    fit(model, (X, y), epochs=1, batch_size=50, optimizer=optim.Adam(model.layers[2].parameters(), lr=0.01),
        seed=0, progress=False)
    for p, b in zip(model.layers[0].parameters(), body_before, strict=True):
        np.testing.assert_array_equal(p, b)
    assert all(not np.array_equal(p, b) for p, b in zip(model.layers[2].parameters(), head_before, strict=True))


def test_groups_in_another_order_get_their_own_gradients(small):
    """An optimizer whose groups list the head before the body gets each array's own gradient."""
    (X, y), _ = small
    a, b = nn.mlp(64, 16, 10, seed=0), nn.mlp(64, 16, 10, seed=0)
    fit(a, (X, y), epochs=1, batch_size=50, optimizer=optim.SGD(a.parameters(), lr=0.05), seed=0, progress=False)
    reordered = optim.SGD([{"params": b.layers[2].parameters()}, {"params": b.layers[0].parameters()}], lr=0.05)
    fit(b, (X, y), epochs=1, batch_size=50, optimizer=reordered, seed=0, progress=False)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-13)


def test_record_steps_gives_per_layer_gradient_norms(small):
    (X, y), _ = small
    model, twin = nn.mlp(64, 16, 16, 10, seed=5), nn.mlp(64, 16, 16, 10, seed=5)
    h = fit(model, (X, y), epochs=1, batch_size=64, lr=0.1, seed=0, record_steps=True, progress=False)
    assert h.grad_norms.shape == (4, 3) and h.grad_norm.shape == (4,)
    xb, yb = next(data.minibatches(X, y, 64, np.random.default_rng(0)))
    twin.backward(nn.softmax_cross_entropy(twin.forward(xb), yb)[1])
    np.testing.assert_allclose(h.grad_norms[0], nn.gradient_norms(twin), rtol=1e-12)
    total = np.sqrt(sum(np.sum(g * g) for g in twin.gradients()))
    assert h.grad_norm[0] == pytest.approx(total, rel=1e-12)


def test_divergence_stops_the_run_and_says_where_without_warnings(small):
    (X, y), val = small
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = fit(nn.mlp(64, 32, 32, 10, seed=0), (X, y), epochs=5, batch_size=20, lr=100.0, val=val, seed=0,
                progress=False)
    assert h.diverged and isinstance(h.diverged_at, int) and 1 <= h.diverged_at <= 10
    assert h.message.startswith(f"diverged at step {h.diverged_at} (epoch 1)")
    assert len(h.step_loss) == h.steps == h.diverged_at and not np.isfinite(h.step_loss[-1])
    assert np.all(np.isfinite(h.step_loss[:-1]))
    assert len(h.loss) == len(h.val_acc) == 1 and np.isnan(h.loss[-1]) and np.isnan(h.val_acc[-1])


def test_mse_loss_fits_a_linear_regression():
    s = data.synthetic_regression(n_samples=400, n_features=3, noise=0.05, seed=0)
    model = nn.Linear(3, 1, seed=0)
    h = fit(model, (s.X, s.y[:, None]), epochs=30, batch_size=20, lr=0.05, loss="mse", seed=0, progress=False)
    np.testing.assert_allclose(model.W[:, 0], s.w, atol=0.02)
    assert model.b[0] == pytest.approx(s.b, abs=0.02)
    assert h.loss[-1] < 0.01 and np.all(np.isnan(h.acc))


def test_mode_is_restored_and_batchnorm_statistics_are_learnt(small):
    (X, y), val = small
    model = nn.mlp(64, 16, 10, batchnorm=True, seed=0)
    bn = model.layers[1]
    fit(model, (X, y), epochs=1, batch_size=50, lr=0.1, val=val, seed=0, progress=False)
    assert model.training and bn.training and not np.allclose(bn.running_mean, 0)
    model.eval()
    fit(model, (X, y), epochs=1, batch_size=50, lr=0.1, seed=0, progress=False)
    assert not model.training and not bn.training


def test_progress_bar_only_when_asked(small, capsys):
    (X, y), _ = small
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=2, batch_size=50, lr=0.1, seed=0, progress=False)
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=2, batch_size=50, lr=0.1, seed=0)  # short: no bar
    assert capsys.readouterr().err == ""
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=2, batch_size=50, lr=0.1, seed=0, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_bad_arguments_get_clear_errors(small):
    (X, y), _ = small
    model = nn.mlp(64, 10, seed=0)
    with pytest.raises(ValueError, match=r"input x must have shape \(batch, 64\); got \(32, 63\)"):
        fit(model, (X[:, :63], y), epochs=1, progress=False)
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        fit(model, (X, y.astype(float)), epochs=1, progress=False)
    with pytest.raises(ValueError, match="label 10, outside the allowed range 0..9"):
        fit(model, (X, np.where(y == 3, 10, y)), epochs=1, progress=False)
    with pytest.raises(ValueError, match="X and y must have the same length"):
        fit(model, (X, y[:-1]), epochs=1, progress=False)
    with pytest.raises(TypeError, match=r"train must be a pair \(X, y\)"):
        fit(model, X, epochs=1, progress=False)
    with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
        fit(model, (X, y), epochs=0)
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        fit(model, (X, y), epochs=1, batch_size=2.5)
    with pytest.raises(ValueError, match="clip_norm must be a number > 0"):
        fit(model, (X, y), epochs=1, clip_norm=-1)
    with pytest.raises(ValueError, match=r"lr.*-0\.1"):
        fit(model, (X, y), epochs=1, lr=-0.1, progress=False)
    with pytest.raises(TypeError, match="set them there"):
        fit(model, (X, y), epochs=1, lr=0.1, optimizer=optim.SGD(model.parameters()))
    with pytest.raises(ValueError, match="not one of model.parameters"):
        fit(model, (X, y), epochs=1, optimizer=optim.SGD([np.zeros(3)]))
    with pytest.raises(TypeError, match="optimizer must be a coursekit.optim class"):
        fit(model, (X, y), epochs=1, optimizer="adam")
    with pytest.raises(ValueError, match=r"schedule\(0\) = -1.0"):
        fit(model, (X, y), epochs=1, schedule=lambda t: -1.0, progress=False)
    with pytest.raises(ValueError, match="lr holds 2 per-epoch rates, but epochs=3"):
        fit(model, (X, y), epochs=3, lr=[0.1, 0.2])
    with pytest.raises(ValueError, match="loss must be 'cross_entropy', 'mse'"):
        fit(model, (X, y), epochs=1, loss="hinge")


class _RecordingBar:
    """Stands in for tqdm: records that a bar was made (and takes its calls)."""

    made = []

    def __init__(self, *args, **kwargs):
        _RecordingBar.made.append(kwargs)

    def update(self, n=1):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


@pytest.fixture
def recorded_bars(monkeypatch):
    import tqdm.auto

    _RecordingBar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _RecordingBar)
    return _RecordingBar.made


def test_progress_bar_depends_on_the_work_not_on_the_clock(small, recorded_bars, monkeypatch):
    """A slow (busy) machine must not change what fit shows: a run of few steps shows no bar
    even when every step seems to take a minute, and a run of many steps shows one."""
    import coursekit.train as train

    clock = iter(range(0, 10**9, 60))
    monkeypatch.setattr(train.time, "perf_counter", lambda: float(next(clock)))
    (X, y), _ = small
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=3, batch_size=50, lr=0.1, seed=0)   # 12 steps
    assert recorded_bars == []
    monkeypatch.setattr(train, "PROGRESS_AFTER_STEPS", 11)
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=3, batch_size=50, lr=0.1, seed=0)
    assert len(recorded_bars) == 1 and recorded_bars[0]["total"] == 3
    fit(nn.mlp(64, 10, seed=0), (X, y), epochs=3, batch_size=50, lr=0.1, seed=0, progress=False)
    assert len(recorded_bars) == 1
