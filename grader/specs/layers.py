"""Grading spec of ``layers``: the cases of each function.

Its known mistakes are in ``grader/specs/known/layers.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import (Call, Case, EXACT, F32, F64, FD, Rng, U, both_kinds, central_diff,
                              registrar, repro_calls, seeds, stats)

CASES = {}
builder = registrar(CASES, "layers")


# ------------------------------------------------------------------------ cases
@builder("layers.dense_forward")
def _dense_forward(q, rng):
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 3)), U(rng, (3, 5)), U(rng, (5,)))],
             **F64),
        Case(q, "batch of 1: x (1, 2), W (2, 3)", [Call(U(rng, (1, 2)), U(rng, (2, 3)), U(rng, (3,)))], **F64),
        Case(q, "float32: x (3, 4), W (4, 2)", [Call(U(rng, (3, 4), dtype=np.float32),
                                                     U(rng, (4, 2), dtype=np.float32), U(rng, (2,), dtype=np.float32))],
             **F32),
    ]


@builder("layers.dense_backward")
def _dense_backward(q, rng):
    def fd(ref, dout, x, W):
        f = ref("layers.dense_forward")
        b = np.linspace(-0.5, 0.5, W.shape[1])
        return [(central_diff(lambda v: float(np.sum(dout * f(v, W, b))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, b))), W),
                 central_diff(lambda v: float(np.sum(dout * f(x, W, v))), b))]
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 5)), U(rng, (4, 3)), U(rng, (3, 5)))],
             **F64),
        Case(q, "batch of 1: x (1, 3), W (3, 2)", [Call(U(rng, (1, 2)), U(rng, (1, 3)), U(rng, (3, 2)))], **F64),
        Case(q, "float32: x (3, 2), W (2, 4)", [Call(U(rng, (3, 4), dtype=np.float32), U(rng, (3, 2), dtype=np.float32),
                                                     U(rng, (2, 4), dtype=np.float32))], **F32),
        Case(q, "finite differences of dense_forward", [Call(U(rng, (3, 2)), U(rng, (3, 4)), U(rng, (4, 2)))],
             kind="fd", fd=fd, **FD),
    ]


def _mask(rng, shape, keep=0.7):
    """A dropout mask keeping ``keep`` of the units (rounded) at random places: it keeps some
    and drops some whatever the seed (coin flips kept all 12 of the (3, 4) finite-difference
    case's for one seed in 70, where a backward that ignores the mask passes)."""
    return both_kinds(rng, shape, keep)


@builder("layers.dropout_forward", "layers.dropout_backward")
def _dropout_apply(q, rng):
    # the docstrings promise the float dtype of x (forward) and of dout (backward)
    keep = "x" if q.endswith("forward") else "dout"
    cases = [
        Case(q, "random (4, 5), rate 0.3", [Call(U(rng, (4, 5)), _mask(rng, (4, 5)), 0.3)], **F64, keep_dtype=keep),
        Case(q, "rate 0 keeps everything", [Call(U(rng, (2, 3)), np.ones((2, 3), dtype=bool), 0.0)], **F64,
             keep_dtype=keep),
        # rate 0.4, not 0.5: at 0.5, dividing by the rate equals dividing by 1 - rate
        Case(q, "float32 (3, 3), rate 0.4", [Call(U(rng, (3, 3), dtype=np.float32), _mask(rng, (3, 3), 0.6), 0.4)],
             **F32, keep_dtype=keep),
    ]
    if q.endswith("backward"):
        def fd(ref, dout, mask, rate):
            f = ref("layers.dropout_forward")
            x0 = np.linspace(-1, 1, dout.size).reshape(dout.shape)
            return [central_diff(lambda v: float(np.sum(dout * f(v, mask, rate))), x0)]
        cases.append(Case(q, "finite differences of dropout_forward",
                          [Call(U(rng, (3, 4)), _mask(rng, (3, 4)), 0.25)], kind="fd", fd=fd, **FD))
    return cases


def _low_var(rng, n, d):
    # features with a standard deviation of 1e-3 around 5: var ~1e-6 is close to eps=1e-5,
    # so an eps outside the square root (or ddof=1) changes the result visibly
    return 5.0 + 1e-3 * rng.normal(size=(n, d))


@builder("layers.batchnorm_forward")
def _bn_forward(q, rng):
    return [
        Case(q, "random (8, 4)", [Call(rng.normal(2, 3, (8, 4)), U(rng, (4,), 0.5, 2), U(rng, (4,)))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(_low_var(rng, 6, 3), U(rng, (3,), 0.5, 2), U(rng, (3,)))],
             **F64),
        Case(q, "batch of 2, eps=1e-3", [Call(rng.normal(size=(2, 3)), U(rng, (3,), 0.5, 2), U(rng, (3,)), 1e-3)],
             **F64),
        Case(q, "float32 (5, 3)", [Call(rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32), U(rng, (3,), dtype=np.float32))], **F32),
    ]


@builder("layers.batchnorm_backward")
def _bn_backward(q, rng):
    def fd(ref, dout, x, gamma, eps=1e-5):
        f = ref("layers.batchnorm_forward")
        beta = np.linspace(-0.3, 0.3, gamma.size)
        return [(central_diff(lambda v: float(np.sum(dout * f(v, gamma, beta, eps))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, beta, eps))), gamma),
                 central_diff(lambda v: float(np.sum(dout * f(x, gamma, v, eps))), beta))]
    return [
        Case(q, "random (6, 4)", [Call(U(rng, (6, 4)), rng.normal(1, 2, (6, 4)), U(rng, (4,), 0.5, 2))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(U(rng, (6, 3)), _low_var(rng, 6, 3), U(rng, (3,), 0.5, 2))],
             rtol=1e-6, atol=1e-7),
        Case(q, "float32 (5, 3)", [Call(U(rng, (5, 3), dtype=np.float32), rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32))], rtol=1e-3, atol=1e-5),
        Case(q, "finite differences of batchnorm_forward",
             [Call(U(rng, (5, 3)), rng.normal(size=(5, 3)), U(rng, (3,), 0.5, 2), 1e-5)], kind="fd", fd=fd,
             rtol=1e-5, atol=1e-7),
    ]


@builder("layers.dropout_mask")
def _dropout_mask(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "keep frequency: (400, 250), rate 0.3", [Call((400, 250), 0.3, Rng(s[0]))],
             kind="stat", judge=stats.judge_mask((400, 250), 0.7), **EXACT),
        Case(q, "keep frequency: (100000,), rate 0.8", [Call((100000,), 0.8, Rng(s[1]))],
             kind="stat", judge=stats.judge_mask((100000,), 0.2), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((6, 7), 0.5, r), rng),
             kind="stat", judge=stats.judge_repro((6, 7), "b"), **EXACT),
    ]
