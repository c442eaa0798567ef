"""Grading 30 submissions with 1 worker and with 2 workers: wall time and speed-up.

    python benchmarks/bench_grading.py [--submissions 30]

``rows()`` (for ``benchmarks/run_all.py``) grades 12.

The submissions are built from the synthetic three-exercise notebook of the tests (a mix of
solved, partly solved and blank). The reference run of the solution is made once beforehand
and shared, so the times are those of the submissions: one fresh kernel each.
"""

import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from coursekit.grading.grader import grade  # noqa: E402
from coursekit.grading.release import release  # noqa: E402
from tests.grading_fixtures import synthetic as syn  # noqa: E402


def measure(submissions: int = 30) -> dict:
    """Wall time of grading ``submissions`` notebooks with 1 and with 2 workers, in seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = pathlib.Path(tmp)
        syn.write_solution(tmp / "solutions")
        release(tmp / "solutions", tmp / "exercises", stream=open(os.devnull, "w"))
        ex = nbformat.read(str(tmp / "exercises" / "01_demo.ipynb"), as_version=4)
        kinds = [syn.ANSWERS, ("ex1-answer", "ex3-answer"), ()]
        for i in range(submissions):
            syn.write(tmp / "submitted" / f"student{i:02d}" / "01_demo.ipynb", syn.submission(ex, solved=kinds[i % 3]))
        grade([], tmp / "solutions", tmp / "warm", workers=1, log=open(os.devnull, "w"))  # the reference run
        times = {}
        for workers in (1, 2):
            out = tmp / f"out{workers}"
            shutil.copytree(tmp / "warm" / "reference", out / "reference")
            start = time.perf_counter()
            results = grade([tmp / "submitted"], tmp / "solutions", out, workers=workers, log=open(os.devnull, "w"))
            times[workers] = time.perf_counter() - start
            assert len(results) == submissions
            expected = [0.0, 3.0, 6.0][:min(submissions, 3)]  # blank, partly solved, solved
            assert sorted({r.total for r in results}) == expected, sorted({r.total for r in results})
    return times


def rows(submissions: int = 12) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: 2 workers against 1, measured in this run."""
    times = measure(submissions)
    return [{"name": f"grading {submissions} submissions (one fresh kernel each), 2 workers",
             "value": f"{times[2]:.1f} s", "anchor": f"1 worker {times[1]:.1f} s",
             "ratio": f"{times[2] / times[1]:.2f}×",
             "note": f"{times[2] / submissions:.2f} s per submission with 2 workers"}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=30)
    args = parser.parse_args()
    times = measure(args.submissions)
    print(f"grading {args.submissions} submissions on {os.cpu_count()} cores")
    print(f"{'workers':>8} {'wall time (s)':>14} {'per submission (s)':>19}")
    for workers, t in times.items():
        print(f"{workers:>8} {t:>14.1f} {t / args.submissions:>19.2f}")
    print(f"speed-up with 2 workers: {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    main()
