"""Weight initialization (가중치 초기화).

The course notes set the initial weights (가중치) and biases (편향) with Keras's
``RandomNormal(mean=0.0, stddev=0.05)`` and ``RandomUniform(minval=-0.05, maxval=0.05)``
(정규 분포 / 균등 분포), and discuss Xavier/Glorot initialization (for sigmoid and tanh) and
He initialization (for ReLU), which scale the spread by the number of inputs (fan_in) and
outputs (fan_out) of a layer. Randomness comes only from the ``rng`` argument, a
``numpy.random.Generator``, so the same seed gives the same weights.
"""

import numpy as np


def random_normal(shape, rng, mean=0.0, stddev=0.05):
    """
    Samples of the normal distribution N(mean, stddev**2).

    Inputs:
    - shape: tuple of ints.
    - rng: numpy.random.Generator.
    - mean: float, the mean.
    - stddev: float >= 0, the standard deviation.

    Returns:
    - w: float64 array of the given shape.
    """
    return rng.normal(mean, stddev, size=shape)


def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    """
    Samples of the uniform distribution U(minval, maxval).

    Inputs:
    - shape: tuple of ints.
    - rng: numpy.random.Generator.
    - minval: float, the lower bound.
    - maxval: float, the upper bound.

    Returns:
    - w: float64 array of the given shape.
    """
    return rng.uniform(minval, maxval, size=shape)


def glorot_uniform(fan_in, fan_out, rng):
    """
    Glorot (Xavier) uniform initialization: U(-limit, limit) with
    limit = sqrt(6 / (fan_in + fan_out)), which keeps the variance of activations and of
    gradients roughly equal across layers.

    Inputs:
    - fan_in: int, the number of inputs of the layer.
    - fan_out: int, the number of outputs (units) of the layer.
    - rng: numpy.random.Generator.

    Returns:
    - W: float64 array (fan_in, fan_out).
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    """
    He normal initialization: a plain (untruncated) normal distribution N(0, 2 / fan_in),
    standard deviation sqrt(2 / fan_in), which compensates for ReLU zeroing half of its
    inputs. This is He et al.'s original initializer, not Keras's ``HeNormal``, which
    draws from a normal truncated at two standard deviations (and rescaled).

    Inputs:
    - fan_in: int, the number of inputs of the layer.
    - fan_out: int, the number of outputs (units) of the layer.
    - rng: numpy.random.Generator.

    Returns:
    - W: float64 array (fan_in, fan_out).
    """
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
