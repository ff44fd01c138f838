"""Grading spec of ``regularization``: the cases of each function, then its known mistakes.

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

from grader.specs._kit import Call, Case, F32, F64, FD, U, central_diff, registrar

CASES = {}
builder = registrar(CASES, "regularization")


# ------------------------------------------------------------------------ cases
@builder("regularization.l2_penalty", "regularization.l1_penalty",
         "regularization.l2_grad", "regularization.l1_grad")
def _penalties(q, rng):
    W = U(rng, (4, 3))
    W[1, 2] = 0.0
    cases = [
        Case(q, "random non-square (4, 3), lam 0.01, one weight exactly 0", [Call(W, 0.01)], **F64),
        Case(q, "1-D bias-like (5,), lam 0.5", [Call(U(rng, (5,)), 0.5)], **F64),
        Case(q, "lam 0", [Call(U(rng, (2, 3)), 0.0)], **F64),
        Case(q, "float32 (3, 2), lam 0.1", [Call(U(rng, (3, 2), dtype=np.float32), 0.1)], **F32),
    ]
    if q.endswith("_grad"):
        penalty = q.replace("_grad", "_penalty")
        Wf = U(rng, (3, 4))
        Wf[np.abs(Wf) < 0.05] = 0.3   # away from |w|'s kink

        def fd(ref, W, lam):
            f = ref(penalty)
            return [central_diff(lambda v: float(f(v, lam)), W)]
        cases.append(Case(q, "finite differences of the penalty", [Call(Wf, 0.05)], kind="fd", fd=fd, **FD))
    return cases


@builder("regularization.max_norm")
def _max_norm(q, rng):
    W = U(rng, (4, 5))
    W[:, 1] *= 6.0                      # a column far above the limit
    W[:, 3] *= 0.1                      # one well within
    W2 = U(rng, (3, 4))
    W2[0] *= 5.0
    # rtol 1e-5: Keras's max_norm divides by (eps + norm) with eps = 1e-7, a relative change
    # of eps / norm for the slices within the limit (norms here are >= 0.03)
    tol = dict(rtol=1e-5, atol=1e-9)
    return [
        Case(q, "(4, 5), some columns above max_value 2.0, axis 0", [Call(W, 2.0, 0)], **tol),
        Case(q, "axis 1 (rows), max_value 1.5", [Call(W2, 1.5, 1)], **tol),
        Case(q, "all within: unchanged", [Call(0.1 * U(rng, (3, 3), 0.5, 1.0) * rng.choice([-1, 1], (3, 3)), 2.0, 0)],
             **tol),
        Case(q, "float32 (3, 4), max_value 0.5", [Call(U(rng, (3, 4), dtype=np.float32), 0.5, 0)], **F32),
    ]


# ------------------------------------------------------------------------ known mistakes
def l2_penalty__half_factor(W, lam):
    return float(0.5 * lam * np.sum(W ** 2))


def l2_penalty__norm_not_squared(W, lam):
    return float(lam * np.sqrt(np.sum(W ** 2)))


def l2_grad__missing_two(W, lam):
    return lam * W


def l1_penalty__missing_abs(W, lam):
    return float(lam * np.sum(W))


def l1_grad__one_at_zero(W, lam):
    return np.where(W >= 0, lam, -lam)


def l1_grad__sign_by_division(W, lam):
    return lam * W / np.abs(W)


def max_norm__rescales_all(W, max_value=2.0, axis=0):
    norms = np.sqrt(np.sum(W ** 2, axis=axis, keepdims=True))
    return W * max_value / norms


def max_norm__rows_not_columns(W, max_value=2.0, axis=0):
    norms = np.sqrt(np.sum(W ** 2, axis=1, keepdims=True))
    return W * np.minimum(1.0, max_value / np.maximum(norms, 1e-300))


def max_norm__global_norm(W, max_value=2.0, axis=0):
    norm = np.sqrt(np.sum(W ** 2))
    return W * max_value / norm if norm > max_value else W.copy()


def max_norm__clips_elements(W, max_value=2.0, axis=0):
    return np.clip(W, -max_value, max_value)


KNOWN = [
    ("l2_penalty", "half-factor", l2_penalty__half_factor,
     "Keras's L2 penalty is lam times the sum of squared weights, without the factor 1/2 "
     "some textbooks use."),
    ("l2_penalty", "norm-not-squared", l2_penalty__norm_not_squared,
     "The penalty uses the squared norm (the sum of squared weights), not the norm itself."),
    ("l2_grad", "missing-two", l2_grad__missing_two,
     "The derivative of lam · W² is 2 · lam · W; the factor 2 is missing."),
    ("l1_penalty", "missing-abs", l1_penalty__missing_abs,
     "The L1 penalty sums absolute values; without them positive and negative weights "
     "cancel."),
    ("l1_grad", "one-at-zero", l1_grad__one_at_zero,
     "The contract takes the subgradient 0 where W is exactly 0 (the sign function's value "
     "there)."),
    ("l1_grad", "sign-by-division", l1_grad__sign_by_division,
     "W / |W| is 0 / 0 = NaN where W is 0; the sign function is 0 there."),
    ("max_norm", "rescales-all", max_norm__rescales_all,
     "Only slices whose norm exceeds max_value are rescaled; slices already within the "
     "limit must stay unchanged."),
    ("max_norm", "rows-not-columns", max_norm__rows_not_columns,
     "Take the norms along the axis argument (axis 0: each column, a unit's incoming "
     "weights), not along the rows."),
    ("max_norm", "global-norm", max_norm__global_norm,
     "The limit applies to each slice along the axis separately, not to the norm of the "
     "whole matrix."),
    ("max_norm", "clips-elements", max_norm__clips_elements,
     "Clipping limits each weight on its own; max-norm rescales a whole slice so that its "
     "L2 norm is at most max_value."),
]
