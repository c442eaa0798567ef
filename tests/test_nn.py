"""coursekit.nn: every layer and loss against PyTorch (stored values always; a live PyTorch when
importable) and against central differences; parameters shared with optimizers; the structure
of ``mlp``; vanishing gradients and their remedies; clear errors on bad input."""

import numpy as np
import pytest

from coursekit import data, gradients, nn, optim
from tests.reference.conftest_paths import REFERENCE_DIR
from tests.reference.make_nn_reference import cases

# One forward and backward pass on small arrays: nothing is iterated, so rounding differences do
# not grow. Each entry is a sum of at most a few dozen products, whose order another BLAS kernel
# may change: a few ulps of the largest term, ~1e-15 here. Measured on 2026-12-02 against the
# stored PyTorch values, under the OpenBLAS kernels Haswell, SandyBridge and SkylakeX and with
# NumPy's AVX-512 code switched off: every entry within 1e-13 absolute. RTOL leaves room for
# larger entries on other hardware; a wrong formula is off by far more than either.
RTOL, ATOL = 1e-10, 1e-13
CASES = list(cases())


def _linear(W, b):
    lin = nn.Linear(*W.shape)
    lin.W[...], lin.b[...] = W, b
    return lin


def _batchnorm(c, **kw):
    bn = nn.BatchNorm1d(len(c["gamma"]), **kw)
    bn.gamma[...], bn.beta[...] = c["gamma"], c["beta"]
    return bn


def coursekit_case(name, c):
    """What coursekit gives for case ``name`` of make_nn_reference.cases(), under the same keys."""
    if name == "linear":
        lin = _linear(c["W"], c["b"])
        out = lin.forward(c["x"])
        dx = lin.backward(c["dout"])
        return dict(out=out, dx=dx, dW=lin.dW, db=lin.db)
    if name in ("relu", "leaky_relu", "elu", "sigmoid", "tanh"):
        layer = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
                 "leaky_relu": lambda: nn.LeakyReLU(float(c["negative_slope"])),
                 "elu": lambda: nn.ELU(float(c["alpha"]))}[name]()
        out = layer.forward(c["x"])
        return dict(out=out, dx=layer.backward(c["dout"]))
    if name.startswith("batchnorm"):
        bn = _batchnorm(c, eps=float(c["eps"]), momentum=float(c["momentum"]))
        result = {}
        for i, xb in enumerate(c["xs"]):
            out = bn.forward(xb)
            result[f"running_mean{i}"], result[f"running_var{i}"] = bn.running_mean.copy(), bn.running_var.copy()
        result.update(out=out, dx=bn.backward(c["dout"]), dgamma=bn.dgamma, dbeta=bn.dbeta)
        bn.eval()
        out = bn.forward(c["x_eval"])
        result.update(out_eval=out, dx_eval=bn.backward(c["dout_eval"]), dgamma_eval=bn.dgamma, dbeta_eval=bn.dbeta)
        return result
    if name == "residual":
        lin = _linear(c["W"], c["b"])
        block = nn.Residual(nn.Sequential(lin, nn.Tanh()))
        out = block.forward(c["x"])
        return dict(out=out, dx=block.backward(c["dout"]), dW=lin.dW, db=lin.db)
    if name == "cross_entropy":
        loss, d = nn.softmax_cross_entropy(c["logits"], c["y"])
        return dict(loss=loss, dlogits=d)
    if name == "mse":
        loss, d = nn.mse(c["pred"], c["target"])
        return dict(loss=loss, dpred=d)
    if name == "network":
        model = nn.mlp(5, 6, 6, 3, activation="tanh", batchnorm=True, residual=True)
        lins, bns = nn.linear_layers(model), [model.layers[1], model.layers[3].block.layers[1]]
        for i, lin in enumerate(lins):
            lin.W[...], lin.b[...] = c[f"W{i}"], c[f"b{i}"]
        for i, bn in enumerate(bns):
            bn.gamma[...], bn.beta[...] = c[f"gamma{i}"], c[f"beta{i}"]
        loss, d = nn.softmax_cross_entropy(model.forward(c["x"]), c["y"])
        result = dict(loss=loss, dx=model.backward(d))
        for i, lin in enumerate(lins):
            result[f"dW{i}"], result[f"db{i}"] = lin.dW, lin.db
        for i, bn in enumerate(bns):
            result[f"dgamma{i}"], result[f"dbeta{i}"] = bn.dgamma, bn.dbeta
            result[f"running_mean{i}"], result[f"running_var{i}"] = bn.running_mean, bn.running_var
        return result
    raise KeyError(name)


