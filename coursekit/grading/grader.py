"""Grade submitted notebooks against the instructor's solution notebooks.

For each submission, only the answer cells are taken (matched by ``grade_id``); everything
else -- prompts, setup code, visible and hidden checks -- comes from the source notebook. The
assembled cells run in a fresh kernel, in an empty temporary directory (no notebook on disk),
with a time limit per cell. Check cells run in *learner mode* (``coursekit.grading.rewrite``):
only the learner's values are computed there; the expected values come from a *reference run*
of the solution notebook in another kernel, and the grader compares the two in its own process.
A check cell earns its points only if it ran without error and every check call in it matched.

Submissions run in parallel (a process pool, one kernel per submission). Each result is
stored as a record and its feedback (text and HTML) written as soon as it is known;
``grades.csv`` is rebuilt from the records (:mod:`coursekit.grading.gradebook`), also when
the run is interrupted. A re-run skips submissions already recorded with the same content
(sha256), except those that ended in a grader ``error``.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import multiprocessing
import os
import pathlib
import secrets
import stat
import sys

from . import gradebook
from . import notebooks as nbs
from .checks import DEFAULT_ATOL, DEFAULT_RTOL, compare, failure_message
from .feedback import feedback_html, feedback_text
from .gradebook import cell_text, write_atomic
from .kernel import KEEP_CHARS, OUTPUT_LIMIT, CellResult, resolve_sandbox, run_cells
from .record import decode
from .rewrite import parse_records, rewrite, site_info

MAX_SUBMISSION_BYTES = 100_000_000
__all__ = ["Result", "SourceError", "cell_text", "grade", "grade_one", "prepare"]


class SourceError(RuntimeError):
    """The instructor's notebook cannot be used for grading (e.g. it fails its own checks)."""


# ----------------------------------------------------------------------------- the source side


@dataclasses.dataclass
class Site:
    site: int
    kind: str
    hidden: bool
    expected: object
    rtol: float
    atol: float
    name: str | None
    hint: str | None
    message: str | None
    judge_kwargs: dict | None = None  # check_judged: the judge's keyword arguments (from the solution)


@dataclasses.dataclass
class CheckCell:
    index: int
    grade_id: str
    exercise: str
    points: float
    has_hidden: bool
    sites: list  # the reference run's records, in order: [Site]


@dataclasses.dataclass
class Assignment:
    name: str  # the source file's stem
    ident: str  # metadata coursekit.assignment, else the stem
    path: str
    sha256: str
    code: list  # [(role, grade_id, source)] for every code cell, in order
    answers: dict  # grade_id -> (cell_type, stub, exercise)
    checks: dict  # cell index in `code` -> CheckCell
    exercises: dict  # exercise -> max points, in notebook order
    forbid: dict = dataclasses.field(default_factory=dict)  # answer grade_id -> forbidden dotted names


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _code_cells(nb):
    code, answers = [], {}
    for cell in nb.cells:
        gid = nbs.grade_id(cell)
        if nbs.is_answer(cell):
            answers[gid] = (cell.cell_type, nbs.stub_for(cell), nbs.exercise_of(cell))
        if cell.cell_type != "code":
            continue
        role = "answer" if nbs.is_answer(cell) else "check" if nbs.is_check(cell) else "other"
        code.append((role, gid, nbs.source_text(cell), cell))
    return code, answers


def _reference_run(code, timeout, sandbox=None):
    nonce = secrets.token_hex(8)
    cells = [(rewrite(src, nonce, reference=True) if role == "check" else src, KEEP_CHARS if role == "check" else 0)
             for role, _, src, _ in code]
    results = run_cells(cells, timeout=timeout, max_restarts=0, sandbox=sandbox)
    return [(res, parse_records(res.stdout, nonce)) for res in results]


