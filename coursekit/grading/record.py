"""Values between a kernel and the grader: JSON encoding (run inside the kernel) and decoding.

:func:`encode` uses only builtins and duck typing, so its source can be sent to a kernel as is
(the grader does not trust anything imported inside a learner's kernel). :func:`decode` runs
in the grader and rebuilds NumPy arrays; anything it does not recognise becomes an
:class:`Opaque` value that only equals another opaque value with the same type and text.
"""

from __future__ import annotations

import json

import numpy as np

MAX_RECORD_CHARS = 1_000_000  # per check call; a bigger value is recorded as an error


def encode(x, depth=0):
    """A JSON-able tree for ``x``: numbers, strings, lists, tuples, dicts and NumPy values."""
    if depth > 20:
        return {"__opaque__": "too deep", "type": type(x).__name__}
    if x is None or isinstance(x, (bool, str)):
        return x if not isinstance(x, str) else x[:100_000]
    if isinstance(x, int):
        return x if -(2**63) <= x < 2**63 else {"__opaque__": "big int", "type": "int"}
    if isinstance(x, float):
        return x
    if isinstance(x, complex):
        return {"__complex__": [x.real, x.imag]}
    if isinstance(x, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in x]}
    if isinstance(x, list):
        return [encode(v, depth + 1) for v in x]
    if isinstance(x, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in x.items()]}
    dtype = getattr(x, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kind in ("b", "i", "u", "f", "c") and hasattr(x, "tolist") and hasattr(x, "shape"):
        shape = [int(n) for n in x.shape]
        if kind == "c":
            data = {"re": x.real.tolist(), "im": x.imag.tolist()}
        else:
            data = x.tolist()
        tag = "__nd__" if type(x).__name__ == "ndarray" or shape else "__np__"
        return {tag: data, "dtype": str(dtype), "shape": shape}
    return {"__opaque__": repr(x)[:500], "type": type(x).__name__}


class Opaque:
    """A value the grader cannot rebuild: equal only to the same type and repr."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __eq__(self, other):
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    def __hash__(self):
        return hash((self.type_name, self.text))

    def __repr__(self):
        return self.text


_NUMERIC_KINDS = "biufc"


def _array(item):
    dtype = np.dtype(item["dtype"])
    if dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(f"unexpected dtype {dtype}")
    data = item["__nd__"] if "__nd__" in item else item["__np__"]
    if dtype.kind == "c":
        arr = np.asarray(data["re"], dtype=float) + 1j * np.asarray(data["im"], dtype=float)
        arr = arr.astype(dtype)
    else:
        arr = np.asarray(data, dtype=dtype)
    shape = tuple(int(n) for n in item["shape"])
    if arr.shape != shape:
        raise ValueError("shape does not match the data")
    return arr if "__nd__" in item else arr[()]


def decode(tree):
    """Rebuild a value from :func:`encode`'s tree (raises ValueError on a malformed tree)."""
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode(v) for v in tree]
    if not isinstance(tree, dict):
        raise ValueError("malformed value")
    if "__nd__" in tree or "__np__" in tree:
        return _array(tree)
    if "__tuple__" in tree:
        return tuple(decode(v) for v in tree["__tuple__"])
    if "__dict__" in tree:
        return {_hashable(decode(k)): decode(v) for k, v in tree["__dict__"]}
    if "__complex__" in tree:
        re, im = tree["__complex__"]
        return complex(float(re), float(im))
    if "__opaque__" in tree:
        return Opaque(str(tree.get("type")), str(tree["__opaque__"]))
    raise ValueError("malformed value")


def _hashable(key):
    try:
        hash(key)
        return key
    except TypeError:
        return Opaque(type(key).__name__, repr(key))


def loads(line):
    """Parse one record line's JSON (NaN and infinities allowed), bounded in size."""
    if len(line) > MAX_RECORD_CHARS * 2:
        raise ValueError("record too large")
    return json.loads(line)
