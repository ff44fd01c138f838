"""Grading spec of ``network``: the cases of each function.

Its known mistakes are in ``grader/specs/known/network.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F64, FD, U, central_diff, registrar

CASES = {}
builder = registrar(CASES, "network")


# ------------------------------------------------------------------------ cases
def _worked_example():
    x = np.array([[0.1, 0.2]])
    W1 = np.array([[0.3, 0.4], [0.25, 0.35]])
    W2 = np.array([[0.45, 0.7], [0.4, 0.6]])
    return x, np.array([[0.4, 0.6]]), W1, np.zeros(2), W2, np.zeros(2)


def _random_net(rng, n, d, h, k):
    return (U(rng, (n, d)), rng.random((n, k)), U(rng, (d, h)), U(rng, (h,), -0.5, 0.5),
            U(rng, (h, k)), U(rng, (k,), -0.5, 0.5))


@builder("network.forward")
def _net_forward(q, rng):
    x, t, W1, b1, W2, b2 = _worked_example()
    r = _random_net(rng, 5, 3, 4, 2)
    one = _random_net(rng, 1, 2, 3, 2)
    return [
        Case(q, "the worked example of the notes", [Call(x, W1, b1, W2, b2)], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2", [Call(r[0], *r[2:])], **F64),
        Case(q, "batch of 1: 2 -> 3 -> 2", [Call(one[0], *one[2:])], **F64),
    ]


@builder("network.backward")
def _net_backward(q, rng):
    def fd(ref, x, t, W1, b1, W2, b2):
        fwd = ref("network.forward")

        def E(params):
            o = fwd(x, *params)[1]
            return float(0.5 * np.sum((t - o) ** 2))
        ps = [W1, b1, W2, b2]
        out = []
        for i in range(4):
            def at(v, i=i):
                p2 = list(ps)
                p2[i] = v
                return E(p2)
            out.append(central_diff(at, ps[i]))
        return [tuple(out)]
    return [
        Case(q, "the worked example of the notes", [Call(*_worked_example())], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2", [Call(*_random_net(rng, 5, 3, 4, 2))], **F64),
        Case(q, "batch of 1: 2 -> 3 -> 2", [Call(*_random_net(rng, 1, 2, 3, 2))], **F64),
        Case(q, "finite differences of the error E", [Call(*_random_net(rng, 4, 3, 2, 2))], kind="fd", fd=fd, **FD),
    ]


@builder("network.train_step")
def _net_train(q, rng):
    return [
        Case(q, "the worked example of the notes (lr 0.5)", [Call(*_worked_example(), 0.5)], **F64),
        Case(q, "random non-square: 5 samples, 3 -> 4 -> 2, lr 0.1", [Call(*_random_net(rng, 5, 3, 4, 2), 0.1)],
             **F64),
        # lr 0.3, not 1: with lr 1, W - dW is also what a step that leaves lr out returns (trial 19a)
        Case(q, "batch of 1: 2 -> 3 -> 2, lr 0.3", [Call(*_random_net(rng, 1, 2, 3, 2), 0.3)], **F64),
    ]