def prepare(path, *, timeout=30.0, runs=None, sandbox=None):
    """Read a source notebook and run its reference solution twice (values must agree).

    ``runs``: the two reference runs if already made (see :func:`_reference_task`).
    """
    path = pathlib.Path(path)
    data = path.read_bytes()
    nb = nbs.read_source(path)
    code, answers = _code_cells(nb)
    runs = runs or [_reference_run(code, timeout, sandbox) for _ in range(2)]
    checks, exercises = {}, {}
    for cell in nb.cells:
        if nbs.is_check(cell):
            exercises[nbs.exercise_of(cell)] = exercises.get(nbs.exercise_of(cell), 0.0) + nbs.points(cell)
    for i, (role, gid, src, cell) in enumerate(code):
        (res, recs), (_, recs2) = runs[0][i], runs[1][i]
        where = f"{path.name}, code cell {i} ({gid or role})"
        if res.status != "ok":
            raise SourceError(f"{where}: the solution does not run: {res.status} {res.ename}: {res.evalue}")
        if role != "check":
            continue
        if [_canon(r) for r in recs] != [_canon(r) for r in recs2]:
            raise SourceError(f"{where}: two runs of the solution give different check values; "
                              "seed every random input of the checks")
        static = site_info(src)
        sites = []
        for rec in recs:
            kind, hidden = static[rec["site"]]
            args, kwargs = decode(rec["args"]), decode(rec["kwargs"])
            sites.append(Site(
                site=rec["site"], kind=kind, hidden=hidden,
                expected=True if kind == "check_true" else args[0],
                rtol=float(kwargs.get("rtol", DEFAULT_RTOL)), atol=float(kwargs.get("atol", DEFAULT_ATOL)),
                name=kwargs.get("name"), hint=kwargs.get("hint"),
                message=(args[0] if args else kwargs.get("message")) if kind == "check_true" else None,
                judge_kwargs=_judge_kwargs(kwargs) if kind == "check_judged" else None,
            ))
        checks[i] = CheckCell(index=i, grade_id=gid, exercise=nbs.exercise_of(cell), points=nbs.points(cell),
                              has_hidden=bool(nbs.hidden_lines(src)), sites=sites)
    return Assignment(name=path.stem, ident=nbs.assignment_id(nb, path.stem), path=str(path),
                      sha256=_sha256(data),
                      code=[(r, g, answers[g][1] if r == "answer" else s) for r, g, s, _ in code], answers=answers,
                      checks=checks, exercises=exercises, forbid=_forbid_lists(nb))


def _forbid_lists(nb):
    from .forbid import forbid_list

    return {nbs.grade_id(c): forbid_list(c) for c in nb.cells if nbs.is_answer(c) and forbid_list(c)}


def _with_forbid_guards(assignment, cells):
    """Kernel-side guard (:func:`coursekit.grading.forbid.with_guards`) on the cells to run."""
    from .forbid import with_guards

    exercise_of = {c.grade_id: c.exercise for c in assignment.checks.values()}
    rows = []
    for (role, gid, _), (code, _keep) in zip(assignment.code, cells, strict=True):
        exercise = assignment.answers[gid][2] if role == "answer" else exercise_of.get(gid)
        rows.append((code, exercise, assignment.forbid.get(gid, []) if role == "answer" else []))
    return [(code, keep) for code, (_, keep) in zip(with_guards(rows), cells, strict=True)]


def _forbidden_answers(answers, assignment):
    """``{exercise: reason}`` for the answers that refer to a forbidden function (static check)."""
    from .forbid import forbidden_uses, reason

    found = {}
    for gid, names in assignment.forbid.items():
        used = forbidden_uses(answers.get(gid, ""), names)
        if used:
            found[assignment.answers[gid][2]] = reason(assignment.answers[gid][2], used)
    return found


def _judge_kwargs(kwargs):
    """The keyword arguments a check_judged call passes on to its judge."""
    return {k: v for k, v in kwargs.items() if k not in ("name", "hint")}


def _compare_site(site, got):
    """``(passed, reason)`` of one recorded value against the solution's site, in the grader."""
    if site.kind == "check_judged":
        from .judges import run_judge

        return run_judge(site.expected, got, site.judge_kwargs or {})
    return compare(site.kind, got, site.expected, site.rtol, site.atol)


def _canon(rec):
    return json.dumps({k: rec.get(k) for k in ("site", "kind", "args", "kwargs")}, sort_keys=True)


# ------------------------------------------------------------------------- the submission side


