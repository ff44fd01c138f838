"""Known mistakes of ``regularization``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/regularization.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def l2_penalty__half_factor(W, lam):
    return float(0.5 * lam * np.sum(W ** 2))


def l2_penalty__norm_not_squared(W, lam):
    return float(lam * np.sqrt(np.sum(W ** 2)))


def l2_grad__missing_two(W, lam):
    return lam * W


def l1_penalty__missing_abs(W, lam):
    return float(lam * np.sum(W))


def l1_grad__sign_flipped(W, lam):
    return -lam * np.sign(W)


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
     "You multiplied by 1/2, as some textbooks do; Keras's L2 penalty is lam times the sum of "
     "squared weights, without that factor."),
    ("l2_penalty", "norm-not-squared", l2_penalty__norm_not_squared,
     "You used the norm itself; the penalty uses the squared norm (the sum of squared "
     "weights)."),
    ("l2_grad", "missing-two", l2_grad__missing_two,
     "You left out the factor 2: the derivative of lam · W² is 2 · lam · W."),
    ("l1_penalty", "missing-abs", l1_penalty__missing_abs,
     "You summed the weights without their absolute values, so positive and negative weights "
     "cancel; the L1 penalty sums absolute values."),
    ("l1_grad", "sign-flipped", l1_grad__sign_flipped,
     "You flipped the sign: the gradient of lam · |W| is lam times the sign of W, positive "
     "where W is positive."),
    ("l1_grad", "one-at-zero", l1_grad__one_at_zero,
     "Your gradient is lam where W is exactly 0; the contract takes the subgradient 0 there "
     "(the sign function's value)."),
    ("l1_grad", "sign-by-division", l1_grad__sign_by_division,
     "You computed the sign as W / |W|, which is 0 / 0 = NaN where W is 0; the sign function "
     "is 0 there."),
    ("max_norm", "rescales-all", max_norm__rescales_all,
     "You rescaled every slice; only slices whose norm exceeds max_value are rescaled, and "
     "slices already within the limit stay unchanged."),
    ("max_norm", "rows-not-columns", max_norm__rows_not_columns,
     "You took the norms along the rows; take them along the axis argument (axis 0: each "
     "column, a unit's incoming weights)."),
    ("max_norm", "global-norm", max_norm__global_norm,
     "You applied the limit to the norm of the whole matrix; it applies to each slice along "
     "the axis separately."),
    ("max_norm", "clips-elements", max_norm__clips_elements,
     "You clipped each weight on its own; max-norm rescales a whole slice so that its L2 norm "
     "is at most max_value."),
]
