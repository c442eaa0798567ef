"""Explorers of chapters 3–4 (momentum, adaptive methods) and the heat-map plot.

Each explorer test drives ``update`` with several slider values and checks that the drawn
artist data changed and equals what coursekit's public API (``train.minimize``) computes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from coursekit import functions as F
from coursekit import optim
from coursekit.plots.heatmap import rate_heatmap
from coursekit.train import minimize
from coursekit.widgets.adaptive import adaptive_explorer
from coursekit.widgets.momentum import RateMapExplorer, momentum_explorer


def _line_xy(line):
    x, y = line.get_data()
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])


def _same(drawn, expected):
    n = len(expected)
    np.testing.assert_allclose(drawn[:n], expected, rtol=1e-10, atol=1e-12)
    assert np.all(np.isnan(drawn[n:]))  # after a divergence the batched run holds NaN


CH3_PANELS = [
    (F.Quadratic.with_condition_number(25, L=2.0, angle=0.5), (-2.5, 2.0)),
    (F.Saddle(), (-1.8, 0.01)),
    (F.LocalMinimum2D(), (3.2, 2.6)),
]


def test_momentum_explorer_draws_sgd_momentum_nesterov_runs():
    ex = momentum_explorer(steps=60)
    previous = None
    for lr, gamma in [(0.05, 0.9), (0.2, 0.5), (0.01, 0.0), (0.9, 0.95)]:
        assert ex.update(lr=lr, gamma=gamma) is False
        ex.redraw()
        drawn = [[_line_xy(line) for line in row] for row in ex.lines]
        for k, (f, start) in enumerate(CH3_PANELS):
            expected = [
                minimize(f, start, optim.SGD, 60, lr=lr).points,
                minimize(f, start, optim.SGD, 60, lr=lr, momentum=gamma).points if gamma > 0
                else minimize(f, start, optim.SGD, 60, lr=lr).points,
                minimize(f, start, optim.SGD, 60, lr=lr, momentum=gamma, nesterov=True).points if gamma > 0
                else minimize(f, start, optim.SGD, 60, lr=lr).points,
            ]
            for r, exp in enumerate(expected):
                _same(drawn[k][r], exp)
        if previous is not None:
            assert not np.allclose(np.nan_to_num(drawn[0][1]), np.nan_to_num(previous[0][1]))
        previous = drawn
    assert "f after 60 steps" in ex.info.value


def test_momentum_explorer_at_gamma_zero_all_three_are_sgd():
    ex = momentum_explorer(steps=10)
    ex.update(lr=0.1, gamma=0.0)
    for row in ex.lines:
        np.testing.assert_array_equal(_line_xy(row[0]), _line_xy(row[1]))
        np.testing.assert_array_equal(_line_xy(row[0]), _line_xy(row[2]))


def test_momentum_explorer_lr_slider_reaches_every_divergence_edge():
    ex = momentum_explorer(steps=10)
    lr = ex.controls["lr"]
    top = 10 ** lr.max
    # SGD 2/L = 1, Nesterov (1 + γ)/(1 + 2γ) <= 1, momentum 1 + γ up to 1.99 (L = 2)
    assert top >= 1.99 and 10 ** lr.min <= 1e-3


def test_rate_map_explorer_opens_inside_the_valley_next_to_the_optimum():
    from coursekit.momentum import heavy_ball_rate, predicted_rate

    ex = RateMapExplorer(n=16, steps=60)
    v = ex.values()
    rate = float(heavy_ball_rate(v["lr"], v["gamma"], ex.f.eigenvalues))
    assert rate < predicted_rate(ex.f.mu, ex.f.L) + 0.01  # converges, almost at the best rate
    assert v["lr"] < 2 * (1 + v["gamma"]) / ex.f.L  # left of the divergence edge
    assert abs(v["lr"] - ex.alpha_star) < 0.2 and abs(v["gamma"] - ex.gamma_star) < 0.02


def test_rate_map_explorer_marker_and_run():
    f = F.Quadratic.with_condition_number(100, L=1.0, angle=0.4, bounds=((-2.5, 2.5), (-2.5, 2.5)))
    ex = RateMapExplorer(n=32, steps=120)
    assert ex.map.rates.shape == (32, 32)
    seen = []
    for lr, gamma in [(3.3, 0.67), (1.0, 0.9), (0.3, 0.0)]:
        ex.update(lr=lr, gamma=gamma)
        ex.redraw()
        np.testing.assert_allclose(np.ravel(ex.marker.get_data()), [lr, gamma])
        exp = minimize(f, [2.0, 1.0], optim.SGD, 120, lr=lr, momentum=gamma).points
        np.testing.assert_allclose(_line_xy(ex.line), exp, rtol=1e-12)
        seen.append(_line_xy(ex.line)[-1])
        assert f"γ = {gamma:.2f}" in ex.note.get_text()
    assert not np.allclose(seen[0], seen[1])


ADAPTIVE = [
    (optim.SGD, lambda lr, b: dict(lr=lr, momentum=b)),
    (optim.Adagrad, lambda lr, b: dict(lr=lr)),
    (optim.RMSprop, lambda lr, b: dict(lr=lr)),
    (optim.Adadelta, lambda lr, b: dict(lr=1.0)),
    (optim.Adam, lambda lr, b: dict(lr=lr, betas=(b, 0.999))),
    (optim.AdamW, lambda lr, b: dict(lr=lr, betas=(b, 0.999), weight_decay=0.01)),
    (optim.NAdam, lambda lr, b: dict(lr=lr, betas=(b, 0.999))),
    (optim.Rprop, lambda lr, b: dict(lr=lr)),
]
CH4_PANELS = [(F.Beale(), (1.0, 1.5)), (F.Rosenbrock(), (-1.5, 2.5)), (F.Saddle(), (-1.8, 0.01))]


def test_adaptive_explorer_draws_all_eight_optimizers():
    ex = adaptive_explorer(steps=40)
    assert len(ex.lines) == 3 and all(len(row) == 8 for row in ex.lines)
    before = None
    for lr, beta in [(0.05, 0.9), (0.003, 0.5), (0.3, 0.99)]:
        ex.update(lr=lr, beta=beta)
        ex.redraw()
        for k, (f, start) in enumerate(CH4_PANELS):
            for r, (cls, hyper) in enumerate(ADAPTIVE):
                _same(_line_xy(ex.lines[k][r]), minimize(f, start, cls, 40, **hyper(lr, beta)).points)
        adam_on_beale = _line_xy(ex.lines[0][4])
        if before is not None:
            assert not np.allclose(adam_on_beale, before)
        before = adam_on_beale


def test_adaptive_explorer_beta_move_reuses_unchanged_runs_and_updates_the_others():
    ex = adaptive_explorer(steps=30)
    ex.update(lr=0.02, beta=0.9)
    adagrad = [_line_xy(ex.lines[k][1]).copy() for k in range(3)]
    ex.update(lr=0.02, beta=0.6)
    for k, (f, start) in enumerate(CH4_PANELS):
        np.testing.assert_array_equal(_line_xy(ex.lines[k][1]), adagrad[k])
        for r, (cls, hyper) in enumerate(ADAPTIVE):
            _same(_line_xy(ex.lines[k][r]), minimize(f, start, cls, 30, **hyper(0.02, 0.6)).points)
    np.testing.assert_array_equal(np.isnan(ex.points[-1, :, :, 0]), ex.diverged_at >= 0)


def test_rate_heatmap_masks_divergent_points():
    fig, ax = plt.subplots()
    xs, ys = np.linspace(0.1, 1, 5), np.linspace(0, 0.9, 4)
    rates = np.full((4, 5), 0.9)
    rates[0, 0] = np.inf
    rates[1, 1] = 1.5
    im = rate_heatmap(ax, xs, ys, rates, optimum=(0.5, 0.5), best=(0.3, 0.3))
    data = im.get_array()
    assert data.mask[0, 0] and data.mask[1, 1] and not data.mask[2, 2]
    assert ax.get_xlabel().startswith("learning rate")
    plt.close(fig)
