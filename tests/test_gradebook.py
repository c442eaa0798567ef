"""Records and the tables built from them: late policies, rosters, Canvas, HTML feedback, and a
run that is interrupted and resumed."""

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from coursekit.grading import gradebook
from coursekit.grading.feedback import feedback_html
from coursekit.grading.grader import grade
from coursekit.grading.late import LatePolicy, days_late, parse_time
from tests.grading_fixtures import synthetic as syn

DUE = "2026-12-10T23:59"


def test_times_without_a_zone_are_utc_and_zones_are_honoured():
    assert parse_time(DUE).isoformat() == "2026-12-10T23:59:00+00:00"
    assert days_late("2026-12-11T00:59+01:00", DUE) == 0  # 23:59 UTC exactly
    assert days_late("2026-12-11T11:59Z", DUE) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="ISO 8601 .* not 'next friday'"):
        parse_time("next friday")


@pytest.mark.parametrize("policy, days, expected", [
    ("none", 3.0, 6.0), ("zero", 1 / 1440, 0.0), ("per-day=10", 1 / 1440, 5.4), ("per-day=10", 25 / 24, 4.8),
    ("per-day=50", 3.0, 0.0), ("per-day=10", 0.0, 6.0), ("zero", -2.0, 6.0),
])
def test_late_policies(policy, days, expected):
    score, note = LatePolicy.parse(policy).apply(6.0, days)
    assert score == pytest.approx(expected)
    assert ("late by" in note) == (days > 0)


@pytest.mark.parametrize("text", ["per-day", "per-day=0", "per-day=150", "half", "per-day=x"])
def test_a_bad_late_policy_names_the_allowed_ones(text):
    with pytest.raises(ValueError, match="none, zero, per-day=P"):
        LatePolicy.parse(text)


def _record(student, scores, submission=None, status="ok", assignment="01_demo"):
    return {"submission": submission or f"submitted/{student}/01_demo.ipynb", "sha256": "x", "student": student,
            "assignment": assignment, "scores": scores, "max_points": 6.0, "status": status, "notes": [],
            "details": {ex: {"max_points": syn.POINTS[ex], "lines": []} for ex in scores}}


SETTINGS = {"assignments": {"01_demo": syn.POINTS}, "due": parse_time(DUE).isoformat(), "late_policy": "per-day=10",
            "roster": [{"student": "alice", "name": "Alice A", "id": "17", "section": "B"}, {"student": "bob"}],
            "timestamps": {"alice": "2026-12-11T10:00:00+00:00"}}
FULL = dict(syn.POINTS)


def _table(records, settings=SETTINGS):
    header, rows = gradebook.grade_rows(records, settings)
    return {r[2]: dict(zip(header, r, strict=True)) for r in rows}


def test_rows_apply_the_late_policy_and_the_roster():
    rows = _table([_record("alice", FULL), _record("=cmd|'/c calc'!A1", {ex: 0.0 for ex in syn.POINTS})])
    alice = rows["alice"]
    assert (alice["total"], alice["score"], alice["days_late"]) == ("6", "5.4", "0.417")
    assert "late by 10.0 h: 10 % off" in alice["reason"]
    bob = rows["bob"]
    assert (bob["status"], bob["total"], bob["score"], bob["reason"]) == ("missing", "0", "0", "no submission")
    attacker = rows["'=cmd|'/c calc'!A1"]  # neutralised, and flagged
    assert "not on the roster" in attacker["reason"] and "no submission time known" in attacker["reason"]


def test_canvas_has_points_possible_a_row_per_student_and_the_best_score():
    records = [_record("alice", FULL), _record("alice", {ex: 1.0 for ex in syn.POINTS}, submission="again.ipynb"),
               _record("carol", {ex: 1.0 for ex in syn.POINTS})]
    header, rows = gradebook.canvas_rows(records, SETTINGS)
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_demo"]
    assert rows[0] == ["Points Possible", "", "", "", "", "6"]
    assert rows[1:] == [["Alice A", "17", "", "", "B", "5.4"], ["bob", "", "", "", "", "0"],
                        ["carol", "", "", "", "", "3"]]


