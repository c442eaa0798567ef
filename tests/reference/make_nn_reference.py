"""Regenerate ``nn_reference.npz``: PyTorch's forward and backward of every ``coursekit.nn``
layer and loss, on fixed inputs.

    pip install torch==2.13.0 && python tests/reference/make_nn_reference.py

``cases()`` draws the inputs (data, weights, upstream gradients) with NumPy, without coursekit;
``torch_case`` runs them through ``torch.nn`` / ``torch.nn.functional`` in float64 and returns
what autograd gives. The file stores both, as ``"<case>/<key>"``. ``tests/test_nn.py``
compares coursekit with the stored values always, and with a live PyTorch when importable.
"""

import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE_FILE = HERE / "nn_reference.npz"


def cases() -> dict:
    """``{case name: {input name: array}}``; everything drawn from one seeded generator."""
    rng = np.random.default_rng(20261123)
    out = {}
    n, d_in, d_out = 7, 5, 4
    out["linear"] = dict(x=rng.normal(size=(n, d_in)), W=rng.normal(size=(d_in, d_out)), b=rng.normal(size=d_out),
                         dout=rng.normal(size=(n, d_out)))
    # activations: moderate values, large ones (saturation, overflow of a naive sigmoid) and exact zeros
    x = np.concatenate([rng.normal(0, 2, size=(5, 6)), [[-800.0, -40.0, -1e-3, 0.0, 1e-3, 40.0]],
                        [[0.0, 0.0, 3.0, -3.0, 750.0, -0.5]]])
    for name in ("relu", "leaky_relu", "elu", "sigmoid", "tanh"):
        out[name] = dict(x=x, dout=rng.normal(size=x.shape))
    out["leaky_relu"]["negative_slope"] = np.array(0.2)
    out["elu"]["alpha"] = np.array(0.7)
    # batch norm: several training steps (running statistics), then one in evaluation mode
    k, m, f = 5, 8, 4
    for name, eps, momentum in (("batchnorm", 1e-5, 0.1), ("batchnorm_momentum", 1e-3, 0.3)):
        out[name] = dict(xs=3.0 + 2.0 * rng.normal(size=(k, m, f)), gamma=rng.normal(size=f), beta=rng.normal(size=f),
                         dout=rng.normal(size=(m, f)), x_eval=3.0 + 2.0 * rng.normal(size=(m, f)),
                         dout_eval=rng.normal(size=(m, f)), eps=np.array(eps), momentum=np.array(momentum))
    out["residual"] = dict(x=rng.normal(size=(6, 4)), W=0.5 * rng.normal(size=(4, 4)), b=rng.normal(size=4),
                           dout=rng.normal(size=(6, 4)))
    logits = rng.normal(0, 3, size=(9, 6))
    logits[0] += 1000.0  # a naive softmax overflows here
    logits[1, 2] = -1000.0
    out["cross_entropy"] = dict(logits=logits, y=rng.integers(0, 6, size=9))
    out["mse"] = dict(pred=rng.normal(size=(5, 3)), target=rng.normal(size=(5, 3)))
    # a whole network: Linear → BN → Tanh, Residual(Linear → BN → Tanh), Linear; cross-entropy
    shapes = [(5, 6), (6, 6), (6, 3)]
    out["network"] = dict(x=rng.normal(size=(10, 5)), y=rng.integers(0, 3, size=10),
                          **{f"W{i}": rng.normal(0, 0.7, size=shape) for i, shape in enumerate(shapes)},
                          **{f"b{i}": rng.normal(size=shape[1]) for i, shape in enumerate(shapes)},
                          **{f"gamma{i}": 1 + 0.1 * rng.normal(size=6) for i in range(2)},
                          **{f"beta{i}": 0.1 * rng.normal(size=6) for i in range(2)})
    return out


def _t(a, grad=False):
    import torch

    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def _np(t):
    return t.detach().numpy().copy()


