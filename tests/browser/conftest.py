"""Browser tests: JupyterLab in headless Chromium driven by Playwright.

One JupyterLab server (on a temporary copy of ``chapters/`` and the demo notebook) and one
Chromium serve the whole session; each test opens its notebook in a fresh page and deletes
its kernel session afterwards. Both processes are stopped by their process ids when the
session ends, failed tests included.

Every test here carries the ``browser`` marker. Where Playwright or Chromium is missing the
tests are skipped with a reason that says how to enable them (they never fail for lack of a
browser); ``COURSEKIT_BROWSER_TESTS=0`` skips them too, and ``pytest -m "not browser"``
deselects them.

Output (screenshots, ``results.json`` with run times and slider latencies) goes to
``tests/browser/output/`` (ignored by git) or to ``$COURSEKIT_BROWSER_OUTPUT``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from .jlab import Chromium, LabServer, why_unavailable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO = HERE / "demo_explorer.ipynb"
BROKEN = "demo_explorer_broken.ipynb"
UNAVAILABLE = why_unavailable()


def chapter_notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def output_dir() -> Path:
    out = Path(os.environ.get("COURSEKIT_BROWSER_OUTPUT", HERE / "output"))
    out.mkdir(parents=True, exist_ok=True)
    ignore = out / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in headless Chromium (skipped without a browser)")


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    for item in mine:
        item.add_marker(pytest.mark.browser)
    if mine and UNAVAILABLE:
        if os.environ.get("COURSEKIT_BROWSER_REQUIRED") == "1":  # CI (.ci/browser.sh): a missing browser is an error
            raise pytest.UsageError(f"COURSEKIT_BROWSER_REQUIRED=1 but {UNAVAILABLE}")
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=UNAVAILABLE))


def _broken_demo(target: Path) -> None:
    """The demo notebook with its explorer's ``update`` replaced by a no-op after it was built:
    the sliders and readouts still move, the kernel still gets the values, but the figure
    never changes. The tests must notice."""
    nb = json.loads(DEMO.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "deliberately-broken", "metadata": {},
                        "outputs": [], "source": ["explorer.update = lambda **values: None  # deliberately broken"]})
    target.write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """The JupyterLab server (a ``LabServer``), on a copy of the chapters and the demo."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    server = LabServer([*chapter_notebooks(), DEMO], workdir)
    _broken_demo(server.root / BROKEN)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if os.environ.get("COURSEKIT_BROWSER_KEEP_LOGS"):
            shutil.copy2(server.log_path, output_dir() / "jupyter-server.log")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (a ``Chromium``)."""
    browser = Chromium()
    try:
        browser.start()
        yield browser
    finally:
        browser.stop()


@pytest.fixture
def open_notebook(lab, chromium):
    """``open_notebook(name)`` → a ``NotebookPage`` with the notebook loaded and its kernel
    idle; the page is closed and every kernel session deleted after the test."""
    from .jlab import NotebookPage

    pages = []

    def _open(name: str) -> NotebookPage:
        page = NotebookPage(lab, chromium, name)
        pages.append(page)
        page.open()
        return page

    yield _open
    for page in pages:
        page.close()
    lab.delete_sessions()


class Results:
    """Per-notebook results, merged into ``output/results.json`` as tests finish."""

    def __init__(self):
        self.path = output_dir() / "results.json"
        self.session: dict = {}

    def record(self, name: str, entry: dict):
        entry = {**entry, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.session[name] = entry
        data = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
            except ValueError:
                data = {}
        data[name] = entry
        self.path.write_text(json.dumps(data, indent=1))


_RESULTS = Results()


@pytest.fixture(scope="session")
def results():
    return _RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _RESULTS.session:
        return
    tr = terminalreporter
    tr.section("browser: sliders and end-to-end latency (key press → changed canvas pixels)")
    tr.write_line(f"{'notebook':30s} {'run all':>8s} {'sliders':>7s} {'latency median':>15s}  "
                  f"{'(kernel compute / PNG / transport+decode)':s}")
    for name, e in sorted(_RESULTS.session.items()):
        lat = e.get("latency") or {}
        med = f"{lat['median_ms']:.0f} ms" if lat.get("median_ms") is not None else "-"
        parts = lat.get("breakdown_median_ms") or {}
        split = (f"{parts.get('compute', 0):.0f} / {parts.get('png_encode', 0):.0f} / "
                 f"{parts.get('to_pixels', 0):.0f} ms"
                 if parts else "")
        tr.write_line(f"{name:30s} {e.get('run_all_s', 0):7.1f}s {len(e.get('sliders', [])):7d} {med:>15s}  {split}")
    tr.write_line(f"(details and screenshots in {output_dir()})")
