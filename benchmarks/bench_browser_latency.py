"""Benchmark: slider key press → changed figure pixels, in JupyterLab in headless Chromium.

The measurement is part of the browser tests (``tests/browser/test_explorers.py``): for each
chapter's main explorer (the first explorer in the notebook) it presses an arrow key on the
learning-rate slider's handle 12 times (6 one way, 6 back) and times each press from the
``keydown`` event in the page to the ``drawImage`` that changed the canvas pixels. A probe in
the kernel (an IPython startup file, see ``tests/browser/jlab.py``) splits each press into

- ``to_kernel``: key event → the kernel's slider callback starts (front-end, websocket, server),
- ``compute``: the explorer's ``update`` (recompute the data),
- ``redraw``: restore the background, draw the dynamic artists, diff the frame, send,
- ``png_encode``: encoding the diff PNG (part of the redraw, shown apart),
- ``to_pixels``: the callback ends → the canvas shows the new pixels (transport, PNG decode,
  ``drawImage``).

The tests write ``tests/browser/output/results.json``. This script runs them for the chapters
(``--run``, the default when no results exist) and prints the table; ``rows()`` only reads
the results file (``benchmarks/run_all.py`` runs the test suite first).

Run: ``python benchmarks/bench_browser_latency.py [--run] [-k 03_momentum]``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("COURSEKIT_BROWSER_OUTPUT", ROOT / "tests" / "browser" / "output")) / "results.json"
TARGET_MS = 100.0


def load(path: Path = RESULTS) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def run_tests(k: str | None = None) -> int:
    env = dict(os.environ, COURSEKIT_BROWSER_TESTS="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser"]
    if k:
        cmd += ["-k", k]
    return subprocess.call(cmd, cwd=ROOT, env=env)


def table(results: dict) -> str:
    lines = ["| notebook | main explorer slider | key → pixels: median (min–max), n | to kernel | compute | redraw "
             "| PNG encode (size) | kernel → pixels (transport + decode/draw) | sliders checked | measured |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    nan = float("nan")
    for name, e in sorted(results.items()):
        lat = e.get("latency") or {}
        b = lat.get("breakdown_median_ms") or {}
        if lat.get("median_ms") is None:
            continue
        lines.append(
            f"| {name} | {lat.get('slider', '')} | {lat['median_ms']:.0f} ms "
            f"({lat['min_ms']:.0f}–{lat['max_ms']:.0f}), {lat['moves']} | {b.get('to_kernel', nan):.0f} | "
            f"{b.get('compute', nan):.0f} | {b.get('redraw', nan):.0f} | "
            f"{b.get('png_encode', nan):.0f} ({lat.get('png_bytes_median', 0) / 1e3:.1f} kB) | "
            f"{b.get('to_pixels', nan):.0f} ({b.get('transport', nan):.0f} + {b.get('decode_draw', nan):.0f}) | "
            f"{len(e.get('sliders', []))} | {e.get('when', '')} |")
    lines.append(f"(ms, medians over the presses; target ≤ {TARGET_MS:.0f} ms from key to pixels)")
    return "\n".join(lines)


def rows(results: dict | None = None, since: float | None = None) -> list[dict]:
    """One row per notebook: the median key → pixels time, anchored on the in-kernel callback
    time (compute + redraw) measured for the same presses. ``since`` (epoch seconds): results
    older than that are flagged as from an earlier run."""
    results = load() if results is None else results
    if not results:
        return [{"name": "browser: slider → pixels", "value": "not measured: no tests/browser/output/results.json "
                 "(browser tests skipped or not run; see tests/browser/conftest.py)"}]
    out = []
    for name, e in sorted(results.items()):
        lat = e.get("latency") or {}
        if lat.get("median_ms") is None:
            continue
        b = lat.get("breakdown_median_ms") or {}
        kernel = b.get("compute", 0) + b.get("redraw", 0) + b.get("png_encode", 0)
        stale = f" (tests/browser/output, {e.get('when', '?')})"
        if since is not None:
            try:
                stale = "" if time.mktime(time.strptime(e["when"], "%Y-%m-%d %H:%M:%S")) >= since - 1 else \
                    f" (from an earlier run, {e['when']})"
            except (KeyError, ValueError):
                stale = " (date unknown)"
        nb = name.removesuffix(".ipynb")
        out.append({"name": f"browser: {nb} main explorer, {lat.get('slider', '')} key → pixels",
                    "value": f"{lat['median_ms']:.0f} ms",
                    "anchor": f"in-kernel callback {kernel:.0f} ms (compute {b.get('compute', 0):.0f} + redraw "
                              f"{b.get('redraw', 0):.0f} + PNG {b.get('png_encode', 0):.0f})" if b else "",
                    "ratio": f"{lat['median_ms'] / kernel:.1f}×" if kernel else "",
                    "target": f"≤ {TARGET_MS:.0f} ms",
                    "note": f"median of {lat['moves']}; to kernel {b.get('to_kernel', 0):.0f} ms, kernel → pixels "
                            f"{b.get('to_pixels', 0):.0f} ms (transport {b.get('transport', float('nan')):.0f}, "
                            f"decode+draw {b.get('decode_draw', float('nan')):.0f})" + stale})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", action="store_true", help="run the browser tests first (default if no results)")
    ap.add_argument("-k", default="not broken", help="pytest -k expression for which notebooks to run")
    args = ap.parse_args()
    if args.run or not RESULTS.exists():
        run_tests(args.k)
    print(table(load()))


if __name__ == "__main__":
    main()
