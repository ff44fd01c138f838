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
    # TODO: 1 / (1 + exp(-x)) gives the right 0 for x = -1000, but only after exp overflows
    # to inf (a RuntimeWarning); exp(-abs(x)) never overflows, and np.where can pick the
    # right form for each sign of x.
    raise NotImplementedError


def sigmoid_derivative(x):
    """
    Derivative of the sigmoid with respect to its input: sigmoid(x) * (1 - sigmoid(x)).

    Inputs:
    - x: array of any shape, the pre-activation z (not the activation sigmoid(z)).

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    # TODO: x is the pre-activation z, not sigmoid(z): build the derivative from sigmoid(x).
    raise NotImplementedError


def tanh(x):
    """
    Hyperbolic tangent, elementwise.

    Inputs:
    - x: array of any shape, float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x, values in [-1, 1].
    """
    # TODO: Return tanh(x); exp-based formulas overflow for abs(x) > 710, NumPy's does not.
    raise NotImplementedError


def tanh_derivative(x):
    """
    Derivative of tanh with respect to its input: 1 - tanh(x)**2.

    Inputs:
    - x: array of any shape, the pre-activation.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    # TODO: Return 1 - tanh(x)**2; x is the pre-activation, not tanh(x).
    raise NotImplementedError


def relu(x):
    """
    Rectified linear unit, max(0, x), elementwise.

    Inputs:
    - x: array of any shape, float32 or float64.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    x = as_float(x)
    # TODO: Return max(0, x) elementwise as a new array (never write into x).
    raise NotImplementedError


def relu_derivative(x):
    """
    Derivative of ReLU: 1 where x > 0, else 0 (the derivative at x == 0 is taken as 0).

    Inputs:
    - x: array of any shape, the pre-activation.

    Returns:
    - out: array of the same shape and float dtype as x, values 0.0 or 1.0.
    """
    x = as_float(x)
    # TODO: 1.0 where x > 0 and 0.0 elsewhere (x == 0 included), in the dtype of x.
    raise NotImplementedError


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
    # TODO: log(1 + exp(x)) overflows for large x; split off max(x, 0) so that exp only ever
    # sees -abs(x) (np.log1p is accurate for small arguments).
    raise NotImplementedError


def softplus_derivative(x):
    """
    Derivative of softplus: sigmoid(x).

    Inputs:
    - x: array of any shape.

    Returns:
    - out: array of the same shape and float dtype as x.
    """
    # TODO: Differentiate log(1 + exp(x)); the result is a function you already wrote.
    raise NotImplementedError


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
    # TODO: Subtract the max along `axis` (keepdims=True) so exp cannot overflow, then
    # exponentiate and divide by the sum along the same axis.
    raise NotImplementedError
