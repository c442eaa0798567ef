"""coursekit inside an autograding platform: Gradescope and PrairieLearn.

Gradescope (``python -m coursekit gradescope SOLUTION.ipynb --out autograder.zip``) builds an
autograder zip: ``setup.sh`` (run once when Gradescope builds the image: a virtualenv with
this coursekit, copied into the zip as ``coursekit-src/``), ``run_autograder`` (run for each
submission) and ``solution/`` (the source notebook). For each submission ``run_autograder``
calls ``python -m coursekit.grading.platforms gradescope --root /autograder``, which grades the
notebook in ``/autograder/submission`` with :func:`coursekit.grading.grader.grade` (the same
sandbox, the same checks) and writes ``/autograder/results/results.json``: ``score``,
``output``, and a test per exercise (``name``, ``score``, ``max_score``, ``status``,
``visibility``, ``output``), the format of Gradescope's "Autograder Specifications".

PrairieLearn (an external grader: the question's ``tests/`` holds the solution notebook, the
student's file is in ``/grade/student``) runs ``python -m coursekit.grading.platforms
prairielearn --root /grade`` and gets ``/grade/results/results.json``: ``gradable``, ``score``
(0 to 1), ``message``, ``output`` and ``tests`` (``name``, ``points``, ``max_points``,
``output``). A file that is not a notebook is ``gradable: false`` (PrairieLearn then does not
count the attempt); a Gradescope submission always gets a score, 0 with the reason.

Both platforms run each submission in a container of their own; the sandbox still keeps the
student's kernel away from the solution notebook and the grader's files where the
container's kernel allows it (the output says what was enforced).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import zipfile

from . import gradebook
from .feedback import feedback_text

GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
_PACKAGE = pathlib.Path(__file__).resolve().parents[1]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: Python, and this
# autograder's own copy of coursekit (coursekit-src/, the version the zip was built from).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -q
    apt-get install -y -q python3 python3-pip python3-venv
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q /autograder/source/coursekit-src
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: coursekit grades the notebook in
# /autograder/submission against solution/ and writes /autograder/results/results.json.
# (AUTOGRADER_ROOT and COURSEKIT_PYTHON let a test run it in a stand-in folder.)
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${COURSEKIT_PYTHON:-$root/venv/bin/python}"
cd "$root"
exec "$python" -m coursekit.grading.platforms gradescope --root "$root"
"""


# ------------------------------------------------------------------------------- results.json


def _tests(record):
    """``[(exercise, points, max points, output)]`` of a record (0 points and the reason for
    exercises that were not graded)."""
    details = record.get("details") or {}
    reason = "; ".join(record.get("notes") or []) or "not graded"
    rows = []
    for ex, pts in (record.get("scores") or {}).items():
        detail = details.get(ex)
        top = detail["max_points"] if detail else None
        output = "\n".join(line.removeprefix("  ") for line in detail["lines"]) if detail else f"not graded: {reason}"
        rows.append((ex, float(pts), float(top if top is not None else 0), output))
    return rows


def _summary(record):
    total = sum((record.get("scores") or {}).values())
    head = f"{total:g} / {record.get('max_points', 0):g} points"
    if record.get("status") not in (None, "ok"):
        head += f" ({record['status']})"
    notes = record.get("notes") or []
    return head + ("\n" + "\n".join(f"- {n}" for n in notes) if notes else "")


def gradescope_results(record, log=""):
    """A Gradescope ``results.json`` (a dict) from a grading record."""
    tests = [{"name": ex, "score": pts, "max_score": top, "status": "passed" if pts >= top > 0 else "failed",
              "visibility": "visible", "output": output} for ex, pts, top, output in _tests(record)]
    output = _summary(record) + (f"\n\n{log.strip()}" if log.strip() else "")
    return {"score": float(sum(t["score"] for t in tests)), "output": output, "tests": tests,
            "stdout_visibility": "hidden"}


def prairielearn_results(record, log=""):
    """A PrairieLearn external grader's ``results.json`` (a dict) from a grading record."""
    top = float(record.get("max_points") or 0)
    total = float(sum((record.get("scores") or {}).values()))
    gradable = record.get("status") != "invalid"
    tests = [{"name": ex, "points": pts, "max_points": mx, "output": output} for ex, pts, mx, output in _tests(record)]
    return {"gradable": gradable, "score": total / top if top and gradable else 0.0, "message": _summary(record),
            "output": feedback_text(record) + (f"\n{log.strip()}\n" if log.strip() else ""), "tests": tests}


