"""Gradescope's autograder zip and PrairieLearn's results.json, run in stand-in folder trees.

The formats are checked against what the platforms document: Gradescope's "Autograder
Specifications" (results.json: ``score``, ``output``, ``tests`` with ``name``, ``score``,
``max_score``, ``status``, ``visibility``, ``output``) and PrairieLearn's external grading
results (``gradable``, ``score`` in [0, 1], ``message``, ``output``, ``tests`` with ``name``,
``points``, ``max_points``, ``output``).
"""

import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from coursekit.grading import notebooks as nbs
from coursekit.grading import platforms
from coursekit.grading.release import release_notebook

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "01_gradients.ipynb"

GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
PL_TOP = {"gradable", "score", "message", "output", "images", "tests"}
PL_TEST = {"name", "description", "points", "max_points", "message", "output"}


def gradescope_problems(data):
    """What makes ``data`` not a valid Gradescope results.json (empty: valid)."""
    problems = [f"unknown key {k!r}" for k in set(data) - GRADESCOPE_TOP]
    tests = data.get("tests", [])
    if "score" not in data and not all("score" in t for t in tests):
        problems.append("no score: neither a total nor one per test")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in platforms.GRADESCOPE_VISIBILITY:
            problems.append(f"{key} {data[key]!r}")
    if not isinstance(data.get("score", 0), (int, float)) or not isinstance(data.get("output", ""), str):
        problems.append("score must be a number and output text")
    for t in tests:
        problems += [f"test {t.get('name')!r}: unknown key {k!r}" for k in set(t) - GRADESCOPE_TEST]
        if not (isinstance(t.get("score"), (int, float)) and isinstance(t.get("max_score"), (int, float))
                and 0 <= t["score"] <= t["max_score"]):
            problems.append(f"test {t.get('name')!r}: needs 0 <= score <= max_score")
        if t.get("status", "passed") not in ("passed", "failed") or t.get("visibility", "visible") not in \
                platforms.GRADESCOPE_VISIBILITY or not isinstance(t.get("name"), str):
            problems.append(f"test {t.get('name')!r}: bad name, status or visibility")
    return problems


def prairielearn_problems(data):
    problems = [f"unknown key {k!r}" for k in set(data) - PL_TOP]
    if not isinstance(data.get("gradable"), bool):
        problems.append("gradable must be true or false")
    if data.get("gradable") and not (isinstance(data.get("score"), float) and 0 <= data["score"] <= 1):
        problems.append("score must be a number in [0, 1]")
    for t in data.get("tests", []):
        problems += [f"test {t.get('name')!r}: unknown key {k!r}" for k in set(t) - PL_TEST]
        if not (isinstance(t.get("name"), str) and 0 <= t.get("points", -1) <= t.get("max_points", -1)):
            problems.append(f"test {t.get('name')!r}: needs a name and 0 <= points <= max_points")
    return problems


def test_the_validators_reject_what_the_formats_forbid():
    good = {"score": 1.0, "output": "", "tests": [{"name": "a", "score": 1.0, "max_score": 2.0,
                                                     "visibility": "visible", "output": ""}]}
    assert gradescope_problems(good) == []
    assert gradescope_problems({**good, "tests": [{**good["tests"][0], "score": 3.0}]})
    assert gradescope_problems({**good, "visibility": "sometimes"})
    assert gradescope_problems({**good, "points": 1})
    assert prairielearn_problems({"gradable": True, "score": 1.5, "tests": []})
    assert prairielearn_problems({"gradable": True, "score": 0.5, "tests": []}) == []


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip built with the command line, unpacked as Gradescope does."""
    tmp = tmp_path_factory.mktemp("gradescope")
    zip_path = tmp / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "coursekit", "gradescope", str(SOLUTION), "--out", str(zip_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(zip_path).namelist()
    assert {"setup.sh", "run_autograder", "solution/01_gradients.ipynb", "coursekit-src/pyproject.toml",
            "coursekit-src/coursekit/grading/grader.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n]
    root = tmp / "autograder"
    platforms.install_zip(zip_path, root)
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    return root


def run_autograder(root, files):
    """Put ``files`` ({name: bytes, or a Path to link to}) in submission/ and run run_autograder."""
    for folder in ("submission", "results"):
        subprocess.run(["rm", "-rf", str(root / folder)], check=True)
        (root / folder).mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        if isinstance(content, pathlib.Path):
            path.symlink_to(content)
        else:
            path.write_bytes(content)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "COURSEKIT_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert gradescope_problems(data) == [], data
    return data


def _blank():
    return nbs.dumps(release_notebook(nbs.read_source(SOLUTION), SOLUTION.stem)).encode()


def test_gradescope_grades_a_solved_a_blank_and_a_broken_submission(autograder):
    full = sum(nbs.points(c) for c in nbs.read_source(SOLUTION).cells if nbs.is_check(c))
    solved = run_autograder(autograder, {"01_gradients.ipynb": SOLUTION.read_bytes()})
    assert solved["score"] == full and all(t["status"] == "passed" for t in solved["tests"])
    assert "sandbox:" in solved["output"]
    blank = run_autograder(autograder, {"renamed by the student.ipynb": _blank()})
    assert blank["score"] == 0 and len(blank["tests"]) == len(solved["tests"])
    assert all(t["status"] == "failed" and t["max_score"] > 0 for t in blank["tests"])
    broken = run_autograder(autograder, {"01_gradients.ipynb": b'{"cells": [ this is not JSON'})
    assert broken["score"] == 0 and "not valid JSON" in broken["output"]
    assert all("not graded" in t["output"] for t in broken["tests"])


def test_gradescope_refuses_a_link_to_the_solution_and_a_wrong_upload(autograder):
    linked = run_autograder(autograder, {"01_gradients.ipynb": autograder / "source" / "solution" / SOLUTION.name})
    assert linked["score"] == 0 and "a symbolic link" in linked["output"]
    two = run_autograder(autograder, {"a.ipynb": _blank(), "b.ipynb": _blank()})
    assert two["score"] == 0 and "submit exactly one notebook, 01_gradients.ipynb (found: a.ipynb, b.ipynb)" in \
        two["output"]


def test_prairielearn_results(tmp_path):
    from tests.grading_fixtures import synthetic as syn

    source = syn.write_solution(tmp_path / "grade" / "tests")
    root = tmp_path / "grade"
    (root / "student").mkdir()
    (root / "student" / source.name).write_bytes(source.read_bytes())
    data = platforms.run("prairielearn", root, timeout=10)
    assert data == json.loads((root / "results" / "results.json").read_text())
    assert prairielearn_problems(data) == [] and data["gradable"] is True and data["score"] == 1.0
    assert [t["points"] for t in data["tests"]] == list(syn.POINTS.values())
    (root / "student" / source.name).write_text("not a notebook")
    data = platforms.run("prairielearn", root, timeout=10)
    assert prairielearn_problems(data) == [] and data["gradable"] is False and "not valid JSON" in data["message"]
