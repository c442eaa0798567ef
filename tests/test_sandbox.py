"""Attacks on the grader (issue 17): each earns nothing with the sandbox on, and works with it off.

One class is graded twice, sandbox on and sandbox off. Each attack is the answer of exercise 1:
it tries one thing at the top of the cell and reports ``ATTACK WORKED`` or ``ATTACK BLOCKED
<error>`` through the visible check's message (which the feedback shows).
"""

import csv
import os
import pathlib
import socket
import time

import pytest

from coursekit.grading import sandbox as sb
from coursekit.grading.grader import cell_text, grade
from coursekit.grading.release import release
from tests.grading_fixtures import synthetic as syn

TOKEN = "api-token-17a-secret"
PACKAGE = pathlib.Path(sb.__file__).resolve().parents[1]
PLANTED = PACKAGE / "_planted_by_test_sandbox"
DAEMON = "ck17-daemon-marker"

TEMPLATE = """import os, sys
try:
{body}
    _outcome = "WORKED"
except BaseException as _e:
    _outcome = "BLOCKED " + type(_e).__name__
def central_difference(f, x, h=1e-5):
    raise ValueError("ATTACK " + _outcome)
"""


def _attacks(paths, port):
    bodies = {
        "read_other_submission": f"open({paths['other']!r}).read()",
        "read_solution": f"open({paths['solution']!r}).read()",
        "read_grader_env": f"assert os.environ['COURSEKIT_TEST_TOKEN_17A'] == {TOKEN!r}",
        "read_grader_memory": "open(f'/proc/{os.getppid()}/environ').read()",
        "write_grades_csv": f"open({paths['csv']!r}, 'a').write('forged,row\\n')",
        "write_package": f"open({str(PLANTED)!r}, 'w').write('planted')",
        "read_reference_cache": f"[open(os.path.join({paths['reference']!r}, n)).read() "
                                f"for n in os.listdir({paths['reference']!r})]",
        "write_reference_cache": f"open(os.path.join({paths['reference']!r}, 'forged.json'), 'a').close()",
        "write_other_submission": f"open({paths['other']!r}, 'a').close()",
        "write_other_feedback": f"os.makedirs({paths['feedback']!r}, exist_ok=True); "
                                f"open(os.path.join({paths['feedback']!r}, 'forged.txt'), 'a').close()",
        # a link in the output folder, for the grader to write through later
        "plant_link": f"os.makedirs({paths['feedback']!r}, exist_ok=True); "
                      f"os.symlink({paths['solution']!r}, os.path.join({paths['feedback']!r}, 'link'))",
        # another pool worker (sibling of this kernel's grading process): signal 0 proves it could kill it
        "signal_sibling": ("_me = os.getppid()\n"
                           "_others = [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != _me "
                           "and b'multiprocessing' in open(f'/proc/{p}/cmdline', 'rb').read()]\n"
                           "assert _others, 'no sibling found'\n"
                           "os.kill(_others[0], 0)"),
        # a start-up file in the grader's IPython profile would run in every later kernel
        "write_ipython_startup": (f"os.makedirs({paths['startup']!r}, exist_ok=True); "
                                  f"open(os.path.join({paths['startup']!r}, '00-planted.py'), 'w').write('x = 1')"),
        "signal_grader": "os.kill(os.getppid(), 0)",
        "network": f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2).close()",
        # 3 GiB of address space (the limit is on it); mapped, not touched: instant on any machine
        "memory_3gib": "import mmap; _big = mmap.mmap(-1, 3 << 30)",
        "disk_1gib": "open('big', 'wb').truncate(1 << 30)",
        "daemon": (
            "import subprocess\n"
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)  # {DAEMON}'], "
            "start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "raise PermissionError('started, but must not outlive the kernel')"
        ),
    }
    return {name: TEMPLATE.format(body="    " + body.replace("\n", "\n    ")) for name, body in bodies.items()}


