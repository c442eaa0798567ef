"""The two ways to install (pip with pyproject.toml, conda with environment.yml) must ask for
the same packages and versions, and the README's test command must be the one CI runs."""

import os
import pathlib
import re

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _split(requirement):
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements(*extras):
    """The package's dependencies plus those of ``extras`` (an extra's own spec wins over the
    package's for the same name: ``ipykernel>=6`` and ``[lab]``'s ``ipykernel>=6.29,<7`` give the
    latter); the extras' references to ``coursekit[...]`` itself are left out."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = dict(_split(r) for r in project["dependencies"])
    for extra in extras:
        reqs.update(_split(r) for r in project["optional-dependencies"][extra] if not r.startswith("coursekit"))
    return reqs


def conda_requirements(path):
    """The conda packages of an environment file, leaving out python, pip and the pip section."""
    reqs, in_pip = {}, False
    text = path.read_text()
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
    assert conda_requirements(ROOT / "environment.yml") == pyproject_requirements("lab", "test")


def test_environment_yml_installs_the_package_itself():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*pip:\s*\n\s+-\s*-e \.\s*$", text, re.M)
    assert re.search(r"^\s*-\s*python>=3\.10\s*$", text, re.M)


def test_binder_environment_is_the_package_and_jupyterlab_without_installing_the_repository():
    """repo2docker builds the environment before the repository is there (repo2docker#1265):
    no `-e .` in it; postBuild installs the package once the files are copied."""
    env = ROOT / "binder" / "environment.yml"
    assert conda_requirements(env) == pyproject_requirements("lab")
    assert "pip:" not in env.read_text().split("dependencies:", 1)[1]
    post = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"^python -m pip install --no-deps \.$", post, re.M)
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)


def test_the_package_needs_neither_jupyterlab_nor_test_tools():
    core = pyproject_requirements()
    assert not {"jupyterlab", "pytest", "nbval", "pytest-xdist", "ruff", "playwright"} & set(core)
    assert core["ipykernel"] == ">=6", "the <7 pin belongs to the [lab] extra (Colab has its own kernel)"
    assert pyproject_requirements("lab")["ipykernel"] == ">=6.29,<7"


def test_class_files_and_the_environment_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {".venv/", "/submitted/", "/grades/"} <= set(ignored)


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

    assert pyproject_requirements("lab")["ipykernel"].endswith("<7")
    assert int(ipykernel.__version__.split(".")[0]) < 7, (
        f"ipykernel {ipykernel.__version__}: widget messages would run on a second thread; "
        "install 'ipykernel<7' (pyproject.toml asks for it)")
