"""The checks that exercise notebooks call, with messages a learner can act on.

Each check compares what the learner's code produced (``got``) with what it should be
(``expected``). On success it is silent, unless ``name`` is given: then it prints one short,
stable line, ``✓ <name> passed``, which is the output stored in the exercise notebook. On
failure it raises :class:`CheckFailed` (an ``AssertionError``) whose message says what was
expected, what came out (rounded) and, if given, a hint::

    check_close(central_difference(np.sin, 0.0), 1.0, name="Exercise 1",
                hint="(f(x + h) - f(x - h)) / (2 h)")

The same comparison, :func:`compare`, is used by the grader outside the learner's kernel, on
values it has retrieved itself (see ``coursekit.grading.grader``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["CheckFailed", "check_close", "check_equal", "check_judged", "check_true", "compare", "passed"]

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


class CheckFailed(AssertionError):
    """Raised by a check whose answer is wrong; the message explains what to fix.

    IPython shows what :meth:`_render_traceback_` returns instead of a traceback, so in
    JupyterLab (and in ``python -m coursekit check``) a failing check shows its message only,
    not the frames inside ``coursekit``.
    """

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {line}" if i == 0 else line
                for i, line in enumerate(str(self).split("\n"))]


def passed(name):
    """Print the one-line success message of an exercise: ``✓ <name> passed``."""
    print(f"\N{CHECK MARK} {name} passed")


def _show(x, precision=4):
    """A short, rounded, stable text of a value for messages."""
    if x is None:
        return "None"
    if isinstance(x, np.ndarray) and x.dtype.kind in "biufc":
        text = np.array2string(x, precision=precision, threshold=12, edgeitems=3, separator=", ",
                               suppress_small=False, max_line_width=10_000)
        return f"array of shape {x.shape}: {text}" if x.ndim > 1 or x.size > 12 else text
    if isinstance(x, (float, np.floating)):
        text = f"{float(x):.{precision + 2}g}"
        return text + ".0" if text.lstrip("-").isdigit() else text
    if isinstance(x, (list, tuple)) and len(x) <= 12:
        inner = ", ".join(_show(v, precision) for v in x)
        return f"({inner}{',' if len(x) == 1 else ''})" if isinstance(x, tuple) else f"[{inner}]"
    text = repr(x)
    return text if len(text) <= 200 else text[:197] + "..."


def _as_numeric(x):
    """``x`` as a float/complex/int/bool array, or None if it is not numeric."""
    if isinstance(x, (str, bytes, dict)) or x is None:
        return None
    try:
        arr = np.asarray(x)
    except Exception:
        return None
    if arr.dtype.kind not in "biufc":
        return None
    return arr


def _compare_close(got, expected, rtol, atol):
    exp = _as_numeric(expected)
    if exp is None:
        return False, f"the expected value {_show(expected)} is not numeric (a bug in the check)"
    arr = _as_numeric(got)
    if arr is None:
        extra = " (did the function forget to `return`?)" if got is None else ""
        return False, f"expected a number or an array, got {type(got).__name__} {_show(got)}{extra}"
    if arr.shape != exp.shape:
        return False, f"expected shape {exp.shape}, got shape {arr.shape}"
    with np.errstate(all="ignore"):
        diff = np.abs(arr.astype(complex if "c" in (arr.dtype.kind, exp.dtype.kind) else float) - exp)
        bad = ~(diff <= atol + rtol * np.abs(exp))
        # equal infinities are close; a NaN is never close.
        same_inf = np.isinf(exp) & (arr == exp)
        bad &= ~same_inf
    if not bad.any():
        return True, ""
    if exp.ndim == 0:
        return False, "wrong value"
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return False, (f"{int(bad.sum())} of {exp.size} entries differ; first at index {first}: "
                   f"expected {_show(exp[first])}, got {_show(arr[first])}")


def _compare_equal(got, expected):
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        exp, arr = np.asarray(expected), _as_numeric(got) if not isinstance(got, np.ndarray) else got
        if arr is None:
            return False, f"expected an array, got {type(got).__name__}"
        if arr.shape != exp.shape:
            return False, f"expected shape {exp.shape}, got shape {arr.shape}"
        return (True, "") if bool(np.array_equal(arr, exp)) else (False, "wrong value")
    if isinstance(expected, bool) or isinstance(got, (bool, np.bool_)):
        ok = isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        return (True, "") if ok else (False, "wrong value")
    if isinstance(expected, numbers.Number) and not isinstance(got, numbers.Number):
        return False, f"expected a number, got {type(got).__name__}"
    try:
        ok = got == expected
        ok = bool(ok) if isinstance(ok, (bool, np.bool_)) else False
    except Exception:
        ok = False
    if ok and isinstance(expected, float) and math.isnan(expected):
        ok = False
    return (True, "") if ok else (False, "wrong value")


def compare(kind, got, expected=True, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL):
    """``(ok, reason)``: does ``got`` pass the check ``kind`` against ``expected``?

    ``kind`` is ``"check_close"`` (numbers/arrays within ``atol + rtol * |expected|``,
    same shape), ``"check_equal"`` (exactly equal, same shape) or ``"check_true"``
    (``got`` is the boolean True). Pure: the grader calls it on values decoded from a kernel.
    """
    if kind == "check_close":
        return _compare_close(got, expected, rtol, atol)
    if kind == "check_equal":
        return _compare_equal(got, expected)
    if kind == "check_true":
        if isinstance(got, (bool, np.bool_)):
            return (True, "") if bool(got) else (False, "the condition is False")
        return False, f"expected a True/False condition, got {type(got).__name__} {_show(got)}"
    raise ValueError(f"kind must be check_close, check_equal or check_true, got {kind!r}")


def failure_message(kind, got, expected, reason, *, name=None, hint=None, message=None):
    """The text of a failed check: what was expected, what came out, and a hint."""
    lines = [f"{name}: {reason}" if name else reason[:1].upper() + reason[1:]]
    if message:
        lines.append(f"  {message}")
    if kind not in ("check_true", "check_judged"):
        lines.append(f"  expected: {_show(expected)}")
    lines.append(f"  got:      {_show(got)}")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _run(kind, got, expected, rtol, atol, name, hint, message=None):
    __tracebackhide__ = True  # pytest: hide this frame
    ok, reason = compare(kind, got, expected, rtol, atol)
    if not ok:
        raise CheckFailed(failure_message(kind, got, expected, reason, name=name, hint=hint, message=message))
    if name:
        passed(name)


def check_close(got, expected, *, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL, name=None, hint=None):
    """Check that ``got`` equals ``expected`` within ``atol + rtol * |expected|``, same shape.

    Prints ``✓ <name> passed`` on success if ``name`` is given; raises :class:`CheckFailed`
    otherwise. Call it directly by this name in check cells, with ``got`` and ``expected`` as
    the first two positional arguments (the grader relies on it).
    """
    _run("check_close", got, expected, rtol, atol, name, hint)


def check_equal(got, expected, *, name=None, hint=None):
    """Check that ``got`` equals ``expected`` exactly (arrays: same shape and entries)."""
    _run("check_equal", got, expected, DEFAULT_RTOL, DEFAULT_ATOL, name, hint)


def check_true(condition, message=None, *, name=None, hint=None):
    """Check that ``condition`` is the boolean True (e.g. ``np.all(losses[1:] < losses[:-1])``).

    The weakest check for grading (the grader can only confirm that the learner's kernel said
    True); prefer :func:`check_close` or :func:`check_equal` with a computed expected value.
    """
    _run("check_true", condition, True, DEFAULT_RTOL, DEFAULT_ATOL, name, hint, message)


def check_judged(got, judge, *, name=None, hint=None, **kwargs):
    """Check ``got`` with a judge: ``coursekit.grading.judges.<judge>(got, **kwargs)``.

    ``judge`` is ``"chNN.function"`` (a function in ``coursekit/grading/judges/chNN.py`` that
    returns ``(ok, message)``); ``kwargs`` are plain literals (numbers, strings, lists). For
    answers that can only be judged by running something (a tuned learning rate, say): the
    grader calls the judge in its own process on the learner's recorded value, with the
    keyword arguments of the instructor's solution.
    """
    __tracebackhide__ = True
    from .judges import run_judge

    ok, reason = run_judge(judge, got, kwargs)
    if not ok:
        raise CheckFailed(failure_message("check_judged", got, judge, reason, name=name, hint=hint))
    if name:
        passed(name)
