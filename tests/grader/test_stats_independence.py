"""Non-random or dependent output with the right marginal distribution fails its function.

Each fake below gets the distribution (or the frequency, or the set of indices) right
but is not independent; it must fail one of its function's statistical cases for every
seed 1..20. (The reference passes these cases for many seeds: test_compare.py.)
"""

import math

import numpy as np
import pytest

from grader.specs import cases_for
from grader.values import to_returned


def _row_mask(shape, rate, rng):           # one random row reused for the whole batch
    shape = tuple(np.atleast_1d(shape))
    return np.broadcast_to(rng.random(shape[-1]) < 1 - rate, shape).copy()


def _block_mask(shape, rate, rng):         # the first k elements, rolled by the rng
    n = int(np.prod(shape))
    m = np.zeros(n, bool)
    m[:int(round(n * (1 - rate)))] = True
    return np.roll(m, int(rng.integers(n))).reshape(shape)


def _interleaved(n, rng):                  # 0, n-1, 1, n-2, ... with one random swap
    order = np.empty(n, dtype=np.int64)
    order[0::2] = np.arange((n + 1) // 2)
    order[1::2] = np.arange(n - 1, (n + 1) // 2 - 1, -1)
    i, j = rng.integers(n, size=2)
    order[[i, j]] = order[[j, i]]
    return order


def _fake_minibatches(n_samples, batch_size, rng, shuffle=True):
    idx = _interleaved(n_samples, rng) if shuffle else np.arange(n_samples)
    return [idx[k:k + batch_size] for k in range(0, n_samples, batch_size)]


def _fake_split(n_samples, val_fraction, test_fraction, rng):
    nt, nv = math.floor(n_samples * test_fraction), math.floor(n_samples * val_fraction)
    order = _interleaved(n_samples, rng)
    return order[nt + nv:], order[nt:nt + nv], order[:nt]


def _normal_quantiles(n):
    from statistics import NormalDist

    dist = NormalDist()
    return np.array([dist.inv_cdf((k + 0.5) / n) for k in range(n)])


def _fake_normal(shape, rng, mean=0.0, stddev=0.05):   # sorted quantiles, rolled
    n = int(np.prod(shape))
    return (mean + stddev * np.roll(_normal_quantiles(n), int(rng.integers(n)))).reshape(shape)


def _row_normal(shape, rng, mean=0.0, stddev=0.05):    # one random row for every row
    shape = tuple(shape)
    return np.broadcast_to(rng.normal(mean, stddev, shape[-1]), shape).copy()


def _fake_log_uniform(low, high, size, rng):           # evenly spaced in log, rolled
    n = int(np.prod(size))
    grid = np.exp(np.log(low) + (np.arange(n) + 0.5) / n * (np.log(high) - np.log(low)))
    return np.roll(grid, int(rng.integers(n))).reshape(size)


def _sorted_log_uniform(low, high, size, rng):         # the right samples, sorted
    x = rng.uniform(np.log(low), np.log(high), size=size)
    return np.exp(np.sort(x))


FAKES = [
    ("layers.dropout_mask", _row_mask), ("layers.dropout_mask", _block_mask),
    ("training.minibatch_indices", _fake_minibatches),
    ("training.train_val_test_split", _fake_split),
    ("initializers.random_normal", _fake_normal), ("initializers.random_normal", _row_normal),
    ("training.log_uniform", _fake_log_uniform), ("training.log_uniform", _sorted_log_uniform),
]


@pytest.mark.parametrize("qualname, fake", FAKES, ids=[f.__name__ for _, f in FAKES])
def test_stats_dependent_fake_fails_for_every_seed(qualname, fake):
    for seed in range(1, 21):
        problems = []
        for case in cases_for(qualname, seed):
            if case.kind != "stat":
                continue
            outs = case.run(lambda call: to_returned(fake(*call.materialize())))
            problem = case.judge(outs, None)
            if problem is not None:
                problems.append(problem.text)
        assert problems, f"{fake.__name__} passed every statistical case for seed {seed}"


@pytest.mark.parametrize("qualname, fake, sentence", [
    ("layers.dropout_mask", _block_mask, "share of equal pairs among"),
    ("training.minibatch_indices", _fake_minibatches,
     "share of neighbouring positions (2i, 2i+1) holding increasing indices: 1.0000, expected 0.5000"),
    ("training.train_val_test_split", _fake_split,
     "share of test_idx in the middle half [250, 750) of range(1000): 0.0000, expected 0.5000"),
    ("initializers.random_normal", _fake_normal,
     "share of neighbouring samples (x[2i], x[2i+1]) in increasing order: 1.0000, expected 0.5000"),
])
def test_stats_independence_failure_says_what_is_wrong(qualname, fake, sentence):
    case = next(c for c in cases_for(qualname, 3) if c.kind == "stat")
    problem = case.judge(case.run(lambda call: to_returned(fake(*call.materialize()))), None)
    assert problem is not None and sentence in problem.text, problem and problem.text
    assert "(a correct implementation exceeds that with probability below 1e-7)" in problem.text


def test_stats_row_mask_is_named_by_the_row_test():
    from grader.stats import mask_independence

    rng = np.random.default_rng(5)
    row = np.broadcast_to(rng.random(250) >= 0.3, (400, 250)).copy()
    problem = mask_independence(row, 0.7)
    assert problem.text.startswith("share of equal pairs among rows i and i+200: 1.0000, expected 0.5800")
    assert mask_independence(np.random.default_rng(5).random((400, 250)) >= 0.3, 0.7) is None
