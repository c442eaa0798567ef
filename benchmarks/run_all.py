"""Run every benchmark and print one markdown table; write it to ``benchmarks/RESULTS.md``.

    python benchmarks/run_all.py [--skip pytest,notebooks] [--only optimizers] [--output FILE]

Each row is measured in this run against its anchor (also measured in this run):

==============  =====================================================  ==========================
part            what                                                   anchor
==============  =====================================================  ==========================
optimizers      ``bench_optimizers.rows()``: Adam, SGD-momentum steps  torch.optim (foreach)
registry        every other ``benchmarks/bench_*.py`` with ``rows()``  whatever the module says
                (chapter explorers, MLP epoch, (α, γ) map, …), each
                in a fresh process
legacy          ``bench_mlp_epoch.py``, ``bench_momentum_map.py`` when  their own baselines
                they have no ``rows()``: run as scripts, their
                printed tables turned into rows
pytest          the README's test command without the browser tests,    —
                then the browser tests alone; wall times
browser         slider key → pixels per chapter, from the browser      the in-kernel callback of
                tests' results (run by the ``pytest`` part)            the same key presses
notebooks       ``jupyter nbconvert --execute`` of each chapter         an empty notebook
==============  =====================================================  ==========================

A part whose script is missing (or fails) still gets a row that says "not measured: …".
See ``benchmarks/README.md`` for the ``rows()`` convention.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
sys.path[:0] = [str(ROOT), str(HERE)]
MINE = {"bench_optimizers.py", "bench_browser_latency.py"}
LEGACY = {"bench_mlp_epoch.py": "MLP epoch, coursekit vs PyTorch",
          "bench_momentum_map.py": "(α, γ) convergence map, vectorised vs loop"}
PARTS = ("optimizers", "registry", "pytest", "browser", "notebooks")
COLUMNS = ("name", "value", "anchor", "ratio", "target", "note")


def log(msg: str) -> None:
    print(f"[run_all {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _run(cmd, timeout: float, env=None, cwd=ROOT):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out, f"timed out after {timeout:.0f} s", time.perf_counter() - t0


def _row(name, value="", anchor="", ratio="", target="", note="") -> dict:
    return dict(name=name, value=value, anchor=anchor, ratio=ratio, target=target, note=note)


def _clean(row: dict) -> dict:
    out = {}
    for k in COLUMNS:
        v = row.get(k, "")
        if isinstance(v, float):
            v = f"{v:.3g}"
        out[k] = str(v if v is not None else "").replace("|", "\\|").replace("\n", " ")
    return out


# --------------------------------------------------------------------------------------
# machine
# --------------------------------------------------------------------------------------
def machine() -> dict:
    info = {"date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "python": platform.python_version(),
            "os": platform.platform(), "cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M).group(1).strip()
        flags = re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M).group(1).split()
        info["simd"] = " ".join(f for f in ("avx2", "avx512f", "fma") if f in flags)
    except (OSError, AttributeError):
        info["cpu"] = platform.processor() or "unknown"
    try:
        kb = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
        info["memory"] = f"{kb / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        info["memory"] = "unknown"
    for mod in ("numpy", "torch", "matplotlib", "ipympl", "ipywidgets", "jupyterlab", "playwright"):
        try:
            from importlib.metadata import version
            info[mod] = version(mod)
        except Exception:
            info[mod] = "not installed"
    try:
        import torch
        info["torch threads"] = torch.get_num_threads()
    except ImportError:
        pass
    try:
        from tests.browser.jlab import find_chromium
        chromium = find_chromium()
        info["chromium"] = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=20
                                          ).stdout.strip() if chromium else "not installed"
    except Exception:
        info["chromium"] = "unknown"
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!benchmarks/RESULTS.md"], cwd=ROOT,
                               capture_output=True, text=True).stdout  # the file this run writes does not count
        info["git"] = head.strip() + (" + uncommitted changes" if dirty.strip() else "")
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------------------
# parts
# --------------------------------------------------------------------------------------
ROWS_SNIPPET = """
import json, runpy, sys
mod = runpy.run_path(sys.argv[1], run_name="bench_rows")
print("@@ROWS@@" + json.dumps(mod["rows"](), default=str))
"""


def rows_of(path: Path, timeout: float = 1800) -> list[dict]:
    """``rows()`` of a benchmark module, called in a fresh process."""
    code, out, err, _ = _run([PY, "-c", ROWS_SNIPPET, str(path)], timeout)
    marker = [line for line in out.splitlines() if line.startswith("@@ROWS@@")]
    if code != 0 or not marker:
        why = (err.strip().splitlines() or ["no output"])[-1]
        return [_row(path.stem, f"not measured: {path.name} rows() failed ({why})")]
    return json.loads(marker[-1][len("@@ROWS@@"):])


def part_optimizers() -> list[dict]:
    path = HERE / "bench_optimizers.py"
    if not path.exists():
        return [_row("optimizer steps", "not measured: benchmarks/bench_optimizers.py missing")]
    return rows_of(path)


def _has_rows(path: Path) -> bool:
    return re.search(r"^def rows\(", path.read_text(errors="replace"), re.M) is not None


def _table_rows(text: str, prefix: str) -> list[dict]:
    """Rows from the markdown tables a script printed (first cell: name; the rest: value)."""
    out = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.strip().startswith("|") else []
        if len(cells) < 2 or all(set(c) <= set("-: ") for c in cells) or cells[0].lower() in ("method", "explorer",
                                                                                              "step", "notebook"):
            continue
        out.append(_row(f"{prefix}: {cells[0]}", " / ".join(cells[1:])))
    return out


def legacy_rows(path: Path, title: str) -> tuple[list[dict], str]:
    """Run a benchmark script that has no ``rows()`` and turn its printed output into rows."""
    code, out, err, wall = _run([PY, str(path)], timeout=1800)
    if code != 0:
        return [_row(title, f"not measured: {path.name} failed ({(err.strip().splitlines() or ['?'])[-1]})")], out + err
    rows = _table_rows(out, title)
    # bench_mlp_epoch prints "<opt>: coursekit fit / torch float64 = 0.53, coursekit loop / torch float64 = 0.61"
    for m in re.finditer(r"^(\w[\w-]*): coursekit fit / torch float64 = ([\d.]+), coursekit loop / torch float64 = "
                         r"([\d.]+)", out, re.M):
        rows.append(_row(f"{title}: {m.group(1)} epoch", "coursekit fit", "torch float64", f"{m.group(2)}×",
                         note=f"coursekit loop {m.group(3)}×"))
    opts = re.findall(r"(\S+) ms/epoch", out)
    for line in out.splitlines():  # plain-text table: "label   ms  ratio  ms  ratio" (one pair per optimizer)
        m = re.match(r"^(coursekit \w+|torch \w+)\s+(.*)$", line)
        if not m or not opts:
            continue
        cells = m.group(2).split()
        ms, ratios = [c for c in cells if not c.endswith("x")], [c for c in cells if c.endswith("x")]
        rows.append(_row(f"{title}: {m.group(1)}", " / ".join(f"{x} ms" for x in ms),
                         "torch float64 (same run)" if ratios else "", " / ".join(r.replace("x", "×") for r in ratios),
                         note="per epoch: " + " / ".join(opts)))
    if not rows:
        rows = [_row(title, f"see the output of {path.name} below", note=f"{wall:.0f} s")]
    return rows, out


def part_registry(skip_legacy: bool = False) -> tuple[list[dict], dict]:
    rows, outputs = [], {}
    present = {p.name: p for p in sorted(HERE.glob("bench_*.py"))}
    for name, title in LEGACY.items():
        if name not in present:
            rows.append(_row(title, f"not measured: benchmarks/{name} missing"))
    for name, path in present.items():
        if name in MINE:
            continue
        if _has_rows(path):
            log(f"{name}: rows()")
            rows += rows_of(path)
        elif name in LEGACY and not skip_legacy:
            log(f"{name}: no rows(); running it as a script")
            r, out = legacy_rows(path, LEGACY[name])
            rows += r
            outputs[name] = out
        else:
            rows.append(_row(path.stem, f"not run: {name} has no rows() (run it directly)"))
    return rows, outputs


def _pytest_row(name: str, args: list, timeout: float, target: str = "") -> tuple[dict, str]:
    code, out, err, wall = _run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], timeout)
    lines = [ln for ln in (out + err).splitlines() if re.search(r"\d+ (passed|failed|error|skipped)", ln)]
    summary = lines[-1].strip("= ") if lines else f"exit code {code}"
    status = "all passed" if code == 0 else ("timed out" if code is None else f"exit code {code}")
    return _row(name, f"{wall:.0f} s", target=target, note=f"{summary}; {status}"), out[-3000:]


def part_pytest(timeout: float = 3600) -> tuple[list[dict], str]:
    """The README's test command as a new user without a browser runs it (the browser tests
    skip there), then the browser tests alone, one after the other as ``.ci/run`` does: run
    beside the rest they would share the two cores and time the slider latency under load."""
    suite, out1 = _pytest_row("pytest: the README's test command (`pytest -n auto --dist loadfile`), "
                              "browser tests not included", ["-n", "auto", "--dist", "loadfile",
                                                             "--ignore", "tests/browser"], timeout, "< 3 min")
    browser, out2 = _pytest_row("pytest: the browser tests (`pytest tests/browser`, JupyterLab + Chromium)",
                                ["tests/browser"], timeout)
    return [suite, browser], out1 + "\n" + out2


def part_browser(since: float | None) -> list[dict]:
    path = HERE / "bench_browser_latency.py"
    if not path.exists():
        return [_row("browser: slider → pixels", "not measured: benchmarks/bench_browser_latency.py missing")]
    sys.path.insert(0, str(HERE))
    import bench_browser_latency as bbl

    return bbl.rows(since=since)


def part_notebooks(timeout: float = 900) -> list[dict]:
    notebooks = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        return [_row("notebooks", "not measured: no chapters/*.ipynb")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="coursekit-nbexec-") as tmp:
        tmp = Path(tmp)
        env = _env()
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            env[var] = str(tmp / var.lower())
        empty = tmp / "empty.ipynb"
        empty.write_text(json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "id": "e", "metadata": {},
                                                "outputs": [], "source": ["pass"]}],
                                     "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}},
                                     "nbformat": 4, "nbformat_minor": 5}))

        def execute(nb: Path):
            return _run([PY, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                         f"--ExecutePreprocessor.timeout={int(timeout)}", "--output-dir", str(tmp / "out"), str(nb)],
                        timeout + 60, env=env, cwd=nb.parent)

        code, _, err, t_empty = execute(empty)
        anchor = f"empty notebook {t_empty:.1f} s" if code == 0 else "empty notebook failed"
        for nb in notebooks:
            log(f"nbconvert --execute {nb.name}")
            code, _, err, wall = execute(nb)
            if code == 0:
                rows.append(_row(f"notebook: {nb.name} (nbconvert --execute)", f"{wall:.1f} s", anchor,
                                 f"{wall / t_empty:.1f}×" if t_empty else ""))
            else:
                why = (err.strip().splitlines() or ["?"])[-1][:160]
                rows.append(_row(f"notebook: {nb.name} (nbconvert --execute)", f"failed after {wall:.0f} s", anchor,
                                 note=why))
    return rows


# --------------------------------------------------------------------------------------
def markdown(rows: list[dict]) -> str:
    lines = ["| benchmark | measured | anchor (same run) | ratio | target | notes |", "|---|---|---|---|---|---|"]
    for r in map(_clean, rows):
        lines.append("| " + " | ".join(r[k] for k in COLUMNS) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip", default="", help=f"comma-separated parts to skip: {', '.join(PARTS)}")
    ap.add_argument("--only", default="", help="comma-separated parts to run (default: all)")
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"), help="markdown file to write ('' for none)")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = (skip | only) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {sorted(unknown)}; parts: {', '.join(PARTS)}")
    wanted = [p for p in PARTS if (not only or p in only) and p not in skip]

    started = time.time()
    load0 = os.getloadavg() if hasattr(os, "getloadavg") else None
    info = machine()
    rows, outputs, timings = [], {}, {}
    for part in wanted:
        log(f"part: {part}")
        t0 = time.perf_counter()
        try:
            if part == "optimizers":
                rows += part_optimizers()
            elif part == "registry":
                r, outs = part_registry()
                rows += r
                outputs.update(outs)
            elif part == "pytest":
                r, out = part_pytest()
                rows += r
                outputs["pytest (tail)"] = out
            elif part == "browser":
                rows += part_browser(since=started if "pytest" in wanted else None)
            elif part == "notebooks":
                rows += part_notebooks()
        except Exception as exc:  # one broken part must not lose the others
            rows.append(_row(part, f"not measured: {type(exc).__name__}: {exc}"))
        timings[part] = time.perf_counter() - t0
    load1 = os.getloadavg() if hasattr(os, "getloadavg") else None

    table = markdown(rows)
    print(table)
    if args.output:
        desc = [f"- **{k}**: {v}" for k, v in info.items()]
        if load0:
            desc.append(f"- **load average** (1 min) at start / end: {load0[0]:.2f} / {load1[0]:.2f} "
                        f"on {info['cores']} cores (other work on the machine skews the times)")
        desc.append(f"- **parts run**: {', '.join(f'{p} ({timings[p]:.0f} s)' for p in wanted)}")
        body = ["# Benchmark results", "", "Written by `python benchmarks/run_all.py`; every row and its anchor "
                "were measured in the same run. See `benchmarks/README.md` for what each row means.", "",
                "## Machine", "", *desc, "", "## Results", "", table, ""]
        for name, out in outputs.items():
            if out.strip():
                body += [f"## Output of {name}", "", "```", out.rstrip(), "```", ""]
        Path(args.output).write_text("\n".join(body))
        log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
