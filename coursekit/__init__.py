"""coursekit: the tested implementations behind the optimization-for-deep-learning course.

One module per idea: ``functions`` (test functions), ``gradients`` (numerical gradients),
``optim`` (optimizers), ``schedules`` (learning-rate schedules), ``nn`` (a NumPy network
library), ``data`` (the digits and synthetic data), ``train`` (running optimizers),
``plots`` and ``widgets`` (figures and sliders), ``grading`` (exercises and grading),
``seeds`` (the one seed switch, ``COURSEKIT_SEED``, behind every random number of the chapters).
"""

__version__ = "0.1.0"
