"""How the grader runs a check cell: every check call becomes a recording call.

In a check cell, each direct call ``check_close(got, expected, ...)`` (likewise
``check_equal``, ``check_true``; also as ``module.check_close``) is a *site*. The grader runs
the cell twice, in two different kernels:

* reference mode (the instructor's solution, trusted): the site records ``got``, the other
  arguments (``expected``, tolerances, name, hint) and then runs the real check, so a
  solution that fails its own checks is reported to the instructor;
* learner mode: the site becomes ``_ck_<nonce>(site, lambda: (got))``. Only the ``got``
  expression is evaluated; ``expected`` never reaches the learner's kernel. The recorder,
  defined at the top of the cell, evaluates it, encodes it with builtins only and writes one
  line ``<nonce>:<json>`` to stdout (errors are recorded too, so one bad site does not hide
  the next).

The grader then compares, in its own process, the learner's recorded values with the
reference's expected values (:func:`coursekit.grading.checks.compare`).
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from . import record
from .notebooks import hidden_lines

CHECK_NAMES = ("check_close", "check_equal", "check_true", "check_judged")


def to_python(source):
    """IPython syntax (magics, ``!cmd``) turned into plain Python, as the kernel would."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _is_check_call(node):
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in CHECK_NAMES


def _check_name(node):
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr


def check_calls(source):
    """The check-call nodes of a cell, in source order (the site numbers)."""
    tree = ast.parse(to_python(source))
    calls = [n for n in ast.walk(tree) if _is_check_call(n) and n.args and not isinstance(n.args[0], ast.Starred)]
    return sorted(calls, key=lambda n: (n.lineno, n.col_offset))


class _Rewriter(ast.NodeTransformer):
    def __init__(self, sites, recorder, reference):
        self.sites, self.recorder, self.reference = sites, recorder, reference

    def visit_Call(self, node):
        site = self.sites.get((node.lineno, node.col_offset)) if _is_check_call(node) else None
        node = self.generic_visit(node)
        if site is None:
            return node
        thunk = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                           body=node.args[0])
        args = [ast.Constant(site), thunk]
        keywords = []
        if self.reference:
            args += [ast.Constant(_check_name(node)), *node.args[1:]]
            keywords = node.keywords
        return ast.Call(func=ast.Name(self.recorder, ast.Load()), args=args, keywords=keywords)


def site_info(source):
    """``[(kind, hidden)]`` per site of a check cell."""
    hidden = hidden_lines(source)
    return [(_check_name(c), c.lineno in hidden) for c in check_calls(source)]


def rewrite(source, nonce, *, reference):
    """The code the kernel runs for a check cell: the recorder, then the rewritten cell."""
    tree = ast.parse(to_python(source))
    calls = [n for n in ast.walk(tree) if _is_check_call(n) and n.args and not isinstance(n.args[0], ast.Starred)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    sites = {(c.lineno, c.col_offset): i for i, c in enumerate(calls)}
    name = f"_ck_{nonce}"
    tree = ast.fix_missing_locations(_Rewriter(sites, name, reference).visit(tree))
    prelude = (_REFERENCE if reference else _LEARNER).format(name=name, nonce=nonce,
                                                             max=record.MAX_RECORD_CHARS, encode=_ENCODE)
    return prelude + "\n" + ast.unparse(tree) + "\n"


_ENCODE = textwrap.indent(inspect.getsource(record.encode), "    ")

# Learner mode: builtins only; whatever happens, write one line per site.
_LEARNER = '''\
def {name}(_site, _thunk):
    import json as _json
    import sys as _sys
{encode}
    try:
        _line = _json.dumps({{"site": _site, "got": encode(_thunk())}})
        if len(_line) > {max}:
            _line = _json.dumps({{"site": _site, "error": "TooLarge", "message": "the value is too large"}})
    except Exception as _e:
        try:
            _msg = str(_e)[:300]
        except Exception:
            _msg = ""
        _line = _json.dumps({{"site": _site, "error": type(_e).__name__[:100], "message": _msg}})
    _sys.stdout.write("\\n{nonce}:" + _line + "\\n")
    _sys.stdout.flush()
'''

# Reference mode (the instructor's own solution): record, then run the real check.
_REFERENCE = '''\
def {name}(_site, _thunk, _kind, *_args, **_kwargs):
    import json as _json
    import sys as _sys
    import coursekit.grading.checks as _checks
    from coursekit.grading.record import encode
    _got = _thunk()
    _line = _json.dumps({{"site": _site, "kind": _kind, "got": encode(_got),
                         "args": encode(list(_args)), "kwargs": encode(_kwargs)}})
    _sys.stdout.write("\\n{nonce}:" + _line + "\\n")
    _sys.stdout.flush()
    getattr(_checks, _kind)(_got, *_args, **_kwargs)
'''


def parse_records(text, nonce):
    """The records a cell wrote (``<nonce>:<json>`` lines), in order; malformed lines skipped."""
    prefix = f"{nonce}:"
    out = []
    for line in text.split("\n"):
        if line.startswith(prefix):
            try:
                rec = record.loads(line[len(prefix):])
            except (ValueError, RecursionError):
                continue
            if isinstance(rec, dict) and isinstance(rec.get("site"), int):
                out.append(rec)
    return out
