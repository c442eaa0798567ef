r"""Several optimizers on several functions in ONE ``minimize`` call.

An explorer that compares ``R`` optimizers on ``K`` test functions would call ``minimize``
``K·R`` times per slider move. Here the iterates of all of them live in one array ``x`` of
shape ``(K, R, d)``: row ``k`` is function ``k`` (``FunctionStack``), column ``r`` is run
``r``, whose optimizer owns the view ``x[:, r:r+1]`` (``OptimizerStack``). Every optimizer
sees exactly the arrays it would see alone, element by element, so the iterates equal those of
``K·R`` separate ``minimize`` runs — only the Python overhead per step is shared.

Example::

    tr = compare([Quadratic.with_condition_number(25), Saddle()], [(-2, 2), (-1.5, 0.01)],
                 [(SGD, dict(lr=0.1)), (SGD, dict(lr=0.1, momentum=0.9))], steps=100)
    tr.points[:, k, r]      # the trajectory of run r on function k, shape (steps + 1, 2)
"""

from __future__ import annotations

import numpy as np

from .train import Trajectory, minimize

__all__ = ["FunctionStack", "OptimizerStack", "compare"]


class FunctionStack:
    """``K`` functions of the same dimension ``d`` as one: ``x`` of shape ``(K, ..., d)``,
    function ``k`` evaluated on ``x[k]``."""

    def __init__(self, functions):
        self.functions = list(functions)
        if not self.functions:
            raise ValueError("functions must not be empty")
        dims = {f.dim for f in self.functions}
        if len(dims) != 1:
            raise ValueError(f"all functions must have the same dimension; got {sorted(dims)}")
        self.dim = dims.pop()

    def _check(self, x):
        x = np.asarray(x, dtype=float)
        if x.ndim < 2 or x.shape[0] != len(self.functions) or x.shape[-1] != self.dim:
            raise ValueError(f"x must have shape ({len(self.functions)}, ..., {self.dim}); got {x.shape}")
        return x

    def __call__(self, x):
        x = self._check(x)
        out = np.empty(x.shape[:-1])
        for k, f in enumerate(self.functions):
            out[k] = f(x[k])
        return out

    def grad(self, x):
        x = self._check(x)
        out = np.empty(x.shape)
        for k, f in enumerate(self.functions):
            out[k] = f.grad(x[k])
        return out


class OptimizerStack:
    """One optimizer per column of ``x`` (shape ``(K, R, d)``): ``specs[r] = (OptimizerClass,
    hyperparameters)`` drives the view ``x[:, r:r+1]``. ``step([g])`` hands each optimizer its
    columns of ``g``."""

    def __init__(self, x, specs):
        specs = list(specs)
        if x.ndim != 3 or x.shape[1] != len(specs):
            raise ValueError(f"x must have shape (K, {len(specs)}, d), one column per optimizer; got {x.shape}")
        self.optimizers = [cls([x[:, r : r + 1]], **hyper) for r, (cls, hyper) in enumerate(specs)]

    def step(self, grads):
        (g,) = grads
        for r, opt in enumerate(self.optimizers):
            opt.step([g[:, r : r + 1]])


def compare(functions, starts, runs, steps: int = 100, max_norm: float = 1e6) -> Trajectory:
    """Run every optimizer of ``runs`` (a list of ``(OptimizerClass, hyperparameters)``) on every
    function of ``functions`` from its start point in ``starts``, in one ``minimize`` call.

    Returns a ``Trajectory`` with ``points`` of shape ``(steps + 1, K, R, d)`` and ``losses``,
    ``grad_norms``, ``diverged_at`` of shape ``(…, K, R)``; the run ``r`` on function ``k`` equals
    ``minimize(functions[k], starts[k], *runs[r], steps)``.
    """
    stack = FunctionStack(functions)
    starts = np.asarray(starts, dtype=float)
    if starts.shape != (len(stack.functions), stack.dim):
        raise ValueError(f"starts must have shape ({len(stack.functions)}, {stack.dim}); got {starts.shape}")
    runs = list(runs)
    x0 = np.repeat(starts[:, None, :], len(runs), axis=1)
    return minimize(stack, x0, lambda params: OptimizerStack(params[0], runs), steps, max_norm=max_norm)
