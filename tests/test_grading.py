"""Checks, release and grading (coursekit.grading), on a synthetic three-exercise notebook.

The kernel-running tests share work: one release, one nbval run over a solved and a blank
exercise notebook, and one grading run over every kind of submission (solved, blank, partial
and the hostile ones), graded together as a class would be.
"""

import csv
import json
import os
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import nbformat
import numpy as np
import pytest

from coursekit.grading import CheckFailed, check_close, check_equal, check_true, compare
from coursekit.grading import notebooks as nbs
from coursekit.grading.grader import SourceError, grade
from coursekit.grading.record import Opaque, decode, encode
from coursekit.grading.release import release, release_notebook
from coursekit.grading.rewrite import parse_records, rewrite, site_info
from tests.grading_fixtures import synthetic as syn

ROOT = pathlib.Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- checks (no kernel)


def test_check_close_prints_one_stable_line_on_success(capsys):
    check_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9], name="Exercise 1")
    check_close(0.5, 0.5)  # no name: silent
    assert capsys.readouterr().out == "✓ Exercise 1 passed\n"


def test_check_close_failure_says_expected_got_and_hint():
    with pytest.raises(CheckFailed) as info:
        check_close(0.12345678, 1.0, name="Exercise 1", hint="use central differences")
    msg = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "Exercise 1: wrong value" in msg
    assert "expected: 1.0" in msg and "got:      0.123457" in msg
    assert "hint: use central differences" in msg