def test_roster_and_timestamps_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,email\nAlice,a@x\n")
    with pytest.raises(ValueError, match="needs the column.*student.*it has name, email"):
        gradebook.read_roster(bad)
    bad.write_text("student\nalice\nalice\n")
    with pytest.raises(ValueError, match="line 3: student 'alice' is listed twice"):
        gradebook.read_roster(bad)
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nalice,yesterday\n")
    with pytest.raises(ValueError, match="timestamps .*line 2"):
        gradebook.read_timestamps(times)


def test_html_feedback_escapes_what_the_submission_chose():
    rec = _record("<img src=x onerror=alert(1)>", FULL)
    rec["notes"] = ["answer cell <script>ex1</script> is missing"]
    page = feedback_html(rec)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert page.count("<section>") == len(syn.POINTS)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradebook")
    return root, syn.write_solution(root / "solutions"), None


def _write_class(root, source, names):
    for name in names:
        (root / "submitted" / name).mkdir(parents=True, exist_ok=True)
        (root / "submitted" / name / source.name).write_bytes(source.read_bytes())


def test_a_run_with_roster_due_date_and_times_writes_rows_html_and_canvas(course, tmp_path):
    root, source, _ = course
    _write_class(tmp_path, source, ["alice", "zed"])
    (tmp_path / "roster.csv").write_text("student,name\nalice,Alice A\nbob,Bob B\n")
    (tmp_path / "times.csv").write_text("student,submitted_at\nalice,2026-12-12T00:30+00:00\nzed,2026-12-01T09:00\n")
    out = tmp_path / "out"
    grade([tmp_path / "submitted"], source, out, workers=2, timeout=10, log=io.StringIO(),
          roster=tmp_path / "roster.csv", due=DUE, late_policy="per-day=25", timestamps=tmp_path / "times.csv")
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert (rows["alice"]["total"], rows["alice"]["score"]) == ("6", "3")  # 2 started days late: 50 % off
    assert (rows["zed"]["score"], rows["zed"]["reason"]) == ("6", "not on the roster")
    assert rows["bob"]["status"] == "missing"
    assert (out / "feedback" / "alice" / "01_demo.html").read_text().count("<section>") == len(syn.POINTS)
    proc = subprocess.run([sys.executable, "-m", "coursekit", "export", str(out), "--canvas", str(tmp_path / "c.csv")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert list(csv.reader(open(tmp_path / "c.csv")))[2:] == [["Alice A", "", "", "", "", "3"],
                                                              ["Bob B", "", "", "", "", "0"],
                                                              ["zed", "", "", "", "", "6"]]


def test_grades_csv_is_rebuilt_from_the_records(course, tmp_path):
    root, source, _ = course
    _write_class(tmp_path, source, ["alice"])
    out = tmp_path / "out"
    grade([tmp_path / "submitted"], source, out, workers=1, timeout=10, log=io.StringIO())
    honest = (out / "grades.csv").read_text()
    (out / "grades.csv").write_text(honest + "forged,row,mallory,01_demo,2,3,1,6,6\n")
    assert grade([tmp_path / "submitted"], source, out, workers=1, timeout=10, log=io.StringIO()) == []
    assert (out / "grades.csv").read_text() == honest


def _kernels_left(marker):
    """Kernel processes whose command line names a file under ``marker`` (their TMPDIR)."""
    return [p for p in os.listdir("/proc") if p.isdigit() and "ipykernel" in (c := _cmdline(p)) and marker in c]


def _cmdline(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
    except OSError:
        return ""


def test_an_interrupted_run_resumes_where_it_stopped(course, tmp_path):
    root, source, _ = course
    names = [f"s{k}" for k in range(6)]
    _write_class(tmp_path, source, names)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "coursekit", "grade", str(tmp_path / "submitted"), "--source", str(source),
               "--out", str(out), "--workers", "1", "--timeout", "10"]
    tmpdir = tmp_path / "grader-tmp"  # the kernels' folders, so that their command lines name it
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    deadline = time.monotonic() + 240
    while len(gradebook.read_records(out)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C reaches the whole process group
    proc.communicate(timeout=120)
    done = len(gradebook.read_records(out))
    assert 2 <= done < len(names), "the run should have been stopped in the middle"
    with open(out / "grades.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == done  # the interrupted run's table has what it finished
    time.sleep(1)
    assert _kernels_left(str(tmpdir)) == [], "kernels outlived the interrupted grader"
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("(already graded)") == done
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["student"] for r in rows) == names and {r["total"] for r in rows} == {"6"}