def failure_record(reason):
    """A record for a submission that could not be graded at all."""
    return {"submission": "", "status": "invalid", "scores": {}, "max_points": 0, "notes": [reason], "details": {}}


# ------------------------------------------------------------------------------- grading one


def grade_submission_folder(submission_dir, source_dir, work, timeout=60.0):
    """``(record, log)``: grade the one notebook of a platform's submission folder.

    The notebook is the one named like the source (``01_gradients.ipynb``), else the only
    notebook there; it is copied (never followed through a link) into ``work`` and graded there.
    """
    from .grader import grade, read_submission
    from .release import solution_notebooks

    submission_dir, work = pathlib.Path(submission_dir), pathlib.Path(work)
    sources = solution_notebooks(source_dir)
    if len(sources) != 1:
        return failure_record(f"the autograder needs one source notebook, found {len(sources)}"), ""
    source = sources[0]
    found = sorted(p for p in submission_dir.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in found if p.name == source.name]
    chosen = named[:1] or (found if len(found) == 1 else [])
    if not chosen:
        listing = ", ".join(str(p.relative_to(submission_dir)) for p in found) or "none"
        return failure_record(f"submit exactly one notebook, {source.name} (found: {listing})"), ""
    try:
        data = read_submission(chosen[0], submission_dir)
    except (ValueError, OSError) as err:
        return failure_record(f"{chosen[0].name}: {err.args[0] if err.args else err}"), ""
    copy = work / "submission" / source.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    log = io.StringIO()
    grade([copy], source, work / "out", workers=1, timeout=timeout, log=log)
    records = gradebook.read_records(work / "out")
    if len(records) != 1:
        return failure_record("the grader produced no result"), log.getvalue()
    return records[0], log.getvalue()


def _sandbox_line(log):
    return next((line for line in log.splitlines() if line.startswith("sandbox:")), "")


def run(platform, root, timeout=60.0):
    """Grade the submission in a platform's folder tree and write its ``results.json``;
    never raises for the submission's sake (a grader failure becomes a 0 with the reason)."""
    root = pathlib.Path(root)
    if platform == "gradescope":
        submission, source, results = root / "submission", root / "source" / "solution", root / "results"
    else:
        submission, source, results = root / "student", root / "tests", root / "results"
    with tempfile.TemporaryDirectory(prefix="coursekit-autograder-") as work:
        try:
            record, log = grade_submission_folder(submission, source, work, timeout=timeout)
        except Exception as err:  # the grader's own failure: still a results.json, with the reason
            record, log = failure_record(f"the autograder failed ({type(err).__name__}: {err}); "
                                         "tell your instructor"), ""
            record["status"] = "error"
    build = gradescope_results if platform == "gradescope" else prairielearn_results
    answer = build(record, _sandbox_line(log))
    results.mkdir(parents=True, exist_ok=True)
    (results / "results.json").write_text(json.dumps(answer, indent=1), encoding="utf-8")
    return answer


# ------------------------------------------------------------------------- the Gradescope zip


def build_gradescope_zip(solution, out_zip):
    """Write the autograder zip for one solution notebook; returns its path."""
    from .notebooks import read_source

    solution, out_zip = pathlib.Path(solution), pathlib.Path(out_zip)
    read_source(solution)  # a readable solution notebook, or NotebookError
    project = _PACKAGE.parent
    if not (project / "pyproject.toml").is_file():
        raise FileNotFoundError(f"{project} has no pyproject.toml: build the zip from a clone of coursekit "
                                "installed with pip install -e .")
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
        z.write(solution, f"solution/{solution.name}")
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (project / name).is_file():
                z.write(project / name, f"coursekit-src/{name}")
        for path in sorted(_PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                z.write(path, f"coursekit-src/{path.relative_to(project).as_posix()}")
    return out_zip


def install_zip(zip_path, root):
    """Unpack an autograder zip as Gradescope does: into ``root/source``, with
    ``run_autograder`` copied to ``root``; for tests and for trying a zip locally."""
    root = pathlib.Path(root)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    return root / "run_autograder"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.grading.platforms",
                                     description="Grade one submission inside Gradescope or PrairieLearn.")
    parser.add_argument("platform", choices=("gradescope", "prairielearn"))
    parser.add_argument("--root", default=None, help="the platform's folder (default /autograder or /grade)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    args = parser.parse_args(argv)
    root = args.root or ("/autograder" if args.platform == "gradescope" else "/grade")
    answer = run(args.platform, root, timeout=args.timeout)
    print(answer.get("message") or answer.get("output", "").splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
