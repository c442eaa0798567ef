"""Judges of chapter 5's tune exercise (learning-rate schedules).

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (fixed seeds) and takes well under a second.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from coursekit import data, nn
from coursekit import schedules as S
from coursekit.grading.judges import Number, read_numbers
from coursekit.train import fit

__all__ = ["decayed_regression", "excess_loss_below", "regression_problem"]

SEED, BATCH_SIZE = 0, 10


@functools.lru_cache(maxsize=1)
def regression_problem():
    """Chapter 5's noisy linear regression (1000 samples, 20 features, noise 1, seed 0):
    ``(X, y, best_loss)``, ``best_loss`` the mean squared error of the least-squares fit
    (with intercept), the floor no linear model can beat. Read-only arrays."""
    reg = data.synthetic_regression(n_samples=1000, n_features=20, noise=1.0, seed=SEED)
    X, y = reg.X, reg.y.reshape(-1, 1)
    design = np.hstack([X, np.ones((len(X), 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    best_loss = float(nn.mse(design @ coef, y)[0])
    for a in (X, y):
        a.setflags(write=False)
    return X, y, best_loss


def decayed_regression(lr, gamma, epochs=10):
    """Train ``nn.Linear(20, 1, seed=0)`` on :func:`regression_problem` by SGD (batch 10,
    seed 0) for ``epochs`` epochs at the per-epoch rates ``lr · gamma^t`` (``ExponentialLR``),
    ``t = 0, …, epochs − 1``. Returns ``(excess, history)``: the final mean squared error
    above the least-squares floor (``inf`` if the run diverged) and ``fit``'s history."""
    X, y, best_loss = regression_problem()
    model = nn.Linear(20, 1, seed=SEED)
    rates = S.exponential_decay(np.arange(epochs), lr=float(lr), gamma=float(gamma))
    history = fit(model, (X, y), epochs=int(epochs), lr=rates, batch_size=BATCH_SIZE, loss="mse", seed=SEED,
                  progress=False)
    if history.diverged:
        return math.inf, history
    return float(nn.mse(model.forward(X), y)[0]) - best_loss, history



def excess_loss_below(values, *, target, epochs):
    """Does ``values = (lr, gamma)`` give, after ``epochs`` epochs of :func:`decayed_regression`,
    a final loss less than ``target`` above the least-squares floor?"""
    got, problem = read_numbers(values, Number("lr", 0, 10), Number("gamma", 0, 1, what="the decay per epoch"))
    if problem:
        return False, problem
    lr, gamma = got
    excess, history = decayed_regression(lr, gamma, epochs=int(epochs))
    if not math.isfinite(excess):
        return False, f"lr = {float(lr):g}, gamma = {float(gamma):g}: the run diverged ({history.message})"
    verdict = "below" if excess < target else "not below"
    return bool(excess < target), (
        f"lr = {float(lr):g}, gamma = {float(gamma):g} (last rate {float(history.lr[-1]):.2g}): after {int(epochs)} "
        f"epochs the loss is {excess:.2g} above the least-squares floor, {verdict} the target {target:g}"
    )
