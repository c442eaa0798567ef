"""Exercises: checks with clear messages, release of exercises from solutions, and grading.

Authoring a solution notebook (``solutions/NN_name.ipynb``, the single source)
-----------------------------------------------------------------------------
The cell metadata is nbgrader's own (schema_version 3), so ``nbgrader generate_assignment``
and ``nbgrader autograde`` understand the notebooks too.

Answer cell (the learner writes here)::

    {"nbgrader": {"grade": false, "solution": true, "locked": false,
                  "grade_id": "ex1-answer", "schema_version": 3},
     "coursekit": {"exercise": "Exercise 1"}}

    def central_difference(f, x, h=1e-5):
        ### BEGIN SOLUTION
        return (f(x + h) - f(x - h)) / (2 * h)
        ### END SOLUTION

Check cell (graded; ``points`` per cell)::

    {"nbgrader": {"grade": true, "solution": false, "locked": true, "points": 2,
                  "grade_id": "ex1-check", "schema_version": 3},
     "coursekit": {"exercise": "Exercise 1"}}

    from coursekit.grading import check_close
    check_close(central_difference(np.sin, 0.0), 1.0, name="Exercise 1",
                hint="use (f(x + h) - f(x - h)) / (2 h)")
    ### BEGIN HIDDEN TESTS
    check_close(central_difference(np.exp, 1.0), np.exp(1.0), rtol=1e-8)
    ### END HIDDEN TESTS

Rules:

* ``grade_id`` is unique in the notebook; a check cell has ``points`` > 0.
* ``metadata.coursekit.exercise`` groups cells into one exercise (one CSV column; points of its
  check cells add up). Without it a check cell is an exercise of its own, named by grade_id.
* Check cells call :func:`check_close`, :func:`check_equal` or :func:`check_true` directly by
  name, with the learner's value first and the expected value second, written inline: the
  grader evaluates only the first argument in the learner's kernel (see ``rewrite``).
* Only the visible check that ends an exercise passes ``name=...``: it prints the success line
  ``✓ Exercise 1 passed`` that is stored as the cell's output. Hidden checks are silent, so the
  output is the same with and without them. Checks must be deterministic (seed random inputs).
* Notebook metadata ``{"coursekit": {"assignment": "01_gradients"}}`` (optional; release adds
  it) lets the grader match a renamed submission to its source.
* ``metadata.coursekit.keep_output: true`` on a prompt cell keeps its output in the exercise.

Commands (``python -m coursekit ...``): ``release SOLUTIONS EXERCISES`` (``release``),
``check NOTEBOOK`` (``selfcheck``), ``grade SUBMISSIONS... --source --out`` (``grader``).
"""

from .checks import CheckFailed, check_close, check_equal, check_judged, check_true, compare, passed

__all__ = ["CheckFailed", "check_close", "check_equal", "check_judged", "check_true", "compare", "passed"]
