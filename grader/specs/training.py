"""Grading spec of ``training``: the cases of each function, then its known mistakes.

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

from grader.specs._kit import Call, Case, EXACT, F64, Rng, registrar, repro_calls, seeds, stats

CASES = {}
builder = registrar(CASES, "training")


# ------------------------------------------------------------------------ cases
@builder("training.iterations_per_epoch")
def _iters(q, rng):
    return [
        Case(q, "2000 samples, batch 200 (the notes)", [Call(2000, 200)], **EXACT),
        Case(q, "a partial last batch: 2001 samples, batch 200", [Call(2001, 200)], **EXACT),
        Case(q, "batch larger than the data: 5 samples, batch 10", [Call(5, 10)], **EXACT),
        Case(q, "batch of 1: 7 samples", [Call(7, 1)], **EXACT),
    ]


@builder("training.minibatch_indices")
def _minibatch(q, rng):
    s = seeds(rng, 1)
    return [
        Case(q, "shuffle=False: 10 samples, batch 4", [Call(10, 4, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffle=False: 9 samples, batch 3 (no partial batch)", [Call(9, 3, Rng(s[0]), False)], **EXACT),
        Case(q, "shuffled: 1000 samples, batch 64", [Call(1000, 64, Rng(s[0]), True)],
             kind="stat", judge=stats.judge_minibatches(1000, 64), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (50, 8, r, True), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.early_stopping_epoch")
def _early(q, rng):
    noisy = [float(v) for v in np.round(1.0 / np.arange(1, 13) + rng.uniform(0, 0.05, 12), 6)]
    return [
        Case(q, "stops after patience 2", [Call([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.6], 2)], **EXACT),
        Case(q, "never stops: stop at the last epoch", [Call([0.9, 0.8, 0.7, 0.6], 3)], **EXACT),
        Case(q, "min_delta 0.05 ignores small improvements", [Call([1.0, 0.97, 0.96, 0.9, 0.89, 0.88], 2, 0.05)],
             **EXACT),
        Case(q, "patience 1, equal losses do not improve", [Call([0.5, 0.5, 0.4, 0.4], 1)], **EXACT),
        Case(q, "noisy decreasing curve, patience 3", [Call(noisy, 3)], **EXACT),
        Case(q, "the count restarts after every improvement (patience 2)",
             [Call([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7, 0.75, 0.6], 2)], **EXACT),
    ]


@builder("training.time_based_decay")
def _decay(q, rng):
    return [
        Case(q, "lr0 0.1, decay 0.01, iteration 10", [Call(0.1, 0.01, 10)], **F64),
        Case(q, "iteration 0 gives lr0", [Call(0.05, 0.5, 0)], **F64),
        Case(q, "several iterations", [Call(0.3, 1e-3, k) for k in (1, 100, 1000, 12345)], **F64),
    ]


@builder("training.gradient_descent_quadratic")
def _gdq(q, rng):
    return [
        Case(q, "converging: a 2, b 3, x0 0, lr 0.1, 10 steps", [Call(2.0, 3.0, 0.0, 0.1, 10)], **F64),
        Case(q, "diverging: lr above 1/a", [Call(1.0, -1.0, 2.0, 1.5, 8)], **F64),
        Case(q, "0 steps returns [x0]", [Call(0.5, 1.0, 4.0, 0.1, 0)], **F64),
        Case(q, "random a, b, x0", [Call(float(rng.uniform(0.5, 3)), float(rng.uniform(-2, 2)),
                                         float(rng.uniform(-5, 5)), 0.2, 6)], **F64),
    ]


@builder("training.train_val_test_split")
def _split(q, rng):
    s = seeds(rng, 2)
    return [
        Case(q, "1000 samples, val 0.15, test 0.2", [Call(1000, 0.15, 0.2, Rng(s[0]))],
             kind="stat", judge=stats.judge_split(1000, 0.15, 0.2), **EXACT),
        Case(q, "floor of the sizes: 103 samples, val 0.19, test 0.27", [Call(103, 0.19, 0.27, Rng(s[1]))],
             kind="stat", judge=stats.judge_split(103, 0.19, 0.27), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (40, 0.2, 0.2, r), rng),
             kind="stat", judge=stats.judge_repro(None, "i"), **EXACT),
    ]


@builder("training.log_uniform")
def _log_uniform(q, rng):
    s = seeds(rng, 1)
    lo, hi = 1e-5, 1e-1
    return [
        Case(q, "distribution: 60000 samples on [1e-5, 1e-1]", [Call(lo, hi, 60000, Rng(s[0]))],
             kind="stat", judge=stats.judge_log_uniform(lo, hi, 60000), **EXACT),
        Case(q, "reproducible from rng, no global np.random", repro_calls(lambda r: (1e-3, 1.0, 7, r), rng),
             kind="stat", judge=stats.judge_repro((7,)), **EXACT),
    ]


# ------------------------------------------------------------------------ known mistakes
def iterations_per_epoch__floor(n_samples, batch_size):
    return n_samples // batch_size


def iterations_per_epoch__always_plus_one(n_samples, batch_size):
    return n_samples // batch_size + 1


def minibatch_indices__drops_last_batch(n_samples, batch_size, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    last_start = n_samples - batch_size
    return [order[i:i + batch_size] for i in range(0, last_start + 1, batch_size)]


def minibatch_indices__ignores_shuffle(n_samples, batch_size, rng, shuffle=True):
    order = rng.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatch_indices__array_split(n_samples, batch_size, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return np.array_split(order, -(-n_samples // batch_size))


def early_stopping_epoch__off_by_one(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def early_stopping_epoch__less_or_equal(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def early_stopping_epoch__one_based(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def early_stopping_epoch__wait_not_reset(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def time_based_decay__exponential(lr0, decay, iteration):
    return float(lr0 * decay ** iteration)


def time_based_decay__missing_parentheses(lr0, decay, iteration):
    return float(lr0 / 1 + decay * iteration)


def gradient_descent_quadratic__missing_two(a, b, x0, lr, steps):
    xs = [float(x0)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * a * (xs[-1] - b))
    return np.array(xs)


def gradient_descent_quadratic__excludes_start(a, b, x0, lr, steps):
    xs = []
    x = float(x0)
    for _ in range(steps):
        x = x - lr * 2 * a * (x - b)
        xs.append(x)
    return np.array(xs)


def train_val_test_split__rounds(n_samples, val_fraction, test_fraction, rng):
    order = rng.permutation(n_samples)
    n_test = int(round(n_samples * test_fraction))
    n_val = int(round(n_samples * val_fraction))
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]


def train_val_test_split__not_shuffled(n_samples, val_fraction, test_fraction, rng):
    order = np.arange(n_samples)
    n_test = int(np.floor(n_samples * test_fraction + 1e-9))
    n_val = int(np.floor(n_samples * val_fraction + 1e-9))
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]


def log_uniform__uniform(low, high, size, rng):
    return rng.uniform(low, high, size=size)


def log_uniform__mixed_log_bases(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log(low), np.log(high), size=size)


KNOWN = [
    ("iterations_per_epoch", "floor", iterations_per_epoch__floor,
     "A last, smaller batch is still an iteration, so round the division up, not down."),
    ("iterations_per_epoch", "always-plus-one", iterations_per_epoch__always_plus_one,
     "Adding one to the floor is one too many when batch_size divides n_samples; round the "
     "division up instead."),
    ("minibatch_indices", "drops-last-batch", minibatch_indices__drops_last_batch,
     "The last, smaller batch is missing; every sample is used in the epoch, so keep the "
     "remainder as a final batch."),
    ("minibatch_indices", "ignores-shuffle", minibatch_indices__ignores_shuffle,
     "With shuffle off the order must be the identity 0, 1, ..., n − 1; permute only when "
     "shuffle is on."),
    ("minibatch_indices", "array-split", minibatch_indices__array_split,
     "Your batches are balanced in size; every batch but the last must have exactly "
     "batch_size indices."),
    ("early_stopping_epoch", "off-by-one", early_stopping_epoch__off_by_one,
     "Your stop epoch is one too late: training stops at the epoch where the count of "
     "epochs without improvement reaches patience."),
    ("early_stopping_epoch", "less-or-equal", early_stopping_epoch__less_or_equal,
     "A loss equal to the best is not an improvement: it must be lower than the best by "
     "more than min_delta."),
    ("early_stopping_epoch", "one-based", early_stopping_epoch__one_based,
     "Return 0-based epoch numbers (positions in val_losses), not the 1-based numbers "
     "Keras prints."),
    ("early_stopping_epoch", "wait-not-reset", early_stopping_epoch__wait_not_reset,
     "Reset the count of epochs without improvement to 0 whenever the loss improves; "
     "patience counts epochs in a row."),
    ("time_based_decay", "exponential", time_based_decay__exponential,
     "You decayed exponentially (lr0 times decayᵗ); time-based decay divides lr0 by 1 + "
     "decay · iteration."),
    ("time_based_decay", "missing-parentheses", time_based_decay__missing_parentheses,
     "Operator precedence: you divided lr0 by 1 and then added decay · iteration; the "
     "whole 1 + decay · iteration is the denominator."),
    ("gradient_descent_quadratic", "missing-two", gradient_descent_quadratic__missing_two,
     "The derivative of a(x − b)² is 2a(x − b); the factor 2 is missing."),
    ("gradient_descent_quadratic", "excludes-start", gradient_descent_quadratic__excludes_start,
     "Return steps + 1 values: the starting point x0 followed by every iterate."),
    ("train_val_test_split", "rounds", train_val_test_split__rounds,
     "The validation and test sizes are rounded down, floor(n_samples · fraction); "
     "rounding to nearest gives one more when the fractional part is 0.5 or above."),
    ("train_val_test_split", "not-shuffled", train_val_test_split__not_shuffled,
     "The split must be random: cut the index sets from a random permutation, not from 0, "
     "1, ..., n − 1 in order."),
    ("log_uniform", "uniform", log_uniform__uniform,
     "Sample the logarithm uniformly between log(low) and log(high) and exponentiate; a "
     "plain uniform puts almost every sample near high."),
    ("log_uniform", "mixed-log-bases", log_uniform__mixed_log_bases,
     "You took natural logs of the bounds but exponentiated base 10 (or the reverse); use "
     "the same base both ways."),
]
