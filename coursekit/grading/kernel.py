"""Run code cells in a fresh Jupyter kernel, with a time limit per cell and capped output.

A thin layer over ``jupyter_client`` (the library nbclient is built on), because grading needs
what nbclient does not give: stop keeping output past a cap while still draining it, kill a
kernel that ignores the interrupt, and notice a dead kernel within a fraction of a second.

Each kernel runs in the sandbox of :mod:`coursekit.grading.sandbox` (``sandbox="auto"``: where
the system supports it; ``"on"``: required; ``"off"``: a plain kernel with the grader's
environment, for comparison). No kernel stores IPython history.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

STARTUP_ATTEMPTS = 3  # a kernel that dies while starting is started again, twice at most
KEEP_CHARS = 16_000_000  # stdout kept per cell (check cells write their records there)
OUTPUT_LIMIT = 128_000_000  # characters a cell may print; past it the cell is stopped
DRAIN_SECONDS = 3.0  # after an interrupt, how long the kernel may go on printing
SANDBOX_MODES = ("auto", "on", "off")
DEFAULT_SANDBOX = "auto"
KERNEL_ARGS = ["--HistoryManager.enabled=False"]  # no history.sqlite for a later kernel to read


@dataclass
class CellResult:
    status: str = "ok"  # ok | error | timeout | died | not run
    stdout: str = ""
    ename: str = ""
    evalue: str = ""
    output_chars: int = 0  # everything the cell printed, kept or not
    truncated: bool = False
    flooded: bool = False  # printed more than OUTPUT_LIMIT: stopped


@dataclass
class KernelProblem:
    notes: list = field(default_factory=list)


def kernel_env(extra=None):
    """The kernel's environment: the grader's, minus nothing secret-looking, single-threaded BLAS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEKIT_GRADER")}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


# OPENBLAS_CORETYPE picks the BLAS kernels (the README uses it to stand in for another CPU)
PASSED_VARIABLES = ("COURSEKIT_SEED", "LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE")