def test_check_messages_for_shape_none_and_entries():
    with pytest.raises(CheckFailed, match=r"(?i)expected shape \(2,\), got shape \(3,\)"):
        check_close(np.zeros(3), np.zeros(2))
    with pytest.raises(CheckFailed, match="forget to `return`"):
        check_close(None, 1.0)
    with pytest.raises(CheckFailed, match=r"(?i)1 of 3 entries differ; first at index \(1,\)"):
        check_close(np.array([1.0, 2.5, 3.0]), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(CheckFailed, match="expected: 2"):
        check_equal(3, 2)
    with pytest.raises(CheckFailed, match="losses must decrease"):
        check_true(np.bool_(False), "losses must decrease")
    check_equal((1, "a"), (1, "a"))
    check_true(np.all(np.array([1, 2]) > 0))


def test_compare_is_strict_about_types_and_nan():
    assert compare("check_close", np.inf, np.inf)[0]
    assert not compare("check_close", np.nan, np.nan)[0]
    assert not compare("check_close", "1.0", 1.0)[0]
    assert not compare("check_true", 1)[0]  # a truthy int is not the boolean True
    assert not compare("check_equal", Opaque("X", "x"), 1)[0]


def test_values_survive_the_trip_out_of_the_kernel():
    values = [1.5, -3, True, None, "s", (1, 2.0), [np.float32(0.5)], {"a": np.arange(3)},
              np.array([[1.0, np.nan], [np.inf, -0.0]]), 1 + 2j, np.array([1j]), np.int64(7)]
    for v in values:
        back = decode(json.loads(json.dumps(encode(v))))
        assert type(back) is type(v) or isinstance(v, np.generic)
        if isinstance(v, np.ndarray):
            assert back.dtype == v.dtype and np.array_equal(back, v, equal_nan=True)
    assert isinstance(decode(encode(object())), Opaque)
    with pytest.raises(ValueError):
        decode({"__nd__": [1], "dtype": "object", "shape": [1]})


def test_learner_mode_never_sends_expected_values_to_the_kernel():
    learner = rewrite(syn.CHK1, "abc123", reference=False)
    reference = rewrite(syn.CHK1, "abc123", reference=True)
    body = learner[learner.index("from coursekit.grading import"):]  # the cell, after the recorder
    for snippet in ("np.exp(1.0)", "12.0", "1.0,", "hint"):
        assert snippet not in body
    assert "central_difference(np.exp, 1.0)" in learner  # the learner's value is still computed
    assert "np.exp(1.0)" in reference and "12.0" in reference
    assert site_info(syn.CHK1) == [("check_close", False), ("check_close", True), ("check_close", True)]
    text = "junk\nabc123:{\"site\": 0, \"got\": 1.0}\nxabc123:{}\nabc123:not json\n"
    assert parse_records(text, "abc123") == [{"site": 0, "got": 1.0}]


def test_check_judged_calls_the_chapter_judge_and_explains_a_failure(capsys):
    from coursekit.grading import check_judged

    check_judged(3, "ch00.is_at_least", minimum=2, name="Exercise 9")
    assert capsys.readouterr().out == "✓ Exercise 9 passed\n"
    with pytest.raises(CheckFailed) as info:
        check_judged(1.5, "ch00.is_at_least", minimum=2, name="Exercise 9", hint="more")
    assert str(info.value) == "Exercise 9: 1.5 is below 2\n  got:      1.5\n  hint: more"
    with pytest.raises(CheckFailed, match="could not use the answer"):
        check_judged(1.5, "ch00.is_at_least", maximum=2)  # the judge raises TypeError
    for bad in ("os.system", "ch00._private", "ch00.nothing", "../ch00.is_at_least"):
        with pytest.raises(ValueError, match="judge"):
            check_judged(1.5, bad)


def test_the_grader_judges_a_recorded_value_in_its_own_process():
    from coursekit.grading.grader import Site, _compare_site

    site = Site(site=0, kind="check_judged", hidden=False, expected="ch00.is_at_least", rtol=0, atol=0,
                name="Exercise 9", hint=None, message=None, judge_kwargs={"minimum": 2})
    assert _compare_site(site, 3) == (True, "")
    assert _compare_site(site, float("nan")) == (False, "expected a finite number, got float")
    assert _compare_site(site, Opaque("X", "x"))[0] is False
    source = 'check_judged(lr, "ch00.is_at_least", minimum=2, name="Exercise 9", hint="h")'
    learner = rewrite(source, "n1", reference=False)
    assert "ch00" not in learner and "minimum" not in learner and "lambda: lr" in learner
    assert site_info(source) == [("check_judged", False)]


def test_a_failing_check_shows_its_message_without_a_traceback_in_a_kernel():
    """What JupyterLab shows for a failing check: IPython's error output (the traceback lines),
    from a real kernel: the message, and no frame inside coursekit."""
    from coursekit.grading.kernel import Kernel

    with Kernel() as k:
        k.kc.execute('from coursekit.grading import check_close\n'
                     'check_close(0.5, 1.0, name="Exercise 1", hint="use central differences")')
        while True:
            msg = k.kc.get_iopub_msg(timeout=30)
            if msg["msg_type"] == "error":
                break
    text = "\n".join(msg["content"]["traceback"])
    assert msg["content"]["ename"] == "CheckFailed"
    assert "Exercise 1: wrong value" in text and "expected: 1.0" in text and "hint: use central" in text
    assert "coursekit/grading" not in text and "Traceback" not in text and "File " not in text


# ------------------------------------------------------------------------------------- release


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    source = syn.write_solution(root / "solutions")
    assert release(root / "solutions", root / "exercises", stream=open(os.devnull, "w")) == ["01_demo.ipynb"]
    exercise = nbformat.read(str(root / "exercises" / "01_demo.ipynb"), as_version=4)
    return root, source, exercise


def test_release_makes_stubs_removes_hidden_tests_and_clears_check_outputs(course):
    _, _, ex = course
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in ex.cells}
    for gid, stub in syn.STUBS.items():
        assert cells[gid].source == stub
        assert cells[gid].outputs == [] and cells[gid].execution_count is None
        assert cells[gid].metadata["deletable"] is False
    text = json.dumps(ex)
    assert "BEGIN" not in text and "HIDDEN" not in text and "SOLUTION" not in text
    for snippet in syn.HIDDEN_SNIPPETS:
        assert snippet not in text
    for n in (1, 2, 3):
        check = cells[f"ex{n}-check"]
        assert check.outputs == [] and check.execution_count is None  # nothing says "passed" before an answer
        assert "NBVAL" not in check.source
        assert check.metadata["editable"] is False and check.metadata["nbgrader"]["points"] > 0
    assert ex.metadata["coursekit"]["assignment"] == "01_demo"


def test_release_is_deterministic_and_detects_stale_exercises(course, tmp_path):
    root, _, _ = course
    release(root / "solutions", tmp_path, stream=open(os.devnull, "w"))
    first = (tmp_path / "01_demo.ipynb").read_bytes()
    assert first == (root / "exercises" / "01_demo.ipynb").read_bytes()
    assert b'"execution"' not in first and first.endswith(b"}\n")
    assert release(root / "solutions", tmp_path, check_only=True) == []
    (tmp_path / "01_demo.ipynb").write_bytes(first.replace(b"YOUR CODE HERE", b"YOUR CODE"))
    assert release(root / "solutions", tmp_path, check_only=True) == ["01_demo.ipynb"]


