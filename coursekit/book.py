"""The course as an offline HTML book: ``python -m coursekit book`` writes ``build/book/html/``.

Jupyter Book 1 (``pip install -e ".[book]"``) builds the README, the chapters, the exercises and
a page of references from the committed notebooks, without executing them. Before the build
the notebooks are *staged* (copied into ``build/.book-src/`` and changed there, never in place):

- an explorer (an ipywidgets view with the ``image/png`` fallback that ``coursekit.widgets``
  stores beside it) becomes that PNG, followed by a note with the sliders' stored values, the
  explorer's stored result table, and the command that opens the chapter in JupyterLab, where
  the sliders recompute. Static renderers prefer the widget view, whose ipympl canvas is empty
  without a kernel, so the view and the notebook's saved widget state are dropped: the page
  needs no widget JavaScript at all;
- cells tagged ``colab-setup`` (``coursekit.colab``) are removed;
- a code cell that draws a figure and runs longer than ``FOLD_LINES`` lines gets the
  ``hide-input`` tag (folded, one click shows it);
- the Markdown's math is found as JupyterLab finds it and rewritten so that MyST reads the same
  formulas (``markdown_for_myst``: a formula over two lines whose second starts with ``+`` would
  otherwise become a bullet list, and raw TeX would show);
- a notebook without a title of its own gets one (an exercise notebook: its chapter's).

The page loads nothing from a network: MathJax 3 (its es5 build) is fetched once, with
``npm pack`` from the npm registry, into a cache folder (``~/.cache/coursekit/book-assets``,
or ``--assets``), and copied into the book's ``_static/``; Sphinx is pointed at that copy.
Jupyter Book's other scripts and styles come with its Python packages; this module is also
the Sphinx extension that takes sphinx-thebe's scripts (a CDN URL, and a console error) off
every page.
``tests/browser/test_book.py`` opens every page in Chromium with the network cut off.
"""

from __future__ import annotations

import copy
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import time

from . import colab as _colab

__all__ = ["MATHJAX", "BookError", "book_config", "build", "fetch_assets", "markdown_for_myst", "references_page",
           "split_math", "stage", "stage_notebook", "toc_config"]

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: the npm package the book's formulas are typeset with, and the files of it the book needs
MATHJAX = "mathjax@3.2.2"
MATHJAX_FILES = ("es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2/", "es5/a11y/", "es5/ui/")
MATHJAX_SCRIPT = "mathjax/tex-chtml-full.js"  # relative to the book's _static/
# the staging folder's asset folder: not "_static", whose every .js Jupyter Book loads on every page
ASSETS_DIR = "_assets"
COLAB_TAG = _colab.TAG
FOLD_LINES = 12
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SLIDER_MODELS = re.compile(r"(Float|Int)(Log)?(Range)?Slider|SelectionSlider|(Dropdown|ToggleButtons|Checkbox)")


class BookError(Exception):
    """The book cannot be built (a missing tool, a failed build): one line for the user."""


# --------------------------------------------------------------------------------------
# staging
# --------------------------------------------------------------------------------------
def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


def _widget_state(nb: dict) -> dict:
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    return state.get("state", {}) if isinstance(state, dict) else {}


