"""Explorers for deep networks: per-layer gradient norms (chapter 6) and the effect of batch
normalisation and residual connections (chapter 7).

Both re-build and re-train small networks on every slider move (a subset of a few hundred
digits, a few dozen SGD steps): an update takes tens of milliseconds (chapter 6), and under
150 ms at depth 16 for the four networks of chapter 7 (measured in the chapters).
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import diagnostics as D
from .. import nn
from ..plots import COLORS
from ..train import fit
from .base import Explorer, lr_slider

__all__ = ["GradientNormExplorer", "NormalizationExplorer", "depth_slider", "scale_slider",
           "activation_dropdown", "VARIANTS"]


def depth_slider(value: int = 10, min: int = 2, max: int = 20, description: str = "depth (hidden layers)"):
    """An integer slider for the number of hidden layers."""
    return W.IntSlider(value=value, min=min, max=max, step=1, description=description, continuous_update=True,
                       style={"description_width": "initial"})


def scale_slider(value: float = 1.0, min: float = 0.1, max: float = 10.0, description: str = "weight scale s"):
    """A log-scale slider for the initial weight scale ``s`` (``W ~ N(0, s²/n_in)``)."""
    return lr_slider(value, min, max, description=description)


def activation_dropdown(value: str = "sigmoid"):
    """A drop-down of the activations of ``diagnostics.ACTIVATIONS``."""
    return W.Dropdown(options=list(D.ACTIVATIONS), value=value, description="activation",
                      style={"description_width": "initial"})


def _positive(values) -> np.ndarray:
    """Values to draw on a log axis: non-finite and non-positive ones become NaN (not drawn)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _norm_axes(ax, max_depth: int, limits, ylabel: str, title: str):
    """The fixed log axes of per-layer gradient norms (layers 1 … ``max_depth + 1``)."""
    ax.set_yscale("log")
    ax.set_xlim(0.5, max_depth + 1.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(*limits)
    ax.set_xlabel("layer $l$ (1 = next to the input; last = output layer)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)


def _status(ax, right: bool = False):
    """An empty monospace text box in a top corner of ``ax`` (filled by ``update``)."""
    return ax.text(0.98 if right else 0.02, 0.98, "", transform=ax.transAxes, fontsize=8, va="top",
                   ha="right" if right else "left", family="monospace",
                   bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))


def _network(depth: int, activation: str, width: int, in_features: int, out_features: int,
                 scale: float | None = None, batchnorm: bool = False, residual: bool = False, seed: int = 0):
    """The explorers' network: ``nn.mlp(in_features, [width] * depth, out_features, ...)`` with
    weights redrawn at scale ``s`` by ``diagnostics.set_weight_scale`` (``None``: ``nn.mlp``'s
    Xavier/He initialisation). Same arguments, same network."""
    model = nn.mlp(in_features, [width] * int(depth), out_features, activation=activation, batchnorm=batchnorm,
                   residual=residual, seed=seed)
    return model if scale is None else D.set_weight_scale(model, float(scale), seed=seed)


class GradientNormExplorer(Explorer):
    """Per-layer gradient norms of a deep MLP (left) and a short training run (right).

    Sliders: ``depth`` (hidden layers), ``scale`` (initial weights ``N(0, s²/n_in)``, log
    scale), ``activation`` (drop-down) and ``lr`` (log scale). On each move the network
    ``nn.mlp(n_in, [width] * depth, n_classes, activation=activation, seed=seed)``, its weights
    redrawn by ``diagnostics.set_weight_scale(model, scale, seed=seed)``, is built, its
    per-layer norms ``‖∂L/∂W_l‖`` on ``(X, y)`` are drawn (solid), it is trained with
    ``train.fit(model, (X, y), epochs, lr=lr, batch_size=batch_size, seed=seed)`` and the norms
    are drawn again (dashed), with the training loss of every step on the right.
    """

    def __init__(self, X, y, max_depth: int = 20, width: int = 32, epochs: int = 3, batch_size: int = 32,
                 controls=None, seed: int = 0, norm_limits=(1e-10, 1e3), loss_limits=(0.05, 50.0),
                 figsize=(10.0, 3.8), **kwargs):
        self.X, self.y = np.asarray(X, dtype=float), np.asarray(y)
        self.max_depth, self.width, self.epochs, self.batch_size, self.seed = (
            int(max_depth), int(width), int(epochs), int(batch_size), seed)
        self.n_classes = int(np.max(self.y)) + 1
        self.norm_limits, self.loss_limits = norm_limits, loss_limits
        self.steps = self.epochs * -(-len(self.y) // self.batch_size)
        controls = controls or dict(depth=depth_slider(10, 2, self.max_depth), scale=scale_slider(1.0),
                                    activation=activation_dropdown("sigmoid"),
                                    lr=lr_slider(0.1, 1e-3, 10.0))
        super().__init__(controls, figsize=figsize, **kwargs)

    def setup(self, figure):
        ax, la = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        _norm_axes(ax, self.max_depth, self.norm_limits, r"$\|\partial L/\partial W_l\|$", "per-layer gradient norms")
        self.init_line = self.dynamic(ax.plot([], [], "o-", color=COLORS[0], markersize=3,
                                              label="at initialisation")[0])
        self.trained_line = self.dynamic(ax.plot([], [], "s--", color=COLORS[1], markersize=3,
                                                 label=f"after {self.steps} SGD steps")[0])
        ax.legend(fontsize=8, loc="lower right")
        self.status = self.dynamic(_status(ax))
        la.set_yscale("log")
        la.set_xlim(0, self.steps + 1)
        la.set_ylim(*self.loss_limits)
        la.set_xlabel("SGD step")
        la.set_ylabel("training loss (cross-entropy)")
        la.set_title(f"training: {len(self.y)} digits, batch {self.batch_size}")
        la.grid(True, alpha=0.3, which="both")
        self.loss_line = self.dynamic(la.plot([], [], color=COLORS[2], linewidth=1.4)[0])
        self.loss_status = self.dynamic(_status(la, right=True))
        self.ax, self.loss_ax = ax, la

    def compute(self, depth, scale, activation, lr):
        """The numbers drawn for these slider values: ``(norms at init, norms after training,
        history)``; the trained norms are NaN if the run diverged."""
        model = _network(depth, activation, self.width, self.X.shape[1], self.n_classes, scale=scale,
                             seed=self.seed)
        before = D.layer_gradient_norms(model, self.X, self.y)
        #: ``‖∂L/∂W_l‖ / ‖W_l‖`` at initialisation: the scale the first/last ratio cannot show
        self.relative = before / np.array([np.linalg.norm(layer.W) for layer in nn.linear_layers(model)])
        history = fit(model, (self.X, self.y), epochs=self.epochs, lr=float(lr), batch_size=self.batch_size,
                      seed=self.seed)
        if history.get("diverged_at") is None:
            after = D.layer_gradient_norms(model, self.X, self.y)
        else:
            after = np.full_like(before, np.nan)
        return before, after, history

    def update(self, depth, scale, activation, lr, **_):
        before, after, history = self.compute(depth, scale, activation, lr)
        self.history = history
        layers = np.arange(1, len(before) + 1)
        self.init_line.set_data(layers, _positive(before))
        self.trained_line.set_data(layers, _positive(after))
        with np.errstate(all="ignore"):
            ratio = np.log10(before[0] / before[-1])
            scale_range = np.log10([np.min(self.relative), np.max(self.relative)])
        self.status.set_text(f"{activation}, depth {int(depth)}, s = {float(scale):.3g}\n"
                             f"log10 ‖∂L/∂W_1‖/‖∂L/∂W_out‖ = {ratio:+.1f}\n"
                             f"log10 ‖∂L/∂W_l‖/‖W_l‖ in [{scale_range[0]:+.1f}, {scale_range[1]:+.1f}]")
        losses = np.asarray(history["step_loss"], dtype=float)
        self.loss_line.set_data(np.arange(1, len(losses) + 1), _positive(losses))
        if history.get("diverged_at") is not None:
            self.loss_status.set_text(f"diverged at step {history['diverged_at']}")
        else:
            self.loss_status.set_text(f"α = {float(lr):.3g}: loss {losses[0]:.2f} → {losses[-1]:.2f}")
        return False


#: the four networks of chapter 7: label -> (batchnorm, residual)
VARIANTS = {"plain": (False, False), "+BN": (True, False), "+residual": (False, True), "+BN +residual": (True, True)}


class NormalizationExplorer(Explorer):
    """A deep sigmoid (or tanh) MLP four ways — plain, with batch normalisation, with residual
    connections, with both: per-layer gradient norms at initialisation (left) and the
    validation accuracy during a short training run (right); the final accuracies in a table
    under the figure (``self.info``).

    Sliders: ``lr`` (log scale) and ``depth``, starting at ``lr`` and ``depth``. Each network
    is ``nn.mlp(n_in, [width] * depth, n_classes, activation=…, batchnorm=…, residual=…,
    seed=seed)`` with its weights redrawn by
    ``diagnostics.set_weight_scale(model, scale, seed=seed)``, trained by ``train.fit(model,
    train, epochs=epochs, lr=lr, batch_size=batch_size, val=val, seed=seed, record_steps=True)``;
    the norms drawn are those of the run's first step (``history.grad_norms[0]``: at
    initialisation, on the first mini-batch), so no extra pass is needed. Each move trains four
    networks for ``epochs · ⌈n / batch_size⌉`` steps: keep ``train`` small (a few hundred images).
    Every run is kept (``run``), so returning to a slider position redraws without training.
    """

    CACHE_SIZE = 512

    def __init__(self, train, val, activation: str = "sigmoid", max_depth: int = 20, width: int = 32,
                 epochs: int = 4, batch_size: int = 32, scale: float = 1.0, controls=None, seed: int = 0,
                 norm_limits=(1e-9, 1e2), figsize=(10.0, 3.8), lr: float = 0.1, depth: int = 10, **kwargs):
        self.X, self.y = (np.asarray(a) for a in train)
        self.X_val, self.y_val = (np.asarray(a) for a in val)
        self.activation, self.width, self.epochs, self.batch_size = activation, int(width), int(epochs), int(batch_size)
        self.max_depth, self.scale, self.seed, self.norm_limits = int(max_depth), scale, seed, norm_limits
        self.n_classes = int(max(np.max(self.y), np.max(self.y_val))) + 1
        controls = controls or dict(lr=lr_slider(lr, 1e-3, 10.0), depth=depth_slider(depth, 2, self.max_depth))
        self.info = W.HTML()  # final accuracies under the figure (text in the figure is slow to blit)
        self._runs = {}  # (lr, depth, variant) -> history: a position already visited redraws without training
        super().__init__(controls, figsize=figsize, **kwargs)
        self.widget = W.VBox([W.HBox(list(self.controls.values())), self.canvas, self.info])

    def setup(self, figure):
        ax, la = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        _norm_axes(ax, self.max_depth, self.norm_limits, r"$\|\partial L/\partial W_l\|$ at initialisation",
                   f"per-layer gradient norms ({self.activation})")
        self.norm_lines = [self.dynamic(ax.plot([], [], "o-", color=COLORS[i], markersize=3, label=label)[0])
                           for i, label in enumerate(VARIANTS)]
        ax.legend(fontsize=8, loc="lower right")
        la.set_xlim(0, self.epochs + 0.2)
        la.set_ylim(0, 1)
        la.set_xlabel("epoch")
        la.set_ylabel("validation accuracy")
        la.set_title(f"training: {len(self.y)} digits, batch {self.batch_size}, SGD")
        la.grid(True, alpha=0.3)
        self.acc_lines = [self.dynamic(la.plot([], [], "o-", color=COLORS[i], markersize=3, linewidth=1.4)[0])
                          for i in range(len(VARIANTS))]
        self.ax, self.acc_ax = ax, la

    def model(self, depth: int, batchnorm: bool, residual: bool):
        """A fresh network of one variant (same weights for the same arguments)."""
        return _network(depth, self.activation, self.width, self.X.shape[1], self.n_classes, scale=self.scale,
                        batchnorm=batchnorm, residual=residual, seed=self.seed)

    def run(self, lr, depth, label):
        """The training history of one variant at ``(lr, depth)``, trained on the first request
        and kept (at most ``CACHE_SIZE`` runs, the oldest dropped first)."""
        key = (float(lr), int(depth), label)
        if key not in self._runs:
            bn, res = VARIANTS[label]
            if len(self._runs) >= self.CACHE_SIZE:
                self._runs.pop(next(iter(self._runs)))
            self._runs[key] = fit(self.model(depth, bn, res), (self.X, self.y), epochs=self.epochs, lr=float(lr),
                                  batch_size=self.batch_size, val=(self.X_val, self.y_val), seed=self.seed,
                                  record_steps=True)
        return self._runs[key]

    def update(self, lr, depth, **_):
        notes = []
        self.histories, self.norms = {}, {}
        for i, label in enumerate(VARIANTS):
            history = self.run(lr, depth, label)
            # the norms of the first step: at initialisation, on the first mini-batch (no extra pass)
            norms = history["grad_norms"][0] if len(history["grad_norms"]) else np.full(int(depth) + 1, np.nan)
            self.norms[label], self.histories[label] = norms, history
            self.norm_lines[i].set_data(np.arange(1, len(norms) + 1), _positive(norms))
            acc = np.asarray(history["val_acc"], dtype=float)
            self.acc_lines[i].set_data(np.arange(1, len(acc) + 1), acc)
            diverged = history["diverged_at"]
            result = f"diverged at step {diverged}" if diverged is not None else f"{100 * acc[-1]:.1f}%"
            notes.append(f"<td style='color:{COLORS[i]}'><b>{label}</b>: {result}</td>")
        self.info.value = (f"<table><tr><td>depth {int(depth)}, α = {float(lr):.3g}, validation accuracy after "
                           f"{self.epochs} epochs:</td>{''.join(notes)}</tr></table>")
        return False
