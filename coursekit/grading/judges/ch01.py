"""Judges of chapter 1's tune exercises (gradients and gradient descent).

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (no randomness at all) and takes well under a second.
"""

from __future__ import annotations

import math

import numpy as np

from coursekit import functions as F
from coursekit import optim
from coursekit.grading.judges import Number, read_numbers
from coursekit.train import minimize

__all__ = ["BOWL_H", "START", "bowl", "distance_ratio", "distance_shrinks"]

BOWL_H = ((6.0, 4.0), (4.0, 6.0))   # curvatures (eigenvalues) 2 and 10
START = (2.0, 0.0)


def bowl():
    """Chapter 1's exercise bowl ``f(x) = ½ xᵀHx`` with ``H = [[6, 4], [4, 6]]`` (μ = 2, L = 10)."""
    return F.Quadratic(np.array(BOWL_H))


def distance_ratio(lr, steps):
    """``|x_steps − x*| / |x_0 − x*|`` of gradient descent (``optim.SGD``) at rate ``lr`` on
    :func:`bowl` from ``START``; ``inf`` if the run diverged (``minimize`` stopped it)."""
    run = minimize(bowl(), list(START), optim.SGD, int(steps), lr=float(lr))
    final = run.points[-1]
    if run.diverged or not np.all(np.isfinite(final)):
        return math.inf
    return float(np.linalg.norm(final) / np.linalg.norm(START))


def distance_shrinks(values, *, target, steps):
    """Does gradient descent at the rate ``values`` (one number, ``lr``) bring the distance to the
    minimum of :func:`bowl` below ``target`` times its start within ``steps`` steps?"""
    got, problem = read_numbers(values, Number("lr", 0, 10, what="the learning rate"))
    if problem:
        return False, problem
    (lr,) = got
    ratio = distance_ratio(lr, steps)
    if not math.isfinite(ratio):
        return False, f"lr = {float(lr):g}: gradient descent diverged within {int(steps)} steps"
    verdict = "reaches" if ratio <= target else "falls short of"
    return bool(ratio <= target), (
        f"lr = {float(lr):g}: after {int(steps)} steps the distance to the minimum is {ratio:.1e} times "
        f"its start, which {verdict} the target {target:.0e}")