def _daemons():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if DAEMON in open(f"/proc/{entry}/cmdline").read():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _grade_class(root, mode, monkeypatch):
    sols = root / "solutions"
    syn.write_solution(sols)
    release(sols, root / "exercises", stream=open(os.devnull, "w"))
    import nbformat

    ex = nbformat.read(str(root / "exercises" / "01_demo.ipynb"), as_version=4)
    subs, out = root / "submitted", root / "out"
    paths = {
        "other": str(subs / "solved" / "01_demo.ipynb"),
        "solution": str(sols / "01_demo.ipynb"),
        "csv": str(out / "grades.csv"),
        "startup": str(root / "grader-ipython" / "profile_default" / "startup"),
        "reference": str(out / "reference"),
        "feedback": str(out / "feedback" / "solved"),
    }
    monkeypatch.setenv("IPYTHONDIR", str(root / "grader-ipython"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    monkeypatch.setenv("COURSEKIT_TEST_TOKEN_17A", TOKEN)
    syn.write(subs / "solved" / "01_demo.ipynb", syn.submission(ex, solved=syn.ANSWERS))
    for name, code in _attacks(paths, listener.getsockname()[1]).items():
        syn.write(subs / name / "01_demo.ipynb", syn.submission(ex, answers={"ex1-answer": code}))
    leak = "def central_difference(f, x, h=1e-5):\n    raise type('Leak_' + str(int(x * 1000)), (Exception,), {})()"
    syn.write(subs / "hidden_leak" / "01_demo.ipynb", syn.submission(ex, answers={"ex1-answer": leak}))
    if mode == "on":  # submissions without code: the grader's own checks, sandbox or not
        os.mkfifo(subs / "fifo" / "01_demo.ipynb") if (subs / "fifo").mkdir() is None else None
        (subs / "linked").mkdir()
        os.symlink(sols / "01_demo.ipynb", subs / "linked" / "01_demo.ipynb")
        syn.write(subs / "=HYPERLINK(1)" / "01_demo.ipynb", syn.submission(ex))
        syn.write(pathlib.Path(os.fsdecode(bytes(subs) + b"/bad\xffname")) / "01_demo.ipynb", syn.submission(ex))
    log = root / "log.txt"
    try:
        start = time.monotonic()
        grade([subs], sols, out, workers=2, timeout=8, log=open(log, "w"), sandbox=mode)
        seconds = time.monotonic() - start
        time.sleep(0.5)
        daemons = _daemons()
        with open(out / "grades.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        feedback = {p.parent.name: p.read_text() for p in (out / "feedback").glob("*/01_demo.txt")}
        planted = PLANTED.exists()
    finally:
        for pid in _daemons():
            os.kill(pid, 9)
        PLANTED.unlink(missing_ok=True)
        listener.close()
    return {
        "rows": rows,
        "feedback": feedback,
        "log": log.read_text(),
        "daemons": daemons,
        "planted": planted,
        "seconds": seconds,
        "subs": subs,
    }


needs_sandbox = pytest.mark.skipif(sb.why_unavailable() is not None, reason=str(sb.why_unavailable()))


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        return _grade_class(tmp_path_factory.mktemp("on"), "on", mp)


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        return _grade_class(tmp_path_factory.mktemp("off"), "off", mp)


@pytest.fixture(scope="module")
def landlock_only(tmp_path_factory):
    """Graded as a grader that is not root (or a root one that may not unshare) would: no uid
    of its own per kernel, only Landlock and the rlimits."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(sb.OWN_UIDS_VARIABLE, "0")
        return _grade_class(tmp_path_factory.mktemp("landlock"), "on", mp)


ATTACKS = sorted(_attacks(dict.fromkeys(("other", "solution", "csv", "startup", "reference", "feedback"), ""), 1))


@needs_sandbox
@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_is_blocked_by_the_sandbox(sandboxed, attack):
    text = sandboxed["feedback"][attack]
    assert "ATTACK BLOCKED" in text, text
    row = next(r for r in sandboxed["rows"] if r["student"] == attack)
    assert row["total"] == "0" and row["status"] == "ok"


@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_works_without_the_sandbox(unsandboxed, attack):
    """The same attacks, sandbox off: each works, so the tests above test something."""
    text = unsandboxed["feedback"][attack]
    expect = "ATTACK BLOCKED PermissionError" if attack == "daemon" else "ATTACK WORKED"
    assert expect in text, text


@needs_sandbox
@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_is_blocked_by_landlock_alone(landlock_only, attack):
    """The sandbox a non-root grader gets (here forced, as root, by the environment variable)
    blocks every attack too."""
    assert "NO own uid" in landlock_only["log"].splitlines()[0] or os.geteuid() != 0
    text = landlock_only["feedback"][attack]
    assert "ATTACK BLOCKED" in text, text
    row = next(r for r in landlock_only["rows"] if r["student"] == attack)
    assert row["total"] == "0" and row["status"] == "ok"


@needs_sandbox
def test_landlock_alone_completes_and_nothing_outlives_it(landlock_only):
    rows = {r["student"]: r for r in landlock_only["rows"]}
    assert len(rows) == len(ATTACKS) + 6
    assert rows["solved"]["total"] == "6" and rows["solved"]["status"] == "ok"
    assert landlock_only["daemons"] == [] and not landlock_only["planted"]
    out = landlock_only["subs"].parent / "out"
    assert sorted(os.listdir(out / "feedback" / "solved")) == ["01_demo.html", "01_demo.txt"]
    assert not (out / "reference" / "forged.json").exists()
    assert "forged" not in (out / "grades.csv").read_text()


@needs_sandbox
def test_the_run_completes_and_nothing_outlives_it(sandboxed, unsandboxed):
    rows = {r["student"]: r for r in sandboxed["rows"]}
    assert len(rows) == len(ATTACKS) + 6  # every attack, solved, hidden_leak, and the four without code
    assert rows["solved"]["total"] == "6" and rows["solved"]["status"] == "ok"
    assert sandboxed["daemons"] == [] and not sandboxed["planted"]
    assert unsandboxed["daemons"] and unsandboxed["planted"]  # off: the daemon lives on, the file is planted
    assert "forged" not in open(sandboxed["subs"].parent / "out" / "grades.csv").read()
    for run, touched in ((sandboxed, False), (unsandboxed, True)):  # the grader's files and another's feedback
        out = run["subs"].parent / "out"
        assert (sorted(os.listdir(out / "feedback" / "solved")) != ["01_demo.html", "01_demo.txt"]) == touched
        assert (out / "reference" / "forged.json").exists() == touched
    assert "sandbox: Landlock ABI" in sandboxed["log"].splitlines()[0]
    assert unsandboxed["log"].startswith("sandbox: off")


@needs_sandbox
def test_submissions_without_code(sandboxed):
    rows = {r["student"]: r for r in sandboxed["rows"]}
    assert (rows["fifo"]["status"], rows["fifo"]["reason"]) == ("invalid", "not a regular file")
    assert (rows["linked"]["status"], rows["linked"]["reason"]) == ("invalid", "a symbolic link, not a submitted file")
    assert rows["bad\\xffname"]["status"] == "ok"
    assert rows["'=HYPERLINK(1)"]["status"] == "ok"
    assert cell_text("=1+1") == "'=1+1" and cell_text("-2") == "'-2" and cell_text("alice") == "alice"


@needs_sandbox
def test_hidden_checks_do_not_leak_through_exception_names(sandboxed):
    text = sandboxed["feedback"]["hidden_leak"]
    assert "Leak_0" in text  # the visible check's input (0.0) may be shown
    assert "Leak_1000" not in text and "hidden check 1: raised an exception" in text


def _reads_outside_denied_writes_inside_allowed():
    from coursekit.grading.kernel import run_cells

    res = run_cells(
        [(f"open({str(PACKAGE.parent / 'README.md')!r}).read()", 0), ("open('mine', 'w').write('x')", 0)],
        timeout=20,
        sandbox="on",
    )
    assert (res[0].status, res[0].ename) == ("error", "PermissionError")
    assert res[1].status == "ok"


@needs_sandbox
def test_a_sandboxed_kernel_cannot_read_outside_its_folder():
    _reads_outside_denied_writes_inside_allowed()


@needs_sandbox
@pytest.mark.skipif(os.geteuid() != 0, reason="the fallback is for a grader running as root")
def test_root_without_mount_rights_falls_back_to_landlock(monkeypatch):
    """A root grader in a container that may not mount or unshare still sandboxes its kernels
    (Landlock, rlimits) instead of failing every kernel at start-up, and says so."""
    monkeypatch.setitem(sb._PROBED, "root_isolation", False)
    monkeypatch.setattr(sb, "_CURRENT", {})
    box = sb.current()
    assert box.for_kernel().uid is None and "NO own uid" in box.level
    _reads_outside_denied_writes_inside_allowed()


@needs_sandbox
def test_sibling_kernels_of_one_process_do_not_end_each_other():
    """Two kernels of one grading process (e.g. started from two threads): ending the first
    (as root: it kills everything of its uid) leaves the second running."""
    from coursekit.grading.kernel import Kernel

    first = Kernel(sandbox="on")
    second = Kernel(sandbox="on")
    try:
        assert first.box.uid is None or first.box.uid != second.box.uid
        first.close()
        assert second.alive()
        assert second.run("print(6 * 7)", timeout=20).stdout.strip() == "42"
    finally:
        second.close()
