"""The offline book's staging (coursekit.book), without Jupyter Book: explorers become their
stored PNG with a note and no widget view left to hide it, Colab set-up cells go, Jupyter's
math reaches MyST intact, the config names nothing on a network, and the command fails in one
line without Jupyter Book or npm. The built book itself is checked in a browser by
tests/browser/test_book.py."""

from __future__ import annotations

import base64
import json
import pathlib
import re

import pytest

from coursekit import book
from coursekit.__main__ import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
VIEW = "application/vnd.jupyter.widget-view+json"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()


def _model(name, module="@jupyter-widgets/controls", **state):
    return {"model_module": module, "model_module_version": "2.0.0", "model_name": name, "state": state}


def explorer_notebook(tags=()):
    """A chapter-like notebook: a Colab cell, prose with math, and an ipympl explorer (a VBox
    of a log slider, a γ slider, the canvas and an HTML table) stored with its PNG fallback."""
    state = {
        "box": _model("VBoxModel", children=["IPY_MODEL_lr", "IPY_MODEL_gamma", "IPY_MODEL_canvas", "IPY_MODEL_table"]),
        "lr": _model("FloatLogSliderModel", description="α (lr)", value=0.05),
        "gamma": _model("FloatSliderModel", description="γ", value=0.9),
        "canvas": _model("MPLCanvasModel", module="jupyter-matplotlib", _data_url=None),
        "table": _model("HTMLModel", value="<table><tr><td>loss 0.0274</td></tr></table>"),
    }
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json":
                                 {"state": state, "version_major": 2, "version_minor": 0}}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Chapter 9 — Test\n", "The rate $\\alpha$."]},
            {"cell_type": "code", "metadata": {"tags": ["colab-setup", *tags]}, "execution_count": None,
             "outputs": [], "source": ["# Google Colab only\nimport sys"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["momentum_explorer(lr=0.05)"],
             "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                          "data": {VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
                                   "image/png": PNG, "text/plain": ["<MultiFunctionExplorer: lr, gamma>"]}}]},
        ],
    }


def outputs(nb):
    return [out for cell in nb["cells"] for out in cell.get("outputs", [])]


def test_an_explorer_becomes_its_stored_png_with_a_note_and_no_widget_view():
    staged = book.stage_notebook(explorer_notebook(), "chapters/09_test.ipynb")
    outs = outputs(staged)
    assert [o for o in outs if o.get("data", {}).get("image/png") == PNG], "the explorer's PNG is not shown"
    assert not [o for o in outs if VIEW in o.get("data", {})], "a widget view is left: renderers prefer it to the PNG"
    assert "widgets" not in staged["metadata"], "the saved widget state is left (pages would load widget JS)"
    notes = [o["data"]["text/html"] for o in outs if "text/html" in o.get("data", {})]
    assert len(notes) == 1
    note = notes[0]
    assert "kernel" in note and "python -m coursekit lab chapters/09_test.ipynb" in note
    assert "α (lr) = 0.05" in note and "γ = 0.9" in note, "the note does not give the stored slider values"
    assert "loss 0.0274" in note, "the explorer's stored result table is lost"
    png_at = next(i for i, o in enumerate(outs) if "image/png" in o.get("data", {}))
    note_at = next(i for i, o in enumerate(outs) if "text/html" in o.get("data", {}))
    assert png_at < note_at, "the note must follow the figure"


def test_staging_leaves_the_notebook_it_was_given_unchanged():
    nb = explorer_notebook()
    before = json.dumps(nb, sort_keys=True)
    book.stage_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before


def test_a_widget_without_a_png_keeps_only_useful_text():
    nb = explorer_notebook()
    nb["cells"][2]["outputs"] = [
        {"output_type": "display_data", "metadata": {},
         "data": {VIEW: {"model_id": "bar"}, "text/plain": ["100%|██████████| 10/10"]}},
        {"output_type": "display_data", "metadata": {},
         "data": {VIEW: {"model_id": "box"}, "text/plain": ["VBox(children=(FloatSlider(value=0.1),))"]}},
    ]
    outs = outputs(book.stage_notebook(nb))
    assert [o["data"] for o in outs] == [{"text/plain": ["100%|██████████| 10/10"]}]


