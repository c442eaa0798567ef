"""Wrong, inside, outside and forbidden answers for the exercises of solutions/02_sgd_problems.ipynb."""

_GRAD_OVER_N = '''def minibatch_gradient(A, b, w, idx):
    A_S, b_S = A[idx], b[idx]
    return A_S.T @ (A_S @ w - b_S) / len(b)
'''
_GRAD_FORBIDDEN = '''def minibatch_gradient(A, b, w, idx):
    return LinearRegression(A, b).grad(w, batch=idx)
'''
_GAP_FIRST_ORDER = '''def stationary_gap(lr, h, s2):
    return lr * s2 / 4
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": _GRAD_OVER_N}, "wrong_message": "divide by the batch size B",
                   "forbidden": {"ex1-answer": _GRAD_FORBIDDEN}},
    "Exercise 2": {"wrong": {"ex2-answer": "zigzag_rates = [0.95]\ndiverging_rates = [1.05]\n"},
                   "wrong_message": "changes sign at every step while it shrinks"},
    "Exercise 3": {"wrong": {"ex3-answer": "predicted_ratio = 2.0\n"}, "wrong_message": "not like its root",
                   "inside": {"ex3-answer": "predicted_ratio = 4.5\n"},
                   "outside": {"ex3-answer": "predicted_ratio = 4.7\n"}},
    "Exercise 4": {"wrong": {"ex4-answer": "predicted_floor_ratio = 0.354\n"},
                   "wrong_message": "the variance, not the standard deviation",
                   "inside": {"ex4-answer": "predicted_floor_ratio = 0.28\n"},
                   "outside": {"ex4-answer": "predicted_floor_ratio = 0.30\n"}},
    "Exercise 5": {"wrong": {"ex5-answer": _GAP_FIRST_ORDER}, "wrong_message": "only the limit for small"},
    "Exercise 6": {"wrong": {"ex6-answer": 'causes = ("bias", "divergence", "noise")\n'},
                   "wrong_message": "flat near α tr Σ/(4B)"},
    "Exercise 7": {"wrong": {"ex7-answer": "tuned_lr, tuned_batch_size = 0.1, 16\n"},
                   "wrong_message": "must lie below the target",
                   "inside": {"ex7-answer": "tuned_lr, tuned_batch_size = 0.035, 16\n"},
                   "outside": {"ex7-answer": "tuned_lr, tuned_batch_size = 0.045, 16\n"}},
}