def _descendants(model_id: str, state: dict, seen=None):
    """The widget models reachable from ``model_id`` (children first found first)."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return
    seen.add(model_id)
    yield model_id, state[model_id]
    children = state[model_id].get("state", {}).get("children", [])
    for ref in children if isinstance(children, list) else []:
        if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
            yield from _descendants(ref[len("IPY_MODEL_"):], state, seen)


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "–".join(_format_value(v) for v in value)
    return str(value)


def _explorer_note(model_id: str, state: dict, notebook: str) -> str:
    """HTML shown under an explorer's stored figure: its controls' stored values, its stored
    result table (HTML widgets), and how to get the live version."""
    controls, tables = [], []
    for _, model in _descendants(model_id, state):
        name, values = model.get("model_name", ""), model.get("state", {})
        if SLIDER_MODELS.search(name) and "value" in values:
            label = values.get("description") or "value"
            shown = values.get("_options_labels")
            value = values["value"]
            if shown and isinstance(values.get("index"), int) and 0 <= values["index"] < len(shown):
                value = shown[values["index"]]
            controls.append(f"{html.escape(str(label))} = {html.escape(_format_value(value))}")
        elif name in ("HTMLModel", "HTMLMathModel") and str(values.get("value", "")).strip():
            tables.append(str(values["value"]))
    where = html.escape(notebook)
    shown = f" (shown at {', '.join(controls)})" if controls else ""
    note = (f'<div class="admonition note coursekit-explorer-note"><p class="admonition-title">Interactive explorer</p>'
            f"<p>A picture of the explorer as stored{shown}. Moving its sliders recomputes the figure, which needs "
            f"a running Python kernel: in the course folder run <code>python -m coursekit lab {where}</code> "
            f"(it opens <code>{where}</code> in JupyterLab) and run the notebook.</p></div>")
    return "\n".join([*tables, note])


# The math of a Markdown cell, found as Jupyter finds it (the algorithm of JupyterLab's
# rendermime ``removeMath``: code spans and fences are skipped, delimiters must match, braces
# balance, math never runs through a blank line), so that the book shows what JupyterLab shows.
MATHSPLIT = re.compile(r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\\\(?:\(|\)|\[|\]))",
                       re.I)
CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|(?:~T){3,})[^`\n]*\n[\s\S]*?^(?P=fence)`*$", re.M)
CODE_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)", re.M)


def split_math(text: str) -> list[tuple[str, str]]:
    """``text`` (Markdown) as pieces ("text", …), ("math", …) and ("dollar", "$" or "$$": a dollar
    sign that is not math), the math with its delimiters
    (``$…$``, ``$$…$$``, ``\\\\(…\\\\)``, ``\\\\[…\\\\]``, ``\\begin{env}…\\end{env}``), as Jupyter reads it."""
    coded = "`" in text or "~~~" in text
    if coded:
        text = text.replace("~", "~T")
        hide = lambda m: m.group(0).replace("$", "~D")
        text = CODE_SPAN.sub(hide, CODE_FENCE.sub(hide, text))
    blocks = MATHSPLIT.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    spans: list[tuple[int, int]] = []  # (first, last) block of each math
    start = end = last = None
    braces = 0
    i = 1
    while i < len(blocks):
        block = blocks[i]
        if start is not None:
            if block == end:
                if braces:
                    last = i
                else:
                    spans.append((start, i))
                    start = end = last = None
            elif re.search(r"\n.*\n", block):
                if last is not None:
                    i = last
                    spans.append((start, i))
                start = end = last = None
                braces = 0
            elif block == "{":
                braces += 1
            elif block == "}" and braces:
                braces -= 1
        elif block in ("$", "$$"):
            start, end, braces = i, block, 0
        elif block in ("\\\\(", "\\\\["):
            start, end, braces = i, "\\\\)" if block.endswith("(") else "\\\\]", 0
        elif block[1:6] == "begin":
            start, end, braces = i, "\\end" + block[6:], 0
        i += 2
    if start is not None and last is not None:
        spans.append((start, last))
    untilde = (lambda t: re.sub(r"~([TD])", lambda m: "~" if m.group(1) == "T" else "$", t)) if coded else (lambda t: t)
    inside = {k for first, final in spans for k in range(first, final + 1)}
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(blocks):
        if i in inside:
            final = next(f for first, f in spans if first == i)
            pieces.append(("math", "".join(blocks[i:final + 1])))
            i = final + 1
        elif i % 2 and blocks[i] in ("$", "$$"):
            pieces.append(("dollar", blocks[i]))
            i += 1
        else:
            pieces.append(("text", blocks[i]))
            i += 1
    merged: list[tuple[str, str]] = []
    for kind, piece in pieces:
        if merged and merged[-1][0] == kind == "text":
            merged[-1] = ("text", merged[-1][1] + piece)
        elif piece:
            merged.append((kind, piece))
    return [(kind, untilde(piece)) for kind, piece in merged]


def _myst_math(math: str) -> str:
    """One piece of math in a form MyST cannot misread: on one line (a line of TeX that starts
    with ``+`` or ``-`` would otherwise become a list item), inline math as the ``{math}`` role,
    display math as ``$$…$$``."""
    math = re.sub(r"(?<!\\)%[^\n]*", "", math)  # TeX comments end at the line's end
    math = re.sub(r"\s*\n\s*", " ", math)
    if math.startswith("$$"):
        return f"$${math[2:-2].strip()}$$"
    if math.startswith("\\\\["):
        return f"$${math[3:-3].strip()}$$"
    if math.startswith("\\begin"):
        return f"$${math}$$"
    inner = math[3:-3] if math.startswith("\\\\(") else math[1:-1]
    ticks = "`" * (max((len(t) for t in re.findall(r"`+", inner)), default=0) + 1)
    pad = " " if inner.startswith("`") or inner.endswith("`") else ""
    return f"{{math}}{ticks}{pad}{inner.strip()}{pad}{ticks}"


def markdown_for_myst(text: str) -> str:
    """Markdown written for Jupyter rewritten so that MyST shows the same: every formula that
    Jupyter typesets becomes one that MyST typesets (``_myst_math``), a ``$`` that Jupyter
    leaves as it is stays a ``$``."""
    out = []
    for kind, piece in split_math(text):
        if kind == "math":
            out.append(_myst_math(piece))
        elif kind == "dollar":  # Jupyter shows a dollar sign, and so must the book
            out.append("\\$" * len(piece))
        else:
            out.append(piece)
    return "".join(out)


def _is_figure_cell(cell: dict) -> bool:
    return any("image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {})
               for out in cell.get("outputs", []))


def stage_notebook(nb: dict, notebook: str = "the notebook") -> dict:
    """A copy of notebook ``nb`` (a dict in format 4) as the book shows it (see the module's
    docstring); ``notebook`` is its path in the course, named in the explorers' notes."""
    nb = copy.deepcopy(nb)
    state = _widget_state(nb)
    cells = []
    for cell in nb.get("cells", []):
        tags = list(cell.get("metadata", {}).get("tags", []))
        if COLAB_TAG in tags:
            continue
        if cell.get("cell_type") == "markdown":
            cell["source"] = markdown_for_myst(_text(cell.get("source")))
        if cell.get("cell_type") == "code":
            outputs = []
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if WIDGET_VIEW not in data:
                    outputs.append(out)
                    continue
                model_id = str(data[WIDGET_VIEW].get("model_id", ""))
                if "image/png" in data:
                    outputs.append({"output_type": "display_data", "metadata": out.get("metadata", {}),
                                    "data": {"image/png": data["image/png"], "text/plain": ["<explorer figure>"]}})
                    outputs.append({"output_type": "display_data", "metadata": {},
                                    "data": {"text/html": _explorer_note(model_id, state, notebook),
                                             "text/plain": ["(interactive explorer: needs a kernel)"]}})
                else:
                    rest = {k: v for k, v in data.items() if k != WIDGET_VIEW}
                    plain = _text(rest.get("text/plain", ""))
                    if set(rest) - {"text/plain"} or (plain and not re.fullmatch(r"\s*\w*\(.*\)\s*|\s*<.*>\s*",
                                                                                  plain, re.S)):
                        outputs.append({**out, "data": rest})  # e.g. a progress bar's text
            cell["outputs"] = outputs
            if (_is_figure_cell(cell) and len(_text(cell.get("source")).splitlines()) > FOLD_LINES
                    and "hide-input" not in tags and "remove-input" not in tags):
                cell.setdefault("metadata", {})["tags"] = [*tags, "hide-input"]
        cells.append(cell)
    nb["cells"] = cells
    nb.get("metadata", {}).pop("widgets", None)  # no widget view is left: no page loads widget JavaScript
    return nb


