"""nn.LayerNorm: forward and backward against central differences and against torch.nn.LayerNorm
(float64), and its independence of the batch."""

import numpy as np
import pytest

from coursekit import gradients, nn


def _case(seed=0, rows=5, features=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(1.5, 2.0, size=(rows, features))
    r = rng.normal(size=(rows, features))          # L = Σ r · LN(x): ∂L/∂out = r
    ln = nn.LayerNorm(features)
    ln.gamma[...] = rng.normal(1.0, 0.5, features)
    ln.beta[...] = rng.normal(0.0, 0.5, features)
    return x, r, ln


def test_forward_normalises_every_row():
    x, _, _ = _case()
    out = nn.LayerNorm(x.shape[1], eps=1e-12).forward(x)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-10)


def test_output_does_not_depend_on_the_batch():
    x, _, ln = _case()
    np.testing.assert_allclose(ln.forward(x[:1]), ln.forward(x)[:1], rtol=0, atol=1e-14)
    training = ln.forward(x)
    ln.eval()
    np.testing.assert_allclose(ln.forward(x), training, rtol=0, atol=0)   # no running statistics


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_central_differences(seed):
    x, r, ln = _case(seed)
    ln.forward(x)
    dx = ln.backward(r)
    dgamma, dbeta = ln.dgamma.copy(), ln.dbeta.copy()

    def loss_of(which):
        def f(p):
            old = getattr(ln, which).copy()
            getattr(ln, which)[...] = p
            value = float(np.sum(r * ln.forward(x)))
            getattr(ln, which)[...] = old
            return value
        return f

    assert gradients.gradient_check(lambda x_: float(np.sum(r * ln.forward(x_))), dx, x.copy()) < 1e-8
    assert gradients.gradient_check(loss_of("gamma"), dgamma, ln.gamma.copy()) < 1e-8
    assert gradients.gradient_check(loss_of("beta"), dbeta, ln.beta.copy()) < 1e-8


def test_input_gradient_has_no_component_along_the_row_mean():
    x, r, _ = _case()
    ln = nn.LayerNorm(x.shape[1])               # γ = 1: moving a whole row does not change the output
    ln.forward(x)
    np.testing.assert_allclose(ln.backward(r).sum(axis=1), 0.0, atol=1e-12)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="num_features"):
        nn.LayerNorm(0)
    with pytest.raises(ValueError, match="eps"):
        nn.LayerNorm(3, eps=0.0)
    with pytest.raises(ValueError, match="shape"):
        nn.LayerNorm(3).forward(np.zeros((2, 4)))
    assert repr(nn.LayerNorm(3)) == "LayerNorm(3, eps=1e-05)"
    assert len(nn.LayerNorm(3).parameters()) == 2


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_live_pytorch(seed):
    torch = pytest.importorskip("torch")
    x, r, ln = _case(seed)
    out = ln.forward(x)
    dx = ln.backward(r)
    tln = torch.nn.LayerNorm(x.shape[1], eps=ln.eps, dtype=torch.float64)
    with torch.no_grad():
        tln.weight.copy_(torch.from_numpy(ln.gamma))
        tln.bias.copy_(torch.from_numpy(ln.beta))
    tx = torch.tensor(x, requires_grad=True)
    tout = tln(tx)
    tout.backward(torch.from_numpy(r))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ln.dgamma, tln.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ln.dbeta, tln.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