def test_colab_setup_cells_are_removed():
    staged = book.stage_notebook(explorer_notebook())
    assert not [c for c in staged["cells"] if "colab-setup" in c.get("metadata", {}).get("tags", [])]
    assert not [c for c in staged["cells"] if "Google Colab" in "".join(c["source"])]
    assert len(staged["cells"]) == 2


def test_long_plotting_cells_are_folded_and_short_ones_are_not():
    nb = explorer_notebook()
    figure = {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG, "text/plain": ["<Figure>"]}}
    long = {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [figure],
            "source": "\n".join(f"ax.plot({i})" for i in range(book.FOLD_LINES + 1))}
    short = {**long, "metadata": {}, "source": "ax.plot(1)\nplt.show()"}
    nb["cells"] += [long, short]
    staged = book.stage_notebook(nb)
    assert "hide-input" in staged["cells"][-2]["metadata"]["tags"]
    assert "hide-input" not in staged["cells"][-1]["metadata"].get("tags", [])


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("[0-9]*.ipynb")), ids=lambda p: p.stem)
def test_every_explorer_of_the_chapters_is_shown_as_an_image(chapter):
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    views = [o for o in outputs(nb) if VIEW in o.get("data", {}) and "image/png" in o["data"]]
    staged = book.stage_notebook(nb, f"chapters/{chapter.name}")
    outs = outputs(staged)
    assert not [o for o in outs if VIEW in o.get("data", {})]
    notes = [o for o in outs if "coursekit-explorer-note" in str(o.get("data", {}).get("text/html", ""))]
    assert len(notes) == len(views)
    pngs = [o["data"]["image/png"] for o in outs if "image/png" in o.get("data", {})]
    assert all(v["data"]["image/png"] in pngs for v in views)


# -- math: what Jupyter typesets, MyST must typeset -------------------------------------
def test_inline_math_over_two_lines_is_not_read_as_a_list():
    # "+ γ(...)" at the start of a line would become a bullet list in MyST; Jupyter reads one formula
    text = "one recursion, $x_{t+1} = x_t - \\alpha g\n+ \\gamma(x_t - x_{t-1})$. Next."
    out = book.markdown_for_myst(text)
    assert out == "one recursion, {math}`x_{t+1} = x_t - \\alpha g + \\gamma(x_t - x_{t-1})`. Next."


def test_display_math_code_and_dollar_signs():
    text = ("Use `$x$` here,\n$$a\n+ b$$\nand \\\\(c\\\\), \\\\[d\\\\], it costs $5.\n"
            "```python\nprint('$y$')\n```\n")
    out = book.markdown_for_myst(text)
    assert "`$x$`" in out and "print('$y$')" in out, "code must be left alone"
    assert "$$a + b$$" in out and "{math}`c`" in out and "$$d$$" in out
    assert "costs \\$5." in out, "a lone dollar sign must stay a dollar sign"


def test_math_does_not_run_through_a_blank_line():
    # as in JupyterLab: the first $ stays a dollar sign, the next two enclose a formula
    pieces = book.split_math("a $b\n\nc$ d $e")
    assert pieces == [("text", "a "), ("dollar", "$"), ("text", "b\n\nc"), ("math", "$ d $"), ("text", "e")]


# -- config ------------------------------------------------------------------------------
def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    else:
        yield str(value)


def test_the_config_names_no_asset_on_a_network():
    config = json.loads(book.book_config())  # it is JSON, which is YAML
    found = [s for s in _strings(config) if re.search(r"(https?:)?//", s)]
    assert not found, f"URLs in the book's config: {found}"
    sphinx = config["sphinx"]["config"]
    assert sphinx["mathjax_path"] == book.MATHJAX_SCRIPT and not sphinx["mathjax_path"].startswith("/")
    assert sphinx["nb_ipywidgets_js"] == {}, "MyST-NB's default loads require.js and the widget manager from CDNs"
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["launch_buttons"]["thebe"] is False
    assert "coursekit.book" in config["sphinx"]["extra_extensions"]


