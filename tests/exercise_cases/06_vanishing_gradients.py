"""Wrong, inside, outside and forbidden answers for the exercises of solutions/06_vanishing_gradients.ipynb."""

_SIGMOID_PRIME_EXP = '''def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_prime(z):
    return np.exp(-np.asarray(z, dtype=float)) * sigmoid(z)
'''
_SIGMOID_FORBIDDEN = '''def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_prime(z):
    layer = D.activation("sigmoid")                # nn.Sigmoid through nn.ACTIVATIONS, by a name in lower case
    out = layer.forward(np.atleast_2d(np.asarray(z, dtype=float)))
    return layer.backward(np.ones_like(out)).reshape(np.shape(z))
'''
_NORMS_PER_SIZE = '''def layer_gradient_norms(model, X, y):
    _, dlogits = nn.softmax_cross_entropy(model.forward(X), y)
    model.backward(dlogits)
    return np.array([np.linalg.norm(layer.dW) / layer.dW.size for layer in nn.linear_layers(model)])
'''
_NORMS_FORBIDDEN = '''def layer_gradient_norms(model, X, y):
    D.forward_backward(model, X, y)               # the forward and backward pass done by the library
    return np.array([np.linalg.norm(layer.dW) for layer in nn.linear_layers(model)])
'''
_CLIP_EACH_ARRAY = '''def clip_by_value(grads, c):
    return [np.clip(g, -c, c) for g in grads]


def clip_by_norm(grads, c):
    return [g * min(1.0, c / (np.linalg.norm(g) + 1e-6)) for g in grads]
'''

CASES = {
    # the derivative of e^(-z) without the chain rule's square; the maximum taken as 1 (tanh's)
    "Exercise 1": {"wrong": {"ex1-answer": _SIGMOID_PRIME_EXP, "ex1-answer-b": "sigmoid_prime_max = 1.0\n"},
                   "wrong_message": "sigma times (1 - sigma)",
                   "forbidden": {"ex1-answer": _SIGMOID_FORBIDDEN}},
    "Exercise 2": {
        # the output layer taken as the smallest
        "wrong": {"ex2-answer": "predicted_smallest_layer = 11\npredicted_log10_ratio = 2.0\n"},
        "wrong_message": "collects one factor per layer",
        "inside": {"ex2-answer": "predicted_smallest_layer = 1\npredicted_log10_ratio = -6.75\n"},
        "outside": {"ex2-answer": "predicted_smallest_layer = 1\npredicted_log10_ratio = -6.8\n"},
    },
    "Exercise 3": {"wrong": {"ex3-answer": _NORMS_PER_SIZE}, "wrong_message": "one norm per Linear layer",
                   "forbidden": {"ex3-answer": _NORMS_FORBIDDEN}},
    # the saturation story: plausible, but the measured derivatives are near their maximum
    "Exercise 4": {"wrong": {"ex4-answer": 'cause = "A"\n'}, "wrong_message": "count the saturated units"},
    # the variance returned instead of the standard deviation
    "Exercise 5": {"wrong": {"ex5-answer": ("def kaiming_std(n_in, negative_slope=0.0):\n"
                                            "    return 2.0 / ((1.0 + negative_slope**2) * n_in)\n")},
                   "wrong_message": "returns a standard deviation"},
    "Exercise 6": {
        # a larger rate against a vanishing signal
        "wrong": {"ex6-answer": "scale, lr = 0.3, 1.0\n"},
        "wrong_message": "whatever the rate",
        "inside": {"ex6-answer": "scale, lr = 1.0, 0.1\n"},
        "outside": {"ex6-answer": "scale, lr = 2.0, 0.1\n"},
    },
    "Exercise 7": {"wrong": {"ex7-answer": _CLIP_EACH_ARRAY}, "wrong_message": "not each array's own norm"},
}