def assert_same(ours, theirs, name):
    assert set(ours) == set(theirs), f"{name}: keys differ"
    for key, expected in theirs.items():
        np.testing.assert_allclose(ours[key], expected, rtol=RTOL, atol=ATOL, err_msg=f"{name}/{key}")


@pytest.fixture(scope="module")
def stored():
    with np.load(REFERENCE_DIR / "nn_reference.npz") as f:
        return {key: f[key] for key in f.files}


def test_stored_reference_was_made_by_pytorch(stored):
    assert str(stored["torch_version"]).startswith("2.")
    assert set(CASES) == {key.split("/")[0] for key in stored if "/" in key}


@pytest.mark.parametrize("name", CASES)
def test_matches_stored_pytorch(stored, name):
    c = cases()[name]
    for key, value in c.items():  # the stored inputs are the ones cases() draws
        np.testing.assert_array_equal(stored[f"{name}/{key}"], value)
    theirs = {key.split("/", 1)[1]: value for key, value in stored.items()
              if key.startswith(name + "/") and key.split("/", 1)[1] not in c}
    assert theirs, name
    assert_same(coursekit_case(name, c), theirs, name)


@pytest.mark.torch
@pytest.mark.parametrize("name", CASES)
def test_matches_live_pytorch(name):
    pytest.importorskip("torch")
    from tests.reference.make_nn_reference import torch_case

    c = cases()[name]
    assert_same(coursekit_case(name, c), torch_case(name, c), name)


def test_batchnorm_running_statistics_follow_pytorchs_rule(stored):
    """Spelled out: unbiased batch variance in the running estimate, momentum = weight of the new batch."""
    c = cases()["batchnorm"]
    mean, var = np.zeros(4), np.ones(4)
    for xb in c["xs"]:
        mean = 0.9 * mean + 0.1 * xb.mean(axis=0)
        var = 0.9 * var + 0.1 * xb.var(axis=0, ddof=1)
    np.testing.assert_allclose(stored["batchnorm/running_mean4"], mean, rtol=1e-12)
    np.testing.assert_allclose(stored["batchnorm/running_var4"], var, rtol=1e-12)


# ----------------------------------------------------------------------------- gradient checks

GRAD_TOL = 1e-7


def _check(f, x, analytic, what):
    numeric = gradients.central_difference(f, x)
    if np.abs(analytic).max() < 1e-12 and np.abs(numeric).max() < 1e-9:
        return  # a gradient that is zero (a bias before batch norm): no relative error to speak of
    err = gradients.relative_error(analytic, numeric)
    assert err < GRAD_TOL, f"{what}: relative error {err:.1e}"


def _check_layer(layer, x, what):
    """Gradient check of ``layer`` for the scalar ``Σ forward(x) ⊙ dout``: the input and every
    parameter."""
    dout = np.random.default_rng(1).normal(size=layer.forward(x).shape)
    dx = layer.backward(dout)
    analytic = [g.copy() for g in layer.gradients()]

    def objective():
        return float(np.sum(layer.forward(x_now[0]) * dout))

    x_now = [x]

    def f_of_x(z):
        x_now[0] = z
        return objective()

    _check(f_of_x, x, dx, f"{what}: dx")
    x_now[0] = x
    for i, (p, g) in enumerate(zip(layer.parameters(), analytic, strict=True)):
        saved = p.copy()

        def f_of_p(z, p=p):
            p[...] = z
            return objective()

        _check(f_of_p, saved, g, f"{what}: gradient of parameter {i}")
        p[...] = saved


def _x(shape, seed=0, away_from_zero=False):
    x = np.random.default_rng(seed).normal(0, 1.5, size=shape)
    if away_from_zero:  # no central difference across a kink
        x += np.sign(x) * 0.1
    return x


