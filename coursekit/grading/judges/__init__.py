"""Judges: the functions behind :func:`coursekit.grading.check_judged`, one module a chapter.

The contract (``coursekit/grading/judges/chNN.py``, written by that chapter's author)::

    def reaches_target(values, *, target, steps) -> tuple[bool, str]:
        '''True if SGD with (lr, gamma) = values gets below target within steps.'''

* ``values`` is what the learner's answer produced, as the grader decoded it (numbers, tuples,
  lists, NumPy arrays): the judge validates it itself and answers ``(False, "what is
  expected")`` for a wrong type or a non-finite number -- it never trusts it;
* the keyword arguments are plain literals written in the check cell;
* deterministic (seeded), well under a second, built on coursekit's tested code;
* it returns ``(ok, message)``; the message says what happened ("the loss is still 3.2e-3
  after 100 steps"), it is shown to the learner on failure.

A check cell calls ``check_judged(got, "ch03.reaches_target", target=1e-6, steps=100,
name="Exercise 4", hint="...")``. In the learner's kernel (the instructor's solution, nbval,
``python -m coursekit check``) it calls the judge there. When grading, only ``got`` is computed
in the learner's kernel; the grader calls :func:`run_judge` in its own process with the
keyword arguments recorded from the *solution* run, so the learner's kernel cannot fake it.
"""

from __future__ import annotations

import importlib
import re

_JUDGE_NAME = re.compile(r"ch\d\d\.[A-Za-z_][A-Za-z0-9_]*")


def find_judge(name):
    """The judge function ``coursekit.grading.judges.<name>`` (``name`` is ``"chNN.function"``)."""
    if not isinstance(name, str) or not _JUDGE_NAME.fullmatch(name):
        raise ValueError(f"judge must be a name 'chNN.function' (a function in coursekit/grading/judges/chNN.py), "
                         f"got {name!r}")
    module_name, function = name.split(".")
    module = importlib.import_module(f"{__name__}.{module_name}")
    judge = getattr(module, function, None)
    if function.startswith("_") or not callable(judge):
        raise ValueError(f"coursekit/grading/judges/{module_name}.py has no judge function {function!r}")
    return judge


def run_judge(name, got, kwargs):
    """``(ok, message)`` of the judge ``name`` on ``got``; a judge that raises or answers
    something else than ``(bool, str)`` gives ``(False, reason)`` -- it never raises itself
    for the answer's sake (a bad judge name raises ``ValueError``: a bug of the check)."""
    judge = find_judge(name)
    try:
        answer = judge(got, **dict(kwargs))
    except Exception as err:  # the learner's value made the judge fail
        return False, f"the judge {name} could not use the answer ({type(err).__name__}: {str(err)[:200]})"
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return False, f"the judge {name} answered {answer!r}, not (ok, message) (a bug of the judge)"
    ok, message = answer
    return bool(ok), str(message)
