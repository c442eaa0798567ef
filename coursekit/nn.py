r"""A small network library in NumPy: layers with ``forward`` and ``backward``, and losses.

Named after PyTorch (``torch.nn``), so what a learner writes here carries over; every
forward and backward equals PyTorch autograd (``tests/test_nn.py``).

A layer maps a batch ``x`` of shape ``(batch, features)`` to an output, and caches what its
backward pass needs. ``backward(dout)`` takes ``∂L/∂out`` (same shape as the output), stores
the gradients of the layer's parameters (``dW``, ``db``, ``dgamma``, ``dbeta``) and returns
``∂L/∂x``. ``parameters()`` and ``gradients()`` list them in matching order; the parameter
arrays are created once and only ever changed in place, so an optimizer built on
``model.parameters()`` keeps working on the model.

    model = Sequential(Linear(64, 128, seed=1), ReLU(), Linear(128, 10, seed=2))
    loss, dlogits = softmax_cross_entropy(model.forward(X), y)
    model.backward(dlogits)
    optimizer.step(model.gradients())

Layers: ``Linear``, ``ReLU``, ``LeakyReLU``, ``ELU``, ``Sigmoid``, ``Tanh``, ``BatchNorm1d``,
``Residual``, ``Sequential``. Losses (mean over the batch, returning ``(loss, ∂loss/∂input)``):
``softmax_cross_entropy``, ``mse``. Helpers: ``mlp`` (build a deep MLP), ``gradient_norms``
(``‖∂L/∂W‖`` per ``Linear``), ``linear_layers``, ``accuracy``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Layer",
    "Linear",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Sigmoid",
    "Tanh",
    "BatchNorm1d",
    "LayerNorm",
    "Residual",
    "Sequential",
    "softmax_cross_entropy",
    "mse",
    "accuracy",
    "mlp",
    "linear_layers",
    "gradient_norms",
    "ACTIVATIONS",
]


class Layer:
    """Base class: no parameters, ``train()``/``eval()`` set ``training``; ``layer(x)`` is
    ``layer.forward(x)``."""

    training = True

    def forward(self, x):  # pragma: no cover - every layer overrides
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def parameters(self) -> list:
        """The parameter arrays (updated in place by an optimizer)."""
        return []

    def gradients(self) -> list:
        """The gradients of the last ``backward``, in the order of ``parameters()``."""
        return []

    def train(self):
        """Training mode (BatchNorm1d uses the batch statistics); returns the layer."""
        self.training = True
        return self

    def eval(self):
        """Evaluation mode (BatchNorm1d uses its running statistics); returns the layer."""
        self.training = False
        return self

    def __repr__(self):
        return f"{type(self).__name__}()"

    def _cached(self, name):
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value


def _check_dout(layer, dout, shape):
    dout = np.asarray(dout)
    if dout.shape != shape:
        raise ValueError(f"{layer!r}.backward: dout has shape {dout.shape}, but the output had shape {shape}")
    return dout


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _whole(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}; got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------- Linear


class Linear(Layer):
    r"""Fully connected layer ``out = x W + b`` with ``W`` of shape ``(in, out)``.

    .. code-block:: text

        forward:  out = x W + b                    x: (n, in), W: (in, out), b: (out,)
        backward: ∂L/∂W = xᵀ dout,  ∂L/∂b = Σₙ dout,  ∂L/∂x = dout Wᵀ

    (PyTorch stores the transpose, ``weight`` of shape ``(out, in)``: ``W = weight.T``.)

    ``init`` draws ``W`` from a normal distribution with zero mean and standard deviation
    ``"he"``: ``√(2 / in)`` (Kaiming, for ReLU), ``"xavier"``: ``√(2 / (in + out))``
    (Glorot, for sigmoid/tanh), ``"normal"``: ``std`` (default 0.01); ``b`` starts at zero.
    ``seed`` is an integer or a ``np.random.Generator``; give each layer of a network its own
    (``mlp`` does). ``dtype`` is float64 by default; float32 works too (inputs are converted
    to the layer's dtype). ``backward(dout, input_grad=False)`` stores ``dW``, ``db`` and skips
    the product ``dout Wᵀ`` (returns ``None``), for a first layer whose input is data.
    """

    INITS = ("he", "xavier", "normal")

    def __init__(self, in_features: int, out_features: int, init: str = "he", std: float | None = None,
                 seed=0, dtype=np.float64):
        self.in_features = _whole("in_features", in_features)
        self.out_features = _whole("out_features", out_features)
        if init not in self.INITS:
            raise ValueError(f"init must be one of {self.INITS}; got {init!r}")
        if std is not None and init != "normal":
            raise ValueError(f"std is only used with init='normal'; got std={std!r} with init={init!r}")
        scale = {"he": np.sqrt(2.0 / in_features), "xavier": np.sqrt(2.0 / (in_features + out_features)),
                 "normal": 0.01 if std is None else std}[init]
        if not scale >= 0:
            raise ValueError(f"std must be >= 0; got {std!r}")
        self.W = _rng(seed).normal(0.0, scale, (in_features, out_features)).astype(dtype, copy=False)
        self.b = np.zeros(out_features, dtype=dtype)
        self.dW = self.db = self.x = None

    def forward(self, x):
        x = np.asarray(x, dtype=self.W.dtype)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self!r}: input x must have shape (batch, {self.in_features}); got {x.shape}")
        self.x = x
        out = x @ self.W
        out += self.b
        return out

    def backward(self, dout, input_grad: bool = True):
        x = self._cached("x")
        dout = _check_dout(self, dout, (len(x), self.out_features))
        self.dW = x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T if input_grad else None

    def parameters(self):
        return [self.W, self.b]

    def gradients(self):
        return [self.dW, self.db]

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features})"


# ----------------------------------------------------------------------------- activations


class ReLU(Layer):
    r"""``out = max(x, 0)``; ``∂L/∂x = dout · 1[x > 0]`` (0 at ``x = 0``, as in PyTorch)."""

    def forward(self, x):
        self.out = np.maximum(x, 0.0)
        return self.out

    def backward(self, dout):
        out = self._cached("out")
        return _check_dout(self, dout, out.shape) * (out > 0)


class LeakyReLU(Layer):
    r"""``out = x`` for ``x > 0``, else ``negative_slope · x``;
    ``∂L/∂x = dout · (1 if x > 0 else negative_slope)``."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        x = np.asarray(x)
        self.positive = x > 0
        return np.where(self.positive, x, self.negative_slope * x)

    def backward(self, dout):
        positive = self._cached("positive")
        dout = _check_dout(self, dout, positive.shape)
        return np.where(positive, dout, self.negative_slope * dout)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope:g})"


