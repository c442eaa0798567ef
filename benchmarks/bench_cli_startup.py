"""Start-up of the command line: how long `python -m coursekit check|grade|release` take before
their real work (a kernel starting, a notebook running), against a bare Python start.

    python benchmarks/bench_cli_startup.py

Target: under 1 s each (issue: "Fast to answer"). Until 2026-12-02 every command imported
nbformat, whose validator builds a URI grammar at import: 2-5 s on a 2-core machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5


def _seconds(args):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rows() -> list[dict]:
    bare = _seconds(["-c", "pass"])
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "check / grade start-up: import of the CLI and the grader (until a kernel would start)":
                ["-c", "import coursekit.__main__, coursekit.grading.selfcheck, coursekit.grading.grader"],
            "check on a missing file (start-up and the error line)": ["-m", "coursekit", "check", "missing.ipynb"],
            "release of the 7 solution notebooks (all of it)": ["-m", "coursekit", "release", "solutions", tmp],
        }
        for name, args in cases.items():
            t = _seconds(args)
            out.append({"name": name, "value": f"{t:.2f} s", "anchor": f"python -c pass {bare:.2f} s",
                        "ratio": f"{t / bare:.1f}×", "target": "< 1 s", "note": f"median of {REPEATS} runs"})
    return out


if __name__ == "__main__":
    for row in rows():
        print(f"{row['value']:>8}  (bare Python {row['anchor'].split()[-2]} s)  {row['name']}")
