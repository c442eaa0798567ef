"""coursekit.optim against PyTorch (stored values always; a live PyTorch when importable),
the source notes' momentum forms, array hyperparameters, and argument checking."""

import functools

import numpy as np
import pytest

from coursekit import optim
from tests.reference import cases
from tests.reference.conftest_paths import REFERENCE_DIR

# How close coursekit must come to PyTorch. Both compute the same float64 formulas, but in
# another order of operations (PyTorch fuses some), and the gradient itself is rounded
# differently on other CPUs (NumPy's AVX2 and AVX-512 code differ in the last bit). So the two
# runs differ by a few ulps at every step, and the optimizer carries those differences along.
# How far, depends on the case: the tolerance is measured, not guessed. `sensitivity` reruns
# the case with every gradient perturbed by up to its rounding bound (cases.gradient_rounding)
# and takes the largest relative change of the iterates; the comparison allows SAFETY times
# that. Measured on 2026-12-02 (20 cases, 150 steps): sensitivity 4e-16 … 1.3e-12, and the
# largest difference to the stored PyTorch iterates 1.2e-13, the same with NumPy's AVX-512 code
# switched off (NPY_DISABLE_CPU_FEATURES) and under the OpenBLAS kernels SandyBridge, Haswell
# and SkylakeX. A wrong formula differs by 1e-4 or more, far above every tolerance (at most
# SAFETY × MAX_SENSITIVITY = 1e-8).
SAFETY = 100
FLOOR = 1e-13  # for a case whose rounding changes nothing (Rprop moves by sign): 450 ulps
MAX_SENSITIVITY = 1e-10  # a case more sensitive than this is chaotic: no use as a reference
CASES = {case[0]: case for case in cases.OPTIMIZER_CASES}


def coursekit_run(optimizer_name, hyper, options, perturb=None):
    """{step: [param arrays]} of coursekit on a case of cases.py, at the stored steps. With
    ``perturb`` (a NumPy Generator) every gradient is moved by up to its rounding bound."""
    params, consts = cases.initial_params()
    opt = getattr(optim, optimizer_name)(cases.param_groups(params, hyper, options), **hyper)
    keep = set(cases.stored_steps())
    out = {0: [p.copy() for p in params]}
    for step in range(1, cases.STEPS + 1):
        if "lr_change" in options and step == cases.LR_CHANGE_AT:
            for group in opt.param_groups:
                group["lr"] *= 0.5
        grads = [cases.double_well_grad(p, c, step) for p, c in zip(params, consts, strict=True)]
        if perturb is not None:
            grads = [g + perturb.uniform(-1, 1, g.shape) * cases.gradient_rounding(p, c)
                     for g, p, c in zip(grads, params, consts, strict=True)]
        opt.step(grads)
        if step in keep:
            out[step] = [p.copy() for p in params]
    return out


def largest_relative_difference(ours, theirs):
    return max(float(np.max(np.abs(ours[step][i] - expected) / np.maximum(np.abs(expected), 1e-12)))
               for step, arrays in theirs.items() for i, expected in enumerate(arrays))


def sensitivity(optimizer_name, hyper, options, draws=8):
    """How far rounding-sized perturbations of the gradients move the iterates (relative)."""
    base = coursekit_run(optimizer_name, hyper, options)
    return max(largest_relative_difference(coursekit_run(optimizer_name, hyper, options, np.random.default_rng(k)),
                                           base) for k in range(draws))


def assert_same_iterates(ours, theirs, name, tolerance):
    for step, arrays in theirs.items():
        for i, expected in enumerate(arrays):
            got = ours[step][i]
            rel = np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-12))
            assert rel < tolerance, (f"{name}: param {i} at step {step} differs by {rel:.2e} (relative); "
                                     f"rounding alone explains {tolerance:.1e}")


@functools.cache
def case_sensitivity(name):
    _, optimizer_name, hyper, options = CASES[name]
    return sensitivity(optimizer_name, hyper, options)


def tolerance_of(case):
    return max(SAFETY * case_sensitivity(case[0]), FLOOR)


@pytest.mark.parametrize("case", cases.OPTIMIZER_CASES, ids=[c[0] for c in cases.OPTIMIZER_CASES])
def test_reference_case_is_not_chaotic(case):
    """A reference comparison means something only where rounding cannot carry a run far."""
    s = case_sensitivity(case[0])
    assert s < MAX_SENSITIVITY, f"{case[0]}: rounding-sized changes of the gradient move the iterates by {s:.1e}"