class ELU(Layer):
    r"""``out = x`` for ``x > 0``, else ``α (eˣ − 1)``;
    ``∂L/∂x = dout · (1 if x > 0 else α eˣ = out + α)``."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def forward(self, x):
        x = np.asarray(x)
        self.positive = x > 0
        self.out = np.where(self.positive, x, self.alpha * np.expm1(np.minimum(x, 0.0)))
        return self.out

    def backward(self, dout):
        out = self._cached("out")
        dout = _check_dout(self, dout, out.shape)
        return np.where(self.positive, dout, dout * (out + self.alpha))

    def __repr__(self):
        return f"ELU(alpha={self.alpha:g})"


class Sigmoid(Layer):
    r"""``out = σ(x) = 1 / (1 + e⁻ˣ)``; ``∂L/∂x = dout · σ(x)(1 − σ(x))`` (at most 1/4).

    Computed as ``1/(1 + e^{-|x|})`` and ``e^{-|x|}/(1 + e^{-|x|})`` for negative ``x``, so
    no ``exp`` overflows and small values keep their relative precision."""

    def forward(self, x):
        x = np.asarray(x)
        e = np.exp(-np.abs(x))
        r = 1.0 / (1.0 + e)
        self.out = np.where(x >= 0, r, e * r)
        return self.out

    def backward(self, dout):
        out = self._cached("out")
        return _check_dout(self, dout, out.shape) * (out * (1.0 - out))


class Tanh(Layer):
    r"""``out = tanh(x)``; ``∂L/∂x = dout · (1 − tanh²(x))`` (at most 1)."""

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        out = self._cached("out")
        return _check_dout(self, dout, out.shape) * (1.0 - out * out)


# ----------------------------------------------------------------------------- BatchNorm1d


class BatchNorm1d(Layer):
    r"""Batch normalisation of each feature (Ioffe & Szegedy, 2015), as ``torch.nn.BatchNorm1d``.

    .. code-block:: text

        training (statistics of the batch of n rows, per feature):
            μ = (1/n) Σᵢ xᵢ          σ² = (1/n) Σᵢ (xᵢ − μ)²        (biased: normalises)
            x̂ = (x − μ) / √(σ² + ε)   out = γ x̂ + β
            running_mean ← (1 − m) running_mean + m μ
            running_var  ← (1 − m) running_var  + m σ² n/(n − 1)     (unbiased estimate)
        evaluation:  x̂ = (x − running_mean) / √(running_var + ε),  out = γ x̂ + β

        backward (training):  ∂L/∂γ = Σᵢ dout ⊙ x̂,   ∂L/∂β = Σᵢ dout,   d = dout ⊙ γ
            ∂L/∂x = (1 / (n √(σ² + ε))) · (n d − Σᵢ d − x̂ ⊙ Σᵢ (d ⊙ x̂))
        backward (evaluation, the statistics are constants):  ∂L/∂x = dout ⊙ γ / √(running_var + ε)

    ``m`` is ``momentum`` (PyTorch's convention: the weight of the new batch). ``γ`` starts at
    one, ``β`` at zero, ``running_mean`` at zero and ``running_var`` at one.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, dtype=np.float64):
        self.num_features = _whole("num_features", num_features)
        if not eps > 0:
            raise ValueError(f"eps must be > 0; got {eps!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must lie in [0, 1]; got {momentum!r}")
        self.eps, self.momentum = float(eps), float(momentum)
        self.gamma = np.ones(num_features, dtype=dtype)
        self.beta = np.zeros(num_features, dtype=dtype)
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.dgamma = self.dbeta = self.xhat = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: input x must have shape (batch, {self.num_features}); got {x.shape}")
        n = len(x)
        if self.training:
            if n < 2:
                raise ValueError(f"{self!r} in training mode needs a batch of at least 2 rows; got {n}")
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.einsum("ij,ij->j", xc, xc) / n
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            xc = x - self.running_mean
            var = self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.xhat = xc * self.inv_std
        self.batch_stats = self.training
        return self.xhat * self.gamma + self.beta

    def backward(self, dout):
        xhat = self._cached("xhat")
        dout = _check_dout(self, dout, xhat.shape)
        self.dgamma = np.einsum("ij,ij->j", dout, xhat)
        self.dbeta = dout.sum(axis=0)
        scale = self.gamma * self.inv_std
        if not self.batch_stats:
            return dout * scale
        n = len(xhat)
        return (scale / n) * (n * dout - self.dbeta - xhat * self.dgamma)

    def parameters(self):
        return [self.gamma, self.beta]

    def gradients(self):
        return [self.dgamma, self.dbeta]

    def __repr__(self):
        return f"BatchNorm1d({self.num_features}, eps={self.eps:g}, momentum={self.momentum:g})"


