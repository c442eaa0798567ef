"""The exercise cases of each chapter (issue 15's contract; see tests/test_exercise_cases.py)."""

# Chapters whose exercises are still the old ones (issue 15 is open for them): five exercises that
# mostly copy a formula, no kinds or stepped hints. The tests of the new rules are strict xfails
# there, so a chapter that is converted must leave this set (its tests then start to pass).
OLD_FORMAT = {
}


def new_format_params(names, stem=lambda n: n):
    """``names`` as pytest params, those in :data:`OLD_FORMAT` marked as strict xfails."""
    import pytest

    reason = "issue 15: this chapter still has the old exercises"
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=reason)) if stem(n) in OLD_FORMAT else n
            for n in names]
