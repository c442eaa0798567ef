"""Judges of chapter 6's tune exercise (vanishing and exploding gradients).

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (fixed seeds) and takes well under a second.
"""

from __future__ import annotations

import functools

from coursekit import data, nn
from coursekit import diagnostics as D
from coursekit.grading.judges import Number, accuracy_verdict, read_numbers
from coursekit.train import fit

__all__ = ["deep_tanh_run", "digits_split", "val_accuracy_reaches"]

DEPTH, WIDTH, BATCH_SIZE, SEED = 15, 32, 32, 0


@functools.lru_cache(maxsize=1)
def digits_split():
    """Chapter 6's split of the digits (``data.load_digits(val_fraction=1/3, seed=0)``):
    1198 training and 599 validation images, standardised with the training statistics.
    Returns read-only arrays ``(X_train, y_train, X_val, y_val)``."""
    arrays = data.load_digits(val_fraction=1 / 3, seed=SEED)
    for a in arrays:
        a.setflags(write=False)
    return arrays


def deep_tanh_run(scale, lr, epochs=3):
    """Train a tanh network of 15 hidden layers of width 32 (``nn.mlp``, seed 0), its weights
    redrawn by ``diagnostics.set_weight_scale(model, scale)`` (``W ~ N(0, scale² / n_in)``),
    with SGD at rate ``lr``, batch 32, for ``epochs`` epochs on chapter 6's split. Returns
    ``(history, model)``; ``history["val_acc"][-1]`` is the final validation accuracy."""
    X_train, y_train, X_val, y_val = digits_split()
    model = D.set_weight_scale(nn.mlp(64, [WIDTH] * DEPTH, 10, activation="tanh", seed=SEED), float(scale), seed=SEED)
    history = fit(model, (X_train, y_train), epochs=int(epochs), lr=float(lr), batch_size=BATCH_SIZE,
                  val=(X_val, y_val), seed=SEED, progress=False)
    return history, model



def val_accuracy_reaches(values, *, target, epochs):
    """Does ``values = (scale, lr)`` give, after ``epochs`` epochs of :func:`deep_tanh_run`, a
    validation accuracy of at least ``target``?"""
    got, problem = read_numbers(values, Number("scale", 0, 20), Number("lr", 0, 10))
    if problem:
        return False, problem
    scale, lr = got
    history, _ = deep_tanh_run(scale, lr, epochs=int(epochs))
    return accuracy_verdict(history, target, f"scale = {scale:g}, lr = {lr:g}",
                            f"validation accuracy after {int(epochs)} epochs")
