"""Exercises: checks with clear messages, release of exercises from solutions, and grading.

Authoring a solution notebook (``solutions/NN_name.ipynb``, the single source)
-----------------------------------------------------------------------------
The cell metadata is nbgrader's own (schema_version 3), so ``nbgrader generate_assignment``
and ``nbgrader autograde`` understand the notebooks too.

Answer cell (the learner writes here)::

    {"nbgrader": {"grade": false, "solution": true, "locked": false,
                  "grade_id": "ex1-answer", "schema_version": 3},
     "coursekit": {"exercise": "Exercise 1", "kind": "implement"}}

    def central_difference(f, x, h=1e-5):
        ### BEGIN SOLUTION
        return (f(x + h) - f(x - h)) / (2 * h)
        ### END SOLUTION

Check cell (graded; ``points`` per cell)::

    {"nbgrader": {"grade": true, "solution": false, "locked": true, "points": 2,
                  "grade_id": "ex1-check", "schema_version": 3},
     "coursekit": {"exercise": "Exercise 1", "kind": "implement"}}

    from coursekit.grading import check_close
    check_close(central_difference(np.sin, 0.0), 1.0, name="Exercise 1",
                hint="use (f(x + h) - f(x - h)) / (2 h)")
    ### BEGIN HIDDEN TESTS
    check_close(central_difference(np.exp, 1.0), np.exp(1.0), rtol=1e-8)
    ### END HIDDEN TESTS

Prompt cell (markdown, one per exercise; metadata ``{"coursekit": {"exercise": "Exercise 1",
"kind": "implement"}}``): ``## Exercise 1: Title (2 points)``, a line ``*Kind: implement*``,
the task in words and symbols (no code-shaped formula for ``implement``), then exactly two
stepped hints, each ``<details><summary>Hint 1</summary> ... </details>`` (then ``Hint 2``,
closer), never code. Kinds: ``implement``, ``predict``, ``diagnose``, ``tune``, ``interpret``,
``derive`` (:data:`coursekit.grading.release.KINDS`); answer and check cells carry the same
``coursekit.kind`` as their prompt.

Rules (``release.lint_exercises`` and ``lint`` check them; tests/test_exercises.py runs them):

* ``grade_id`` is unique in the notebook; a check cell has ``points`` > 0.
* ``metadata.coursekit.exercise`` groups cells into one exercise (one CSV column); exactly one
  check cell per exercise; at least 6 exercises of at least 3 kinds per chapter.
* Check cells call :func:`check_close`, :func:`check_equal`, :func:`check_true` or
  :func:`check_judged` directly by name, with the learner's value first, written inline: the
  grader evaluates only the first argument in the learner's kernel (see ``rewrite``). ``hint=``
  is the idea (Hint-1 level), never code.
* ``check_judged(got, "chNN.judge", name=..., hint=..., **kw)``: for answers judged by running
  something (``tune``). The judge is ``coursekit/grading/judges/chNN.py: judge(values, **kw) ->
  (ok, message)`` (contract in ``coursekit.grading.judges``); the grader calls it in its own
  process with the learner's recorded value and the solution's keyword arguments (literals).
* ``metadata.coursekit.forbid: ["coursekit.gradients.gradient_check"]`` on an answer cell: an
  answer that refers to one of these functions gets 0 for the exercise, with the reason
  (``coursekit.grading.forbid``: static in the grader, and the functions raise in the kernel).
  Say so in the prompt; the check's ``got`` expression must not call them itself.
* Only the visible check that ends an exercise passes ``name=...`` (it prints ``✓ Exercise 1
  passed``); hidden checks are silent. Checks must be deterministic (seed random inputs).
* The released exercise keeps no check output (nothing says "passed" before an answer), and no
  ``# NBVAL_CHECK_OUTPUT`` comment (release strips them: put markers in cell tags). A failing
  check shows its message only, no traceback (``CheckFailed._render_traceback_``).
* No Markdown line indented 4+ spaces (it would show as a code block), except in a fenced
  block or a list continuation.
* Notebook metadata ``{"coursekit": {"assignment": "01_gradients"}}`` (optional; release adds
  it) lets the grader match a renamed submission to its source.
* ``metadata.coursekit.keep_output: true`` on a non-check code cell keeps its output.

Test cases: ``tests/exercise_cases/NN_name.py`` holds ``CASES = {"Exercise 1": {"wrong":
{grade_id: source}, "wrong_message": "...", "inside": {...}, "outside": {...}, "forbidden":
{...}}}`` (inside/outside required for predict and tune); tests/test_exercise_cases.py grades
them with the real grader.

Commands (``python -m coursekit ...``): ``release SOLUTIONS EXERCISES`` (``release``),
``check NOTEBOOK`` (``selfcheck``), ``grade SUBMISSIONS... --source --out`` (``grader``).
"""

from .checks import CheckFailed, check_close, check_equal, check_judged, check_true, compare, passed

__all__ = ["CheckFailed", "check_close", "check_equal", "check_judged", "check_true", "compare", "passed"]
