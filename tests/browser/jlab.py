"""Drive JupyterLab in headless Chromium: a server on a copy of the notebooks, a browser we
start ourselves (so we own its process id), and the page actions the browser tests need.

Used by ``tests/browser/`` and by ``benchmarks/bench_browser_latency.py``. Nothing here is a
test. The DOM selectors are JupyterLab 4 / ipywidgets 8 / ipympl 0.9+ internals (see
``/work/shared/NOTES-widgets.md``): pin those versions when these tests are relied on.

Kernel-side probe: the server is started with ``IPYTHONDIR`` pointing at a temporary folder
whose startup file (``PROBE``) wraps ``Explorer._on_change`` and ``Explorer.redraw`` and
ipympl's diff-PNG encoder, and appends one JSON line per slider callback to the file named by
``COURSEKIT_BROWSER_LOG``: the wall-clock times (``time.time()``) of the callback's start, of
the redraw's start and end, the diff PNG's encoding time and size, and the slider values the
kernel saw by their descriptions. Tests use it to check that the kernel saw the value the
readout shows, and the latency measurement to split the end-to-end time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
                  "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                  "--disable-backgrounding-occluded-windows", "--window-size=1280,1400"]
ENABLE_HINT = ("to enable them: `apt-get install -y chromium` (Debian) and `pip install playwright` "
               "(or `pip install -e '.[browser]'`); never `playwright install` (offline). "
               "Or run `.ci/browser.sh`.")


def find_chromium() -> str | None:
    env = os.environ.get("COURSEKIT_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium") or shutil.which("chromium-browser")


def why_unavailable() -> str | None:
    """``None`` when the browser tests can run here, otherwise the reason they cannot."""
    if os.environ.get("COURSEKIT_BROWSER_TESTS", "").lower() in ("0", "no", "false", "off"):
        return "browser tests disabled by COURSEKIT_BROWSER_TESTS=0"
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    if find_chromium() is None:
        missing.append("a Chromium browser (/usr/bin/chromium)")
    try:
        import ipympl  # noqa: F401
        import jupyterlab  # noqa: F401
    except ImportError:
        missing.append("jupyterlab/ipympl")
    if missing:
        return f"browser tests need {' and '.join(missing)}; {ENABLE_HINT}"
    return None


# --------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Process ids of all descendants of ``pid`` (read from /proc; empty elsewhere)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def stop_process_tree(proc: subprocess.Popen, timeout: float = 8.0) -> None:
    """Stop ``proc`` (started with ``start_new_session=True``), its process group, and every
    descendant it started in other sessions (Jupyter kernels), by their process ids."""
    if proc is None or proc.poll() is not None and not _children(proc.pid):
        return
    descendants = _children(proc.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    deadline = time.monotonic() + 3
    for pid in descendants:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------
# kernel-side probe (an IPython startup file)
# --------------------------------------------------------------------------------------
PROBE = r'''
# Written by tests/browser/jlab.py: logs every Explorer slider callback (see its docstring).
import json as _json, os as _os, time as _time

def _coursekit_probe():
    path = _os.environ.get("COURSEKIT_BROWSER_LOG")
    if not path:
        return
    try:
        from coursekit.widgets import base
        from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
    except Exception:
        return
    state = {"rec": None}
    on_change, redraw, diff = base.Explorer._on_change, base.Explorer.redraw, FigureCanvasWebAggCore.get_diff_image

    def _on_change(self, change=None):
        rec = {"t0": _time.time(), "explorer": type(self).__name__, "id": id(self), "diff": []}
        if isinstance(change, dict) or hasattr(change, "get"):
            owner = change.get("owner")
            rec["changed"] = getattr(owner, "description", None)
            rec["new"] = change.get("new") if isinstance(change.get("new"), (int, float, str)) else None
        rec["values"] = {getattr(c, "description", n):
                         (c.value if isinstance(c.value, (int, float, str)) else str(c.value))
                         for n, c in self.controls.items()}
        outer, state["rec"] = state["rec"], rec
        try:
            return on_change(self, change)
        except Exception as exc:
            rec["error"] = repr(exc)
            raise
        finally:
            rec["t_end"] = _time.time()
            state["rec"] = outer
            with open(path, "a") as fh:
                fh.write(_json.dumps(rec) + "\n")

    def _redraw(self, *args, **kwargs):
        rec = state["rec"]
        if rec is not None:
            rec.setdefault("t_redraw", _time.time())
        return redraw(self, *args, **kwargs)

    def _get_diff_image(self):
        t = _time.time()
        out = diff(self)
        rec = state["rec"]
        if rec is not None and out is not None:
            rec["diff"].append([t, _time.time(), len(out), getattr(self, "_current_image_mode", "")])
        return out

    base.Explorer._on_change, base.Explorer.redraw = _on_change, _redraw
    FigureCanvasWebAggCore.get_diff_image = _get_diff_image

_coursekit_probe()
del _coursekit_probe
'''


def read_probe_log(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------------------
# the JupyterLab server
# --------------------------------------------------------------------------------------
class LabServer:
    """``jupyter lab`` on 127.0.0.1, no token, on a COPY of the notebooks, with every Jupyter,
    IPython and matplotlib folder in a temporary directory."""

    def __init__(self, notebooks: list[Path], workdir: Path, log=None):
        self.workdir = Path(workdir)
        self.root = self.workdir / "notebooks"
        self.home = self.workdir / "home"
        self.root.mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            shutil.copy2(nb, self.root / Path(nb).name)
        self.probe_log = self.workdir / "kernel-probe.jsonl"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyter-server.log"

    def env(self) -> dict:
        env = dict(os.environ)
        dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
                "IPYTHONDIR": "ipython", "MPLCONFIGDIR": "mpl", "JUPYTERLAB_WORKSPACES_DIR": "workspaces"}
        for var, sub in dirs.items():
            env[var] = str(self.home / sub)
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.home / "config" / "lab" / "user-settings")
        env["COURSEKIT_BROWSER_LOG"] = str(self.probe_log)
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("MPLBACKEND", None)  # the notebooks choose their backends
        env.pop("JUPYTER_PATH", None)
        return env

    def _write_settings(self, env):
        settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab"
        files = {
            # no news / update toast over the notebook
            "apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
            # render every cell (no virtual scrolling), so off-screen widgets exist in the DOM
            "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
            # no "would you like to receive notifications" / save prompts
            "docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        }
        for rel, content in files.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(content))
        startup = Path(env["IPYTHONDIR"]) / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "50-coursekit-browser-probe.py").write_text(PROBE)

    def start(self, timeout: float = 60.0) -> LabServer:
        env = self.env()
        self._write_settings(env)
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", "--ServerApp.token=", "--ServerApp.password=",
               "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={self.root}", "--allow-root",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--MappingKernelManager.cull_idle_timeout=0"]
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self.api("GET", "/api/status") is not None:
                    return self
            time.sleep(0.25)
        raise TimeoutError(f"jupyter lab did not answer /api/status within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        return ""

    def api(self, method: str, path: str, body=None, timeout: float = 10.0):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
        return json.loads(text) if text else {}

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def kernel_state(self, path: str) -> str | None:
        for s in self.sessions():
            if s.get("path") == path or s.get("notebook", {}).get("path") == path:
                return s["kernel"].get("execution_state")
        return None

    def delete_sessions(self) -> None:
        with contextlib.suppress(OSError, urllib.error.URLError):
            for s in self.sessions():
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/sessions/{s['id']}", timeout=20)
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/kernels/{k['id']}", timeout=20)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.delete_sessions()
        stop_process_tree(self.proc)
        self.proc = None
        with contextlib.suppress(Exception):
            self._log.close()


# --------------------------------------------------------------------------------------
# the browser
# --------------------------------------------------------------------------------------
class Chromium:
    """Debian's Chromium, headless, started by us (fresh profile, our process group) and
    driven by Playwright over the DevTools protocol."""

    def __init__(self, executable: str | None = None):
        self.executable = executable or find_chromium()
        self.profile = Path(tempfile.mkdtemp(prefix="coursekit-chromium-"))
        self.proc: subprocess.Popen | None = None
        self.playwright = None
        self.browser = None

    def start(self, timeout: float = 30.0) -> Chromium:
        from playwright.sync_api import sync_playwright

        cmd = [self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
               "--remote-debugging-address=127.0.0.1", "about:blank"]
        self._log = open(self.profile / "chromium.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("chromium did not start: " + (self.profile / "chromium.log").read_text()[-2000:])
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}", timeout=timeout * 1000)
        return self

    def version(self) -> str:
        return self.browser.version if self.browser else ""

    def new_page(self, width: int = 1280, height: int = 1400):
        context = self.browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        return context.new_page()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            if self.browser is not None:
                self.browser.close()
        with contextlib.suppress(Exception):
            if self.playwright is not None:
                self.playwright.stop()
        self.browser = self.playwright = None
        if self.proc is not None:
            stop_process_tree(self.proc, timeout=5)
            self.proc = None
            with contextlib.suppress(Exception):
                self._log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


# --------------------------------------------------------------------------------------
# page actions
# --------------------------------------------------------------------------------------
# Tags every explorer in the notebook: an ipympl canvas plus the sliders of the nearest
# ancestor that has any. Returns [{index, cell, sliders: [{label, readout, now, min, max}]}].
JS_FIND_EXPLORERS = r"""
() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const divs = [...document.querySelectorAll('.jp-Notebook .jupyter-matplotlib-canvas-div')];
  const out = [];
  divs.forEach((div) => {
    let box = div.parentElement;
    while (box && !box.classList.contains('jp-OutputArea-output') && !box.querySelector('.widget-slider')) {
      box = box.parentElement;
    }
    if (!box || !box.querySelector('.widget-slider')) return;
    const i = out.length;
    box.setAttribute('data-ck-explorer', String(i));
    div.querySelector('canvas').setAttribute('data-ck-canvas', String(i));
    const sliders = [...box.querySelectorAll('.widget-slider')].map((s, j) => {
      s.setAttribute('data-ck-slider', `${i}-${j}`);
      const h = s.querySelector('.noUi-handle');
      const ro = s.querySelector('.widget-readout');
      return {label: (s.querySelector('.widget-label') || {}).textContent || '',
              readout: ro ? ro.textContent.trim() : '', now: h && h.getAttribute('aria-valuenow'),
              min: h && h.getAttribute('aria-valuemin'), max: h && h.getAttribute('aria-valuemax')};
    });
    const cell = div.closest('.jp-Cell');
    out.push({index: i, cell: cells.indexOf(cell), sliders});
  });
  return out;
}
"""

# Arms a probe on explorer i's canvas: the next drawImage that changes its pixels records
# when it happened (performance.now()); a keydown listener records when the key arrived.
JS_ARM = r"""
(i) => {
  const c = document.querySelector(`canvas[data-ck-canvas="${i}"]`);
  const ctx = c.getContext('2d');
  if (!ctx.__ckWrapped) {
    const orig = ctx.drawImage.bind(ctx);
    ctx.drawImage = (...args) => {
      const r = orig(...args);
      const p = window.__ck;
      if (p && p.armed && p.canvas === i) {
        const t = performance.now();
        p.draws += 1;
        if (c.toDataURL() !== p.before) { p.changed = t; p.armed = false; }
      }
      return r;
    };
    ctx.__ckWrapped = true;
  }
  if (!window.__ckBlob) {  // ipympl turns each binary frame into a blob URL for an <img>: message arrival
    const create = URL.createObjectURL;
    URL.createObjectURL = function (obj) {
      const p = window.__ck;
      if (p && p.armed && p.blob === null) p.blob = performance.now();
      return create.call(URL, obj);
    };
    window.__ckBlob = true;
  }
  if (!window.__ckKey) {
    window.addEventListener('keydown', () => {
      if (window.__ck && window.__ck.key === null) window.__ck.key = performance.now();
    }, true);
    window.__ckKey = true;
  }
  window.__ck = {canvas: i, before: c.toDataURL(), armed: true, key: null, changed: null, draws: 0, blob: null,
                 origin: performance.timeOrigin};
  return true;
}
"""

JS_CANVAS_CHANGED = r"""
(i) => { const p = window.__ck; if (!p) return false;
  if (p.changed !== null) return true;
  const c = document.querySelector(`canvas[data-ck-canvas="${i}"]`);
  if (c.toDataURL() !== p.before) { p.changed = performance.now(); p.armed = false; p.late = true; return true; }
  return false; }
