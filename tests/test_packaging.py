"""The two ways to install (pip with pyproject.toml, conda with environment.yml) must ask for
the same packages and versions, and the README's test command must be the one CI runs."""

import pathlib
import re

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _split(requirement):
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(r) for r in reqs)


def conda_requirements():
    """The conda packages of environment.yml, leaving out python, pip and the pip section."""
    reqs, in_pip = {}, False
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        stripped = line.split("#")[0].rstrip()
        if re.match(r"^\s*-\s*pip:\s*$", stripped):
            in_pip = True
            continue
        m = re.match(r"^(\s*)-\s*(\S.*)$", stripped)
        if not m:
            continue
        if in_pip and len(m.group(1)) > 2:
            continue
        in_pip = False
        name, spec = _split(m.group(2))
        if name not in ("python", "pip"):
            reqs[name] = spec
    return reqs


def test_environment_yml_and_pyproject_ask_for_the_same_packages():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_package_itself():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*pip:\s*\n\s+-\s*-e \.\s*$", text, re.M)
    assert re.search(r"^\s*-\s*python>=3\.10\s*$", text, re.M)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"<!-- (\w+)-command -->\n```(?:bash|sh)?\n(.+?)\n```", readme)
    assert [name for name, _ in commands] == ["open", "test"], "README must mark its two commands"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci  # .ci/run reads the command from the README, not a copy


def test_the_kernel_runs_widget_messages_on_the_main_thread():
    """ipykernel 7 serves JupyterLab's widget messages on subshell threads while a cell runs in
    the main thread. Matplotlib is not thread-safe: an ipympl canvas answering a draw or resize
    request while a cell builds a figure corrupts memory and kills the kernel (seen in chapter
    2's browser test: "malloc(): unsorted double linked list corrupted"; ipympl#610). So the
    course asks for ipykernel < 7, and the environment that runs these tests must have it."""
    import ipykernel

    assert pyproject_requirements()["ipykernel"].endswith("<7")
    assert int(ipykernel.__version__.split(".")[0]) < 7, (
        f"ipykernel {ipykernel.__version__}: widget messages would run on a second thread; "
        "install 'ipykernel<7' (pyproject.toml asks for it)")
