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
    x = U(rng, (3, 5), -5, 5)
    x[0, 0] = 0.0
    cases = [
        Case(q, "random non-square (3, 5), including 0", [Call(x)], **F64),
        Case(q, "batch of 1 (1, 4)", [Call(U(rng, (1, 4), -3, 3))], **F64),
        Case(q, "0-d input", [Call(np.array(rng.uniform(-2, 2)))], **F64),
        Case(q, "float32 (4, 3)", [Call(U(rng, (4, 3), -4, 4, np.float32))], **F32),
        Case(q, "extremes +-1000", [Call(np.array([-1000.0, -50.0, -1.5, 0.0, 2.5, 50.0, 1000.0]))],
             **F64),
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
        Case(q, "random (4, 6), axis=-1", [Call(U(rng, (4, 6), -3, 3), -1)], **F64),
        Case(q, "axis=0 on (5, 3)", [Call(U(rng, (5, 3), -3, 3), 0)], **F64),
        Case(q, "batch of 1 (1, 7)", [Call(U(rng, (1, 7), -3, 3), -1)], **F64),
        Case(q, "large logits around 1000", [Call(1000.0 + U(rng, (3, 4), -5, 5), -1)], **F64),
        Case(q, "float32 (4, 5)", [Call(U(rng, (4, 5), -3, 3, np.float32), -1)], **F32),
        Case(q, "1-D (6,)", [Call(U(rng, (6,), -3, 3), -1)], **F64),
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
