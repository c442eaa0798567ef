r"""Gradient noise: how far a mini-batch gradient is from the full-batch gradient.

With ``N`` training examples and per-example gradients ``g_1, …, g_N`` (rows of ``G``), the
full-batch gradient is their mean ``ḡ`` and a mini-batch gradient is the mean over a random
batch ``S`` of ``B`` examples, ``g_S = (1/B) Σ_{i∈S} g_i``. It is unbiased, ``E[g_S] = ḡ``, and
its total variance (the trace of its covariance) is

- drawn **with** replacement: ``E‖g_S − ḡ‖² = σ² / B``;
- drawn **without** replacement (a batch of a shuffled epoch):
  ``E‖g_S − ḡ‖² = (σ² / B) · (N − B) / (N − 1)`` — the finite-population correction, which
  makes the variance exactly 0 at ``B = N``;

where ``σ² = (1/N) Σ_i ‖g_i − ḡ‖²`` is the spread of the per-example gradients.
``minibatch_gradient_noise`` measures both the variance and the cosine similarity of
``g_S`` to ``ḡ`` for many batch sizes; ``predicted_variance`` gives the formulas above and
``predicted_cosine`` the cosine they imply, ``1/√(1 + E‖g_S − ḡ‖²/‖ḡ‖²)``.

With a constant step, SGD on a quadratic does not converge but jitters around the minimum:
``noise_floor`` gives the stationary mean gap ``E[J − J*] ≈ α_eff · tr Σ / 4`` (small
``α_eff``), where ``Σ`` is the covariance of the mini-batch gradient at the minimum and
``α_eff = α / (1 − γ)`` for heavy-ball momentum ``γ`` (PyTorch's form).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["flatten", "per_example_gradients", "predicted_variance", "predicted_cosine", "noise_floor",
           "minibatch_gradient_noise", "NoiseStats"]


def flatten(arrays) -> np.ndarray:
    """A list of arrays (e.g. a model's gradients) as one 1-D float array."""
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])


