"""coursekit.diagnostics: per-layer gradient norms, signal norms, activation statistics,
chain factors, weight changes, re-scaling a network's initial weights."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import diagnostics as D
from coursekit import gradients, nn


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 6)), rng.integers(0, 3, 20)


def test_activation_curves_are_the_layers_and_their_derivatives():
    z = np.linspace(-5, 5, 101)
    curves = D.activation_curves(z)
    assert list(curves) == ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
    s, ds = curves["sigmoid"]
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(ds, s * (1 - s))
    assert ds.max() == pytest.approx(0.25)
    t, dt = curves["tanh"]
    np.testing.assert_allclose(dt, 1 - np.tanh(z) ** 2)
    for name in curves:
        zz = z[1::10] + 0.01  # avoid the kink of ReLU at 0
        num = [gradients.central_difference(lambda v, n=name: D.activation_curves(v, [n])[n][0].sum(), np.array([q]))[0]
               for q in zz]
        np.testing.assert_allclose(D.activation_curves(zz, [name])[name][1], num, atol=1e-7)
    with pytest.raises(ValueError, match="activation"):
        D.activation("swish")


def _mlp(depth, activation, width, n_in, n_out, scale=None, seed=0, **kwargs):
    """The chapters' deep network: nn.mlp, weights redrawn at ``scale`` by set_weight_scale."""
    model = nn.mlp(n_in, [width] * depth, n_out, activation=activation, seed=seed, **kwargs)
    return model if scale is None else D.set_weight_scale(model, scale, seed=seed)


def test_activation_names_are_nn_layers_in_the_chapters_order():
    assert D.ACTIVATIONS == ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
    assert set(D.ACTIVATIONS) == set(nn.ACTIVATIONS)
    for name in D.ACTIVATIONS:
        assert type(D.activation(name)) is nn.ACTIVATIONS[name]


def test_set_weight_scale_redraws_every_linear_layer():
    big = nn.mlp(400, [400] * 3, 3, activation="relu", seed=0)
    assert D.set_weight_scale(big, 2.0, seed=0) is big
    lins = nn.linear_layers(big)
    for lin in lins:
        assert np.std(lin.W) * np.sqrt(lin.W.shape[0]) == pytest.approx(2.0, rel=0.03)
        assert not np.any(lin.b)
    again = D.set_weight_scale(nn.mlp(400, [400] * 3, 3, activation="relu", seed=5), 2.0, seed=0)
    np.testing.assert_array_equal(lins[1].W, nn.linear_layers(again)[1].W)  # the seed decides, not the old weights
    r = D.set_weight_scale(nn.mlp(6, [8] * 4, 3, activation="tanh", residual=True, batchnorm=True), 0.5)
    assert [lin.W.shape for lin in nn.linear_layers(r)] == [(6, 8), (8, 8), (8, 8), (8, 8), (8, 3)]
    assert np.std(nn.linear_layers(r)[2].W) * np.sqrt(8) == pytest.approx(0.5, rel=0.35)
    with pytest.raises(ValueError, match="scale"):
        D.set_weight_scale(r, -1.0)


def test_layer_gradient_norms_match_numerical_gradient(batch):
    X, y = batch
    m = _mlp(3, "tanh", 5, 6, 3, scale=1.0, seed=1)
    norms = D.layer_gradient_norms(m, X, y)
    for layer, n in zip(nn.linear_layers(m), norms, strict=True):
        W0 = layer.W.copy()

        def loss(W, layer=layer):
            layer.W[...] = W
            return nn.softmax_cross_entropy(m.forward(X), y)[0]

        num = gradients.central_difference(loss, W0.copy())
        layer.W[...] = W0
        assert n == pytest.approx(np.linalg.norm(num), rel=1e-6)


def test_signal_norms_and_the_one_of_residual_blocks(batch):
    X, y = batch
    m = _mlp(3, "sigmoid", 6, 6, 3, seed=2)
    s = D.signal_norms(m, X, y)
    assert len(s) == len(m.layers) + 1
    loss = lambda x: nn.softmax_cross_entropy(m.forward(x), y)[0]
    assert s[0] == pytest.approx(np.linalg.norm(gradients.central_difference(loss, X.copy())), rel=1e-6)
    # a residual block whose branch has zero weights passes the gradient on unchanged
    lin = nn.Linear(6, 6, seed=0)
    lin.W[...] = 0.0
    block = nn.Residual(nn.Sequential(lin, nn.Sigmoid()))
    block.forward(X)
    d = np.random.default_rng(3).normal(size=X.shape)
    np.testing.assert_array_equal(block.backward(d), d)