def _title(nb: dict, fallback: str) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            found = re.search(r"^#\s+(.+)$", _text(cell.get("source")), re.M)
            if found:
                return found.group(1).strip()
    return fallback


def references_page(chapters: list[tuple[str, dict]]) -> str:
    """A Markdown page with every chapter's "References" (and "About the sources") section,
    under the chapter's title, linked to the chapter. ``chapters``: (docname, notebook) pairs."""
    wanted = re.compile(r"^(#{1,6})\s+(?:\d+(?:\.\d+)*\.?\s+)?"
                        r"(References|Bibliography|Further reading|About the sources)\b.*$", re.I)
    lines = ["# References", "",
             "The papers and books each chapter uses, collected from the chapters' References sections.", ""]
    found_any = False
    for docname, nb in chapters:
        parts, level = [], None
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            for line in _text(cell.get("source")).splitlines():
                heading = re.match(r"^(#{1,6})\s", line)
                match = wanted.match(line)
                if match:
                    level = len(match.group(1))
                    parts.append(f"### {match.group(2)}")
                    continue
                if level is not None and heading and len(heading.group(1)) <= level:
                    level = None
                if level is not None:
                    if heading:  # a sub-heading of the section: keep it below ours
                        line = "#" * min(6, len(heading.group(1)) - level + 3) + line[len(heading.group(1)):]
                    parts.append(line)
            if level is not None:
                parts.append("")
        if parts:
            found_any = True
            lines += [f"## [{_title(nb, docname)}]({docname}.ipynb)", "", *parts, ""]
    if not found_any:
        lines.append("(No chapter has a References section yet.)")
    return "\n".join(lines).rstrip() + "\n"


