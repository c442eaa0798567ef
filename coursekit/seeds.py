"""One seed switch for the whole course.

Every chapter starts with ``SEED = course_seed()`` and derives every random number from it
(``seed=SEED``, ``seed=SEED + 1``, ``np.random.default_rng(SEED + 2)``, …). The value comes
from the environment variable ``COURSEKIT_SEED`` (a whole number, default 0), so

    COURSEKIT_SEED=1 jupyter lab            # read the course with other data orders and inits
    COURSEKIT_SEED=1 pytest chapters/       # check that every conclusion still holds

reruns every experiment with other random draws. The chapters' checked outputs are stated so
that they hold for every seed, not only for seed 0.
"""

import os

__all__ = ["ENV_VAR", "course_seed"]

#: the environment variable that sets the course's seed
ENV_VAR = "COURSEKIT_SEED"


def course_seed(default: int = 0) -> int:
    """The course's seed: ``int(os.environ["COURSEKIT_SEED"])`` if it is set, else ``default``.

    Raises ``ValueError`` naming the variable when it is set to anything but a whole number
    ``>= 0`` (NumPy's generators accept no negative seed).
    """
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a whole number >= 0 (e.g. {ENV_VAR}=1); got {text!r}") from None
    if value < 0:
        raise ValueError(f"{ENV_VAR} must be a whole number >= 0 (e.g. {ENV_VAR}=1); got {value}")
    return value
