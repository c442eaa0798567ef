"""Every chapter's explorers in the kernel: one slider move = ``update`` (recompute) + ``redraw``.

    python benchmarks/bench_explorers.py [--moves 20]

Each explorer is built as its chapter builds it, then its learning-rate slider (or its main
slider, where it has no learning rate) is moved across its range; a move is timed from the
call to ``update`` to the end of ``redraw`` (blit of the dynamic artists, as a slider move
does in the notebook), with the canvas in the state it is in once the browser has displayed
it (``syncing_data_url = False``). The table gives the median and the slowest move, and the
anchor: one full re-render of the same figure (``redraw(full=True)``), what a figure rebuilt
per move would cost at least.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402


def _digits(n_train=None, n_val=None):
    from coursekit import data

    X, y, Xv, yv = data.load_digits(val_fraction=0.2, seed=0)
    return X[:n_train], y[:n_train], Xv[:n_val], yv[:n_val]


def _ch1_step_size():
    from coursekit.widgets.descent import StepSizeExplorer

    return StepSizeExplorer()


def _ch1_direction():
    from coursekit import functions as F
    from coursekit.widgets.direction import DirectionExplorer

    return DirectionExplorer(F.Quadratic.from_coefficients([1.0, 2.0]), np.array([1.0, 1.0]))


def _ch2_ill_conditioned():
    from coursekit import functions as F
    from coursekit import optim
    from coursekit.widgets import TrajectoryExplorer, lr_slider

    tilted = F.Quadratic.with_condition_number(25, L=2.0, angle=np.pi / 6)
    return TrajectoryExplorer(tilted, [-2.5, 2.0], [("SGD", optim.SGD, lambda v: dict(lr=v["lr"]))],
                              dict(lr=lr_slider(0.9, 0.01, 1.2)), steps=100)


def _ch2_minibatch():
    from coursekit.widgets.minibatch import MinibatchExplorer

    X, y, _, _ = _digits()
    return MinibatchExplorer(X, y)


def _ch3_momentum():
    from coursekit.widgets.momentum import momentum_explorer

    return momentum_explorer(lr=0.05, gamma=0.9)


def _ch3_rate_map():
    from coursekit.widgets.momentum import RateMapExplorer

    return RateMapExplorer()


def _ch4_adaptive():
    from coursekit.widgets.adaptive import adaptive_explorer

    return adaptive_explorer(lr=0.05, beta=0.9)


def _ch5_schedule():
    from coursekit import data
    from coursekit.widgets.schedule import ScheduleExplorer

    X, y, Xv, yv = data.load_digits(val_fraction=1 / 3, seed=0)
    X, Xv = X.astype(np.float32), Xv.astype(np.float32)
    return ScheduleExplorer((X[:300], y[:300]), (Xv, yv), epochs=8, batch_size=50)


def _ch6_gradient_norms():
    from coursekit.widgets.depth import GradientNormExplorer

    X, y, _, _ = _digits()
    return GradientNormExplorer(X[:256], y[:256], max_depth=20)


def _ch7_normalization():
    from coursekit.widgets.depth import NormalizationExplorer

    X, y, Xv, yv = _digits()
    return NormalizationExplorer((X[:240], y[:240]), (Xv[:200], yv[:200]), activation="sigmoid",
                                 max_depth=16, epochs=3, batch_size=24, lr=1.0, depth=10)


#: (chapter, explorer, factory); the first of each chapter is its main explorer.
EXPLORERS = [
    (1, "StepSizeExplorer", _ch1_step_size),
    (1, "DirectionExplorer", _ch1_direction),
    (2, "TrajectoryExplorer (ill-conditioned quadratic)", _ch2_ill_conditioned),
    (2, "MinibatchExplorer (digits)", _ch2_minibatch),
    (3, "momentum_explorer (3 functions x 3 optimizers)", _ch3_momentum),
    (3, "RateMapExplorer", _ch3_rate_map),
    (4, "adaptive_explorer (3 functions x 8 optimizers)", _ch4_adaptive),
    (5, "ScheduleExplorer", _ch5_schedule),
    (6, "GradientNormExplorer", _ch6_gradient_norms),
    (7, "NormalizationExplorer (4 networks trained)", _ch7_normalization),
]


def slider_values(control, moves: int) -> tuple[str, list]:
    """``moves`` values across a slider's range (log-spaced for a log slider)."""
    import ipywidgets as W

    if isinstance(control, W.FloatLogSlider):
        lo, hi = control.base**control.min, control.base**control.max
        return "log", list(np.geomspace(lo * 1.01, hi * 0.99, moves))
    if isinstance(control, W.SelectionSlider):
        options = list(control.options)
        idx = np.linspace(0, len(options) - 1, moves).round().astype(int)
        return "options", [options[i][1] if isinstance(options[i], tuple) else options[i] for i in idx]
    return "linear", list(np.linspace(control.min, control.max, moves))


def measure_one(explorer, moves: int) -> dict:
    """Median and slowest slider move (update + blit) and one full redraw, in seconds."""
    explorer.canvas.syncing_data_url = False
    explorer.redraw(full=True)
    name = "lr" if "lr" in explorer.controls else next(iter(explorer.controls))
    _, values = slider_values(explorer.controls[name], moves)
    base = explorer.values()
    times = []
    for value in values:
        start = time.perf_counter()
        full = explorer.update(**{**base, name: value})
        explorer.redraw(full=bool(full))
        times.append(time.perf_counter() - start)
    full_times = []
    for _ in range(3):
        start = time.perf_counter()
        explorer.redraw(full=True)
        full_times.append(time.perf_counter() - start)
    return {"slider": name, "median": float(np.median(times)), "max": float(np.max(times)),
            "full": float(np.median(full_times))}


def measure(moves: int = 20) -> list[dict]:
    out = []
    for chapter, label, factory in EXPLORERS:
        try:
            explorer = factory()
        except Exception as exc:  # a chapter's explorer missing or broken: a row says so
            out.append({"chapter": chapter, "label": label, "error": f"{type(exc).__name__}: {exc}"})
            continue
        out.append({"chapter": chapter, "label": label, **measure_one(explorer, moves)})
    return out


def rows(results: list[dict] | None = None) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``."""
    out = []
    for r in results or measure():
        name = f"ch. {r['chapter']} {r['label']}: slider move, in kernel"
        if "error" in r:
            out.append({"name": name, "value": "not measured", "note": r["error"]})
            continue
        out.append({"name": name, "value": f"{1e3 * r['median']:.1f} ms",
                    "anchor": f"full re-render {1e3 * r['full']:.1f} ms",
                    "ratio": f"{r['median'] / r['full']:.2f}×",
                    "target": "≤ 30 ms",
                    "note": f"median of moves of '{r['slider']}'; slowest {1e3 * r['max']:.1f} ms"})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20, help="slider positions per explorer (default 20)")
    args = parser.parse_args()
    results = measure(args.moves)
    print(f"{'ch':>2}  {'explorer':<48} {'slider':<10} {'median ms':>9} {'max ms':>8} {'full ms':>8}")
    for r in results:
        if "error" in r:
            print(f"{r['chapter']:>2}  {r['label']:<48} not measured: {r['error']}")
        else:
            print(f"{r['chapter']:>2}  {r['label']:<48} {r['slider']:<10} {1e3 * r['median']:9.1f} "
                  f"{1e3 * r['max']:8.1f} {1e3 * r['full']:8.1f}")


if __name__ == "__main__":
    main()
