"""Wrong, inside and outside answers for the exercises of solutions/07_batchnorm_residuals.ipynb."""

_FWD_BIASED = '''def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    mu, var = x.mean(axis=0), x.var(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return y, (1 - momentum) * running_mean + momentum * mu, (1 - momentum) * running_var + momentum * var
'''
_FWD_FORBIDDEN = '''def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    layer = nn.BatchNorm1d(x.shape[1], momentum=momentum, eps=eps)
    layer.gamma[:], layer.beta[:] = gamma, beta
    layer.running_mean, layer.running_var = running_mean.copy(), running_var.copy()
    return layer.forward(x), layer.running_mean, layer.running_var
'''
_BWD_CONSTANT = '''def batchnorm_backward(dout, x, gamma, eps=1e-5):
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return gamma * inv_std * dout, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''
_BWD_FORBIDDEN = '''def batchnorm_backward(dout, x, gamma, eps=1e-5):
    layer = nn.BatchNorm1d(x.shape[1], eps=eps)
    layer.gamma[:] = gamma
    layer.forward(x)
    return layer.backward(dout), layer.dgamma, layer.dbeta
'''
_EVAL_NO_RESTORE = '''def evaluate(model, X, y):
    model.eval()
    return nn.accuracy(model.forward(X), y)
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": _FWD_BIASED}, "wrong_message": "unbiased batch variance",
                   "forbidden": {"ex1-answer": _FWD_FORBIDDEN}},
    "Exercise 2": {"wrong": {"ex2-answer": _BWD_CONSTANT}, "wrong_message": "as constants",
                   "forbidden": {"ex2-answer": _BWD_FORBIDDEN}},
    "Exercise 3": {"wrong": {"ex3-answer": "predicted_running_mean, predicted_running_var = 5.0, 4.0\n"},
                   "wrong_message": "still has weight",
                   "inside": {"ex3-answer": "predicted_running_mean, predicted_running_var = 3.05, 3.15\n"},
                   "outside": {"ex3-answer": "predicted_running_mean, predicted_running_var = 3.7, 3.4\n"}},
    "Exercise 4": {"wrong": {"ex4-answer": "predicted_output_change, predicted_gradient_factor = 0.0, 1.0\n"},
                   "wrong_message": "a times the gradient",
                   "inside": {"ex4-answer": "predicted_output_change, predicted_gradient_factor = 0.0009, 0.26\n"},
                   "outside": {"ex4-answer": "predicted_output_change, predicted_gradient_factor = 0.0, 0.27\n"}},
    "Exercise 5": {"wrong": {"ex5-answer": 'cause = "C"\n'}, "wrong_message": "constant added"},
    "Exercise 6": {"wrong": {"ex6-answer": _EVAL_NO_RESTORE}, "wrong_message": "mode you found"},
    "Exercise 7": {"wrong": {"ex7-answer": "predicted_log10_plain, predicted_log10_residual = -3.0, 0.0\n"},
                   "wrong_message": "count the decades",
                   "inside": {"ex7-answer": "predicted_log10_plain, predicted_log10_residual = -14.0, 0.4\n"},
                   "outside": {"ex7-answer": "predicted_log10_plain, predicted_log10_residual = -14.5, 0.0\n"}},
    "Exercise 8": {"wrong": {"ex8-answer": 'reading = "A"\n'}, "wrong_message": "which of the two norms"},
    "Exercise 9": {"wrong": {"ex9-answer": "lr, rho = 0.1, 0.1\n"}, "wrong_message": "forget their start",
                   "inside": {"ex9-answer": "lr, rho = 0.2, 0.25\n"},
                   "outside": {"ex9-answer": "lr, rho = 0.2, 0.15\n"}},
}
