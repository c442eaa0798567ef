"""Acceptance test of every chapter's exercises, with the real grader and the chapter's cases.

For each ``solutions/NN_name.ipynb`` the case file ``tests/exercise_cases/NN_name.py`` holds
``CASES = {exercise: {"wrong": {grade_id: source}, "wrong_message": str, "inside": ...,
"outside": ..., "forbidden": ...}}`` (the contract of issue 15). One grading run per chapter
(``coursekit.grading.grader.grade``, one reference run shared by all submissions) grades:

* the solution itself: full points for every exercise;
* the released blank: 0 for every exercise;
* every ``wrong`` answer together, on top of the solution: 0 for each, and its feedback
  contains ``wrong_message``;
* every ``inside`` answer (predict/tune: just inside the tolerance) on top of the solution:
  full points; every ``outside`` answer: 0 for those;
* every ``forbidden`` answer: 0, and the feedback names the forbidden function.

A chapter without a case file, an exercise without a case, or a predict/tune exercise
without inside/outside fails the test.
"""

import copy
import csv
import importlib.util
import io
import pathlib
import time

import pytest

from coursekit.grading import notebooks as nbs
from coursekit.grading.grader import grade
from coursekit.grading.release import release_notebook

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p for p in (ROOT / "solutions").glob("*.ipynb") if not p.name.startswith("."))
CASES_DIR = ROOT / "tests" / "exercise_cases"
NEEDS_TOLERANCE_CASES = ("predict", "tune")


def load_cases(path):
    spec = importlib.util.spec_from_file_location(f"exercise_cases_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def _kinds(nb):
    return {ck["exercise"]: ck.get("kind") for c in nb.cells
            if isinstance(ck := (c.get("metadata") or {}).get("coursekit"), dict) and "exercise" in ck}


def case_problems(nb, cases):
    """What the case file lacks for the notebook's exercises."""
    exercises = [nbs.exercise_of(c) for c in nb.cells if nbs.is_check(c)]
    kinds = _kinds(nb)
    problems = [f"{ex}: no case" for ex in exercises if ex not in cases]
    problems += [f"{ex}: a case for an exercise the notebook does not have" for ex in cases if ex not in exercises]
    for ex in exercises:
        case = cases.get(ex, {})
        if ex in cases and not (case.get("wrong") and case.get("wrong_message")):
            problems.append(f"{ex}: needs 'wrong' and 'wrong_message'")
        if ex in cases and kinds.get(ex) in NEEDS_TOLERANCE_CASES and not (case.get("inside") and case.get("outside")):
            problems.append(f"{ex}: a {kinds[ex]} exercise needs 'inside' and 'outside'")
    return problems


def _with_answers(nb, answers):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if nbs.grade_id(cell) in answers:
            cell["source"] = answers[nbs.grade_id(cell)]
    return nb


def _merged(cases, key):
    out = {}
    for case in cases.values():
        out.update(case.get(key) or {})
    return out


def grade_cases(source, cases, tmp):
    """One grading run: ``{student: (points per exercise, feedback)}`` and its time in seconds."""
    nb = nbs.read_source(source)
    blank = release_notebook(nb, source.stem)
    submissions = {"solution": nb, "blank": blank}
    for key in ("wrong", "inside", "outside", "forbidden"):
        if _merged(cases, key):
            submissions[key] = _with_answers(nb, _merged(cases, key))
    subs = tmp / "submitted"
    for student, sub in submissions.items():
        path = subs / student / source.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbs.dumps(sub), encoding="utf-8")
    src = tmp / "source"
    src.mkdir(exist_ok=True)
    (src / source.name).write_bytes(source.read_bytes())
    start = time.perf_counter()
    grade([subs], src, tmp / "out", workers=2, timeout=60, log=io.StringIO())
    seconds = time.perf_counter() - start
    with open(tmp / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    feedback = {s: (tmp / "out" / "feedback" / s / f"{source.stem}.txt").read_text(encoding="utf-8") for s in rows}
    return {s: ({ex: float(rows[s][ex]) for ex in cases}, feedback[s]) for s in rows}, seconds


def _section(feedback, exercise):
    """The lines of the feedback about one exercise."""
    lines, inside = [], False
    for line in feedback.splitlines():
        if line.startswith("Exercise ") or line.startswith("Notes:"):
            inside = line.startswith(f"{exercise}:")
        if inside:
            lines.append(line)
    return "\n".join(lines)


def check_chapter(source, cases, tmp):
    nb = nbs.read_source(source)
    problems = case_problems(nb, cases)
    assert problems == [], f"{source.name}: " + "; ".join(problems)
    full = {nbs.exercise_of(c): 0.0 for c in nb.cells if nbs.is_check(c)}
    for c in nb.cells:
        if nbs.is_check(c):
            full[nbs.exercise_of(c)] += nbs.points(c)
    graded, seconds = grade_cases(source, cases, tmp)
    failures = []
    points, _ = graded["solution"]
    failures += [f"solution: {ex} earns {points[ex]:g} of {full[ex]:g}" for ex in full if points[ex] != full[ex]]
    points, _ = graded["blank"]
    failures += [f"blank: {ex} earns {points[ex]:g}" for ex in full if points[ex] != 0]
    for key, expect_full in (("wrong", False), ("inside", True), ("outside", False), ("forbidden", False)):
        if key not in graded:
            continue
        points, feedback = graded[key]
        for ex, case in cases.items():
            if not case.get(key):
                continue
            want = full[ex] if expect_full else 0.0
            if points[ex] != want:
                failures.append(f"{key}: {ex} earns {points[ex]:g}, should earn {want:g}\n{_section(feedback, ex)}")
            if key == "wrong" and case["wrong_message"] not in _section(feedback, ex):
                failures.append(f"wrong: {ex}'s feedback lacks {case['wrong_message']!r}\n{_section(feedback, ex)}")
            if key == "forbidden" and "must not use" not in _section(feedback, ex):
                failures.append(f"forbidden: {ex}'s feedback does not name the function\n{_section(feedback, ex)}")
    assert failures == [], f"{source.name} ({seconds:.0f} s of grading):\n" + "\n".join(failures)
    return seconds


@pytest.mark.parametrize("source", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_chapter_exercises_grade_as_their_cases_say(source, tmp_path):
    case_file = CASES_DIR / f"{source.stem}.py"
    assert case_file.exists(), f"{case_file.relative_to(ROOT)} is missing (the exercise cases of {source.name})"
    seconds = check_chapter(source, load_cases(case_file), tmp_path)
    print(f"{source.stem}: graded in {seconds:.1f} s")


def test_the_harness_on_the_synthetic_notebook(tmp_path):
    from tests.grading_fixtures import synthetic as syn

    source = syn.write_solution(tmp_path / "solutions")
    cases = load_cases(ROOT / "tests" / "grading_fixtures" / "cases_01_demo.py")
    check_chapter(source, cases, tmp_path)
    missing = {k: v for k, v in cases.items() if k != "Exercise 3"}
    assert case_problems(nbs.read_source(source), missing) == ["Exercise 3: no case"]
    broken = {**cases, "Exercise 1": {**cases["Exercise 1"], "wrong_message": "no such text"}}
    with pytest.raises(AssertionError, match="Exercise 1's feedback lacks 'no such text'"):
        check_chapter(source, broken, tmp_path / "again")
