"""Chapters 6 and 7: the depth explorers and the gradient-norm plots.

Each explorer test drives ``update`` with several slider values and checks that the drawn artist
data changed and equals what coursekit's public API (``diagnostics``, ``train.fit``) computes for
those values.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from coursekit import data, nn
from coursekit import diagnostics as D
from coursekit.plots.gradnorms import activation_plot, layer_bars, layer_histograms, layer_norms
from coursekit.train import fit
from coursekit.widgets.base import Explorer
from coursekit.widgets.depth import VARIANTS, GradientNormExplorer, NormalizationExplorer


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    order = np.random.default_rng(0).permutation(len(y))
    tr, va = order[:96], order[96:160]
    return (X[tr], y[tr]), (X[va], y[va])


@pytest.fixture(scope="module")
def grad_explorer(digits):
    (X, y), _ = digits
    ex = GradientNormExplorer(X, y, max_depth=8, width=16, epochs=2, batch_size=32, seed=1)
    yield ex
    plt.close(ex.figure)


@pytest.fixture(scope="module")
def norm_explorer(digits):
    train, val = digits
    ex = NormalizationExplorer(train, val, max_depth=6, width=16, epochs=2, batch_size=32, seed=2, lr=0.5, depth=4)
    yield ex
    plt.close(ex.figure)


def _shown(line):
    x, yv = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(yv, dtype=float)


def test_explorers_have_the_required_controls(grad_explorer, norm_explorer):
    for ex in (grad_explorer, norm_explorer):
        assert isinstance(ex, Explorer)
        assert type(ex.controls["lr"]).__name__ == "FloatLogSlider"
    assert set(grad_explorer.controls) == {"depth", "scale", "activation", "lr"}
    assert type(grad_explorer.controls["scale"]).__name__ == "FloatLogSlider"
    assert list(grad_explorer.controls["activation"].options) == ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
    assert set(norm_explorer.controls) == {"lr", "depth"}
    assert norm_explorer.controls["lr"].value == pytest.approx(0.5) and norm_explorer.controls["depth"].value == 4


@pytest.mark.parametrize("depth, scale, activation, lr", [
    (3, 1.0, "sigmoid", 0.1), (6, 1.41, "relu", 0.05), (8, 0.5, "tanh", 0.3), (4, 2.0, "elu", 0.01),
    (5, 1.0, "leaky_relu", 1.0)])
def test_gradient_norm_explorer_draws_what_coursekit_computes(grad_explorer, digits, depth, scale, activation, lr):
    (X, y), _ = digits
    before = [_shown(line)[1].copy() for line in (grad_explorer.init_line, grad_explorer.trained_line,
                                                  grad_explorer.loss_line)]
    grad_explorer.update(depth=depth, scale=scale, activation=activation, lr=lr)
    grad_explorer.redraw()
    after = [_shown(line)[1] for line in (grad_explorer.init_line, grad_explorer.trained_line,
                                          grad_explorer.loss_line)]
    assert any(b.shape != a.shape or not np.allclose(b, a, equal_nan=True) for b, a in zip(before, after, strict=True))

    model = D.set_weight_scale(nn.mlp(64, [16] * depth, 10, activation=activation, seed=1), scale, seed=1)
    expected_init = D.layer_gradient_norms(model, X, y)
    history = fit(model, (X, y), epochs=2, lr=lr, batch_size=32, seed=1)
    x, shown = _shown(grad_explorer.init_line)
    np.testing.assert_array_equal(x, np.arange(1, depth + 2))
    np.testing.assert_allclose(shown, expected_init, rtol=1e-10)
    x, shown = _shown(grad_explorer.trained_line)
    if history.get("diverged_at") is None:
        np.testing.assert_allclose(shown, D.layer_gradient_norms(model, X, y), rtol=1e-8)
    else:
        assert np.all(np.isnan(shown))
    x, shown = _shown(grad_explorer.loss_line)
    losses = np.asarray(history["step_loss"], dtype=float)
    np.testing.assert_allclose(shown[np.isfinite(shown)], losses[np.isfinite(losses) & (losses > 0)], rtol=1e-10)


def test_gradient_norm_explorer_shows_vanishing_for_sigmoid_and_not_for_relu(grad_explorer):
    grad_explorer.update(depth=8, scale=1.0, activation="sigmoid", lr=0.1)
    sig = _shown(grad_explorer.init_line)[1]
    grad_explorer.update(depth=8, scale=np.sqrt(2), activation="relu", lr=0.1)
    relu = _shown(grad_explorer.init_line)[1]
    assert sig[0] / sig[-1] < 1e-3
    assert 1e-2 < relu[0] / relu[-1] < 1e2


def test_gradient_norm_explorer_reports_divergence(digits):
    (X, y), _ = digits
    ex = GradientNormExplorer(X, y, max_depth=8, width=16, epochs=2, batch_size=32, seed=0)
    try:
        ex.update(depth=8, scale=8.0, activation="relu", lr=10.0)
        assert "diverged at step" in ex.loss_status.get_text()
        assert np.all(np.isnan(_shown(ex.trained_line)[1]))
    finally:
        plt.close(ex.figure)


@pytest.mark.parametrize("lr, depth", [(0.1, 3), (0.5, 6), (0.02, 4)])
def test_normalization_explorer_draws_what_coursekit_computes(norm_explorer, digits, lr, depth):
    train, val = digits
    before = [_shown(line)[1].copy() for line in norm_explorer.norm_lines + norm_explorer.acc_lines]
    norm_explorer.update(lr=lr, depth=depth)
    norm_explorer.redraw()
    after = [_shown(line)[1] for line in norm_explorer.norm_lines + norm_explorer.acc_lines]
    assert any(b.shape != a.shape or not np.allclose(b, a, equal_nan=True) for b, a in zip(before, after, strict=True))
    for i, (label, (bn, res)) in enumerate(VARIANTS.items()):
        model = D.set_weight_scale(nn.mlp(64, [16] * depth, 10, activation="sigmoid", batchnorm=bn, residual=res,
                                          seed=2), 1.0, seed=2)
        first = next(data.minibatches(*train, 32, seed=np.random.default_rng(2)))  # fit's first mini-batch
        norms = D.layer_gradient_norms(model, *first)  # at initialisation, before any step
        history = fit(model, train, epochs=2, lr=lr, batch_size=32, val=val, seed=2)
        x, shown = _shown(norm_explorer.norm_lines[i])
        np.testing.assert_array_equal(x, np.arange(1, depth + 2))
        np.testing.assert_allclose(shown, norms, rtol=1e-10)
        x, shown = _shown(norm_explorer.acc_lines[i])
        np.testing.assert_allclose(shown, history["val_acc"], rtol=1e-12)
        result = "diverged" if history["diverged_at"] is not None else f"{100 * history['val_acc'][-1]:.1f}%"
        assert f"<b>{label}</b>: {result}" in norm_explorer.info.value


def test_plots_draw_the_data_they_are_given():
    fig, axes = plt.subplots(2, 3)
    try:
        z = np.linspace(-4, 4, 81)
        curves = D.activation_curves(z, ["sigmoid", "tanh"])
        lines = activation_plot(axes[0, 0], axes[0, 1], z, curves, bounds={"0.25": 0.25})
        np.testing.assert_allclose(lines[1].get_ydata(), curves["sigmoid"][1])
        norms = {"a": np.array([1e-3, 1e-2, 0.0]), "b": np.array([1.0, np.nan])}
        l1, l2 = layer_norms(axes[0, 2], norms)
        np.testing.assert_allclose(l1.get_ydata(), [1e-3, 1e-2, np.nan])
        assert l2.get_label() == "b"
        bars = layer_bars(axes[1, 0], {"x": [1.0, 2.0], "y": [3.0, 4.0]})
        assert [b.get_height() for b in bars[1]] == [3.0, 4.0]
        artists = layer_histograms(axes[1, 1:], [np.zeros(10), np.ones(10)], derivative=(z, curves["sigmoid"][1]))
        assert len(artists) == 4
    finally:
        plt.close(fig)


def test_layer_histograms_say_how_much_they_clip():
    fig, axes = plt.subplots(1, 2)
    try:
        values = [np.array([-20.0, 0.0, 0.5, 1.0]), np.zeros(4)]          # one value in four beyond ±6
        artists = layer_histograms(axes, values, bins=np.linspace(-6, 6, 13))
        texts = [a for a in artists if hasattr(a, "get_text")]
        assert len(texts) == 1 and texts[0].get_text().startswith("25% beyond") and texts[0].axes is axes[0]
        counts = artists[0][0]
        assert counts[0] > 0                                              # the clipped value is in the first bin
    finally:
        plt.close(fig)


def test_normalization_explorer_keeps_what_it_trained(norm_explorer, monkeypatch):
    norm_explorer.update(lr=0.2, depth=3)
    first = dict(norm_explorer.histories)
    import coursekit.widgets.depth as depth_module

    def no_training(*args, **kwargs):  # a revisited position must not train again
        raise AssertionError("trained again")

    monkeypatch.setattr(depth_module, "fit", no_training)
    norm_explorer.update(lr=0.2, depth=3)
    assert all(norm_explorer.histories[label] is first[label] for label in VARIANTS)
    assert len(norm_explorer._runs) <= norm_explorer.CACHE_SIZE


def test_gradient_norm_explorer_reports_scale_not_only_the_ratio(grad_explorer, digits):
    (X, y), _ = digits
    grad_explorer.update(depth=6, scale=0.3, activation="tanh", lr=0.1)
    model = D.set_weight_scale(nn.mlp(64, [16] * 6, 10, activation="tanh", seed=1), 0.3, seed=1)
    expected = D.relative_gradient_norms(model, X, y)
    np.testing.assert_allclose(grad_explorer.relative, expected, rtol=1e-10)
    text = grad_explorer.status.get_text()
    assert "‖∂L/∂W_l‖/‖W_l‖" in text and f"{np.log10(expected.max()):+.1f}" in text
