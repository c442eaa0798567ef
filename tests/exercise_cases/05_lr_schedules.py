"""Wrong, inside, outside and forbidden answers for the exercises of solutions/05_lr_schedules.ipynb."""

_STEP_SMOOTH_ONLY = '''def step_decay(t, lr, step_size, gamma, staircase=True):
    t = np.asarray(t)
    return lr * gamma ** (t / step_size)
'''
_STEP_FORBIDDEN = '''def step_decay(t, lr, step_size, gamma, staircase=True):
    return S.step_decay(t, lr=lr, step_size=step_size, gamma=gamma, staircase=staircase)
'''
_COSINE_OVER_T = '''def warmup_cosine(t, lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    t = np.asarray(t)
    warm = lr * (start_factor + (1 - start_factor) * t / warmup_steps)
    cosine = eta_min + 0.5 * (lr - eta_min) * (1 + np.cos(np.pi * (t - warmup_steps) / total_steps))
    return np.where(t < warmup_steps, warm, cosine)
'''
_COSINE_FORBIDDEN = '''def warmup_cosine(t, lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    return warmup_cosine_reference(t, lr, warmup_steps, total_steps, start_factor, eta_min)   # calls them
'''
_SUGGEST_NO_TENTH = '''def suggest_lr(lrs, losses, beta=0.9):
    smoothed, avg = np.empty(len(losses)), 0.0
    for k, loss in enumerate(np.asarray(losses, dtype=float)):
        avg = beta * avg + (1 - beta) * loss
        smoothed[k] = avg / (1 - beta ** (k + 1))
    return float(np.asarray(lrs)[np.nanargmin(np.where(np.isfinite(smoothed), smoothed, np.nan))])
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": _STEP_SMOOTH_ONLY}, "wrong_message": "finished periods",
                   "forbidden": {"ex1-answer": _STEP_FORBIDDEN}},
    # per_step_gamma as a division, the run of n epochs taken as n decay steps, the epoch count rounded down
    "Exercise 2": {"wrong": {"ex2-answer": (
        "def per_step_gamma(gamma_step, step_size):\n    return gamma_step / step_size\n\n\n"
        "def gamma_for_decay(factor, epochs):\n    return (1 / factor) ** (1 / epochs)\n"),
        "ex2-answer-b": ("def epochs_to_decay(gamma, factor):\n    return int(np.log(factor) / np.log(1 / gamma))\n")},
        "wrong_message": "compare the exponents"},
    "Exercise 3": {"wrong": {"ex3-answer": _COSINE_OVER_T}, "wrong_message": "T - W steps after the warm-up",
                   "forbidden": {"ex3-answer": _COSINE_FORBIDDEN}},
    "Exercise 4": {"wrong": {"ex4-answer": _SUGGEST_NO_TENTH}, "wrong_message": "divided by 10"},
    "Exercise 5": {
        # counting the cut when the bad epochs reach the patience instead of exceeding it
        "wrong": {"ex5-answer": "predicted_cut_epoch = 4\n"},
        "wrong_message": "larger than the patience",
        "inside": {"ex5-answer": "predicted_cut_epoch = 5\n"},
        "outside": {"ex5-answer": "predicted_cut_epoch = 6\n"},
    },
    "Exercise 6": {
        # the head keeps the rate it was built with, the body follows the schedule one epoch too far
        "wrong": {"ex6-answer": "predicted_body_lr, predicted_head_lr = 0.0025, 0.1\n"},
        "wrong_message": "the last epoch is t = epochs - 1",
        "inside": {"ex6-answer": "predicted_body_lr, predicted_head_lr = 0.00509, 0.0491\n"},
        "outside": {"ex6-answer": "predicted_body_lr, predicted_head_lr = 0.005, 0.0511\n"},
    },
    "Exercise 7": {
        # the best constant rate of the table: on its noise floor
        "wrong": {"ex7-answer": "lr, gamma = 0.003, 1.0\n"},
        "wrong_message": "noise floor",
        "inside": {"ex7-answer": "lr, gamma = 0.05, 0.6\n"},
        "outside": {"ex7-answer": "lr, gamma = 0.05, 0.5\n"},
    },
}
