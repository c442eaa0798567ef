"""Release: write the learners' exercise notebooks from the instructor's solution notebooks.

For every solution notebook (deterministic: the same input gives the same bytes):

* answer cells: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (a whole answer cell without a region
  becomes the stub); outputs and execution count cleared -- as ``nbgrader generate_assignment``;
* check cells: the ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions are removed
  and their outputs cleared (nothing shows "passed" before the learner answers); a check
  passes by not raising, so ``pytest --nbval-lax`` fails on an unsolved exercise (the stub and
  the check raise) and passes once it is solved;
* every code cell loses its ``# NBVAL_CHECK_OUTPUT`` comment lines (markers for nbval belong
  in cell tags, not in what the learner reads);
* other cells: outputs cleared, unless the cell has ``metadata.coursekit.keep_output: true``;
* cells are locked as nbgrader does (check and read-only cells not editable, answer and check
  cells not deletable); timing metadata is stripped; the notebook gets
  ``metadata.coursekit.assignment`` (the solution's file stem unless set) so a renamed
  submission can still be matched to its source.
"""

from __future__ import annotations

import ast
import copy
import pathlib
import re
import sys

from . import notebooks as nbs
from .rewrite import check_calls


def release_notebook(nb, assignment):
    """The exercise version of a solution notebook (a new object; the input is not changed)."""
    nb = copy.deepcopy(nb)
    meta = nb.setdefault("metadata", {})
    meta.setdefault("coursekit", {}).setdefault("assignment", assignment)
    meta.pop("celltoolbar", None)
    for cell in nb.cells:
        cell_meta = cell.setdefault("metadata", {})
        cell_meta.pop("execution", None)
        nbg = nbs.nbgrader_meta(cell)
        if nbs.BEGIN_SOLUTION in nbs.source_text(cell) or nbs.is_answer(cell):
            cell["source"] = nbs.stub_for(cell)
        if nbg.get("grade"):
            cell["source"] = nbs.remove_hidden_tests(nbs.source_text(cell))[0]
        if cell.get("cell_type") == "code":
            cell["source"] = strip_nbval_comments(nbs.source_text(cell))
            keep = not nbs.is_check(cell) and bool((cell_meta.get("coursekit") or {}).get("keep_output"))
            if not keep:
                cell["outputs"] = []
                cell["execution_count"] = None
            else:
                for output in cell.get("outputs", []):
                    output.get("metadata", {}).pop("execution", None)
        # nbgrader's LockCells defaults.
        if nbg.get("solution"):
            cell_meta["deletable"] = False
        elif nbg.get("grade") or nbg.get("locked"):
            cell_meta["deletable"] = False
            cell_meta["editable"] = False
    return nb


NBVAL_COMMENTS = ("# NBVAL_CHECK_OUTPUT", "# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP", "# NBVAL_RAISES_EXCEPTION")


