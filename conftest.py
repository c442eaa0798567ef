"""pytest set-up for the whole repository (tests/, chapters/, solutions/, exercises/)."""

import pytest


# optionalhook: pytest-xdist is only in the [test] extra; without it (a learner's install, or
# `-p no:xdist`) pytest must not reject the hook as unknown
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n N`` keep every file on one worker: a notebook's cells share one kernel
    and must run in order (xdist's default would spread them over workers)."""
    if config.getoption("dist") == "load":
        from xdist.scheduler import LoadFileScheduling

        return LoadFileScheduling(config, log)
    return None