def test_stage_writes_the_whole_course(tmp_path):
    root = tmp_path / "course"
    exercise = explorer_notebook()
    exercise["cells"][0]["source"] = ["    # Indented: Jupyter shows it as code\n", "## Exercise 1: a step"]
    for folder, nb in (("chapters", explorer_notebook()), ("exercises", exercise)):
        (root / folder).mkdir(parents=True)
        (root / folder / "09_test.ipynb").write_text(json.dumps(nb))
    (root / "README.md").write_text("# The course\n\nSee [chapter 9](chapters/09_test.ipynb); costs $0.\n")
    assets = tmp_path / "assets"
    (assets / "mathjax").mkdir(parents=True)
    (assets / "mathjax" / "tex-chtml-full.js").write_text("/* MathJax */")
    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "chapters" / "08_gone.ipynb").write_text("{}")  # left from an earlier build

    docs = book.stage(root, src, assets)
    assert docs == {"chapters": ["chapters/09_test"], "exercises": ["exercises/09_test"]}
    assert not (src / "chapters" / "08_gone.ipynb").exists()
    toc = (src / "_toc.yml").read_text()
    for doc in ("root: README", "chapters/09_test", "exercises/09_test", "references"):
        assert doc in toc
    staged_exercise = json.loads((src / "exercises" / "09_test.ipynb").read_text())
    assert "".join(staged_exercise["cells"][0]["source"]) == "# Exercises — Chapter 9 — Test", (
        "an exercise notebook without a title of its own is named after its chapter")
    assert (src / book.ASSETS_DIR / "mathjax" / "tex-chtml-full.js").exists()
    assert not (src / "_static").exists(), "Jupyter Book loads every .js of _static/ on every page"
    assert "\\$0" in (src / "README.md").read_text()
    for folder in ("chapters", "exercises"):
        staged = json.loads((src / folder / "09_test.ipynb").read_text())
        assert not [o for o in outputs(staged) if VIEW in o.get("data", {})]
    assert not re.search(r"https?://", (src / "_config.yml").read_text())


def test_the_references_page_collects_each_chapters_references():
    nb = explorer_notebook()
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [
        "## 9. References\n", "- Polyak (1964). Some methods of speeding up convergence.\n", "### Older\n",
        "- Cauchy (1847).\n", "## Appendix\n", "not a reference\n"]})
    page = book.references_page([("chapters/09_test", nb)])
    assert "## [Chapter 9 — Test](chapters/09_test.ipynb)" in page
    assert "Polyak (1964)" in page and "Cauchy (1847)" in page
    assert "not a reference" not in page
    assert "no chapter" in book.references_page([("chapters/09_test", explorer_notebook())]).lower()


# -- the command -------------------------------------------------------------------------
def test_the_command_says_how_to_install_jupyter_book(monkeypatch, capsys):
    monkeypatch.setattr(book, "have_jupyter_book", lambda: False)
    assert main(["book", "--root", str(ROOT)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and 'pip install -e ".[book]"' in err[0]


def test_the_command_refuses_a_folder_that_is_not_the_course(tmp_path, capsys):
    assert main(["book", "--root", str(tmp_path)]) == 2
    assert "no chapters/" in capsys.readouterr().err


def test_assets_come_from_the_cache_without_npm(monkeypatch, tmp_path):
    cached = tmp_path / book.MATHJAX.replace("@", "-") / "mathjax"
    cached.mkdir(parents=True)
    (cached / "tex-chtml-full.js").write_text("/* MathJax */")
    monkeypatch.setattr(book.shutil, "which", lambda name: None)
    assert book.fetch_assets(tmp_path, log=lambda line: None) == cached.parent


def test_without_npm_and_cache_the_error_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(book.shutil, "which", lambda name: None)
    with pytest.raises(book.BookError, match="npm"):
        book.fetch_assets(tmp_path / "empty-cache", log=lambda line: None)
