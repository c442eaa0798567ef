"""Benchmark: the (α, γ) convergence-rate map of momentum, and the chapter 3–4 explorers.

1. The 256 × 256 map of chapter 3 (κ = 100, 400 steps) computed as ONE vectorised run
   (``momentum.rate_map``: x of shape (65536, 2), lr and momentum of shape (65536, 1)) against a
   Python loop that runs ``momentum.measured_rates`` once per grid point. The loop is timed on a
   random subsample of grid points and extrapolated to all 65 536 (it would take minutes); the
   subsample's rates are checked to equal the map's.
2. The in-kernel update of the explorers (update + blitting redraw, ``canvas.syncing_data_url =
   False`` as after the browser view has initialised), median over slider positions.

Run: ``python benchmarks/bench_momentum_map.py [--sample 256]``. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from coursekit import functions as F
from coursekit import optim
from coursekit.momentum import measured_rates, rate_map
from coursekit.widgets import TrajectoryExplorer, gamma_slider, lr_slider
from coursekit.widgets.adaptive import adaptive_explorer
from coursekit.widgets.momentum import RateMapExplorer, momentum_explorer


def bench_map(sample: int, steps: int = 400, n: int = 256, seed: int = 0):
    f = F.Quadratic.with_condition_number(100, L=1.0, angle=0.4)
    lrs, momenta = np.linspace(0, 4 / f.L, n + 1)[1:], np.linspace(0, 0.99, n)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        m = rate_map(f, lrs, momenta, steps=steps)
        times.append(time.perf_counter() - t0)
    t_vec = float(np.median(times))
    _, vecs = np.linalg.eigh(f.H)
    x0 = vecs.sum(axis=1)
    rng = np.random.default_rng(seed)
    picks = rng.choice(n * n, size=sample, replace=False)
    t0 = time.perf_counter()
    loop = [measured_rates(f, x0, lrs[k % n], momenta[k // n], steps) for k in picks]
    t_sub = time.perf_counter() - t0
    ref = m.rates.ravel()[picks]
    loop = np.array([float(r) for r in loop])
    same = np.all((loop == ref) | (np.isinf(loop) & np.isinf(ref)) | np.isclose(loop, ref, rtol=1e-12))
    t_loop = t_sub * (n * n) / sample
    return t_vec, t_sub, t_loop, same


def bench_explorer(ex, moves, n_warm=2):
    ex.canvas.syncing_data_url = False
    ex.redraw(full=True)
    for values in moves[:n_warm]:
        ex.update(**values)
        ex.redraw()
    compute, total = [], []
    for values in moves:
        t0 = time.perf_counter()
        ex.update(**values)
        t1 = time.perf_counter()
        ex.redraw()
        t2 = time.perf_counter()
        compute.append(t1 - t0)
        total.append(t2 - t0)
    return 1e3 * np.median(compute), 1e3 * np.median(total)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=256, help="grid points timed in the Python loop")
    args = ap.parse_args()

    t_vec, t_sub, t_loop, same = bench_map(args.sample)
    print("(α, γ) rate map, 256 × 256 = 65 536 grid points, 400 steps each, κ = 100")
    print(f"| {'method':58s} | {'time':>10s} |")
    print(f"|{'-' * 60}|{'-' * 12}|")
    print(f"| {'one vectorised run (x: (65536, 2), lr/momentum: (65536, 1))':58s} | {t_vec:8.2f} s |")
    print(f"| {f'Python loop, measured on {args.sample} random grid points':58s} | {t_sub:8.2f} s |")
    print(f"| {'Python loop, extrapolated to all 65 536 points':58s} | {t_loop:8.1f} s |")
    print(f"| {'speed-up (extrapolated loop / vectorised)':58s} | {t_loop / t_vec:8.0f} × |")
    print(f"loop rates equal the map's on the subsample: {bool(same)}")
    print()

    quad = F.Quadratic.with_condition_number(25, L=2.0, angle=0.5)
    lr_moves = [dict(lr=lr, gamma=0.8) for lr in np.geomspace(0.01, 0.9, 30)]
    rows = []
    traj = TrajectoryExplorer(quad, [-2.5, 2.0], [
        ("SGD", optim.SGD, lambda v: dict(lr=v["lr"])),
        ("momentum", optim.SGD, lambda v: dict(lr=v["lr"], momentum=v["gamma"])),
        ("Nesterov", optim.SGD, lambda v: dict(lr=v["lr"], momentum=v["gamma"], nesterov=True))],
        dict(lr=lr_slider(0.1, 1e-3, 2), gamma=gamma_slider(0.9)), steps=100)
    rows.append(("TrajectoryExplorer: 3 optimizers, 1 function, 100 steps", *bench_explorer(traj, lr_moves)))
    rows.append(("momentum_explorer: 3 optimizers × 3 functions, 100 steps",
                 *bench_explorer(momentum_explorer(), lr_moves)))
    rows.append(("RateMapExplorer: 1 run of 300 steps + map marker",
                 *bench_explorer(RateMapExplorer(), [dict(lr=lr, gamma=0.7) for lr in np.geomspace(0.1, 3.9, 30)])))
    rows.append(("adaptive_explorer: 8 optim. × 3 functions, 100 steps, lr",
                 *bench_explorer(adaptive_explorer(steps=100),
                                 [dict(lr=lr, beta=0.9) for lr in np.geomspace(0.001, 0.5, 30)])))
    rows.append(("adaptive_explorer, β₁/γ slider (4 of 8 runs recomputed)",
                 *bench_explorer(adaptive_explorer(steps=100),
                                 [dict(lr=0.05, beta=b) for b in np.linspace(0.5, 0.99, 30)])))
    print("explorer update in the kernel (median over 30 slider positions; syncing_data_url = False)")
    print(f"| {'explorer':58s} | {'compute':>9s} | {'+ redraw':>9s} |")
    print(f"|{'-' * 60}|{'-' * 11}|{'-' * 11}|")
    for name, c, t in rows:
        print(f"| {name:58s} | {c:6.1f} ms | {t:6.1f} ms |")


if __name__ == "__main__":
    main()
