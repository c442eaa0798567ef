"""coursekit.seeds: the one seed switch (COURSEKIT_SEED) behind every chapter's random numbers."""

import pytest

from coursekit.seeds import ENV_VAR, course_seed


def test_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert course_seed() == 0
    assert course_seed(default=5) == 5
    monkeypatch.setenv(ENV_VAR, "  ")
    assert course_seed() == 0


def test_reads_the_environment_variable(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "7")
    assert course_seed() == 7
    monkeypatch.setenv(ENV_VAR, " 12 ")
    assert course_seed() == 12


@pytest.mark.parametrize("value", ["one", "1.5", "-1", "0x10"])
def test_bad_value_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(ENV_VAR, value)
    with pytest.raises(ValueError, match="COURSEKIT_SEED must be a whole number >= 0"):
        course_seed()