def test_release_rejects_regions_in_the_wrong_cells():
    nb = syn.solution_notebook()
    nb.cells[1].source += "\n### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"
    with pytest.raises(nbs.NotebookError, match="hidden-test region in a cell not marked"):
        nbs.validate_source(nb, "nb")
    nb = syn.solution_notebook()
    nb.cells[4].metadata["nbgrader"]["grade_id"] = "ex1-answer"
    with pytest.raises(nbs.NotebookError, match="used twice"):
        nbs.validate_source(nb, "nb")
    nb = syn.solution_notebook()
    nb.cells[3].source = nb.cells[3].source.replace("### END SOLUTION", "")
    with pytest.raises(nbs.NotebookError, match="without END SOLUTION"):
        nbs.validate_source(nb, "nb")
    assert release_notebook(syn.solution_notebook(), "x").cells[3].source == syn.STUBS["ex1-answer"]


HINTS = ("<details><summary>Hint 1</summary>\n\nThe idea.\n\n</details>\n\n"
         "<details><summary>Hint 2</summary>\n\nCloser.\n\n</details>\n")


def _linted_notebook(kinds=("implement", "predict", "tune", "implement", "derive", "diagnose")):
    """Six exercises, each a prompt, an answer and a check cell, that follow every rule."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    for n, kind in enumerate(kinds, start=1):
        ex = f"Exercise {n}"
        meta = syn._meta(f"ex{n}-answer", ex)
        check = syn._meta(f"ex{n}-check", ex, points=1)
        for m in (meta, check):
            m["coursekit"]["kind"] = kind
        nb.cells += [new_markdown_cell(f"## {ex}: T (1 points)\n*Kind: {kind}*\n\nTask.\n\n{HINTS}",
                                       metadata={"coursekit": {"exercise": ex, "kind": kind}}),
                     new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", metadata=meta),
                     new_code_cell(f'check_equal(x, 1, name="{ex}")', metadata=check)]
    return nb


def test_lint_exercises_accepts_the_rules_and_names_each_broken_one():
    from coursekit.grading.release import lint_exercises

    assert lint_exercises(_linted_notebook(), "nb") == []
    assert lint_exercises(_linted_notebook(("implement",) * 6), "nb") == ["nb: 6 exercises of 1 kinds; "
                                                                          "at least 6 exercises of 3 kinds"]
    assert "5 exercises" in lint_exercises(_linted_notebook(("implement", "predict", "tune", "derive", "diagnose")),
                                           "nb")[-1]
    cases = {
        "prompt has coursekit.kind 'guess'": lambda nb: nb.cells[0].metadata["coursekit"].update(kind="guess"),
        "coursekit.kind 'tune', but Exercise 1's prompt says 'implement'":
            lambda nb: nb.cells[2].metadata["coursekit"].update(kind="tune"),
        "has 1 hint block(s)": lambda nb: setattr(nb.cells[0], "source", nb.cells[0].source.split("<details>")[0]
                                                  + "<details>" + nb.cells[0].source.split("<details>")[1]),
        "Hint 2 contains code": lambda nb: setattr(nb.cells[0], "source",
                                                   nb.cells[0].source.replace("Closer.", "```\nx = 1\n```")),
        "line 3 is indented 4+ spaces": lambda nb: setattr(nb.cells[0], "source", "Intro\n\n    indented"),
        "Exercise 1 has no prompt cell": lambda nb: nb.cells[0].metadata.pop("coursekit"),
        "coursekit.forbid must be a list of dotted names":
            lambda nb: nb.cells[1].metadata["coursekit"].update(forbid="gradient_check"),
    }
    for problem, breaks in cases.items():
        nb = _linted_notebook()
        breaks(nb)
        found = lint_exercises(nb, "nb")
        assert any(problem in p for p in found), (problem, found)
    from coursekit.grading.release import indented_lines

    assert indented_lines("- item\n\n    continued\n\n```\n    code\n```\n") == []


def _nbval(paths, cwd):
    """Failing nbval items per notebook: {name: sorted code-cell indices}."""
    (cwd / "pytest.ini").write_text("[pytest]\n")
    report = cwd / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                    f"--junitxml={report}", *map(str, paths)], cwd=cwd, capture_output=True, timeout=300)
    failed = {p.name: [] for p in paths}
    cases = list(ET.parse(report).getroot().iter("testcase"))
    assert len(cases) == 14, "every code cell of both notebooks is an nbval item"
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            name = case.get("classname").split(".")[0] + ".ipynb"
            failed[name].append(int(case.get("name").split()[-1]))
    return {k: sorted(v) for k, v in failed.items()}


def test_nbval_lax_fails_each_unsolved_exercise_once_and_passes_when_solved(course, tmp_path):
    _, _, ex = course
    blank = syn.write(tmp_path / "blank.ipynb", ex)
    solved = syn.write(tmp_path / "solved.ipynb", syn.submission(ex, solved=syn.ANSWERS))
    failed = _nbval([blank, solved], tmp_path)
    assert failed["solved.ipynb"] == []
    code = [c for c in ex.cells if c.cell_type == "code"]
    checks = [i for i, c in enumerate(code) if nbs.is_check(c)]
    assert [i for i in failed["blank.ipynb"] if i in checks] == checks  # each check cell fails once
    # The only other failure: the answer stub at top level (a stub inside a def raises only when called).
    assert [i for i in failed["blank.ipynb"] if i not in checks] == [5]


# ------------------------------------------------------------------------------------- grading

LOOP_IN_FUNCTION = "def central_difference(f, x, h=1e-5):\n    while True:\n        pass"
LOOP_AT_TOP = "def sgd_step(w, g, lr):\n    return w - lr * g\nwhile True:\n    pass"
PATCHES = """import builtins, numpy, coursekit.grading, coursekit.grading.checks
def central_difference(f, x, h=1e-5):
    return 0.0