def per_example_gradients(batch_gradient, n: int) -> np.ndarray:
    """The ``(n, P)`` matrix whose row ``i`` is the gradient on example ``i`` alone.

    ``batch_gradient(indices)`` returns the gradient of the loss averaged over the examples
    ``indices`` — one array or a list of arrays (flattened and concatenated here), e.g.
    ``lambda idx: (model.backward(loss_grad(idx)), model.gradients())[1]``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n (the number of examples) must be a whole number >= 1; got {n!r}")
    rows = []
    for i in range(n):
        g = batch_gradient(np.array([i]))
        rows.append(flatten(g if isinstance(g, list | tuple) else [g]))
    return np.stack(rows)


def _check_G(G) -> np.ndarray:
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or G.shape[0] < 2:
        raise ValueError(f"G must be a 2-D array (examples, parameters) with at least 2 rows; got shape {G.shape}")
    return G


def _check_batch_sizes(batch_sizes, n: int, replace: bool) -> np.ndarray:
    bs = np.atleast_1d(np.asarray(batch_sizes))
    if not np.issubdtype(bs.dtype, np.integer) or np.any(bs < 1) or (not replace and np.any(bs > n)):
        hi = "" if replace else f" and <= N = {n} (sampling without replacement)"
        raise ValueError(f"batch_sizes must be whole numbers >= 1{hi}; got {batch_sizes!r}")
    return bs


def predicted_variance(G, batch_sizes, replace: bool = False) -> np.ndarray:
    """``E‖g_S − ḡ‖²`` for batches of size ``B`` drawn from the rows of ``G``: ``σ²/B``
    with replacement, ``σ²/B · (N − B)/(N − 1)`` without (see the module docstring)."""
    G = _check_G(G)
    n = G.shape[0]
    bs = _check_batch_sizes(batch_sizes, n, replace).astype(float)
    sigma2 = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    out = sigma2 / bs
    if not replace:
        out = out * (n - bs) / (n - 1)
    return out if np.ndim(batch_sizes) else float(out[0])


def predicted_cosine(G, batch_sizes, replace: bool = False) -> np.ndarray:
    """The cosine of ``g_S`` to ``ḡ`` that the variance implies: ``1/√(1 + v/‖ḡ‖²)`` with ``v``
    from ``predicted_variance`` (so the finite-population factor is in it unless ``replace``).
    It treats the error ``g_S − ḡ`` as orthogonal to ``ḡ``, as it is on average in many
    dimensions. For tiny batches the measured mean cosine can lie above this value: it puts
    the mean squared error into one cosine, while ``1/‖g_S‖`` is convex, so the mean of the
    cosines over very unequal (heavy-tailed) batches is larger."""
    G = _check_G(G)
    full = G.mean(axis=0)
    v = np.asarray(predicted_variance(G, batch_sizes, replace))
    out = 1.0 / np.sqrt(1.0 + v / max(float(full @ full), np.finfo(float).tiny))
    return out if np.ndim(batch_sizes) else float(out)


def noise_floor(lr: float, Sigma, momentum: float = 0.0) -> float:
    """The stationary mean gap ``E[J − J*] ≈ (α_eff / 4) · tr Σ`` of constant-step SGD on a
    quadratic, for small ``α_eff = lr / (1 − momentum)``.

    ``Sigma`` is the covariance of the stochastic gradient at the minimum (a square matrix).
    Derivation: with ``x_{t+1} = x_t − α (H x_t + ξ_t)``, ``Cov ξ = Σ``, the stationary
    covariance ``P`` solves ``P = (I − αH) P (I − αH) + α² Σ``; to first order in ``α``,
    ``HP + PH = α Σ``, so ``E[J − J*] = ½ tr(HP) = α tr Σ / 4`` — whatever ``H`` is.
    """
    Sigma = np.asarray(Sigma, dtype=float)
    if Sigma.ndim != 2 or Sigma.shape[0] != Sigma.shape[1]:
        raise ValueError(f"Sigma must be a square matrix; got shape {Sigma.shape}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
    return float(lr / (1 - momentum) * np.trace(Sigma) / 4)


@dataclass
class NoiseStats:
    """What ``minibatch_gradient_noise`` measures, one entry per batch size.

    ``variance[k]``: mean of ``‖g_S − ḡ‖²`` over the draws for ``batch_sizes[k]``
    (``variance_se`` its standard error); ``cosine[k]``: mean cosine similarity of ``g_S`` to
    ``ḡ`` (``cosine_std`` its spread over draws); ``sigma2``: ``(1/N) Σ‖g_i − ḡ‖²``;
    ``full``: ``ḡ``; ``n``: ``N``; ``replace``: how batches were drawn.
    """

    batch_sizes: np.ndarray
    variance: np.ndarray
    variance_se: np.ndarray
    cosine: np.ndarray
    cosine_std: np.ndarray
    sigma2: float
    full: np.ndarray
    n: int
    replace: bool


def minibatch_gradient_noise(G, batch_sizes, draws: int = 200, seed=0, replace: bool = False) -> NoiseStats:
    """Measure the noise of mini-batch gradients built from the per-example gradients ``G``
    (shape ``(N, P)``): for each batch size draw ``draws`` random batches (``replace=False``:
    distinct examples, as in one shuffled epoch), average their rows, and compare with the
    full-batch mean. ``seed`` is an int or a NumPy ``Generator``."""
    G = _check_G(G)
    n = G.shape[0]
    bs = _check_batch_sizes(batch_sizes, n, replace)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise ValueError(f"draws must be a whole number >= 2; got {draws!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    full = G.mean(axis=0)
    full_norm = np.linalg.norm(full)
    var, se, cos, cos_std = [], [], [], []
    rows = np.arange(draws)[:, None]
    for B in bs:
        if replace:
            idx = rng.integers(0, n, size=(draws, B))
        else:
            keys = rng.random((draws, n))  # the B smallest keys of a row: a uniform random B-subset
            idx = np.argpartition(keys, B - 1, axis=1)[:, :B] if B < n else np.tile(np.arange(n), (draws, 1))
        if B * G.shape[1] <= 2 * n * 64:  # small batches: average the rows directly, in chunks
            chunk = max(1, 4_000_000 // (B * G.shape[1]))
            gS = np.concatenate([G[idx[i:i + chunk]].mean(axis=1) for i in range(0, draws, chunk)])
        else:  # large batches: one matrix product with the batch-averaging weights
            weights = np.zeros((draws, n))
            np.add.at(weights, (np.broadcast_to(rows, idx.shape), idx), 1.0 / B)  # a row sums to 1
            gS = weights @ G
        sq = np.sum((gS - full) ** 2, axis=1)
        c = gS @ full / np.maximum(np.linalg.norm(gS, axis=1) * full_norm, np.finfo(float).tiny)
        var.append(sq.mean())
        se.append(sq.std(ddof=1) / np.sqrt(draws))
        cos.append(c.mean())
        cos_std.append(c.std(ddof=1))
    sigma2 = float(np.mean(np.sum((G - full) ** 2, axis=1)))
    return NoiseStats(bs, np.array(var), np.array(se), np.array(cos), np.array(cos_std), sigma2, full, n, replace)
