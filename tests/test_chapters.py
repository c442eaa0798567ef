"""The chapters' checked outputs are conclusions that hold for any seed, not digits of seed 0.

`pytest` already runs every chapter through nbval with the default seed; here each chapter runs
again with other seeds (COURSEKIT_SEED: other data splits, initial weights and mini-batch orders)
and its checked cells must print exactly what is stored. Seeds 7 and 13 are among those that
once broke conclusions that seeds 0 and 1 had not (2026-12-03; the chapters were then checked
once with 7 to 20 seeds each). Also: every random number of a chapter comes
from its SEED, and checked cells are marked by a cell tag that the learner does not read.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
CHECK_TAG = "nbval-check-output"
# checked cells per chapter before the switch to seed-proof conclusions (2026-12-02): the
# count may grow, never fall (a claim that cannot be stated robustly is redesigned, not unchecked)
CHECKED_AT_LEAST = {"01": 12, "02": 10, "03": 11, "04": 13, "05": 11, "06": 10, "07": 8}
LITERAL_SEED = re.compile(r"\bseed\s*=\s*\d|default_rng\(\s*\d")


def code_cells(path):
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def test_there_are_seven_chapters():
    assert [p.name[:2] for p in CHAPTERS] == list(CHECKED_AT_LEAST)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_random_number_comes_from_the_chapter_seed(chapter):
    literal = [(i, line.strip()) for i, cell in enumerate(code_cells(chapter))
               for line in source(cell).splitlines() if LITERAL_SEED.search(line)]
    assert not literal, f"{chapter.name}: seeds not derived from SEED = course_seed(): {literal}"
    if any("seed" in source(cell) for cell in code_cells(chapter)):
        assert any("course_seed()" in source(cell) for cell in code_cells(chapter))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_checked_cells_are_tagged_and_do_not_fall_in_number(chapter):
    cells = code_cells(chapter)
    shown = [i for i, cell in enumerate(cells) if "NBVAL" in source(cell)]
    assert not shown, f"{chapter.name}: code cells {shown} show nbval markers to the learner; use the cell tag"
    checked = sum(CHECK_TAG in cell.get("metadata", {}).get("tags", []) for cell in cells)
    assert checked >= CHECKED_AT_LEAST[chapter.name[:2]], f"{chapter.name}: only {checked} checked cells"


OTHER_SEEDS = ("1", "7", "13")


@pytest.mark.slow
@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_checked_outputs_hold_with_another_seed(chapter, seed, tmp_path):
    env = {**os.environ, "COURSEKIT_SEED": seed}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                          "--no-header", "-o", f"cache_dir={tmp_path}", str(chapter)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{chapter.name} with COURSEKIT_SEED={seed}:\n{run.stdout[-6000:]}{run.stderr[-2000:]}"