# ----------------------------------------------------------------------------- LayerNorm


class LayerNorm(Layer):
    r"""Layer normalisation of each row over its features (Ba, Kiros & Hinton, 2016), as
    ``torch.nn.LayerNorm(num_features)`` on inputs of shape ``(batch, num_features)``.

    .. code-block:: text

        per row x (n = num_features values):
            μ = (1/n) Σⱼ xⱼ      σ² = (1/n) Σⱼ (xⱼ − μ)²      x̂ = (x − μ) / √(σ² + ε)
            out = γ ⊙ x̂ + β                      (γ, β: one per feature)
        backward:  ∂L/∂γ = Σ_rows dout ⊙ x̂,   ∂L/∂β = Σ_rows dout,   d = dout ⊙ γ
            ∂L/∂x = (1 / (n √(σ² + ε))) · (n d − Σⱼ d − x̂ ⊙ Σⱼ (d ⊙ x̂))   (sums along the row)

    The statistics belong to one example, so the output never depends on the batch and
    training and evaluation mode are the same. ``γ`` starts at one, ``β`` at zero.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, dtype=np.float64):
        self.num_features = _whole("num_features", num_features)
        if not eps > 0:
            raise ValueError(f"eps must be > 0; got {eps!r}")
        self.eps = float(eps)
        self.gamma = np.ones(num_features, dtype=dtype)
        self.beta = np.zeros(num_features, dtype=dtype)
        self.dgamma = self.dbeta = self.xhat = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: input x must have shape (batch, {self.num_features}); got {x.shape}")
        xc = x - x.mean(axis=1, keepdims=True)
        var = np.einsum("ij,ij->i", xc, xc)[:, None] / self.num_features
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.xhat = xc * self.inv_std
        return self.xhat * self.gamma + self.beta

    def backward(self, dout):
        xhat = self._cached("xhat")
        dout = _check_dout(self, dout, xhat.shape)
        self.dgamma = np.einsum("ij,ij->j", dout, xhat)
        self.dbeta = dout.sum(axis=0)
        d = dout * self.gamma
        n = self.num_features
        along_xhat = np.einsum("ij,ij->i", d, xhat)[:, None]
        return (self.inv_std / n) * (n * d - d.sum(axis=1, keepdims=True) - xhat * along_xhat)

    def parameters(self):
        return [self.gamma, self.beta]

    def gradients(self):
        return [self.dgamma, self.dbeta]

    def __repr__(self):
        return f"LayerNorm({self.num_features}, eps={self.eps:g})"


# ----------------------------------------------------------------------------- containers


class Residual(Layer):
    r"""A residual block ``out = S(x) + F(x)`` with ``F = block`` (kept as ``.block``) and the
    shortcut ``S`` the identity (``shortcut=None``) or a layer (kept as ``.shortcut``), e.g. a
    ``Linear`` projection where the block changes the width (He et al. 2016, eq. 2).

    ``∂L/∂x = S'(x)ᵀ dout + F'(x)ᵀ dout``; with the identity shortcut ``∂L/∂x = dout + F'(x)ᵀ dout``:
    the identity path carries ``dout`` back unchanged, however small the block's own factor is.
    ``parameters()`` are the block's, then the shortcut's."""

    def __init__(self, block: Layer, shortcut: Layer | None = None):
        if shortcut is not None and not isinstance(shortcut, Layer):
            kind = type(shortcut).__name__
            raise TypeError(f"Residual: shortcut must be a layer (e.g. nn.Linear) or None, got {kind}")
        self.block, self.shortcut = block, shortcut

    def forward(self, x):
        x = np.asarray(x)
        fx = self.block.forward(x)
        sx = x if self.shortcut is None else self.shortcut.forward(x)
        if fx.shape != sx.shape:
            sum_ = "x + block(x)" if self.shortcut is None else "shortcut(x) + block(x)"
            needs = f"{sum_} needs equal shapes"
            raise ValueError(f"Residual: the block maps shape {x.shape} to {fx.shape}, the shortcut to {sx.shape}; "
                             f"{needs} (give a projection shortcut, e.g. nn.Linear, where the width changes)")
        return sx + fx

    def backward(self, dout):
        through_shortcut = dout if self.shortcut is None else self.shortcut.backward(dout)
        return through_shortcut + self.block.backward(dout)

    def _layers(self):
        return [self.block] if self.shortcut is None else [self.block, self.shortcut]

    def parameters(self):
        return [p for layer in self._layers() for p in layer.parameters()]

    def gradients(self):
        return [g for layer in self._layers() for g in layer.gradients()]

    def train(self):
        self.training = True
        for layer in self._layers():
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self._layers():
            layer.eval()
        return self

    def __repr__(self):
        if self.shortcut is None:
            return f"Residual({self.block!r})"
        return f"Residual({self.block!r}, shortcut={self.shortcut!r})"


class Sequential(Layer):
    r"""Layers applied in order (kept as ``.layers``): ``forward`` runs them first to last,
    ``backward`` last to first (the chain rule). ``parameters()``/``gradients()`` concatenate
    the layers' lists, input side first."""

    def __init__(self, *layers: Layer):
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(f"Sequential: layers[{i}] must be a layer with forward and backward; got {layer!r}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout, input_grad: bool = True):
        """Back-propagate ``dout`` through the layers, last to first; returns ``∂L/∂x``.
        ``input_grad=False`` skips the product that only ``∂L/∂x`` needs when the first layer
        is a ``Linear`` (the input is data, as a tensor without ``requires_grad`` in PyTorch)
        and returns ``None``; ``train.fit`` uses it."""
        for layer in reversed(self.layers[1:]):
            dout = layer.backward(dout)
        first = self.layers[0] if self.layers else None
        if first is None:
            return dout
        if isinstance(first, Linear | Sequential):
            return first.backward(dout, input_grad=input_grad)
        return first.backward(dout)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def gradients(self):
        return [g for layer in self.layers for g in layer.gradients()]

    def train(self):
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def __getitem__(self, i):
        """``model[i]`` is a layer; ``model[a:b]`` a ``Sequential`` of those layers (shared, not copied)."""
        return Sequential(*self.layers[i]) if isinstance(i, slice) else self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = "".join(f"\n  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


# ----------------------------------------------------------------------------- losses


def _check_labels(y, n_rows: int, n_classes: int):
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels in 0..{n_classes - 1}; got an array of dtype {y.dtype}")
    if y.shape != (n_rows,):
        raise ValueError(f"y must have shape ({n_rows},), one label per row of logits; got {y.shape}")
    if n_rows and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)][0]
        raise ValueError(f"y holds the label {bad}, outside the allowed range 0..{n_classes - 1} "
                         f"(logits have {n_classes} columns)")
    return y


