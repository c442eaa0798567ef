r"""Learning-rate schedules: pure functions of the step count ``t``.

``t`` may be a scalar or an array, so a whole schedule is one call:
``cosine_annealing(np.arange(50), lr=0.1, T_max=50, eta_min=0.001)``. ``t`` counts the
scheduler steps taken so far (epochs, if you step once per epoch), starting at 0, exactly
like ``last_epoch`` in ``torch.optim.lr_scheduler``; each function equals the PyTorch
scheduler named in its docstring at every step. ``ReduceLROnPlateau`` depends on the
metric, not on ``t``, so it is a small class with ``step(metric)``.
"""

from __future__ import annotations

import math

import numpy as np

from .optim import check_range

__all__ = [
    "step_decay",
    "exponential_decay",
    "polynomial_decay",
    "cosine_annealing",
    "cosine_warm_restarts",
    "linear_warmup",
    "one_cycle",
    "ReduceLROnPlateau",
]


def _steps(t) -> np.ndarray:
    t_arr = np.asarray(t)
    if not (np.issubdtype(t_arr.dtype, np.integer) or np.all(np.mod(t_arr, 1) == 0)):
        raise ValueError(f"t (the step count) must be whole numbers; got {t!r}")
    if np.any(t_arr < 0):
        raise ValueError(f"t (the step count) must be >= 0; got {t!r}")
    return t_arr.astype(np.int64)


def _result(values, t):
    return float(values) if np.ndim(t) == 0 else values