@pytest.mark.parametrize("layer, kink", [
    (nn.ReLU(), True), (nn.LeakyReLU(0.1), True), (nn.ELU(0.8), True), (nn.Sigmoid(), False), (nn.Tanh(), False)],
    ids=lambda v: repr(v) if not isinstance(v, bool) else "")
def test_activation_gradients(layer, kink):
    _check_layer(layer, _x((6, 5), away_from_zero=kink), repr(layer))


def test_linear_gradients():
    _check_layer(nn.Linear(5, 4, seed=3), _x((7, 5)), "Linear")


def test_batchnorm_gradients_in_both_modes():
    bn = nn.BatchNorm1d(4)
    bn.gamma[...] = [0.5, 1.5, -1.0, 2.0]
    bn.beta[...] = [0.1, -0.2, 0.3, 0.0]
    _check_layer(bn, 2.0 + _x((8, 4)), "BatchNorm1d (training)")
    bn.running_mean[...], bn.running_var[...] = [1.0, 2.0, -1.0, 0.5], [2.0, 0.5, 1.0, 3.0]
    _check_layer(bn.eval(), _x((8, 4)), "BatchNorm1d (evaluation)")


def test_residual_and_sequential_gradients():
    block = nn.Residual(nn.Sequential(nn.Linear(4, 4, seed=1), nn.BatchNorm1d(4), nn.Sigmoid()))
    _check_layer(block, _x((6, 4)), "Residual")
    # He et al.'s block: two layers in the branch, a projection shortcut where the width changes
    branch = nn.Sequential(nn.Linear(4, 5, seed=3), nn.BatchNorm1d(5), nn.ReLU(),
                           nn.Linear(5, 5, seed=4), nn.BatchNorm1d(5))
    projected = nn.Residual(branch, shortcut=nn.Linear(4, 5, seed=5))
    assert len(projected.parameters()) == len(branch.parameters()) + 2
    _check_layer(projected, _x((6, 4), away_from_zero=True), "Residual with a projection shortcut")
    model = nn.mlp(5, 6, 6, 3, activation="tanh", batchnorm=True, residual=True, seed=2)
    _check_layer(model, _x((8, 5)), "mlp with batch norm and a residual block")


def test_loss_gradients():
    z, y = _x((6, 4)), np.array([0, 3, 1, 1, 2, 0])
    _check(lambda t: nn.softmax_cross_entropy(t, y)[0], z, nn.softmax_cross_entropy(z, y)[1], "cross-entropy")
    target = _x((6, 4), seed=5)
    _check(lambda t: nn.mse(t, target)[0], z, nn.mse(z, target)[1], "mse")


def test_gradient_check_catches_a_wrong_backward():
    """The check above is not vacuous: a Sigmoid whose backward forgets the (1 − σ) factor fails."""
    class Wrong(nn.Sigmoid):
        def backward(self, dout):
            return dout * self.out

    with pytest.raises(AssertionError, match="relative error"):
        _check_layer(Wrong(), _x((4, 3)), "wrong sigmoid")


def test_softmax_cross_entropy_is_stable_and_exact():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    loss, d = nn.softmax_cross_entropy(z, np.array([0, 2]))
    assert loss == pytest.approx(np.log(3) / 2, rel=1e-14)
    assert np.all(np.isfinite(d))
    np.testing.assert_allclose(d.sum(axis=1), 0, atol=1e-16)


# ----------------------------------------------------------------------------- parameters, modes, dtypes


def test_parameters_are_the_same_arrays_and_match_the_gradients():
    model = nn.mlp(8, 6, 6, 3, batchnorm=True, residual=True, seed=0)
    params = model.parameters()
    assert [id(p) for p in params] == [id(p) for p in model.parameters()]
    shapes = [(8, 6), (6,), (6,), (6,), (6, 6), (6,), (6,), (6,), (6, 3), (3,)]
    assert [p.shape for p in params] == shapes
    X, y = _x((10, 8)), np.arange(10) % 3
    opt = optim.SGD(params, lr=0.1)
    before = [p.copy() for p in params]
    for _ in range(3):
        _, d = nn.softmax_cross_entropy(model.forward(X), y)
        model.backward(d)
        grads = model.gradients()
        assert [g.shape for g in grads] == shapes
        opt.step(grads)
    after = model.parameters()
    assert [id(p) for p in after] == [id(p) for p in params]  # updated in place, never rebound
    assert all(not np.array_equal(a, b) for a, b in zip(after, before, strict=True))
    assert model.layers[0].W is params[0] and model.layers[3].block.layers[1].gamma is params[6]


