"""Judges: the functions behind :func:`coursekit.grading.check_judged`, one module a chapter.

The contract (``coursekit/grading/judges/chNN.py``, written by that chapter's author)::

    def reaches_target(values, *, target, steps) -> tuple[bool, str]:
        '''True if SGD with (lr, gamma) = values gets below target within steps.'''

* ``values`` is what the learner's answer produced, as the grader decoded it (numbers, tuples,
  lists, NumPy arrays): the judge validates it itself (:func:`read_numbers`) and answers
  ``(False, "what is expected")`` for a wrong type or a non-finite number -- it never trusts it;
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

import dataclasses
import importlib
import math
import numbers
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


@dataclasses.dataclass(frozen=True)
class Number:
    """One number a judge expects: its name (``what`` explains it), its interval, whole or not.
    ``Number("lr", 0, 10)`` is a real number in (0, 10]."""

    name: str
    low: float
    high: float
    low_open: bool = True
    high_open: bool = False
    whole: bool = False
    what: str = ""

    def interval(self):
        if self.whole:
            return f"a whole number from {self.low:g} to {self.high:g}"
        return f"a number in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}{')' if self.high_open else ']'}"

    def problem(self, value):
        """Why ``value`` is not such a number, or ``None``."""
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
        if ok:
            v = float(value)
            ok = ((v > self.low if self.low_open else v >= self.low) and (v < self.high if self.high_open else
                                                                         v <= self.high))
            ok = ok and (not self.whole or v.is_integer())
        if ok:
            return None
        label = f"{self.name} ({self.what})" if self.what else self.name
        return f"{label} must be {self.interval()}; got {value!r}"[:300]


def read_numbers(values, *spec):
    """``(floats, None)``, or ``(None, message)`` when ``values`` is not one number per
    :class:`Number` of ``spec`` (a single number may come bare or in a list of one)."""
    names = ", ".join(n.name for n in spec)
    if len(spec) == 1 and not isinstance(values, list | tuple):
        values = (values,)
    if not isinstance(values, list | tuple) or len(values) != len(spec):
        count = "one number" if len(spec) == 1 else f"{len(spec)} numbers"
        return None, f"expected {count} ({names}), got {values!r}"[:300]
    for number, value in zip(spec, values, strict=True):
        if (problem := number.problem(value)) is not None:
            return None, problem
    return tuple(float(v) for v in values), None


def accuracy_verdict(history, target, where, measured):
    """``(ok, message)`` for a training run judged by its last validation accuracy: ``where``
    names the learner's values (``"lr = 0.1, rho = 0.2"``), ``measured`` says what was measured
    (``"validation accuracy after 3 epochs"``); a diverged run fails with its reason."""
    acc = history["val_acc"][-1]
    if history.diverged or not math.isfinite(acc):
        return False, f"{where}: the run diverged ({history.message})"
    verdict = "reaches" if acc >= target else "falls short of"
    return bool(acc >= target), f"{where}: {measured} {100 * acc:.1f}%, which {verdict} the target {100 * target:.0f}%"
