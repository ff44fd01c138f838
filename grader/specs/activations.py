"""Grading spec of ``activations``: the cases of each function.

Its known mistakes are in ``grader/specs/known/activations.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F32, F64, FD, U, registrar, signed

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
    # Every case of random values holds both signs whatever the seed (``signed``): relu's and
    # its derivative's branches, the stable sigmoid's and softplus's two forms, and an input
    # written in place (relu's x[x < 0] = 0) are tested for every student alike; the 0-d case
    # is two calls, a negative value and a positive one.
    x = signed(rng, (3, 5), 5.0)
    x[0, 0] = 0.0
    below, above = np.sort(signed(rng, (2,), 2.0))      # one in [-2, 0), one in (0, 2]
    cases = [
        Case(q, "random non-square (3, 5), including 0", [Call(x)], **F64, keep_dtype=True),
        Case(q, "batch of 1 (1, 4)", [Call(signed(rng, (1, 4), 3.0))], **F64, keep_dtype=True),
        Case(q, "0-d input, negative and positive", [Call(np.array(below)), Call(np.array(above))],
             **F64, keep_dtype=True),
        Case(q, "float32 (4, 3)", [Call(signed(rng, (4, 3), 4.0, dtype=np.float32))], **F32, keep_dtype=True),
        Case(q, "extremes +-1000", [Call(np.array([-1000.0, -50.0, -1.5, 0.0, 2.5, 50.0, 1000.0]))],
             **F64, keep_dtype=True),
    ]
    if q in _FORWARD:
        fwd = _FORWARD[q]
        xf = signed(rng, (4, 3), 4.0, least=0.05)     # both signs, away from relu's kink

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
