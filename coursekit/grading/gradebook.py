"""The class's grades: one record per graded submission, and the tables built from them.

The grader writes each result as a record, ``OUT/records/<key>.json`` (atomically, never
through a link), and the run's settings as ``OUT/run.json`` (the assignments' exercises, the
roster, the due date, the late policy and the submission times). Every table is rebuilt from
these alone, so no half-written or forged row survives a re-run:

* ``grades.csv``: a row per submission, and a ``missing`` row for every roster student who
  submitted nothing; ``total`` is the points earned, ``score`` the points after the late policy;
* the Canvas gradebook CSV (:func:`write_canvas_csv`): a row per student, a column per assignment.

Every cell that a spreadsheet would run as a formula is neutralised (:func:`cell_text`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pathlib
import secrets

from .late import LatePolicy, days_late, parse_time

FIXED_COLUMNS = ["submission", "sha256", "student", "assignment"]
TAIL_COLUMNS = ["total", "max_points", "submitted_at", "days_late", "score", "status", "reason"]
ROSTER_COLUMNS = ("student", "name", "id", "sis_user_id", "sis_login_id", "section")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
RECORD_VERSION = 1


def cell_text(text):
    """A CSV cell a spreadsheet will not run: a leading ``= + - @`` (or tab, CR) is quoted
    with ``'`` (OWASP's advice against CSV injection)."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_atomic(path, text, out=None):
    """Write ``text`` to ``path`` atomically (a temporary file, then rename), never through a
    link: no folder between ``out`` and ``path`` may be a symbolic link (planted links would
    make the grader write elsewhere, e.g. into ``--source``)."""
    path = pathlib.Path(path)
    out = pathlib.Path(out) if out is not None else path.parent
    for folder in [path.parent, *path.parent.parents]:
        if folder.is_symlink():
            raise OSError(f"{folder} is a symbolic link; the grader does not write through links")
        if folder == out:
            break
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


# ------------------------------------------------------------------------ records and settings


def record_path(out, submission):
    key = hashlib.sha256(submission.encode("utf-8", "backslashreplace")).hexdigest()[:32]
    return pathlib.Path(out) / "records" / f"{key}.json"


def write_record(out, record):
    """Store one submission's record (a dict with at least ``submission`` and ``sha256``)."""
    path = record_path(out, record["submission"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"version": RECORD_VERSION, **record}, sort_keys=True), out)


