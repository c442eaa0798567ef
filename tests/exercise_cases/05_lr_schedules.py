"""Wrong, inside and outside answers for the exercises of solutions/05_lr_schedules.ipynb."""

CASES = {
    "Exercise 1": {
        "wrong": {
            "ex1-answer": (
                "def step_decay(t, lr, step_size, gamma, staircase=True):\n"
                "    t = np.asarray(t)\n"
                "    return lr * gamma ** (t / step_size)\n"
            )
        },
        "wrong_message": "finished periods",
    },
    "Exercise 6": {
        # counting the cut when the bad epochs reach the patience instead of exceeding it
        "wrong": {"ex6-answer": "predicted_cut_epoch = 4\n"},
        "wrong_message": "larger than the patience",
        "inside": {"ex6-answer": "predicted_cut_epoch = 5\n"},
        "outside": {"ex6-answer": "predicted_cut_epoch = 6\n"},
    },
}
