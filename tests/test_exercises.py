"""The course's exercise notebooks: released from solutions/, failing unsolved, passing solved.

Generic over every ``solutions/NN_*.ipynb``:

* ``exercises/`` is exactly what ``python -m coursekit release solutions exercises`` writes;
* every exercise notebook, run as released (unsolved), earns 0 points and each exercise has
  exactly one check cell, which raises -- so ``pytest --nbval-lax exercises/NN_*.ipynb`` shows
  one failing check per exercise, and a check that cannot fail is caught;
* every solution notebook, run top to bottom, earns full points and each check cell prints
  exactly the success line stored in the notebook (the output the exercise keeps);
* the metadata follow the authoring rules (``coursekit.grading`` docstring).

Each notebook runs once, in a fresh kernel (``coursekit.grading.kernel.run_cells``, the
runner of ``python -m coursekit check``), two at a time, in a session-scoped fixture.
"""

import ast
import concurrent.futures as cf
import io
import pathlib

import nbformat
import pytest

from coursekit.grading import notebooks as nbs
from coursekit.grading.kernel import run_cells
from coursekit.grading.release import lint, lint_exercises, release
from coursekit.grading.rewrite import check_calls, site_info

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb") if not p.name.startswith("."))
EXERCISES = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb") if not p.name.startswith("."))
# kinds whose answer may be a number, a choice or settings (no code to try on hidden inputs)
ANSWER_CAN_BE_A_VALUE = {"predict", "interpret", "tune", "diagnose"}
ALLOWED_UNSOLVED_ERRORS = {"NotImplementedError", "NameError", "CheckFailed"}

pytestmark = pytest.mark.skipif(not SOLUTIONS, reason="no solution notebooks yet")


def _read(folder, name):
    return nbformat.read(str(ROOT / folder / name), as_version=4)


