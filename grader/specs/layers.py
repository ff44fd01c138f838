"""Grading spec of ``layers``: the cases of each function, then its known mistakes.

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

from grader.specs._kit import (Call, Case, EXACT, F32, F64, FD, Rng, U, central_diff,
                              registrar, repro_calls, seeds, stats)

CASES = {}
builder = registrar(CASES, "layers")


# ------------------------------------------------------------------------ cases
@builder("layers.dense_forward")
def _dense_forward(q, rng):
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 3)), U(rng, (3, 5)), U(rng, (5,)))],
             **F64),
        Case(q, "batch of 1: x (1, 2), W (2, 3)", [Call(U(rng, (1, 2)), U(rng, (2, 3)), U(rng, (3,)))], **F64),
        Case(q, "float32: x (3, 4), W (4, 2)", [Call(U(rng, (3, 4), dtype=np.float32),
                                                     U(rng, (4, 2), dtype=np.float32), U(rng, (2,), dtype=np.float32))],
             **F32),
    ]


@builder("layers.dense_backward")
def _dense_backward(q, rng):
    def fd(ref, dout, x, W):
        f = ref("layers.dense_forward")
        b = np.linspace(-0.5, 0.5, W.shape[1])
        return [(central_diff(lambda v: float(np.sum(dout * f(v, W, b))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, b))), W),
                 central_diff(lambda v: float(np.sum(dout * f(x, W, v))), b))]
    return [
        Case(q, "random non-square: x (4, 3), W (3, 5)", [Call(U(rng, (4, 5)), U(rng, (4, 3)), U(rng, (3, 5)))],
             **F64),
        Case(q, "batch of 1: x (1, 3), W (3, 2)", [Call(U(rng, (1, 2)), U(rng, (1, 3)), U(rng, (3, 2)))], **F64),
        Case(q, "float32: x (3, 2), W (2, 4)", [Call(U(rng, (3, 4), dtype=np.float32), U(rng, (3, 2), dtype=np.float32),
                                                     U(rng, (2, 4), dtype=np.float32))], **F32),
        Case(q, "finite differences of dense_forward", [Call(U(rng, (3, 2)), U(rng, (3, 4)), U(rng, (4, 2)))],
             kind="fd", fd=fd, **FD),
    ]


def _mask(rng, shape, keep=0.7):
    return rng.random(shape) < keep


@builder("layers.dropout_forward", "layers.dropout_backward")
def _dropout_apply(q, rng):
    cases = [
        Case(q, "random (4, 5), rate 0.3", [Call(U(rng, (4, 5)), _mask(rng, (4, 5)), 0.3)], **F64),
        Case(q, "rate 0 keeps everything", [Call(U(rng, (2, 3)), np.ones((2, 3), dtype=bool), 0.0)], **F64),
        Case(q, "float32 (3, 3), rate 0.5", [Call(U(rng, (3, 3), dtype=np.float32), _mask(rng, (3, 3), 0.5), 0.5)],
             **F32),
    ]
    if q.endswith("backward"):
        def fd(ref, dout, mask, rate):
            f = ref("layers.dropout_forward")
            x0 = np.linspace(-1, 1, dout.size).reshape(dout.shape)
            return [central_diff(lambda v: float(np.sum(dout * f(v, mask, rate))), x0)]
        cases.append(Case(q, "finite differences of dropout_forward",
                          [Call(U(rng, (3, 4)), _mask(rng, (3, 4)), 0.25)], kind="fd", fd=fd, **FD))
    return cases


def _low_var(rng, n, d):
    # features with a standard deviation of 1e-3 around 5: var ~1e-6 is close to eps=1e-5,
    # so an eps outside the square root (or ddof=1) changes the result visibly
    return 5.0 + 1e-3 * rng.normal(size=(n, d))


@builder("layers.batchnorm_forward")
def _bn_forward(q, rng):
    return [
        Case(q, "random (8, 4)", [Call(rng.normal(2, 3, (8, 4)), U(rng, (4,), 0.5, 2), U(rng, (4,)))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(_low_var(rng, 6, 3), U(rng, (3,), 0.5, 2), U(rng, (3,)))],
             **F64),
        Case(q, "batch of 2, eps=1e-3", [Call(rng.normal(size=(2, 3)), U(rng, (3,), 0.5, 2), U(rng, (3,)), 1e-3)],
             **F64),
        Case(q, "float32 (5, 3)", [Call(rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32), U(rng, (3,), dtype=np.float32))], **F32),
    ]


@builder("layers.batchnorm_backward")
def _bn_backward(q, rng):
    def fd(ref, dout, x, gamma, eps=1e-5):
        f = ref("layers.batchnorm_forward")
        beta = np.linspace(-0.3, 0.3, gamma.size)
        return [(central_diff(lambda v: float(np.sum(dout * f(v, gamma, beta, eps))), x),
                 central_diff(lambda v: float(np.sum(dout * f(x, v, beta, eps))), gamma),
                 central_diff(lambda v: float(np.sum(dout * f(x, gamma, v, eps))), beta))]
    return [
        Case(q, "random (6, 4)", [Call(U(rng, (6, 4)), rng.normal(1, 2, (6, 4)), U(rng, (4,), 0.5, 2))], **F64),
        Case(q, "low-variance features (std 1e-3)", [Call(U(rng, (6, 3)), _low_var(rng, 6, 3), U(rng, (3,), 0.5, 2))],
             rtol=1e-6, atol=1e-7),
        Case(q, "float32 (5, 3)", [Call(U(rng, (5, 3), dtype=np.float32), rng.normal(size=(5, 3)).astype(np.float32),
                                        U(rng, (3,), 0.5, 2, np.float32))], rtol=1e-3, atol=1e-5),
        Case(q, "finite differences of batchnorm_forward",
             [Call(U(rng, (5, 3)), rng.normal(size=(5, 3)), U(rng, (3,), 0.5, 2), 1e-5)], kind="fd", fd=fd,
             rtol=1e-5, atol=1e-7),
    ]


@builder("layers.dropout_mask")
def _dropout_mask(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "keep frequency: (400, 250), rate 0.3", [Call((400, 250), 0.3, Rng(s[0]))],
             kind="stat", judge=stats.judge_mask((400, 250), 0.7), **EXACT),
        Case(q, "keep frequency: (100000,), rate 0.8", [Call((100000,), 0.8, Rng(s[1]))],
             kind="stat", judge=stats.judge_mask((100000,), 0.2), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: ((6, 7), 0.5, r), rng),
             kind="stat", judge=stats.judge_repro((6, 7), "b"), **EXACT),
    ]


# ------------------------------------------------------------------------ known mistakes
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
     "The bias is missing: a dense layer adds b to every row of xW."),
    ("dense_backward", "db-averaged", dense_backward__db_averaged,
     "db is the sum of dout over the batch (every sample adds its share), not the mean."),
    ("dense_backward", "dw-transposed", dense_backward__dW_transposed,
     "dW must have the shape of W, (D, M): the product of the transposed input with dout, "
     "in that order."),
    ("dense_backward", "dw-averaged", dense_backward__dW_averaged,
     "dW already sums over the batch through the matrix product; it is not divided by N "
     "(any averaging belongs in the loss's gradient)."),
    ("dense_backward", "db-not-summed", dense_backward__db_not_summed,
     "db must have the shape of b, (M,): dout summed over the batch axis."),
    ("dropout_mask", "keeps-with-rate", dropout_mask__keeps_with_rate,
     "rate is the probability of dropping an element, so an element is kept with "
     "probability 1 − rate."),
    ("dropout_forward", "not-rescaled", dropout_forward__not_rescaled,
     "Inverted dropout divides the kept activations by 1 − rate so that their expected "
     "value is unchanged."),
    ("dropout_forward", "rescaled-by-rate", dropout_forward__rescaled_by_rate,
     "Divide by the keep probability 1 − rate, not by the drop rate."),
    ("dropout_forward", "test-time-scaling", dropout_forward__test_time_scaling,
     "Multiplying by 1 − rate is the old test-time scaling; inverted dropout divides by 1 "
     "− rate during training instead."),
    ("dropout_backward", "not-rescaled", dropout_backward__not_rescaled,
     "The forward pass divided by 1 − rate, so the gradient through the mask is divided by "
     "1 − rate too."),
    ("dropout_backward", "rescaled-by-rate", dropout_backward__rescaled_by_rate,
     "Divide by the keep probability 1 − rate, not by the drop rate."),
    ("batchnorm_forward", "ddof-one", batchnorm_forward__ddof_one,
     "Batch normalization uses the biased variance (divide by N), not the sample variance "
     "with N − 1."),
    ("batchnorm_forward", "eps-outside-sqrt", batchnorm_forward__eps_outside_sqrt,
     "eps goes inside the square root, √(var + eps); adding it to the standard deviation "
     "changes features with a small variance a lot."),
    ("batchnorm_forward", "per-sample", batchnorm_forward__per_sample,
     "You normalized each sample over its features (that is layer norm); batch norm takes "
     "each feature's mean and variance over the batch, axis 0."),
    ("batchnorm_backward", "dx-missing-terms", batchnorm_backward__dx_missing_terms,
     "dx is not just γ · dout / std: every x_i also moves the batch mean and variance, "
     "which adds two sums over the batch."),
    ("batchnorm_backward", "dx-missing-variance-term", batchnorm_backward__dx_missing_variance_term,
     "You included the path through the mean but not through the variance: the term with "
     "x̂ times the batch mean of dout · x̂ is missing."),
    ("batchnorm_backward", "dgamma-missing-xhat", batchnorm_backward__dgamma_missing_xhat,
     "dgamma is the batch sum of dout times x̂; you summed dout alone, which is dbeta."),
    ("batchnorm_backward", "eps-outside-sqrt", batchnorm_backward__eps_outside_sqrt,
     "eps goes inside the square root, √(var + eps), exactly as in the forward pass."),
]
