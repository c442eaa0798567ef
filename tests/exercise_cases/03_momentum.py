"""Wrong, inside, outside and forbidden answers for the exercises of solutions/03_momentum.ipynb."""

_STEP_000_FORM = '''def momentum_step(p, v, g, lr, momentum):
    v = momentum * v + lr * g
    return p - v, v
'''
_STEP_FORBIDDEN = '''def momentum_step(p, v, g, lr, momentum):
    p, v = p.copy(), v.copy()
    opt = optim.SGD([p], lr=lr, momentum=momentum)
    v_new = momentum * v + g
    return p - lr * v_new, v_new
'''
_NESTEROV_HEAVY_BALL = '''def nesterov_step(x, v, grad, lr, gamma):
    v = gamma * v + lr * grad(x)
    return x - v, v
'''
_NESTEROV_FORBIDDEN = '''def nesterov_step(x, v, grad, lr, gamma):
    p = x - gamma * v
    opt = optim.SGD([p], lr=lr, momentum=gamma, nesterov=True)
    opt.step([grad(p)])
    v_new = gamma * v + lr * grad(x - gamma * v)
    return x - v_new, v_new
'''
_BEST_WRONG = '''def best_momentum(mu, L):
    return 2 / (L + mu), 0.9
'''
_BEST_FORBIDDEN = '''def best_momentum(mu, L):
    return M.optimal_momentum(mu, L)
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": "predicted_steps_gd, predicted_steps_momentum = 653, 62\n"},
                   "wrong_message": "only the flat direction's share of the loss is left",
                   "inside": {"ex1-answer": "predicted_steps_gd, predicted_steps_momentum = 520, 97\n"},
                   "outside": {"ex1-answer": "predicted_steps_gd, predicted_steps_momentum = 424, 90\n"}},
    "Exercise 2": {"wrong": {"ex2-answer": _STEP_000_FORM}, "wrong_message": "velocity holds no learning rate",
                   "forbidden": {"ex2-answer": _STEP_FORBIDDEN}},
    "Exercise 3": {"wrong": {"ex3-answer": 'cause = "A"\n'}, "wrong_message": "agree exactly"},
    "Exercise 4": {"wrong": {"ex4-answer": _NESTEROV_HEAVY_BALL}, "wrong_message": "take the gradient at x - γv",
                   "forbidden": {"ex4-answer": _NESTEROV_FORBIDDEN}},
    "Exercise 5": {"wrong": {"ex5-answer": _BEST_WRONG}, "wrong_message": "both extreme curvatures must get complex",
                   "forbidden": {"ex5-answer": _BEST_FORBIDDEN}},
    "Exercise 6": {"wrong": {"ex6-answer": 'reading, steps_ratio = "A", 0.985 / 0.893\n'},
                   "wrong_message": "a larger γ is not always faster"},
    "Exercise 7": {"wrong": {"ex7-answer": "lr, gamma = 1.0, 0.9\n"}, "wrong_message": "γ must be below 0.9",
                   "inside": {"ex7-answer": "lr, gamma = 3.5, 0.8\n"},
                   "outside": {"ex7-answer": "lr, gamma = 3.7, 0.8\n"}},
}