@pytest.mark.parametrize("case", cases.OPTIMIZER_CASES, ids=[c[0] for c in cases.OPTIMIZER_CASES])
def test_matches_stored_pytorch_iterates(case):
    name, optimizer_name, hyper, options = case
    stored = np.load(REFERENCE_DIR / "optim_reference.npz")
    theirs = {s: [stored[f"{name}/{s}/{i}"] for i in range(2)] for s in cases.stored_steps()}
    assert_same_iterates(coursekit_run(optimizer_name, hyper, options), theirs, name, tolerance_of(case))


@pytest.mark.torch
@pytest.mark.parametrize("case", cases.OPTIMIZER_CASES, ids=[c[0] for c in cases.OPTIMIZER_CASES])
def test_matches_live_pytorch(case):
    pytest.importorskip("torch")
    from tests.reference.make_reference import torch_optimizer_run

    name, optimizer_name, hyper, options = case
    theirs = torch_optimizer_run(optimizer_name, hyper, options)
    assert_same_iterates(coursekit_run(optimizer_name, hyper, options), theirs, name, tolerance_of(case))


def test_iterates_move_and_stay_finite():
    """The reference problem is not trivial: every case moves away from the start."""
    for name, optimizer_name, hyper, options in cases.OPTIMIZER_CASES:
        run = coursekit_run(optimizer_name, hyper, options)
        moved = np.abs(run[cases.STEPS][0] - run[0][0]).max()
        assert moved > 1e-3, f"{name} barely moved ({moved:.1e})"
        assert np.all(np.isfinite(run[cases.STEPS][0]))


# ---- the source notes' momentum forms ------------------------------------------------


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_source_momentum_form_equals_pytorch_form(gamma):
    """000: v ← γv + α∇L(x); x ← x − v.   001: m ← γm − α g; θ ← θ + m.
    PyTorch (coursekit.optim.SGD): v ← γv + g; x ← x − αv. Same iterates for constant α."""
    alpha = 1e-4
    x000 = np.array([-1.2, 1.0])
    v = np.zeros(2)
    x001 = x000.copy()
    m = np.zeros(2)
    x_ck = x000.copy()
    opt = optim.SGD([x_ck], lr=alpha, momentum=gamma)
    for _ in range(300):
        v = gamma * v + alpha * rosenbrock_grad(x000)
        x000 = x000 - v
        m = gamma * m - alpha * rosenbrock_grad(x001)
        x001 = x001 + m
        opt.step([rosenbrock_grad(x_ck)])
    np.testing.assert_allclose(x_ck, x000, rtol=1e-10)
    np.testing.assert_allclose(x_ck, x001, rtol=1e-10)
    assert np.abs(x_ck - [-1.2, 1.0]).max() > 0.01  # it really moved


def test_nesterov_uses_the_lookahead_gradient():
    """Sutskever's form v ← γv + α∇L(x − γv); x ← x − v, rewritten in the shifted variable
    y = x − γv, is PyTorch's nesterov=True. Compare the y-iterates."""
    alpha, gamma = 1e-4, 0.9
    x = np.array([-1.2, 1.0])
    v = np.zeros(2)
    y_ck = x.copy()
    opt = optim.SGD([y_ck], lr=alpha, momentum=gamma, nesterov=True)
    for _ in range(200):
        v = gamma * v + alpha * rosenbrock_grad(x - gamma * v)
        x = x - v
        opt.step([rosenbrock_grad(y_ck)])
    np.testing.assert_allclose(y_ck, x - gamma * v, rtol=1e-9)


# ---- array hyperparameters: many trajectories in one optimizer -----------------------


@pytest.mark.parametrize(
    "optimizer_name, hyper",
    [
        ("SGD", dict(lr=np.array([[1e-4], [3e-4], [5e-4]]), momentum=np.array([[0.0], [0.5], [0.9]]))),
        ("Adam", dict(lr=np.array([[1e-3], [1e-2], [3e-2]]), betas=(np.array([[0.5], [0.9], [0.99]]), 0.999))),
        ("RMSprop", dict(lr=np.array([[1e-3], [1e-2], [3e-2]]), alpha=np.array([[0.5], [0.9], [0.99]]))),
        ("Rprop", dict(lr=np.array([[1e-3], [1e-2], [3e-2]]))),
    ],
)
def test_array_hyperparameters_run_independent_trajectories(optimizer_name, hyper):
    batch = np.tile([-1.2, 1.0], (3, 1))
    opt = getattr(optim, optimizer_name)([batch], **hyper)
    singles = []
    for row in range(3):
        row_hyper = {k: (tuple(np.asarray(b).reshape(-1)[row] if np.ndim(b) else b for b in v)
                         if isinstance(v, tuple) else float(np.asarray(v).reshape(-1)[row]))
                     for k, v in hyper.items()}
        x = np.array([-1.2, 1.0])
        singles.append((x, getattr(optim, optimizer_name)([x], **row_hyper)))
    for _ in range(100):
        opt.step([np.stack([rosenbrock_grad(p) for p in batch])])
        for x, o in singles:
            o.step([rosenbrock_grad(x)])
    np.testing.assert_allclose(batch, np.stack([x for x, _ in singles]), rtol=1e-12)
    assert not np.allclose(batch[0], batch[2])  # different hyperparameters, different paths


