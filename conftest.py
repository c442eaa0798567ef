"""pytest set-up for the whole repository (tests/, chapters/, solutions/, exercises/)."""


def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n N`` keep every file on one worker: a notebook's cells share one kernel
    and must run in order (xdist's default would spread them over workers)."""
    if config.getoption("dist") == "load":
        from xdist.scheduler import LoadFileScheduling

        return LoadFileScheduling(config, log)
    return None
