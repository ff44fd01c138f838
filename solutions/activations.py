"""Activation functions (활성화 함수) and their derivatives (미분).

The course notes use the sigmoid (시그모이드) in the worked backprop example, and discuss
tanh, ReLU and softplus for the hidden layers (은닉층) and softmax (소프트맥스) for the
output layer (출력층) of a classifier. Every function is elementwise except ``softmax``.

Every function returns NumPy values of x's float dtype (the grader checks it: float32 in,
float32 out), for every shape, 0-d included; for a 0-d x, a 0-d array or a NumPy scalar of
that dtype (what NumPy's own functions return) is fine, a Python float is not.
"""

import numpy as np

from ._common import as_float


def sigmoid(x):
    """
    Logistic sigmoid, 1 / (1 + exp(-x)), elementwise.

    Inputs:
    - x: array of any shape (0-d included), float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x, values in [0, 1].
    """
    x = as_float(x)
    # exp(-|x|) <= 1 never overflows; for x < 0 the form e / (1 + e) equals
    # 1 / (1 + exp(-x)) without ever evaluating exp(-x) = exp(|x|).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def sigmoid_derivative(x):
    """
    Derivative of the sigmoid with respect to its input: sigmoid(x) * (1 - sigmoid(x)).

    Inputs:
    - x: array of any shape, the pre-activation z (not the activation sigmoid(z)).

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """
    Hyperbolic tangent, elementwise.

    Inputs:
    - x: array of any shape, float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x, values in [-1, 1].
    """
    return np.tanh(as_float(x))


def tanh_derivative(x):
    """
    Derivative of tanh with respect to its input: 1 - tanh(x)**2.

    Inputs:
    - x: array of any shape, the pre-activation.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    t = np.tanh(as_float(x))
    return 1.0 - t * t


def relu(x):
    """
    Rectified linear unit, max(0, x), elementwise.

    Inputs:
    - x: array of any shape, float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    x = as_float(x)
    return np.maximum(x, np.zeros_like(x))


def relu_derivative(x):
    """
    Derivative of ReLU: 1 where x > 0, else 0 (the derivative at x == 0 is taken as 0).

    Inputs:
    - x: array of any shape, the pre-activation.

    Returns:
    - out: array of the same shape and float dtype as x, values 0.0 or 1.0.
    """
    x = as_float(x)
    return (x > 0).astype(x.dtype)


def softplus(x):
    """
    Softplus, log(1 + exp(x)), elementwise; stable for large abs(x).

    Inputs:
    - x: array of any shape, float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x, values > 0 (exactly x for very
      large x).
    """
    x = as_float(x)
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive.
    return np.maximum(x, np.zeros_like(x)) + np.log1p(np.exp(-np.abs(x)))


def softplus_derivative(x):
    """
    Derivative of softplus: sigmoid(x).

    Inputs:
    - x: array of any shape.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    return sigmoid(x)


def softmax(z, axis=-1):
    """
    Softmax exp(z) / sum(exp(z)) along ``axis``, stable for large logits.

    Inputs:
    - z: array of logits, e.g. shape (N, K) for N samples and K classes.
    - axis: the axis along which the outputs sum to 1 (default: the last one).

    Returns:
    - p: array of the same shape and float dtype as z; every slice along ``axis`` is a
      probability distribution.
    """
    z = as_float(z)
    # Subtracting the max changes nothing mathematically (it cancels in the ratio) but
    # makes every exponent <= 0, so exp cannot overflow for logits around 1e3.
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