def strip_nbval_comments(source):
    """``source`` without the lines that are only an nbval marker comment."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in NBVAL_COMMENTS)


def lint(nb, where):
    """Warnings about check cells the grader can only judge weakly."""
    warnings = []
    for index, cell in enumerate(nb.cells):
        if not nbs.is_check(cell):
            continue
        try:
            calls = check_calls(nbs.source_text(cell))
        except SyntaxError as err:
            warnings.append(f"{where}, cell {index}: check cell does not parse ({err.msg})")
            continue
        if not calls:
            warnings.append(f"{where}, cell {index}: check cell {nbs.grade_id(cell)!r} calls no "
                            "check_close/check_equal/check_true; the grader can only see whether it raised")
        for call in calls:
            if not call.args or isinstance(call.args[0], ast.Starred):
                warnings.append(f"{where}, cell {index}, line {call.lineno}: pass the checked value "
                                "as the first positional argument")
    return warnings


def solution_notebooks(source):
    source = pathlib.Path(source)
    if source.is_file():
        return [source]
    return sorted(p for p in source.glob("*.ipynb") if not p.name.startswith("."))


def release(source, out, *, check_only=False, stream=sys.stderr):
    """Write ``out/<name>.ipynb`` for every solution notebook in ``source`` (a folder or a file).

    With ``check_only``, write nothing and return the names of the exercise notebooks that are
    missing or differ from what a release would write. Otherwise return the names written.
    """
    out = pathlib.Path(out)
    changed = []
    for path in solution_notebooks(source):
        nb = nbs.read_source(path)
        for warning in lint(nb, str(path)):
            print(f"warning: {warning}", file=stream)
        text = nbs.dumps(release_notebook(nb, path.stem))
        target = out / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            changed.append(path.name)
            if not check_only:
                out.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text.encode("utf-8"))
    return changed


KINDS = ("implement", "predict", "diagnose", "tune", "interpret", "derive")
MIN_EXERCISES, MIN_KINDS = 6, 3
_HINT = re.compile(r"<details>\s*<summary>\s*Hint (\d)\s*</summary>(.*?)</details>", re.S)
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


def _kind(cell):
    ck = (cell.get("metadata") or {}).get("coursekit") or {}
    return ck.get("kind") if isinstance(ck, dict) else None


def indented_lines(markdown):
    """Lines that Markdown would show as a code block: 4+ leading spaces (or a tab), outside a
    fenced block, not continuing a list item, after a blank line or at the start."""
    found, fenced, in_list, previous_blank = [], False, False, True
    for number, line in enumerate(markdown.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and stripped:
            indented = line.startswith(("    ", "\t"))
            if _LIST_ITEM.match(line):
                in_list = True
            elif not indented:
                in_list = False
            elif not in_list and previous_blank:
                found.append(number)
        previous_blank = not stripped
    return found


def _hint_problems(text):
    hints = _HINT.findall(text)
    problems = []
    if [n for n, _ in hints] != ["1", "2"]:
        problems.append(f"has {len(hints)} hint block(s) numbered {[n for n, _ in hints]}; "
                        "exactly two: <details><summary>Hint 1</summary> ... and Hint 2")
    for n, body in hints:
        if "```" in body or "<code>" in body or "<pre>" in body or indented_lines(body):
            problems.append(f"Hint {n} contains code (hints give ideas, never code)")
    return problems


def lint_exercises(nb, where):
    """The authoring rules of exercises (``coursekit.grading`` docstring), as a list of problems:
    a prompt per exercise with ``coursekit.kind`` one of :data:`KINDS`, the same kind on its
    answer and check cells, exactly two hints without code, no Markdown line indented into a
    code block, well-formed ``coursekit.forbid``, at least six exercises of three kinds."""
    from .forbid import forbid_list

    problems, prompts, kinds = [], {}, {}
    for index, cell in enumerate(nb.cells):
        here = f"{where}, cell {index}"
        if cell.get("cell_type") == "markdown":
            for line in indented_lines(nbs.source_text(cell)):
                problems.append(f"{here}: line {line} is indented 4+ spaces and shows as a code block")
            ck = (cell.get("metadata") or {}).get("coursekit") or {}
            if isinstance(ck, dict) and isinstance(ck.get("exercise"), str):
                prompts.setdefault(ck["exercise"], (index, cell))
        if nbs.is_answer(cell) or nbs.is_check(cell):
            kinds.setdefault(nbs.exercise_of(cell), []).append((index, _kind(cell)))
        if nbs.is_answer(cell):
            try:
                forbid_list(cell)
            except ValueError as err:
                problems.append(f"{here}: {err}")
    for exercise, cells in kinds.items():
        if exercise not in prompts:
            problems.append(f"{where}: {exercise} has no prompt cell (markdown with coursekit.exercise)")
            continue
        index, prompt = prompts[exercise]
        kind = _kind(prompt)
        if kind not in KINDS:
            problems.append(f"{where}, cell {index}: {exercise}'s prompt has coursekit.kind {kind!r}; "
                            f"one of {', '.join(KINDS)}")
        for i, other in cells:
            if other != kind:
                problems.append(f"{where}, cell {i}: coursekit.kind {other!r}, but {exercise}'s prompt says {kind!r}")
        problems += [f"{where}, cell {index}: {exercise}'s prompt {p}" for p in _hint_problems(nbs.source_text(prompt))]
    used = {_kind(prompts[e][1]) for e in kinds if e in prompts} & set(KINDS)
    if len(kinds) < MIN_EXERCISES or len(used) < MIN_KINDS:
        problems.append(f"{where}: {len(kinds)} exercises of {len(used)} kinds; at least {MIN_EXERCISES} "
                        f"exercises of {MIN_KINDS} kinds")
    return problems
