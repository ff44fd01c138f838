"""solutions.training: batching, early stopping, schedules, gradient descent, splits, search."""
import math

import numpy as np
import pytest

from solutions import training


# --- epochs, batches, iterations ---------------------------------------------------

@pytest.mark.parametrize("n, batch, expected", [
    (2000, 200, 10),  # the seed's example
    (2001, 200, 11), (1999, 200, 10), (200, 200, 1), (7, 200, 1), (1, 1, 1),
])
def test_iterations_per_epoch_is_ceiling(n, batch, expected):
    value = training.iterations_per_epoch(n, batch)
    assert value == expected
    assert isinstance(value, (int, np.integer))


def test_minibatch_indices_partition_with_smaller_last_batch(rng):
    batches = training.minibatch_indices(10, 4, rng)
    assert isinstance(batches, list)
    assert [len(b) for b in batches] == [4, 4, 2]
    for b in batches:
        assert np.asarray(b).dtype.kind in "iu"
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))


def test_minibatch_indices_exact_division(rng):
    batches = training.minibatch_indices(12, 4, rng)
    assert [len(b) for b in batches] == [4, 4, 4]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(12))


def test_minibatch_indices_batch_larger_than_data(rng):
    batches = training.minibatch_indices(5, 8, rng)
    assert len(batches) == 1
    np.testing.assert_array_equal(np.sort(batches[0]), np.arange(5))


def test_minibatch_indices_without_shuffle_is_the_identity(rng):
    batches = training.minibatch_indices(10, 4, rng, shuffle=False)
    expected = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(batches) == 3
    for got, want in zip(batches, expected):
        np.testing.assert_array_equal(got, want)


def test_minibatch_indices_shuffle_is_a_random_permutation():
    order_a = np.concatenate(training.minibatch_indices(100, 16, np.random.default_rng(5)))
    order_b = np.concatenate(training.minibatch_indices(100, 16, np.random.default_rng(6)))
    assert not np.array_equal(order_a, np.arange(100))  # identity has probability 1/100!
    assert not np.array_equal(order_a, order_b)


def test_minibatch_indices_reproducible_and_independent_of_global_state():
    np.random.seed(1)
    first = training.minibatch_indices(50, 8, np.random.default_rng(42))
    np.random.seed(2)
    second = training.minibatch_indices(50, 8, np.random.default_rng(42))
    assert len(first) == len(second) == 7
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


# --- early stopping (Keras EarlyStopping on val_loss) -------------------------------

@pytest.mark.parametrize("losses, patience, min_delta, expected", [
    # improves at 0 and 1, then two epochs without improvement: stop at 3
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6], 2, 0.0, (3, 1)),
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6], 3, 0.0, (4, 1)),
    # patience 4 waits long enough to see 0.7 improve on 0.8: never stops
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6], 4, 0.0, (6, 6)),
    # an equal loss is not an improvement
    ([1.0, 1.0, 1.0, 1.0], 2, 0.0, (2, 0)),
    # monotone improvement never stops
    ([5.0, 4.0, 3.0, 2.0, 1.0], 1, 0.0, (4, 4)),
    # never stops, but the best epoch is not the last
    ([1.0, 0.5, 0.6, 0.7], 5, 0.0, (3, 1)),
    # min_delta: 0.95 and 0.93 do not beat 1.0 - 0.1, so stop at 2 with best 0
    ([1.0, 0.95, 0.93, 0.92, 0.5], 2, 0.1, (2, 0)),
    ([1.0, 0.95, 0.93, 0.92, 0.5], 2, 0.0, (4, 4)),
    # min_delta is measured from the best loss, not from the previous epoch: 0.85 beats
    # 1.0 - 0.1 and resets the wait; 0.78, 0.77, 0.76 do not beat 0.85 - 0.1
    ([1.0, 0.95, 0.85, 0.78, 0.77, 0.76, 0.5], 3, 0.1, (5, 2)),
    # a single epoch
    ([0.3], 1, 0.0, (0, 0)),
])
def test_early_stopping_epoch_hand_sequences(losses, patience, min_delta, expected):
    got = training.early_stopping_epoch(losses, patience, min_delta=min_delta)
    assert tuple(int(v) for v in got) == expected
    got_array = training.early_stopping_epoch(np.array(losses), patience, min_delta)
    assert tuple(int(v) for v in got_array) == expected


# --- schedules and gradient descent -----------------------------------------------

@pytest.mark.parametrize("lr0, decay, iteration, expected", [
    (0.1, 0.01, 100, 0.05), (0.1, 0.01, 0, 0.1), (0.5, 0.0, 1000, 0.5), (1.0, 1.0, 3, 0.25),
])
def test_time_based_decay_hand_values(lr0, decay, iteration, expected):
    assert training.time_based_decay(lr0, decay, iteration) == pytest.approx(expected,
                                                                             rel=1e-15)


def test_gradient_descent_quadratic_matches_closed_form():
    a, b, x0, lr, steps = 2.0, 3.0, -1.0, 0.1, 12
    xs = training.gradient_descent_quadratic(a, b, x0, lr, steps)
    assert np.shape(xs) == (steps + 1,)
    # x_k - b = (1 - 2 a lr)**k (x0 - b)
    expected = b + (1 - 2 * a * lr) ** np.arange(steps + 1) * (x0 - b)
    np.testing.assert_allclose(xs, expected, rtol=1e-13)
    assert xs[0] == x0


