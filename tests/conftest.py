"""Shared test set-up: no test writes under $HOME, and matplotlib never opens a window."""

import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="coursekit-test-home-")
for var in ("MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
    os.environ.setdefault(var, os.path.join(_tmp, var.lower()))
os.environ.setdefault("MPLBACKEND", "Agg")
