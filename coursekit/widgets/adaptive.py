r"""Explorers for chapter 4 (adaptive methods): the eight optimizers of ``coursekit.optim`` on
Beale's function, Rosenbrock's banana and the saddle, side by side.

``adaptive_explorer()`` has a log-scale ``lr`` slider (the learning rate of every optimizer,
except Adadelta, which has none to speak of and keeps PyTorch's ``lr = 1``) and a ``β₁ / γ``
slider: the momentum ``γ`` of SGD and the first-moment decay ``β₁`` of Adam, AdamW and NAdam.
Everything runs in one ``batched.compare`` call per slider move.
"""

from __future__ import annotations

from .. import functions as F
from .. import optim
from .base import gamma_slider, lr_slider
from .momentum import MultiFunctionExplorer

__all__ = ["adaptive_runs", "adaptive_panels", "adaptive_explorer"]


def adaptive_runs():
    """``(label, OptimizerClass, hyperparameters(values))`` for the eight optimizers; ``values``
    has ``lr`` and ``beta``."""
    return [
        ("SGD+momentum", optim.SGD, lambda v: dict(lr=v["lr"], momentum=v["beta"])),
        ("Adagrad", optim.Adagrad, lambda v: dict(lr=v["lr"])),
        ("RMSprop", optim.RMSprop, lambda v: dict(lr=v["lr"])),
        ("Adadelta (lr=1)", optim.Adadelta, lambda v: dict(lr=1.0)),
        ("Adam", optim.Adam, lambda v: dict(lr=v["lr"], betas=(v["beta"], 0.999))),
        ("AdamW", optim.AdamW, lambda v: dict(lr=v["lr"], betas=(v["beta"], 0.999), weight_decay=0.01)),
        ("NAdam", optim.NAdam, lambda v: dict(lr=v["lr"], betas=(v["beta"], 0.999))),
        ("Rprop", optim.Rprop, lambda v: dict(lr=v["lr"])),
    ]


def adaptive_panels():
    """Beale from (1, 1.5), Rosenbrock from (−1.5, 2.5), the saddle from (−1.8, 0.01)."""
    return [
        ("Beale", F.Beale(), (1.0, 1.5)),
        ("Rosenbrock", F.Rosenbrock(), (-1.5, 2.5)),
        ("saddle x² − y²", F.Saddle(), (-1.8, 0.01)),
    ]


def adaptive_explorer(lr: float = 0.05, beta: float = 0.9, steps: int = 100, **kwargs) -> MultiFunctionExplorer:
    """The chapter-4 explorer (see the module docstring)."""
    controls = dict(lr=lr_slider(lr, 1e-4, 1.0), beta=gamma_slider(beta, 0.0, 0.99, description="β₁ / γ"))
    return MultiFunctionExplorer(adaptive_panels(), adaptive_runs(), controls, steps=steps, **kwargs)
