r"""Explorer: the batch size of mini-batch SGD on the handwritten digits.

A batch-size slider (1 … the full training set) and a log-scale learning-rate slider retrain a
small model — softmax regression, ``nn.Linear(64, 10)`` with ``nn.softmax_cross_entropy`` —
with ``optim.SGD`` for a fixed number of epochs on a subset of the digits (a few hundred
examples, so that even ``B = 1`` retrains in well under 150 ms). Each epoch the batches are a
fresh shuffle of the training examples (drawn without replacement), from a seeded generator.

Left panel: the full training loss against epochs (examples seen / ``N``); right panel: the
same loss against the number of parameter updates (log scale). Small batches make many
cheap, noisy updates per epoch; large ones few, accurate, expensive ones. The full-batch run
is drawn in grey for reference.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..plots import COLORS
from ..train import train_softmax_regression
from .base import Explorer, lr_slider

__all__ = ["MinibatchExplorer", "batch_size_slider"]


def batch_size_slider(n: int, value: int = 10, description: str = "batch size B", **kwargs):
    """A slider over the batch sizes 1, 2, 5, 10, 20, 50, … up to ``n`` (the full batch)."""
    options = [b for b in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if b < n] + [int(n)]
    if value not in options:
        raise ValueError(f"value must be one of {options}; got {value!r}")
    return W.SelectionSlider(options=options, value=value, description=description, continuous_update=True,
                             style={"description_width": "initial"}, **kwargs)


class MinibatchExplorer(Explorer):
    """Sliders ``batch_size`` and ``lr`` retrain softmax regression on ``(X, y)`` for
    ``epochs`` epochs; see the module docstring. After ``update(batch_size=…, lr=…)``,
    ``self.run`` holds what ``train_softmax_regression`` returned."""

    def __init__(self, X, y, epochs: int = 2, seed: int = 0, controls=None, reference_lr: float = 0.5,
                 figsize=(9.5, 3.6), **kwargs):
        self.X, self.y = np.asarray(X, dtype=float), np.asarray(y)
        self.n, self.epochs, self.seed = self.X.shape[0], epochs, seed
        self.n_classes = int(self.y.max() + 1)
        self.reference = train_softmax_regression(self.X, self.y, self.n, reference_lr, epochs, seed,
                                                  n_classes=self.n_classes)
        self.reference_lr = reference_lr
        controls = controls or dict(batch_size=batch_size_slider(self.n, 10), lr=lr_slider(0.1, 1e-3, 30.0))
        super().__init__(controls, figsize=figsize, **kwargs)

    def setup(self, figure):
        a1, a2 = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.86, wspace=0.25)
        ref = self.reference
        top = 1.1 * ref["loss"][0]
        for ax in (a1, a2):
            ax.set_ylim(0, top)
            ax.set_ylabel("training loss (cross-entropy)")
            ax.grid(True, alpha=0.3)
        a1.set_xlim(0, self.epochs)
        a1.set_xlabel("epoch (examples seen / N)")
        a2.set_xscale("log")
        a2.set_xlim(0.8, self.epochs * self.n * 1.2)
        a2.set_xlabel("parameter updates (steps)")
        label = f"full batch, α = {self.reference_lr:g}"
        a1.plot(ref["epoch"], ref["loss"], color="0.6", linewidth=1.2, label=label)
        a2.plot(np.maximum(ref["updates"], 1), ref["loss"], color="0.6", linewidth=1.2, label=label)
        self.line_epoch = self.dynamic(a1.plot([], [], "-", color=COLORS[0], linewidth=1.5, label="mini-batch")[0])
        self.line_updates = self.dynamic(a2.plot([], [], "-", color=COLORS[0], linewidth=1.5)[0])
        a1.legend(loc="upper right", fontsize=8)
        a2.legend(loc="upper right", fontsize=8)
        self.status = self.dynamic(figure.text(0.5, 0.95, "", ha="center", va="center", fontsize=10))

    def update(self, batch_size, lr):
        run = train_softmax_regression(self.X, self.y, int(batch_size), lr, self.epochs, self.seed,
                                       n_classes=self.n_classes)
        self.run = run
        self.line_epoch.set_data(run["epoch"], run["loss"])
        self.line_updates.set_data(np.maximum(run["updates"], 1), run["loss"])
        steps = -(-self.n // int(batch_size))
        final = run["loss"][-1]
        end = f"final loss {final:.3f}" if np.isfinite(final) else "diverged (loss NaN/inf)"
        self.status.set_text(f"B = {batch_size}: {steps} updates per epoch, {steps * self.epochs} in all; {end}")
        return False
