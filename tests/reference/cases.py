"""The problems and settings on which coursekit is compared with PyTorch.

Shared by ``make_reference.py`` (which runs PyTorch and stores what it gives) and the
tests (which run coursekit and compare). Nothing here imports coursekit: the problem's
gradient is written out in plain NumPy so that both sides compute the very same thing.
"""

import numpy as np

STEPS = 150  # optimizer steps per case
STORE_EVERY = 5  # the stored file keeps every 5th iterate (and the last)
LR_CHANGE_AT = 60  # cases with "lr_change" halve every group's lr before this step


def initial_params():
    """Two parameter arrays (a matrix and a vector) and the problem's constant ``c``."""
    rng = np.random.default_rng(20261123)
    params = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    consts = [0.3 * rng.normal(size=(3, 4)), 0.3 * rng.normal(size=5)]
    return params, consts


#: amplitude of the forcing term of ``double_well_grad``
FORCING = 0.5


def double_well_grad(p, c, step):
    """Gradient at optimizer step ``step`` (1, 2, …) of Σ (p⁴/4 − p²/2 + c·p) plus a forcing term:

        g = p³ − p + c + FORCING · cos(0.7·step + k),   k = 0, 1, … the index of each entry

    Non-convex, and it depends on the iterate. The forcing keeps |g| away from 0: without it the
    iterates settle at a minimum, g → 0, and the adaptive methods divide a vanishing g by a
    vanishing √v, so that the last bit of the rounding of ``p**3 − p + c`` (which differs between
    CPUs: NumPy's AVX2 and AVX-512 code round differently) decides the next step. Such a run is
    chaotic (RMSprop with momentum then differed from PyTorch by 3e-3 on a CPU without
    AVX-512) and cannot be compared to a tight tolerance; a forced run is regular (see
    ``gradient_rounding`` and ``tests/test_optim.py``).
    """
    k = np.arange(p.size, dtype=float).reshape(p.shape)
    return p**3 - p + c + FORCING * np.cos(0.7 * step + k)


def gradient_rounding(p, c):
    """A bound on the rounding error of one evaluation of ``double_well_grad``: a few ulps of
    the largest terms, ``ε · (|p|³ + |p| + |c| + FORCING)`` with ε the float64 machine epsilon.
    The tests perturb every gradient by up to this much to measure how far rounding
    differences can carry a run (its sensitivity)."""
    return np.finfo(np.float64).eps * (np.abs(p) ** 3 + np.abs(p) + np.abs(c) + FORCING)


# (case name, optimizer name, hyperparameters, options). Options: "groups" puts the two
# arrays in two parameter groups, the second with lr × 3; "lr_change" halves the lr
# mid-run through param_groups.
OPTIMIZER_CASES = [
    ("sgd_plain", "SGD", dict(lr=0.01), ()),
    ("sgd_momentum", "SGD", dict(lr=0.01, momentum=0.9), ()),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01), ()),
    ("sgd_dampening_groups", "SGD", dict(lr=0.005, momentum=0.5, dampening=0.3), ("groups", "lr_change")),
    ("adagrad_plain", "Adagrad", dict(lr=0.1), ()),
    ("adagrad_all", "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                     initial_accumulator_value=0.1, eps=1e-8), ("lr_change",)),
    ("rmsprop_plain", "RMSprop", dict(lr=0.01), ()),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5), ("groups",)),
    # Centered RMSprop divides by √(s − ḡ²) + ε, and s − ḡ² → 0 if the gradient settles; the
    # forcing term of double_well_grad keeps it away from 0, so the run stays regular.
    ("rmsprop_centered_wd", "RMSprop", dict(lr=0.01, centered=True, weight_decay=0.01), ()),
    ("adadelta_default", "Adadelta", dict(), ()),
    ("adadelta_all", "Adadelta", dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01), ("groups",)),
    ("adam_plain", "Adam", dict(lr=0.01), ()),
    ("adam_all", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01), ("lr_change",)),
    ("adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True), ("groups",)),
    ("adamw_default_wd", "AdamW", dict(lr=0.01), ()),
    ("adamw_amsgrad", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), ("lr_change",)),
    ("nadam_plain", "NAdam", dict(lr=0.01), ()),
    ("nadam_all", "NAdam", dict(lr=0.01, betas=(0.85, 0.99), momentum_decay=1e-2, weight_decay=0.01), ("groups",)),
    ("rprop_plain", "Rprop", dict(lr=0.01), ()),
    ("rprop_all", "Rprop", dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-4, 1.0)), ("lr_change",)),
]


