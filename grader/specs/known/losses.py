"""Known mistakes of ``losses``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/losses.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def mean_squared_error__sum_not_mean(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))


def mean_squared_error__half_factor(y_true, y_pred):
    return float(0.5 * np.mean((y_true - y_pred) ** 2))


def mean_squared_error__sum_over_outputs(y_true, y_pred):
    d = (np.asarray(y_true, dtype=float) - y_pred) ** 2
    return float(np.mean(np.sum(np.atleast_2d(d), axis=-1)))


def mean_squared_error__half_sum(y_true, y_pred):
    return float(0.5 * np.sum((y_true - y_pred) ** 2))


def mean_squared_error_grad__missing_two(y_true, y_pred):
    return (y_pred - y_true) / np.size(y_pred)


def mean_squared_error_grad__wrong_sign(y_true, y_pred):
    return 2.0 * (y_true - y_pred) / np.size(y_pred)


def mean_squared_error_grad__not_divided(y_true, y_pred):
    return 2.0 * (y_pred - y_true)


def mean_squared_error_grad__divided_by_rows(y_true, y_pred):
    return 2.0 * (y_pred - y_true) / len(np.atleast_1d(y_pred))


def mean_squared_error_grad__half_sum(y_true, y_pred):
    return y_pred - y_true


def sum_squared_error__missing_half(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))


def sum_squared_error__mean_not_sum(y_true, y_pred):
    return float(0.5 * np.mean((y_true - y_pred) ** 2))


def sum_squared_error_grad__wrong_sign(y_true, y_pred):
    return y_true - y_pred


def sum_squared_error_grad__extra_two(y_true, y_pred):
    return 2.0 * (y_pred - y_true)


def binary_crossentropy__no_clipping(y_true, y_pred, eps=1e-7):
    return float(np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))))


def binary_crossentropy__missing_minus(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def binary_crossentropy__sum_not_mean(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.sum(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))))


def binary_crossentropy__log10(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(-(y_true * np.log10(p) + (1 - y_true) * np.log10(1 - p))))


def binary_crossentropy_grad__no_clipping(y_true, y_pred, eps=1e-7):
    return (y_pred - y_true) / (y_pred * (1 - y_pred)) / np.size(y_pred)


def binary_crossentropy_grad__not_divided(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (p - y_true) / (p * (1 - p))


def binary_crossentropy_grad__logit_gradient(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return (p - y_true) / np.size(p)


def categorical_crossentropy__mean_over_elements(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p)))


def categorical_crossentropy__no_clipping(y_true, y_pred, eps=1e-7):
    return float(-np.sum(y_true * np.log(y_pred)) / np.shape(y_pred)[0])


def categorical_crossentropy__sum_over_batch(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.sum(y_true * np.log(p)))


def categorical_crossentropy__classes_averaged(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=0)))


def categorical_crossentropy__per_class_sums(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return -np.sum(y_true * np.log(p), axis=0)


def categorical_crossentropy__log10(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.sum(y_true * np.log10(p)) / np.shape(p)[0])


def sparse_categorical_crossentropy__column_indexing(labels, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(np.log(p[:, labels])))


def sparse_categorical_crossentropy__no_clipping(labels, y_pred, eps=1e-7):
    y_pred = np.asarray(y_pred)
    return float(-np.mean(np.log(y_pred[np.arange(len(labels)), labels])))


def sparse_categorical_crossentropy__log10(labels, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return float(-np.mean(np.log10(p[np.arange(len(labels)), labels])))


def softmax_crossentropy_grad__not_divided(labels, logits):
    e = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    grad = e / np.sum(e, axis=-1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1
    return grad


def softmax_crossentropy_grad__wrong_sign(labels, logits):
    e = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    grad = e / np.sum(e, axis=-1, keepdims=True)
    grad[np.arange(len(labels)), labels] -= 1
    return -grad / len(labels)


def class_weights_balanced__divide_by_zero(labels, n_classes):
    counts = np.bincount(labels, minlength=n_classes)
    return len(labels) / (n_classes * counts)


def class_weights_balanced__present_classes_only(labels, n_classes):
    classes, counts = np.unique(labels, return_counts=True)
    return len(labels) / (len(classes) * counts)


def class_weights_balanced__missing_n_classes(labels, n_classes):
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    weights = np.zeros(n_classes)
    weights[counts > 0] = len(labels) / counts[counts > 0]
    return weights


def weighted_sparse_categorical_crossentropy__divided_by_weight_sum(
        labels, y_pred, class_weight, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    w = np.asarray(class_weight)[labels]
    nll = -np.log(p[np.arange(len(labels)), labels])
    return float(np.sum(w * nll) / np.sum(w))


def weighted_sparse_categorical_crossentropy__no_clipping(
        labels, y_pred, class_weight, eps=1e-7):
    y_pred = np.asarray(y_pred)
    w = np.asarray(class_weight)[labels]
    nll = -np.log(y_pred[np.arange(len(labels)), labels])
    return float(np.sum(w * nll) / len(labels))


def weighted_sparse_categorical_crossentropy__log10(labels, y_pred, class_weight, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    w = np.asarray(class_weight)[labels]
    nll = -np.log10(p[np.arange(len(labels)), labels])
    return float(np.sum(w * nll) / len(labels))


# the same slip in every cross-entropy: the logarithm to base 10, off by ln 10 on every case
LOG10_HINT = ("You took the logarithm to base 10 (log10); cross-entropy uses the natural logarithm ln, "
              "so your loss is the right one divided by ln 10 ≈ 2.303.")

KNOWN = [
    ("mean_squared_error", "sum-not-mean", mean_squared_error__sum_not_mean,
     "You returned the sum of the squared errors; the mean squared error divides that sum by "
     "the number of elements."),
    ("mean_squared_error", "half-factor", mean_squared_error__half_factor,
     "You multiplied by 1/2, which belongs to sum_squared_error only; the mean squared error "
     "is the plain mean of the squared errors."),
    ("mean_squared_error", "sum-over-outputs", mean_squared_error__sum_over_outputs,
     "You summed over the outputs and averaged over the rows; the mean runs over all elements "
     "at once."),
    ("mean_squared_error", "half-sum", mean_squared_error__half_sum,
     "You wrote the notes' E = ½Σ(t − o)², which is sum_squared_error here; the mean squared "
     "error has no ½ and divides the sum of squares by the number of elements."),
    ("mean_squared_error_grad", "missing-two", mean_squared_error_grad__missing_two,
     "You left out the factor 2: the derivative of a square brings it down."),
    ("mean_squared_error_grad", "wrong-sign", mean_squared_error_grad__wrong_sign,
     "You flipped the sign: the gradient with respect to y_pred is positive where the "
     "prediction is too large."),
    ("mean_squared_error_grad", "not-divided-by-size", mean_squared_error_grad__not_divided,
     "You did not divide by the number of elements: the loss is a mean, so its gradient is "
     "divided by y_pred.size."),
    ("mean_squared_error_grad", "divided-by-rows", mean_squared_error_grad__divided_by_rows,
     "You divided by the number of rows, but the mean runs over all elements: divide by "
     "y_pred.size."),
    ("mean_squared_error_grad", "half-sum", mean_squared_error_grad__half_sum,
     "You took the gradient of the notes' E = ½Σ(t − o)², y_pred − y_true; the gradient of the "
     "mean squared error is twice that, divided by y_pred.size."),
    ("sum_squared_error", "missing-half", sum_squared_error__missing_half,
     "You left out the factor 1/2: the worked example's E has it in front of the sum of "
     "squared errors."),
    ("sum_squared_error", "mean-not-sum", sum_squared_error__mean_not_sum,
     "You took half the mean of the squared errors; E is half their sum over all samples and "
     "outputs, not their mean."),
    ("sum_squared_error_grad", "wrong-sign", sum_squared_error_grad__wrong_sign,
     "You flipped the sign: dE/dy_pred is the prediction minus the target, positive where the "
     "prediction is too large."),
    ("sum_squared_error_grad", "extra-two", sum_squared_error_grad__extra_two,
     "You kept a factor 2: the 1/2 in E cancels the 2 from the square, so the gradient has "
     "none."),
    ("binary_crossentropy", "no-clipping", binary_crossentropy__no_clipping,
     "You took the log without clipping: log(0) gives −inf and 0 · log(0) gives NaN; clip "
     "y_pred to [eps, 1 − eps] before taking any log."),
    ("binary_crossentropy", "missing-minus", binary_crossentropy__missing_minus,
     "You left out the minus sign, so your loss is negative; the loss is the negative mean "
     "log-likelihood."),
    ("binary_crossentropy", "sum-not-mean", binary_crossentropy__sum_not_mean,
     "You summed over the elements; binary cross-entropy is their mean, not the sum."),
    ("binary_crossentropy", "log10", binary_crossentropy__log10,
     LOG10_HINT),
    ("binary_crossentropy_grad", "no-clipping", binary_crossentropy_grad__no_clipping,
     "You did not clip y_pred: at p = 0 or 1 the denominator p(1 − p) is 0; clip y_pred to "
     "[eps, 1 − eps] first and take the gradient at the clipped value."),
    ("binary_crossentropy_grad", "not-divided-by-size", binary_crossentropy_grad__not_divided,
     "You did not divide by the number of elements: the loss is a mean over all elements, so "
     "its gradient is divided by their number too."),
    ("binary_crossentropy_grad", "logit-gradient", binary_crossentropy_grad__logit_gradient,
     "You returned the gradient with respect to the logits, (p − t) / size; with respect to "
     "the probability p there is an extra division by p(1 − p)."),
    ("categorical_crossentropy", "mean-over-elements", categorical_crossentropy__mean_over_elements,
     "You averaged over the whole (N, K) array, which also divides by the number of classes K; "
     "sum over the classes and average over the N rows only."),
    ("categorical_crossentropy", "no-clipping", categorical_crossentropy__no_clipping,
     "You did not clip y_pred: a probability of exactly 0 gives log(0) = −inf and 0 · (−inf) = "
     "NaN; clip y_pred to [eps, 1 − eps] before the log."),
    ("categorical_crossentropy", "sum-over-batch", categorical_crossentropy__sum_over_batch,
     "You summed over the rows; the loss is the mean over the rows, so the total is divided by "
     "the number of rows N."),
    ("categorical_crossentropy", "classes-averaged", categorical_crossentropy__classes_averaged,
     "You summed over axis 0, the samples, and then averaged over the K classes, which divides "
     "the total by K; sum −t log p over the classes of each row (axis 1) and average over the "
     "N rows."),
    ("categorical_crossentropy", "per-class-sums", categorical_crossentropy__per_class_sums,
     "You summed over axis 0, the samples, which leaves one number per class; sum −t log p "
     "over the classes of each row (axis 1), then average the N row losses into one float."),
    ("categorical_crossentropy", "log10", categorical_crossentropy__log10,
     LOG10_HINT),
    ("sparse_categorical_crossentropy", "column-indexing", sparse_categorical_crossentropy__column_indexing,
     "You indexed the columns with the labels, which picks an (N, N) block; each row needs "
     "only the probability of its own label, one value per row."),
    ("sparse_categorical_crossentropy", "no-clipping", sparse_categorical_crossentropy__no_clipping,
     "You did not clip y_pred: a probability of exactly 0 for the true label gives −log(0) = "
     "inf; clip y_pred to [eps, 1 − eps] before the log."),
    ("sparse_categorical_crossentropy", "log10", sparse_categorical_crossentropy__log10,
     LOG10_HINT),
    ("softmax_crossentropy_grad", "not-divided-by-n", softmax_crossentropy_grad__not_divided,
     "You did not divide by N: the loss is the mean over the N rows, so the gradient, softmax "
     "minus one-hot, is divided by N."),
    ("softmax_crossentropy_grad", "wrong-sign", softmax_crossentropy_grad__wrong_sign,
     "You flipped the sign: the gradient is the softmax minus the one-hot labels, over N."),
    ("class_weights_balanced", "divide-by-zero", class_weights_balanced__divide_by_zero,
     "You divided by the count of a class with no samples, which is 0; give such a class the "
     "weight 0 instead of inf."),
    ("class_weights_balanced", "present-classes-only", class_weights_balanced__present_classes_only,
     "You counted only the classes that occur; count all n_classes classes (a class may have "
     "no samples) and use n_classes in the formula."),
    ("class_weights_balanced", "missing-n-classes", class_weights_balanced__missing_n_classes,
     "You left out the factor n_classes in the denominator: the balanced weight is n_samples / "
     "(n_classes · count of the class)."),
    ("weighted_sparse_categorical_crossentropy", "divided-by-weight-sum", weighted_sparse_categorical_crossentropy__divided_by_weight_sum,
     "You divided the weighted sum by the sum of the weights, PyTorch's weighted mean; Keras "
     "divides it by the number of samples N."),
    ("weighted_sparse_categorical_crossentropy", "no-clipping", weighted_sparse_categorical_crossentropy__no_clipping,
     "You did not clip y_pred: a probability of exactly 0 for the true label gives −log(0) = "
     "inf; clip y_pred to [eps, 1 − eps] before the log."),
    ("weighted_sparse_categorical_crossentropy", "log10", weighted_sparse_categorical_crossentropy__log10,
     LOG10_HINT),
]
