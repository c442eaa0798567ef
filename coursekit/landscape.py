r"""Critical points in many dimensions: why saddles outnumber local minima.

At a critical point (``∇f = 0``) the Hessian decides: all eigenvalues positive — a local
minimum; all negative — a maximum; mixed signs — a saddle. A crude model of a critical point
of a high-dimensional loss is a *random* symmetric Hessian. If each eigenvalue's sign were a
fair coin, a minimum would have probability ``2^-d``; eigenvalues of random symmetric
matrices repel each other, so the real probability falls even faster, like
``exp(-θ d²)`` (Dean & Majumdar 2006: ``θ = ln 3 / 4`` for the Gaussian orthogonal ensemble).
"""

from __future__ import annotations

import numpy as np

__all__ = ["random_symmetric", "hessian_signature_stats"]


def random_symmetric(d: int, samples: int, seed=0) -> np.ndarray:
    """``samples`` random symmetric ``d × d`` matrices of the Gaussian orthogonal ensemble,
    ``(M + Mᵀ) / 2`` with ``M`` standard normal; shape ``(samples, d, d)``."""
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
        raise ValueError(f"d (the dimension) must be a whole number >= 1; got {d!r}")
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise ValueError(f"samples must be a whole number >= 1; got {samples!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    M = rng.standard_normal((samples, d, d))
    return (M + np.swapaxes(M, 1, 2)) / 2


def hessian_signature_stats(dims, samples: int = 20000, seed=0) -> dict:
    """For each dimension ``d`` in ``dims``, sample random symmetric Hessians and count how
    many are positive definite (a local minimum), negative definite (a maximum) or indefinite
    (a saddle). Returns arrays by key: ``dims``, ``minima``, ``maxima``, ``saddles`` (counts),
    ``fraction_minima`` and ``coin_flip`` (``2^-d``, the independent-signs guess)."""
    dims = np.atleast_1d(np.asarray(dims))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    minima, maxima = [], []
    for d in dims:
        eig = np.linalg.eigvalsh(random_symmetric(int(d), samples, rng))
        minima.append(int(np.sum(eig[:, 0] > 0)))
        maxima.append(int(np.sum(eig[:, -1] < 0)))
    minima, maxima = np.array(minima), np.array(maxima)
    return {
        "dims": dims,
        "samples": samples,
        "minima": minima,
        "maxima": maxima,
        "saddles": samples - minima - maxima,
        "fraction_minima": minima / samples,
        "coin_flip": 0.5 ** dims.astype(float),
    }