def param_groups(params, hyper, options):
    """The ``params`` argument of an optimizer for a case (the same for both libraries)."""
    if "groups" not in options:
        return list(params)
    lr = hyper.get("lr")
    second = {"params": [params[1]]}
    if lr is not None:
        second["lr"] = 3 * lr
    return [{"params": [params[0]]}, second]


def stored_steps():
    return sorted(set(range(0, STEPS + 1, STORE_EVERY)) | {STEPS})


# (case name, coursekit schedule, its keyword arguments, PyTorch scheduler, its keyword
# arguments, number of steps). The base rate is "lr" (or "max_lr" for one-cycle).
SCHEDULE_CASES = [
    ("step_004", "step_decay", dict(lr=0.1, step_size=10, gamma=0.5), "StepLR", dict(step_size=10, gamma=0.5), 61),
    ("step_small", "step_decay", dict(lr=0.3, step_size=3, gamma=0.1), "StepLR", dict(step_size=3, gamma=0.1), 20),
    ("exponential", "exponential_decay", dict(lr=0.1, gamma=0.95), "ExponentialLR", dict(gamma=0.95), 80),
    ("polynomial_004", "polynomial_decay", dict(lr=0.1, total_iters=50, power=2.0), "PolynomialLR",
     dict(total_iters=50, power=2.0), 60),
    ("polynomial_default", "polynomial_decay", dict(lr=0.1), "PolynomialLR", dict(), 10),
    ("cosine_004", "cosine_annealing", dict(lr=0.1, T_max=50, eta_min=0.001), "CosineAnnealingLR",
     dict(T_max=50, eta_min=0.001), 101),
    ("cosine_zero_min", "cosine_annealing", dict(lr=1.0, T_max=7), "CosineAnnealingLR", dict(T_max=7), 15),
    ("warm_restarts_mult2", "cosine_warm_restarts", dict(lr=0.1, T_0=10, T_mult=2, eta_min=0.001),
     "CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=2, eta_min=0.001), 160),
    ("warm_restarts_mult1", "cosine_warm_restarts", dict(lr=0.5, T_0=7), "CosineAnnealingWarmRestarts",
     dict(T_0=7), 40),
    ("linear_warmup", "linear_warmup", dict(lr=0.1, total_iters=10, start_factor=0.1, end_factor=1.0),
     "LinearLR", dict(total_iters=10, start_factor=0.1, end_factor=1.0), 30),
    ("linear_default", "linear_warmup", dict(lr=0.1), "LinearLR", dict(), 12),
    ("one_cycle_cos", "one_cycle", dict(max_lr=0.1, total_steps=100), "OneCycleLR",
     dict(max_lr=0.1, total_steps=100), 100),
    ("one_cycle_linear", "one_cycle", dict(max_lr=1.0, total_steps=57, pct_start=0.25,
                                           anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
     "OneCycleLR", dict(max_lr=1.0, total_steps=57, pct_start=0.25, anneal_strategy="linear",
                        div_factor=10.0, final_div_factor=100.0), 57),
    ("one_cycle_three_phase", "one_cycle", dict(max_lr=0.2, total_steps=80, three_phase=True), "OneCycleLR",
     dict(max_lr=0.2, total_steps=80, three_phase=True), 80),
]


def plateau_metrics():
    """A metric that improves, stalls, improves a little, then wanders (seeded)."""
    rng = np.random.default_rng(7)
    return np.concatenate([
        np.linspace(1.0, 0.5, 15),
        np.full(20, 0.5),
        np.linspace(0.5, 0.49, 10),
        0.49 + 0.02 * rng.random(40),
    ])


PLATEAU_CASES = [
    ("plateau_default", dict(lr=0.1)),
    ("plateau_min_rel", dict(lr=0.1, mode="min", factor=0.5, patience=3, cooldown=2, min_lr=1e-3)),
    ("plateau_min_abs", dict(lr=0.1, factor=0.2, patience=2, threshold=0.005, threshold_mode="abs")),
    ("plateau_max_rel", dict(lr=1.0, mode="max", factor=0.5, patience=4, threshold=1e-3)),
]