def _check_count(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {value!r}")


def step_decay(t, lr: float, step_size: int, gamma: float = 0.1, staircase: bool = True):
    r"""Step decay, ``lr · γ^⌊t / step_size⌋`` (PyTorch ``StepLR``).

    ``staircase=False`` gives source 004's continuous form ``lr · γ^(t / step_size)``.
    """
    t = _steps(t)
    check_range("lr", lr, low=0)
    _check_count("step_size", step_size)
    check_range("gamma", gamma, low=0, high=1)
    exponent = t // step_size if staircase else t / step_size
    return _result(lr * gamma**exponent, t)


def exponential_decay(t, lr: float, gamma: float):
    r"""Exponential decay, ``lr · γ^t`` (PyTorch ``ExponentialLR``)."""
    t = _steps(t)
    check_range("lr", lr, low=0)
    check_range("gamma", gamma, low=0, high=1)
    return _result(lr * gamma ** t.astype(float), t)


def polynomial_decay(t, lr: float, total_iters: int = 5, power: float = 1.0):
    r"""Polynomial decay, ``lr · (1 − min(t, T) / T)^power`` with ``T = total_iters``
    (PyTorch ``PolynomialLR``); 0 from ``t = T`` on."""
    t = _steps(t)
    check_range("lr", lr, low=0)
    _check_count("total_iters", total_iters)
    check_range("power", power, low=0)
    return _result(lr * (1.0 - np.minimum(t, total_iters) / total_iters) ** power, t)


def cosine_annealing(t, lr: float, T_max: int, eta_min: float = 0.0):
    r"""Cosine annealing, ``η_min + ½ (lr − η_min)(1 + cos(π t / T_max))``
    (PyTorch ``CosineAnnealingLR``): from ``lr`` at ``t = 0`` down to ``η_min`` at
    ``t = T_max`` (and back up after, as the cosine goes on)."""
    t = _steps(t)
    check_range("lr", lr, low=0)
    _check_count("T_max", T_max)
    check_range("eta_min", eta_min, low=0)
    return _result(eta_min + 0.5 * (lr - eta_min) * (1 + np.cos(np.pi * t / T_max)), t)


def cosine_warm_restarts(t, lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0):
    r"""Cosine annealing with warm restarts (SGDR; PyTorch ``CosineAnnealingWarmRestarts``):
    ``η_min + ½ (lr − η_min)(1 + cos(π T_cur / T_i))``, where the ``i``-th cycle lasts
    ``T_i = T_0 · T_mult^i`` steps and ``T_cur`` counts the steps since the last restart."""
    t = _steps(t)
    check_range("lr", lr, low=0)
    _check_count("T_0", T_0)
    _check_count("T_mult", T_mult)
    check_range("eta_min", eta_min, low=0)
    T_cur, T_i = t.copy(), np.full_like(t, T_0)
    while np.any(T_cur >= T_i):  # one pass per restart: subtract each finished cycle
        done = T_cur >= T_i
        T_cur[done] -= T_i[done]
        T_i[done] *= T_mult
    return _result(eta_min + 0.5 * (lr - eta_min) * (1 + np.cos(np.pi * T_cur / T_i)), t)


def linear_warmup(t, lr: float, total_iters: int = 5, start_factor: float = 1 / 3,
                  end_factor: float = 1.0):
    r"""Linear warm-up, ``lr · (s + (e − s) · min(t, T) / T)`` with ``s = start_factor``,
    ``e = end_factor``, ``T = total_iters`` (PyTorch ``LinearLR``)."""
    t = _steps(t)
    check_range("lr", lr, low=0)
    _check_count("total_iters", total_iters)
    check_range("start_factor", start_factor, low=0, high=1, low_open=True)
    check_range("end_factor", end_factor, low=0, high=1)
    factor = start_factor + (end_factor - start_factor) * np.minimum(t, total_iters) / total_iters
    return _result(lr * factor, t)


def one_cycle(t, max_lr: float, total_steps: int, pct_start: float = 0.3,
              anneal_strategy: str = "cos", div_factor: float = 25.0,
              final_div_factor: float = 1e4, three_phase: bool = False):
    r"""The one-cycle policy (Smith, 2018; PyTorch ``OneCycleLR``, learning rate only).

    From ``max_lr / div_factor`` up to ``max_lr`` over the first ``pct_start`` of the
    steps, then down to ``max_lr / (div_factor · final_div_factor)``; ``three_phase`` goes
    back down to the start value first, then anneals. Between phase ends the rate follows
    ``anneal(a, b, p) = b + ½(a − b)(1 + cos π p)`` (``"cos"``) or ``a + (b − a) p``
    (``"linear"``). ``t`` runs from 0 to ``total_steps − 1`` (``total_steps`` is allowed, as in PyTorch).
    """
    t = _steps(t)
    check_range("max_lr", max_lr, low=0)
    _check_count("total_steps", total_steps, minimum=2)
    check_range("pct_start", pct_start, low=0, high=1, low_open=True, high_open=True)
    check_range("div_factor", div_factor, low=0, low_open=True)
    check_range("final_div_factor", final_div_factor, low=0, low_open=True)
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be 'cos' or 'linear'; got {anneal_strategy!r}")
    if np.any(t > total_steps):  # PyTorch allows one step past the end, and no more
        raise ValueError(f"t must be <= total_steps = {total_steps}; got max t = {np.max(t)}")
    initial = max_lr / div_factor
    final = initial / final_div_factor
    up_end = float(pct_start * total_steps) - 1
    if three_phase:
        phases = [(up_end, initial, max_lr), (2 * up_end, max_lr, initial),
                  (total_steps - 1, initial, final)]
    else:
        phases = [(up_end, initial, max_lr), (total_steps - 1, max_lr, final)]

    lr = np.empty(t.shape)
    start_step, assigned = 0.0, np.zeros(t.shape, dtype=bool)
    for i, (end_step, a, b) in enumerate(phases):
        here = ~assigned & ((t <= end_step) | (i == len(phases) - 1))
        pct = (t[here] - start_step) / (end_step - start_step)
        if anneal_strategy == "cos":
            lr[here] = b + (a - b) / 2.0 * (np.cos(math.pi * pct) + 1)
        else:
            lr[here] = (b - a) * pct + a
        assigned |= here
        start_step = end_step
    return _result(lr, t)


class ReduceLROnPlateau:
    r"""Lower the rate when a metric stops improving (PyTorch ``ReduceLROnPlateau``).

    ``step(metric)`` returns the rate to use next. A metric counts as better than the best
    so far when (mode ``"min"``) ``metric < best·(1 − threshold)`` (``"rel"``) or
    ``metric < best − threshold`` (``"abs"``); mirrored for ``"max"``. After more than
    ``patience`` steps without improvement the rate becomes ``max(lr · factor, min_lr)``,
    then ``cooldown`` steps pass before bad steps are counted again.
    """

    def __init__(self, lr: float, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float = 0.0, eps: float = 1e-8):
        check_range("lr", lr, low=0)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'; got {mode!r}")
        check_range("factor", factor, low=0, high=1, high_open=True)
        _check_count("patience", patience, minimum=0)
        check_range("threshold", threshold, low=0)
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs'; got {threshold_mode!r}")
        _check_count("cooldown", cooldown, minimum=0)
        check_range("min_lr", min_lr, low=0)
        self.lr, self.mode, self.factor, self.patience = float(lr), mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_steps = 0
        self.cooldown_counter = 0

    def _is_better(self, metric: float) -> bool:
        if self.mode == "min":
            bar = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return metric < bar
        bar = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return metric > bar

    def step(self, metric: float) -> float:
        """Record this step's metric; return the learning rate for the next step."""
        metric = float(metric)
        if self._is_better(metric):
            self.best, self.num_bad_steps = metric, 0
        else:
            self.num_bad_steps += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_steps = 0
        if self.num_bad_steps > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_steps = 0
        return self.lr
