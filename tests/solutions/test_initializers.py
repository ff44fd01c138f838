"""solutions.initializers: judged by distribution, shape and dtype (CONTRACT.md).

Every statistical tolerance is at least six standard errors of the statistic for the
sample size used, so a correct implementation fails with negligible probability for any
seed; the seed is fixed anyway, so the suite is deterministic.
"""
import math

import numpy as np
import pytest

from solutions import initializers as init

N_BIG = (250, 400)  # 1e5 samples


def _normal_shape_checks(x, mean, std):
    z = (x - mean) / std
    # P(|Z| < 1) = 0.6827 (standard error 0.0015 at 1e5), P(|Z| > 2) = 0.0455 (0.0007):
    # a uniform or a truncated normal with the same std fails one of these.
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01
    assert abs(np.mean(np.abs(z) > 2) - 0.0455) < 0.005


def _uniform_shape_checks(x, low, high):
    assert x.min() >= low and x.max() <= high
    width = high - low
    # the extremes come within 0.2 % of the bounds: P(miss) = 0.998**n, negligible
    assert x.min() < low + 0.002 * width and x.max() > high - 0.002 * width
    counts, _ = np.histogram(x, bins=10, range=(low, high))
    # each bin holds 10 % of the samples; standard error <= 0.0013 at n >= 6e4
    np.testing.assert_allclose(counts / x.size, 0.1, atol=0.01)


def test_random_normal_mean_std_and_shape(rng):
    x = init.random_normal(N_BIG, rng, mean=1.5, stddev=0.5)
    assert x.shape == N_BIG and x.dtype.kind == "f"
    # standard errors: mean 0.0016, std 0.0011
    assert abs(x.mean() - 1.5) < 0.01
    assert abs(x.std() - 0.5) < 0.01
    _normal_shape_checks(x, 1.5, 0.5)


def test_random_normal_defaults(rng):
    x = init.random_normal((400, 250), rng)
    # defaults mean 0, stddev 0.05: standard errors 1.6e-4 and 1.1e-4
    assert abs(x.mean()) < 1e-3
    assert abs(x.std() - 0.05) < 1e-3


def test_random_uniform_bounds_moments_and_shape(rng):
    x = init.random_uniform(N_BIG, rng, minval=-2.0, maxval=3.0)
    assert x.shape == N_BIG and x.dtype.kind == "f"
    # mean 0.5 (standard error 0.0046), variance 25 / 12 (std 1.443, s.e. 0.0029)
    assert abs(x.mean() - 0.5) < 0.03
    assert abs(x.std() - 5 / math.sqrt(12)) < 0.02
    _uniform_shape_checks(x, -2.0, 3.0)


def test_random_uniform_defaults(rng):
    x = init.random_uniform((300, 300), rng)
    _uniform_shape_checks(x, -0.05, 0.05)


def test_glorot_uniform_limit_and_shape(rng):
    x = init.glorot_uniform(300, 200, rng)
    assert x.shape == (300, 200) and x.dtype.kind == "f"  # (fan_in, fan_out), not transposed
    limit = math.sqrt(6 / (300 + 200))
    _uniform_shape_checks(x, -limit, limit)
    # relative standard error of the std of a uniform: sqrt(0.8 / (4 n)) = 0.0018
    assert abs(x.std() / (limit / math.sqrt(3)) - 1) < 0.02
    assert abs(x.mean()) < 0.02 * limit


def test_he_normal_std_and_shape(rng):
    x = init.he_normal(400, 250, rng)
    assert x.shape == (400, 250) and x.dtype.kind == "f"
    std = math.sqrt(2 / 400)  # depends on fan_in only
    # relative standard error of the std: 1 / sqrt(2 n) = 0.0022
    assert abs(x.std() / std - 1) < 0.02
    assert abs(x.mean()) < 0.02 * std
    _normal_shape_checks(x, 0.0, std)


def test_he_normal_std_uses_fan_in_not_fan_out(rng):
    x = init.he_normal(50, 2000, rng)
    assert x.shape == (50, 2000)
    assert abs(x.std() / math.sqrt(2 / 50) - 1) < 0.02


INITIALIZERS = {
    "random_normal": lambda rng: init.random_normal((30, 20), rng),
    "random_uniform": lambda rng: init.random_uniform((30, 20), rng),
    "glorot_uniform": lambda rng: init.glorot_uniform(30, 20, rng),
    "he_normal": lambda rng: init.he_normal(30, 20, rng),
}


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_reproducible_from_rng_seed(name):
    draw = INITIALIZERS[name]
    np.testing.assert_array_equal(draw(np.random.default_rng(7)),
                                  draw(np.random.default_rng(7)))
    assert not np.array_equal(draw(np.random.default_rng(7)), draw(np.random.default_rng(8)))


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_ignores_global_random_state(name):
    draw = INITIALIZERS[name]
    np.random.seed(1)
    first = draw(np.random.default_rng(11))
    np.random.seed(2)
    second = draw(np.random.default_rng(11))
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_draws_advance_the_rng(name):
    """Two calls with the same generator give fresh draws, not a reseeded copy."""
    rng = np.random.default_rng(3)
    draw = INITIALIZERS[name]
    assert not np.array_equal(draw(rng), draw(rng))
