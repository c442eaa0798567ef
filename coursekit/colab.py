"""The set-up cell at the top of every chapter and exercise notebook, for Google Colab.

In Colab a notebook opens alone, without this repository: the cell installs coursekit from the
repository named in ``pyproject.toml`` (``[project.urls] Repository``, the one place it is
kept) and turns on the widget manager that ipympl's figures and the sliders need there
(``google.colab.output.enable_custom_widget_manager()``). Anywhere else it does nothing. The
cell is plain Python, so it runs before coursekit exists.

``python -m coursekit setup-cell chapters solutions`` writes it into the notebooks (the
exercises get it from the solutions by ``release``); ``--check`` only reports stale ones.
"""

from __future__ import annotations

import json
import pathlib
import re

__all__ = ["TAG", "repository_url", "setup_cell_source", "write_setup_cells"]

#: the cell tag that marks the set-up cell (also hides it from the HTML book)
TAG = "colab-setup"
PYPROJECT = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"


def repository_url(pyproject=PYPROJECT) -> str:
    """``[project.urls] Repository`` of ``pyproject.toml``."""
    text = pathlib.Path(pyproject).read_text(encoding="utf-8")
    urls = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = urls and re.search(r'^Repository\s*=\s*"([^"]+)"', urls.group(1), re.M)
    if not found:
        raise ValueError(f"{pyproject}: no Repository under [project.urls]")
    return found.group(1)


def setup_cell_source(url: str) -> str:
    """The cell's code: in Colab, ``pip install`` coursekit from ``url`` and enable the widgets."""
    return (
        "# Google Colab only (does nothing anywhere else): install coursekit, turn on the widgets\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "coursekit @ git+{url}"], check=True)\n'
        "    from google.colab import output\n"
        "\n"
        "    output.enable_custom_widget_manager()"
    )


def _setup_cell(source):
    return {"cell_type": "code", "execution_count": None, "id": "colab-setup", "metadata": {"tags": [TAG]},
            "outputs": [], "source": source.splitlines(keepends=True)}


def write_setup_cells(notebooks, url: str | None = None, *, check_only: bool = False) -> list[pathlib.Path]:
    """Put the set-up cell first among the code cells of each notebook (right after the title
    cell), replacing an older one. Returns the notebooks that changed (or, with ``check_only``,
    would change; nothing is written then)."""
    source = setup_cell_source(url or repository_url())
    changed = []
    for path in map(pathlib.Path, notebooks):
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
        first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
        at = min(first_code, 1 if cells and cells[0]["cell_type"] == "markdown" else 0)
        old = [c for c in nb["cells"] if TAG in c.get("metadata", {}).get("tags", [])]
        cell = old[0] if len(old) == 1 and "".join(old[0]["source"]) == source else _setup_cell(source)
        cells.insert(at, cell)
        nb["cells"] = cells
        new_text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new_text != text:
            changed.append(path)
            if not check_only:
                path.write_text(new_text, encoding="utf-8")
    return changed
