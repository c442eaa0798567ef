"""Explorer: learning-rate schedules and what they do to a short training run.

Two sliders — the initial rate ``α_0`` (log scale) and the decay factor ``γ`` — redraw the
schedule curves on the left and re-train a small network on the right (softmax regression on
the digits by default: ``nn.Linear(64, 10)``, a few epochs of mini-batch SGD, one run per
schedule, about 0.05–0.1 s for all of them on a laptop core).
"""

from __future__ import annotations

import numpy as np

from .. import nn
from .. import schedules as S
from ..plots import COLORS
from ..train import fit
from .base import Explorer, gamma_slider, lr_slider

__all__ = ["ScheduleExplorer", "default_schedules"]


def default_schedules(epochs: int):
    """``(label, rates(t, lr, gamma))`` for constant, step, exponential and cosine decay over
    ``epochs`` epochs: step decay multiplies by ``γ`` every quarter of the run, exponential
    decay every epoch, cosine goes from ``α_0`` to ``α_0/100`` (and ignores ``γ``), reaching
    ``α_0/100`` in the last epoch ``t = epochs − 1`` (``T_max = epochs − 1``)."""
    step_size = max(1, epochs // 4)
    return [
        ("constant", lambda t, lr, gamma: np.full(np.shape(t), float(lr))),
        (f"step: ×γ every {step_size}", lambda t, lr, gamma: S.step_decay(t, lr, step_size, gamma)),
        ("exponential: ×γ per epoch", lambda t, lr, gamma: S.exponential_decay(t, lr, gamma)),
        ("cosine to α₀/100", lambda t, lr, gamma: S.cosine_annealing(t, lr, max(1, epochs - 1), eta_min=lr / 100)),
    ]


class ScheduleExplorer(Explorer):
    """Schedules (left) and the validation loss of a short training run under each (right).

    ``train`` and ``val`` are ``(X, y)`` pairs; ``model(seed)`` builds a fresh network (default:
    softmax regression ``nn.Sequential(nn.Linear(d, k, seed=seed))``); every run starts from the
    same weights and sees the same mini-batches, so the curves differ only by the schedule.
    Training is ``coursekit.train.fit`` with the rate of epoch ``t`` set to ``rates[t]``.
    ``schedules`` is a list of ``(label, rates(t, lr, gamma))`` (default: ``default_schedules``).
    ``loss`` is passed to ``fit`` (``"cross_entropy"``, or ``"mse"`` for a regression, e.g. one with
    noisy targets, where decay lowers the noise floor; the right panel then shows the validation MSE
    and the status its final value).
    """

    def __init__(self, train, val, epochs: int = 10, batch_size: int = 64, model=None, schedules=None,
                 controls=None, seed: int = 0, loss_limits=(0.05, 5.0), lr_limits=(1e-5, 20.0),
                 figsize=(10.0, 3.8), loss="cross_entropy", **kwargs):
        self.X, self.y = train
        self.X_val, self.y_val = val
        self.epochs, self.batch_size, self.seed = int(epochs), int(batch_size), seed
        self.loss = loss
        n_classes = int(max(np.max(self.y), np.max(self.y_val))) + 1
        self.model = model or (lambda s: nn.Sequential(nn.Linear(self.X.shape[1], n_classes, seed=s)))
        self.schedules = list(schedules or default_schedules(self.epochs))
        self.loss_limits, self.lr_limits = loss_limits, lr_limits
        self.t = np.arange(self.epochs)
        self.histories = {}
        controls = controls or dict(lr=lr_slider(0.5, 1e-3, 10.0, description="α₀ (initial lr)"),
                                    gamma=gamma_slider(0.7, 0.3, 0.99, description="γ (decay)"))
        super().__init__(controls, figsize=figsize, **kwargs)

    def setup(self, figure):
        ax, la = figure.subplots(1, 2)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        ax.set_yscale("log")
        ax.set_xlim(0, self.epochs)
        ax.set_ylim(*self.lr_limits)
        ax.set_xlabel("epoch $t$")
        ax.set_ylabel(r"learning rate $\alpha_t$")
        ax.set_title("schedule")
        ax.grid(True, alpha=0.3)
        self.rate_lines = [self.dynamic(ax.plot([], [], color=COLORS[i], drawstyle="steps-post",
                                                linewidth=1.6, label=label)[0])
                           for i, (label, _) in enumerate(self.schedules)]
        ax.legend(fontsize=8, loc="lower left")
        la.set_yscale("log")
        la.set_xlim(0.8, self.epochs + 0.2)
        la.set_ylim(*self.loss_limits)
        la.set_xlabel("epoch")
        classifying = self.loss == "cross_entropy"
        la.set_ylabel("validation loss (cross-entropy)" if classifying else "validation loss")
        la.set_title(f"training: {len(self.y)} {'digits' if classifying else 'examples'}, batch {self.batch_size}, SGD")
        la.grid(True, alpha=0.3, which="both")
        self.loss_lines = [self.dynamic(la.plot([], [], "o-", color=COLORS[i], markersize=3, linewidth=1.4)[0])
                           for i in range(len(self.schedules))]
        self.status = self.dynamic(la.text(0.99, 0.99, "", transform=la.transAxes, fontsize=8, va="top",
                                           ha="right", family="monospace",
                                           bbox=dict(facecolor="white", alpha=0.85, edgecolor="none")))
        self.ax, self.loss_ax = ax, la

    def rates(self, lr: float, gamma: float) -> dict:
        """The rate of each epoch under each schedule, by label."""
        return {label: np.asarray(f(self.t, lr, gamma), dtype=float) for label, f in self.schedules}

    def update(self, lr, gamma, **_):
        notes = []
        for i, (label, rates) in enumerate(self.rates(lr, gamma).items()):
            shown = np.append(rates, rates[-1])  # steps-post: the last epoch keeps its rate to t = epochs
            self.rate_lines[i].set_data(np.arange(self.epochs + 1), np.clip(shown, *self.lr_limits))
            history = fit(self.model(self.seed), (self.X, self.y), epochs=self.epochs, lr=rates,
                          batch_size=self.batch_size, val=(self.X_val, self.y_val), seed=self.seed,
                          loss=self.loss)
            self.histories[label] = history
            val_loss = np.asarray(history["val_loss"], dtype=float)
            self.loss_lines[i].set_data(np.arange(1, len(val_loss) + 1), val_loss)
            short = label.split(":")[0].split(" ")[0]
            if history.get("diverged_at") is not None:
                notes.append(f"{short:12s} diverged (step {history['diverged_at']})")
            elif self.loss != "cross_entropy":
                notes.append(f"{short:12s} val loss {val_loss[-1]:.4g}")
            else:
                notes.append(f"{short:12s} val acc {100 * history['val_acc'][-1]:5.1f}%")
        self.status.set_text("\n".join(notes))
        return False
