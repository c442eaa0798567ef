"""Shared test set-up: no test writes under $HOME, and matplotlib never opens a window."""

import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="coursekit-test-home-")
for var in ("MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
    os.environ.setdefault(var, os.path.join(_tmp, var.lower()))
os.environ.setdefault("MPLBACKEND", "Agg")

# One BLAS thread: the networks here are tiny, threads only add overhead and contention under
# `pytest -n 2`, and results stay bit-for-bit reproducible.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

# The browser tests' demo notebook is opened in JupyterLab by those tests, not run by nbval.
collect_ignore_glob = ["browser/*.ipynb"]