@dataclasses.dataclass
class Result:
    submission: str
    sha256: str = ""
    student: str = ""
    assignment: str = ""
    scores: dict = dataclasses.field(default_factory=dict)  # exercise -> points earned
    max_points: float = 0.0
    status: str = "ok"  # ok | incomplete | invalid | error
    notes: list = dataclasses.field(default_factory=list)
    details: dict = dataclasses.field(default_factory=dict)  # exercise -> {"max_points", "lines"}

    @property
    def total(self):
        return sum(self.scores.values())


def read_submission(path, root=None):
    """The bytes of a submission file; raises ValueError with the reason it cannot be graded:
    not a regular file (a FIFO, a device, a folder), a link under a submissions folder
    (``root``), or too large. Never blocks (a FIFO is opened non-blocking, then refused)."""
    path = pathlib.Path(path)
    if root is not None and path.is_symlink():
        raise ValueError("a symbolic link, not a submitted file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if root is not None else 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_SUBMISSION_BYTES:
            raise ValueError(f"file too large ({st.st_size / 1e6:.0f} MB)")
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(MAX_SUBMISSION_BYTES + 1)
    finally:
        os.close(fd)


def _load_submission(path, root=None):
    """``(sha256, notebook dict)``; raises ValueError with the reason it cannot be graded."""
    data = read_submission(path, root)
    sha = _sha256(data)
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ValueError(f"not valid JSON ({type(err).__name__})", sha) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)", sha)
    if not isinstance(nb.get("nbformat"), int) or nb["nbformat"] < 4:
        raise ValueError("not a Jupyter notebook in format 4", sha)
    return sha, nb


def match_assignment(path, nb, assignments):
    by_name = {a.name: a for a in assignments}
    stem = pathlib.Path(path).stem
    if stem in by_name:
        return by_name[stem]
    if isinstance(nb, dict):
        ident = nbs.assignment_id(nb, None)
        for a in assignments:
            if ident is not None and ident in (a.ident, a.name):
                return a
    if len(assignments) == 1:
        return assignments[0]
    return None


def _answers(nb, assignment, notes):
    found = {}
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        gid = nbs.grade_id(cell)
        if gid not in assignment.answers:
            continue
        if gid in found:
            notes.append(f"answer cell {gid} appears more than once; the first one is graded")
            continue
        if cell.get("cell_type") != assignment.answers[gid][0]:
            notes.append(f"answer cell {gid} changed its type; treated as missing")
            continue
        src = cell.get("source", "")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
            notes.append(f"answer cell {gid} is malformed; treated as missing")
            continue
        found[gid] = nbs.source_text(cell)
    for gid in assignment.answers:
        if gid not in found:
            notes.append(f"answer cell {gid} is missing")
    return found


def _judge(check, res, records):
    """``(passed, feedback lines)`` of one check cell."""
    lines = []
    ok = res.status == "ok"
    if res.status == "error":
        detail = _safe_ename(res.ename) if check.has_hidden else f"{res.ename}: {res.evalue}".strip()
        lines.append(f"  ✗ the check cell raised {detail}")
    elif res.status == "timeout":
        lines.append("  ✗ the check cell timed out")
    elif res.status == "died":
        lines.append("  ✗ the kernel died in the check cell")
    elif res.status == "not run":
        lines.append("  ✗ not run (the kernel failed earlier)")
    if len(records) > len(check.sites):
        ok = False
        lines.append("  ✗ unexpected extra check results (tampering?)")
    hidden_count = 0
    for k, site in enumerate(check.sites):
        label = f"hidden check {hidden_count + 1}" if site.hidden else (site.name or f"check {k + 1}")
        hidden_count += site.hidden
        rec = records[k] if k < len(records) else None
        if rec is None or rec.get("site") != site.site:
            ok = False
            lines.append(f"  ✗ {label}: not reached" if rec is None else f"  ✗ {label}: checks ran out of order")
            continue
        if "error" in rec:
            ok = False
            err = str(rec.get("error"))[:100]
            msg = str(rec.get("message", ""))[:300]
            text = f"{err}: {msg}" if msg and not site.hidden else _safe_ename(err) if site.hidden else err
            lines.append(f"  ✗ {label}: raised {text}")
            continue
        try:
            got = decode(rec.get("got"))
            passed, reason = _compare_site(site, got)
        except Exception:
            passed, reason, got = False, "the value could not be read", None
        if passed:
            lines.append(f"  ✓ {label}: passed")
            continue
        ok = False
        if site.hidden:
            lines.append(f"  ✗ {label}: failed")
        else:
            msg = failure_message(site.kind, got, site.expected, reason, name=site.name, hint=site.hint,
                                  message=site.message)
            lines.append("  ✗ " + msg.replace("\n", "\n    "))
    if not check.sites and res.status == "ok":
        lines.append("  ✓ passed")
    return ok, lines


