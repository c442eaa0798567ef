"""Self-check: run a learner's notebook as it is and report each exercise's checks.

This is for the learner, on their own machine: the notebook's own check cells run in its own
kernel (in the notebook's folder), and a check cell passes when it does not raise. The points
come from the check cells' metadata.
"""

from __future__ import annotations

import pathlib

from . import notebooks as nbs
from .kernel import run_cells


def self_check(path, *, timeout=60.0):
    """``[(exercise, passed, points, max_points, message)]`` in notebook order."""
    path = pathlib.Path(path)
    nb = nbs.read_notebook(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    results = run_cells([(src, 100_000) for src in _guarded_sources(code)], timeout=timeout,
                        cwd=str(path.resolve().parent))
    forbidden = _forbidden(nb)
    rows = {}
    for cell, res in zip(code, results, strict=True):
        if not nbs.is_check(cell):
            continue
        ex = nbs.exercise_of(cell)
        ok = res.status == "ok"
        if res.status == "error" and res.ename in ("CheckFailed", "AssertionError"):
            message = res.evalue
        elif res.status == "error" and res.ename == "NotImplementedError":
            message = "not answered yet (NotImplementedError)"
        elif res.status == "error":
            message = f"{res.ename}: {res.evalue}"
        else:
            message = {"ok": "", "timeout": f"timed out after {timeout:g} s", "died": "the kernel died",
                       "not run": "not run (the kernel failed earlier)"}[res.status]
        if ex in forbidden:
            ok, message = False, forbidden[ex]
        name, passed, got, total, msgs = rows.get(ex, (ex, True, 0.0, 0.0, []))
        rows[ex] = (name, passed and ok, got + (nbs.points(cell) if ok else 0.0), total + nbs.points(cell),
                    msgs + ([message] if message else []))
    return [(ex, passed, got, total, " | ".join(m)) for ex, passed, got, total, m in rows.values()]


def _guarded_sources(code_cells):
    """The cells' sources with the grader's kernel-side guard against forbidden functions, so
    that an answer reaching one through a helper fails here as it does when graded."""
    from .forbid import with_guards

    rows = [(nbs.source_text(cell), nbs.exercise_of(cell) if nbs.is_answer(cell) or nbs.is_check(cell) else None,
             _forbid_names(cell)) for cell in code_cells]
    return with_guards(rows, only_from_answers=True)


def _forbid_names(cell):
    """An answer cell's forbid list (none for other cells, or a malformed list: ``release`` refuses those)."""
    from .forbid import forbid_list

    try:
        return forbid_list(cell) if nbs.is_answer(cell) else []
    except ValueError:
        return []


def _forbidden(nb):
    """``{exercise: reason}`` for answer cells that use a function their metadata forbids."""
    from .forbid import forbidden_uses, reason

    found = {}
    for cell in nb.cells:
        used = forbidden_uses(nbs.source_text(cell), _forbid_names(cell))
        if used:
            found[nbs.exercise_of(cell)] = reason(nbs.exercise_of(cell), used)
    return found


def format_table(rows):
    """A plain-text table: exercise, passed/FAILED, points, message (first line)."""
    head = ("exercise", "result", "points", "message")
    body = [(ex, "passed" if ok else "FAILED", f"{got:g}/{total:g}", msg.splitlines()[0] if msg else "")
            for ex, ok, got, total, msg in rows]
    got = sum(r[2] for r in rows)
    total = sum(r[3] for r in rows)
    body.append(("total", "", f"{got:g}/{total:g}", ""))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(3)]
    lines = []
    for r in [head, *body]:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3])
    return "\n".join(line.rstrip() for line in lines)
