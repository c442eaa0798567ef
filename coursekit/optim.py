r"""Optimizers with PyTorch's face and optax's insides.

The face: ``opt = Adam(params, lr=1e-3, betas=(0.9, 0.999))`` with PyTorch's keyword names
and defaults; ``params`` is a list of float NumPy arrays (updated in place) or a list of
parameter-group dicts ``{"params": [...], "lr": ...}``; ``opt.step(grads)`` takes the
gradients in the order of the parameters; ``opt.param_groups[i]["lr"]`` may be changed
between steps. For the same gradients the iterates equal ``torch.optim``'s.

The insides: each optimizer is one ``_update(p, g, state, group)`` of a few lines, its
state an explicit dict per parameter (``opt.state[i]``), built from the small helpers below
that every optimizer shares. The docstring of each class gives the update rule with the
symbols the chapters use:

====================  ==========================  ====================================
symbol in a chapter   keyword argument            meaning
====================  ==========================  ====================================
``α``                 ``lr``                      learning rate
``γ`` (``μ``)         ``momentum``                momentum coefficient ("friction")
``λ``                 ``weight_decay``            L2 penalty (decoupled in AdamW)
``β₁, β₂``            ``betas``                   decay of the first and second moments
``ρ``                 ``rho`` (``alpha``)         decay of the squared-gradient average
``ε``                 ``eps``                     keeps a denominator away from zero
``t``                 ``state["step"]``           number of steps taken, from 1
====================  ==========================  ====================================

Hyperparameters may also be NumPy arrays that broadcast against the parameters: with
``x`` of shape ``(n, 2)`` holding ``n`` independent 2-D points, ``lr`` of shape ``(n, 1)``
runs ``n`` trajectories with ``n`` learning rates in one optimizer (a whole sweep at once).
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "Rprop"]


# --------------------------------------------------------------------------------------
# Small helpers shared by every optimizer
# --------------------------------------------------------------------------------------


def ema_(avg: np.ndarray, x: np.ndarray, decay) -> np.ndarray:
    """Exponential moving average, in place: ``avg ← decay·avg + (1 − decay)·x``."""
    avg *= decay
    avg += (1 - decay) * x
    return avg


def scaled(x: np.ndarray, c):
    """``c·x``: a new array, or ``x`` itself when ``c`` is the number 1 (saves a pass)."""
    return x if isinstance(c, numbers.Real) and c == 1 else c * x


def with_weight_decay(g: np.ndarray, p: np.ndarray, weight_decay) -> np.ndarray:
    """L2 penalty added to the gradient: ``g + λ·p`` (a new array; ``g`` itself is the
    caller's and is never changed). Returns ``g`` unchanged when ``λ`` is 0."""
    if isinstance(weight_decay, numbers.Real) and weight_decay == 0:  # the common case, checked cheaply
        return g
    if np.all(np.asarray(weight_decay) == 0):
        return g
    return g + weight_decay * p


def _arrays_like(p: np.ndarray, *names: str, fill=0.0) -> dict:
    """``{name: array like p filled with fill, ...}``: state, allocated once."""
    return {name: np.full_like(p, fill) for name in names}


# --------------------------------------------------------------------------------------
# Argument checking: clear errors that name the argument and the allowed range
# --------------------------------------------------------------------------------------


def _values(name, value) -> np.ndarray:
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.ndarray):
        raise TypeError(f"{name} must be a number or a NumPy array of numbers; got {value!r}")
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return arr


def _shown(value) -> str:
    arr = np.asarray(value)
    return repr(value) if arr.ndim == 0 else f"an array with min {arr.min():g} and max {arr.max():g}"


def check_range(name: str, value, low=None, high=None, low_open=False, high_open=False):
    """Raise ``ValueError`` unless every value of ``value`` lies in the interval given."""
    arr = _values(name, value)
    ok = np.ones(arr.shape, dtype=bool)
    if low is not None:
        ok &= arr > low if low_open else arr >= low
    if high is not None:
        ok &= arr < high if high_open else arr <= high
    if not np.all(ok):
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
        raise ValueError(f"{name} must be in {lo}, {hi}; got {_shown(value)}")


