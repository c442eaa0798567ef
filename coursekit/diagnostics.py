"""Diagnosing how gradients flow through a deep network (chapters 6 and 7).

Computation only, returning arrays: per-layer gradient norms over a batch, the norm of the
back-propagated signal at every layer, activation statistics per layer, the per-layer
factors of a one-unit-wide chain and their product, the relative change of each layer's
weights during training, and re-scaling a network's initial weights.

Everything works on the layers of ``coursekit.nn``: a model is a ``Sequential`` (``.layers``)
whose layers may be ``Residual`` blocks (``.block``) or nested ``Sequential``s; a ``Linear``
has ``W`` (shape ``(in, out)``) and, after ``backward``, ``dW``. Build the deep networks of
chapters 6 and 7 with ``nn.mlp`` (e.g. ``nn.mlp(64, [32] * 10, 10, activation="sigmoid",
batchnorm=True, residual=True)``) and give them an initial weight scale with
``set_weight_scale``; their ``Linear`` layers are ``nn.linear_layers(model)``.
"""

from __future__ import annotations

import numpy as np

from . import nn

__all__ = [
    "ACTIVATIONS",
    "activation",
    "activation_curves",
    "set_weight_scale",
    "forward_backward",
    "layer_gradient_norms",
    "signal_norms",
    "activation_values",
    "saturation",
    "chain_factors",
    "weight_snapshot",
    "weight_changes",
]

#: the activation names, in the order the chapters show them (the layers: ``nn.ACTIVATIONS``)
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def activation(name: str):
    """A fresh ``coursekit.nn`` activation layer by name (``sigmoid``, ``tanh``, ``relu``,
    ``leaky_relu`` (slope 0.01), ``elu`` (α = 1)), from ``nn.ACTIVATIONS``."""
    if name not in nn.ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {name!r}")
    return nn.ACTIVATIONS[name]()


def activation_curves(z, names=ACTIVATIONS) -> dict:
    """``{name: (φ(z), φ'(z))}`` for each activation, both computed by the ``coursekit.nn``
    layer itself (``forward(z)``, then ``backward(ones)`` gives the elementwise derivative)."""
    z = np.asarray(z, dtype=float)
    curves = {}
    for name in names:
        layer = activation(name)
        a = np.array(layer.forward(z.reshape(1, -1))).reshape(z.shape)
        da = np.array(layer.backward(np.ones((1, z.size)))).reshape(z.shape)
        curves[name] = (a, da)
    return curves


def set_weight_scale(model, scale: float, seed: int = 0):
    """Redraw every ``Linear`` weight as ``W ~ N(0, scale² / n_in)`` (biases zero) from one
    seeded generator; returns ``model``. ``scale = 1`` is LeCun's initialisation,
    ``scale = √2`` He's; for square layers Xavier's ``2/(n_in + n_out)`` is ``scale = 1``."""
    if not scale > 0:
        raise ValueError(f"scale must be > 0; got {scale!r}")
    rng = np.random.default_rng(seed)
    for layer in nn.linear_layers(model):
        n_in = layer.W.shape[0]
        layer.W[...] = rng.normal(0.0, scale / np.sqrt(n_in), layer.W.shape)
        if getattr(layer, "b", None) is not None:
            layer.b[...] = 0.0
    return model


def _loss(loss):
    return nn.softmax_cross_entropy if loss is None else loss


def forward_backward(model, X, y, loss=None) -> float:
    """One forward and backward pass of ``model`` on the batch ``(X, y)`` (loss
    ``nn.softmax_cross_entropy`` unless given); leaves the gradients in the layers and returns
    the loss."""
    with np.errstate(all="ignore"):
        out = model.forward(np.asarray(X, dtype=float))
        value, dout = _loss(loss)(out, y)
        model.backward(dout)
    return float(value)


def layer_gradient_norms(model, X, y, loss=None) -> np.ndarray:
    """``‖∂L/∂W_l‖`` (Frobenius) for every ``Linear`` layer ``l`` of ``model`` (forward
    order: index 0 is the layer next to the input), on the batch ``(X, y)``."""
    forward_backward(model, X, y, loss)
    with np.errstate(all="ignore"):
        return nn.gradient_norms(model)


def signal_norms(model, X, y, loss=None) -> np.ndarray:
    """The norm of the back-propagated signal ``‖∂L/∂x_l‖`` at the input ``x_l`` of every
    top-level layer of the ``Sequential`` ``model`` (index 0: ∂L/∂X), and, last, at the
    output (∂L/∂logits), over the batch. The ratio of neighbours is the per-layer factor by
    which back-propagation multiplies the gradient."""
    layers = list(model.layers)
    with np.errstate(all="ignore"):
        x = np.asarray(X, dtype=float)
        for layer in layers:
            x = layer.forward(x)
        _, d = _loss(loss)(x, y)
        norms = [np.linalg.norm(d)]
        for layer in reversed(layers):
            d = layer.backward(d)
            norms.append(np.linalg.norm(d))
    return np.array(norms[::-1])


