"""Where the stored reference values live."""

import pathlib

REFERENCE_DIR = pathlib.Path(__file__).resolve().parent
