"""Run code cells in a fresh Jupyter kernel, with a time limit per cell and capped output.

A thin layer over ``jupyter_client`` (the library nbclient is built on), because grading needs
what nbclient does not give: stop keeping output past a cap while still draining it, kill a
kernel that ignores the interrupt, and notice a dead kernel within a fraction of a second.
"""

from __future__ import annotations

import contextlib
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


@dataclass
class CellResult:
    status: str = "ok"  # ok | error | timeout | died | not run
    stdout: str = ""
    ename: str = ""
    evalue: str = ""
    output_chars: int = 0  # everything the cell printed, kept or not
    truncated: bool = False


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


class Kernel:
    """One kernel process in its own empty working directory (removed on close)."""

    def __init__(self, *, cwd=None, startup_timeout=60, kernel_name="python3"):
        from jupyter_client import KernelManager

        self._own_dir = cwd is None
        self.cwd = cwd or tempfile.mkdtemp(prefix="coursekit-kernel-")
        for attempt in range(1, STARTUP_ATTEMPTS + 1):
            self.km = KernelManager(kernel_name=kernel_name)
            if self.km.kernel_spec.argv and self.km.kernel_spec.argv[0] in ("python", "python3"):
                self.km.kernel_spec.argv[0] = sys.executable
            self.km.start_kernel(cwd=self.cwd, env=kernel_env(), stdout=subprocess.DEVNULL,
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
                with contextlib.suppress(Exception):
                    self.km.shutdown_kernel(now=True)

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
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        idle = reply = False
        last_alive_check = time.monotonic()
        while not (idle and reply):
            now = time.monotonic()
            if now > deadline:
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
                        if len(text) > room:
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
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                return

    def kill(self):
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass

    def close(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        self.kill()
        if self._own_dir:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_cells(cells, *, timeout, cwd=None, max_restarts=2, keep_chars=None):
    """Run ``cells`` (a list of ``(code, keep_chars)``) in order in one kernel; results per cell.

    A cell that times out or kills the kernel is reported as such; the kernel is then started
    again and the cells before it (but not the culprit) are run again silently, so the cells
    after it still get their chance. After ``max_restarts`` the rest are ``not run``.
    """
    results = [CellResult(status="not run") for _ in cells]
    poisoned = set()
    restarts = 0
    kernel = Kernel(cwd=cwd)
    try:
        index = 0
        while index < len(cells):
            code, keep = cells[index]
            res = kernel.run(code, timeout, keep_chars=keep if keep_chars is None else keep_chars)
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
                kernel = Kernel(cwd=cwd)
                replays = (kernel.run(cells[j][0], timeout, keep_chars=0) for j in range(index) if j not in poisoned)
                if any(r.status in ("timeout", "died") for r in replays):
                    break
            index += 1
    finally:
        kernel.close()
    return results
