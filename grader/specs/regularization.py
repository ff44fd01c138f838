"""Grading spec of ``regularization``: the cases of each function.

Its known mistakes are in ``grader/specs/known/regularization.py``, in the instructor's copy of the
grader only (a student release leaves that package out and names the mistakes from their
recorded outputs, ``grader/recorded_mistakes.py``); how a spec is written and registered:
``grader/specs/__init__.py`` and ``grader/specs/_kit.py``.
"""

from __future__ import annotations

import numpy as np

from grader.specs._kit import Call, Case, F32, F64, FD, U, central_diff, registrar, signed

CASES = {}
builder = registrar(CASES, "regularization")


# ------------------------------------------------------------------------ cases
@builder("regularization.l2_penalty", "regularization.l1_penalty",
         "regularization.l2_grad", "regularization.l1_grad")
def _penalties(q, rng):
    # weights of both signs whatever the seed (``signed``): the L1 penalty's |w| and its
    # gradient's sign(w) are tested on both branches for every student alike (a (5,) draw
    # from U(-1, 1) was all of one sign for one seed in 16)
    W = signed(rng, (4, 3), 1.0)
    W[1, 2] = 0.0
    W0 = signed(rng, (2, 3), 1.0)
    cases = [
        Case(q, "random non-square (4, 3), lam 0.01, one weight exactly 0", [Call(W, 0.01)], **F64),
        Case(q, "1-D bias-like (5,), lam 0.5", [Call(signed(rng, (5,), 1.0), 0.5)], **F64),
        # lam 0 gives 0 whatever the formula (a flipped sign, a missing factor 2 passed it:
        # trial 19a), so the same weights are then penalised with lam 2.5, above 1
        Case(q, "lam 0, then lam 2.5", [Call(W0, 0.0), Call(W0, 2.5)], **F64),
        Case(q, "float32 (3, 2), lam 0.1", [Call(signed(rng, (3, 2), 1.0, dtype=np.float32), 0.1)], **F32),
    ]
    if q.endswith("_grad"):
        penalty = q.replace("_grad", "_penalty")
        Wf = signed(rng, (3, 4), 1.0, least=0.05)     # both signs, away from |w|'s kink

        def fd(ref, W, lam):
            f = ref(penalty)
            return [central_diff(lambda v: float(f(v, lam)), W)]
        cases.append(Case(q, "finite differences of the penalty", [Call(Wf, 0.05)], kind="fd", fd=fd, **FD))
    return cases


@builder("regularization.max_norm")
def _max_norm(q, rng):
    # a slice above the limit and one within whatever the seed: 6 * U(-1, 1) in each of 4
    # entries was within 2.0 for one seed in about 260
    W = U(rng, (4, 5))
    W[:, 1] = 6.0 * signed(rng, (4,), 1.0, least=0.5)      # a column far above the limit (norm >= 6)
    W[:, 3] *= 0.1                      # one well within (norm <= 0.2)
    W2 = U(rng, (3, 4))
    W2[0] = 5.0 * signed(rng, (4,), 1.0, least=0.5)         # a row above 1.5 (norm >= 5)
    W2[1] *= 0.5                        # one within (norm <= 1)
    # rtol 1e-5: Keras's max_norm divides by (eps + norm) with eps = 1e-7, a relative change
    # of eps / norm for the slices within the limit (norms here are >= 0.03)
    tol = dict(rtol=1e-5, atol=1e-9)
    W32 = U(rng, (3, 4), dtype=np.float32)
    W32[:, 0] *= 0.1                    # one column within 0.5 (norm <= 0.18): a rescale of every column shows
    return [
        Case(q, "(4, 5), some columns above max_value 2.0, axis 0", [Call(W, 2.0, 0)], **tol),
        Case(q, "axis 1 (rows), max_value 1.5", [Call(W2, 1.5, 1)], **tol),
        Case(q, "all within: unchanged", [Call(0.1 * U(rng, (3, 3), 0.5, 1.0) * rng.choice([-1, 1], (3, 3)), 2.0, 0)],
             **tol),
        Case(q, "float32 (3, 4), max_value 0.5", [Call(W32, 0.5, 0)], **F32),
    ]