def _run(folder, name):
    """``[(cell, CellResult)]`` for the code cells of ``folder/name``, run in its folder."""
    nb = _read(folder, name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # sandbox off: these are the course's own notebooks, and two kernels run in threads of one
    # process, while a sandbox's uid belongs to one kernel at a time (one per grading process)
    results = run_cells([(nbs.source_text(c), 100_000) for c in code], timeout=120, sandbox="off",
                        cwd=str(ROOT / folder), max_restarts=0)
    return list(zip(code, results, strict=True))


@pytest.fixture(scope="session")
def runs():
    """Every solution and every released exercise notebook, run once (two kernels at a time)."""
    jobs = [(folder, name) for name in SOLUTIONS for folder in ("solutions", "exercises")
            if (ROOT / folder / name).exists()]
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {job: pool.submit(_run, *job) for job in jobs}
        return {job: future.result() for job, future in futures.items()}


def _exercises(nb):
    """``{exercise: {"answers": [cells], "checks": [cells]}}`` in notebook order."""
    out = {}
    for cell in nb.cells:
        if nbs.is_answer(cell) or nbs.is_check(cell):
            entry = out.setdefault(nbs.exercise_of(cell), {"answers": [], "checks": []})
            entry["answers" if nbs.is_answer(cell) else "checks"].append(cell)
    return out


def _points(results):
    """``{exercise: (earned, max)}`` from a run: a check cell earns its points if it did not raise."""
    out = {}
    for cell, res in results:
        if nbs.is_check(cell):
            earned, total = out.get(nbs.exercise_of(cell), (0.0, 0.0))
            out[nbs.exercise_of(cell)] = (earned + (nbs.points(cell) if res.status == "ok" else 0.0),
                                          total + nbs.points(cell))
    return out


# ------------------------------------------------------------------------------------- release


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("released")
    release(ROOT / "solutions", out, stream=io.StringIO())
    return out


@pytest.mark.parametrize("name", SOLUTIONS)
def test_exercise_notebook_is_exactly_what_release_writes(name, released):
    committed = ROOT / "exercises" / name
    assert committed.exists(), f"exercises/{name} is missing: run `python -m coursekit release solutions exercises`"
    assert committed.read_bytes() == (released / name).read_bytes(), (
        f"exercises/{name} differs from a fresh release of solutions/{name}: run "
        "`python -m coursekit release solutions exercises` (never edit exercises/ by hand)")


@pytest.mark.parametrize("name", SOLUTIONS)
def test_released_notebook_is_valid_and_laid_out_as_nbformat_writes_it(name, released):
    """release writes notebooks without importing nbformat (it is slow to import): the result
    must still be a valid notebook in exactly nbformat's layout."""
    import nbformat

    text = (released / name).read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert nbformat.writes(nb) + "\n" == text


def test_no_exercise_notebook_without_a_solution():
    assert set(EXERCISES) <= set(SOLUTIONS), "exercise notebooks without a source in solutions/"


# ------------------------------------------------------------------------------------ metadata


@pytest.mark.parametrize("name", SOLUTIONS)
def test_solution_metadata_follow_the_authoring_rules(name):
    nb = _read("solutions", name)
    nbs.validate_source(nb, name)  # grade_ids present and unique, regions well formed, points > 0
    assert lint(nb, name) == []  # every check cell calls check_close/check_equal/check_true
    exercises = _exercises(nb)
    assert len(exercises) >= 6, f"{name}: {len(exercises)} exercises (at least 6 per chapter)"
    for ex, cells in exercises.items():
        assert cells["answers"], f"{name}: {ex} has no answer cell"
        assert len(cells["checks"]) == 1, f"{name}: {ex} must have exactly one check cell"
        assert all(nbs.BEGIN_SOLUTION in nbs.source_text(c) for c in cells["answers"])
        check = cells["checks"][0]
        assert nbs.points(check) > 0
        source = nbs.source_text(check)
        kind = (check.metadata.get("coursekit") or {}).get("kind")
        if kind not in ANSWER_CAN_BE_A_VALUE:  # code is checked on hidden inputs too; a stated value is not
            assert any(hidden for _, hidden in site_info(source)), f"{name}: {ex} has no hidden checks"
        visible = check_calls(nbs.remove_hidden_tests(source)[0])
        named = [c for c in visible if any(k.arg == "name" for k in c.keywords)]
        assert named == visible[-1:], f"{name}: only the last visible check of {ex} passes name="
        (name_kw,) = [k for k in named[0].keywords if k.arg == "name"]
        assert isinstance(name_kw.value, ast.Constant) and name_kw.value.value == ex
        hidden = check_calls(source)[len(visible):]
        assert not any(k.arg == "name" for c in hidden for k in c.keywords), f"{name}: a hidden check of {ex} prints"
        texts = [o.get("text") for o in check.outputs]
        assert texts == [f"\N{CHECK MARK} {ex} passed\n"], f"{name}: {ex}'s stored output is {texts}"
    assert list(exercises) == [f"Exercise {k}" for k in range(1, len(exercises) + 1)]


@pytest.mark.parametrize("name", SOLUTIONS)
def test_exercises_have_kinds_prompts_and_two_hints(name):
    """Issue 15: a prompt per exercise with coursekit.kind (six kinds), the same kind on its
    answer and check cells, exactly two hints without code, no Markdown indented into a code
    block, at least six exercises of three kinds (``coursekit.grading.release.lint_exercises``)."""
    problems = lint_exercises(_read("solutions", name), name)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", SOLUTIONS)
def test_exercise_metadata_and_stubs(name):
    if not (ROOT / "exercises" / name).exists():
        pytest.skip("not released yet (see test_exercise_notebook_is_exactly_what_release_writes)")
    nb = _read("exercises", name)
    solution = _exercises(_read("solutions", name))
    exercises = _exercises(nb)
    assert list(exercises) == list(solution)
    ids = [nbs.grade_id(c) for c in nb.cells if nbs.grade_id(c)]
    assert len(ids) == len(set(ids))
    for ex, cells in exercises.items():
        assert [nbs.points(c) for c in cells["checks"]] == [nbs.points(c) for c in solution[ex]["checks"]]
        for cell in cells["answers"]:
            assert "raise NotImplementedError()" in nbs.source_text(cell) and not cell.get("outputs")
        for cell in cells["checks"]:
            assert not nbs.hidden_lines(nbs.source_text(cell))
    text = nbs.dumps(nb)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN", "END HIDDEN"):
        assert marker not in text


# ------------------------------------------------------------------------------ running them


@pytest.mark.parametrize("name", SOLUTIONS)
def test_unsolved_exercise_notebook_fails_every_exercise(name, runs):
    if ("exercises", name) not in runs:
        pytest.skip("not released yet")
    results = runs["exercises", name]
    for cell, res in results:
        where = f"exercises/{name}, cell {cell.get('id')} ({nbs.grade_id(cell) or 'set-up'})"
        if nbs.is_check(cell):
            assert res.status == "error", f"{where}: the check passes without an answer"
            assert res.ename in ALLOWED_UNSOLVED_ERRORS, f"{where}: {res.ename}: {res.evalue}"
        elif nbs.is_answer(cell):
            assert res.status == "ok" or res.ename == "NotImplementedError", f"{where}: {res.ename}: {res.evalue}"
        else:
            assert res.status == "ok", f"{where}: {res.status} {res.ename}: {res.evalue}"
    points = _points(results)
    assert points and all(earned == 0 and total > 0 for earned, total in points.values()), points


@pytest.mark.parametrize("name", SOLUTIONS)
def test_solution_notebook_earns_full_points_and_prints_its_stored_output(name, runs):
    results = runs["solutions", name]
    for cell, res in results:
        where = f"solutions/{name}, cell {cell.get('id')} ({nbs.grade_id(cell) or 'set-up'})"
        assert res.status == "ok", f"{where}: {res.status} {res.ename}: {res.evalue}"
        if nbs.is_check(cell):
            stored = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            assert res.stdout == stored, f"{where}: printed {res.stdout!r}, stored {stored!r}"
    points = _points(results)
    assert points and all(earned == total > 0 for earned, total in points.values()), points
