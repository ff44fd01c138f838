"""Training loop arithmetic: epochs (에포크), batch size (배치 크기) and iterations
(이터레이션 / 스텝), early stopping (조기 종료), learning-rate (학습률) decay and search,
and splitting the data into training, validation (검증) and test (테스트) sets.

An epoch is one pass over all the data; with 2000 samples and a batch size of 200 it takes
10 iterations, one parameter update each. Batch gradient descent uses the whole data per
update, stochastic gradient descent (확률적 경사 하강법) one sample, mini-batch gradient
descent (미니 배치 경사 하강법) a batch.
"""

import math

import numpy as np


def _check_positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def iterations_per_epoch(n_samples, batch_size):
    """
    The number of iterations (parameter updates) in one epoch: ceil(n_samples / batch_size),
    because a last, smaller batch still counts as an iteration.

    Inputs:
    - n_samples: int >= 1, the size of the training set.
    - batch_size: int >= 1.

    Returns:
    - iterations: int (2000 samples with batch size 200 -> 10).
    """
    n = _check_positive_int("n_samples", n_samples)
    b = _check_positive_int("batch_size", batch_size)
    return -(-n // b)


def minibatch_indices(n_samples, batch_size, rng, shuffle=True):
    """
    Index arrays of the mini-batches of one epoch: a permutation of range(n_samples) (the
    identity when shuffle is False) cut into consecutive batches of batch_size; only the
    last batch may be smaller.

    Inputs:
    - n_samples: int >= 1.
    - batch_size: int >= 1.
    - rng: numpy.random.Generator, used only when shuffle is True.
    - shuffle: bool.

    Returns:
    - batches: list of ceil(n_samples / batch_size) integer arrays.
    """
    n = _check_positive_int("n_samples", n_samples)
    b = _check_positive_int("batch_size", batch_size)
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[start:start + b] for start in range(0, n, b)]


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    """
    Where Keras ``EarlyStopping(monitor="val_loss", patience, min_delta)`` stops, and which
    epoch's weights ``restore_best_weights`` brings back. An epoch improves when its loss
    is < best - min_delta (the first epoch always improves); training stops at the epoch at
    which ``patience`` epochs in a row have not improved. If that never happens, training
    runs to the end.

    Inputs:
    - val_losses: sequence of floats, the validation loss of each epoch (at least one).
    - patience: int >= 1.
    - min_delta: float >= 0, the smallest decrease that counts as an improvement.

    Returns a tuple of:
    - stop_epoch: int, 0-based epoch at which training stops (len(val_losses) - 1 if it
      never stops early).
    - best_epoch: int, 0-based epoch of the last improvement before the stop (the epoch
      whose weights ``restore_best_weights`` restores). With min_delta > 0 this is not
      always the epoch with the lowest loss: a later epoch whose loss is lower by less than
      min_delta does not improve, so it does not count.
    """
    losses = [float(v) for v in val_losses]
    if not losses:
        raise ValueError("val_losses must hold at least one epoch's loss")
    patience = _check_positive_int("patience", patience)
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(losses) - 1, best_epoch


def time_based_decay(lr0, decay, iteration):
    """
    Time-based learning-rate decay (the ``decay`` argument of the course notes' Keras
    optimizers): lr0 / (1 + decay * iteration).

    Inputs:
    - lr0: float, the initial learning rate.
    - decay: float >= 0.
    - iteration: int >= 0, the number of updates done so far.

    Returns:
    - lr: float.
    """
    return float(lr0 / (1.0 + decay * iteration))


def gradient_descent_quadratic(a, b, x0, lr, steps):
    """
    Gradient descent on f(x) = a (x - b)**2: x <- x - lr * 2a (x - b), repeated ``steps``
    times. With a > 0 it converges for lr < 1/a (oscillating around b when
    1/(2a) < lr < 1/a) and diverges for lr > 1/a.

    Inputs:
    - a: float > 0, the curvature.
    - b: float, the minimiser.
    - x0: float, the starting point.
    - lr: float > 0, the learning rate.
    - steps: int >= 0, the number of updates.

    Returns:
    - xs: float64 array (steps + 1,), x0 and every iterate after it.
    """
    xs = np.empty(int(steps) + 1, dtype=np.float64)
    xs[0] = x = float(x0)
    # A diverging run is a valid answer (the point of the exercise): let it reach inf.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, int(steps) + 1):
            x = x - lr * 2.0 * a * (x - b)
            xs[k] = x
    return xs


def train_val_test_split(n_samples, val_fraction, test_fraction, rng):
    """
    A random split of range(n_samples) into disjoint training, validation and test index
    sets.

    Inputs:
    - n_samples: int >= 1.
    - val_fraction: float in [0, 1), the share for validation.
    - test_fraction: float in [0, 1), the share for testing; val + test < 1.
    - rng: numpy.random.Generator.

    Returns a tuple of integer arrays:
    - train_idx: the rest.
    - val_idx: floor(n_samples * val_fraction) indices.
    - test_idx: floor(n_samples * test_fraction) indices.
    """
    n = _check_positive_int("n_samples", n_samples)
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            f"val_fraction and test_fraction must be in [0, 1) with a sum below 1, "
            f"got {val_fraction!r} and {test_fraction!r}"
        )
    order = rng.permutation(n)
    n_test = math.floor(n * test_fraction)
    n_val = math.floor(n * val_fraction)
    test_idx = order[:n_test]
    val_idx = order[n_test:n_test + n_val]
    train_idx = order[n_test + n_val:]
    return train_idx, val_idx, test_idx


def log_uniform(low, high, size, rng):
    """
    Log-uniform samples on [low, high]: their logarithm is uniform on [log low, log high]
    (scipy's ``reciprocal``), the usual way to draw learning rates for a random search, so
    that 1e-4..1e-3 is as likely as 1e-2..1e-1.

    Inputs:
    - low: float > 0.
    - high: float > low.
    - size: int or tuple of ints, the output shape.
    - rng: numpy.random.Generator.

    Returns:
    - samples: float64 array of shape ``size``.
    """
    if not 0 < low < high:
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low!r}, high={high!r}")
    return np.exp(rng.uniform(np.log(low), np.log(high), size=size))
