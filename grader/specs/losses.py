"""Grading spec of ``losses``: the cases of each function.

Its known mistakes are in ``grader/specs/known/losses.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F32, F64, FD, U, both_kinds, central_diff, registrar

CASES = {}
builder = registrar(CASES, "losses")


# ------------------------------------------------------------------------ cases
def _loss_fd(loss_name, wrt=1):
    def fd(ref, *args):
        f = ref(loss_name)
        args = list(args)

        def at(v):
            args2 = list(args)
            args2[wrt] = v
            return float(f(*args2))
        return [central_diff(at, args[wrt])]
    return fd


@builder("losses.mean_squared_error", "losses.sum_squared_error",
         "losses.mean_squared_error_grad", "losses.sum_squared_error_grad")
def _squared(q, rng):
    cases = [
        Case(q, "random non-square (4, 3)", [Call(U(rng, (4, 3)), U(rng, (4, 3)))], **F64),
        # 3 outputs, not 2: for 2 elements the mean is half the sum (the notes' E = 1/2 sum passed)
        Case(q, "batch of 1 (1, 3)", [Call(U(rng, (1, 3)), U(rng, (1, 3)))], **F64),
        Case(q, "float32 (5, 2)", [Call(U(rng, (5, 2), dtype=np.float32), U(rng, (5, 2), dtype=np.float32))],
             **F32),
        Case(q, "1-D (6,)", [Call(U(rng, (6,)), U(rng, (6,)))], **F64),
    ]
    if q.endswith("_grad"):
        cases.append(Case(q, "finite differences of the loss", [Call(U(rng, (3, 4)), U(rng, (3, 4)))],
                          kind="fd", fd=_loss_fd(q[: -len("_grad")]), **FD))
    return cases


def _targets(rng, shape):
    """0/1 targets, half of them 1, at random places: both of binary cross-entropy's terms
    (t log p and (1 - t) log(1 - p)) count whatever the seed (a (3, 2) draw of coin flips was
    all of one class for one seed in 32)."""
    return both_kinds(rng, shape).astype(np.float64)


@builder("losses.binary_crossentropy", "losses.binary_crossentropy_grad")
def _bce(q, rng):
    extremes_t = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    extremes_p = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 1e-9])
    cases = [
        Case(q, "random (4, 3)", [Call(_targets(rng, (4, 3)), U(rng, (4, 3), 0.05, 0.95))], **F64),
        Case(q, "p exactly 0 and 1 (clipped to [eps, 1 - eps])", [Call(extremes_t, extremes_p)],
             rtol=1e-6, atol=1e-6),
        Case(q, "soft targets, eps=1e-3", [Call(U(rng, (5,), 0, 1), U(rng, (5,), 0.0, 1.0), 1e-3)], **F64),
        Case(q, "float32 (3, 2)", [Call(_targets(rng, (3, 2)).astype(np.float32),
                                        U(rng, (3, 2), 0.1, 0.9, np.float32))], **F32),
        Case(q, "batch of 1 (1, 1)", [Call(np.array([[1.0]]), np.array([[0.3]]))], **F64),
    ]
    if q.endswith("_grad"):
        cases.append(Case(q, "finite differences of the loss",
                          [Call(_targets(rng, (3, 4)), U(rng, (3, 4), 0.1, 0.9))],
                          kind="fd", fd=_loss_fd("losses.binary_crossentropy"), **FD))
    return cases


def _probs(rng, n, k, dtype=np.float64):
    z = rng.normal(size=(n, k))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return p.astype(dtype)


def _onehot(labels, k):
    out = np.zeros((labels.size, k))
    out[np.arange(labels.size), labels] = 1.0
    return out


@builder("losses.categorical_crossentropy")
def _cce(q, rng):
    lab = rng.integers(0, 4, 5)
    p0 = _probs(rng, 3, 4)        # 3 samples, 4 classes: a mean over the classes is not one over the samples
    lab0 = np.array([0, 1, 2])
    p0[0] = [0.0, 0.5, 0.25, 0.25]    # probability 0 for the true class: clipped, finite
    lab32 = rng.integers(0, 3, 4)
    return [
        Case(q, "random one-hot (5, 4)", [Call(_onehot(lab, 4), _probs(rng, 5, 4))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(_onehot(lab0, 4), p0)], **F64),
        Case(q, "batch of 1 (1, 3)", [Call(_onehot(np.array([2]), 3), _probs(rng, 1, 3))], **F64),
        Case(q, "float32 (4, 3)", [Call(_onehot(lab32, 3).astype(np.float32), _probs(rng, 4, 3, np.float32))],
             **F32),
    ]


@builder("losses.sparse_categorical_crossentropy")
def _scce(q, rng):
    p0 = _probs(rng, 3, 3)
    p0[1] = [0.5, 0.0, 0.5]
    return [
        Case(q, "random (6, 4)", [Call(rng.integers(0, 4, 6), _probs(rng, 6, 4))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(np.array([0, 1, 2]), p0)], **F64),
        Case(q, "batch of 1 (1, 5), int32 labels", [Call(np.array([3], dtype=np.int32), _probs(rng, 1, 5))],
             **F64),
        Case(q, "float32 (4, 3)", [Call(rng.integers(0, 3, 4), _probs(rng, 4, 3, np.float32))], **F32),
    ]


@builder("losses.softmax_crossentropy_grad")
def _sce_grad(q, rng):
    def fd(ref, labels, logits):
        softmax = ref("activations.softmax")
        loss = ref("losses.sparse_categorical_crossentropy")
        return [central_diff(lambda z: float(loss(labels, softmax(z, -1))), logits)]
    return [
        Case(q, "random (5, 4)", [Call(rng.integers(0, 4, 5), U(rng, (5, 4), -2, 2))], **F64),
        Case(q, "large logits around 1000", [Call(rng.integers(0, 3, 4), 1000 + U(rng, (4, 3), -5, 5))], **F64),
        Case(q, "batch of 1 (1, 6)", [Call(np.array([4]), U(rng, (1, 6), -2, 2))], **F64),
        Case(q, "float32 (3, 4)", [Call(rng.integers(0, 4, 3), U(rng, (3, 4), -2, 2, np.float32))], **F32),
        Case(q, "finite differences of softmax + cross-entropy",
             [Call(rng.integers(0, 3, 4), U(rng, (4, 3), -1, 1))], kind="fd", fd=fd, **FD),
    ]


@builder("losses.class_weights_balanced")
def _class_weights(q, rng):
    lab = rng.integers(0, 3, 20)
    lab[:3] = [0, 1, 2]
    missing = np.array([0, 0, 2, 2, 2, 0, 3])
    return [
        Case(q, "random labels, 3 classes", [Call(lab, 3)], **F64),
        Case(q, "a class that never occurs gets 0", [Call(missing, 5)], **F64),
        Case(q, "one class only", [Call(np.array([1, 1, 1, 1]), 2)], **F64),
    ]


@builder("losses.weighted_sparse_categorical_crossentropy")
def _wscce(q, rng):
    p0 = _probs(rng, 3, 3)
    p0[2] = [0.5, 0.5, 0.0]
    return [
        Case(q, "random (6, 3), weights (3,)", [Call(rng.integers(0, 3, 6), _probs(rng, 6, 3),
                                                     U(rng, (3,), 0.5, 3))], **F64),
        Case(q, "probability 0 for a true class (clipped)", [Call(np.array([0, 1, 2]), p0,
                                                                  np.array([1.0, 2.0, 0.5]))], **F64),
        Case(q, "batch of 1", [Call(np.array([1]), _probs(rng, 1, 4), U(rng, (4,), 0.5, 3))], **F64),
        Case(q, "float32", [Call(rng.integers(0, 3, 4), _probs(rng, 4, 3, np.float32),
                                 U(rng, (3,), 0.5, 2, np.float32))], **F32),
    ]
