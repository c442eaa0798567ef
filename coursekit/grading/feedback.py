"""A graded submission's feedback, as plain text and as a standalone HTML page.

Both show the score, each exercise's points with its checks' lines (visible checks: the
message, with expected value, what the answer gave and the hint; hidden checks: passed or
failed only, never their inputs), and the grader's notes. The HTML page needs no network
(inline style, no scripts) and escapes everything that came from the submission.
"""

from __future__ import annotations

import html

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-bottom:.2rem}"
    "pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap;border-radius:4px}"
    ".full{color:#1a7f37}.part{color:#9a6700}.none{color:#cf222e}"
)


def _title(record):
    who = record.get("student") or record.get("submission", "")
    return f"Feedback for {who}" + (f" -- {record['assignment']}" if record.get("assignment") else "")


def _score_line(record):
    total = sum(record.get("scores", {}).values())
    return f"Score: {total:g} / {record.get('max_points', 0):g}"


def feedback_text(record):
    """The feedback of a record (see :mod:`coursekit.grading.gradebook`) as plain text."""
    lines = [_title(record), _score_line(record), ""]
    for ex, detail in record.get("details", {}).items():
        lines.append(f"{ex}: {record['scores'].get(ex, 0):g} / {detail['max_points']:g}")
        lines += detail["lines"]
    if record.get("notes"):
        lines += ["", "Notes:"] + [f"  - {n}" for n in record["notes"]]
    return "\n".join(lines) + "\n"


def feedback_html(record):
    """The same feedback as a standalone HTML page."""
    esc = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{esc(_title(record))}</title><style>{STYLE}</style></head><body>",
             f"<h1>{esc(_title(record))}</h1>", f"<p><strong>{esc(_score_line(record))}</strong>"
             + (f" (status: {esc(record['status'])})" if record.get("status", "ok") != "ok" else "") + "</p>"]
    for ex, detail in record.get("details", {}).items():
        got, top = record["scores"].get(ex, 0), detail["max_points"]
        level = "full" if got == top else "part" if got > 0 else "none"
        parts.append(f'<section><h2>{esc(ex)}: <span class="{level}">{got:g} / {top:g}</span></h2>')
        if detail["lines"]:
            parts.append("<pre>" + esc("\n".join(line.removeprefix("  ") for line in detail["lines"])) + "</pre>")
        parts.append("</section>")
    if record.get("notes"):
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in record["notes"]) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
