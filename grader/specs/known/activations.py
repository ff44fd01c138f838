"""Known mistakes of ``activations``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/activations.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def sigmoid__exp_ratio(x):
    return np.exp(x) / (1.0 + np.exp(x))


def sigmoid__sign_flipped(x):
    return 1.0 / (1.0 + np.exp(x))


def sigmoid_derivative__applied_to_input(x):
    return x * (1.0 - x)


def sigmoid_derivative__missing_one_minus(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return s * s


def tanh__exp_formula(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_derivative__applied_to_input(x):
    return 1.0 - x ** 2


def tanh_derivative__missing_square(x):
    return 1.0 - np.tanh(x)


def relu__leaky(x):
    return np.maximum(0.01 * x, x)


def relu_derivative__one_at_zero(x):
    return np.where(x >= 0, 1.0, 0.0)


def relu_derivative__returns_relu(x):
    return np.maximum(0, x)


def softplus__naive(x):
    return np.log(1.0 + np.exp(x))


def softplus__half_stable(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-x))


def softplus_derivative__sign_flipped(x):
    return 1.0 / (1.0 + np.exp(x))


def softplus_derivative__exp_ratio(x):
    return np.exp(x) / (1.0 + np.exp(x))


def softmax__no_max_shift(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax__axis_zero(z, axis=-1):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def softmax__sum_over_all(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e)


KNOWN = [
    ("sigmoid", "exp-ratio-overflow", sigmoid__exp_ratio,
     "exp(x) / (1 + exp(x)) is inf / inf = nan for large x; use 1 / (1 + exp(-x)) where "
     "x >= 0 and exp(x) / (1 + exp(x)) only where x < 0, so that exp never overflows."),
    ("sigmoid", "sign-flipped", sigmoid__sign_flipped,
     "You computed 1 / (1 + exp(x)), which is sigmoid(-x); the exponent needs a minus "
     "sign, 1 / (1 + exp(-x))."),
    ("sigmoid_derivative", "applied-to-input", sigmoid_derivative__applied_to_input,
     "x * (1 - x) is the derivative written in terms of the activation, but x here is the "
     "pre-activation z: compute s = sigmoid(x) first and return s * (1 - s)."),
    ("sigmoid_derivative", "missing-one-minus", sigmoid_derivative__missing_one_minus,
     "The derivative is sigmoid(x) * (1 - sigmoid(x)), not sigmoid(x) squared."),
    ("tanh", "exp-formula-overflow", tanh__exp_formula,
     "(exp(x) - exp(-x)) / (exp(x) + exp(-x)) overflows to inf / inf = nan for "
     "abs(x) above about 710; use np.tanh, which is stable."),
    ("tanh_derivative", "applied-to-input", tanh_derivative__applied_to_input,
     "1 - x**2 is the derivative in terms of the activation, but x is the pre-activation: "
     "return 1 - np.tanh(x)**2."),
    ("tanh_derivative", "missing-square", tanh_derivative__missing_square,
     "The derivative of tanh is 1 - tanh(x)**2; the square is missing."),
    ("relu", "leaky", relu__leaky,
     "That is a leaky ReLU (0.01 x for negative x); the contract's ReLU is max(0, x), "
     "exactly 0 for every negative input."),
    ("relu_derivative", "one-at-zero", relu_derivative__one_at_zero,
     "The contract sets the ReLU derivative to 0 at x == 0: test x > 0, not x >= 0."),
    ("relu_derivative", "returns-relu", relu_derivative__returns_relu,
     "You returned max(0, x) itself; the derivative is the step function, 1 where x > 0 "
     "and 0 elsewhere."),
    ("softplus", "naive-overflow", softplus__naive,
     "log(1 + exp(x)) overflows to inf for large x; use max(x, 0) + log1p(exp(-abs(x))), "
     "which never evaluates exp of a positive number."),
    ("softplus", "half-stable", softplus__half_stable,
     "max(x, 0) + log1p(exp(-x)) still overflows for very negative x; the stable form "
     "uses exp(-abs(x))."),
    ("softplus_derivative", "sign-flipped", softplus_derivative__sign_flipped,
     "d/dx log(1 + exp(x)) = exp(x) / (1 + exp(x)) = sigmoid(x), not 1 / (1 + exp(x))."),
    ("softplus_derivative", "exp-ratio-overflow", softplus_derivative__exp_ratio,
     "exp(x) / (1 + exp(x)) is inf / inf = nan for large x; the derivative is sigmoid(x), "
     "computed in its stable form."),
    ("softmax", "no-max-shift", softmax__no_max_shift,
     "exp of logits around 1e3 overflows to inf and inf / inf = nan; subtract the maximum "
     "along the axis (keepdims=True) before exp, which leaves the result unchanged."),
    ("softmax", "axis-zero", softmax__axis_zero,
     "You normalised along axis 0 (down the batch); use the axis argument (default -1, "
     "each row) for the max, the sum and keepdims."),
    ("softmax", "sum-over-all", softmax__sum_over_all,
     "You divided by the sum of the whole array, so only the full batch sums to 1; sum "
     "along the axis with keepdims=True so that each row sums to 1."),
]
