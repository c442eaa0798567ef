"""Grading submissions of one chapter with 1 worker and with 2 workers: wall time and speed-up.

    python benchmarks/bench_grading.py [--chapter 01] [--submissions 30]

The submissions are the chapter's released exercise notebook (``exercises/``) with the
answer cells of its solution (``solutions/``) filled in for all exercises, for exercises 1
and 3, or for none, in turn; each must get the points of exactly those exercises (summed from
the solution's metadata), or the benchmark stops. ``--chapter demo`` uses the small synthetic
three-exercise notebook of the tests instead. The reference run of the solution is made once
beforehand and shared, so the times are those of the submissions: one fresh kernel each.
``rows()`` (for ``benchmarks/run_all.py``) grades 30 submissions of chapter 1 and times the
sandbox's start-up against none.
"""

import argparse
import copy
import os
import pathlib
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from coursekit.grading import notebooks as nbs  # noqa: E402
from coursekit.grading.grader import grade  # noqa: E402
from coursekit.grading.release import release  # noqa: E402
from tests.grading_fixtures import synthetic as syn  # noqa: E402


def _chapter_files(chapter: str, tmp: pathlib.Path):
    """(solution folder, exercise notebook, {exercise: answer sources}, {exercise: points})."""
    solutions = tmp / "solutions"
    solutions.mkdir()
    if chapter == "demo":
        syn.write_solution(solutions)
        release(solutions, tmp / "exercises", stream=open(os.devnull, "w"))
        exercise = tmp / "exercises" / "01_demo.ipynb"
    else:
        found = sorted((ROOT / "solutions").glob(f"{chapter}_*.ipynb"))
        if not found:
            raise SystemExit(f"--chapter {chapter}: no solutions/{chapter}_*.ipynb")
        shutil.copy(found[0], solutions / found[0].name)
        exercise = ROOT / "exercises" / found[0].name
    solution = nbformat.read(str(next(solutions.glob("*.ipynb"))), as_version=4)
    answers, points = {}, {}
    for cell in solution.cells:
        if nbs.is_answer(cell):
            answers.setdefault(nbs.exercise_of(cell), {})[nbs.grade_id(cell)] = cell.source
        elif nbs.is_check(cell):
            points[nbs.exercise_of(cell)] = points.get(nbs.exercise_of(cell), 0) + nbs.points(cell)
    return solutions, nbformat.read(str(exercise), as_version=4), answers, points


def _submission(exercise_nb, answers: dict, solved) -> nbformat.NotebookNode:
    nb = copy.deepcopy(exercise_nb)
    filled = {gid: src for ex in solved for gid, src in answers[ex].items()}
    for cell in nb.cells:
        if nbs.is_answer(cell) and nbs.grade_id(cell) in filled:
            cell.source = filled[nbs.grade_id(cell)]
    return nb


def measure(chapter: str = "01", submissions: int = 30) -> dict:
    """Wall time of grading ``submissions`` notebooks with 1 and with 2 workers, in seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = pathlib.Path(tmp)
        solutions, exercise_nb, answers, points = _chapter_files(chapter, tmp)
        exercises = sorted(answers)
        kinds = [exercises, exercises[0::2][:2], []]  # all, exercises 1 and 3, none
        expected = {}
        for i in range(submissions):
            solved = kinds[i % 3]
            name = f"student{i:02d}"
            syn.write(tmp / "submitted" / name / "notebook.ipynb", _submission(exercise_nb, answers, solved))
            expected[name] = float(sum(points[ex] for ex in solved))
        grade([], solutions, tmp / "warm", workers=1, log=open(os.devnull, "w"))  # the reference run
        times = {}
        for workers in (1, 2):
            out = tmp / f"out{workers}"
            shutil.copytree(tmp / "warm" / "reference", out / "reference")
            start = time.perf_counter()
            results = grade([tmp / "submitted"], solutions, out, workers=workers, log=open(os.devnull, "w"))
            times[workers] = time.perf_counter() - start
            got = {pathlib.Path(r.submission).parent.name: r.total for r in results}
            if got != expected:
                raise RuntimeError(f"grades differ from the points of the solved exercises: {got} != {expected}")
    return {"times": times, "chapter": chapter, "submissions": submissions, "max_points": sum(points.values())}


def sandbox_overhead(kernels: int = 6) -> dict:
    """Mean wall time (s) of starting a kernel, running one cell and ending it, sandbox on and off."""
    from coursekit.grading.kernel import run_cells

    times = {}
    for mode in ("off", "on"):
        run_cells([("1", 0)], timeout=30, sandbox=mode)  # warm the file cache
        start = time.perf_counter()
        for _ in range(kernels):
            run_cells([("import numpy", 0)], timeout=30, sandbox=mode)
        times[mode] = (time.perf_counter() - start) / kernels
    return times


def rows(chapter: str = "01", submissions: int = 30) -> list[dict]:
    """Rows for ``benchmarks/run_all.py``: 2 workers against 1, and the sandbox's cost per
    kernel against no sandbox, measured in this run."""
    res = measure(chapter, submissions)
    t1, t2 = res["times"][1], res["times"][2]
    over = sandbox_overhead()
    return [{"name": f"grading {submissions} submissions of chapter {chapter}'s exercises (a fresh kernel each), "
                     "2 workers",
             "value": f"{t2:.1f} s", "anchor": f"1 worker {t1:.1f} s", "ratio": f"{t2 / t1:.2f}×",
             "note": f"speed-up {t1 / t2:.2f}×; {t2 / submissions:.2f} s per submission with 2 workers; "
                     "every grade checked"},
            {"name": "grading: one sandboxed kernel (start, import numpy, end)",
             "value": f"{over['on']:.2f} s", "anchor": f"no sandbox {over['off']:.2f} s",
             "ratio": f"{over['on'] / over['off']:.2f}×",
             "note": f"overhead {over['on'] - over['off']:+.2f} s per kernel"}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="01", help="two-digit chapter number, or 'demo'")
    parser.add_argument("--submissions", type=int, default=30)
    args = parser.parse_args()
    res = measure(args.chapter, args.submissions)
    print(f"grading {args.submissions} submissions of chapter {args.chapter} ({res['max_points']:g} points) "
          f"on {os.cpu_count()} cores; every grade equals the points of the exercises solved")
    print(f"{'workers':>8} {'wall time (s)':>14} {'per submission (s)':>19}")
    for workers, t in res["times"].items():
        print(f"{workers:>8} {t:>14.1f} {t / args.submissions:>19.2f}")
    print(f"speed-up with 2 workers: {res['times'][1] / res['times'][2]:.2f}x")
    over = sandbox_overhead()
    print(f"one kernel (start, import numpy, end): sandbox off {over['off']:.2f} s, on {over['on']:.2f} s "
          f"(overhead {over['on'] - over['off']:+.2f} s per kernel)")


if __name__ == "__main__":
    main()