def _safe_ename(name):
    """An exception's name as a hidden check may show it: a built-in exception's name, else
    nothing the learner chose (a class name could carry the hidden inputs out)."""
    import builtins

    value = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() else None
    return name if isinstance(value, type) and issubclass(value, BaseException) else "an exception"


def grade_one(path, assignments, *, timeout=30.0, display_name=None, sandbox=None, root=None):
    """Grade one submission file; never raises (problems end up in status and notes)."""
    result = Result(submission=display_name or str(path))
    try:
        try:
            result.sha256, nb = _load_submission(path, root)
        except ValueError as err:
            result.sha256 = err.args[1] if len(err.args) > 1 else ""
            nb = None
            result.status, result.notes = "invalid", [err.args[0]]
        except OSError as err:
            result.status, result.notes = "invalid", [f"cannot read the file ({err.strerror})"]
            nb = None
        assignment = match_assignment(path, nb, assignments)
        if assignment is None:
            if result.status != "invalid":
                result.status, result.notes = "invalid", ["no source notebook matches this submission"]
            return result
        result.assignment = assignment.name
        result.max_points = sum(assignment.exercises.values())
        result.scores = {ex: 0.0 for ex in assignment.exercises}
        if nb is None:
            return result
        _grade_notebook(nb, assignment, result, timeout, sandbox)
    except Exception as err:  # a bug of the grader must not stop the others
        result.status = "error"
        result.notes.append(f"grader error: {type(err).__name__}: {err}")
    return result


def _grade_notebook(nb, assignment, result, timeout, sandbox=None):
    notes = result.notes
    answers = _answers(nb, assignment, notes)
    nonce = secrets.token_hex(8)
    cells = []
    for role, gid, src in assignment.code:
        if role == "answer":
            cells.append((answers.get(gid, assignment.answers[gid][1]), 0))
        elif role == "check":
            cells.append((rewrite(src, nonce, reference=False), KEEP_CHARS))
        else:
            cells.append((src, 0))
    results = run_cells(_with_forbid_guards(assignment, cells), timeout=timeout, sandbox=sandbox)
    forbidden = _forbidden_answers(answers, assignment)
    unfinished = set()  # exercises whose answer cell did not finish: no points, whatever the checks say
    for i, ((role, gid, _), res) in enumerate(zip(assignment.code, results, strict=True)):
        if role == "answer" and res.status in ("timeout", "died"):
            unfinished.add(assignment.answers[gid][2])
        where = f"answer cell {gid}" if role == "answer" else f"check cell {gid}" if role == "check" else f"cell {i}"
        if res.status == "timeout":
            notes.append(f"{where} timed out after {timeout:g} s")
        elif res.status == "died":
            notes.append(f"the kernel died in {where}")
        if res.flooded:
            notes.append(f"{where} printed more than {OUTPUT_LIMIT / 1e6:.0f} MB: stopped (output capped)")
        elif res.output_chars > KEEP_CHARS or res.truncated:
            notes.append(f"{where} printed {res.output_chars / 1e6:.0f} MB (output capped)")
    if any(r.status == "not run" for r in results):
        notes.append("some cells were not run (the kernel failed too often)")
    by_exercise = {ex: [] for ex in assignment.exercises}
    for i, check in assignment.checks.items():
        res = results[i] if i < len(results) else CellResult(status="not run")
        records = parse_records(res.stdout, nonce)
        passed, lines = _judge(check, res, records)
        if passed and check.exercise not in unfinished and check.exercise not in forbidden:
            result.scores[check.exercise] += check.points
        by_exercise[check.exercise].extend(lines)
    if any(r.status in ("timeout", "died", "not run") for r in results):
        result.status = "incomplete"
    for ex, lines in by_exercise.items():
        head = []
        if ex in unfinished:
            head.append("  ✗ the answer cell did not finish (timed out or killed the kernel): no points")
        if ex in forbidden:
            head.append(f"  ✗ {forbidden[ex]}: no points")
        result.details[ex] = {"max_points": assignment.exercises[ex], "lines": head + lines}


