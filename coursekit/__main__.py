"""Command line: ``python -m coursekit release|check|grade ...`` (see ``--help`` of each)."""

from __future__ import annotations

import argparse
import sys


def _release(args):
    from coursekit.grading.notebooks import NotebookError
    from coursekit.grading.release import release

    try:
        changed = release(args.solutions, args.exercises, check_only=args.check)
    except (NotebookError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.check:
        for name in changed:
            print(f"out of date: {args.exercises}/{name}")
        return 1 if changed else 0
    for name in changed:
        print(f"wrote {args.exercises}/{name}")
    return 0


def _check(args):
    from coursekit.grading.selfcheck import format_table, self_check

    rows = self_check(args.notebook, timeout=args.timeout)
    print(format_table(rows))
    for ex, ok, _, _, message in rows:
        if not ok and message:
            print(f"\n{ex}:\n{message}")
    return 0 if rows and all(r[1] for r in rows) else 1


def _grade(args):
    from coursekit.grading.grader import SourceError, grade
    from coursekit.grading.notebooks import NotebookError

    try:
        results = grade(args.submissions, args.source, args.out, workers=args.workers, timeout=args.timeout)
    except (SourceError, NotebookError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"graded {len(results)} submission(s); see {args.out}/grades.csv and {args.out}/feedback/")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="write the exercise notebooks from the solution notebooks")
    p.add_argument("solutions", help="a folder of solution notebooks, or one notebook")
    p.add_argument("exercises", help="the folder to write the exercise notebooks to")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the exercises are out of date")
    p.set_defaults(run=_release)

    p = sub.add_parser("check", help="run your exercise notebook and show which exercises pass")
    p.add_argument("notebook")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    p.set_defaults(run=_check)

    p = sub.add_parser("grade", help="grade submitted notebooks against the solution notebooks")
    p.add_argument("submissions", nargs="+", help="submitted notebooks, or folders searched for *.ipynb")
    p.add_argument("--source", required=True, help="the solution notebooks (a folder or one notebook)")
    p.add_argument("--out", required=True, help="folder for grades.csv, feedback/ and the reference cache")
    p.add_argument("--workers", type=int, default=None, help="kernels run in parallel (default: the cores)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    p.set_defaults(run=_grade)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
