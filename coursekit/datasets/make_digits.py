"""Regenerate ``digits.npz`` from scikit-learn's bundled copy of the digits (a build step,
never run by the package itself; scikit-learn is not a dependency of coursekit).

    pip download --no-deps scikit-learn -d /tmp/skl
    python coursekit/datasets/make_digits.py /tmp/skl/scikit_learn-*.whl

The wheel is a zip file; this reads ``sklearn/datasets/data/digits.csv.gz`` from it (1,797
rows of 64 pixel counts in 0..16 and the digit, comma separated) and writes the pixels and
labels as ``uint8`` arrays to ``digits.npz`` next to this script. See README.md for the
provenance and licences.
"""

import gzip
import io
import pathlib
import sys
import zipfile

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
OUT = pathlib.Path(__file__).resolve().parent / "digits.npz"


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        raw = gzip.decompress(zf.read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",")
    if table.shape != (1797, 65) or not np.array_equal(table, np.round(table)):
        raise SystemExit(f"unexpected content in {MEMBER}: shape {table.shape}")
    images, target = table[:, :64].astype(np.uint8), table[:, 64].astype(np.uint8)
    assert images.max() == 16 and set(np.unique(target)) == set(range(10))
    np.savez_compressed(OUT, images=images, target=target)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {len(target)} images, counts {np.bincount(target).tolist()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
