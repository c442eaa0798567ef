"""Judges of chapter 7's tune exercises (batch normalisation and residual connections).

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (fixed seeds) and takes well under a second.
"""

from __future__ import annotations

import functools

import numpy as np

from coursekit import data, nn
from coursekit import diagnostics as D
from coursekit.grading.judges import Number, accuracy_verdict, read_numbers
from coursekit.train import fit

__all__ = ["batchnorm_layers", "digits_split", "eval_accuracy_reaches", "short_bn_run"]

DEPTH, WIDTH, BATCH_SIZE, SEED = 10, 32, 32, 0


@functools.lru_cache(maxsize=1)
def digits_split():
    """The digits split of chapter 7 with seed 0: 1200 training and 597 validation images,
    standardised with the training images' statistics. Returns read-only arrays."""
    X, y = data.load_digits(standardize=False)
    order = np.random.default_rng(SEED).permutation(len(y))
    train_idx, val_idx = order[:1200], order[1200:]
    X_train, X_val = data.standardize(X[train_idx], X[val_idx])
    arrays = (X_train, y[train_idx], X_val, y[val_idx])
    for a in arrays:
        a.setflags(write=False)
    return arrays


def batchnorm_layers(model) -> list:
    """Every ``BatchNorm1d`` of ``model`` in forward order (inside ``Sequential`` and ``Residual``)."""
    if isinstance(model, nn.BatchNorm1d):
        return [model]
    children = nn._children(model)  # inside Sequential and Residual (block and shortcut)
    return [bn for child in children for bn in batchnorm_layers(child)]


def short_bn_run(lr, rho, steps=20):
    """Train chapter 7's sigmoid network with BN (10 layers of width 32, ``s = 1``) for ``steps``
    SGD steps of batch 32 at rate ``lr``, every BN with running-average rate ``rho``
    (``momentum``). Returns ``(history, model)``; ``history["val_acc"][-1]`` is the validation
    accuracy in evaluation mode (``fit`` switches the model for its validation pass)."""
    X_train, y_train, X_val, y_val = digits_split()
    model = D.set_weight_scale(nn.mlp(64, [WIDTH] * DEPTH, 10, activation="sigmoid", batchnorm=True, seed=SEED),
                               1.0, seed=SEED)
    for bn in batchnorm_layers(model):
        bn.momentum = float(rho)
    n = steps * BATCH_SIZE
    history = fit(model, (X_train[:n], y_train[:n]), epochs=1, lr=float(lr), batch_size=BATCH_SIZE,
                  val=(X_val, y_val), seed=SEED, progress=False)
    return history, model



def eval_accuracy_reaches(values, *, target, steps):
    """Does ``values = (lr, rho)`` give, after ``steps`` SGD steps of :func:`short_bn_run`, a
    validation accuracy in evaluation mode of at least ``target``?"""
    got, problem = read_numbers(values, Number("lr", 0, 10), Number("rho", 0, 1, what="BatchNorm1d's momentum"))
    if problem:
        return False, problem
    lr, rho = got
    history, _ = short_bn_run(lr, rho, steps=int(steps))
    return accuracy_verdict(history, target, f"lr = {lr:g}, rho = {rho:g}",
                            f"validation accuracy in evaluation mode after {int(steps)} steps")
