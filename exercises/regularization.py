"""Regularization (규제 / 정규화) against overfitting (과적합): weight penalties and
max-norm constraints.

The L2 penalty (가중치 감쇠, weight decay; Keras ``l2``) adds lam * sum(W**2) to the loss,
the L1 penalty lam * sum(abs(W)); their gradients are added to the weight gradient before
the update. ``max_norm`` is Keras's ``MaxNorm`` constraint, applied after each update.
Dropout (드롭아웃) lives in ``layers``.
"""

import numpy as np

from ._common import as_float


def l2_penalty(W, lam):
    """
    L2 penalty: lam * sum(W**2) (the Keras ``l2`` regularizer, no 1/2).

    Inputs:
    - W: array of weights, any shape.
    - lam: float >= 0, the regularization strength.

    Returns:
    - penalty: float.
    """
    W = as_float(W)
    # TODO: Return lam times the sum of the squared weights, as a Python float.
    raise NotImplementedError


def l2_grad(W, lam):
    """
    Gradient of ``l2_penalty`` with respect to W: 2 * lam * W.

    Inputs:
    - W: array of weights, any shape.
    - lam: float >= 0.

    Returns:
    - grad: array of the shape of W.
    """
    # TODO: Differentiate lam * sum(W**2) with respect to W.
    raise NotImplementedError


def l1_penalty(W, lam):
    """
    L1 penalty: lam * sum(abs(W)).

    Inputs:
    - W: array of weights, any shape.
    - lam: float >= 0.

    Returns:
    - penalty: float.
    """
    # TODO: Return lam times the sum of the absolute weights, as a Python float.
    raise NotImplementedError


def l1_grad(W, lam):
    """
    (Sub)gradient of ``l1_penalty``: lam * sign(W), taken as 0 where W == 0.

    Inputs:
    - W: array of weights, any shape.
    - lam: float >= 0.

    Returns:
    - grad: array of the shape of W.
    """
    # TODO: Return lam times the sign of W, which must be 0 where W == 0.
    raise NotImplementedError


def max_norm(W, max_value=2.0, axis=0):
    """
    Max-norm constraint: rescale every slice of W along ``axis`` whose L2 norm exceeds
    max_value so that its norm becomes max_value; slices already within are unchanged.

    Inputs:
    - W: array (D, M) of weights; with axis=0 each column (a unit's incoming weights) is
      one slice.
    - max_value: float > 0, the largest allowed norm.
    - axis: the axis (or axes) the norm is taken over.

    Returns:
    - W: array of the shape of W.
    """
    W = as_float(W)
    # TODO: Take the L2 norm of every slice along axis (keepdims=True) and shrink only the
    # slices whose norm exceeds max_value, to norm exactly max_value.
    raise NotImplementedError
