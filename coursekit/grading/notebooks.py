"""Notebook cells and their roles (the nbgrader metadata schema), regions, reading and writing.

Roles, from a cell's ``metadata["nbgrader"]`` (schema_version 3, as nbgrader writes it):

* answer cell: ``solution: true, grade: false`` -- the learner writes here;
* check cell: ``grade: true, solution: false`` (code) with ``points`` -- graded automatically;
* prompt cell: anything else (``locked: true`` cells are made read-only in the exercise).

``metadata["coursekit"]["exercise"]`` (optional, on answer and check cells) names the exercise a
cell belongs to; several check cells of one exercise add up. Without it, a check cell is its
own exercise, named by its ``grade_id``.
"""

from __future__ import annotations

import json
import pathlib
import re

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


class NotebookError(ValueError):
    """A source notebook breaks the authoring rules (the message says which cell and why)."""


def source_text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def nbgrader_meta(cell):
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def is_answer(cell):
    nbg = nbgrader_meta(cell)
    return bool(nbg.get("solution")) and not nbg.get("grade")


def is_check(cell):
    nbg = nbgrader_meta(cell)
    return bool(nbg.get("grade")) and not nbg.get("solution") and cell.get("cell_type") == "code"


def grade_id(cell):
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def exercise_of(cell):
    """The exercise a cell belongs to: ``coursekit.exercise`` metadata, else its grade_id."""
    meta = cell.get("metadata") or {}
    ck = meta.get("coursekit") if isinstance(meta, dict) else None
    if isinstance(ck, dict) and isinstance(ck.get("exercise"), str):
        return ck["exercise"]
    return grade_id(cell)


def points(cell):
    value = nbgrader_meta(cell).get("points", 0)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def assignment_id(nb, fallback):
    meta = nb.get("metadata") or {}
    ck = meta.get("coursekit") if isinstance(meta, dict) else None
    if isinstance(ck, dict) and isinstance(ck.get("assignment"), str):
        return ck["assignment"]
    return fallback


def _marked_lines(source, begin, end):
    """``[(line, where)]`` with ``where`` one of ``"begin"``, ``"inside"``, ``"end"`` (the
    region ``begin … end``, markers included) or ``"outside"``; a nested or unclosed region is
    a ``NotebookError``."""
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise NotebookError(f"nested {begin}")
            inside = True
            out.append((line, "begin"))
        elif end in line:
            inside = False
            out.append((line, "end"))
        else:
            out.append((line, "inside" if inside else "outside"))
    if inside:
        raise NotebookError(f"{begin} without {end}")
    return out


def replace_solution_regions(source, cell_type="code"):
    """nbgrader's ClearSolutions, line for line: each region becomes the stub, indented."""
    stub = (CODE_STUB if cell_type == "code" else TEXT_STUB).split("\n")
    out, replaced = [], False
    for line, where in _marked_lines(source, BEGIN_SOLUTION, END_SOLUTION):
        if where == "begin":
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub)
            replaced = True
        elif where == "outside":
            out.append(line)
    return "\n".join(out), replaced


def remove_hidden_tests(source):
    """nbgrader's ClearHiddenTests: drop the hidden regions, markers included."""
    marked = _marked_lines(source, BEGIN_HIDDEN, END_HIDDEN)
    kept = [line for line, where in marked if where == "outside"]
    return "\n".join(kept), len(kept) < len(marked)


def hidden_lines(source):
    """The 1-based line numbers inside hidden-test regions (markers included)."""
    return {number for number, (_, where) in enumerate(_marked_lines(source, BEGIN_HIDDEN, END_HIDDEN), start=1)
            if where != "outside"}


def stub_for(cell):
    """What an answer cell looks like in the released exercise."""
    source = source_text(cell)
    stubbed, replaced = replace_solution_regions(source, cell.get("cell_type", "code"))
    if replaced:
        return stubbed
    return CODE_STUB if cell.get("cell_type") == "code" else TEXT_STUB