def _pair(name: str, value):
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise TypeError(f"{name} must be a pair (a, b); got {value!r}")
    return value


# --------------------------------------------------------------------------------------
# The base class: parameter groups, state, step
# --------------------------------------------------------------------------------------


class Optimizer:
    """Holds parameter groups and per-parameter state; ``step(grads)`` applies ``_update``.

    A subclass sets ``defaults`` (PyTorch's), ``_validate(group)``, ``_init_state(p, group)``
    (the state arrays, allocated once) and ``_update(p, g, state, group)``, which changes ``p``
    and the state arrays in place; ``state["step"]`` is ``t``, already counted for this step.
    ``_update`` may be called on consecutive blocks of a large parameter (see ``_blocks``), so
    it must treat every element independently and change state arrays only in place.
    """

    defaults: dict = {}

    def __init__(self, params, **hyperparameters):
        name = type(self).__name__
        unknown = set(hyperparameters) - set(self.defaults)
        if unknown:
            raise TypeError(
                f"{name} got unexpected keyword argument(s) {sorted(unknown)}; "
                f"allowed: {', '.join(self.defaults)}"
            )
        defaults = {**self.defaults, **hyperparameters}
        self.param_groups = []
        for group in _as_groups(params, name):
            extra = set(group) - set(self.defaults) - {"params"}
            if extra:
                raise TypeError(
                    f"{name}: parameter group has unknown key(s) {sorted(extra)}; "
                    f"allowed: params, {', '.join(self.defaults)}"
                )
            group = {**defaults, **group}
            self._validate(group)
            self.param_groups.append(group)
        self._params = [p for group in self.param_groups for p in group["params"]]
        if len({id(p) for p in self._params}) != len(self._params):
            raise ValueError("params: some parameters appear more than once")
        self.state = [{} for _ in self._params]
        self._validated = [dict(group) for group in self.param_groups]  # what was last checked

    def _validate(self, group: dict) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _init_state(self, p, group) -> dict:  # pragma: no cover
        raise NotImplementedError

    def _advance(self, state, group) -> None:
        """Per-step work on scalar state, once per parameter and step (before ``_update``)."""

    def _update(self, p, g, state, group) -> None:  # pragma: no cover
        raise NotImplementedError

    def step(self, grads) -> None:
        """One update of every parameter, with ``grads`` in the order of the parameters."""
        grads = _check_grads(grads, self._params)
        i = 0
        for gi, group in enumerate(self.param_groups):
            self._revalidate_if_changed(gi, group)
            for p in group["params"]:
                state = self.state[i]
                if not state:
                    state.update(step=0, **self._init_state(p, group))
                state["step"] += 1
                self._advance(state, group)
                _update_blocks(self._update, _blocks(p, grads[i], state, group), group)
                i += 1

    def _revalidate_if_changed(self, gi: int, group: dict) -> None:
        """Validate ``group`` again if a hyperparameter was replaced since the last check
        (``opt.param_groups[0]["lr"] = ...`` between steps)."""
        seen = self._validated[gi]
        if group.keys() != seen.keys() or any(group[k] is not v for k, v in seen.items()):
            self._validate(group)
            self._validated[gi] = dict(group)

    def __repr__(self):
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.param_groups[0].items() if k != "params")
        return f"{type(self).__name__}({hyper})"


