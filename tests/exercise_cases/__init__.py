"""The exercise cases of each chapter: ``NN_name.py`` holds ``CASES`` for
``solutions/NN_name.ipynb`` (the contract is in tests/test_exercise_cases.py and in the
docstring of coursekit/grading/__init__.py)."""
