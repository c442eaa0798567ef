"""coursekit.problems.run_minibatch as a sweep: k copies, array hyperparameters, same batches."""

import numpy as np
import pytest

from coursekit import optim
from coursekit.problems import LinearRegression, run_minibatch


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adagrad])
def test_a_sweep_equals_the_single_runs(cls):
    P = LinearRegression.sparse_features(n_samples=300, seed=3)
    rates = np.array([0.05, 0.2, 0.5])
    sweep = run_minibatch(P, cls, 60, batch_size=10, seed=4, w0=np.zeros((3, P.dim)), lr=rates[:, None])
    assert sweep.weights.shape == (61, 3, P.dim) and sweep.losses.shape == (61, 3)
    for i, lr in enumerate(rates):
        one = run_minibatch(P, cls, 60, batch_size=10, seed=4, lr=lr)
        np.testing.assert_allclose(sweep.weights[:, i], one.weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(sweep.losses[:, i], one.losses, rtol=1e-12, atol=1e-14)


def test_a_diverging_copy_is_inf_or_nan_without_warnings():
    P = LinearRegression.sparse_features(n_samples=300, seed=3)
    with np.errstate(all="raise"):   # a warning would raise here
        sweep = run_minibatch(P, optim.SGD, 300, batch_size=10, seed=4, w0=np.zeros((2, P.dim)),
                              lr=np.array([[0.1], [5.0]]))
    assert np.isfinite(sweep.losses[-1, 0]) and not np.isfinite(sweep.losses[-1, 1])


def test_w0_of_the_wrong_width_is_refused():
    P = LinearRegression.sparse_features(n_samples=100, seed=3)
    with pytest.raises(ValueError, match="w0"):
        run_minibatch(P, optim.SGD, 5, w0=np.zeros(P.dim + 1), lr=0.1)