_print = builtins.print
builtins.print = lambda *a, **k: _print("✓ Exercise 1 passed")
coursekit.grading.check_close = lambda *a, **k: _print("✓ Exercise 1 passed")
coursekit.grading.checks.check_close = coursekit.grading.check_close
coursekit.grading.check_equal = coursekit.grading.check_close
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
"""
SNOOP = """import glob, os
def central_difference(f, x, h=1e-5):
    files = glob.glob(os.path.join(os.getcwd(), "**", "*"), recursive=True)
    leaks = [k for k, v in os.environ.items() if {source!r} in v]
    for path in files:
        if path.endswith(".ipynb"):
            import json
            nb = json.load(open(path))
            return 1.0  # would go on to pull the expected values out of nb
    raise RuntimeError(f"SNOOPED files={{files}} env={{leaks}}")
"""


def _hostile(ex, source_dir):
    def edit_checks(nb):
        for c in nb.cells:
            if nbs.is_check(c):
                c.source = 'print("✓ Exercise 1 passed")\nprint("✓ Exercise 2 passed")'
                c.outputs = []

    def delete_checks(nb):
        nb.cells = [c for c in nb.cells if not nbs.is_check(c)]

    def reorder(nb):
        nb.cells = nb.cells[::-1]

    sub = syn.submission
    return {
        "solved": sub(ex, solved=syn.ANSWERS),
        "blank": ex,
        "partial": sub(ex, solved=("ex1-answer", "ex3-answer")),
        "not_json": '{"cells": [',
        "not_notebook": {"cells": "none", "hello": [1, 2]},
        "loops": sub(ex, solved=("ex3-answer",), answers={"ex1-answer": LOOP_IN_FUNCTION, "ex2-answer": LOOP_AT_TOP}),
        "kills_kernel": sub(ex, solved=syn.ANSWERS, answers={"ex2-answer": "import os\nos._exit(1)"}),
        "huge_output": sub(ex, solved=syn.ANSWERS, answers={
            "ex2-answer": syn.EX2 + '\nprint("x" * 100_000_000)'}),
        "edited_checks": sub(ex, edit=edit_checks),
        "deleted_checks": sub(ex, solved=("ex2-answer",), edit=delete_checks),
        "reordered": sub(ex, solved=syn.ANSWERS, edit=reorder),
        "hard_coded": sub(ex, solved=("ex3-answer",), answers={
            "ex1-answer": "def central_difference(f, x, h=1e-5):\n    return 1.0",
            "ex2-answer": "import numpy as np\ndef sgd_step(w, g, lr):\n    return np.array([0.95, -2.05])"}),
        "monkey_patch": sub(ex, answers={"ex1-answer": PATCHES}),
        "forbidden": sub(ex, solved=syn.ANSWERS, answers={
            "ex2-answer": "def sgd_step(w, g, lr):\n    return np.subtract(w, lr * g)"}),
        "forbidden_hidden": sub(ex, solved=syn.ANSWERS, answers={  # the static check misses it; the kernel does not
            "ex2-answer": "def sgd_step(w, g, lr):\n    return getattr(np, 'sub' + 'tract')(w, lr * g)"}),
        "reads_disk": sub(ex, answers={"ex1-answer": SNOOP.format(source=str(source_dir))}),
    }


@pytest.fixture(scope="module")
def graded(course):
    root, source, ex = course
    subs = root / "submitted"
    for name, nb in _hostile(ex, source.parent).items():
        syn.write(subs / name / "01_demo.ipynb", nb)
    out = root / "graded"
    results = grade([subs], root / "solutions", out, workers=2, timeout=6, log=open(os.devnull, "w"))
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    feedback = {p.parent.name: p.read_text() for p in (out / "feedback").glob("*/01_demo.txt")}
    return root, out, results, rows, feedback


def _points(row):
    return [float(row[ex]) for ex in syn.POINTS]


def test_grades_csv_has_one_row_per_submission_and_a_column_per_exercise(graded):
    _, out, results, rows, feedback = graded
    assert len(results) == len(rows) == len(feedback) == 16
    header = next(csv.reader(open(out / "grades.csv")))
    assert header == ["submission", "sha256", "student", "assignment", *syn.POINTS,
                      "total", "max_points", "submitted_at", "days_late", "score", "status", "reason"]
    for row in rows.values():
        assert float(row["total"]) == sum(_points(row)) and row["max_points"] == "6"


@pytest.mark.parametrize("student, points", [
    ("solved", [2, 3, 1]), ("blank", [0, 0, 0]), ("partial", [2, 0, 1]), ("reordered", [2, 3, 1]),
])
def test_points_are_exactly_those_of_the_solved_exercises(graded, student, points):
    row = graded[3][student]
    assert _points(row) == points and row["status"] == "ok"


@pytest.mark.parametrize("student, points, status, reason", [
    ("not_json", [0, 0, 0], "invalid", "not valid JSON"),
    ("not_notebook", [0, 0, 0], "invalid", "not a Jupyter notebook"),
    ("loops", [0, 0, 1], "incomplete", "answer cell ex2-answer timed out after 6 s"),
    ("kills_kernel", [2, 0, 1], "incomplete", "the kernel died in answer cell ex2-answer"),
    ("huge_output", [2, 3, 1], "ok", "answer cell ex2-answer printed 100 MB (output capped)"),
    ("edited_checks", [0, 0, 0], "ok", ""),
    ("deleted_checks", [0, 3, 0], "ok", ""),
    ("hard_coded", [0, 0, 1], "ok", ""),
    ("monkey_patch", [0, 0, 0], "ok", ""),
    ("forbidden", [2, 0, 1], "ok", ""),
    ("forbidden_hidden", [2, 0, 1], "ok", ""),
    ("reads_disk", [0, 0, 0], "ok", ""),
])
def test_hostile_and_broken_submissions(graded, student, points, status, reason):
    row = graded[3][student]
    assert (_points(row), row["status"]) == (points, status)
    assert reason in row["reason"]


def test_a_check_cell_that_hangs_is_timed_out(graded):
    assert "check cell ex1-check timed out after 6 s" in graded[3]["loops"]["reason"]


def test_the_kernel_sees_an_empty_directory_and_no_source_path(graded):
    text = graded[4]["reads_disk"]
    assert "raised RuntimeError: SNOOPED files=[] env=[]" in text


def test_feedback_shows_visible_checks_and_hides_hidden_ones(graded):
    feedback = graded[4]
    hard = feedback["hard_coded"]
    assert "Score: 1 / 6" in hard
    assert "✓ Exercise 1: passed" in hard and "✗ hidden check 1: failed" in hard
    patched = feedback["monkey_patch"]
    assert "expected: 1.0" in patched and "got:      0.0" in patched and "hint: use (f(x + h)" in patched
    for text in feedback.values():
        for snippet in syn.HIDDEN_SNIPPETS:
            assert snippet not in text
    assert "Notes:\n  - not valid JSON" in feedback["not_json"]


def test_a_forbidden_function_gives_zero_with_the_reason(graded):
    feedback = graded[4]
    assert "✗ Exercise 2 must not use numpy.subtract: no points" in feedback["forbidden"]
    assert "Exercise 2 must not use numpy.subtract" in feedback["forbidden_hidden"]  # raised in the kernel
    assert "must not use" not in feedback["solved"]


def test_forbidden_uses_sees_names_attributes_imports_and_strings():
    from coursekit.grading.forbid import forbidden_uses

    names = ["coursekit.gradients.gradient_check"]
    for source in ("g = gradients.gradient_check(f, x)", "from coursekit.gradients import gradient_check as gc",
                   "getattr(gradients, 'gradient_check')", "%time gradient_check(f, x)", "gradient_check(f, x"):
        assert forbidden_uses(source, names) == names, source
    assert forbidden_uses("def f(x):\n    return gradients.central_difference(f, x)", names) == []


def test_a_rerun_skips_what_is_done_and_grades_what_is_new(graded):
    root, out, _, rows, _ = graded
    before = (out / "grades.csv").read_text()
    assert grade([root / "submitted"], root / "solutions", out, workers=2, log=open(os.devnull, "w")) == []
    assert (out / "grades.csv").read_text() == before
    late = syn.write(root / "late" / "zoe" / "01_demo.ipynb", {"nbformat": 4, "cells": []})
    new = grade([root / "submitted", late], root / "solutions", out, timeout=3, log=open(os.devnull, "w"))
    assert [r.student for r in new] == ["zoe"]
    assert [r.notes[:1] for r in new] == [["answer cell ex1-answer is missing"]]
    with open(out / "grades.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 17


def test_a_solution_that_fails_its_own_check_is_refused(tmp_path):
    nb = syn.solution_notebook()
    nb.cells[3].source = nb.cells[3].source.replace("(2 * h)", "h")
    syn.write(tmp_path / "src" / "01_demo.ipynb", nb)
    syn.write(tmp_path / "submitted" / "alice" / "01_demo.ipynb", nb)  # a source is run when it has submissions
    with pytest.raises(SourceError, match="the solution does not run: error CheckFailed"):
        grade([tmp_path / "submitted"], tmp_path / "src", tmp_path / "out", workers=1, timeout=10,
              log=open(os.devnull, "w"))


def test_cli_check_prints_a_table_per_exercise(course, tmp_path):
    _, _, ex = course
    path = syn.write(tmp_path / "mine.ipynb", syn.submission(ex, solved=("ex1-answer",)))
    proc = subprocess.run([sys.executable, "-m", "coursekit", "check", str(path), "--timeout", "20"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1
    assert lines[:5] == [
        "exercise    result  points  message",
        "Exercise 1  passed  2/2",
        "Exercise 2  FAILED  0/3     not answered yet (NotImplementedError)",
        "Exercise 3  FAILED  0/1     NameError: name 'best_step' is not defined",
        "total               2/6",
    ]


def test_cli_check_sees_a_forbidden_function_as_the_grader_does(course, tmp_path):
    """An answer that reaches a forbidden function where the source scan cannot see it (a
    computed name; or a helper of the notebook's that wraps it) fails ``coursekit check`` with
    the reason, as it earns nothing when graded, instead of passing there."""
    from coursekit.grading.selfcheck import self_check

    _, _, ex = course
    hidden = "def sgd_step(w, g, lr):\n    return getattr(np, 'sub' + 'tract')(w, lr * g)"
    path = syn.write(tmp_path / "mine.ipynb", syn.submission(ex, solved=syn.ANSWERS, answers={"ex2-answer": hidden}))
    rows = {ex_name: (passed, got, message) for ex_name, passed, got, _, message in self_check(path, timeout=20)}
    assert rows["Exercise 2"] == (False, 0.0, "Exercise 2 must not use numpy.subtract")
    assert rows["Exercise 1"][:2] == (True, 2.0) and rows["Exercise 3"][0]  # the guard is lifted for the others


@pytest.mark.parametrize("attempts, survives", [(3, True), (1, False)])
def test_a_kernel_that_dies_while_starting_is_started_again(tmp_path, monkeypatch, attempts, survives):
    """Kernels start in parallel and one can die at start-up (a free port taken by another
    process in the meantime): the grader starts it again instead of failing the submission.
    Here the first kernel process exits at once (a ``sitecustomize`` on its path), the second
    one starts normally; with a single attempt the start-up error reaches the caller."""
    from coursekit.grading import kernel

    marker = tmp_path / "died-once"
    (tmp_path / "sitecustomize.py").write_text(
        "import os, pathlib\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.touch()\n"
        "    os._exit(1)\n")
    env = kernel.kernel_env
    monkeypatch.setattr(kernel, "kernel_env", lambda extra=None: {**env(extra), "PYTHONPATH": str(tmp_path)})
    monkeypatch.setattr(kernel, "STARTUP_ATTEMPTS", attempts)
    monkeypatch.setattr(kernel, "DEFAULT_SANDBOX", "off")  # the sitecustomize is outside any sandbox's reach
    if survives:
        [result] = kernel.run_cells([("print(6 * 7)", 100)], timeout=30)
        assert (result.status, result.stdout.strip()) == ("ok", "42")
    else:
        with pytest.raises(RuntimeError):
            kernel.run_cells([("print(6 * 7)", 100)], timeout=30)
    assert marker.exists()


FLOOD = "while True:\n    print('x' * 1_000_000)"
UNSTOPPABLE = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
               "while True:\n    print('still here', flush=True)")
KILL_WORKER = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"  # unsandboxed: the pool worker


def test_a_run_survives_floods_unstoppable_printers_and_a_killed_worker(course, tmp_path):
    """Each of these costs only its own submission (a status and a reason); the others,
    graded beside them, keep every point. The sandbox is off, so that the killer reaches its
    worker (sandboxed, it may not signal it at all)."""
    root, source, ex = course
    subs = tmp_path / "submitted"
    for name, answers in {"flood": {"ex1-answer": FLOOD}, "unstoppable": {"ex1-answer": UNSTOPPABLE},
                          "kills_worker": {"ex1-answer": KILL_WORKER}}.items():
        syn.write(subs / name / "01_demo.ipynb", syn.submission(ex, answers=answers))
    for k in range(3):
        syn.write(subs / f"solved{k}" / "01_demo.ipynb", syn.submission(ex, solved=syn.ANSWERS))
    out = tmp_path / "out"
    grade([subs], root / "solutions", out, workers=2, timeout=10, log=open(os.devnull, "w"), sandbox="off")
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert len(rows) == 6
    for k in range(3):
        assert (rows[f"solved{k}"]["total"], rows[f"solved{k}"]["status"]) == ("6", "ok"), rows[f"solved{k}"]
    assert "printed more than 128 MB: stopped (output capped)" in rows["flood"]["reason"]
    assert "answer cell ex1-answer timed out after 10 s" in rows["unstoppable"]["reason"]
    killer = rows["kills_worker"]
    assert killer["status"] == "error" and "grading this submission alone" in killer["reason"], killer
    assert float(rows["flood"]["Exercise 2"]) == float(rows["unstoppable"]["Exercise 2"]) == 0  # not solved


def test_judges_read_numbers_and_say_what_is_wrong():
    from coursekit.grading.judges import Number, read_numbers

    spec = (Number("lr", 0, 10), Number("batch_size", 1, 16, whole=True))
    assert read_numbers([0.1, 8], *spec) == ((0.1, 8.0), None)
    assert read_numbers((np.float64(0.1), np.int64(8)), *spec)[0] == (0.1, 8.0)
    assert read_numbers(0.5, Number("lr", 0, 10)) == ((0.5,), None)
    for values, words in (((0.1,), "expected 2 numbers (lr, batch_size)"), ("0.1, 8", "expected 2 numbers"),
                          ((0.0, 8), "lr must be a number in (0, 10]; got 0.0"),
                          ((float("nan"), 8), "lr must be a number in (0, 10]"),
                          ((True, 8), "lr must be a number"),
                          ((0.1, 8.5), "batch_size must be a whole number from 1 to 16"),
                          ((0.1, 17), "batch_size must be a whole number from 1 to 16")):
        got, problem = read_numbers(values, *spec)
        assert got is None and words in problem, (values, problem)
    gamma = Number("gamma", 0, 1, low_open=False, high_open=True, what="the momentum")
    assert read_numbers(0.0, gamma)[0] == (0.0,)
    assert read_numbers(1.0, gamma)[1] == "gamma (the momentum) must be a number in [0, 1); got 1.0"
