"""Known mistakes of ``layers``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/layers.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


def dense_forward__missing_bias(x, W, b):
    return x @ W


def dense_backward__db_averaged(dout, x, W):
    return dout @ W.T, x.T @ dout, np.mean(dout, axis=0)


def dense_backward__dW_transposed(dout, x, W):
    return dout @ W.T, dout.T @ x, np.sum(dout, axis=0)


def dense_backward__dW_averaged(dout, x, W):
    return dout @ W.T, x.T @ dout / x.shape[0], np.sum(dout, axis=0)


def dense_backward__db_not_summed(dout, x, W):
    return dout @ W.T, x.T @ dout, dout


def dropout_mask__keeps_with_rate(shape, rate, rng):
    return rng.random(shape) < rate


def dropout_forward__not_rescaled(x, mask, rate):
    return x * mask


def dropout_forward__rescaled_by_rate(x, mask, rate):
    return x * mask / rate


def dropout_forward__test_time_scaling(x, mask, rate):
    return x * mask * (1 - rate)


def dropout_backward__not_rescaled(dout, mask, rate):
    return dout * mask


def dropout_backward__rescaled_by_rate(dout, mask, rate):
    return dout * mask / rate


def batchnorm_forward__ddof_one(x, gamma, beta, eps=1e-5):
    x_hat = (x - np.mean(x, axis=0)) / np.sqrt(np.var(x, axis=0, ddof=1) + eps)
    return gamma * x_hat + beta


def batchnorm_forward__eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    x_hat = (x - np.mean(x, axis=0)) / (np.std(x, axis=0) + eps)
    return gamma * x_hat + beta


def batchnorm_forward__per_sample(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.var(x, axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def batchnorm_backward__dx_missing_terms(dout, x, gamma, eps=1e-5):
    std = np.sqrt(np.var(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) / std
    return gamma * dout / std, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def batchnorm_backward__dx_missing_variance_term(dout, x, gamma, eps=1e-5):
    std = np.sqrt(np.var(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) / std
    dx = gamma / std * (dout - np.mean(dout, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def batchnorm_backward__dgamma_missing_xhat(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(np.var(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / n * (n * dx_hat - np.sum(dx_hat, axis=0)
                        - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout, axis=0), np.sum(dout, axis=0)


def batchnorm_backward__eps_outside_sqrt(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    inv_std = 1.0 / (np.std(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / n * (n * dx_hat - np.sum(dx_hat, axis=0)
                        - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


KNOWN = [
    ("dense_forward", "missing-bias", dense_forward__missing_bias,
     "You left out the bias: a dense layer adds b to every row of xW."),
    ("dense_backward", "db-averaged", dense_backward__db_averaged,
     "You averaged dout over the batch for db; db is the sum over the batch (every sample adds "
     "its share), not the mean."),
    ("dense_backward", "dw-transposed", dense_backward__dW_transposed,
     "Your dW is transposed: it must have the shape of W, (D, M), the product of the "
     "transposed input with dout, in that order."),
    ("dense_backward", "dw-averaged", dense_backward__dW_averaged,
     "You divided dW by N; it already sums over the batch through the matrix product (any "
     "averaging belongs in the loss's gradient)."),
    ("dense_backward", "db-not-summed", dense_backward__db_not_summed,
     "You did not sum db over the batch: it must have the shape of b, (M,), dout summed over "
     "the batch axis."),
    ("dropout_mask", "keeps-with-rate", dropout_mask__keeps_with_rate,
     "You kept each element with probability rate; rate is the probability of dropping it, so "
     "an element is kept with probability 1 − rate."),
    ("dropout_forward", "not-rescaled", dropout_forward__not_rescaled,
     "You did not rescale the kept activations: inverted dropout divides them by 1 − rate so "
     "that their expected value is unchanged."),
    ("dropout_forward", "rescaled-by-rate", dropout_forward__rescaled_by_rate,
     "You divided by the drop rate; divide by the keep probability 1 − rate."),
    ("dropout_forward", "test-time-scaling", dropout_forward__test_time_scaling,
     "You multiplied by 1 − rate, the old test-time scaling; inverted dropout divides by 1 − "
     "rate during training instead."),
    ("dropout_backward", "not-rescaled", dropout_backward__not_rescaled,
     "You did not rescale the gradient: the forward pass divided by 1 − rate, so the gradient "
     "through the mask is divided by 1 − rate too."),
    ("dropout_backward", "rescaled-by-rate", dropout_backward__rescaled_by_rate,
     "You divided by the drop rate; divide by the keep probability 1 − rate."),
    ("batchnorm_forward", "ddof-one", batchnorm_forward__ddof_one,
     "You used the sample variance with N − 1; batch normalization uses the biased variance "
     "(divide by N)."),
    ("batchnorm_forward", "eps-outside-sqrt", batchnorm_forward__eps_outside_sqrt,
     "You added eps to the standard deviation, which changes features with a small variance a "
     "lot; eps goes inside the square root, √(var + eps)."),
    ("batchnorm_forward", "per-sample", batchnorm_forward__per_sample,
     "You normalized each sample over its features (that is layer norm); batch norm takes each "
     "feature's mean and variance over the batch, axis 0."),
    ("batchnorm_backward", "dx-missing-terms", batchnorm_backward__dx_missing_terms,
     "Your dx is just γ · dout / std; every x_i also moves the batch mean and variance, which "
     "adds two sums over the batch."),
    ("batchnorm_backward", "dx-missing-variance-term", batchnorm_backward__dx_missing_variance_term,
     "You left out dx's path through the variance: the term with x̂ times the batch mean of "
     "dout · x̂ is missing (the path through the mean is right)."),
    ("batchnorm_backward", "dgamma-missing-xhat", batchnorm_backward__dgamma_missing_xhat,
     "You summed dout alone for dgamma, which is dbeta; dgamma is the batch sum of dout times "
     "x̂."),
    ("batchnorm_backward", "eps-outside-sqrt", batchnorm_backward__eps_outside_sqrt,
     "You added eps to the standard deviation; it goes inside the square root, √(var + eps), "
     "exactly as in the forward pass."),
]