class Node(dict):
    """A notebook, cell or output read from JSON: a dict whose keys are also attributes, as in
    nbformat's ``NotebookNode`` (``nb.cells``, ``cell.cell_type``). Reading notebooks as plain
    JSON keeps ``coursekit check``, ``grade`` and ``release`` quick to start: importing nbformat
    takes seconds (its validator builds a URI grammar at import)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __deepcopy__(self, memo):
        return _node(json.loads(json.dumps(self)))


def _node(value):
    if isinstance(value, dict):
        return Node((k, _node(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_node(v) for v in value]
    return value


def read_notebook(path):
    """A notebook file (format 4) as :class:`Node`; ``NotebookError`` says why a file is not one."""
    path = pathlib.Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise NotebookError(f"{path} is not a Jupyter notebook (not readable as JSON: {type(err).__name__})") from None
    if not (isinstance(nb, dict) and isinstance(nb.get("cells"), list) and isinstance(nb.get("nbformat"), int)
            and nb["nbformat"] >= 4 and all(isinstance(c, dict) and "cell_type" in c for c in nb["cells"])):
        raise NotebookError(f"{path} is not a Jupyter notebook in format 4")
    return _node(nb)


def read_source(path):
    """Read an instructor's notebook (nbformat 4) and check the authoring rules."""
    nb = read_notebook(path)
    validate_source(nb, str(path))
    return nb


def validate_source(nb, where):
    seen = set()
    for index, cell in enumerate(nb.cells):
        nbg = nbgrader_meta(cell)
        src = source_text(cell)
        here = f"{where}, cell {index}"
        if nbg:
            gid = grade_id(cell)
            if not gid:
                raise NotebookError(f"{here}: nbgrader metadata without a grade_id")
            if gid in seen:
                raise NotebookError(f"{here}: grade_id {gid!r} is used twice")
            seen.add(gid)
        try:
            replace_solution_regions(src)
            remove_hidden_tests(src)
        except NotebookError as err:
            raise NotebookError(f"{here}: {err}") from None
        if BEGIN_SOLUTION in src and not is_answer(cell):
            raise NotebookError(f"{here}: a solution region in a cell not marked as an answer cell")
        if BEGIN_HIDDEN in src and not nbg.get("grade"):
            raise NotebookError(f"{here}: a hidden-test region in a cell not marked as a check cell")
        if is_check(cell) and points(cell) <= 0:
            raise NotebookError(f"{here}: check cell {grade_id(cell)!r} has no points")


def ensure_cell_ids(nb):
    """Give cells without an id a deterministic one (nbformat would make random ones)."""
    used = {c.get("id") for c in nb.cells if c.get("id")}
    for index, cell in enumerate(nb.cells):
        if not cell.get("id"):
            candidate = f"cell-{index}"
            while candidate in used:
                candidate += "x"
            cell["id"] = candidate
            used.add(candidate)
    if nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5


# outputs' data whose text nbformat stores as a list of lines (JSON data stays whole)
def _is_text_mime(mime):
    return not (mime == "application/json" or mime.endswith("+json"))


def _lines(value):
    return value.splitlines(keepends=True) if isinstance(value, str) else value


def dumps(nb):
    """Deterministic text of a notebook, in nbformat's layout: sources and text outputs as lists
    of lines, indent 1, sorted keys, non-ASCII kept, a final newline (what ``nbformat.writes``
    gives; tests/test_exercises.py validates the released notebooks with nbformat)."""
    ensure_cell_ids(nb)
    data = json.loads(json.dumps(nb))
    for key in ("orig_nbformat", "orig_nbformat_minor", "signature"):
        data.get("metadata", {}).pop(key, None)
    for cell in data["cells"]:
        cell.get("metadata", {}).pop("trusted", None)
        cell["source"] = _lines(cell.get("source", ""))
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _lines(output["text"])
            for mime, value in output.get("data", {}).items():
                if _is_text_mime(mime):
                    output["data"][mime] = _lines(value)
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
