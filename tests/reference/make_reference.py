"""Regenerate the stored PyTorch reference values in this folder.

    pip install torch==2.13.0 && python tests/reference/make_reference.py

Writes ``optim_reference.npz`` (iterates of torch.optim on the problems of ``cases.py``)
and ``schedule_reference.npz`` (the rates of torch.optim.lr_scheduler). The tests compare
coursekit against these files always, and against a live PyTorch when it is importable.
"""

import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
from tests.reference import cases  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def torch_optimizer_run(optimizer_name, hyper, options):
    """Iterates of torch.optim for one case: {step: [param arrays]} at the stored steps.

    PyTorch keeps some optimizer scalars (NAdam's running product of μ) in the default
    dtype, so float64 must be the default while it runs, not just the parameters' dtype.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return _torch_optimizer_run(optimizer_name, hyper, options)
    finally:
        torch.set_default_dtype(previous)


def _torch_optimizer_run(optimizer_name, hyper, options):
    params, consts = cases.initial_params()
    tparams = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    opt = getattr(torch.optim, optimizer_name)(cases.param_groups(tparams, hyper, options), **hyper)
    keep = set(cases.stored_steps())
    out = {0: [p.detach().numpy().copy() for p in tparams]}
    for step in range(1, cases.STEPS + 1):
        if "lr_change" in options and step == cases.LR_CHANGE_AT:
            for group in opt.param_groups:
                group["lr"] *= 0.5
        for p, c in zip(tparams, consts, strict=True):
            p.grad = torch.from_numpy(cases.double_well_grad(p.detach().numpy(), c, step))
        opt.step()
        if step in keep:
            out[step] = [p.detach().numpy().copy() for p in tparams]
    return out


def torch_schedule(scheduler_name, kwargs, n, base_lr):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr, momentum=0.9)
    sched = getattr(torch.optim.lr_scheduler, scheduler_name)(opt, **kwargs)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


def torch_plateau(kwargs, metrics):
    kwargs = dict(kwargs)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=kwargs.pop("lr"))
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    rates = []
    for m in metrics:
        opt.step()
        sched.step(m)
        rates.append(opt.param_groups[0]["lr"])
    return np.array(rates)


def main():
    torch.set_default_dtype(torch.float64)
    optim_ref = {}
    for name, optimizer_name, hyper, options in cases.OPTIMIZER_CASES:
        for step, arrays in torch_optimizer_run(optimizer_name, hyper, options).items():
            for i, a in enumerate(arrays):
                optim_ref[f"{name}/{step}/{i}"] = a
    np.savez_compressed(HERE / "optim_reference.npz", **optim_ref)

    sched_ref = {}
    for name, _, ck_kwargs, torch_name, torch_kwargs, n in cases.SCHEDULE_CASES:
        base = ck_kwargs.get("lr", ck_kwargs.get("max_lr"))
        sched_ref[name] = torch_schedule(torch_name, torch_kwargs, n, base)
    for name, kwargs in cases.PLATEAU_CASES:
        sched_ref[name] = torch_plateau(kwargs, cases.plateau_metrics())
    np.savez_compressed(HERE / "schedule_reference.npz", **sched_ref)
    print(f"wrote {len(optim_ref)} optimizer arrays and {len(sched_ref)} schedules (torch {torch.__version__})")


if __name__ == "__main__":
    main()