def test_train_and_eval_reach_nested_layers():
    model = nn.mlp(3, 4, 4, 2, batchnorm=True, residual=True, seed=0)
    inner_bn = model.layers[3].block.layers[1]
    x = _x((16, 3))
    model.train()
    out_train = model.forward(x)
    assert model.eval() is model and not inner_bn.training
    stats = inner_bn.running_mean.copy()
    out_eval = model.forward(x)
    np.testing.assert_array_equal(inner_bn.running_mean, stats)  # evaluation does not update them
    assert not np.allclose(out_train, out_eval)
    model.train()
    assert inner_bn.training and model.layers[1].training


def test_float32_models_and_inputs():
    x32 = _x((5, 4)).astype(np.float32)
    model = nn.mlp(4, 8, 3, seed=0, dtype=np.float32, batchnorm=True)
    out = model.forward(x32)
    assert out.dtype == np.float32
    model.backward(np.ones_like(out))
    assert all(g.dtype == np.float32 for g in model.gradients())
    ref = nn.mlp(4, 8, 3, seed=0, batchnorm=True)  # float64 model, same weights up to rounding
    np.testing.assert_allclose(out, ref.forward(x32), rtol=1e-4, atol=1e-5)
    assert ref.forward(x32).dtype == np.float64


def test_initialisations_have_the_stated_scale():
    for init, std in (("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 700)), ("normal", 0.05)):
        lin = nn.Linear(400, 300, init=init, std=0.05 if init == "normal" else None, seed=1)
        assert lin.W.std() == pytest.approx(std, rel=0.01), init
        assert abs(lin.W.mean()) < 0.01 * std and not lin.b.any()
    assert nn.Linear(3, 2, seed=7).W.tolist() == nn.Linear(3, 2, seed=7).W.tolist()
    assert not np.array_equal(nn.Linear(3, 2, seed=7).W, nn.Linear(3, 2, seed=8).W)


def test_mlp_structure():
    model = nn.mlp(64, [32, 32, 32], 10, activation="sigmoid", batchnorm=True, residual=True, seed=4)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "Sigmoid", "Residual", "Residual", "Linear"]
    assert [type(layer).__name__ for layer in model.layers[3].block.layers] == ["Linear", "BatchNorm1d", "Sigmoid"]
    assert [lin.W.shape for lin in nn.linear_layers(model)] == [(64, 32), (32, 32), (32, 32), (32, 10)]
    same = nn.mlp([64, 32, 32, 32, 10], activation="sigmoid", batchnorm=True, residual=True, seed=4)
    for p, q in zip(model.parameters(), same.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
    assert [type(layer).__name__ for layer in nn.mlp(4, 4, 2, residual=True).layers] == ["Residual", "Linear"]
    plain = nn.mlp(64, 32, 10)
    assert plain[0] is plain.layers[0] and len(plain) == 3
    assert isinstance(plain[:2], nn.Sequential) and plain[:2].layers == plain.layers[:2]
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "ReLU", "Linear"]
    # default initialisation: He for ReLU, Xavier for sigmoid
    assert nn.mlp(400, 300, 2, seed=0).layers[0].W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    sig = nn.mlp(400, 300, 2, activation="sigmoid", seed=0).layers[0].W.std()
    assert sig == pytest.approx(np.sqrt(2 / 700), rel=0.02)


def test_gradient_norms_are_the_norms_of_dW_input_side_first():
    model = nn.mlp(6, 5, 5, 3, residual=True, seed=0)
    _, d = nn.softmax_cross_entropy(model.forward(_x((9, 6))), np.arange(9) % 3)
    model.backward(d)
    lins = nn.linear_layers(model)
    assert lins[0] is model.layers[0] and lins[1] is model.layers[2].block.layers[0]
    np.testing.assert_allclose(nn.gradient_norms(model), [np.linalg.norm(lin.dW) for lin in lins], rtol=1e-14)
    with pytest.raises(RuntimeError, match="backward"):
        nn.gradient_norms(nn.mlp(3, 2, seed=0))


def test_vanishing_gradients_in_deep_sigmoid_mlp_and_their_remedies():
    """20 sigmoid layers: the gradient of the first layer is many orders of magnitude smaller
    than that of the last; batch normalisation or residual connections remove most of it."""
    X, y = data.load_digits()
    X, y = X[:256], y[:256]
    ratios = {}
    for label, kw in {"plain": {}, "batchnorm": dict(batchnorm=True), "residual": dict(residual=True)}.items():
        model = nn.mlp(64, [32] * 20, 10, activation="sigmoid", seed=0, **kw)
        _, d = nn.softmax_cross_entropy(model.forward(X), y)
        model.backward(d)
        norms = nn.gradient_norms(model)
        assert len(norms) == 21
        ratios[label] = norms[0] / norms[-1]
    assert ratios["plain"] < 1e-8  # vanishing: at least eight orders of magnitude
    for label in ("batchnorm", "residual"):
        # at most a quarter of the orders of magnitude remain
        assert np.log10(ratios[label]) > 0.25 * np.log10(ratios["plain"]), (label, ratios)
    assert ratios["batchnorm"] > 0.1


# ----------------------------------------------------------------------------- bad input


def test_wrong_input_width_names_the_expected_shape():
    model = nn.mlp(64, 16, 10, seed=0)
    with pytest.raises(ValueError, match=r"Linear\(64, 16\): input x must have shape \(batch, 64\); got \(5, 63\)"):
        model.forward(np.zeros((5, 63)))
    with pytest.raises(ValueError, match=r"shape \(batch, 64\)"):
        model.forward(np.zeros(64))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*shape \(batch, 3\)"):
        nn.BatchNorm1d(3).forward(np.zeros((4, 2)))


def test_labels_out_of_range_and_non_integer_labels():
    z = np.zeros((3, 10))
    with pytest.raises(ValueError, match=r"label 10, outside the allowed range 0\.\.9"):
        nn.softmax_cross_entropy(z, np.array([1, 10, 2]))
    with pytest.raises(ValueError, match=r"label -1, outside the allowed range 0\.\.9"):
        nn.softmax_cross_entropy(z, np.array([-1, 0, 2]))
    with pytest.raises(TypeError, match="y must hold integer class labels.*float64"):
        nn.softmax_cross_entropy(z, np.array([1.0, 0.0, 2.0]))
    with pytest.raises(TypeError, match="integer class labels.*bool"):
        nn.softmax_cross_entropy(z[:, :2], np.array([True, False, True]))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        nn.softmax_cross_entropy(z, np.array([1, 2]))
    with pytest.raises(ValueError, match=r"logits must have shape \(batch, n_classes\)"):
        nn.softmax_cross_entropy(np.zeros(10), np.array([1]))


def test_other_bad_input():
    with pytest.raises(ValueError, match=r"same shape; got \(4, 1\) and \(4,\)"):
        nn.mse(np.zeros((4, 1)), np.zeros(4))
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        lin.backward(np.zeros((1, 2)))
    lin.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(4, 3\), but the output had shape \(4, 2\)"):
        lin.backward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="x \\+ block\\(x\\) needs equal shapes"):
        nn.Residual(nn.Linear(3, 2)).forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="give a projection shortcut"):
        nn.Residual(nn.Linear(3, 2), shortcut=nn.Linear(3, 4)).forward(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="shortcut must be a layer"):
        nn.Residual(nn.Linear(3, 2), shortcut=np.eye(3))
    with pytest.raises(ValueError, match="at least 2 rows"):
        nn.BatchNorm1d(3).forward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="init must be one of"):
        nn.Linear(3, 2, init="kaiming")
    with pytest.raises(ValueError, match="in_features must be a whole number >= 1"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.mlp(3, 4, 2, activation="softplus")
    with pytest.raises(ValueError, match="at least two widths"):
        nn.mlp(3)
    with pytest.raises(ValueError, match="momentum must lie in"):
        nn.BatchNorm1d(3, momentum=1.5)
    with pytest.raises(TypeError, match="layers\\[1\\] must be a layer"):
        nn.Sequential(nn.ReLU(), "relu")
