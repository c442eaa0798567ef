"""Judges of the synthetic exercise notebook of the grading tests (tests/grading_fixtures)."""

import math


def is_at_least(value, *, minimum):
    """True if ``value`` is a finite number of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False, f"expected a finite number, got {type(value).__name__}"
    if value < minimum:
        return False, f"{value:g} is below {minimum:g}"
    return True, ""