# ---- argument checking ----------------------------------------------------------------

BAD_ARGUMENTS = [
    (optim.SGD, dict(lr=-0.1), "lr"),
    (optim.SGD, dict(lr=0.1, momentum=-0.1), "momentum"),
    (optim.SGD, dict(lr=0.1, momentum=1.0), "momentum"),
    (optim.SGD, dict(lr=0.1, dampening=1.5), "dampening"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "nesterov"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (optim.Adagrad, dict(lr=-1.0), "lr"),
    (optim.Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (optim.Adagrad, dict(weight_decay=-0.1), "weight_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (optim.Adagrad, dict(eps=-1e-10), "eps"),
    (optim.RMSprop, dict(lr=-0.01), "lr"),
    (optim.RMSprop, dict(alpha=1.5), "alpha"),
    (optim.RMSprop, dict(alpha=-0.5), "alpha"),
    (optim.RMSprop, dict(eps=-1.0), "eps"),
    (optim.RMSprop, dict(weight_decay=-1.0), "weight_decay"),
    (optim.RMSprop, dict(momentum=1.0), "momentum"),
    (optim.Adadelta, dict(lr=-1.0), "lr"),
    (optim.Adadelta, dict(rho=1.1), "rho"),
    (optim.Adadelta, dict(eps=-1e-6), "eps"),
    (optim.Adadelta, dict(weight_decay=-1.0), "weight_decay"),
    (optim.Adam, dict(lr=-1e-3), "lr"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    (optim.Adam, dict(betas=(0.9, -0.1)), r"betas\[1\]"),
    (optim.Adam, dict(eps=-1e-8), "eps"),
    (optim.Adam, dict(weight_decay=-0.1), "weight_decay"),
    (optim.AdamW, dict(lr=-1e-3), "lr"),
    (optim.AdamW, dict(betas=(0.9, 1.0)), r"betas\[1\]"),
    (optim.AdamW, dict(eps=-1.0), "eps"),
    (optim.AdamW, dict(weight_decay=-0.01), "weight_decay"),
    (optim.NAdam, dict(lr=-2e-3), "lr"),
    (optim.NAdam, dict(betas=(-0.1, 0.999)), r"betas\[0\]"),
    (optim.NAdam, dict(betas=(0.9, 1.5)), r"betas\[1\]"),
    (optim.NAdam, dict(eps=-1.0), "eps"),
    (optim.NAdam, dict(weight_decay=-1.0), "weight_decay"),
    (optim.NAdam, dict(momentum_decay=-4e-3), "momentum_decay"),
    (optim.Rprop, dict(lr=-0.01), "lr"),
    (optim.Rprop, dict(etas=(1.2, 1.5)), r"etas\[0\]"),
    (optim.Rprop, dict(etas=(0.5, 0.9)), r"etas\[1\]"),
    (optim.Rprop, dict(step_sizes=(-1e-6, 50.0)), r"step_sizes\[0\]"),
    (optim.Rprop, dict(step_sizes=(1.0, 0.1)), "step_sizes"),
]


@pytest.mark.parametrize("cls, kwargs, name", BAD_ARGUMENTS,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{i}" for i, (c, k, _) in enumerate(BAD_ARGUMENTS)])
def test_invalid_hyperparameter_is_rejected_by_name(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls([np.zeros(2)], **kwargs)


def test_invalid_array_hyperparameter_is_rejected():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\); got an array"):
        optim.SGD([np.zeros((3, 2))], lr=0.1, momentum=np.array([[0.5], [0.9], [1.2]]))


def test_non_finite_and_non_numeric_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="lr must be finite"):
        optim.Adam([np.zeros(2)], lr=float("nan"))
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.Adam([np.zeros(2)], lr="0.1")
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam([np.zeros(2)], betas=0.9)


def test_unknown_keyword_names_the_allowed_ones():
    with pytest.raises(TypeError, match="beta1.*allowed: lr, betas"):
        optim.Adam([np.zeros(2)], beta1=0.9)


def test_a_negative_lr_set_between_steps_is_rejected_at_step():
    x = np.zeros(2)
    opt = optim.SGD([x], lr=0.1)
    opt.param_groups[0]["lr"] = -0.1
    with pytest.raises(ValueError, match="lr"):
        opt.step([np.ones(2)])


def test_step_rejects_mismatched_gradients():
    a, b = np.zeros((3, 2)), np.zeros(4)
    opt = optim.Adam([a, b])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(2, 3\).*\(3, 2\)"):
        opt.step([np.zeros((2, 3)), np.zeros(4)])
    with pytest.raises(ValueError, match="grads has 1 arrays but there are 2 parameters"):
        opt.step([np.zeros((3, 2))])


def test_params_must_be_float_arrays():
    with pytest.raises(TypeError, match="float NumPy array"):
        optim.SGD([np.zeros(3, dtype=int)], lr=0.1)
    with pytest.raises(TypeError, match="list of arrays"):
        optim.SGD(np.zeros(3), lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    x = np.zeros(2)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)


def test_parameter_group_overrides_defaults_and_is_validated():
    a, b = np.zeros(2), np.zeros(2)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    opt.step([np.ones(2), np.ones(2)])
    np.testing.assert_allclose(a, [-0.1, -0.1])
    np.testing.assert_allclose(b, [-1.0, -1.0])
    with pytest.raises(ValueError, match="lr"):
        optim.SGD([{"params": [a], "lr": -1.0}], lr=0.1)
    with pytest.raises(TypeError, match="unknown key"):
        optim.SGD([{"params": [a], "learning_rate": 1.0}], lr=0.1)


def test_caller_gradients_are_not_modified():
    x = np.ones(3)
    g = np.full(3, 0.5)
    optim.SGD([x], lr=0.1, momentum=0.9, weight_decay=0.1).step([g])
    np.testing.assert_array_equal(g, 0.5)


# ---- large parameters are updated block by block, in threads: same numbers ------------------------

@pytest.mark.parametrize("optimizer_name, hyper, options", [c[1:] for c in cases.OPTIMIZER_CASES],
                         ids=[c[0] for c in cases.OPTIMIZER_CASES])
def test_blocked_update_equals_whole_array_update(optimizer_name, hyper, options, monkeypatch):
    rng = np.random.default_rng(3)
    # 3123 elements in blocks of 1000 (small, to keep the test fast): three and a ragged fourth
    start, c = rng.normal(size=(1041, 3)), 0.3 * rng.normal(size=(1041, 3))
    monkeypatch.setattr(optim, "BLOCK_SIZE", 1000)

    def run():
        p = start.copy()
        opt = getattr(optim, optimizer_name)([p], **hyper)
        for step in range(1, 31):
            if "lr_change" in options and step == 15:
                opt.param_groups[0]["lr"] *= 0.5
            opt.step([cases.double_well_grad(p, c, step)])
        return p

    monkeypatch.setattr(optim, "NUM_THREADS", 1)
    blocked = run()
    monkeypatch.setattr(optim, "NUM_THREADS", 3)  # blocks shared out among three threads
    threaded = run()
    monkeypatch.setattr(optim, "BLOCK_SIZE", 10**9)
    whole = run()
    np.testing.assert_array_equal(blocked, whole)
    np.testing.assert_array_equal(threaded, whole)
    assert not np.allclose(blocked, start)


LARGE = 3 * optim.BLOCK_SIZE + 123  # several blocks of the real size and a ragged last one


@pytest.mark.torch
@pytest.mark.parametrize("optimizer_name, hyper", [("Adam", dict(lr=0.01)), ("SGD", dict(lr=0.01, momentum=0.9)),
                                                   ("NAdam", dict(lr=0.01)), ("Rprop", dict(lr=0.01))])
def test_large_blocked_parameter_matches_live_pytorch(optimizer_name, hyper):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    start, c = rng.normal(size=LARGE), 0.3 * rng.normal(size=LARGE)
    p = start.copy()
    opt = getattr(optim, optimizer_name)([p], **hyper)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        tp = torch.tensor(start, requires_grad=True)
        topt = getattr(torch.optim, optimizer_name)([tp], **hyper)
        for step in range(1, 51):
            opt.step([cases.double_well_grad(p, c, step)])
            tp.grad = torch.from_numpy(cases.double_well_grad(tp.detach().numpy(), c, step))
            topt.step()
    finally:
        torch.set_default_dtype(previous)
    # same machine, same gradient code on both sides, 50 steps of a regular (forced) problem:
    # only the order of operations differs; the stored cases above measure ≤ 1e-12 for that
    np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-9, atol=1e-12)
