"""Loss functions (손실 함수 / 오차 함수) and their gradients.

Argument order is ``(y_true, y_pred)`` as in Keras. The course notes' worked example uses the
squared error E = 1/2 * sum (target - output)**2 (``sum_squared_error``); Keras's ``mse``
is the mean version. For classification the notes pair ``binary_crossentropy`` with a
sigmoid output, ``categorical_crossentropy`` with one-hot labels (원-핫 인코딩) and a
softmax output, and ``sparse_categorical_crossentropy`` with integer labels. Probabilities
are clipped to [eps, 1 - eps] before any log, and gradients are taken at the clipped value.
"""

import numpy as np

from ._common import as_float
from .activations import softmax


def _clip(p, eps):
    return np.clip(as_float(p), eps, 1.0 - eps)


def mean_squared_error(y_true, y_pred):
    """
    Mean squared error: the mean of (y_true - y_pred)**2 over all elements.

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predictions, same shape as y_true.

    Returns:
    - loss: float.
    """
    # TODO: Return the mean of (y_true - y_pred)**2 over all elements, as a Python float.
    raise NotImplementedError


def mean_squared_error_grad(y_true, y_pred):
    """
    Gradient of ``mean_squared_error`` with respect to y_pred: 2 (y_pred - y_true) / y_pred.size.

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predictions, same shape as y_true.

    Returns:
    - grad: array of the shape of y_pred.
    """
    y_pred = as_float(y_pred)
    # TODO: Differentiate the mean over all y_pred.size elements with respect to y_pred.
    raise NotImplementedError


def sum_squared_error(y_true, y_pred):
    """
    Half the sum of squared errors, 1/2 * sum (y_true - y_pred)**2: the E = E1 + E2 of the
    worked backprop example (the 1/2 cancels the 2 of the derivative).

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predictions, same shape as y_true.

    Returns:
    - loss: float.
    """
    # TODO: Return 1/2 * the sum of (y_true - y_pred)**2, as a Python float.
    raise NotImplementedError


def sum_squared_error_grad(y_true, y_pred):
    """
    Gradient of ``sum_squared_error`` with respect to y_pred: y_pred - y_true.

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predictions, same shape as y_true.

    Returns:
    - grad: array of the shape of y_pred.
    """
    # TODO: Differentiate E = 1/2 * sum (y_true - y_pred)**2 with respect to y_pred.
    raise NotImplementedError


def binary_crossentropy(y_true, y_pred, eps=1e-7):
    """
    Binary cross-entropy: the mean of -(t log p + (1 - t) log(1 - p)) over all elements,
    with p = y_pred clipped to [eps, 1 - eps].

    Inputs:
    - y_true: array of targets in {0, 1} (or in [0, 1]), any shape.
    - y_pred: array of predicted probabilities, same shape as y_true.
    - eps: clipping constant.

    Returns:
    - loss: float.
    """
    t = as_float(y_true)
    # TODO: Clip y_pred to [eps, 1 - eps] (the helper _clip above does it) before any log,
    # then return the mean of -(t log p + (1 - t) log(1 - p)) as a Python float.
    raise NotImplementedError


def binary_crossentropy_grad(y_true, y_pred, eps=1e-7):
    """
    Gradient of ``binary_crossentropy`` with respect to y_pred:
    (p - t) / (p (1 - p)) / y_pred.size, at the clipped p.

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predicted probabilities, same shape as y_true.
    - eps: clipping constant.

    Returns:
    - grad: array of the shape of y_pred.
    """
    # TODO: Differentiate the mean binary cross-entropy with respect to p, evaluated at the
    # clipped p (see _clip); remember that the loss is a mean over y_pred.size elements.
    raise NotImplementedError


def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    """
    Categorical cross-entropy for one-hot targets: the mean over rows of -sum_k t_k log p_k.

    Inputs:
    - y_true: array (N, K), one-hot targets.
    - y_pred: array (N, K), predicted probabilities (rows sum to 1), clipped to
      [eps, 1 - eps] before the log.
    - eps: clipping constant.

    Returns:
    - loss: float.
    """
    t = as_float(y_true)
    # TODO: Clip y_pred (see _clip), sum -t * log(p) over the classes and average over the N
    # rows (not over all N * K elements).
    raise NotImplementedError


def sparse_categorical_crossentropy(labels, y_pred, eps=1e-7):
    """
    Categorical cross-entropy for integer labels: the mean of -log p[i, labels[i]].

    Inputs:
    - labels: integer array (N,), each in range(K).
    - y_pred: array (N, K), predicted probabilities, clipped to [eps, 1 - eps].
    - eps: clipping constant.

    Returns:
    - loss: float.
    """
    labels = np.asarray(labels, dtype=np.intp)
    # TODO: Pick p[i, labels[i]] for every row i with one fancy-indexing expression, clip it
    # and return the mean of -log as a Python float.
    raise NotImplementedError


def softmax_crossentropy_grad(labels, logits):
    """
    Gradient, with respect to the logits, of the mean categorical cross-entropy of
    softmax(logits): (softmax(logits) - onehot(labels)) / N.

    Inputs:
    - labels: integer array (N,), each in range(K).
    - logits: array (N, K).

    Returns:
    - grad: array (N, K).
    """
    labels = np.asarray(labels, dtype=np.intp)
    # TODO: Build (softmax(logits) - onehot(labels)) / N without a loop over the rows
    # (softmax is imported above).
    raise NotImplementedError


def class_weights_balanced(labels, n_classes):
    """
    Balanced class weights: n_samples / (n_classes * count_k) for every class k; a class
    that does not occur gets weight 0 (scikit-learn's "balanced" heuristic).

    Inputs:
    - labels: integer array (N,), each in range(n_classes).
    - n_classes: int, the number of classes K.

    Returns:
    - weights: float array (n_classes,).
    """
    labels = np.asarray(labels, dtype=np.intp).ravel()
    # TODO: Count every class with np.bincount(labels, minlength=n_classes) and apply the
    # formula above; a class that never occurs gets weight 0, not a division by zero.
    raise NotImplementedError


def weighted_sparse_categorical_crossentropy(labels, y_pred, class_weight, eps=1e-7):
    """
    Class-weighted sparse categorical cross-entropy:
    sum_i class_weight[labels[i]] * (-log p[i, labels[i]]) / N, which is what Keras
    ``fit(class_weight=...)`` does to the loss.

    Inputs:
    - labels: integer array (N,), each in range(K).
    - y_pred: array (N, K), predicted probabilities, clipped to [eps, 1 - eps].
    - class_weight: array (K,) of per-class weights.
    - eps: clipping constant.

    Returns:
    - loss: float.
    """
    labels = np.asarray(labels, dtype=np.intp)
    # TODO: Weight each sample's -log p[i, labels[i]] (p clipped) by the weight of its
    # label, sum, and divide by the number of samples N.
    raise NotImplementedError
