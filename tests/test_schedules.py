"""coursekit.schedules against PyTorch's schedulers (stored values always; live when
importable) and source note 004's worked examples (closed forms computed by hand)."""

import math

import numpy as np
import pytest

from coursekit import schedules
from tests.reference import cases
from tests.reference.conftest_paths import REFERENCE_DIR


def coursekit_rates(name, kwargs, n):
    return getattr(schedules, name)(np.arange(n), **kwargs)


def plateau_rates(kwargs):
    sched = schedules.ReduceLROnPlateau(**kwargs)
    return np.array([sched.step(m) for m in cases.plateau_metrics()])


@pytest.mark.parametrize("case", cases.SCHEDULE_CASES, ids=[c[0] for c in cases.SCHEDULE_CASES])
def test_schedule_equals_stored_pytorch_scheduler(case):
    name, ck_name, ck_kwargs, _, _, n = case
    expected = np.load(REFERENCE_DIR / "schedule_reference.npz")[name]
    np.testing.assert_allclose(coursekit_rates(ck_name, ck_kwargs, n), expected, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("case", cases.PLATEAU_CASES, ids=[c[0] for c in cases.PLATEAU_CASES])
def test_plateau_equals_stored_pytorch_scheduler(case):
    name, kwargs = case
    expected = np.load(REFERENCE_DIR / "schedule_reference.npz")[name]
    got = plateau_rates(kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert len(set(expected.tolist())) > 1  # the case really reduces the rate


@pytest.mark.torch
@pytest.mark.parametrize("case", cases.SCHEDULE_CASES, ids=[c[0] for c in cases.SCHEDULE_CASES])
def test_schedule_equals_live_pytorch_scheduler(case):
    pytest.importorskip("torch")
    from tests.reference.make_reference import torch_schedule

    name, ck_name, ck_kwargs, torch_name, torch_kwargs, n = case
    base = ck_kwargs.get("lr", ck_kwargs.get("max_lr"))
    expected = torch_schedule(torch_name, torch_kwargs, n, base)
    np.testing.assert_allclose(coursekit_rates(ck_name, ck_kwargs, n), expected, rtol=1e-10, atol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("case", cases.PLATEAU_CASES, ids=[c[0] for c in cases.PLATEAU_CASES])
def test_plateau_equals_live_pytorch_scheduler(case):
    pytest.importorskip("torch")
    from tests.reference.make_reference import torch_plateau

    name, kwargs = case
    np.testing.assert_allclose(plateau_rates(kwargs), torch_plateau(kwargs, cases.plateau_metrics()), rtol=1e-12)


# ---- source 004's worked examples, by hand --------------------------------------------


def test_004_step_decay_example():
    """lr 0.1, rate 0.5, every 10 epochs: 0.05 at epoch 10, 0.025 at 20, 0.0125 at 30."""
    rates = schedules.step_decay(np.arange(31), lr=0.1, step_size=10, gamma=0.5)
    assert rates[0] == rates[9] == 0.1
    assert rates[10] == 0.05 and rates[20] == 0.025 and rates[30] == 0.0125


def test_004_continuous_step_decay_form():
    assert math.isclose(schedules.step_decay(5, lr=0.1, step_size=10, gamma=0.5, staircase=False),
                        0.1 * 0.5**0.5)


def test_004_cosine_polynomial_exponential_examples():
    t = np.arange(10)
    cos = [0.001 + 0.5 * (0.1 - 0.001) * (1 + math.cos(math.pi * e / 50)) for e in range(10)]
    poly = [0.1 * (1 - e / 50) ** 2 for e in range(10)]
    expo = [0.1 * 0.95**e for e in range(10)]
    np.testing.assert_allclose(schedules.cosine_annealing(t, lr=0.1, T_max=50, eta_min=0.001), cos, rtol=1e-14)
    np.testing.assert_allclose(schedules.polynomial_decay(t, lr=0.1, total_iters=50, power=2), poly, rtol=1e-14)
    np.testing.assert_allclose(schedules.exponential_decay(t, lr=0.1, gamma=0.95), expo, rtol=1e-14)
    assert math.isclose(cos[1], 0.09990232305719946, rel_tol=1e-12)  # worked out on paper


def test_scalar_t_gives_a_float_and_arrays_give_arrays():
    assert isinstance(schedules.exponential_decay(3, lr=0.1, gamma=0.5), float)
    assert schedules.cosine_annealing(np.arange(6).reshape(2, 3), lr=1.0, T_max=5).shape == (2, 3)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: schedules.step_decay(-1, lr=0.1, step_size=10), "t"),
        (lambda: schedules.step_decay(1.5, lr=0.1, step_size=10), "t"),
        (lambda: schedules.step_decay(1, lr=-0.1, step_size=10), "lr"),
        (lambda: schedules.step_decay(1, lr=0.1, step_size=0), "step_size"),
        (lambda: schedules.exponential_decay(1, lr=0.1, gamma=1.5), "gamma"),
        (lambda: schedules.polynomial_decay(1, lr=0.1, total_iters=0), "total_iters"),
        (lambda: schedules.polynomial_decay(1, lr=0.1, power=-1.0), "power"),
        (lambda: schedules.cosine_annealing(1, lr=0.1, T_max=0), "T_max"),
        (lambda: schedules.cosine_annealing(1, lr=0.1, T_max=5, eta_min=-1.0), "eta_min"),
        (lambda: schedules.cosine_warm_restarts(1, lr=0.1, T_0=0), "T_0"),
        (lambda: schedules.cosine_warm_restarts(1, lr=0.1, T_0=5, T_mult=0), "T_mult"),
        (lambda: schedules.linear_warmup(1, lr=0.1, start_factor=0.0), "start_factor"),
        (lambda: schedules.linear_warmup(1, lr=0.1, end_factor=1.5), "end_factor"),
        (lambda: schedules.one_cycle(1, max_lr=0.1, total_steps=10, pct_start=1.0), "pct_start"),
        (lambda: schedules.one_cycle(1, max_lr=0.1, total_steps=10, anneal_strategy="exp"), "anneal_strategy"),
        (lambda: schedules.one_cycle(11, max_lr=0.1, total_steps=10), "total_steps"),
        (lambda: schedules.one_cycle(1, max_lr=0.1, total_steps=10, div_factor=0.0), "div_factor"),
        (lambda: schedules.ReduceLROnPlateau(0.1, mode="best"), "mode"),
        (lambda: schedules.ReduceLROnPlateau(0.1, factor=1.0), "factor"),
        (lambda: schedules.ReduceLROnPlateau(0.1, patience=-1), "patience"),
        (lambda: schedules.ReduceLROnPlateau(0.1, threshold_mode="pct"), "threshold_mode"),
        (lambda: schedules.ReduceLROnPlateau(0.1, min_lr=-1.0), "min_lr"),
    ],
)
def test_invalid_schedule_arguments_are_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()
