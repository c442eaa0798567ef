"""The Colab set-up cell: first in every chapter, solution and exercise notebook, built from the
one repository URL in pyproject.toml, a no-op outside Colab, and in Colab an install and the
widget manager."""

import json
import pathlib
import subprocess
import sys
import types

import pytest

from coursekit.colab import TAG, repository_url, setup_cell_source

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("chapters", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))


def run_cell(monkeypatch, in_colab):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(("pip", a, k)))
    if in_colab:
        output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append(("widgets",)))
        colab = types.ModuleType("google.colab")
        colab.output = output
        google = types.ModuleType("google")
        google.colab = colab
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    before = set(sys.modules)
    namespace = {}
    exec(setup_cell_source("https://example.org/course"), namespace)
    return calls, set(sys.modules) - before, namespace


def test_outside_colab_the_cell_does_nothing(monkeypatch):
    calls, new_modules, namespace = run_cell(monkeypatch, in_colab=False)
    assert calls == [] and not {m for m in new_modules if m.startswith("google")}
    assert set(namespace) - {"__builtins__"} == {"sys"}


def test_in_colab_the_cell_installs_from_the_url_and_enables_the_widgets(monkeypatch):
    calls, _, _ = run_cell(monkeypatch, in_colab=True)
    assert [c[0] for c in calls] == ["pip", "widgets"]
    command = calls[0][1][0]
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-1] == "coursekit @ git+https://example.org/course" and calls[0][2] == {"check": True}


def test_the_url_is_the_one_in_pyproject():
    assert repository_url().startswith("https://") and repository_url() in setup_cell_source(repository_url())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_notebook_starts_with_the_current_setup_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert TAG in first_code["metadata"].get("tags", []), f"{path.name}: run python -m coursekit setup-cell"
    assert "".join(first_code["source"]) == setup_cell_source(repository_url())
    assert sum(TAG in c["metadata"].get("tags", []) for c in cells) == 1