def _linear(W, b):
    """A torch.nn.Linear holding W (shape (in, out), coursekit's layout) and b."""
    import torch

    lin = torch.nn.Linear(*W.shape, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(_t(W.T))
        lin.bias.copy_(_t(b))
    return lin


def _batchnorm(gamma, beta, eps=1e-5, momentum=0.1):
    import torch

    bn = torch.nn.BatchNorm1d(len(gamma), eps=float(eps), momentum=float(momentum), dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(_t(gamma))
        bn.bias.copy_(_t(beta))
    return bn


def torch_case(name: str, c: dict) -> dict:
    """PyTorch's outputs and gradients for case ``name`` with inputs ``c``."""
    import torch
    import torch.nn.functional as F

    if name == "linear":
        lin, x = _linear(c["W"], c["b"]), _t(c["x"], True)
        out = lin(x)
        out.backward(_t(c["dout"]))
        return dict(out=_np(out), dx=_np(x.grad), dW=_np(lin.weight.grad.T), db=_np(lin.bias.grad))
    if name in ("relu", "leaky_relu", "elu", "sigmoid", "tanh"):
        fn = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
              "leaky_relu": lambda z: F.leaky_relu(z, float(c["negative_slope"])),
              "elu": lambda z: F.elu(z, float(c["alpha"]))}[name]
        x = _t(c["x"], True)
        out = fn(x)
        out.backward(_t(c["dout"]))
        return dict(out=_np(out), dx=_np(x.grad))
    if name.startswith("batchnorm"):
        bn = _batchnorm(c["gamma"], c["beta"], c["eps"], c["momentum"])
        result = {}
        for i, xb in enumerate(c["xs"]):
            x = _t(xb, True)
            out = bn(x)
            result[f"running_mean{i}"], result[f"running_var{i}"] = _np(bn.running_mean), _np(bn.running_var)
        out.backward(_t(c["dout"]))
        result.update(out=_np(out), dx=_np(x.grad), dgamma=_np(bn.weight.grad), dbeta=_np(bn.bias.grad))
        bn.eval()
        bn.weight.grad = bn.bias.grad = None
        x = _t(c["x_eval"], True)
        out = bn(x)
        out.backward(_t(c["dout_eval"]))
        result.update(out_eval=_np(out), dx_eval=_np(x.grad), dgamma_eval=_np(bn.weight.grad),
                      dbeta_eval=_np(bn.bias.grad))
        return result
    if name == "residual":
        lin, x = _linear(c["W"], c["b"]), _t(c["x"], True)
        out = x + torch.tanh(lin(x))
        out.backward(_t(c["dout"]))
        return dict(out=_np(out), dx=_np(x.grad), dW=_np(lin.weight.grad.T), db=_np(lin.bias.grad))
    if name == "cross_entropy":
        z = _t(c["logits"], True)
        loss = F.cross_entropy(z, torch.from_numpy(np.asarray(c["y"], dtype=np.int64)))
        loss.backward()
        return dict(loss=np.array(loss.item()), dlogits=_np(z.grad))
    if name == "mse":
        p = _t(c["pred"], True)
        loss = F.mse_loss(p, _t(c["target"]))
        loss.backward()
        return dict(loss=np.array(loss.item()), dpred=_np(p.grad))
    if name == "network":
        lins = [_linear(c[f"W{i}"], c[f"b{i}"]) for i in range(3)]
        bns = [_batchnorm(c[f"gamma{i}"], c[f"beta{i}"]) for i in range(2)]
        x = _t(c["x"], True)
        h = torch.tanh(bns[0](lins[0](x)))
        h = h + torch.tanh(bns[1](lins[1](h)))
        loss = F.cross_entropy(lins[2](h), torch.from_numpy(np.asarray(c["y"], dtype=np.int64)))
        loss.backward()
        result = dict(loss=np.array(loss.item()), dx=_np(x.grad))
        for i, lin in enumerate(lins):
            result[f"dW{i}"], result[f"db{i}"] = _np(lin.weight.grad.T), _np(lin.bias.grad)
        for i, bn in enumerate(bns):
            result[f"dgamma{i}"], result[f"dbeta{i}"] = _np(bn.weight.grad), _np(bn.bias.grad)
            result[f"running_mean{i}"], result[f"running_var{i}"] = _np(bn.running_mean), _np(bn.running_var)
        return result
    raise KeyError(name)


def main() -> None:
    import torch

    arrays = {}
    for name, c in cases().items():
        for key, value in {**c, **torch_case(name, c)}.items():
            arrays[f"{name}/{key}"] = np.asarray(value)
    np.savez_compressed(REFERENCE_FILE, torch_version=np.array(torch.__version__), **arrays)
    print(f"wrote {REFERENCE_FILE} ({len(arrays)} arrays, PyTorch {torch.__version__})")


if __name__ == "__main__":
    main()
