"""Command line of coursekit: open the course, check exercises, release and grade them.

  python -m coursekit lab                       open the whole course in JupyterLab
  python -m coursekit check exercises/01_gradients.ipynb
  python -m coursekit release solutions exercises
  python -m coursekit grade submitted/ --source solutions/ --out grades/
  python -m coursekit export grades/ --canvas canvas.csv   (also --results DIR --format ...)
  python -m coursekit gradescope solutions/01_gradients.ipynb --out autograder.zip
  python -m coursekit setup-cell chapters solutions   (course authors: the Colab cell)
  python -m coursekit book                      the course as an offline HTML book in build/book/

Each command's --help says more. A wrong path, a folder without notebooks or a file that is
not a notebook stops the command with one line that names the problem, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys


class UsageError(Exception):
    """A problem with what the user typed: printed as one line, exit code 2."""


def _notebook_file(path):
    """``path`` as a Path if it is a readable Jupyter notebook (format 4), else ``UsageError``."""
    path = pathlib.Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a notebook (.ipynb)")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise UsageError(f"{path} is not a Jupyter notebook (not readable as JSON: {type(err).__name__})") from None
    if not (isinstance(nb, dict) and isinstance(nb.get("cells"), list) and isinstance(nb.get("nbformat"), int)
            and nb["nbformat"] >= 4):
        raise UsageError(f"{path} is not a Jupyter notebook in format 4")
    return path


def _notebooks(path, what):
    """The notebooks named by ``path``: the file itself, or every ``*.ipynb`` in a folder."""
    path = pathlib.Path(path)
    if not path.exists():
        raise UsageError(f"{what} {path}: no such file or folder")
    if path.is_dir():
        found = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
        if not found:
            raise UsageError(f"{what} {path}: a folder without notebooks (*.ipynb)")
        return [_notebook_file(p) for p in found]
    return [_notebook_file(path)]


def _lab(args):
    import importlib.util
    import subprocess

    if importlib.util.find_spec("jupyterlab") is None:
        raise UsageError('JupyterLab is not installed here; install it with: python -m pip install -e ".[lab]"')
    root = pathlib.Path(args.root)
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root.resolve()}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("running as root (e.g. in a container): starting JupyterLab with --allow-root", file=sys.stderr)
        command.append("--allow-root")
    command += args.extra
    print(f"serving {root.resolve()} (chapters/ and exercises/); stop with Ctrl+C", file=sys.stderr)
    return subprocess.call(command)


def _check(args):
    from coursekit.grading.selfcheck import format_table, self_check

    notebooks = _notebooks(args.notebook, "notebook")
    all_passed = True
    for path in notebooks:
        if len(notebooks) > 1:
            print(f"== {path}")
        rows = self_check(path, timeout=args.timeout)
        print(format_table(rows))
        for ex, ok, _, _, message in rows:
            if not ok and message:
                print(f"\n{ex}:\n{message}")
        all_passed = all_passed and bool(rows) and all(r[1] for r in rows)
    return 0 if all_passed else 1


def _release(args):
    from coursekit.grading.notebooks import NotebookError
    from coursekit.grading.release import release

    _notebooks(args.solutions, "solutions")
    try:
        changed = release(args.solutions, args.exercises, check_only=args.check)
    except (NotebookError, OSError) as err:
        raise UsageError(str(err)) from None
    out = pathlib.Path(args.exercises)
    if args.check:
        for name in changed:
            print(f"out of date: {out / name}")
        return 1 if changed else 0
    for name in changed:
        print(f"wrote {out / name}")
    return 0


def _grade(args):
    from coursekit.grading.grader import SourceError, grade
    from coursekit.grading.notebooks import NotebookError

    _notebooks(args.source, "--source")
    for path in map(pathlib.Path, args.submissions):
        if not path.exists():
            raise UsageError(f"submissions {path}: no such file or folder")
    for flag in ("roster", "timestamps"):
        value = getattr(args, flag)
        if value is not None and not pathlib.Path(value).is_file():
            raise UsageError(f"--{flag} {value}: no such file")
    if args.timestamps and not args.due:
        raise UsageError("--timestamps needs --due (the due date the times are compared with)")
    try:
        results = grade(args.submissions, args.source, args.out, workers=args.workers, timeout=args.timeout,
                        sandbox=args.sandbox, roster=args.roster, due=args.due, late_policy=args.late_policy,
                        timestamps=args.timestamps)
    except (SourceError, NotebookError, ValueError) as err:
        raise UsageError(str(err)) from None
    out = pathlib.Path(args.out)
    print(f"graded {len(results)} submission(s); see {out / 'grades.csv'} and {out / 'feedback'}")
    return 0


def _export(args):
    from coursekit.grading import gradebook, platforms

    if not (args.canvas or args.results):
        raise UsageError("say what to write: --canvas FILE and/or --results DIR")
    try:
        records = gradebook.read_records(args.grades)
        if args.canvas:
            print(f"wrote {gradebook.write_canvas_csv(args.grades, args.canvas)}")
    except (FileNotFoundError, ValueError) as err:
        raise UsageError(str(err)) from None
    if args.results:
        build = platforms.gradescope_results if args.format == "gradescope" else platforms.prairielearn_results
        for rec in records:
            path = pathlib.Path(args.results) / gradebook.record_path("", rec["submission"]).stem / "results.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"submission": rec["submission"], **build(rec)}, indent=1), encoding="utf-8")
        print(f"wrote {len(records)} results.json file(s) ({args.format}) under {args.results}")
    return 0


def _gradescope(args):
    from coursekit.grading import platforms
    from coursekit.grading.notebooks import NotebookError

    _notebook_file(args.solution)
    try:
        path = platforms.build_gradescope_zip(args.solution, args.out)
    except (NotebookError, FileNotFoundError) as err:
        raise UsageError(str(err)) from None
    print(f"wrote {path}: upload it as the assignment's autograder (Configure Autograder, zip file upload)")
    return 0


def _setup_cell(args):
    from coursekit.colab import write_setup_cells

    notebooks = [nb for folder in args.folders for nb in _notebooks(folder, "notebooks")]
    changed = write_setup_cells(notebooks, check_only=args.check)
    for path in changed:
        print(f"{'out of date' if args.check else 'wrote'}: {path}")
    return 1 if args.check and changed else 0


def _book(args):
    from coursekit import book

    root = pathlib.Path(args.root)
    if not (root / "chapters").is_dir():
        raise UsageError(f"{root}: not the course's folder (it has no chapters/)")
    try:
        html_dir = book.build(root, args.out, cache=args.assets, log=lambda line: print(line, file=sys.stderr))
    except book.BookError as err:
        raise UsageError(str(err)) from None
    print(f"open {html_dir / 'index.html'} in a browser (no network needed)")
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("lab", help="open the whole course (chapters and exercises) in JupyterLab",
                       description="Open the course in JupyterLab. Options it does not know (e.g. --no-browser, "
                                   "--port 8899) go to JupyterLab; as root, --allow-root is added.")
    p.add_argument("--root", default=".", help="the course's folder (default: the current one)")
    p.set_defaults(run=_lab)

    p = sub.add_parser("check", help="run your exercise notebook and show which exercises pass")
    p.add_argument("notebook", help="an exercise notebook (.ipynb), or a folder: every notebook in it")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    p.set_defaults(run=_check)

    p = sub.add_parser("release", help="write the exercise notebooks from the solution notebooks")
    p.add_argument("solutions", help="a folder of solution notebooks, or one notebook")
    p.add_argument("exercises", help="the folder to write the exercise notebooks to")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if the exercises are out of date")
    p.set_defaults(run=_release)

    p = sub.add_parser("setup-cell", help="put the Google Colab set-up cell at the top of notebooks",
                       description="Write the Colab set-up cell (coursekit/colab.py; it installs from "
                                   "[project.urls] Repository of pyproject.toml) into every notebook given.")
    p.add_argument("folders", nargs="+", help="notebooks, or folders of notebooks (chapters, solutions)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook lacks the current cell")
    p.set_defaults(run=_setup_cell)

    p = sub.add_parser("book", help="build the course as an offline HTML book (build/book/html/index.html)",
                       description="Build the README, the chapters, the exercises and their references as an "
                                   "HTML book from the committed notebooks, without running them. Needs the "
                                   '[book] extra (pip install -e ".[book]") and, the first time only, npm: '
                                   "MathJax is fetched once from the npm registry into --assets.")
    p.add_argument("--root", default=".", help="the course's folder (default: the current one)")
    p.add_argument("--out", default=None, help="the book's folder (default: ROOT/build/book)")
    p.add_argument("--assets", default=None,
                   help="cache folder for MathJax (default: ~/.cache/coursekit/book-assets)")
    p.set_defaults(run=_book)

    p = sub.add_parser("grade", help="grade submitted notebooks against the solution notebooks")
    p.add_argument("submissions", nargs="+", help="submitted notebooks, or folders searched for *.ipynb")
    p.add_argument("--source", required=True, help="the solution notebooks (a folder or one notebook)")
    p.add_argument("--out", required=True, help="folder for grades.csv, feedback/ and the reference cache")
    p.add_argument("--workers", type=int, default=None, help="kernels run in parallel (default: the cores)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    p.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                   help="sandbox each kernel: where supported (auto, the default), required (on), or not (off)")
    p.add_argument("--roster", default=None,
                   help="CSV with a 'student' column (the names of the submission folders; optional: name, id, "
                        "sis_user_id, sis_login_id, section): students without a submission get a 'missing' row")
    p.add_argument("--due", default=None, help="the due date, ISO 8601: 2026-12-10T23:59 (UTC) or "
                                               "2026-12-10T23:59+01:00")
    p.add_argument("--late-policy", default="none",
                   help="none (default: lateness only noted), zero, or per-day=P (P %% off per started day late)")
    p.add_argument("--timestamps", default=None, help="CSV with columns student, submitted_at (ISO 8601): "
                                                      "when each student submitted (an LMS export)")
    p.set_defaults(run=_grade)

    p = sub.add_parser("export", help="write a graded folder's grades for Canvas, Gradescope or PrairieLearn",
                       description="From the records of a graded folder (the --out of grade): a Canvas "
                                   "gradebook CSV, and/or one results.json per submission.")
    p.add_argument("grades", help="the --out folder of a grade run")
    p.add_argument("--canvas", default=None, help="write the Canvas gradebook CSV here")
    p.add_argument("--results", default=None, help="write a results.json per submission under this folder")
    p.add_argument("--format", choices=("gradescope", "prairielearn"), default="gradescope",
                   help="the format of --results (default gradescope)")
    p.set_defaults(run=_export)

    p = sub.add_parser("gradescope", help="build a Gradescope autograder zip for one solution notebook",
                       description="Write autograder.zip (setup.sh, run_autograder, the solution and this "
                                   "coursekit) for Gradescope's programming assignments.")
    p.add_argument("solution", help="the solution notebook (.ipynb)")
    p.add_argument("--out", default="autograder.zip", help="the zip to write (default autograder.zip)")
    p.set_defaults(run=_gradescope)
    return parser


def main(argv=None):
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return args.run(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
