"""The offline HTML book (``python -m coursekit book``) in a real browser with the network cut off.

Every page of ``build/book/html`` (or ``$COURSEKIT_BOOK_HTML``) is opened from ``file://`` in
headless Chromium; every request for anything outside the book's folder is aborted and counted.
Each page must show
- no external request at all (MathJax, scripts, styles, fonts, images: all from the folder),
- every formula typeset: each Sphinx math element holds a MathJax rendering, no MathJax error
  (``mjx-merror``), and no raw TeX left in the text outside code: no ``$``, no ``\\(``, ``\\[``, no
  control word such as ``\\alpha`` or ``\\begin`` (math that MyST did not parse),
- every image loaded (``naturalWidth > 0``), each explorer's stored figure among them (the image
  just before each "Interactive explorer" note), and on a chapter page whose notebook has explorers
  at least one such figure,
- no console error, no uncaught exception, no failed request inside the folder.

Without a built book the tests are skipped with the command that builds it (in CI, where
``.ci/browser.sh`` builds it first and sets ``COURSEKIT_BROWSER_REQUIRED=1``, they fail instead).
``test_a_removed_asset_is_detected``, ``test_an_emptied_figure_is_detected`` and
``test_an_external_request_is_detected`` check the checker on copies of the book with MathJax
removed, with one explorer figure's file emptied, and with a script from a CDN.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, output_dir

pytestmark = pytest.mark.xdist_group("browser")

BOOK = Path(os.environ.get("COURSEKIT_BOOK_HTML", ROOT / "build" / "book" / "html")).resolve()
BUILD_HINT = 'build it with `python -m coursekit book` (after `pip install -e ".[book]"`)'
REDIRECT = re.compile(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', re.I)
SKIP_DIRS = {"_static", "_images", "_sources", "_sphinx_design_static"}


def book_pages(book: Path = BOOK) -> list[str]:
    """The book's pages, as paths relative to its folder."""
    if not (book / "index.html").exists():
        return []
    return sorted(str(p.relative_to(book)) for p in book.rglob("*.html")
                  if not SKIP_DIRS & set(p.relative_to(book).parts[:-1]))


def _need_book():
    if book_pages():
        return
    message = f"no built book at {BOOK}: {BUILD_HINT}"
    if os.environ.get("COURSEKIT_BROWSER_REQUIRED") == "1":
        pytest.fail(message)
    pytest.skip(message)


# Runs in the page once MathJax has finished (or was never there): what a reader would see.
JS_INSPECT = r"""
async () => {
  const mj = window.MathJax;
  let mathjax = 'absent';
  if (mj && mj.startup && mj.startup.promise) {
    try { await mj.startup.promise; mathjax = 'ok'; } catch (e) { mathjax = 'failed: ' + e; }
  }
  const maths = [...document.querySelectorAll('.math')];
  const untypeset = maths.filter((m) => !m.querySelector('mjx-container'))
                         .map((m) => m.textContent.trim().slice(0, 80));
  const errors = [...document.querySelectorAll('mjx-merror')]
                   .map((m) => (m.getAttribute('data-mjx-error') || m.textContent).slice(0, 80));
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight').forEach((n) => n.remove());
  const text = copy.textContent;
  const raw = [];  // any $ or TeX control word outside code and typeset math is TeX MyST did not see
  for (const re of [/[^\n]{0,30}\$[^\n]{0,40}/g, /[^\n]{0,30}\\(?:[A-Za-z]{2,}|[()\[\]])[^\n]{0,30}/g]) {
    for (const m of text.matchAll(re)) raw.push(m[0].trim());
  }
  const imgs = [...document.images];
  imgs.forEach((img) => { if (img.loading === 'lazy') img.loading = 'eager'; });
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  const broken = imgs.filter((img) => !(img.complete && img.naturalWidth > 0))
                     .map((img) => img.getAttribute('src'));
  const notes = [...document.querySelectorAll('.coursekit-explorer-note')];
  const explorers = notes.map((note) => {
    let out = note.closest('.cell_output') || note.parentElement;
    const figs = out ? [...out.querySelectorAll('img')] : [];
    const img = figs.filter((i) => i.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    return img ? {src: img.getAttribute('src'), width: img.naturalWidth} : {src: null, width: 0};
  });
  return {mathjax, maths: maths.length, containers: document.querySelectorAll('mjx-container').length,
          untypeset, errors, raw, images: imgs.length, broken, explorers};
}
"""


def inspect_page(chromium, book: Path, page_path: str) -> dict:
    """Open ``page_path`` of ``book`` from file:// with every outside request aborted; return
    what the page showed (see ``JS_INSPECT``) plus the requests and console errors."""
    inside = book.as_uri().rstrip("/") + "/"
    context = chromium.browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    external, failed, console = [], [], []

    def route(r):
        url = r.request.url
        if url.startswith(inside) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: failed.append(f"{req.url} ({req.failure})")
            if req.url.startswith(inside) else None)
    try:
        page.goto((book / page_path).as_uri(), wait_until="load", timeout=30_000)
        redirect = REDIRECT.search((book / page_path).read_text(encoding="utf-8", errors="replace")[:2000])
        if redirect:  # index.html sends the reader on to the first page: check that one arrives
            target = (book / page_path).parent / redirect.group(1)
            assert target.exists(), f"{page_path} redirects to {redirect.group(1)}, which is not in the book"
            page.wait_for_url(target.resolve().as_uri(), timeout=30_000)
            page.wait_for_load_state("load", timeout=30_000)
        seen = page.evaluate(JS_INSPECT)
        page.wait_for_timeout(200)  # late requests (fonts MathJax asks for after typesetting)
    finally:
        context.close()
    return {**seen, "page": page_path, "external": external, "failed": failed, "console": console}