def test_activation_values_and_saturation(batch):
    X, _ = batch
    m = _mlp(3, "sigmoid", 5, 6, 3, scale=1.0, seed=0)
    zs = D.activation_values(m, X)
    outs = D.activation_values(m, X, inputs=False)
    assert len(zs) == len(outs) == 3
    np.testing.assert_allclose(outs[0], 1 / (1 + np.exp(-zs[0])))
    sat = D.saturation(np.array([0.0, 10.0, -10.0, 0.0]), "sigmoid")
    assert sat["saturated_fraction"] == pytest.approx(0.5)
    assert sat["mean_derivative"] == pytest.approx(0.125, rel=1e-3)


def test_chain_factors_product_is_the_derivative():
    w, b = np.array([1.5, -0.7, 2.0, 0.9]), np.array([0.1, 0.0, -0.3, 0.2])
    for name in D.ACTIVATIONS:
        a, f = D.chain_factors(w, b, 0.4, name)
        num = gradients.central_difference(lambda x, n=name: D.chain_factors(w, b, x[0], n)[0][-1], np.array([0.4]))[0]
        assert np.prod(f) == pytest.approx(num, rel=1e-6, abs=1e-10)
        assert len(a) == 5
    _, f = D.chain_factors(np.full(5, 1.25), 0.0, 0.0, "tanh")
    np.testing.assert_allclose(f, 1.25)


def test_weight_changes():
    m = _mlp(2, "relu", 4, 3, 2, seed=0)
    before = D.weight_snapshot(m)
    nn.linear_layers(m)[0].W[...] *= 1.5
    ch = D.weight_changes(before, m)
    np.testing.assert_allclose(ch, [0.5, 0.0, 0.0])
    with pytest.raises(ValueError, match="same number"):
        D.weight_changes(before[:1], m)


def test_relative_gradient_norms_and_batch_spread_against_torch(batch):
    torch = pytest.importorskip("torch")
    X, y = batch
    model = D.set_weight_scale(nn.mlp(X.shape[1], [7, 6], int(y.max()) + 1, activation="sigmoid", seed=3), 1.0, seed=3)
    rel = D.relative_gradient_norms(model, X, y)
    spread = D.batch_spread(model, X)
    Ws = [torch.tensor(layer.W, requires_grad=True) for layer in nn.linear_layers(model)]
    bs = [torch.tensor(layer.b) for layer in nn.linear_layers(model)]
    h, outs = torch.tensor(X), []
    for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        h = h @ W + b
        if k < len(Ws) - 1:
            h = torch.sigmoid(h)
            outs.append(h.detach().numpy())
    torch.nn.functional.cross_entropy(h, torch.tensor(y)).backward()
    expected = [(W.grad.norm() / W.detach().norm()).item() for W in Ws]
    np.testing.assert_allclose(rel, expected, rtol=1e-10)
    np.testing.assert_allclose(spread, [o.std(axis=0).mean() for o in outs], rtol=1e-10)


def test_set_xavier_normal_has_glorots_variance():
    model = D.set_xavier_normal(nn.mlp(300, [200], 100, activation="tanh", seed=0), gain=1.5, seed=4)
    for layer in nn.linear_layers(model):
        n_in, n_out = layer.W.shape
        assert abs(layer.W.std() / (1.5 * np.sqrt(2.0 / (n_in + n_out))) - 1) < 0.03
        assert np.all(layer.b == 0)
    again = D.set_xavier_normal(nn.mlp(300, [200], 100, activation="tanh", seed=0), gain=1.5, seed=4)
    assert np.array_equal(nn.linear_layers(model)[0].W, nn.linear_layers(again)[0].W)
    with pytest.raises(ValueError, match="gain"):
        D.set_xavier_normal(model, gain=0.0)
