"""Known mistakes of ``initializers``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/initializers.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def random_normal__variance_as_scale(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(mean, stddev ** 2, size=shape)


def random_normal__mean_ignored(shape, rng, mean=0.0, stddev=0.05):
    return stddev * rng.standard_normal(shape)


def random_uniform__width_not_scaled(shape, rng, minval=-0.05, maxval=0.05):
    return minval + rng.random(shape)


def glorot_uniform__fan_in_only(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def glorot_uniform__normal_not_uniform(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def glorot_uniform__missing_sqrt(fan_in, fan_out, rng):
    limit = 6.0 / (fan_in + fan_out)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_normal__variance_one_over_fan_in(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


def he_normal__variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))


def he_normal__fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))


KNOWN = [
    ("random_normal", "variance-as-scale", random_normal__variance_as_scale,
     "You passed stddev squared as the scale; the scale of a normal draw is its standard "
     "deviation, so the spread must be stddev."),
    ("random_normal", "mean-ignored", random_normal__mean_ignored,
     "Your samples are centred on 0; they must be centred on the mean argument."),
    ("random_uniform", "width-not-scaled", random_uniform__width_not_scaled,
     "You did not stretch the draw to the width maxval − minval: a standard uniform draw lies "
     "in [0, 1) and must be stretched before the shift to minval."),
    ("glorot_uniform", "fan-in-only", glorot_uniform__fan_in_only,
     "You used fan_in only; Glorot's limit uses both fans, √(6 / (fan_in + fan_out))."),
    ("glorot_uniform", "normal-not-uniform", glorot_uniform__normal_not_uniform,
     "That is Glorot normal; glorot_uniform draws uniformly from [−limit, limit] with limit "
     "√(6 / (fan_in + fan_out))."),
    ("glorot_uniform", "missing-sqrt", glorot_uniform__missing_sqrt,
     "You left out the square root: the limit is √(6 / (fan_in + fan_out)), not 6 / (fan_in + "
     "fan_out)."),
    ("he_normal", "variance-one-over-fan-in", he_normal__variance_one_over_fan_in,
     "You used the variance 1 / fan_in, which is LeCun's; He initialization has variance 2 / "
     "fan_in, so the standard deviation is √(2 / fan_in)."),
    ("he_normal", "variance-as-std", he_normal__variance_as_std,
     "You used 2 / fan_in as the standard deviation; it is the variance, and a normal draw "
     "takes the standard deviation, √(2 / fan_in)."),
    ("he_normal", "fan-out", he_normal__fan_out,
     "You scaled by fan_out; He normal scales by the number of inputs: variance 2 / fan_in, "
     "not 2 / fan_out."),
]
