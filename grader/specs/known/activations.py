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


def sigmoid_derivative__the_sigmoid_itself(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def tanh__exp_formula(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_derivative__applied_to_input(x):
    return 1.0 - x ** 2


def tanh_derivative__missing_square(x):
    return 1.0 - np.tanh(x)


def tanh_derivative__the_tanh_itself(x):
    return np.tanh(x)


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


def softmax__axis_ignored(z, axis=-1):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax__sum_over_all(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e)


KNOWN = [
    ("sigmoid", "exp-ratio-overflow", sigmoid__exp_ratio,
     "You used eˣ / (1 + eˣ) for every x: for large x it gives inf / inf = NaN; use that form "
     "only for negative x and the form with e⁻ˣ for x ≥ 0, so that exp never overflows."),
    ("sigmoid", "sign-flipped", sigmoid__sign_flipped,
     "You computed 1 / (1 + eˣ), which is σ(−x): the exponent needs a minus sign."),
    ("sigmoid_derivative", "applied-to-input", sigmoid_derivative__applied_to_input,
     "You applied s(1 − s) to x itself, but that form needs the activation s = σ(x), while x "
     "here is the pre-activation."),
    ("sigmoid_derivative", "missing-one-minus", sigmoid_derivative__missing_one_minus,
     "You returned σ(x) squared; the derivative is σ(x) times (1 − σ(x))."),
    ("sigmoid_derivative", "the-sigmoid-itself", sigmoid_derivative__the_sigmoid_itself,
     "That is σ(x) itself, not its derivative: multiply it by (1 − σ(x))."),
    ("tanh", "exp-formula-overflow", tanh__exp_formula,
     "You used the textbook ratio of exponentials, which overflows to inf / inf = NaN for |x| "
     "above about 710; NumPy's own hyperbolic tangent is stable."),
    ("tanh_derivative", "applied-to-input", tanh_derivative__applied_to_input,
     "You applied 1 − t² to x itself, but that form needs the activation t = tanh(x), while x "
     "here is the pre-activation."),
    ("tanh_derivative", "missing-square", tanh_derivative__missing_square,
     "You returned 1 − tanh(x) without the square; the derivative of tanh is 1 minus the "
     "square of tanh(x)."),
    ("tanh_derivative", "the-tanh-itself", tanh_derivative__the_tanh_itself,
     "That is tanh(x) itself, not its derivative: the derivative is 1 − tanh(x)²."),
    ("relu", "leaky", relu__leaky,
     "That is a leaky ReLU (0.01 x for negative x); the contract's ReLU is exactly 0 for every "
     "negative input."),
    ("relu_derivative", "one-at-zero", relu_derivative__one_at_zero,
     "Your derivative is 1 at x = 0 exactly; the contract sets the ReLU derivative to 0 there."),
    ("relu_derivative", "returns-relu", relu_derivative__returns_relu,
     "You returned the ReLU itself; its derivative is a step function, 1 where x > 0 and 0 "
     "elsewhere."),
    ("softplus", "naive-overflow", softplus__naive,
     "You computed log(1 + eˣ) directly, which overflows to inf for large x; rewrite it as "
     "max(x, 0) plus a log1p term whose exponent is never positive."),
    ("softplus", "half-stable", softplus__half_stable,
     "Your stable form still overflows for very negative x: the exponent inside log1p must be "
     "−|x|, never positive."),
    ("softplus_derivative", "sign-flipped", softplus_derivative__sign_flipped,
     "You computed 1 / (1 + eˣ), which is σ(−x); the derivative of log(1 + eˣ) is σ(x) = eˣ / "
     "(1 + eˣ)."),
    ("softplus_derivative", "exp-ratio-overflow", softplus_derivative__exp_ratio,
     "You used eˣ / (1 + eˣ), which is inf / inf = NaN for large x; the derivative is σ(x), "
     "computed in its stable form."),
    ("softmax", "no-max-shift", softmax__no_max_shift,
     "You took exp of the logits without subtracting the maximum: logits around 1e3 overflow "
     "to inf and inf / inf = NaN; subtract each slice's maximum before exp, which leaves the "
     "result unchanged."),
    ("softmax", "axis-zero", softmax__axis_zero,
     "You normalised down the batch (axis 0); the max, the sum and the division run along the "
     "axis argument (default: the last axis, each row)."),
    ("softmax", "axis-ignored", softmax__axis_ignored,
     "You normalised each row whatever the axis argument says: the max, the sum and the "
     "division run along the given axis (a 1-D input has only axis 0, so a fixed axis 1 raises "
     "there)."),
    ("softmax", "sum-over-all", softmax__sum_over_all,
     "You divided by the sum of the whole array, so only the full batch sums to 1; each slice "
     "along the axis must sum to 1 on its own."),
]
