"""coursekit.data: the shipped digits, splitting and standardising, mini-batches, synthetic data."""

import hashlib

import numpy as np
import pytest

from coursekit import data

COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_ship_with_the_package_and_hold_the_uci_images():
    assert data.DIGITS_FILE.is_file() and data.DIGITS_FILE.parent.name == "datasets"
    assert (data.DIGITS_FILE.parent / "README.md").is_file()
    X, y = data.load_digits(standardize=False)
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == COUNTS
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    # the first image is a zero (the same as sklearn.datasets.load_digits().images[0])
    assert y[0] == 0
    assert X[0].reshape(8, 8)[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert X[0].reshape(8, 8)[:, 0].tolist() == [0] * 8
    # every value equals scikit-learn's digits.csv.gz (SHA-256 of its 1797 × 65 table as uint8)
    table = np.column_stack([X, y]).astype(np.uint8)
    assert hashlib.sha256(table.tobytes()).hexdigest() == (
        "68aea062d35a127749050fa0e52dca09d6569ac08092c925610e0954e172dde2")


def test_standardized_digits_have_zero_mean_and_unit_variance():
    X, y = data.load_digits()
    raw, _ = data.load_digits(standardize=False)
    varying = raw.std(axis=0) > 0
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0)[varying], 1, rtol=1e-12)
    assert np.all(X[:, ~varying] == 0) and (~varying).sum() == 3  # three pixels are always blank
    X[:] = 0  # the caller owns the arrays: the next call is unaffected
    assert data.load_digits()[0].std() > 0.5


def test_split_is_stratified_seeded_and_standardized_with_training_statistics_only():
    X_tr, y_tr, X_va, y_va = data.load_digits(val_fraction=0.2, seed=0)
    assert len(y_tr) + len(y_va) == 1797 and len(y_va) == sum(round(0.2 * c) for c in COUNTS)
    assert np.bincount(y_va).tolist() == [round(0.2 * c) for c in COUNTS]
    np.testing.assert_allclose(X_tr.mean(axis=0), 0, atol=1e-12)
    assert abs(X_va.mean()) > 1e-6  # validation is scaled with the training statistics, not its own
    raw_tr, raw_ytr, raw_va, raw_yva = data.load_digits(val_fraction=0.2, seed=0, standardize=False)
    np.testing.assert_array_equal(raw_ytr, y_tr)
    mu, sd = raw_tr.mean(axis=0), raw_tr.std(axis=0)
    sd[sd == 0] = 1
    np.testing.assert_allclose(X_va, (raw_va - mu) / sd, rtol=1e-12, atol=1e-12)
    # train and validation are disjoint and together the whole set
    rows = sorted(map(tuple, np.column_stack([np.vstack([raw_tr, raw_va]), np.concatenate([raw_ytr, raw_yva])])))
    full_X, full_y = data.load_digits(standardize=False)
    assert rows == sorted(map(tuple, np.column_stack([full_X, full_y])))
    again = data.load_digits(val_fraction=0.2, seed=0)
    other = data.load_digits(val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again[0], X_tr)
    assert not np.array_equal(other[1], y_tr)


def test_class_filter_relabels_in_the_given_order():
    X, y = data.load_digits(classes=[8, 3], standardize=False)
    assert len(y) == 174 + 183 and set(y) == {0, 1}
    full_X, full_y = data.load_digits(standardize=False)
    np.testing.assert_array_equal(X[y == 0], full_X[full_y == 8])
    X_tr, y_tr, X_va, y_va = data.load_digits(classes=range(5), val_fraction=0.25, seed=3)
    assert set(y_tr) == set(y_va) == set(range(5)) and len(y_tr) + len(y_va) == sum(COUNTS[:5])
    with pytest.raises(ValueError, match="classes must be distinct digits in 0..9"):
        data.load_digits(classes=[1, 10])
    with pytest.raises(ValueError, match="classes must be distinct digits"):
        data.load_digits(classes=[2, 2])
    with pytest.raises(ValueError, match=r"val_fraction must lie in \(0, 1\)"):
        data.load_digits(val_fraction=1.5)


def test_minibatches_cover_the_data_once_per_epoch():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(data.minibatches(X, y, 4, seed=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(10)) and seen.tolist() != list(range(10))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, X[yb])  # rows stay with their labels
    assert [b[1].tolist() for b in data.minibatches(X, y, 4, seed=0)] == [b[1].tolist() for b in batches]
    rng = np.random.default_rng(0)
    first = np.concatenate([b for _, b in data.minibatches(X, y, 4, seed=rng)])
    second = np.concatenate([b for _, b in data.minibatches(X, y, 4, seed=rng)])
    assert first.tolist() == seen.tolist() and second.tolist() != first.tolist()  # a new order each epoch
    assert [b.tolist() for _, b in data.minibatches(X, y, 3, shuffle=False, drop_last=True)] == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert [len(b) for b in data.minibatches(X, None, 5)] == [5, 5]
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        list(data.minibatches(X, y, 0))
    with pytest.raises(ValueError, match="same length"):
        list(data.minibatches(X, y[:5], 2))


def test_synthetic_regression_recovers_its_parameters():
    s = data.synthetic_regression(n_samples=2000, n_features=4, noise=0.1, seed=5)
    assert s.X.shape == (2000, 4) and s.y.shape == (2000,)
    A = np.column_stack([s.X, np.ones(2000)])
    coef = np.linalg.lstsq(A, s.y, rcond=None)[0]
    np.testing.assert_allclose(coef[:4], s.w, atol=0.01)
    assert coef[4] == pytest.approx(s.b, abs=0.01)
    assert np.std(s.y - A @ coef) == pytest.approx(0.1, rel=0.05)
    again = data.synthetic_regression(n_samples=2000, n_features=4, noise=0.1, seed=5)
    np.testing.assert_array_equal(again.y, s.y)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        data.synthetic_regression(noise=-1)


def test_synthetic_classification_draws_labels_from_the_softmax_model():
    s = data.synthetic_classification(n_samples=20000, n_features=3, n_classes=3, scale=2.0, seed=1)
    assert s.y.dtype == np.int64 and set(s.y) == {0, 1, 2} and s.w.shape == (3, 3) and s.b.shape == (3,)
    z = s.X @ s.w + s.b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    for k in range(3):  # label frequencies match the model's probabilities (within 4 standard errors)
        se = np.sqrt(np.sum(p[:, k] * (1 - p[:, k]))) / len(p)
        assert abs(np.mean(s.y == k) - p[:, k].mean()) < 4 * se
    assert 0.5 < np.mean(s.y == p.argmax(axis=1)) < 0.99  # sampled, not the argmax
    binary = data.synthetic_classification(n_samples=50, seed=2)
    assert set(binary.y) <= {0, 1}
    np.testing.assert_array_equal(binary.y, data.synthetic_classification(n_samples=50, seed=2).y)
    with pytest.raises(ValueError, match="n_classes must be a whole number >= 2"):
        data.synthetic_classification(n_classes=1)
