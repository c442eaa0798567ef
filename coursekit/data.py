r"""Data for the course: the 8×8 handwritten digits (offline), synthetic regression and
classification problems, and mini-batch iteration.

The digits ship with the package (``coursekit/datasets/digits.npz``; provenance and licences
in ``coursekit/datasets/README.md``): 1,797 images of 64 pixel counts in 0..16, ten classes.
Everything random is drawn from ``np.random.default_rng(seed)``: the same call gives the same
numbers; ``seed`` may also be a ``np.random.Generator``.
"""

from __future__ import annotations

import functools
import pathlib
from typing import NamedTuple

import numpy as np

__all__ = [
    "load_digits",
    "standardize",
    "train_val_split",
    "minibatches",
    "synthetic_regression",
    "synthetic_classification",
    "Synthetic",
]

DIGITS_FILE = pathlib.Path(__file__).resolve().parent / "datasets" / "digits.npz"


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


@functools.lru_cache(maxsize=1)
def _raw_digits():
    with np.load(DIGITS_FILE) as f:
        images, target = f["images"], f["target"]
    images.setflags(write=False)
    target.setflags(write=False)
    return images, target


def standardize(X_train, *others):
    r"""Scale every feature to mean 0 and standard deviation 1 with the statistics of
    ``X_train`` only: ``x ← (x − μ_train) / σ_train`` (a constant feature keeps ``σ = 1``).
    Returns the scaled ``X_train`` followed by each of ``others`` scaled the same way."""
    X_train = np.asarray(X_train, dtype=float)
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma[sigma == 0] = 1.0
    scaled = [(np.asarray(X, dtype=float) - mu) / sigma for X in (X_train, *others)]
    return scaled[0] if not others else tuple(scaled)


def train_val_split(X, y, val_fraction: float = 0.2, seed=0):
    r"""Split ``(X, y)`` into ``(X_train, y_train, X_val, y_val)``, stratified: from each class,
    ``round(val_fraction · count)`` randomly chosen examples go to validation. Both parts
    come out in a random order."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length; got {len(X)} and {len(y)}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie in (0, 1); got {val_fraction!r}")
    rng = _rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        val.append(rng.choice(members, size=int(round(val_fraction * len(members))), replace=False))
    val = np.concatenate(val)
    train = np.setdiff1d(np.arange(len(y)), val)
    train, val = rng.permutation(train), rng.permutation(val)
    return X[train], y[train], X[val], y[val]


def load_digits(classes=None, val_fraction: float | None = None, seed=0, standardize: bool = True):
    r"""The 8×8 handwritten digits: 1,797 images as rows of 64 features, labels 0..9.

    ``classes``: keep only these digits (e.g. ``range(5)``); their labels are re-numbered
    ``0 … len(classes) − 1`` in the order given, so ``load_digits([3, 8])`` is a binary
    problem with 3 → 0 and 8 → 1.

    ``val_fraction=None`` (default) returns ``(X, y)``, every image in the file's order.
    A number in (0, 1) returns ``(X_train, y_train, X_val, y_val)``: a stratified random
    split (``train_val_split``, seeded by ``seed``).

    ``standardize=True`` scales every pixel to mean 0 and standard deviation 1, with the
    statistics of the training part only when splitting (of all returned images otherwise;
    rare pixels then reach values of about 40). ``standardize=False`` gives the raw pixel
    counts 0..16 as floats. ``X`` is float64 of shape ``(n, 64)``, ``y`` int64 of shape ``(n,)``.
    """
    images, target = _raw_digits()
    X, y = images.astype(np.float64), target.astype(np.int64)
    if classes is not None:
        classes = [int(c) for c in np.atleast_1d(np.asarray(classes))]
        bad = [c for c in classes if not 0 <= c <= 9]
        if bad or len(set(classes)) != len(classes) or not classes:
            raise ValueError(f"classes must be distinct digits in 0..9; got {classes}")
        keep = np.isin(y, classes)
        relabel = np.full(10, -1, dtype=np.int64)
        relabel[classes] = np.arange(len(classes))
        X, y = X[keep], relabel[y[keep]]
    if val_fraction is None:
        return (_standardize(X), y) if standardize else (X, y)
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction, seed)
    if standardize:
        X_train, X_val = _standardize(X_train, X_val)
    return X_train, y_train, X_val, y_val


_standardize = standardize


def minibatches(X, y, batch_size: int, seed=0, shuffle: bool = True, drop_last: bool = False):
    r"""Iterate over ``(X_batch, y_batch)`` pairs covering ``(X, y)`` once (one epoch).

    With ``shuffle`` the order is a random permutation drawn from ``seed`` (an integer: the
    same order every call; a ``np.random.Generator``: a new order each call, as for
    successive epochs). The last batch is smaller when ``batch_size`` does not divide
    ``len(X)``, unless ``drop_last``. ``y`` may be ``None`` (then only ``X_batch`` is yielded).
    """
    X = np.asarray(X)
    n = len(X)
    if y is not None:
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"X and y must have the same length; got {n} and {len(y)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not 1 <= batch_size:
        raise ValueError(f"batch_size must be a whole number >= 1; got {batch_size!r}")
    order = _rng(seed).permutation(n) if shuffle else None
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size] if shuffle else slice(start, start + batch_size)
        yield X[idx] if y is None else (X[idx], y[idx])


class Synthetic(NamedTuple):
    """A synthetic data set and the true parameters it was drawn from."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    b: np.ndarray | float