# ----------------------------------------------------------------------------- the whole class


def collect(paths):
    """``[(file, root)]``: every ``.ipynb`` under the given folders (root: that folder) and the
    given files (root: None), sorted, checkpoints skipped."""
    found = {}
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in f.parts:
                    found.setdefault(f, p)
        else:
            found.setdefault(p, None)
    return sorted(found.items(), key=lambda item: str(item[0]))


def _student_and_feedback(path, root, assignment):
    """The student's name and the feedback file's relative path.

    Under a given folder, the student is the first folder below it (``submitted/alice/...``)
    or else the file's stem; for a file given directly, its folder's name if the file is
    named after the assignment, else its stem.
    """
    path = pathlib.Path(path)
    rel = path.relative_to(root) if root is not None else None
    if rel is not None and len(rel.parts) > 1:
        return rel.parts[0], rel.with_suffix(".txt")
    if path.stem == assignment and path.parent.name:
        return path.parent.name, pathlib.Path(path.parent.name) / f"{path.stem}.txt"
    return path.stem, pathlib.Path(f"{path.stem}.txt")


def printable(name):
    """A file name as text: bytes that are not UTF-8 escaped (``\\xff``)."""
    return os.fsencode(str(name)).decode("utf-8", "backslashreplace")


def _task(args):
    path, display, assignments, timeout, sandbox, root = args
    return grade_one(path, assignments, timeout=timeout, display_name=display, sandbox=sandbox, root=root)


def _reference_task(args):
    path, timeout, sandbox = args
    return _reference_run(_code_cells(nbs.read_source(path))[0], timeout, sandbox)


def _worker_init():
    from . import sandbox

    sandbox.become_subreaper()


def _load_or_prepare(sources, out, timeout, pool, sandbox=None):
    cache = out / "reference"
    cache.mkdir(parents=True, exist_ok=True)
    prepared, todo = {}, []
    for path in sources:
        sha = _sha256(path.read_bytes())
        cached = cache / f"{path.stem}-{sha[:16]}.json"
        if cached.is_file() and not cached.is_symlink():
            try:
                prepared[path] = _assignment_from_json(_unsealed(cached.read_text(encoding="utf-8")))
                continue
            except (ValueError, KeyError, TypeError):
                pass
        todo.append((path, cached))
    # Two reference runs per source, all in parallel; SourceError propagates (fix the source).
    futures = [(p, c, [pool.submit(_reference_task, (str(p), timeout, sandbox)) for _ in range(2)]) for p, c in todo]
    for path, cached, runs in futures:
        assignment = prepare(path, timeout=timeout, runs=[f.result() for f in runs])
        write_atomic(cached, _sealed(_assignment_to_json(assignment)))
        prepared[path] = assignment
    return [prepared[p] for p in sources]


def _sealed(data):
    """The cache's text: the data and its sha256 (checked by :func:`_unsealed`)."""
    body = json.dumps(data, sort_keys=True)
    return json.dumps({"sha256": _sha256(body.encode()), "body": body})


def _unsealed(text):
    outer = json.loads(text)
    if _sha256(outer["body"].encode()) != outer["sha256"]:
        raise ValueError("the cached reference run does not match its hash")
    return json.loads(outer["body"])


def _assignment_to_json(a):
    from .record import encode

    data = dataclasses.asdict(a)
    def sites(c):
        return [{**dataclasses.asdict(s), "expected": encode(s.expected), "judge_kwargs": encode(s.judge_kwargs)}
                for s in c.sites]

    data["checks"] = {str(k): {**dataclasses.asdict(c), "sites": sites(c)} for k, c in a.checks.items()}
    return data