def sandbox_env(folder):
    """A sandboxed kernel's whole environment: nothing of the grader's but the seed and the
    locale; ``HOME``, ``IPYTHONDIR``, ``TMPDIR`` and the Jupyter and Matplotlib folders in
    ``folder``."""
    env = {k: os.environ[k] for k in PASSED_VARIABLES if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"])
    for var, sub in (("HOME", "home"), ("IPYTHONDIR", "home/.ipython"), ("TMPDIR", "tmp"),
                     ("MPLCONFIGDIR", "home/.matplotlib"), ("JUPYTER_CONFIG_DIR", "home/.jupyter"),
                     ("JUPYTER_DATA_DIR", "home/.local/share/jupyter"),
                     ("JUPYTER_RUNTIME_DIR", "home/.local/share/jupyter/runtime")):
        env[var] = os.path.join(folder, sub)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1")
    return env


def resolve_sandbox(mode=None):
    """``(Sandbox or None, description)`` for ``mode`` (``auto``, ``on`` or ``off``)."""
    from . import sandbox

    mode = DEFAULT_SANDBOX if mode is None else mode
    if mode not in SANDBOX_MODES:
        raise ValueError(f"sandbox must be one of {', '.join(SANDBOX_MODES)}, not {mode!r}")
    if mode == "off":
        return None, "sandbox: off (kernels run as the grader's user, with its files and environment)"
    reason = sandbox.why_unavailable()
    if reason is not None:
        if mode == "on":
            raise RuntimeError(f"sandbox=on, but {reason}")
        return None, f"sandbox: NOT applied: {reason}"
    box = sandbox.current()
    return box, f"sandbox: {box.level}"


def _kernel_parent(box):
    """Where a kernel's folder goes: the temporary folder, unless the kernel's own uid could
    not reach it (a TMPDIR inside a private folder; ``_searchable_by`` names the folder that
    blocks): then ``/tmp``."""
    from . import sandbox

    base = tempfile.gettempdir()
    if box is not None and box.uid is not None and sandbox._searchable_by(os.path.join(base, "k"), box.uid):
        return "/tmp"
    return base


class Kernel:
    """One kernel process in its own empty working directory (removed on close)."""

    def __init__(self, *, cwd=None, startup_timeout=60, kernel_name="python3", sandbox=None):
        from jupyter_client import KernelManager

        box = resolve_sandbox(sandbox)[0]
        self.box = box.for_kernel() if box is not None else None
        self._own_dir = cwd is None or self.box is not None
        self.cwd = tempfile.mkdtemp(prefix="coursekit-kernel-", dir=_kernel_parent(self.box)) if self._own_dir else cwd
        self._mounted = False
        for attempt in range(1, STARTUP_ATTEMPTS + 1):
            if self.box is not None:
                self.km = self._sandboxed_manager(KernelManager, kernel_name)
            else:
                self.km = KernelManager(kernel_name=kernel_name)
                if self.km.kernel_spec.argv and self.km.kernel_spec.argv[0] in ("python", "python3"):
                    self.km.kernel_spec.argv[0] = sys.executable
                self.km.kernel_spec.argv += KERNEL_ARGS
            env = sandbox_env(self.cwd) if self.box is not None else kernel_env()
            work = os.path.join(self.cwd, "work") if self.box is not None else self.cwd
            self.km.start_kernel(cwd=work, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                self.kc.wait_for_ready(timeout=startup_timeout)
                return
            except Exception:
                # a kernel can die at start-up when another process took one of the free ports
                # it was given (kernels start in parallel): start a new one, on new ports
                if attempt == STARTUP_ATTEMPTS:
                    self.close()
                    raise
                self.kc.stop_channels()
                self.kill()

    def _sandboxed_manager(self, manager_class, kernel_name):
        """A manager whose kernel starts through the sandbox's launcher, talking over Unix
        sockets in the kernel's folder (a fresh folder for each attempt)."""
        if self._mounted:
            self._release()
        self.box.prepare_folder(self.cwd)
        self._mounted = True
        uid = self.box.uid
        for sub in ("work", "home/.ipython", "tmp", "home/.local/share/jupyter/runtime"):
            path = os.path.join(self.cwd, sub)
            os.makedirs(path, mode=0o700, exist_ok=True)
        if uid is not None:
            for base, dirs, files in os.walk(self.cwd):
                for name in [*dirs, *files, ""]:
                    os.chown(os.path.join(base, name) if name else base, uid, uid)
        km = manager_class(kernel_name=kernel_name, transport="ipc", ip=os.path.join(self.cwd, "k"),
                           connection_file=os.path.join(self.cwd, "kernel.json"), cache_ports=False)
        km.kernel_spec.argv = [*self.box.launcher(self.cwd), sys.executable, "-m", "ipykernel_launcher",
                               "-f", "{connection_file}", *KERNEL_ARGS]
        km.write_connection_file()
        if uid is not None:
            os.chown(km.connection_file, uid, uid)
        return km

    def _release(self):
        if self._mounted:
            self.box.release_folder(self.cwd)
            self._mounted = False
            shutil.rmtree(self.cwd, ignore_errors=True)
            os.makedirs(self.cwd, mode=0o700, exist_ok=True)

    def alive(self):
        try:
            return self.km.is_alive()
        except Exception:
            return False

    def run(self, code, timeout, keep_chars=KEEP_CHARS):
        """Execute ``code``; return a :class:`CellResult` (never raises for the code's sake)."""
        result = CellResult()
        if not code.strip():
            return result
        kept, kept_chars = [], 0
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        idle = reply = False
        last_alive_check = time.monotonic()
        while not (idle and reply):
            now = time.monotonic()
            if now > deadline or result.output_chars > OUTPUT_LIMIT:
                result.flooded = result.output_chars > OUTPUT_LIMIT
                result.stdout = "".join(kept)
                return self._timed_out(result, msg_id)
            got_message = False
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
                got_message = True
                if msg["parent_header"].get("msg_id") == msg_id:
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "status" and content.get("execution_state") == "idle":
                        idle = True
                    elif kind == "stream" and content.get("name") == "stdout":
                        text = content.get("text", "")
                        result.output_chars += len(text)
                        room = keep_chars - kept_chars
                        if room > 0:
                            kept.append(text[:room])
                            kept_chars += len(kept[-1])
                        if len(text) > room and keep_chars > 0:
                            result.truncated = True
                    elif kind == "stream":
                        result.output_chars += len(content.get("text", ""))
                    elif kind == "error":
                        result.status = "error"
                        result.ename = str(content.get("ename", ""))[:200]
                        result.evalue = str(content.get("evalue", ""))[:2000]
                    elif kind in ("execute_result", "display_data"):
                        result.output_chars += sum(len(str(v)) for v in content.get("data", {}).values())
            except queue.Empty:
                pass
            if not reply:
                try:
                    shell = self.kc.get_shell_msg(timeout=0)
                    got_message = True
                    if shell["parent_header"].get("msg_id") == msg_id:
                        reply = True
                        content = shell["content"]
                        if content.get("status") == "error" and result.status == "ok":
                            result.status = "error"
                            result.ename = str(content.get("ename", ""))[:200]
                            result.evalue = str(content.get("evalue", ""))[:2000]
                except queue.Empty:
                    pass
            if not got_message and now - last_alive_check > 0.5:
                last_alive_check = now
                if not self.alive():
                    result.status = "died"
                    result.stdout = "".join(kept)
                    return result
        result.stdout = "".join(kept)
        return result

    def _timed_out(self, result, msg_id):
        """Interrupt; if the kernel does not come back within a few seconds it is killed."""
        result.status = "timeout"
        try:
            self.km.interrupt_kernel()
        except Exception:
            pass
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                shell = self.kc.get_shell_msg(timeout=0.1)
                if shell["parent_header"].get("msg_id") == msg_id:
                    self._drain()
                    return result
            except queue.Empty:
                if not self.alive():
                    return result
        self.kill()
        return result

    def _drain(self):
        """Read what the interrupted cell still prints; a kernel still printing after
        ``DRAIN_SECONDS`` is killed."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                return
        self.kill()

    def kill(self):
        """End the kernel and, in a sandbox, everything it started."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        if self.box is not None:
            self.box.end_all(pid)

    def close(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        self.kill()
        if self.box is not None and self._mounted:
            self.box.release_folder(self.cwd)
            self._mounted = False
        if self.box is not None:
            self.box.release()
        if self._own_dir:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_cells(cells, *, timeout, cwd=None, max_restarts=2, keep_chars=None, sandbox=None, budget=None):
    """Run ``cells`` (a list of ``(code, keep_chars)``) in order in one kernel; results per cell.

    A cell that times out or kills the kernel is reported as such; the kernel is then started
    again and the cells before it (but not the culprit) are run again silently, so the cells
    after it still get their chance. After ``max_restarts`` the rest are ``not run``; so are
    those left when the whole run has taken ``budget`` seconds (default: ``timeout`` per cell,
    twice over).
    """
    results = [CellResult(status="not run") for _ in cells]
    poisoned = set()
    restarts = 0
    end = time.monotonic() + (budget if budget is not None else 2 * timeout * max(len(cells), 1))
    kernel = Kernel(cwd=cwd, sandbox=sandbox)
    try:
        index = 0
        while index < len(cells):
            code, keep = cells[index]
            left = end - time.monotonic()
            if left <= 0:
                break
            res = kernel.run(code, min(timeout, left), keep_chars=keep if keep_chars is None else keep_chars)
            results[index] = res
            if res.status in ("timeout", "died"):
                poisoned.add(index)
            if res.status == "timeout" and kernel.alive():
                index += 1
                continue
            if res.status in ("timeout", "died"):
                if restarts >= max_restarts:
                    break
                restarts += 1
                kernel.close()
                kernel = Kernel(cwd=cwd, sandbox=sandbox)
                replays = (kernel.run(cells[j][0], timeout, keep_chars=0) for j in range(index) if j not in poisoned)
                if any(r.status in ("timeout", "died") for r in replays):
                    break
            index += 1
    finally:
        kernel.close()
    return results
