"""A small synthetic exercise notebook (NumPy only) and submissions built from it.

Used by tests/test_grading.py and benchmarks/bench_grading.py, so neither depends on the
course's real solution notebooks. Three exercises: 2, 3 and 1 points.
"""

import copy
import json
import pathlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ANSWERS = ("ex1-answer", "ex2-answer", "ex3-answer")
POINTS = {"Exercise 1": 2.0, "Exercise 2": 3.0, "Exercise 3": 1.0}

EX1 = """def central_difference(f, x, h=1e-5):
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION"""
CHK1 = """from coursekit.grading import check_close
check_close(central_difference(np.sin, 0.0), 1.0, name="Exercise 1", hint="use (f(x + h) - f(x - h)) / (2 h)")
### BEGIN HIDDEN TESTS
check_close(central_difference(np.exp, 1.0), np.exp(1.0), rtol=1e-8)
check_close(central_difference(lambda x: x**3, 2.0), 12.000000000, rtol=1e-8)
### END HIDDEN TESTS"""
EX2 = """def sgd_step(w, g, lr):
    ### BEGIN SOLUTION
    return w - lr * g
    ### END SOLUTION"""
CHK2 = """# NBVAL_CHECK_OUTPUT
from coursekit.grading import check_close
w = np.array([1.0, -2.0])
check_close(sgd_step(w, np.array([0.5, 0.5]), 0.1), np.array([0.95, -2.05]), name="Exercise 2", hint="w - lr * g")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(20240611)
w2, g2 = rng.normal(size=3), rng.normal(size=3)
check_close(sgd_step(w2, g2, 0.3), w2 - 0.3 * g2)
### END HIDDEN TESTS"""
EX3 = """### BEGIN SOLUTION
def best_step(losses):
    return int(np.argmin(losses))
### END SOLUTION"""
CHK3 = """from coursekit.grading import check_equal
check_equal(best_step([3.0, 1.0, 2.0]), 1, name="Exercise 3", hint="np.argmin")
### BEGIN HIDDEN TESTS
check_equal(best_step(np.array([5.0, 4.0, 3.0, 9.0])), 2)
### END HIDDEN TESTS"""
# What nbgrader generate_assignment makes of the answer and check cells.
STUBS = {
    "ex1-answer": "def central_difference(f, x, h=1e-5):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
    "ex2-answer": "def sgd_step(w, g, lr):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
    "ex3-answer": "# YOUR CODE HERE\nraise NotImplementedError()",
}
HIDDEN_SNIPPETS = ("np.exp(1.0)", "12.000000000", "20240611", "w2 - 0.3 * g2", "[5.0, 4.0, 3.0, 9.0]")


def _meta(gid, exercise, points=None):
    nbg = {"grade": points is not None, "solution": points is None, "locked": points is not None,
           "grade_id": gid, "schema_version": 3}
    if points is not None:
        nbg["points"] = points
    return {"nbgrader": nbg, "coursekit": {"exercise": exercise}}


def _forbid(meta):
    meta["coursekit"]["forbid"] = ["numpy.subtract"]  # Exercise 2 must not use np.subtract
    return meta


def _check(gid, exercise, points, source, count):
    cell = new_code_cell(source, metadata=_meta(gid, exercise, points), execution_count=count)
    cell.outputs = [new_output("stream", name="stdout", text=f"\N{CHECK MARK} {exercise} passed\n")]
    return cell


def solution_notebook():
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    locked = {"nbgrader": {"grade": False, "solution": False, "locked": True, "grade_id": "intro", "schema_version": 3}}
    nb.cells = [
        new_markdown_cell("# Exercises on gradients", metadata=locked),
        new_code_cell("import numpy as np", execution_count=1),
        new_markdown_cell("**Exercise 1.** Central differences."),
        new_code_cell(EX1, metadata=_meta("ex1-answer", "Exercise 1"), execution_count=2),
        _check("ex1-check", "Exercise 1", 2, CHK1, 3),
        new_markdown_cell("**Exercise 2.** One SGD step."),
        new_code_cell(EX2, metadata=_forbid(_meta("ex2-answer", "Exercise 2")), execution_count=4),
        _check("ex2-check", "Exercise 2", 3, CHK2, 5),
        new_markdown_cell("**Exercise 3.** The step with the lowest loss."),
        new_code_cell(EX3, metadata=_meta("ex3-answer", "Exercise 3"), execution_count=6),
        _check("ex3-check", "Exercise 3", 1, CHK3, 7),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
    return nb


def write_solution(folder, name="01_demo"):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(solution_notebook(), str(path))
    return path


def submission(exercise_nb, solved=(), answers=None, edit=None):
    """The released exercise with some answer cells solved or replaced, then ``edit(nb)``."""
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution_notebook().cells
                if c.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(exercise_nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solved:
            cell.source = solution[gid]
        if answers and gid in answers:
            cell.source = answers[gid]
    if edit:
        nb = edit(nb) or nb
    return nb


def write(path, nb):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb)
    elif isinstance(nb, (dict, list)) and not isinstance(nb, nbformat.NotebookNode):
        path.write_text(json.dumps(nb))
    else:
        nbformat.write(nb, str(path))
    return path
