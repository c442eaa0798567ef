r"""Small regression problems for the adaptive methods of chapter 4, with mini-batch gradients.

``LinearRegression`` is a least-squares loss :math:`f(w) = \frac{1}{2N}\lVert A w - b\rVert^2`
with the interface of ``coursekit.functions`` (``f(w)``, ``f.grad(w)``, ``f.minimum``; ``w`` of
shape ``(..., d)``), plus ``f.grad(w, batch=idx)``, the gradient on the rows ``idx`` only (a
mini-batch). ``LinearRegression.sparse_features`` builds one whose features are 0/1 indicators,
some present in almost every example and some only rarely (like rare words in a text): the
setting Adagrad was made for. ``run_minibatch`` trains any ``coursekit.optim`` optimizer on it,
with mini-batches or the full batch, and records the weights (and, optionally, any quantity of
the optimizer) after every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import data as _data
from . import optim as _optim

__all__ = ["LinearRegression", "RegressionRun", "run_minibatch"]


class LinearRegression:
    """``f(w) = (1/2N) ‖A w − b‖²`` for ``A`` of shape ``(N, d)``; vectorised over ``w``'s
    leading axes. ``grad(w, batch=None)``: the full gradient, or the mean over the rows
    ``batch`` (an index array)."""

    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
        if self.A.ndim != 2 or self.b.shape != (self.A.shape[0],):
            raise ValueError(f"A must have shape (N, d) and b shape (N,); got {self.A.shape} and {self.b.shape}")
        self.n_samples, self.dim = self.A.shape
        self.minimum = np.linalg.lstsq(self.A, self.b, rcond=None)[0]

    @classmethod
    def sparse_features(cls, n_samples: int = 2000, frequencies=(0.9, 0.8, 0.7, 0.6, 0.5, 0.05, 0.04, 0.03, 0.02, 0.01),
                        noise: float = 0.1, seed=0) -> LinearRegression:
        """0/1 features, feature ``j`` present (= 1) in a fraction ``frequencies[j]`` of the
        examples; targets ``b = A w_true + noise``, ``w_true`` all ones."""
        rng = np.random.default_rng(seed)
        p = np.asarray(frequencies, dtype=float)
        A = (rng.random((n_samples, p.size)) < p).astype(float)
        b = A @ np.ones(p.size) + noise * rng.standard_normal(n_samples)
        problem = cls(A, b)
        problem.frequencies = p
        return problem

    @classmethod
    def gaussian(cls, n_samples: int = 1000, dim: int = 10, noise: float = 0.5, seed=0) -> LinearRegression:
        """Standard-normal features, ``w_true`` standard normal, Gaussian noise: the data of
        ``data.synthetic_regression`` without its intercept (``b = A w_true + noise``)."""
        s = _data.synthetic_regression(n_samples, dim, noise, seed)
        return cls(s.X, s.y - s.b)

    def __call__(self, w):
        r = np.asarray(w, dtype=float) @ self.A.T - self.b
        return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, w, batch=None):
        A, b = (self.A, self.b) if batch is None else (self.A[batch], self.b[batch])
        r = np.asarray(w, dtype=float) @ A.T - b
        return r @ A / len(b)

    def __repr__(self):
        return f"LinearRegression(n_samples={self.n_samples}, dim={self.dim})"


@dataclass
class RegressionRun:
    """What ``run_minibatch`` returns: ``weights[s]`` after ``s`` steps (shape ``(steps + 1, d)``),
    ``losses[s]`` the full-batch loss there, ``records[s - 1]`` what ``record(opt)`` returned after
    step ``s`` (empty without ``record``)."""

    weights: np.ndarray
    losses: np.ndarray
    records: list = field(default_factory=list)


def _batches(n: int, batch_size: int, seed):
    """Row indices of mini-batches, epoch after epoch: ``data.minibatches`` over ``0 … n − 1``
    with a new order every epoch (one seeded generator) and the last, incomplete batch dropped
    (a ``batch_size`` above ``n`` takes all ``n`` rows)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1 (or None: the full batch); got {batch_size!r}")
    rng, rows = np.random.default_rng(seed), np.arange(n)
    while True:
        yield from _data.minibatches(rows, None, min(int(batch_size), n), seed=rng, drop_last=True)


def run_minibatch(problem, optimizer, steps: int = 200, batch_size: int | None = 10, seed=0, w0=None,
                  record=None, **hyperparameters) -> RegressionRun:
    """Train ``optimizer(params=[w], **hyperparameters)`` on ``problem`` for ``steps`` steps.

    ``batch_size=None`` uses the full batch every step; otherwise each step takes the next
    ``batch_size`` rows of a reshuffled-every-epoch order (``data.minibatches``, seeded, the
    incomplete last batch of an epoch dropped). ``w0`` defaults to zeros.
    ``record(opt)``, if given, is called after every step and its results kept (copy arrays!).

    A sweep in one run: ``w0`` of shape ``(k, d)`` with array hyperparameters of shape
    ``(k, 1)`` (e.g. ``lr=rates[:, None]``) trains ``k`` copies on the *same* mini-batches;
    then ``weights`` has shape ``(steps + 1, k, d)`` and ``losses`` ``(steps + 1, k)``. A copy
    that diverges simply holds ``inf``/``nan`` (no overflow warnings).
    """
    w = np.zeros(problem.dim) if w0 is None else np.array(w0, dtype=float)
    if w.ndim == 0 or w.shape[-1] != problem.dim:
        raise ValueError(f"w0 must have shape (d,) or (k, d) with d = {problem.dim}; got {w.shape}")
    opt = optimizer([w], **hyperparameters) if isinstance(optimizer, type) else optimizer([w])
    if not isinstance(opt, _optim.Optimizer):
        raise TypeError("optimizer must be a coursekit.optim class (or a function params -> optimizer)")
    batches = None if batch_size is None else _batches(problem.n_samples, batch_size, seed)
    loss = (lambda v: float(problem(v))) if w.ndim == 1 else problem
    weights, losses, records = [w.copy()], [loss(w)], []
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging copy of a sweep is inf/nan
        for _ in range(steps):
            opt.step([problem.grad(w) if batches is None else problem.grad(w, next(batches))])
            weights.append(w.copy())
            losses.append(loss(w))
            if record is not None:
                records.append(record(opt))
    return RegressionRun(np.array(weights), np.array(losses), records)