def problems(seen: dict, explorers_expected: bool = False) -> list[str]:
    """What is wrong with a page, one line each (empty: nothing)."""
    out = []
    if seen["external"]:
        out.append(f"{len(seen['external'])} request(s) outside the book: {seen['external'][:5]}")
    if seen["failed"]:
        out.append(f"failed request(s) inside the book: {seen['failed'][:5]}")
    if seen["maths"] and seen["mathjax"] != "ok":
        out.append(f"{seen['maths']} formula(s) but MathJax is {seen['mathjax']}")
    if seen["untypeset"]:
        out.append(f"{len(seen['untypeset'])} formula(s) not typeset, e.g. {seen['untypeset'][:3]}")
    if seen["errors"]:
        out.append(f"MathJax error(s) in formulas: {seen['errors'][:3]}")
    if seen["raw"]:
        out.append(f"raw TeX left in the text: {seen['raw'][:3]}")
    if seen["broken"]:
        out.append(f"{len(seen['broken'])} of {seen['images']} image(s) not loaded: {seen['broken'][:5]}")
    bad = [e for e in seen["explorers"] if not e["width"]]
    if bad:
        out.append(f"{len(bad)} explorer(s) without a visible stored figure: {bad[:3]}")
    if explorers_expected and not seen["explorers"]:
        out.append("the chapter's notebook has explorers but the page shows none of their figures")
    if seen["console"]:
        out.append(f"console error(s): {seen['console'][:5]}")
    return out


def _has_explorers(page_path: str) -> bool:
    """Whether the course notebook behind a page stores an explorer (a widget view with a PNG)."""
    source = ROOT / Path(page_path).with_suffix(".ipynb")
    if not source.exists():
        return False
    nb = json.loads(source.read_text(encoding="utf-8"))
    return any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) and "image/png" in out["data"]
               for cell in nb.get("cells", []) for out in cell.get("outputs", []))


_REPORT: dict = {}


@pytest.mark.parametrize("page_path", book_pages() or ["(no book)"])
def test_book_page_offline(page_path, chromium):
    _need_book()
    seen = inspect_page(chromium, BOOK, page_path)
    _REPORT[page_path] = {k: seen[k] for k in ("maths", "containers", "images", "external", "console")} | {
        "explorers": len(seen["explorers"])}
    (output_dir() / "book.json").write_text(json.dumps(_REPORT, indent=1))
    found = problems(seen, explorers_expected=page_path.startswith("chapters/") and _has_explorers(page_path))
    assert not found, f"{page_path}:\n  " + "\n  ".join(found)


def test_book_has_every_part():
    """The README, every chapter and exercise of the course, and the references are pages."""
    _need_book()
    pages = set(book_pages())
    wanted = {"index.html", "README.html", "references.html"} | {
        f"{folder}/{nb.stem}.html" for folder in ("chapters", "exercises")
        for nb in (ROOT / folder).glob("[0-9]*.ipynb")}
    assert not wanted - pages, f"missing from the book: {sorted(wanted - pages)} ({BUILD_HINT})"


def _copy_of_book(tmp_path: Path) -> Path:
    copy = tmp_path / "book"
    shutil.copytree(BOOK, copy)
    return copy


def _a_chapter_with_explorers() -> str:
    for page in book_pages():
        if page.startswith("chapters/") and _has_explorers(page):
            return page
    pytest.skip("no chapter with an explorer in the book")


def test_a_removed_asset_is_detected(chromium, tmp_path):
    """The checker checked: with MathJax removed from a copy of the book, a page with formulas fails."""
    _need_book()
    page = _a_chapter_with_explorers()
    book = _copy_of_book(tmp_path)
    shutil.rmtree(book / "_static" / "mathjax")
    found = problems(inspect_page(chromium, book, page))
    assert any("not typeset" in p for p in found), found
    assert any("console error" in p or "failed request" in p for p in found), found


def test_an_emptied_figure_is_detected(chromium, tmp_path):
    """The checker checked: with the explorer's stored figure emptied (a zero-byte PNG), the page fails."""
    _need_book()
    page = _a_chapter_with_explorers()
    book = _copy_of_book(tmp_path)
    explorers = inspect_page(chromium, book, page)["explorers"]
    assert explorers and explorers[0]["src"], f"{page}: no explorer figure to empty"
    (book / Path(page).parent / explorers[0]["src"]).write_bytes(b"")
    found = problems(inspect_page(chromium, book, page))
    assert any("not loaded" in p for p in found) and any("explorer" in p for p in found), found


def test_an_external_request_is_detected(chromium, tmp_path):
    """The checker checked: a page that loads a script from a CDN fails, and the request is aborted."""
    _need_book()
    book = _copy_of_book(tmp_path)
    page = book / "README.html"
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
    page.write_text(page.read_text(encoding="utf-8").replace("</head>", f'<script src="{cdn}"></script></head>', 1),
                    encoding="utf-8")
    seen = inspect_page(chromium, book, "README.html")
    assert seen["external"] == [cdn], seen["external"]
    assert any("outside the book" in p for p in problems(seen))