def softmax_cross_entropy(logits, y):
    r"""Mean cross-entropy of the softmax of ``logits`` (shape ``(n, C)``) against the integer
    labels ``y`` (shape ``(n,)``, values in ``0..C-1``), as ``torch.nn.functional.cross_entropy``.

    .. code-block:: text

        pᵢ = softmax(zᵢ) = exp(zᵢ − max zᵢ) / Σₖ exp(zᵢₖ − max zᵢ)   (shifted: no overflow)
        L = −(1/n) Σᵢ log pᵢ,yᵢ = (1/n) Σᵢ (logsumexp(zᵢ) − zᵢ,yᵢ)
        ∂L/∂zᵢ = (pᵢ − onehot(yᵢ)) / n

    Returns ``(L, ∂L/∂logits)``.
    """
    z = np.asarray(logits)
    if z.ndim != 2 or z.shape[1] < 1:
        raise ValueError(f"logits must have shape (batch, n_classes); got {z.shape}")
    n = len(z)
    y = _check_labels(y, n, z.shape[1])
    if n == 0:
        raise ValueError("logits and y are empty: the mean loss of no examples is undefined")
    shifted = z - z.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    total = p.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.log(total).sum() - shifted[rows, y].sum()) / n
    p *= (1.0 / n) / total  # p = softmax / n
    p[rows, y] -= 1.0 / n
    return loss, p


