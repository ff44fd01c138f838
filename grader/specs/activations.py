"""Grading spec of ``activations``: the cases of each function, then its known mistakes.

Cases: ``@builder(qualname, ...)`` registers a function ``(qualname, rng) -> [Case]`` in
``CASES`` (see ``grader.specs._kit`` for ``Case``, ``Call`` and the tolerances). Known
mistakes: the functions named ``<function>__<what>`` below, listed in ``KNOWN`` as
``(function, kebab-case id, impl, hint)`` rows. Each impl has the contract signature of
the function it gets wrong and is self-contained (only ``np``: no helpers, no closures),
so that the mutation test can transplant its source into a copy of the reference and the
diagnosis can run it in the grader process.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F32, F64, FD, U, registrar

CASES = {}
builder = registrar(CASES, "activations")


# ------------------------------------------------------------------------ cases
_FORWARD = {
    "activations.sigmoid_derivative": "activations.sigmoid",
    "activations.tanh_derivative": "activations.tanh",
    "activations.relu_derivative": "activations.relu",
    "activations.softplus_derivative": "activations.softplus",
}


@builder("activations.sigmoid", "activations.tanh", "activations.relu", "activations.softplus",
         "activations.sigmoid_derivative", "activations.tanh_derivative",
         "activations.relu_derivative", "activations.softplus_derivative")
def _elementwise(q, rng):
    # keep_dtype: the docstrings promise an array of x's float dtype, 0-d included (a NumPy
    # scalar of that dtype is accepted: NumPy's ufuncs return one for a 0-d array)
    x = U(rng, (3, 5), -5, 5)
    x[0, 0] = 0.0
    cases = [
        Case(q, "random non-square (3, 5), including 0", [Call(x)], **F64, keep_dtype=True),
        Case(q, "batch of 1 (1, 4)", [Call(U(rng, (1, 4), -3, 3))], **F64, keep_dtype=True),
        Case(q, "0-d input", [Call(np.array(rng.uniform(-2, 2)))], **F64, keep_dtype=True),
        Case(q, "float32 (4, 3)", [Call(U(rng, (4, 3), -4, 4, np.float32))], **F32, keep_dtype=True),
        Case(q, "extremes +-1000", [Call(np.array([-1000.0, -50.0, -1.5, 0.0, 2.5, 50.0, 1000.0]))],
             **F64, keep_dtype=True),
    ]
    if q in _FORWARD:
        fwd = _FORWARD[q]
        xf = U(rng, (4, 3), -4, 4)
        xf[np.abs(xf) < 0.05] = 0.5   # keep away from relu's kink

        def fd(ref, x, fwd=fwd):
            f = ref(fwd)
            h = 1e-6
            return [(np.asarray(f(x + h), float) - np.asarray(f(x - h), float)) / (2 * h)]

        cases.append(Case(q, "finite differences of the forward function", [Call(xf)],
                          kind="fd", fd=fd, **FD))
    return cases


@builder("activations.softmax")
def _softmax(q, rng):
    return [
        Case(q, "random (4, 6), axis=-1", [Call(U(rng, (4, 6), -3, 3), -1)], **F64, keep_dtype=True),
        Case(q, "axis=0 on (5, 3)", [Call(U(rng, (5, 3), -3, 3), 0)], **F64, keep_dtype=True),
        Case(q, "batch of 1 (1, 7)", [Call(U(rng, (1, 7), -3, 3), -1)], **F64, keep_dtype=True),
        Case(q, "large logits around 1000", [Call(1000.0 + U(rng, (3, 4), -5, 5), -1)], **F64, keep_dtype=True),
        Case(q, "float32 (4, 5)", [Call(U(rng, (4, 5), -3, 3, np.float32), -1)], **F32, keep_dtype=True),
        Case(q, "1-D (6,)", [Call(U(rng, (6,), -3, 3), -1)], **F64, keep_dtype=True),
    ]


# ------------------------------------------------------------------------ known mistakes
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
     "The form eˣ / (1 + eˣ) gives inf / inf = NaN for large x; use it only for negative x "
     "and the form with e⁻ˣ for x ≥ 0, so that exp never overflows."),
    ("sigmoid", "sign-flipped", sigmoid__sign_flipped,
     "You computed 1 / (1 + eˣ), which is σ(−x): the exponent needs a minus sign."),
    ("sigmoid_derivative", "applied-to-input", sigmoid_derivative__applied_to_input,
     "You applied s(1 − s) to x itself, but that form needs the activation s = σ(x), while "
     "x here is the pre-activation."),
    ("sigmoid_derivative", "missing-one-minus", sigmoid_derivative__missing_one_minus,
     "The derivative is σ(x) times (1 − σ(x)), not σ(x) squared."),
    ("tanh", "exp-formula-overflow", tanh__exp_formula,
     "The textbook ratio of exponentials overflows to inf / inf = NaN for |x| above about "
     "710; NumPy's own hyperbolic tangent is stable."),
    ("tanh_derivative", "applied-to-input", tanh_derivative__applied_to_input,
     "You applied 1 − t² to x itself, but that form needs the activation t = tanh(x), "
     "while x here is the pre-activation."),
    ("tanh_derivative", "missing-square", tanh_derivative__missing_square,
     "The derivative of tanh is 1 minus the square of tanh(x); the square is missing."),
    ("relu", "leaky", relu__leaky,
     "That is a leaky ReLU (0.01 x for negative x); the contract's ReLU is exactly 0 for "
     "every negative input."),
    ("relu_derivative", "one-at-zero", relu_derivative__one_at_zero,
     "The contract sets the ReLU derivative to 0 at x = 0 exactly; yours gives 1 there."),
    ("relu_derivative", "returns-relu", relu_derivative__returns_relu,
     "You returned the ReLU itself; its derivative is a step function, 1 where x > 0 and 0 "
     "elsewhere."),
    ("softplus", "naive-overflow", softplus__naive,
     "log(1 + eˣ) overflows to inf for large x; rewrite it as max(x, 0) plus a log1p term "
     "whose exponent is never positive."),
    ("softplus", "half-stable", softplus__half_stable,
     "Your stable form still overflows for very negative x: the exponent inside log1p must "
     "be −|x|, never positive."),
    ("softplus_derivative", "sign-flipped", softplus_derivative__sign_flipped,
     "The derivative of log(1 + eˣ) is σ(x) = eˣ / (1 + eˣ), not 1 / (1 + eˣ), which is "
     "σ(−x)."),
    ("softplus_derivative", "exp-ratio-overflow", softplus_derivative__exp_ratio,
     "eˣ / (1 + eˣ) is inf / inf = NaN for large x; the derivative is σ(x), computed in "
     "its stable form."),
    ("softmax", "no-max-shift", softmax__no_max_shift,
     "exp of logits around 1e3 overflows to inf and inf / inf = NaN; subtract each slice's "
     "maximum before exp, which leaves the result unchanged."),
    ("softmax", "axis-zero", softmax__axis_zero,
     "You normalised down the batch (axis 0); the max, the sum and the division run along "
     "the axis argument (default: the last axis, each row)."),
    ("softmax", "sum-over-all", softmax__sum_over_all,
     "You divided by the sum of the whole array, so only the full batch sums to 1; each "
     "slice along the axis must sum to 1 on its own."),
]