def _as_groups(params, name):
    if isinstance(params, np.ndarray):
        raise TypeError(f"{name}: params must be a list of arrays (or of group dicts), not one array")
    params = list(params)
    if not params:
        raise ValueError(f"{name}: params is empty; pass a list of float NumPy arrays")
    groups = params if all(isinstance(p, dict) for p in params) else [{"params": params}]
    out = []
    for gi, group in enumerate(groups):
        if "params" not in group:
            raise ValueError(f"{name}: parameter group {gi} has no 'params' key")
        ps = group["params"]
        ps = [ps] if isinstance(ps, np.ndarray) else list(ps)
        for pi, p in enumerate(ps):
            if not (isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating)):
                raise TypeError(
                    f"{name}: params[{pi}] (group {gi}) must be a float NumPy array, updated in "
                    f"place; got {type(p).__name__}"
                    + (f" of dtype {p.dtype}" if isinstance(p, np.ndarray) else "")
                )
        out.append({**group, "params": ps})
    return out


BLOCK_SIZE = 65536  # elements per block: NumPy's per-call cost is small against the work
NUM_THREADS = min(4, os.cpu_count() or 1)  # threads sharing the blocks of one large parameter
_pools: dict[int, ThreadPoolExecutor] = {}  # helper threads, by number, made when first needed


def _blocks(p, g, state, group) -> list:
    """``[(p, g, state)]`` for one update: the whole arrays, or, for a large contiguous
    parameter whose hyperparameters are all scalars, consecutive blocks of ``BLOCK_SIZE``
    elements (views; state arrays sliced alike). Updating block by block reads each element
    from main memory once per step instead of once per NumPy operation: the result is the
    same, element for element, and several times faster for millions of parameters."""
    if p.size <= 2 * BLOCK_SIZE or not (p.flags.c_contiguous and _all_scalar(group)):
        return [(p, g, state)]
    flat = {k: v.reshape(-1) for k, v in state.items() if isinstance(v, np.ndarray) and v.shape == p.shape}
    p_flat, g_flat = p.reshape(-1), np.ascontiguousarray(g).reshape(-1)
    return [(p_flat[block], g_flat[block], {**state, **{k: v[block] for k, v in flat.items()}})
            for block in (slice(start, start + BLOCK_SIZE) for start in range(0, p.size, BLOCK_SIZE))]


