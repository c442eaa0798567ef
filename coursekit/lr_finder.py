r"""Choosing the initial learning rate: source 002's halving search and the LR range test.

Two procedures, each returning its data and a suggested rate by a rule stated here and in
the result's ``rule``:

``halving_search(loss_after, lr_start)`` — source 002: "start with a large rate and halve it
until the loss stops changing". ``loss_after(lr)`` trains briefly at ``lr`` (from the same
start each time) and returns the final loss (NaN or inf if the run blew up). The rates
tried are ``lr_start, lr_start/2, lr_start/4, …``. The search stops at the first halving that
no longer lowers that loss by more than ``tol`` (relative); the suggested rate is the one
*before* that halving — the largest rate that trains as well as the smaller ones.
A run that failed counts as an infinite loss, so halving always continues past it: a run
that blew up, and a run whose loss is not below ``baseline`` (by default ``loss_after(0.0)``,
the loss with no training at all) — a rate so large that the network stopped learning
(dead units, saturated outputs) would otherwise look "flat" and stop the search.

``lr_range_test(model, X, y)`` — the LR range test (Smith, 2017; fastai's ``lr_find``):
one short run in which the rate grows exponentially, ``α_k = lr_min·(lr_max/lr_min)^(k/(K−1))``
for ``k = 0 … K−1``, one mini-batch step per rate. The loss of each step is recorded and
smoothed by a bias-corrected exponential moving average (weight ``beta``); the run stops early
once the smoothed loss exceeds ``stop_factor`` times its lowest value (or becomes NaN).
**Rule:** the suggested rate is the rate at the lowest smoothed loss divided by 10
(``min_loss_lr / 10``): at the minimum the rate is already about to become too large — the loss
turns up right after it — and a decade lower the loss is still falling steeply. The rate of
steepest descent of the smoothed loss (against log α) is reported too (``steepest_lr``). The
model's parameters are restored afterwards, so the test does not change the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import optim as _optim

__all__ = ["HalvingSearch", "RangeTest", "halving_search", "lr_range_test"]


@dataclass
class HalvingSearch:
    """What ``halving_search`` returns: the rates tried (largest first), the loss after the
    short run at each (``inf`` for a run that failed: blew up, or did not beat ``baseline``),
    the suggested rate, the rule, and the baseline loss (no training; ``None`` if unchecked)."""

    lrs: np.ndarray
    losses: np.ndarray
    suggested_lr: float
    rule: str
    baseline: float | None = None


def halving_search(loss_after, lr_start: float = 10.0, tol: float = 0.02,
                   max_halvings: int = 30, baseline="auto") -> HalvingSearch:
    """Source 002's search: halve the rate, starting at ``lr_start``, until the loss stops
    changing (see the module docstring for the rule). ``loss_after(lr) -> float``;
    ``baseline``: the loss to beat (``"auto"``: ``loss_after(0.0)``; ``None``: no check)."""
    if not lr_start > 0:
        raise ValueError(f"lr_start must be > 0; got {lr_start!r}")
    if not 0 <= tol < 1:
        raise ValueError(f"tol must lie in [0, 1); got {tol!r}")
    if isinstance(baseline, str):
        if baseline != "auto":
            raise ValueError(f"baseline must be 'auto', None or a number; got {baseline!r}")
        baseline = float(loss_after(0.0))
    bar = math.inf if baseline is None or not math.isfinite(baseline) else baseline * (1 - tol)
    lrs, losses = [], []
    lr = float(lr_start)
    for _ in range(max_halvings + 1):
        loss = float(loss_after(lr))
        loss = loss if math.isfinite(loss) and loss < bar else math.inf
        lrs.append(lr)
        losses.append(loss)
        if len(losses) >= 2 and math.isfinite(losses[-2]) and loss >= losses[-2] * (1 - tol):
            suggested = lrs[-2]
            break
        lr /= 2
    else:
        raise RuntimeError(f"the loss kept falling over {max_halvings} halvings; start lower or allow more")
    rule = (f"halve from {lr_start:g} until a halving lowers the loss by less than {tol:.0%}; "
            "take the rate before that halving")
    return HalvingSearch(np.array(lrs), np.array(losses), suggested, rule, baseline)


@dataclass
class RangeTest:
    """What ``lr_range_test`` returns.

    ``lrs[k]`` is the rate of step ``k``, ``losses[k]`` the loss of that step's mini-batch
    (before the update), ``smoothed[k]`` its bias-corrected moving average; the arrays stop
    where the test stopped (``stopped_at``: the step at which the smoothed loss passed
    ``stop_factor`` × its minimum or became NaN; ``None`` if all steps ran).
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    min_loss_lr: float
    steepest_lr: float
    stopped_at: int | None
    rule: str


