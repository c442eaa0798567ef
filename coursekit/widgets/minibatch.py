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

import time

import ipywidgets as W
import numpy as np

from .. import nn, optim
from ..plots import COLORS
from .base import Explorer, lr_slider

__all__ = ["MinibatchExplorer", "batch_size_slider", "train_softmax_regression"]


def batch_size_slider(n: int, value: int = 10, description: str = "batch size B", **kwargs):
    """A slider over the batch sizes 1, 2, 5, 10, 20, 50, … up to ``n`` (the full batch)."""
    options = [b for b in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if b < n] + [int(n)]
    if value not in options:
        raise ValueError(f"value must be one of {options}; got {value!r}")
    return W.SelectionSlider(options=options, value=value, description=description, continuous_update=True,
                             style={"description_width": "initial"}, **kwargs)


def train_softmax_regression(X, y, batch_size: int, lr: float, epochs: int = 2, seed: int = 0,
                             checkpoints_per_epoch: int = 10, n_classes: int | None = None) -> dict:
    """Mini-batch SGD on softmax regression (``nn.Linear`` + ``nn.softmax_cross_entropy``).

    Every epoch shuffles the ``N`` examples (``np.random.default_rng(seed)``) and takes
    ``ceil(N / batch_size)`` steps, the last batch possibly smaller. The full training loss is
    recorded at the start and about ``checkpoints_per_epoch`` times an epoch. Returns a dict
    with ``epoch`` (examples seen / N at each record), ``updates`` (steps taken), ``loss``,
    ``seconds`` (wall-clock training time up to each record, not counting the time spent
    evaluating the recorded losses) and the trained ``model``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    n = X.shape[0]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be a whole number in [1, {n}]; got {batch_size!r}")
    k = int(n_classes if n_classes is not None else y.max() + 1)
    model = nn.Linear(X.shape[1], k, seed=seed)
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    steps_per_epoch = -(-n // batch_size)
    every = max(1, steps_per_epoch // checkpoints_per_epoch)

    def full_loss():
        return float(nn.softmax_cross_entropy(model.forward(X), y)[0])

    epoch, updates, loss, seconds = [0.0], [0], [full_loss()], [0.0]
    seen, step, elapsed = 0, 0, 0.0
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for s in range(steps_per_epoch):
                idx = order[s * batch_size:(s + 1) * batch_size]
                _, dlogits = nn.softmax_cross_entropy(model.forward(X[idx]), y[idx])
                model.backward(dlogits)
                opt.step(model.gradients())
                seen += len(idx)
                step += 1
                if step % every == 0 or s == steps_per_epoch - 1:
                    elapsed += time.perf_counter() - start
                    seconds.append(elapsed)
                    epoch.append(seen / n)
                    updates.append(step)
                    loss.append(full_loss())
                    start = time.perf_counter()
                    if not np.isfinite(loss[-1]):
                        break
            if not np.isfinite(loss[-1]):
                break
    return {"epoch": np.array(epoch), "updates": np.array(updates), "loss": np.array(loss),
            "seconds": np.array(seconds), "model": model}


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
        controls = controls or dict(batch_size=batch_size_slider(self.n, 10), lr=lr_slider(0.1, 1e-3, 3.0))
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