def _update_blocks(update, blocks, group) -> None:
    """``update(p, g, state, group)`` for every block. Blocks are disjoint, so several are
    shared out among ``NUM_THREADS`` threads, in contiguous runs (NumPy releases the GIL
    inside its loops, as torch uses every core): the numbers are the same as in one thread."""
    n_runs = min(NUM_THREADS, len(blocks))
    if n_runs == 1:
        for block in blocks:
            update(*block, group)
        return

    def update_run(k):
        for block in blocks[k * len(blocks) // n_runs:(k + 1) * len(blocks) // n_runs]:
            update(*block, group)

    if n_runs - 1 not in _pools:
        _pools[n_runs - 1] = ThreadPoolExecutor(max_workers=n_runs - 1, thread_name_prefix="coursekit-optim")
    others = [_pools[n_runs - 1].submit(update_run, k) for k in range(1, n_runs)]
    update_run(0)
    for other in others:
        other.result()


def _all_scalar(group) -> bool:
    """Whether every hyperparameter of ``group`` is a scalar (pairs such as betas included)."""
    pairs = ("betas", "etas", "step_sizes")
    scalar_hyper = all(np.ndim(v) == 0 for k, v in group.items() if k != "params" and k not in pairs)
    return scalar_hyper and all(np.ndim(x) == 0 for k in pairs if k in group for x in group[k])


def _check_grads(grads, params):
    grads = list(grads)
    if len(grads) != len(params):
        raise ValueError(f"grads has {len(grads)} arrays but there are {len(params)} parameters")
    out = []
    for i, (g, p) in enumerate(zip(grads, params, strict=True)):
        g = np.asarray(g, dtype=p.dtype)
        if g.shape != p.shape:
            raise ValueError(f"grads[{i}] has shape {g.shape}, but parameter {i} has shape {p.shape}")
        out.append(g)
    return out


# --------------------------------------------------------------------------------------
# The optimizers
# --------------------------------------------------------------------------------------


class SGD(Optimizer):
    r"""Stochastic gradient descent, with momentum and Nesterov momentum (PyTorch's form).

    .. code-block:: text

        g ← g + λ θ                               (weight_decay λ)
        v ← g                         at t = 1    (momentum γ > 0)
        v ← γ v + (1 − dampening) g   at t > 1
        g ← g + γ v   (nesterov)   or   g ← v
        θ ← θ − α g

    The source notes write momentum as ``v ← γ v + α g; θ ← θ − v``: for a constant ``α``
    their ``v`` is ``α`` times this one, so the iterates are the same.
    """

    defaults = dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        check_range("momentum", group["momentum"], low=0, high=1, high_open=True)
        check_range("dampening", group["dampening"], low=0, high=1)
        check_range("weight_decay", group["weight_decay"], low=0)
        if group["nesterov"] and (
            np.any(np.asarray(group["momentum"]) <= 0) or np.any(np.asarray(group["dampening"]) != 0)
        ):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0")

    def _init_state(self, p, group):
        return _arrays_like(p, "v") if np.any(np.asarray(group["momentum"]) != 0) else {}

    def _update(self, p, g, state, group):
        α, γ, λ = group["lr"], group["momentum"], group["weight_decay"]
        g = with_weight_decay(g, p, λ)
        if "v" in state:
            v = state["v"]
            if state["step"] == 1:
                v[...] = g
            else:
                v *= γ
                v += scaled(g, 1 - group["dampening"])
            g = g + γ * v if group["nesterov"] else v
        p -= α * g


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011): a per-coordinate rate that only shrinks.

    .. code-block:: text

        g ← g + λ θ
        α_t ← α / (1 + (t − 1) · lr_decay)
        n ← n + g²                    (n starts at initial_accumulator_value)
        θ ← θ − α_t g / (√n + ε)
    """

    defaults = dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10)

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        check_range("lr_decay", group["lr_decay"], low=0)
        check_range("weight_decay", group["weight_decay"], low=0)
        check_range("initial_accumulator_value", group["initial_accumulator_value"], low=0)
        check_range("eps", group["eps"], low=0)

    def _init_state(self, p, group):
        return _arrays_like(p, "n", fill=group["initial_accumulator_value"])

    def _update(self, p, g, state, group):
        t, n = state["step"], state["n"]
        g = with_weight_decay(g, p, group["weight_decay"])
        α_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        n += g * g
        p -= α_t * g / (np.sqrt(n) + group["eps"])


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012): Adagrad with a moving average instead of a sum.

    .. code-block:: text

        g ← g + λ θ
        s ← ρ s + (1 − ρ) g²                     (ρ = alpha)
        centered:  ḡ ← ρ ḡ + (1 − ρ) g ;  d ← √(s − ḡ²) + ε
        otherwise: d ← √s + ε
        momentum γ > 0:  b ← γ b + g / d ;  θ ← θ − α b
        otherwise:       θ ← θ − α g / d
    """

    defaults = dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False)

    def _init_state(self, p, group):
        return _arrays_like(p, "s", "g_avg", "b")

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        check_range("alpha", group["alpha"], low=0, high=1)
        check_range("eps", group["eps"], low=0)
        check_range("weight_decay", group["weight_decay"], low=0)
        check_range("momentum", group["momentum"], low=0, high=1, high_open=True)

    def _update(self, p, g, state, group):
        α, ρ, ε, γ = group["lr"], group["alpha"], group["eps"], group["momentum"]
        g = with_weight_decay(g, p, group["weight_decay"])
        s = ema_(state["s"], g * g, ρ)
        if group["centered"]:
            g_avg = ema_(state["g_avg"], g, ρ)
            d = np.sqrt(s - g_avg * g_avg) + ε
        else:
            d = np.sqrt(s) + ε
        if np.any(np.asarray(γ) > 0):
            b = state["b"]
            b *= γ
            b += g / d
            p -= α * b
        else:
            p -= α * g / d


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): the step's unit comes from a running average of past steps.

    .. code-block:: text

        g ← g + λ θ
        s ← ρ s + (1 − ρ) g²                   running average of squared gradients
        Δθ ← √(u + ε) / √(s + ε) · g           uses u of the PREVIOUS steps (u_{t−1})
        u ← ρ u + (1 − ρ) Δθ²                  then fold this step's update into u
        θ ← θ − α Δθ

    Source note 001 writes ``Δθ`` with ``V_t``, which would need this step's ``Δθ`` before it
    exists; the correct order, used here and in PyTorch, is the one above.
    """

    defaults = dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0)

    def _init_state(self, p, group):
        return _arrays_like(p, "s", "u")

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        check_range("rho", group["rho"], low=0, high=1)
        check_range("eps", group["eps"], low=0)
        check_range("weight_decay", group["weight_decay"], low=0)

    def _update(self, p, g, state, group):
        ρ, ε = group["rho"], group["eps"]
        g = with_weight_decay(g, p, group["weight_decay"])
        s = ema_(state["s"], g * g, ρ)
        Δθ = np.sqrt(state["u"] + ε) / np.sqrt(s + ε) * g
        ema_(state["u"], Δθ * Δθ, ρ)
        p -= group["lr"] * Δθ


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014): momentum on ``g`` and RMSprop on ``g²``, bias-corrected.

    .. code-block:: text

        g ← g + λ θ                     (L2 penalty inside the gradient; see AdamW)
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← m / (1 − β₁ᵗ)
        v̂ ← v / (1 − β₂ᵗ)               (amsgrad: v̂ uses the running maximum of v)
        θ ← θ − α m̂ / (√v̂ + ε)

    ε sits outside the square root, as in the paper and PyTorch (source note 001 puts it
    inside, ``√(v̂ + ε)``, which changes the steps where ``v̂`` is tiny).
    """

    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False)
    _decoupled = False

    def _init_state(self, p, group):
        return _arrays_like(p, "m", "v", *(["v_max"] if group["amsgrad"] else []))

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        β1, β2 = _pair("betas", group["betas"])
        check_range("betas[0]", β1, low=0, high=1, high_open=True)
        check_range("betas[1]", β2, low=0, high=1, high_open=True)
        check_range("eps", group["eps"], low=0)
        check_range("weight_decay", group["weight_decay"], low=0)

    def _update(self, p, g, state, group):
        α, (β1, β2), ε, λ = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        t = state["step"]
        if self._decoupled:
            p *= 1 - α * λ  # AdamW: θ ← θ − αλθ, outside the adaptive step
        else:
            g = with_weight_decay(g, p, λ)
        m = ema_(state["m"], g, β1)
        v = ema_(state["v"], g * g, β2)
        if group["amsgrad"]:
            v = np.maximum(state["v_max"], v, out=state["v_max"])
        # θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), √v̂ = √v / √(1 − β₂ᵗ): in this
        # order (PyTorch's) two of the four corrections are on numbers, not arrays
        denominator = np.sqrt(v) / np.sqrt(1 - β2**t) + ε  # √v̂ + ε
        p -= α / (1 - β1**t) * m / denominator


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    .. code-block:: text

        θ ← θ − α λ θ                   (decay the weights directly, not through g)
        m, v, m̂, v̂ as in Adam, with g unchanged
        θ ← θ − α m̂ / (√v̂ + ε)

    With L2 in Adam the penalty ``λθ`` is divided by ``√v̂`` like every gradient, so weights
    with large gradients are barely decayed; AdamW decays every weight at the same rate.
    """

    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)
    _decoupled = True


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016): Adam with Nesterov momentum, and PyTorch's momentum schedule.

    .. code-block:: text

        g ← g + λ θ
        μ_t ← β₁ (1 − ½ · 0.96^(t·ψ))             (ψ = momentum_decay)
        m ← β₁ m + (1 − β₁) g ;   v ← β₂ v + (1 − β₂) g²
        v̂ ← v / (1 − β₂ᵗ)
        θ ← θ − α (1 − μ_t) / (1 − Π_{i≤t} μ_i) · g / (√v̂ + ε)
              − α μ_{t+1} / (1 − Π_{i≤t+1} μ_i) · m / (√v̂ + ε)
    """

    defaults = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3)

    def _validate(self, group):
        Adam._validate(self, group | {"amsgrad": False})
        check_range("momentum_decay", group["momentum_decay"], low=0)

    def _init_state(self, p, group):
        return {**_arrays_like(p, "m", "v"), "mu_product": 1.0}

    def _advance(self, state, group):
        """The momentum schedule μ_t, μ_{t+1} and the running product Π μ_i, once per step."""
        t, β1, ψ = state["step"], group["betas"][0], group["momentum_decay"]
        state["mu"] = β1 * (1 - 0.5 * 0.96 ** (t * ψ))
        state["mu_next"] = β1 * (1 - 0.5 * 0.96 ** ((t + 1) * ψ))
        state["mu_product"] = state["mu_product"] * state["mu"]

    def _update(self, p, g, state, group):
        α, (β1, β2), ε = group["lr"], group["betas"], group["eps"]
        t, μ_t, μ_next, mu_product = state["step"], state["mu"], state["mu_next"], state["mu_product"]
        g = with_weight_decay(g, p, group["weight_decay"])
        m = ema_(state["m"], g, β1)
        v = ema_(state["v"], g * g, β2)
        denom = np.sqrt(v / (1 - β2**t)) + ε
        p -= α * (1 - μ_t) / (1 - mu_product) * g / denom
        p -= α * μ_next / (1 - mu_product * μ_next) * m / denom


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993): only the sign of the gradient counts.

    Each weight has its own step size ``Δ`` (starting at ``α``):

    .. code-block:: text

        if g · g_prev > 0:  Δ ← min(Δ · η₊, Δ_max)       same sign: speed up
        if g · g_prev < 0:  Δ ← max(Δ · η₋, Δ_min) ; g ← 0   sign flipped: slow down, skip
        θ ← θ − sign(g) · Δ ;  g_prev ← g

    (``etas = (η₋, η₊)``, ``step_sizes = (Δ_min, Δ_max)``.) With mini-batches the sign of
    ``g`` flips from batch to batch by noise alone, so Rprop is a full-batch method.
    """

    defaults = dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0))

    def _init_state(self, p, group):
        return {**_arrays_like(p, "g_prev"), "Δ": np.broadcast_to(group["lr"], p.shape).astype(p.dtype)}

    def _validate(self, group):
        check_range("lr", group["lr"], low=0)
        eta_minus, eta_plus = _pair("etas", group["etas"])
        check_range("etas[0]", eta_minus, low=0, high=1, low_open=True, high_open=True)
        check_range("etas[1]", eta_plus, low=1, low_open=True)
        lo, hi = _pair("step_sizes", group["step_sizes"])
        check_range("step_sizes[0]", lo, low=0)
        check_range("step_sizes[1]", hi, low=0)
        if np.any(np.asarray(lo) > np.asarray(hi)):
            raise ValueError(f"step_sizes must be (min, max) with min <= max; got {group['step_sizes']!r}")

    def _update(self, p, g, state, group):
        (η_minus, η_plus), (Δ_min, Δ_max) = group["etas"], group["step_sizes"]
        agreement = np.sign(g * state["g_prev"])
        Δ = state["Δ"]
        Δ *= np.where(agreement > 0, η_plus, np.where(agreement < 0, η_minus, 1.0))
        np.clip(Δ, Δ_min, Δ_max, out=Δ)
        g = np.where(agreement < 0, 0.0, g)
        p -= np.sign(g) * Δ
        state["g_prev"][...] = g