def _assignment_from_json(d):
    checks = {}
    for k, c in d["checks"].items():
        sites = [Site(**{**s, "expected": decode(s["expected"]), "judge_kwargs": decode(s.get("judge_kwargs"))})
                 for s in c["sites"]]
        checks[int(k)] = CheckCell(**{**c, "sites": sites})
    return Assignment(**{**d, "checks": checks, "code": [tuple(x) for x in d["code"]],
                         "answers": {k: tuple(v) for k, v in d["answers"].items()}})


def grade(submissions, source, out, *, workers=None, timeout=30.0, log=sys.stderr, sandbox="auto", roster=None,
          due=None, late_policy="none", timestamps=None):
    """Grade every submission; return the list of new :class:`Result` objects (skipped ones excluded).

    ``sandbox``: ``auto`` (each kernel sandboxed where the system supports it), ``on``
    (required) or ``off``; the log's first line says which. ``roster``: a CSV file (see
    :func:`gradebook.read_roster`), so that students without a submission get a row;
    ``due`` (ISO 8601, UTC unless a zone is given), ``late_policy`` (``none``, ``zero``,
    ``per-day=P``) and ``timestamps`` (a CSV of ``student, submitted_at``) set each row's
    ``score`` (:mod:`coursekit.grading.late`).
    """
    from .late import LatePolicy, parse_time

    out = pathlib.Path(out)
    policy = LatePolicy.parse(late_policy)
    options = {"roster": gradebook.read_roster(roster) if roster else None,
               "due": parse_time(due, "due").isoformat() if due else None, "late_policy": str(policy),
               "timestamps": gradebook.read_timestamps(timestamps) if timestamps else {}}
    _, description = resolve_sandbox(sandbox)
    print(description, file=log)
    out.mkdir(parents=True, exist_ok=True)
    from .release import solution_notebooks

    sources = solution_notebooks(source)
    if not sources:
        raise SourceError(f"no source notebooks in {source}")
    files = collect(submissions)
    matched = _match_sources(files, sources)
    sources = [p for p in sources if p in set(matched.values())]
    workers = max(1, workers or min(len(files) or 1, os.cpu_count() or 1))
    ctx = multiprocessing.get_context("spawn")
    results = []
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)
    settings = None
    try:
        assignments = _load_or_prepare(sources, out, timeout, pool, sandbox)
        settings = _settings(out, assignments, options)
        gradebook.write_settings(out, settings)
        done = {(r["submission"], r.get("sha256", "")) for r in gradebook.read_records(out)
                if r.get("status") != "error"}
        by_path = {p: a for p, a in zip(sources, assignments, strict=True)}
        todo = []
        for f, root in files:
            display = printable(f)
            try:
                sha = _sha256(read_submission(f, root))
            except (ValueError, OSError):
                sha = ""
            if (display, sha) in done:
                print(f"skip {display} (already graded)", file=log)
                continue
            todo.append((f, display, root))

        def task(item):
            f, d, r = item
            return (str(f), d, [by_path[matched[f]]] if matched.get(f) else [], timeout, sandbox,
                    str(r) if r is not None else None)

        # At most `workers` submissions in flight, so that a worker's death (killed from outside,
        # out of memory, or by the submission itself) reaches only those. They get one more try
        # in a new pool; a submission caught in a second death is graded alone, in a pool of its
        # own, and only a death there is its own fault.
        queue = [(item, 0) for item in todo]
        running = {}
        with _progress(len(todo), log) as bar:
            while queue or running:
                while queue and len(running) < workers:
                    item, tries = queue.pop(0)
                    running[pool.submit(_task, task(item))] = (item, tries)
                finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    (f, display, root), tries = running.pop(fut)
                    try:
                        result = fut.result()
                    except cf.process.BrokenProcessPool:
                        pool = _renew(pool, workers, ctx)
                        if tries == 0:
                            queue.insert(0, ((f, display, root), 1))
                            continue
                        result = _grade_alone(task((f, display, root)), ctx, display)
                    except Exception as err:
                        result = Result(submission=display, status="error",
                                        notes=[f"grader error: {type(err).__name__}: {err}"])
                    _record(result, f, root, display, out, bar)
                    results.append(result)
                    bar.update(1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if settings is not None:
            gradebook.write_grades_csv(out, settings=settings)
    return results


def _settings(out, assignments, options):
    """The run's settings: the assignments' exercises (merged with an earlier run's in the same
    folder, which must agree) and the roster, due date, late policy and times."""
    exercises = {a.name: dict(a.exercises) for a in assignments}
    try:
        earlier = gradebook.read_settings(out)["assignments"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        earlier = {}
    for name, old in earlier.items():
        if name in exercises and exercises[name] != old:
            raise SourceError(f"{out} was graded for other exercises of {name}; use another --out folder")
    return {"assignments": {**earlier, **exercises}, **options}


class _progress:
    """A tqdm progress bar over submissions on a terminal; elsewhere (a log file) only lines."""

    def __init__(self, total, log):
        from tqdm.auto import tqdm

        tty = hasattr(log, "isatty") and log.isatty()
        self.log = log
        self.bar = tqdm(total=total, file=log, unit="submission", dynamic_ncols=True) if tty and total else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()

    def update(self, n):
        if self.bar is not None:
            self.bar.update(n)

    def write(self, line):
        if self.bar is not None:
            self.bar.write(line, file=self.log)
        else:
            print(line, file=self.log)


def _grade_alone(args, ctx, display):
    """Grade one submission in a pool of its own (after its worker died twice with others)."""
    alone = cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init)
    try:
        return alone.submit(_task, args).result()
    except cf.process.BrokenProcessPool:
        return Result(submission=display, status="error",
                      notes=["the grading process died while grading this submission alone (it was killed, "
                             "ran out of memory, or the submission killed it)"])
    except Exception as err:
        return Result(submission=display, status="error", notes=[f"grader error: {type(err).__name__}: {err}"])
    finally:
        alone.shutdown(wait=True, cancel_futures=True)


def _broken(pool):
    return bool(getattr(pool, "_broken", False))


def _renew(pool, workers, ctx):
    """A new pool in place of a broken one."""
    if not _broken(pool):
        return pool
    pool.shutdown(wait=False, cancel_futures=True)
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)