def mse(pred, target):
    r"""Mean squared error over all elements, as ``torch.nn.functional.mse_loss``.

    ``L = (1/N) Σ (pred − target)²`` with ``N = pred.size``; ``∂L/∂pred = 2 (pred − target) / N``.
    ``pred`` and ``target`` must have the same shape (no broadcasting: ``(n, 1)`` against
    ``(n,)`` would silently compare every pair). Returns ``(L, ∂L/∂pred)``."""
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape; got {pred.shape} and {target.shape}")
    if pred.size == 0:
        raise ValueError("pred and target are empty: the mean loss of no examples is undefined")
    diff = pred - target
    return float(np.vdot(diff, diff)) / diff.size, diff * (2.0 / diff.size)


def accuracy(logits, y) -> float:
    """The fraction of rows whose largest logit is at the label."""
    z = np.asarray(logits)
    y = _check_labels(y, len(z), z.shape[1])
    return float(np.mean(z.argmax(axis=1) == y))


# ----------------------------------------------------------------------------- helpers

#: activation names accepted by ``mlp`` (the same as ``coursekit.diagnostics``)
ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU, "sigmoid": Sigmoid, "tanh": Tanh}


def mlp(*widths, activation: str = "relu", batchnorm: bool = False, residual: bool = False,
        init: str | None = None, seed=0, dtype=np.float64) -> Sequential:
    r"""A multi-layer perceptron with the given layer widths, input first.

    ``widths`` are integers or lists of integers, read in order: ``mlp(64, 128, 128, 10)``,
    ``mlp([64, 128, 128, 10])`` and ``mlp(64, [128, 128], 10)`` are the same network. For
    widths ``n₀, n₁, …, n_L`` it is ``Sequential`` of, for each hidden width ``nₗ``
    (``l = 1 … L−1``), the block

        ``Linear(nₗ₋₁, nₗ)`` → ``BatchNorm1d(nₗ)`` (if ``batchnorm``) → activation,

    wrapped as ``Residual(Sequential(block))`` when ``residual`` and ``nₗ₋₁ = nₗ`` (only there:
    the shapes must match), followed by the output layer ``Linear(n_{L−1}, n_L)`` without an
    activation (logits). ``activation`` is one of ``ACTIVATIONS``; ``init`` defaults to
    ``"he"`` for the ReLU family and ``"xavier"`` for sigmoid and tanh. All weights come from
    one generator seeded by ``seed``: same arguments, same network.
    """
    sizes = []
    for w in widths:
        sizes.extend(w if isinstance(w, list | tuple) else [w])
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least two widths (inputs and outputs), e.g. mlp(64, 128, 10); got {widths}")
    sizes = [_whole(f"widths[{i}]", w) for i, w in enumerate(sizes)]
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {activation!r}")
    if init is None:
        init = "xavier" if activation in ("sigmoid", "tanh") else "he"
    rng = _rng(seed)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True):
        block = [Linear(n_in, n_out, init=init, seed=rng, dtype=dtype)]
        if batchnorm:
            block.append(BatchNorm1d(n_out, dtype=dtype))
        block.append(ACTIVATIONS[activation]())
        layers += [Residual(Sequential(*block))] if residual and n_in == n_out else block
    layers.append(Linear(sizes[-2], sizes[-1], init=init, seed=rng, dtype=dtype))
    return Sequential(*layers)


def _children(layer):
    if isinstance(layer, Sequential):
        return layer.layers
    if isinstance(layer, Residual):
        return layer._layers()  # the block, then a projection shortcut if there is one
    return []


def linear_layers(model) -> list:
    """The ``Linear`` layers of ``model`` in forward order (input side first), looking inside
    ``Sequential`` and ``Residual``."""
    if isinstance(model, Linear):
        return [model]
    return [lin for child in _children(model) for lin in linear_layers(child)]


def gradient_norms(model) -> np.ndarray:
    """``‖∂L/∂W‖`` (Frobenius norm) of every ``Linear`` layer after the last ``backward``,
    input side first; the ratio of the first to the last shows vanishing or exploding
    gradients."""
    layers = linear_layers(model)
    if any(lin.dW is None for lin in layers):
        raise RuntimeError("gradient_norms: run model.backward first (a Linear layer has no dW yet)")
    return np.array([np.sqrt(np.vdot(lin.dW, lin.dW)) for lin in layers])