def toc_config(chapters: list[str], exercises: list[str], root: str = "README") -> str:
    """``_toc.yml``: the README, then the chapters, the exercises and the references."""
    out = ["format: jb-book", f"root: {root}", "parts:"]
    for caption, docs in (("Chapters", chapters), ("Exercises", exercises), ("References", ["references"])):
        if docs:
            out += [f"  - caption: {caption}", "    chapters:"] + [f"      - file: {doc}" for doc in docs]
    return "\n".join(out) + "\n"


def book_config(title: str = "Optimization for deep learning") -> str:
    """``_config.yml``: no execution, no launch buttons, MathJax from the book's own _static/,
    no widget JavaScript (``stage_notebook`` leaves no widget), nothing from a CDN."""
    config = {
        "title": title,
        "author": "coursekit",
        "copyright": time.strftime("%Y"),
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["amsmath", "colon_fence", "dollarmath", "linkify", "substitution"]},
        "latex": {"use_jupyterbook_latex": False},
        "html": {"use_repository_button": False, "use_issues_button": False, "use_edit_page_button": False,
                 "use_multitoc_numbering": False, "home_page_in_navbar": True,
                 "comments": {"hypothesis": False, "utterances": False}},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "", "jupyterhub_url": "",
                           "thebe": False, "colab_url": "", "deepnote_url": ""},
        "sphinx": {"extra_extensions": ["coursekit.book"], "config": {
            "html_context": {"default_mode": "light"},
            "myst_dmath_double_inline": True,  # $$…$$ inside a paragraph, as Jupyter shows it
            "mathjax_path": MATHJAX_SCRIPT,
            "html_static_path": [ASSETS_DIR],  # copied into the book's _static/
            "nb_ipywidgets_js": {},
            "nb_merge_streams": True,
            "html_show_sourcelink": False,
            "html_copy_source": False,
            "html_theme_options": {"search_bar_text": "Search the course…", "home_page_in_toc": True,
                                   "use_download_button": False, "use_fullscreen_button": False,
                                   "launch_buttons": {}},
            "suppress_warnings": ["myst.header"],
        }},
    }
    return json.dumps(config, indent=1, ensure_ascii=False) + "\n"  # JSON is YAML


