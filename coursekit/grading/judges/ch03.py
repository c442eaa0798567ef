"""Judges of chapter 3's exercises (momentum), and the colleague's step of its diagnose exercise.

A judge runs the learner's hyperparameters with coursekit's own tested code and says whether
they reach the target: ``judge(values, *, ...) -> (passed, message)``. It validates ``values``
itself, is deterministic (no randomness at all) and takes well under a second.
"""

from __future__ import annotations

import numpy as np

from coursekit import functions as F
from coursekit import momentum as M
from coursekit import optim
from coursekit.grading.judges import Number, read_numbers
from coursekit.train import minimize

__all__ = ["KAPPA", "colleague_step", "reaches_target", "tune_bowl", "tune_run"]

#: the condition number of the tune exercise's bowl (largest curvature L = 1)
KAPPA = 400.0


def tune_bowl():
    """The tune exercise's quadratic: curvatures ``1/400`` and ``1``, axes rotated by 0.3, and
    its start, one unit along each eigen-direction from the minimum (loss 0.50125)."""
    bowl = F.Quadratic.with_condition_number(KAPPA, L=1.0, angle=0.3)
    start = bowl.minimum + np.linalg.eigh(bowl.H)[1].sum(axis=1)
    return bowl, start


def tune_run(lr, gamma, steps):
    """``steps`` steps of ``optim.SGD(lr=lr, momentum=gamma)`` (heavy ball) on :func:`tune_bowl`."""
    bowl, start = tune_bowl()
    return minimize(bowl, start, optim.SGD, int(steps), lr=float(lr), momentum=float(gamma))



def reaches_target(values, *, target, steps):
    """Does ``values = (lr, gamma)`` bring the loss of :func:`tune_run` below ``target`` for good
    (its last crossing, ``M.steps_to_tolerance``) within ``steps`` steps?"""
    got, problem = read_numbers(values, Number("lr", 0, 100),
                                Number("gamma", 0, 1, low_open=False, high_open=True, what="the momentum"))
    if problem:
        return False, problem
    lr, gamma = got
    run = tune_run(lr, gamma, steps)
    where = f"lr = {float(lr):g}, gamma = {float(gamma):g}"
    if run.diverged:
        return False, f"{where}: the run diverged at step {run.diverged_at}"
    reached = M.steps_to_tolerance(run.losses, target)
    if reached is None:
        return False, f"{where}: the loss is still {run.losses[-1]:.1e} after {int(steps)} steps (target {target:g})"
    return True, f"{where}: the loss stays below {target:g} from step {reached} on (budget {int(steps)})"


def colleague_step(x, v, g, lr, gamma):
    """A colleague's momentum step ``(x, v) -> (x_new, v_new)`` for the gradient ``g`` at ``x``,
    meant to equal ``coursekit.optim.SGD(lr=lr, momentum=gamma)``. It has one bug: chapter 3's
    Exercise 3 asks which, from its runs (read this code only afterwards)."""
    v = gamma * v + lr * g
    return x - lr * v, v
