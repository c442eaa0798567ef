"""Wrong, inside, outside and forbidden answers for the exercises of solutions/01_gradients.ipynb."""

_CHECK_FORWARD = '''def gradient_check(f, grad, x, h=1e-5):
    x = np.array(x, dtype=float)
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        numeric[i] = (f(x + step) - f(x)) / h
    analytic = np.asarray(grad(x), dtype=float)
    return float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
'''
_CHECK_FORBIDDEN = '''def gradient_check(f, grad, x, h=1e-5):
    return gradients.gradient_check(f, grad, x, h)
'''
_BACKWARD_NO_SIGMOID_DERIVATIVE = '''def sigmoid_layer_backward(g, x, W, b):
    return g @ W.T, x.T @ g, g.sum(axis=0)
'''
_BACKWARD_FORBIDDEN = '''def sigmoid_layer_backward(g, x, W, b):
    from coursekit import nn
    lin, act = nn.Linear(W.shape[0], W.shape[1]), nn.Sigmoid()
    lin.W, lin.b = W, b
    act.forward(lin.forward(x))
    dx = lin.backward(act.backward(g))
    return dx, lin.dW, lin.db
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": _CHECK_FORWARD},
                   "wrong_message": "a forward difference gives another number",
                   "forbidden": {"ex1-answer": _CHECK_FORBIDDEN}},
    "Exercise 2": {"wrong": {"ex2-answer": "predicted_forward_factor = 10.0\npredicted_central_factor = 10.0\n"},
                   "wrong_message": "the even terms of the Taylor series cancel",
                   "inside": {"ex2-answer": "predicted_forward_factor = 12.5\npredicted_central_factor = 125.0\n"},
                   "outside": {"ex2-answer": "predicted_forward_factor = 10.0\npredicted_central_factor = 135.0\n"}},
    "Exercise 3": {"wrong": {"ex3-answer": 'central_column = "P"\nbest_h = 1e-12\n'},
                   "wrong_message": "the smallest step is not the best"},
    "Exercise 4": {"wrong": {"ex4-answer": "predicted_max_lr = 0.1\n"}, "wrong_message": "it may change sign",
                   "inside": {"ex4-answer": "predicted_max_lr = 0.215\n"},
                   "outside": {"ex4-answer": "predicted_max_lr = 0.225\n"}},
    "Exercise 5": {"wrong": {"ex5-answer": "lr = 0.1\n"}, "wrong_message": "balance the factors",
                   "inside": {"ex5-answer": "lr = 0.168\n"},
                   "outside": {"ex5-answer": "lr = 0.171\n"}},
    "Exercise 6": {"wrong": {"ex6-answer": 'bug = "C"\n'}, "wrong_message": "check each term on its own"},
    "Exercise 7": {"wrong": {"ex7-answer": _BACKWARD_NO_SIGMOID_DERIVATIVE},
                   "wrong_message": "g times the sigmoid's derivative",
                   "forbidden": {"ex7-answer": _BACKWARD_FORBIDDEN}},
}