def _write(path: pathlib.Path, text: str) -> None:
    """Write only when the content changed, so that Sphinx rebuilds only what did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage(root, staging, assets: pathlib.Path | None = None) -> dict:
    """Stage the course at ``root`` into ``staging`` for Jupyter Book: ``README.md``,
    ``chapters/`` and ``exercises/`` (notebooks through ``stage_notebook``), ``references.md``,
    ``_config.yml``, ``_toc.yml``, and ``_assets/mathjax/`` from ``assets`` (a folder made by
    ``fetch_assets``) when given. Returns {"chapters": [...], "exercises": [...]} (docnames)."""
    root, staging = pathlib.Path(root), pathlib.Path(staging)
    staging.mkdir(parents=True, exist_ok=True)
    docs: dict[str, list[str]] = {"chapters": [], "exercises": []}
    loaded, titles = [], {}
    for folder in docs:
        for path in sorted((root / folder).glob("[0-9]*.ipynb")):
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as err:
                raise BookError(f"{path} is not readable as a notebook ({type(err).__name__}: {err})") from None
            docname = f"{folder}/{path.stem}"
            staged = stage_notebook(nb, f"{folder}/{path.name}")
            if folder == "chapters":
                titles[path.stem] = _title(staged, path.stem)
            if not _title(staged, ""):  # no title of its own: the navigation would name it after its first section
                chapter = titles.get(path.stem)
                title = f"Exercises — {chapter}" if folder == "exercises" and chapter else path.stem
                staged["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": f"# {title}"})
            _write(staging / folder / path.name, json.dumps(staged, indent=1, ensure_ascii=False) + "\n")
            docs[folder].append(docname)
            if folder == "chapters":
                loaded.append((docname, staged))
    expected = {f"{folder}/{p.name}" for folder in docs for p in (root / folder).glob("[0-9]*.ipynb")}
    for folder in docs:  # a notebook removed from the course leaves the book too
        for old in (staging / folder).glob("*.ipynb"):
            if f"{folder}/{old.name}" not in expected:
                old.unlink()
    readme = root / "README.md"
    _write(staging / "README.md", markdown_for_myst(readme.read_text(encoding="utf-8")) if readme.exists()
           else "# The course\n")
    _write(staging / "references.md", references_page(loaded))
    _write(staging / "_toc.yml", toc_config(docs["chapters"], docs["exercises"]))
    _write(staging / "_config.yml", book_config())
    static = staging / ASSETS_DIR
    static.mkdir(exist_ok=True)
    if assets is not None:
        target = static / "mathjax"
        if not (target / pathlib.Path(MATHJAX_SCRIPT).name).exists():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(pathlib.Path(assets) / "mathjax", target)
    return docs


# --------------------------------------------------------------------------------------
# the Sphinx extension (``extra_extensions`` of the config): nothing from a CDN on a page
# --------------------------------------------------------------------------------------
def _offline_page(app, pagename, templatename, context, doctree):
    """Drop sphinx-thebe's scripts (Jupyter Book always loads the extension; it names thebe on
    a CDN, and its set-up script is added twice, a console error) and warn about any script or
    stylesheet that is not the book's own."""
    def keep(item):
        name = str(getattr(item, "filename", item) or "")
        body = str(getattr(item, "attributes", {}).get("body", ""))
        if "thebe" in name or "THEBE_JS_URL" in body:
            return False
        if re.match(r"(https?:)?//", name):
            from sphinx.util import logging

            logging.getLogger(__name__).warning(f"{pagename}: dropped {name}, which is not in the book (offline)")
            return False
        return True

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [item for item in context[key] if keep(item)]


