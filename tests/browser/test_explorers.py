"""In a real JupyterLab, every slider of every explorer redraws its figure through the kernel.

For each chapter notebook (and the demo notebook): open it, Run All, wait until every cell
has run and the kernel is idle; then, for every slider of every explorer (an ipympl canvas
with sliders: the lr/α, γ/β/momentum sliders and any others), press an arrow key on its
handle and check that
- the readout changed,
- the kernel's callback saw the value the readout shows (the kernel probe's log, see
  ``jlab.py``), and
- the explorer's canvas pixels changed (``toDataURL()`` before/after) — which only happens
  when the kernel recomputes and sends a new image.
Then time ≥ 12 key presses on the first explorer's learning-rate slider, from the key event
to the changed pixels (median written to ``output/results.json`` for ``benchmarks/``), and
take a screenshot. ``test_a_broken_callback_is_detected`` checks the checker: with the
explorer's update replaced by a no-op, the slider test must fail.
"""

from __future__ import annotations

import math
import re
import statistics
import time

import pytest

from .conftest import BROKEN, DEMO, chapter_notebooks, output_dir
from .jlab import breakdown, kernel_records, number

pytestmark = pytest.mark.xdist_group("browser")

LR_LABEL = re.compile(r"\blr\b|α|learning", re.I)
GAMMA_LABEL = re.compile(r"γ|β|momentum|decay|gamma|beta", re.I)
LATENCY_MOVES = 12


def _kernel_value_matches(readout: str, seen) -> bool:
    if isinstance(seen, str):
        return seen.strip() == readout.strip()
    shown = number(readout)
    return shown is not None and math.isclose(float(seen), shown, rel_tol=5e-3, abs_tol=0.0051)


def exercise(page, lab, i: int, j: int, label: str, key: str | None = None, timeout: float = 15.0) -> dict:
    """Move slider j of explorer i once; assert readout, kernel value and canvas all changed."""
    move = page.move(i, j, key=key, timeout=timeout)
    # The window starts before the key press, so it can hold the previous move's record; and the
    # kernel writes this move's record after it has sent the image. Wait (a little) for it.
    deadline = time.monotonic() + 3.0
    while True:
        recs = kernel_records(lab, move.get("t_key", 0) - 1.0, move.get("t_changed", 1e12))
        mine = [r for r in recs if r.get("changed") == label.strip() or label.strip() in r.get("values", {})]
        seen = mine[-1]["values"].get(label.strip(), mine[-1].get("new")) if mine else None
        if (mine and _kernel_value_matches(move["after"]["readout"], seen)) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert mine, (f"slider {label!r}: the canvas changed but the kernel probe logged no callback for it "
                  f"(records: {recs})")
    assert _kernel_value_matches(move["after"]["readout"], seen), (
        f"slider {label!r}: the readout shows {move['after']['readout']} but the kernel saw {seen}")
    move["kernel"] = breakdown(move, mine)
    page.wait_idle()
    return move


def measure_latency(page, lab, i: int, j: int, label: str, moves: int = LATENCY_MOVES) -> dict:
    """Median latency over ``moves`` key presses: half one way, then back."""
    st = page.slider_state(i, j)
    first = "ArrowRight" if (st["max"] - st["now"]) >= (st["now"] - st["min"]) else "ArrowLeft"
    back = "ArrowLeft" if first == "ArrowRight" else "ArrowRight"
    samples, parts = [], []
    for k in range(moves):
        m = exercise(page, lab, i, j, label, key=first if k < moves // 2 else back)
        page.page.wait_for_timeout(100)  # let the front-end settle (acks, echoes) before the next press
        if "latency_ms" in m:
            samples.append(m["latency_ms"])
            if m.get("kernel"):
                parts.append(m["kernel"])
    out = {"slider": label, "moves": len(samples), "samples_ms": [round(s, 1) for s in samples],
           "median_ms": statistics.median(samples) if samples else None,
           "min_ms": min(samples, default=None), "max_ms": max(samples, default=None)}
    if parts:
        keys = ("to_kernel", "compute", "redraw", "png_encode", "to_pixels", "transport", "decode_draw")
        out["breakdown_median_ms"] = {key: round(statistics.median(vals), 1) for key in keys
                                      if (vals := [p[key] for p in parts if p.get(key) is not None])}
        out["png_bytes_median"] = statistics.median(p["png_bytes"] for p in parts)
    return out


NOTEBOOKS = [pytest.param(p.name, id=p.stem) for p in chapter_notebooks()] + [pytest.param(DEMO.name, id="demo")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_sliders_redraw_through_the_kernel(name, lab, open_notebook, results, chromium):
    page = open_notebook(name)
    run_s = page.run_all()
    explorers = page.explorers()
    shots = output_dir()
    page.screenshot(shots / f"{name.removesuffix('.ipynb')}.png", explorer=0 if explorers else None)
    assert explorers, f"{name}: no explorer (an ipympl figure with sliders) after Run All"
    labels = [s["label"] for e in explorers for s in e["sliders"]]
    assert any(LR_LABEL.search(lab_) for lab_ in labels), f"{name}: no learning-rate slider among {labels}"

    exercised = []
    for e in explorers:
        page.prime(e["index"])
        for j, s in enumerate(e["sliders"]):
            m = exercise(page, lab, e["index"], j, s["label"])
            exercised.append({"explorer": e["index"], "cell": e["cell"], "label": s["label"],
                              "from": m["before"]["readout"], "to": m["after"]["readout"],
                              "latency_ms": round(m.get("latency_ms", float("nan")), 1),
                              "kind": "lr" if LR_LABEL.search(s["label"]) else
                                      "gamma" if GAMMA_LABEL.search(s["label"]) else "other"})

    main = explorers[0]
    j = next((j for j, s in enumerate(main["sliders"]) if LR_LABEL.search(s["label"])), 0)
    latency = measure_latency(page, lab, main["index"], j, main["sliders"][j]["label"])
    latency["explorer_cell"] = main["cell"]
    page.screenshot(shots / f"{name.removesuffix('.ipynb')}.png", explorer=0)
    results.record(name, {"run_all_s": round(run_s, 2), "explorers": len(explorers), "sliders": exercised,
                          "latency": latency, "chromium": chromium.version(),
                          "console_errors": page.console[:10]})


def test_a_broken_callback_is_detected(lab, open_notebook):
    """The demo with ``explorer.update`` replaced by a no-op: the readout moves and the kernel
    gets the value, but the figure does not change — the slider check must fail."""
    page = open_notebook(BROKEN)
    page.run_all()
    explorers = page.explorers()
    assert explorers, "the broken demo shows no explorer"
    page.prime(explorers[0]["index"])  # the same protocol as the real test
    with pytest.raises(AssertionError, match="canvas did not change"):
        page.move(explorers[0]["index"], 0, timeout=3.0)
