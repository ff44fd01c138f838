"""Known mistakes of ``training``: the wrong versions students really write, with hints.

The cases of these functions are in ``grader/specs/training.py``; this file holds the
wrong versions as code (each the reference with one thing changed), so a student
release leaves it out and diagnoses from their recorded outputs instead (see
``grader.specs.known`` and ``grader.recorded_mistakes``).
"""

from __future__ import annotations

import numpy as np


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
     "You rounded the division down; a last, smaller batch is still an iteration, so round it "
     "up."),
    ("iterations_per_epoch", "always-plus-one", iterations_per_epoch__always_plus_one,
     "You added one to the floor, which is one too many when batch_size divides n_samples; "
     "round the division up instead."),
    ("minibatch_indices", "drops-last-batch", minibatch_indices__drops_last_batch,
     "You dropped the last, smaller batch; every sample is used in the epoch, so keep the "
     "remainder as a final batch."),
    ("minibatch_indices", "ignores-shuffle", minibatch_indices__ignores_shuffle,
     "You permuted the indices with shuffle off too; then the order must be the identity 0, 1, "
     "..., n − 1: permute only when shuffle is on."),
    ("minibatch_indices", "array-split", minibatch_indices__array_split,
     "Your batches are balanced in size; every batch but the last must have exactly batch_size "
     "indices."),
    ("early_stopping_epoch", "off-by-one", early_stopping_epoch__off_by_one,
     "Your stop epoch is one too late: training stops at the epoch where the count of epochs "
     "without improvement reaches patience."),
    ("early_stopping_epoch", "less-or-equal", early_stopping_epoch__less_or_equal,
     "You counted a loss equal to the best as an improvement; it must be lower than the best "
     "by more than min_delta."),
    ("early_stopping_epoch", "one-based", early_stopping_epoch__one_based,
     "You returned the 1-based epoch numbers Keras prints; the contract's epochs are 0-based "
     "(positions in val_losses)."),
    ("early_stopping_epoch", "wait-not-reset", early_stopping_epoch__wait_not_reset,
     "You never reset the wait count to 0 when the loss improved; patience counts epochs "
     "without improvement in a row."),
    ("time_based_decay", "exponential", time_based_decay__exponential,
     "You decayed exponentially (lr0 times decayᵗ); time-based decay divides lr0 by 1 + decay "
     "· iteration."),
    ("time_based_decay", "missing-parentheses", time_based_decay__missing_parentheses,
     "You divided lr0 by 1 and then added decay · iteration (operator precedence); the whole 1 "
     "+ decay · iteration is the denominator."),
    ("gradient_descent_quadratic", "missing-two", gradient_descent_quadratic__missing_two,
     "You left out the factor 2: the derivative of a(x − b)² is 2a(x − b)."),
    ("gradient_descent_quadratic", "excludes-start", gradient_descent_quadratic__excludes_start,
     "You left out the starting point x0; the result has steps + 1 values, x0 followed by "
     "every iterate."),
    ("train_val_test_split", "rounds", train_val_test_split__rounds,
     "You rounded the validation and test sizes to nearest, which gives one more when the "
     "fractional part is 0.5 or above; round them down, floor(n_samples · fraction)."),
    ("train_val_test_split", "not-shuffled", train_val_test_split__not_shuffled,
     "You cut the split from 0, 1, ..., n − 1 in order; the split must be random: cut the "
     "index sets from a random permutation."),
    ("log_uniform", "uniform", log_uniform__uniform,
     "You sampled uniformly between low and high, which puts almost every sample near high; "
     "sample the logarithm uniformly between log(low) and log(high) and exponentiate."),
    ("log_uniform", "mixed-log-bases", log_uniform__mixed_log_bases,
     "You mixed log bases: natural logs of the bounds but exponentiated base 10 (or the "
     "reverse); use the same base both ways."),
]