def _record(result, f, root, display, out, bar):
    """Write one result's feedback (text and HTML) and then its record, atomically, never
    through links; a problem with the feedback is logged, the record is written anyway."""
    student, fb_rel = _student_and_feedback(f, root, result.assignment)
    result.student = printable(student)
    record = {"submission": display, "sha256": result.sha256, "student": result.student,
              "assignment": result.assignment, "scores": result.scores, "max_points": result.max_points,
              "status": result.status, "notes": result.notes, "details": result.details,
              "feedback_file": printable(fb_rel)}
    fb = out / "feedback" / fb_rel
    try:
        for folder in reversed([fb.parent, *fb.parent.parents]):
            if folder.is_symlink():
                raise OSError(f"{folder} is a symbolic link; the grader does not write through links")
        fb.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(fb, feedback_text(record), out)
        write_atomic(fb.with_suffix(".html"), feedback_html(record), out)
    except OSError as err:
        bar.write(f"feedback for {display} not written: {err}")
    gradebook.write_record(out, record)
    bar.write(f"{result.status:10} {result.total:g}/{result.max_points:g}  {display}")


def _match_sources(files, sources):
    """``{submission: source path or None}``: which source notebook each submission is for (by
    :func:`match_assignment`), so that only those sources are run and only their exercises get
    columns. Reads the submissions' metadata only (an unreadable file matches by name alone)."""
    light = [Assignment(name=p.stem, ident=nbs.assignment_id(_json_or_empty(p), p.stem), path=str(p), sha256="",
                        code=[], answers={}, checks={}, exercises={}) for p in sources]
    by_name = {a.name: pathlib.Path(a.path) for a in light}
    matched = {}
    for f, _ in files:
        try:
            nb = _load_submission(f)[1] if pathlib.Path(f).stem not in by_name else None
        except (ValueError, OSError):
            nb = None
        a = match_assignment(f, nb, light)
        matched[f] = pathlib.Path(a.path) if a is not None else None
    return matched


def _json_or_empty(path):
    try:
        nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return nb if isinstance(nb, dict) else {}