"""

JS_CANVAS_DRAWN = r"""
(i) => { const c = document.querySelector(`canvas[data-ck-canvas="${i}"]`); return c.width > 10 && c.height > 10; }
"""

JS_CELL_STATE = r"""
() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim());
  const stderr = '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
  const errors = [...document.querySelectorAll(stderr)]
      .map(e => e.textContent).filter(t => /Traceback|Error/.test(t)).map(t => t.slice(-1500));
  return {prompts, errors, n: cells.length};
}
"""

_PROMPT_DONE = re.compile(r"^\[\d+\]:?$")


class NotebookPage:
    """One notebook open in JupyterLab."""

    def __init__(self, server: LabServer, browser: Chromium, name: str):
        self.server, self.name = server, name
        self.page = browser.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error",) else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def close(self):
        with contextlib.suppress(Exception):
            self.page.context.close()

    def open(self, timeout: float = 60.0):
        # a workspace of its own, reset: no notebook of an earlier test is restored beside this one
        workspace = f"ck-{os.getpid()}-{id(self)}"
        self.page.goto(f"{self.server.url}/lab/workspaces/{workspace}/tree/{self.name}?reset", timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while self.server.kernel_state(self.name) not in ("idle",):
            if time.monotonic() > deadline:
                state = self.server.kernel_state(self.name)
                raise TimeoutError(f"kernel for {self.name} not idle after {timeout} s: {state}")
            time.sleep(0.2)
        # The notebook panel must be live (the status bar knows the kernel)
        self.page.wait_for_function("() => /Idle/.test((document.querySelector('#jp-main-statusbar') || {})"
                                    ".textContent || '')",
                                    timeout=timeout * 1000)

    def run_all(self, timeout: float = 180.0) -> float:
        """Run All Cells from the Run menu; wait until every code cell has run and the kernel
        is idle. Returns the seconds it took. Raises with the traceback if a cell failed."""
        notebook = self.page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        notebook.first.click(position={"x": 5, "y": 5})
        t0 = time.monotonic()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = t0 + timeout
        state = None
        while time.monotonic() < deadline:
            time.sleep(0.3)
            state = self.page.evaluate(JS_CELL_STATE)
            if state["errors"]:
                raise AssertionError(f"{self.name}: a cell raised:\n" + "\n---\n".join(state["errors"]))
            if state["n"] and all(_PROMPT_DONE.match(p) for p in state["prompts"]) \
                    and self.server.kernel_state(self.name) == "idle":
                # widgets render asynchronously after the last execute_reply
                self.page.wait_for_timeout(300)
                return time.monotonic() - t0
            if any(p == "[*]:" or p == "[*]" for p in state["prompts"]):
                continue
            if self.server.kernel_state(self.name) == "idle" and any(_PROMPT_DONE.match(p) for p in state["prompts"]) \
                    and not all(_PROMPT_DONE.match(p) for p in state["prompts"]) and time.monotonic() - t0 > 5:
                # the run stopped before the end (an error not shown as a traceback?)
                state2 = self.page.evaluate(JS_CELL_STATE)
                if state2["prompts"] == state["prompts"]:
                    time.sleep(1.0)
                    state3 = self.page.evaluate(JS_CELL_STATE)
                    if state3["prompts"] == state["prompts"] and self.server.kernel_state(self.name) == "idle":
                        raise AssertionError(f"{self.name}: Run All stopped; prompts {state['prompts']}")
        raise TimeoutError(f"{self.name}: cells not all run after {timeout} s; prompts {state and state['prompts']}")

    def explorers(self, timeout: float = 20.0) -> list[dict]:
        """Every explorer (an ipympl canvas with sliders), once its canvas has been drawn."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.page.evaluate(JS_FIND_EXPLORERS)
            drawn = all(self.page.evaluate(JS_CANVAS_DRAWN, e["index"]) for e in found)
            if drawn or time.monotonic() > deadline:
                return found
            self.page.wait_for_timeout(200)

    def canvas_url(self, i: int) -> str:
        return self.page.evaluate("(i) => document.querySelector(`canvas[data-ck-canvas=\"${i}\"]`).toDataURL()", i)

    def slider_state(self, i: int, j: int) -> dict:
        return self.page.evaluate(
            """(id) => { const s = document.querySelector(`[data-ck-slider="${id}"]`);
                 const h = s.querySelector('.noUi-handle'); const ro = s.querySelector('.widget-readout');
                 const num = (a) => parseFloat(h.getAttribute(a));
                 return {readout: ro ? ro.textContent.trim() : '', now: num('aria-valuenow'),
                         min: num('aria-valuemin'), max: num('aria-valuemax')}; }""",
            f"{i}-{j}")

    def move(self, i: int, j: int, key: str | None = None, timeout: float = 15.0) -> dict:
        """Press an arrow key on slider j of explorer i; wait until the canvas pixels change.
        Returns {key, before, after (slider states), latency_ms (key event → changed pixels),
        t_key, t_changed (epoch seconds)}; raises AssertionError if the readout or the canvas
        did not change within ``timeout``."""
        from playwright.sync_api import TimeoutError as PWTimeout

        before = self.slider_state(i, j)
        if key is None:
            key = "ArrowLeft" if before["now"] >= before["max"] - 1e-9 else "ArrowRight"
        handle = self.page.locator(f'[data-ck-slider="{i}-{j}"] .noUi-handle')
        # a key press can be lost while the page settles: up to 3 presses (a dialog that took the focus,
        # such as 'Kernel Restarting' after a crash, is named in the error)
        presses = 0
        while presses < 3:
            handle.scroll_into_view_if_needed(timeout=5000)
            self.page.evaluate(JS_ARM, i)
            handle.press(key)  # focuses the handle, then presses
            presses += 1
            if self._readout_moved(i, j, before["readout"]):
                break
        try:
            self.page.wait_for_function(JS_CANVAS_CHANGED, arg=i, timeout=timeout * 1000, polling="raf")
            changed = True
        except PWTimeout:
            changed = False
        after = self.slider_state(i, j)
        probe = self.page.evaluate("() => ({...window.__ck, before: null, late: !!window.__ck.late})")
        result = {"key": key, "before": before, "after": after, "draws": probe["draws"]}
        if after["readout"] == before["readout"]:
            focused = self.page.evaluate("() => document.activeElement && document.activeElement.className")
            dialog = self.page.evaluate("() => { const d = document.querySelector('.jp-Dialog');"
                                        " return d ? d.innerText.replace(/\\s+/g, ' ').trim() : null; }")
            raise AssertionError(f"slider {i}-{j}: {presses} presses of {key} did not change the readout "
                                 f"({before['readout']}; focus on {focused!r}"
                                 + (f"; JupyterLab shows a dialog: {dialog!r}" if dialog else "") + ")")
        if not changed:
            raise AssertionError(f"slider {i}-{j}: the canvas did not change within {timeout} s after {key} "
                                 f"moved the readout {before['readout']} → {after['readout']} (the kernel callback "
                                 f"did not redraw?)")
        if probe["key"] is not None and probe["changed"] is not None:
            result["latency_ms"] = probe["changed"] - probe["key"]
            result["t_key"] = (probe["origin"] + probe["key"]) / 1e3
            result["t_changed"] = (probe["origin"] + probe["changed"]) / 1e3
            result["late"] = probe["late"]
            if probe["blob"] is not None and probe["blob"] <= probe["changed"]:
                result["t_message"] = (probe["origin"] + probe["blob"]) / 1e3
        return result

    def _readout_moved(self, i: int, j: int, readout: str, wait: float = 2.0) -> bool:
        """Whether the readout of slider j of explorer i leaves ``readout`` within ``wait`` s."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.slider_state(i, j)["readout"] != readout:
                return True
            self.page.wait_for_timeout(20)
        return False

    def prime(self, i: int, j: int = 0, timeout: float = 15.0) -> None:
        """Move slider j of explorer i one step and back, without checking anything.

        ipympl's first frames come from full figure draws (artists in z-order); every slider
        move afterwards is a blit (dynamic artists on top of the cached background). The first
        blit therefore changes a few pixels (a marker now under a line) even when the callback
        computes nothing new. Priming makes the canvas show the blit-path image, so the checks
        that follow see only what the callback changed."""
        st = self.slider_state(i, j)
        there = "ArrowLeft" if st["now"] >= st["max"] - 1e-9 else "ArrowRight"
        back = "ArrowRight" if there == "ArrowLeft" else "ArrowLeft"
        handle = self.page.locator(f'[data-ck-slider="{i}-{j}"] .noUi-handle')
        for key in (there, back):
            handle.focus()
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(150)
            self.wait_idle(timeout)
        self.page.wait_for_timeout(150)

    def wait_idle(self, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while self.server.kernel_state(self.name) != "idle":
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel busy for {timeout} s")
            time.sleep(0.05)

    def screenshot(self, path: Path, explorer: int | None = None):
        if explorer is not None:
            with contextlib.suppress(Exception):
                self.page.locator(f'[data-ck-explorer="{explorer}"]').scroll_into_view_if_needed(timeout=5000)
        self.page.screenshot(path=str(path))


def number(text: str) -> float | None:
    """The float in a readout such as '0.112' or '1e-03' (None if none)."""
    m = re.search(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text.replace("−", "-"))
    return float(m.group(0)) if m else None


def kernel_records(server: LabServer, t_from: float, t_to: float, wait: float = 2.0) -> list[dict]:
    """The probe's callback records that started between ``t_from`` and ``t_to`` (epoch
    seconds, 50 ms slack before for clock granularity); waits up to ``wait`` s for the line."""
    deadline = time.monotonic() + wait
    while True:
        recs = [r for r in read_probe_log(server.probe_log) if t_from - 0.05 <= r["t0"] <= t_to + 0.05]
        if recs or time.monotonic() > deadline:
            return recs
        time.sleep(0.05)


def breakdown(move: dict, recs: list[dict]) -> dict | None:
    """Split one move's latency (ms) using the kernel record of its callback: key event →
    kernel callback start, compute (``update``), redraw without the PNG, diff-PNG encoding,
    and kernel done → pixels changed (transport, PNG decode, drawImage)."""
    if not recs or "t_key" not in move:
        return None
    r = recs[-1]
    t_redraw = r.get("t_redraw", r["t_end"])
    png = sum(d[1] - d[0] for d in r.get("diff", []))
    return {"to_kernel": 1e3 * (r["t0"] - move["t_key"]), "compute": 1e3 * (t_redraw - r["t0"]),
            "redraw": 1e3 * (r["t_end"] - t_redraw - png), "png_encode": 1e3 * png,
            "png_bytes": sum(d[2] for d in r.get("diff", [])),
            "to_pixels": 1e3 * (move["t_changed"] - r["t_end"]), "callbacks": len(recs),
            # to_pixels = transport (kernel → the page's message handler) + decode_draw (PNG decode, drawImage)
            "transport": 1e3 * (move["t_message"] - r["t_end"]) if "t_message" in move else None,
            "decode_draw": 1e3 * (move["t_changed"] - move["t_message"]) if "t_message" in move else None}
