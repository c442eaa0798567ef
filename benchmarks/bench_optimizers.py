"""Benchmark: one optimizer step on 1M and 10M float64 parameters, coursekit vs torch.optim.

Adam and SGD with momentum, one parameter array of ``n`` elements, the same gradient every
step. Each step is timed alone; the median over ``--steps`` steps after ``--warmup`` steps is
reported, for ``coursekit.optim`` and for ``torch.optim`` with ``foreach=True`` on the CPU
(torch's default number of threads, printed). At 10M parameters the step is also expressed as
memory traffic: an ideal step moves

- Adam: read p, g, m, v and write p, m, v  = 7 × 8 bytes per element,
- SGD with momentum: read p, g, v and write p, v = 5 × 8 bytes per element,

and that many bytes per second is compared with the bandwidth of a large NumPy copy
(``np.copyto``, read + write = 2 × 8 bytes per element, one thread) measured in the same run
(a torch ``copy_`` with torch's threads is shown too). Torch rows are skipped, with a note,
when torch is not importable.

Run: ``python benchmarks/bench_optimizers.py [--sizes 1e6,1e7] [--steps 15]``. Prints a table;
``rows()`` gives the rows for ``benchmarks/run_all.py``. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from coursekit import optim

BYTES_PER_ELEMENT = {"Adam": 7 * 8, "SGD-momentum": 5 * 8}


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _median_time(step, steps: int, warmup: int) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(n)


def time_coursekit(kind: str, n: int, steps: int, warmup: int) -> float:
    p, g = _data(n)
    opt = optim.Adam([p], lr=1e-3) if kind == "Adam" else optim.SGD([p], lr=1e-3, momentum=0.9)
    return _median_time(lambda: opt.step([g]), steps, warmup)


def time_torch(kind: str, n: int, steps: int, warmup: int) -> float | None:
    torch = _torch()
    if torch is None:
        return None
    p0, g0 = _data(n)
    p = torch.from_numpy(p0).requires_grad_(True)
    p.grad = torch.from_numpy(g0)
    opt = (torch.optim.Adam([p], lr=1e-3, foreach=True) if kind == "Adam"
           else torch.optim.SGD([p], lr=1e-3, momentum=0.9, foreach=True))
    return _median_time(opt.step, steps, warmup)


def copy_bandwidth(n: int = 32_000_000, repeats: int = 7) -> dict:
    """Bytes per second of a large copy (read + write, 2 × 8 bytes per float64 element):
    NumPy (one thread) and, if available, torch's ``copy_`` (its threads)."""
    src = np.random.default_rng(1).standard_normal(n)
    dst = np.empty_like(src)
    t = _median_time(lambda: np.copyto(dst, src), repeats, 2)
    out = {"numpy": 2 * 8 * n / t, "n": n}  # (src and dst are freed when this returns)
    torch = _torch()
    if torch is not None:
        ts, td = torch.from_numpy(src), torch.from_numpy(dst)
        out["torch"] = 2 * 8 * n / _median_time(lambda: td.copy_(ts), repeats, 2)
    return out


def measure(sizes=(1_000_000, 10_000_000), steps: int | None = None, warmup: int = 3) -> dict:
    torch = _torch()
    res = {"threads": torch.get_num_threads() if torch else None,
           "torch": torch.__version__ if torch else None, "numpy": np.__version__, "rows": []}
    res["bandwidth"] = copy_bandwidth()
    for n in sizes:
        k = steps or (40 if n <= 2_000_000 else 15)
        for kind in ("Adam", "SGD-momentum"):
            ck = time_coursekit(kind, n, k, warmup)
            th = time_torch(kind, n, k, warmup)
            res["rows"].append({"kind": kind, "n": n, "coursekit": ck, "torch": th, "steps": k,
                                "bytes": BYTES_PER_ELEMENT[kind] * n})
    return res


def _fmt_n(n: int) -> str:
    return f"{n / 1e6:g}M"


def table(res: dict) -> str:
    bw = res["bandwidth"]
    lines = [f"Optimizer step, float64, median of repeated steps after warm-up; torch.optim foreach=True, "
             f"{res['threads']} threads (torch {res['torch']})" if res["torch"] else
             "Optimizer step, float64 (torch not installed: torch rows skipped)",
             f"Memory bandwidth anchor: NumPy copy of {bw['n'] / 1e6:g}M float64 = "
             f"{bw['numpy'] / 1e9:.1f} GB/s (1 thread)"
             + (f"; torch copy_ = {bw['torch'] / 1e9:.1f} GB/s ({res['threads']} threads)" if "torch" in bw else ""),
             "",
             "| step | params | coursekit | torch.optim | coursekit / torch | coursekit GB/s (% of copy) "
             "| torch GB/s (% of copy) |",
             "|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        ck, th = r["coursekit"], r["torch"]
        ratio = f"{ck / th:.2f}×" if th else "—"
        big = r["n"] >= 10_000_000
        ck_bw = f"{r['bytes'] / ck / 1e9:.1f} ({100 * r['bytes'] / ck / bw['numpy']:.0f} %)" if big else ""
        th_bw = f"{r['bytes'] / th / 1e9:.1f} ({100 * r['bytes'] / th / bw['numpy']:.0f} %)" if big and th else ""
        lines.append(f"| {r['kind']} | {_fmt_n(r['n'])} | {1e3 * ck:.2f} ms | "
                     f"{f'{1e3 * th:.2f} ms' if th else 'not measured: torch missing'} | {ratio} | {ck_bw} | {th_bw} |")
    lines.append("")
    lines.append("Ideal traffic per element: Adam 7 × 8 B (read p, g, m, v; write p, m, v), SGD-momentum 5 × 8 B "
                 "(read p, g, v; write p, v); % is of the NumPy copy bandwidth.")
    return "\n".join(lines)


def rows(res: dict | None = None) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: each step against torch.optim, measured in this run."""
    res = res or measure()
    bw = res["bandwidth"]
    out = []
    for r in res["rows"]:
        ck, th = r["coursekit"], r["torch"]
        note = ""
        if r["n"] >= 10_000_000:
            note = (f"{r['bytes'] / ck / 1e9:.1f} GB/s = {100 * r['bytes'] / ck / bw['numpy']:.0f} % of a NumPy copy "
                    f"({bw['numpy'] / 1e9:.1f} GB/s)")
            if th:
                note += f"; torch {100 * r['bytes'] / th / bw['numpy']:.0f} %"
        if th:
            note = (note + "; " if note else "") + f"torch {res['threads']} threads, foreach=True"
        out.append({"name": f"{r['kind']} step, {_fmt_n(r['n'])} float64 params",
                    "value": f"{1e3 * ck:.2f} ms",
                    "anchor": f"torch.optim {1e3 * th:.2f} ms" if th else "not measured: torch missing",
                    "ratio": f"{ck / th:.2f}×" if th else "",
                    "target": "", "note": note})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="comma-separated parameter counts")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default 40 at 1M, 15 at 10M)")
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    print(table(measure(sizes, args.steps, args.warmup)))


if __name__ == "__main__":
    main()
