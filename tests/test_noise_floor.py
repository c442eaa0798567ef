"""coursekit.noise: the cosine the variance implies, and the noise floor of constant-step SGD (chapter 2)."""

import numpy as np
import pytest

from coursekit import optim
from coursekit.noise import minibatch_gradient_noise, noise_floor, predicted_cosine, predicted_variance


def test_predicted_cosine_uses_the_finite_population_factor():
    rng = np.random.default_rng(0)
    G = rng.normal(size=(400, 50)) + 0.3
    full = G.mean(axis=0)
    bs = [50, 200, 350, 400]
    want = 1 / np.sqrt(1 + predicted_variance(G, bs) / (full @ full))
    np.testing.assert_allclose(predicted_cosine(G, bs), want)
    assert predicted_cosine(G, 400) == pytest.approx(1.0)              # B = N: the full gradient
    assert predicted_cosine(G, 350, replace=True) < predicted_cosine(G, 350)
    measured = minibatch_gradient_noise(G, bs[:-1], draws=400, seed=1).cosine
    np.testing.assert_allclose(measured, predicted_cosine(G, bs[:-1]), atol=0.02)


def test_noise_floor_formula_and_arguments():
    Sigma = np.diag([1.0, 2.0, 3.0])
    assert noise_floor(0.02, Sigma) == pytest.approx(0.02 * 6 / 4)
    assert noise_floor(0.005, Sigma, momentum=0.75) == pytest.approx(noise_floor(0.02, Sigma))
    for bad in (dict(lr=0.0), dict(lr=0.1, momentum=1.0), dict(lr=0.1, Sigma=np.ones(3))):
        with pytest.raises(ValueError):
            noise_floor(**{"lr": 0.1, "Sigma": Sigma, **bad})


@pytest.mark.parametrize("momentum", [0.0, 0.75])
def test_noise_floor_matches_simulated_sgd_on_a_quadratic(momentum):
    # x_{t+1} = x_t − α (H x_t + ξ_t) with Gaussian ξ of covariance Σ: the mean of ½ xᵀHx settles at α_eff tr Σ / 4
    H, Sigma = np.diag([0.5, 1.0, 2.0]), np.diag([1.0, 0.5, 2.0])
    lr = 0.01 * (1 - momentum)
    rng = np.random.default_rng(5)
    x = np.zeros((2000, 3))
    opt = optim.SGD([x], lr=lr, momentum=momentum)
    gaps = []
    for t in range(3000):
        opt.step([x @ H + rng.normal(size=x.shape) * np.sqrt(np.diag(Sigma))])
        if t >= 1000:
            gaps.append(0.5 * np.einsum("ri,ij,rj->r", x, H, x).mean())
    assert np.mean(gaps) == pytest.approx(noise_floor(lr, Sigma, momentum), rel=0.05)


def test_chapter2_plots_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from coursekit.plots.minibatch import (
        batch_size_curves,
        cosine_against_batch_size,
        minima_fraction,
        rate_sweep,
        variance_against_batch_size,
    )

    G = np.random.default_rng(0).normal(size=(40, 5)) + 0.5
    st = minibatch_gradient_noise(G, [1, 5, 40], draws=20, seed=0)
    fig, axes = plt.subplots(2, 3)
    batch_size_curves(axes[0, 0], axes[0, 1], [[1, 2], [1, 2]], [[0.1, 0.2], [0.1, 0.3]], [[1.0, 0.5], [1.0, 0.4]],
                      ["B = 1", "B = 10"])
    assert axes[0, 0].get_lines()[1].get_linestyle() == "--"
    lines = rate_sweep(axes[0, 2], [[0.1, 1.0]], [[0.5, 0.2]], ["SGD"], best=[1])
    assert len(lines) == 1 and len(axes[0, 2].get_lines()) == 2           # the line and its star
    bs = np.array([1, 5, 40])
    cosine_against_batch_size(axes[1, 0], {"measured": st}, {"predicted": (bs, predicted_cosine(G, bs))})
    variance_against_batch_size(axes[1, 1], st, st, bs, st.sigma2, predicted_variance(G, bs), 40)
    minima_fraction(axes[1, 2], [1, 2, 3], [0.5, 0.1, 0.0], [0.5, 0.25, 0.125], 100, ([1, 3], [0.5, 0.01]))
    plt.close(fig)
