"""The command line (python -m coursekit ...): every wrong path, folder or non-notebook is one
line naming the problem and exit code 2, never a traceback; check takes a folder; grade runs
only the sources its submissions are for; the README's learner commands run as written."""

import csv
import os
import pathlib
import re
import subprocess
import sys

import pytest

from coursekit.grading.grader import grade
from tests.grading_fixtures import synthetic as syn

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cli(*args, cwd=ROOT, timeout=120):
    return subprocess.run([sys.executable, "-m", "coursekit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def assert_one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "not_json.ipynb").write_text("hello")
    (tmp_path / "not_a_notebook.ipynb").write_text('{"cells": 3}')
    (tmp_path / "notes.txt").write_text("a text file")
    return tmp_path


@pytest.mark.parametrize("target, words", [
    ("missing.ipynb", ["missing.ipynb", "no such file"]),
    ("empty", ["empty", "a folder without notebooks"]),
    ("not_json.ipynb", ["not_json.ipynb", "not a Jupyter notebook"]),
    ("not_a_notebook.ipynb", ["not_a_notebook.ipynb", "not a Jupyter notebook"]),
    ("notes.txt", ["notes.txt", "not a Jupyter notebook"]),
])
def test_check_refuses_what_is_not_a_notebook(files, target, words):
    assert_one_line_error(cli("check", files / target), *words)


@pytest.mark.parametrize("args, words", [
    (["release", "{t}/missing", "{t}/out"], ["missing", "no such file"]),
    (["release", "{t}/empty", "{t}/out"], ["empty", "a folder without notebooks"]),
    (["release", "{t}/not_json.ipynb", "{t}/out"], ["not_json.ipynb", "not a Jupyter notebook"]),
    (["grade", "{t}/nosuchdir", "--source", str(ROOT / "solutions"), "--out", "{t}/grades"], ["nosuchdir"]),
    (["grade", "{t}/empty", "--source", "{t}/missing", "--out", "{t}/grades"], ["--source", "missing"]),
    (["grade", "{t}/empty", "--source", "{t}/notes.txt", "--out", "{t}/grades"], ["notes.txt", "not a Jupyter"]),
    (["grade", "{t}/empty", "--source", "{t}/empty", "--out", "{t}/grades"], ["--source", "without notebooks"]),
    (["lab", "--root", "{t}/missing", "--no-browser", "--port", "8899"], ["missing", "no such folder"]),
])
def test_release_grade_and_lab_refuse_wrong_paths(files, args, words):
    proc = cli(*[a.format(t=files) for a in args])
    assert_one_line_error(proc, *words)
    assert not (files / "grades").exists() and not (files / "out").exists()  # nothing was written


def test_lab_passes_options_it_does_not_know_to_jupyterlab(monkeypatch, tmp_path):
    import coursekit.__main__ as cli_main

    calls = []
    monkeypatch.setattr("subprocess.call", lambda command: calls.append(command) or 0)
    assert cli_main.main(["lab", "--root", str(tmp_path), "--no-browser", "--port", "8899"]) == 0
    command = calls[0]
    assert command[1:3] == ["-m", "jupyterlab"] and f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert command[-3:] == ["--no-browser", "--port", "8899"]
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_help_is_plain_text_and_every_argument_is_explained():
    for command in ([], ["check"], ["grade"], ["release"], ["lab"]):
        proc = cli(*command, "--help")
        assert proc.returncode == 0 and "``" not in proc.stdout
    check_help = cli("check", "--help").stdout
    assert re.search(r"notebook\s+an exercise notebook", check_help)


def test_check_on_a_folder_checks_every_notebook_in_it(tmp_path):
    ok = "from coursekit.grading import check_true\ncheck_true(1 + 1 == 2, name='Exercise 1')"
    for name, answer in [("a", "x = 1"), ("b", "raise NotImplementedError()")]:
        nb = syn.solution_notebook()
        nb.cells = nb.cells[:1] + [syn.new_code_cell(answer, metadata=syn._meta(f"{name}-answer", "Exercise 1")),
                                   syn._check(f"{name}-check", "Exercise 1", 1, ok if name == "a" else
                                              "x\ncheck_true(True, name='Exercise 1')", 2)]
        syn.write(tmp_path / "mine" / f"{name}.ipynb", nb)
    proc = cli("check", tmp_path / "mine", "--timeout", "20")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("== ") == 2 and "a.ipynb" in proc.stdout and "b.ipynb" in proc.stdout
    assert "Exercise 1  passed  1/1" in proc.stdout and "Exercise 1  FAILED  0/1" in proc.stdout


def test_grade_runs_only_the_sources_of_its_submissions(tmp_path):
    """Two source notebooks, submissions for one: one reference run, one assignment's columns."""
    syn.write_solution(tmp_path / "solutions", "01_demo")
    syn.write_solution(tmp_path / "solutions", "02_other")
    syn.write(tmp_path / "submitted" / "alice" / "01_demo.ipynb", syn.solution_notebook())
    results = grade([tmp_path / "submitted"], tmp_path / "solutions", tmp_path / "grades", workers=1, timeout=20,
                    log=open(os.devnull, "w"))
    assert [r.assignment for r in results] == ["01_demo"] and results[0].total == 6
    assert [p.name.split("-")[0] for p in (tmp_path / "grades" / "reference").iterdir()] == ["01_demo"]
    header = next(csv.reader(open(tmp_path / "grades" / "grades.csv", encoding="utf-8")))
    assert [h for h in header if "Exercise" in h] == ["Exercise 1", "Exercise 2", "Exercise 3"]


def learner_commands():
    """The commands of the README's learner section, marked <!-- learner-commands -->."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- learner-commands -->\n```(?:bash|sh)\n(.+?)\n```", readme, re.S)
    assert block, "README: the learner section's commands must be marked"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_learner_commands_run_as_written_in_the_learner_install():
    """Each command starts with the virtual environment's python (what the open command
    installs), and runs: check of an unsolved exercise notebook prints the table and exits 1."""
    commands = learner_commands()
    assert commands
    for command in commands:
        assert command.startswith(".venv/bin/python -m coursekit "), command
        proc = subprocess.run([sys.executable, *command.split()[1:]], capture_output=True, text=True, cwd=ROOT,
                              timeout=300)
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), proc.stderr
        assert "exercise    result  points" in proc.stdout
