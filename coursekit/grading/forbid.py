"""Functions an answer must not use: answer-cell metadata ``coursekit.forbid: [dotted names]``.

Two lines of defence. Outside the learner's kernel, :func:`forbidden_uses` reads the answer's
source (after IPython's transform) and flags every reference to a forbidden function: its
name, an attribute chain ending in it, an import of it, a string that mentions it (which also
catches ``getattr(gradients, "gradient_check")``). Inside the kernel, :func:`disable_code` is
run before the exercise's answer cells: it replaces the forbidden functions (in their module
and wherever a coursekit module or the notebook holds the same object) with ones that raise
a :class:`~coursekit.grading.checks.CheckFailed` naming the function; :func:`restore_code`
puts them back for the cells of the other exercises.
"""

from __future__ import annotations

import ast
import re

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def forbid_list(cell):
    """The dotted names in ``metadata.coursekit.forbid`` of a cell (``ValueError`` if malformed)."""
    ck = (cell.get("metadata") or {}).get("coursekit") or {}
    names = ck.get("forbid", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and _DOTTED.fullmatch(n) for n in names):
        raise ValueError(f"coursekit.forbid must be a list of dotted names like "
                         f"'coursekit.gradients.gradient_check', got {names!r}")
    return names


def forbidden_uses(source, names):
    """The forbidden names that ``source`` refers to, in the order of ``names``."""
    if not names:
        return []
    from .rewrite import to_python

    try:
        tree = ast.parse(to_python(source))
    except (SyntaxError, ValueError):
        return [n for n in names if n.rsplit(".", 1)[1] in source]  # unreadable: any mention counts
    words = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.alias):
            words.update(node.name.split("."))
            if node.asname:
                words.add(node.asname)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.value))
    return [n for n in names if n.rsplit(".", 1)[1] in words]


def reason(exercise, names):
    return f"{exercise} must not use {', '.join(names)}"


def disable_code(exercise, names, *, only_from_answers=False):
    """Kernel code that makes the forbidden functions raise (run before the answer cells).

    The function is replaced wherever a ``coursekit`` module, a table of one (a dict such as
    ``nn.ACTIVATIONS``) or the notebook holds it. With ``only_from_answers`` (for ``coursekit
    check``, whose check cells compute their expected values in the same kernel, often with the
    very function the answer must not use) it raises only when an answer cell of a guarded
    exercise is on the call stack; the grader, whose expected values come from the reference
    run, blocks every call."""
    return f"""def _ck_disable(_exercise={exercise!r}, _names={list(names)!r}, _lenient={bool(only_from_answers)!r}):
    import importlib, sys
    from coursekit.grading.checks import CheckFailed
    state = sys.modules.setdefault("_ck_forbidden", type(sys)("_ck_forbidden")).__dict__
    saved = state.setdefault("saved", {{}})
    cells, guards = state.setdefault("cells", set()), state.setdefault("guards", set())
    cells.add(sys._getframe().f_code.co_filename)
    for dotted in _names:
        module_name, attr = dotted.rsplit(".", 1)
        module = importlib.import_module(module_name)
        original = saved.get(dotted, getattr(module, attr))
        saved[dotted] = original
        def refuse(_dotted=dotted):
            frame = sys._getframe(1) if _lenient else None
            while frame is not None and (frame.f_code.co_filename not in cells or frame.f_code in guards):
                frame = frame.f_back
            if frame is not None or not _lenient:
                raise CheckFailed(f"{{_exercise}} must not use {{_dotted}}")
        if isinstance(original, type):  # a class stays a class (isinstance, issubclass, factories)
            def __init__(self, *args, _refuse=refuse, _original=original, **kwargs):
                _refuse()
                _original.__init__(self, *args, **kwargs)
            blocked = type(original.__name__, (original,), dict(
                __init__=__init__, __module__=original.__module__, __qualname__=original.__qualname__,
                __doc__=original.__doc__))
            guards.update((refuse.__code__, __init__.__code__))
        else:
            def blocked(*args, _refuse=refuse, _original=original, **kwargs):
                _refuse()
                return _original(*args, **kwargs)
            guards.update((refuse.__code__, blocked.__code__))  # defined in an answer cell, not the learner's
        blocked._ck_original = original
        holders = [m.__dict__ for k, m in list(sys.modules.items()) if k.startswith("coursekit") and m]
        tables = [v for space in holders for v in list(space.values()) if type(v) is dict and v is not space]
        for space in [module.__dict__] + holders + tables + [globals()]:
            for key, value in list(space.items()):
                if value is original:
                    space[key] = blocked
_ck_disable()
del _ck_disable
"""


def restore_code():
    """Kernel code that puts the disabled functions back (for the cells of other exercises)."""
    return """def _ck_restore():
    import sys
    mod = sys.modules.get("_ck_forbidden")
    if mod is None:
        return
    owners = [sys.modules.get(dotted.rsplit(".", 1)[0]) for dotted in mod.saved]
    modules = [m for k, m in list(sys.modules.items()) if k.startswith("coursekit") and m] + [m for m in owners if m]
    spaces = [m.__dict__ for m in modules]
    tables = [v for space in spaces for v in list(space.values()) if type(v) is dict and v is not space]
    for space in spaces + tables + [globals()]:
        for key, value in list(space.items()):
            try:
                original = vars(value).get("_ck_original")  # the blocked stand-ins, not their instances
            except TypeError:
                original = None
            if original is not None:
                space[key] = original
_ck_restore()
del _ck_restore
"""


def with_guards(cells, *, only_from_answers=False):
    """The kernel-side guard for a run of cells, ``[(code, exercise, names)]`` in order, where
    ``names`` is an answer cell's forbid list (empty for every other cell) and ``exercise`` is
    ``None`` for set-up cells: an answer cell with a forbid list starts by disabling those
    functions; a cell of any other exercise (or a set-up cell) starts by restoring them. Used
    alike by the grader and (``only_from_answers``, see :func:`disable_code`) by ``coursekit
    check``, so that both give the same verdict."""
    guarded = {exercise for _, exercise, names in cells if names}
    out = []
    for code, exercise, names in cells:
        if names:
            code = disable_code(exercise, names, only_from_answers=only_from_answers) + code
        elif guarded and exercise not in guarded:
            code = restore_code() + code
        out.append(code)
    return out

