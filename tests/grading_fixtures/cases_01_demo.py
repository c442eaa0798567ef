"""Exercise cases of the synthetic notebook (tests/grading_fixtures/synthetic.py): proves the
harness of tests/test_exercise_cases.py before the chapters' case files exist."""

CASES = {
    "Exercise 1": {
        "wrong": {"ex1-answer": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h"},
        "wrong_message": "hidden check 1: failed",  # sin is even about 0: only the hidden checks see it
    },
    "Exercise 2": {
        "wrong": {"ex2-answer": "def sgd_step(w, g, lr):\n    return w + lr * g"},
        "wrong_message": "hint: w - lr * g",
        "forbidden": {"ex2-answer": "def sgd_step(w, g, lr):\n    return np.subtract(w, lr * g)"},
    },
    "Exercise 3": {
        "wrong": {"ex3-answer": "def best_step(losses):\n    return int(np.argmax(losses))"},
        "wrong_message": "got:      0",
    },
}