def activation_values(model, X, kinds=("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"),
                      inputs: bool = True) -> list:
    """Run ``X`` through the top-level layers of ``model`` and return, for every activation
    layer (class name in ``kinds``), its input ``z`` (``inputs=True``: the pre-activations) or
    its output. Returns a list of arrays of shape ``(batch, width)``, input side first."""
    values = []
    with np.errstate(all="ignore"):
        x = np.asarray(X, dtype=float)
        for layer in model.layers:
            if type(layer).__name__ in kinds and inputs:
                values.append(np.array(x))
            x = layer.forward(x)
            if type(layer).__name__ in kinds and not inputs:
                values.append(np.array(x))
    return values


def saturation(z, name: str = "sigmoid", threshold: float = 0.1) -> dict:
    """How saturated a layer's pre-activations ``z`` are under activation ``name``: the mean
    of ``φ'(z)`` relative to its maximum (``φ'(0)``), and the fraction of units whose
    ``φ'(z)`` is below ``threshold`` times that maximum."""
    z = np.asarray(z, dtype=float)
    _, d = activation_curves(z.reshape(-1), [name])[name]
    _, d0 = activation_curves(np.zeros(1), [name])[name]
    rel = d / d0[0]
    return {"mean_derivative": float(np.mean(d)), "relative_mean_derivative": float(np.mean(rel)),
            "saturated_fraction": float(np.mean(rel < threshold))}


def chain_factors(w, b, x0: float, name: str = "sigmoid"):
    """A one-unit-wide chain ``a_l = φ(w_l a_{l-1} + b_l)``, ``a_0 = x0``.

    Returns ``(a, factors)``: the activations ``a_0 … a_L`` and the per-layer factors
    ``∂a_l/∂a_{l-1} = w_l φ'(z_l)``, whose product is ``∂a_L/∂a_0`` (back-propagation
    multiplies one factor per layer)."""
    w = np.asarray(w, dtype=float).reshape(-1)
    b = np.broadcast_to(np.asarray(b, dtype=float), w.shape)
    a = [float(x0)]
    factors = []
    for wl, bl in zip(w, b, strict=True):
        layer = activation(name)
        z = np.array([[wl * a[-1] + bl]])
        a.append(float(np.asarray(layer.forward(z)).item()))
        factors.append(float(wl * np.asarray(layer.backward(np.ones((1, 1)))).item()))
    return np.array(a), np.array(factors)


def weight_snapshot(model) -> list:
    """Copies of every ``Linear`` weight matrix, in forward order."""
    return [np.array(layer.W, copy=True) for layer in nn.linear_layers(model)]


def weight_changes(before, after) -> np.ndarray:
    """Relative change ``‖W_l(after) − W_l(before)‖ / ‖W_l(before)‖`` of each layer; ``before``
    and ``after`` are lists of weight matrices (``weight_snapshot``) or models."""
    if not isinstance(before, list | tuple):
        before = weight_snapshot(before)
    if not isinstance(after, list | tuple):
        after = weight_snapshot(after)
    if len(before) != len(after):
        raise ValueError(f"before and after must have the same number of layers; got {len(before)} and {len(after)}")
    return np.array([np.linalg.norm(a - b) / np.linalg.norm(b) for b, a in zip(before, after, strict=True)])


def relative_gradient_norms(model, X, y, loss=None) -> np.ndarray:
    """``‖∂L/∂W_l‖ / ‖W_l‖`` (Frobenius) for every ``Linear`` layer (forward order), on the batch
    ``(X, y)``: the gradient measured against the size of the weights it updates, so a network
    whose every layer vanishes (or explodes) alike shows it, which the first/last ratio of
    ``layer_gradient_norms`` cannot."""
    grads = layer_gradient_norms(model, X, y, loss)
    weights = np.array([np.linalg.norm(layer.W) for layer in nn.linear_layers(model)])
    with np.errstate(all="ignore"):
        return grads / weights


def batch_spread(model, X, kinds=("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU")) -> np.ndarray:
    """For every activation layer's output ``x_l`` (input side first), the standard deviation of
    each unit across the batch ``X``, averaged over the units. Near 0 means every input gives
    the layer (almost) the same output: the forward signal has collapsed."""
    values = activation_values(model, X, kinds=kinds, inputs=False)
    return np.array([v.std(axis=0).mean() for v in values])


def set_xavier_normal(model, gain: float = 1.0, seed: int = 0):
    """Redraw every ``Linear`` weight as Xavier/Glorot's ``W ~ N(0, gain² · 2 / (n_in + n_out))``
    (biases zero; ``torch.nn.init.xavier_normal_``) from one seeded generator; returns ``model``."""
    if not gain > 0:
        raise ValueError(f"gain must be > 0; got {gain!r}")
    rng = np.random.default_rng(seed)
    for layer in nn.linear_layers(model):
        n_in, n_out = layer.W.shape
        layer.W[...] = rng.normal(0.0, gain * np.sqrt(2.0 / (n_in + n_out)), layer.W.shape)
        if getattr(layer, "b", None) is not None:
            layer.b[...] = 0.0
    return model