def setup(app):
    app.connect("html-page-context", _offline_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------------------
# assets
# --------------------------------------------------------------------------------------
def default_cache() -> pathlib.Path:
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "coursekit" / "book-assets"


def fetch_assets(cache=None, log=print) -> pathlib.Path:
    """The folder ``<cache>/<MATHJAX>/`` holding ``mathjax/`` (the files of ``MATHJAX_FILES``,
    ``es5/`` stripped); fetched with ``npm pack`` from the npm registry the first time only."""
    cache = pathlib.Path(cache) if cache is not None else default_cache()
    folder = cache / MATHJAX.replace("@", "-")
    done = folder / "mathjax" / pathlib.Path(MATHJAX_SCRIPT).name
    if done.exists():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise BookError(f"the book needs {MATHJAX} from the npm registry once, and npm is not installed "
                        "(apt-get install npm), or pass --assets DIR with a folder fetched elsewhere")
    folder.mkdir(parents=True, exist_ok=True)
    log(f"fetching {MATHJAX} from the npm registry (once) into {folder}")
    run = subprocess.run([npm, "pack", MATHJAX, "--silent", "--pack-destination", str(folder)],
                         capture_output=True, text=True, timeout=300)
    tarballs = sorted(folder.glob("mathjax-*.tgz"))
    if run.returncode != 0 or not tarballs:
        why = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no tarball written"]
        raise BookError(f"npm pack {MATHJAX} failed: {why[0]}")
    staging = folder / "mathjax.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarballs[-1]) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile() or not any(name == f or (f.endswith("/") and name.startswith(f))
                                              for f in MATHJAX_FILES):
                continue
            target = staging / name.removeprefix("es5/")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    shutil.rmtree(folder / "mathjax", ignore_errors=True)
    staging.rename(folder / "mathjax")
    tarballs[-1].unlink()
    return folder


# --------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------
def have_jupyter_book() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyter_book") is not None


def build(root=ROOT, out=None, cache=None, log=print) -> pathlib.Path:
    """Build the book of the course at ``root`` into ``out`` (default ``<root>/build/book``);
    returns the folder of ``index.html`` (``<out>/html``). Staging goes to ``<out>/../.book-src``
    (kept, so that a rebuild only redoes the pages that changed); the build's log to
    ``<out>/build.log``."""
    if not have_jupyter_book():
        raise BookError('Jupyter Book is not installed here; install it with: python -m pip install -e ".[book]"')
    root = pathlib.Path(root).resolve()
    out = pathlib.Path(out).resolve() if out is not None else root / "build" / "book"
    assets = fetch_assets(cache, log=log)
    src = out.parent / ".book-src"
    start = time.monotonic()
    docs = stage(root, src, assets)
    log(f"staged {len(docs['chapters'])} chapters and {len(docs['exercises'])} exercises in {src}")
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "build.log"
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(src),
               "--builder", "html", "--quiet"]
    # the build imports this module as a Sphinx extension: this very copy of coursekit
    here = str(pathlib.Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    with open(log_path, "w") as fh:
        code = subprocess.call(command, stdout=fh, stderr=subprocess.STDOUT, env=env)
    built = src / "_build" / "html"
    if code != 0 or not (built / "index.html").exists():
        tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise BookError(f"jupyter-book build failed (exit {code}): {tail[0][:200]} (full log: {log_path})")
    html_dir = out / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    shutil.copytree(built, html_dir, ignore=shutil.ignore_patterns(".buildinfo"))
    warnings = log_path.read_text(errors="replace").count("WARNING:")
    log(f"built {html_dir / 'index.html'} in {time.monotonic() - start:.0f} s"
        + (f" ({warnings} Sphinx warning(s): see {log_path})" if warnings else ""))
    return html_dir
