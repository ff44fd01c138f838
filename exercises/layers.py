"""Layers: dense (완전 연결층 / Dense), dropout (드롭아웃) and batch normalization
(배치 정규화), each a forward pass (순전파) with its backward pass (역전파) next to it.

A batch is ``x`` of shape (N, D); a dense layer's weights (가중치) ``W`` have shape (D, M)
and its bias (편향) ``b`` shape (M,), so the layer computes ``x @ W + b``.
"""

import numpy as np

from ._common import as_float


def dense_forward(x, W, b):
    """
    Forward pass of a dense (fully connected) layer: x @ W + b.

    Inputs:
    - x: array (N, D), a batch of N inputs.
    - W: array (D, M), weights.
    - b: array (M,), biases.

    Returns:
    - out: array (N, M).
    """
    # TODO: Compute the affine output x @ W + b (b broadcasts over the N rows).
    raise NotImplementedError


def dense_backward(dout, x, W):
    """
    Backward pass of a dense layer.

    Inputs:
    - dout: array (N, M), upstream gradient dL/dout.
    - x: array (N, D), the layer's input in the forward pass.
    - W: array (D, M), weights.

    Returns a tuple of:
    - dx: array (N, D), dL/dx.
    - dW: array (D, M), dL/dW.
    - db: array (M,), dL/db (summed over the batch: every sample adds its share).
    """
    dout = as_float(dout)
    # TODO: Apply the chain rule to out = x @ W + b; each gradient has the shape of its
    # variable: dx (N, D), dW (D, M), db (M,).
    raise NotImplementedError


def _check_rate(rate):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}")


def dropout_mask(shape, rate, rng):
    """
    A random keep-mask for dropout: each element is kept with probability 1 - rate.

    Inputs:
    - shape: tuple of ints, the shape of the activations to drop.
    - rate: float in [0, 1), the probability of dropping an element.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - mask: boolean array of the given shape, True where the element is kept.
    """
    _check_rate(rate)
    # TODO: Draw uniform numbers from rng (never np.random) and keep each element (True)
    # with probability 1 - rate.
    raise NotImplementedError


def dropout_forward(x, mask, rate):
    """
    Forward pass of inverted dropout (training mode): x * mask / (1 - rate), so the
    expected activation is unchanged and nothing needs rescaling at test time.

    Inputs:
    - x: array of any shape.
    - mask: boolean array of the same shape, from ``dropout_mask``.
    - rate: float in [0, 1), the drop probability used for the mask.

    Returns:
    - out: array of the shape and float dtype of x.
    """
    _check_rate(rate)
    x = as_float(x)
    # TODO: Zero the dropped elements and rescale the kept ones so that the expected value
    # of every element stays the same (inverted dropout).
    raise NotImplementedError


def dropout_backward(dout, mask, rate):
    """
    Backward pass of inverted dropout: dout * mask / (1 - rate).

    Inputs:
    - dout: array, upstream gradient, same shape as the mask.
    - mask: boolean array, the mask used in the forward pass.
    - rate: float in [0, 1), the drop probability.

    Returns:
    - dx: array of the shape and float dtype of dout.
    """
    # TODO: The gradient flows only through the kept elements, scaled as in the forward
    # pass.
    raise NotImplementedError


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """
    Forward pass of batch normalization in training mode: each feature is normalized with
    the batch mean and the biased batch variance (divide by N) over axis 0, then scaled
    and shifted: gamma * x_hat + beta, x_hat = (x - mean) / sqrt(var + eps).

    Inputs:
    - x: array (N, D).
    - gamma: array (D,), scale.
    - beta: array (D,), shift.
    - eps: small constant added to the variance inside the square root.

    Returns:
    - out: array (N, D).
    """
    x = as_float(x)
    # TODO: Normalise each feature with its batch mean and biased variance (axis=0, eps
    # inside the square root), then scale by gamma and shift by beta.
    raise NotImplementedError


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """
    Backward pass of training-mode batch normalization.

    Inputs:
    - dout: array (N, D), upstream gradient.
    - x: array (N, D), the forward pass's input.
    - gamma: array (D,), scale.
    - eps: the constant used in the forward pass.

    Returns a tuple of:
    - dx: array (N, D).
    - dgamma: array (D,).
    - dbeta: array (D,).
    """
    dout = as_float(dout)
    x = as_float(x)
    n = x.shape[0]
    # TODO: Recompute x_hat, then dbeta, dgamma and dx; every x_i also moves the batch mean
    # and variance, so dx has a term for each of those paths.
    raise NotImplementedError