def synthetic_regression(n_samples: int = 256, n_features: int = 5, noise: float = 0.1, seed=0) -> Synthetic:
    r"""A linear-regression problem: ``y = X w + b + noise · ε``.

    ``X ~ N(0, 1)`` of shape ``(n_samples, n_features)``, true ``w ~ N(0, 1)`` and ``b ~ N(0, 1)``,
    ``ε ~ N(0, 1)``. Returns ``Synthetic(X, y, w, b)``; the least-squares fit recovers ``w``
    and ``b`` up to the noise."""
    _check_sizes(n_samples, n_features)
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0; got {noise!r}")
    rng = _rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    w, b = rng.normal(size=n_features), float(rng.normal())
    y = X @ w + b + noise * rng.normal(size=n_samples)
    return Synthetic(X, y, w, b)


def synthetic_classification(n_samples: int = 256, n_features: int = 2, n_classes: int = 2,
                             scale: float = 3.0, seed=0) -> Synthetic:
    r"""A (multinomial) logistic-regression problem with integer labels.

    ``X ~ N(0, 1)`` of shape ``(n_samples, n_features)``; true ``W`` of shape
    ``(n_features, n_classes)`` and ``b`` of shape ``(n_classes,)``, each entry
    ``N(0, scale²/n_features)`` and ``N(0, 1)``; each label is drawn from
    ``softmax(x W + b)`` (for two classes: ``P(y = 1) = σ(x (w₁ − w₀) + b₁ − b₀)``, logistic
    regression). A larger ``scale`` gives better separated classes. Returns
    ``Synthetic(X, y, W, b)`` with ``y`` int64 in ``0 … n_classes − 1``, ready for
    ``nn.softmax_cross_entropy``."""
    _check_sizes(n_samples, n_features)
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer) or n_classes < 2:
        raise ValueError(f"n_classes must be a whole number >= 2; got {n_classes!r}")
    if not scale >= 0:
        raise ValueError(f"scale must be >= 0; got {scale!r}")
    rng = _rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    W = rng.normal(0.0, scale / np.sqrt(n_features), (n_features, n_classes))
    b = rng.normal(size=n_classes)
    z = X @ W + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((n_samples, 1))
    y = np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), n_classes - 1).astype(np.int64)
    return Synthetic(X, y, W, b)


def _check_sizes(n_samples, n_features):
    for name, value in (("n_samples", n_samples), ("n_features", n_features)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {value!r}")
