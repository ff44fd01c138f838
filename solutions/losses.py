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
    diff = as_float(y_true) - as_float(y_pred)
    return float(np.mean(diff * diff))


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
    return 2.0 * (y_pred - y_true) / y_pred.size


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
    diff = as_float(y_true) - as_float(y_pred)
    return float(0.5 * np.sum(diff * diff))


def sum_squared_error_grad(y_true, y_pred):
    """
    Gradient of ``sum_squared_error`` with respect to y_pred: y_pred - y_true.

    Inputs:
    - y_true: array of targets, any shape.
    - y_pred: array of predictions, same shape as y_true.

    Returns:
    - grad: array of the shape of y_pred.
    """
    return as_float(y_pred) - y_true


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
    p = _clip(y_pred, eps)
    return float(np.mean(-(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))))


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
    p = _clip(y_pred, eps)
    return (p - y_true) / (p * (1.0 - p)) / p.size


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
    p = _clip(y_pred, eps)
    return float(-np.sum(t * np.log(p)) / p.shape[0])


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
    p = _clip(y_pred, eps)
    return float(-np.mean(np.log(p[np.arange(p.shape[0]), labels])))


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
    grad = softmax(logits, axis=-1)  # a new array, safe to write into
    n = grad.shape[0]
    grad[np.arange(n), labels] -= 1.0
    return grad / n


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
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    weights = np.zeros(n_classes, dtype=np.float64)
    present = counts > 0
    weights[present] = labels.size / (n_classes * counts[present])
    return weights


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
    p = _clip(y_pred, eps)
    w = as_float(class_weight)[labels]
    nll = -np.log(p[np.arange(p.shape[0]), labels])
    return float(np.sum(w * nll) / p.shape[0])