def test_gradient_descent_quadratic_first_steps_by_hand():
    # a = 1, b = 0, x0 = 1, lr = 0.25: x <- x - 0.25 * 2 x = x / 2
    np.testing.assert_allclose(training.gradient_descent_quadratic(1.0, 0.0, 1.0, 0.25, 3),
                               [1.0, 0.5, 0.25, 0.125], rtol=1e-15)


@pytest.mark.parametrize("lr", [0.05, 0.25, 0.4, 0.49])
def test_gradient_descent_quadratic_converges_below_one_over_a(lr):
    a, b = 2.0, 3.0  # 1 / a = 0.5
    xs = training.gradient_descent_quadratic(a, b, 10.0, lr, 2000)
    assert abs(xs[-1] - b) < 1e-6


@pytest.mark.parametrize("lr", [0.51, 0.6, 1.0])
def test_gradient_descent_quadratic_diverges_above_one_over_a(lr):
    a, b = 2.0, 3.0
    with np.errstate(over="ignore", invalid="ignore"):
        xs = training.gradient_descent_quadratic(a, b, 10.0, lr, 2000)
    distance = np.abs(np.asarray(xs, dtype=np.float64) - b)
    assert not (distance[-1] < 1e3 * distance[0])  # grows (to inf is fine)
    assert np.all(distance[1:50] > distance[:49])


# --- data splits --------------------------------------------------------------------

@pytest.mark.parametrize("n, val, test, sizes", [
    (1000, 0.2, 0.1, (700, 200, 100)),
    (101, 0.15, 0.1, (76, 15, 10)),  # floor(15.15), floor(10.1)
    (10, 0.0, 0.5, (5, 0, 5)),
    (7, 0.25, 0.25, (5, 1, 1)),
])
def test_train_val_test_split_sizes_disjoint_and_covering(n, val, test, sizes, rng):
    parts = training.train_val_test_split(n, val, test, rng)
    assert tuple(len(p) for p in parts) == sizes
    for p in parts:
        assert np.asarray(p).dtype.kind in "iu"
    everything = np.concatenate([np.asarray(p, dtype=np.int64) for p in parts])
    assert len(np.unique(everything)) == n  # disjoint
    np.testing.assert_array_equal(np.sort(everything), np.arange(n))  # covering


def test_train_val_test_split_is_random():
    a = training.train_val_test_split(200, 0.2, 0.2, np.random.default_rng(1))
    b = training.train_val_test_split(200, 0.2, 0.2, np.random.default_rng(2))
    assert not np.array_equal(np.sort(a[2]), np.arange(160, 200))  # not a fixed tail
    assert not np.array_equal(np.sort(a[2]), np.arange(40))  # nor a fixed head
    assert not np.array_equal(np.sort(a[2]), np.sort(b[2]))


def test_train_val_test_split_reproducible_and_independent_of_global_state():
    np.random.seed(1)
    first = training.train_val_test_split(60, 0.2, 0.3, np.random.default_rng(9))
    np.random.seed(2)
    second = training.train_val_test_split(60, 0.2, 0.3, np.random.default_rng(9))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


# --- random search --------------------------------------------------------------------

def test_log_uniform_log_is_uniform(rng):
    x = training.log_uniform(1e-5, 1e-1, 40000, rng)
    assert np.shape(x) == (40000,) and np.asarray(x).dtype.kind == "f"
    assert x.min() >= 1e-5 and x.max() <= 1e-1
    counts, _ = np.histogram(np.log10(x), bins=4, range=(-5, -1))
    # a quarter per decade (standard error 0.0022); plain uniform would put 90 % in the last
    np.testing.assert_allclose(counts / x.size, 0.25, atol=0.015)
    assert abs(np.mean(np.log10(x)) - (-3.0)) < 0.03  # s.e. 1.155 / 200 = 0.0058


def test_log_uniform_with_non_decade_bounds(rng):
    x = training.log_uniform(2.0, 32.0, 40000, rng)  # log2 uniform on [1, 5]
    counts, _ = np.histogram(np.log2(x), bins=4, range=(1, 5))
    np.testing.assert_allclose(counts / x.size, 0.25, atol=0.015)


def test_log_uniform_reproducible_and_independent_of_global_state():
    np.random.seed(1)
    first = training.log_uniform(1e-4, 1.0, 100, np.random.default_rng(4))
    np.random.seed(2)
    second = training.log_uniform(1e-4, 1.0, 100, np.random.default_rng(4))
    np.testing.assert_array_equal(first, second)
    other = training.log_uniform(1e-4, 1.0, 100, np.random.default_rng(5))
    assert not np.array_equal(first, other)


def test_log_uniform_mean_of_log_is_midpoint():
    x = training.log_uniform(math.e ** -6, math.e ** -2, 40000, np.random.default_rng(13))
    assert abs(np.mean(np.log(x)) - (-4.0)) < 0.03  # s.e. 1.155 / 200