def read_records(out):
    """Every readable record under ``OUT/records`` (links and broken files are skipped)."""
    found = []
    folder = pathlib.Path(out) / "records"
    if not folder.is_dir() or folder.is_symlink():
        return found
    for path in sorted(folder.glob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(rec, dict) and rec.get("version") == RECORD_VERSION and path == record_path(out, rec.get(
                "submission", "")):
            found.append(rec)
    return found


def write_settings(out, settings):
    write_atomic(pathlib.Path(out) / "run.json", json.dumps(settings, sort_keys=True, indent=1), out)


def read_settings(out):
    path = pathlib.Path(out) / "run.json"
    if not path.is_file() or path.is_symlink():
        raise FileNotFoundError(f"{path}: not a grading folder (no run.json; run `python -m coursekit grade` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def read_roster(path):
    """``[{column: value}]`` from a CSV roster with a ``student`` column (the name of the
    student's folder of submissions) and optional ``name, id, sis_user_id, sis_login_id,
    section`` (for the Canvas export)."""
    rows = _read_csv(path, "roster", ("student",), ROSTER_COLUMNS)
    seen = set()
    for k, row in enumerate(rows, 2):
        if not row["student"]:
            raise ValueError(f"roster {path}, line {k}: the student column is empty")
        if row["student"] in seen:
            raise ValueError(f"roster {path}, line {k}: student {row['student']!r} is listed twice")
        seen.add(row["student"])
    return rows


def read_timestamps(path):
    """``{student: ISO time}`` from a CSV with columns ``student, submitted_at``."""
    times = {}
    for k, row in enumerate(_read_csv(path, "timestamps", ("student", "submitted_at"), ()), 2):
        times[row["student"]] = parse_time(row["submitted_at"], f"timestamps {path}, line {k}").isoformat()
    return times


def _read_csv(path, what, required, optional):
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{what} {path}: cannot be read ({type(err).__name__})") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValueError(f"{what} {path}: needs the column(s) {', '.join(required)} in its first line"
                         + (f" (optional: {', '.join(c for c in optional if c not in required)})" if optional else "")
                         + f"; it has {', '.join(columns) or 'none'}")
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


# ------------------------------------------------------------------------------------ tables


def columns(assignments):
    """The exercise columns: ``Exercise 1`` ... for one assignment, ``name: Exercise 1`` for several."""
    if len(assignments) == 1:
        return list(next(iter(assignments.values())))
    return [f"{a}: {ex}" for a, exercises in assignments.items() for ex in exercises]


def final_score(record, settings):
    """``(submitted_at, days_late, score, note)`` of a record under the run's late policy."""
    total = sum(record.get("scores", {}).values())
    due = settings.get("due")
    submitted = settings.get("timestamps", {}).get(record.get("student", ""))
    if not due:
        return submitted or "", "", total, ""
    if not submitted:
        return "", "", total, "no submission time known: graded as on time"
    late = days_late(submitted, due)
    score, note = LatePolicy.parse(settings.get("late_policy", "none")).apply(total, late)
    return submitted, f"{max(late, 0):.3f}", score, note


def grade_rows(records, settings):
    """``(header, rows)`` of grades.csv."""
    assignments = settings["assignments"]
    header = FIXED_COLUMNS + columns(assignments) + TAIL_COLUMNS
    several = len(assignments) > 1
    roster = {r["student"]: r for r in settings.get("roster") or []}
    rows, seen = [], set()
    for rec in sorted(records, key=lambda r: r["submission"]):
        cells = dict.fromkeys(columns(assignments), "")
        for ex, pts in rec.get("scores", {}).items():
            key = f"{rec['assignment']}: {ex}" if several else ex
            if key in cells:
                cells[key] = f"{pts:g}"
        submitted, late, score, note = final_score(rec, settings)
        notes = list(rec.get("notes", [])) + ([note] if note else [])
        if roster and rec.get("student") not in roster:
            notes.append("not on the roster")
        seen.add((rec.get("student"), rec.get("assignment")))
        rows.append([rec["submission"], rec.get("sha256", ""), rec.get("student", ""), rec.get("assignment", ""),
                     *cells.values(), f"{sum(rec.get('scores', {}).values()):g}", f"{rec.get('max_points', 0):g}",
                     submitted, late, f"{score:g}", rec.get("status", ""), "; ".join(notes)])
    for student in sorted(roster):
        for name, exercises in assignments.items():
            if (student, name) not in seen:
                rows.append(["", "", student, name, *["0" if (not several or c.startswith(f"{name}: ")) else ""
                                                      for c in columns(assignments)],
                             "0", f"{sum(exercises.values()):g}", "", "", "0", "missing", "no submission"])
    return header, [[cell_text(c) for c in row] for row in rows]


def write_grades_csv(out, records=None, settings=None):
    """Rebuild ``OUT/grades.csv`` from the records and settings; returns its path."""
    settings = settings or read_settings(out)
    records = read_records(out) if records is None else records
    header, rows = grade_rows(records, settings)
    path = pathlib.Path(out) / "grades.csv"
    write_atomic(path, _csv_text([header, *rows]), out)
    return path


def canvas_rows(records, settings):
    """``(header, rows)`` of a Canvas gradebook import: a row per student (roster order, then
    students not on it), ``Points Possible`` first, a column per assignment (its final score;
    the best one if a student has several submissions for it)."""
    assignments = settings["assignments"]
    roster = {r["student"]: r for r in settings.get("roster") or []}
    best = {}
    for rec in records:
        if rec.get("assignment") in assignments and rec.get("student"):
            score = final_score(rec, settings)[2]
            key = (rec["student"], rec["assignment"])
            best[key] = max(best.get(key, score), score)
    students = list(roster) + sorted({s for s, _ in best} - set(roster))
    header = CANVAS_COLUMNS + list(assignments)
    rows = [["Points Possible", "", "", "", "", *[f"{sum(ex.values()):g}" for ex in assignments.values()]]]
    for student in students:
        info = roster.get(student, {})
        rows.append([info.get("name") or student, info.get("id", ""), info.get("sis_user_id", ""),
                     info.get("sis_login_id", ""), info.get("section", ""),
                     *[f"{best.get((student, a), 0.0):g}" for a in assignments]])
    return header, [[cell_text(c) for c in row] for row in rows]


def write_canvas_csv(out, path):
    """Write the Canvas gradebook CSV of the grading folder ``out`` to ``path``."""
    header, rows = canvas_rows(read_records(out), read_settings(out))
    path = pathlib.Path(path)
    write_atomic(path, _csv_text([header, *rows]), path.parent)
    return path


def _csv_text(rows):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()