def lr_range_test(model, X, y, lr_min: float = 1e-4, lr_max: float = 10.0, steps: int = 200,
                  batch_size: int = 32, optimizer=_optim.SGD, loss=None,
                  beta: float = 0.9, stop_factor: float = 4.0, seed=0, **hyperparameters) -> RangeTest:
    """LR range test of ``model`` on ``(X, y)`` (see the module docstring).

    ``model`` has ``forward``, ``backward``, ``parameters()``, ``gradients()`` (``coursekit.nn``);
    ``optimizer`` is a ``coursekit.optim`` class (extra keyword arguments go to it, e.g.
    ``momentum=0.9``); ``loss(output, y) -> (value, d value / d output)`` (default
    ``nn.softmax_cross_entropy``). Mini-batches are drawn
    without replacement from a generator seeded by ``seed``, reshuffled after each pass.
    """
    if not 0 < lr_min < lr_max:
        raise ValueError(f"need 0 < lr_min < lr_max; got lr_min={lr_min!r}, lr_max={lr_max!r}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2; got {steps!r}")
    if not 0 <= beta < 1:
        raise ValueError(f"beta must lie in [0, 1); got {beta!r}")
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be > 1; got {stop_factor!r}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length; got {len(X)} and {len(y)}")
    if not 0 < batch_size <= len(X):
        raise ValueError(f"batch_size must lie in [1, {len(X)}]; got {batch_size!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if loss is None:
        from .nn import softmax_cross_entropy as loss

    params = model.parameters()
    saved = [p.copy() for p in params]
    if hasattr(model, "train"):
        model.train()
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    opt = optimizer(params, lr=float(lrs[0]), **hyperparameters)
    losses = np.full(steps, np.nan)
    smoothed = np.full(steps, np.nan)
    avg, best, stopped_at = 0.0, math.inf, None
    order, pos = rng.permutation(len(X)), 0
    try:
        with np.errstate(all="ignore"):  # a blow-up is detected below, not by warnings
            for k in range(steps):
                if pos + batch_size > len(X):
                    order, pos = rng.permutation(len(X)), 0
                idx = order[pos:pos + batch_size]
                pos += batch_size
                value, dout = loss(model.forward(X[idx]), y[idx])
                losses[k] = value
                avg = beta * avg + (1 - beta) * value
                smoothed[k] = avg / (1 - beta ** (k + 1))
                if not math.isfinite(smoothed[k]) or smoothed[k] > stop_factor * best:
                    stopped_at = k
                    break
                best = min(best, smoothed[k])
                model.backward(dout)
                for group in opt.param_groups:
                    group["lr"] = float(lrs[k])
                opt.step(model.gradients())
    finally:
        for p, p0 in zip(params, saved, strict=True):
            p[...] = p0

    n = steps if stopped_at is None else stopped_at + 1
    lrs, losses, smoothed = lrs[:n], losses[:n], smoothed[:n]
    ok = np.isfinite(smoothed)
    k_min = int(np.nanargmin(np.where(ok, smoothed, np.nan)))
    min_loss_lr = float(lrs[k_min])
    slope = np.gradient(smoothed[: k_min + 1], np.log(lrs[: k_min + 1])) if k_min >= 2 else np.zeros(1)
    steepest_lr = float(lrs[int(np.argmin(slope))])
    rule = "suggested = (rate at the lowest smoothed loss) / 10"
    return RangeTest(lrs, losses, smoothed, min_loss_lr / 10, min_loss_lr, steepest_lr, stopped_at, rule)
