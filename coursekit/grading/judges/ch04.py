"""Judges of chapter 4's tune exercise (adaptive learning rates).

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (no randomness at all here) and takes well under a second.
"""

from __future__ import annotations

import math

import numpy as np

from coursekit import functions as F
from coursekit import optim
from coursekit.grading.judges import Number, read_numbers
from coursekit.train import minimize

__all__ = ["BEALE_START", "adam_reaches", "beale_adam_run"]

BEALE_START = (1.0, 1.5)  # chapter 4's start on Beale's function (its minimum: f = 0 at (3, 0.5))


def beale_adam_run(lr, steps=200):
    """Adam (PyTorch's defaults apart from ``lr``) on Beale's function from :data:`BEALE_START`
    for ``steps`` steps: the :class:`~coursekit.train.Trajectory` (``.losses``, ``.points``)."""
    return minimize(F.Beale(), np.array(BEALE_START), optim.Adam, int(steps), lr=float(lr))



def adam_reaches(values, *, target, steps):
    """Does Adam at the rate ``values`` (one number, ``lr``) get Beale's function below ``target``
    after ``steps`` steps of :func:`beale_adam_run`?"""
    got, problem = read_numbers(values, Number("lr", 0, 10, what="the learning rate"))
    if problem:
        return False, problem
    (lr,) = got
    loss = float(beale_adam_run(lr, steps).losses[-1])
    if not math.isfinite(loss):
        return False, f"lr = {lr:g}: the run diverged"
    verdict = "reaches" if loss < target else "does not reach"
    return bool(loss < target), (f"lr = {lr:g}: f after {int(steps)} steps of Adam is {loss:.1e}, which {verdict} "
                                 f"the target {target:.0e}")
