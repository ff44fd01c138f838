"""solutions.layers: dense, dropout and batch normalisation."""
import numpy as np
import pytest

from solutions import layers
from solutions_helpers import (
    assert_matches_finite_differences, no_numeric_warnings, numerical_gradient,
)


def _batchnorm_oracle(x, gamma, beta, eps=1e-5):
    """Training-mode batch norm written out in the test: biased variance over axis 0."""
    mu = x.sum(axis=0) / x.shape[0]
    var = ((x - mu) ** 2).sum(axis=0) / x.shape[0]
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


# --- dense ------------------------------------------------------------------------

def test_dense_forward_hand_value():
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([0.5, -1.0, 0.0])
    np.testing.assert_allclose(layers.dense_forward(x, W, b), [[9.5, 11.0, 15.0]],
                               rtol=1e-15)


def test_dense_backward_hand_value():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    dout = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 1.0]])
    dx, dW, db = layers.dense_backward(dout, x, W)
    np.testing.assert_allclose(dx, dout @ W.T, rtol=1e-15)
    np.testing.assert_allclose(dW, [[1.0, 6.0, 3.0], [2.0, -2.0, -1.0]], rtol=1e-15)
    np.testing.assert_allclose(db, [1.0, 2.0, 1.0], rtol=1e-15)


@pytest.mark.parametrize("n, d, m", [(1, 3, 2), (4, 2, 5), (3, 3, 3)])
def test_dense_backward_matches_finite_differences(n, d, m, rng):
    x = rng.normal(size=(n, d))
    W = rng.normal(size=(d, m))
    b = rng.normal(size=m)
    dout = rng.normal(size=(n, m))

    def loss(x_, W_, b_):  # L = sum(dout * y): its gradient w.r.t. y is dout
        return np.sum(dout * (x_ @ W_ + b_))

    dx, dW, db = layers.dense_backward(dout, x, W)
    assert (dx.shape, dW.shape, db.shape) == ((n, d), (d, m), (m,))
    assert_matches_finite_differences(dx, numerical_gradient(lambda v: loss(v, W, b), x))
    assert_matches_finite_differences(dW, numerical_gradient(lambda v: loss(x, v, b), W))
    assert_matches_finite_differences(db, numerical_gradient(lambda v: loss(x, W, v), b))


# --- dropout ----------------------------------------------------------------------

def test_dropout_mask_keep_rate_and_dtype(rng):
    mask = layers.dropout_mask((200, 500), 0.3, rng)
    assert mask.shape == (200, 500)
    assert mask.dtype == np.bool_
    # 1e5 Bernoulli(0.7) draws: standard error 0.00145, the tolerance is ~7 of them.
    assert abs(mask.mean() - 0.7) < 0.01


def test_dropout_mask_rate_zero_keeps_everything(rng):
    assert layers.dropout_mask((7, 3), 0.0, rng).all()


def test_dropout_mask_reproducible_and_independent_of_global_state():
    np.random.seed(1)
    first = layers.dropout_mask((50, 40), 0.5, np.random.default_rng(123))
    np.random.seed(2)
    second = layers.dropout_mask((50, 40), 0.5, np.random.default_rng(123))
    np.testing.assert_array_equal(first, second)
    other = layers.dropout_mask((50, 40), 0.5, np.random.default_rng(124))
    assert not np.array_equal(first, other)


def test_dropout_forward_hand_value():
    x = np.array([[1.0, 2.0], [3.0, -4.0]])
    mask = np.array([[True, False], [True, True]])
    np.testing.assert_allclose(layers.dropout_forward(x, mask, 0.5),
                               [[2.0, 0.0], [6.0, -8.0]], rtol=1e-15)


def test_dropout_forward_preserves_expectation(rng):
    """Inverted dropout: E[dropout(x)] = x, so no rescaling is needed at test time."""
    x = np.full((400, 250), 3.0)
    out = layers.dropout_forward(x, layers.dropout_mask(x.shape, 0.25, rng), 0.25)
    # mean of 1e5 values 4 * Bernoulli(0.75): standard error 0.0055 (tolerance ~9 of them)
    assert abs(out.mean() - 3.0) < 0.05


def test_dropout_backward_hand_value():
    dout = np.array([[1.0, 1.0, -2.0]])
    mask = np.array([[False, True, True]])
    np.testing.assert_allclose(layers.dropout_backward(dout, mask, 0.2),
                               [[0.0, 1.25, -2.5]], rtol=1e-15)


def test_dropout_backward_matches_finite_differences(rng):
    x = rng.normal(size=(3, 4))
    mask = rng.uniform(size=(3, 4)) < 0.6
    dout = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: np.sum(dout * layers.dropout_forward(v, mask, 0.4)),
                                 x)
    assert_matches_finite_differences(layers.dropout_backward(dout, mask, 0.4), numeric)


# --- batch normalisation ----------------------------------------------------------

def test_batchnorm_forward_normalises_each_feature(rng):
    x = rng.normal(loc=[3.0, -2.0, 0.5], scale=[2.0, 0.1, 7.0], size=(64, 3))
    out = layers.batchnorm_forward(x, np.ones(3), np.zeros(3), eps=0.0)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-12)  # biased (ddof=0)


def test_batchnorm_forward_uses_biased_variance_and_eps():
    x = np.array([[1.0], [2.0], [3.0], [6.0]])  # mean 3, biased variance 14 / 4 = 3.5
    out = layers.batchnorm_forward(x, np.array([2.0]), np.array([0.5]))
    expected = 2.0 * (x - 3.0) / np.sqrt(3.5 + 1e-5) + 0.5
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_batchnorm_forward_applies_gamma_and_beta_per_feature(rng):
    x = rng.normal(size=(10, 3))
    gamma = np.array([1.0, 2.0, -0.5])
    beta = np.array([0.0, 1.0, 3.0])
    out = layers.batchnorm_forward(x, gamma, beta, eps=0.0)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), np.abs(gamma), rtol=1e-12)
    np.testing.assert_allclose(out, _batchnorm_oracle(x, gamma, beta, eps=0.0), rtol=1e-12,
                               atol=1e-12)


def test_batchnorm_forward_single_sample_is_finite():
    with no_numeric_warnings():
        out = layers.batchnorm_forward(np.array([[5.0, -1.0]]), np.ones(2),
                                       np.array([0.25, 0.5]))
    np.testing.assert_allclose(out, [[0.25, 0.5]], rtol=1e-15)


@pytest.mark.parametrize("n, d", [(2, 1), (5, 3), (8, 2)])
def test_batchnorm_backward_matches_finite_differences(n, d, rng):
    x = rng.normal(scale=2.0, size=(n, d))
    gamma = rng.normal(size=d)
    beta = rng.normal(size=d)
    dout = rng.normal(size=(n, d))

    def loss(x_, g_, b_):
        return np.sum(dout * _batchnorm_oracle(x_, g_, b_))

    dx, dgamma, dbeta = layers.batchnorm_backward(dout, x, gamma)
    assert (dx.shape, dgamma.shape, dbeta.shape) == ((n, d), (d,), (d,))
    assert_matches_finite_differences(
        dx, numerical_gradient(lambda v: loss(v, gamma, beta), x), rtol=1e-5, atol=1e-7)
    assert_matches_finite_differences(
        dgamma, numerical_gradient(lambda v: loss(x, v, beta), gamma))
    assert_matches_finite_differences(
        dbeta, numerical_gradient(lambda v: loss(x, gamma, v), beta))


def test_batchnorm_backward_respects_eps(rng):
    x = rng.normal(scale=0.01, size=(6, 2))  # variance ~1e-4, so eps = 1e-3 matters
    gamma = np.array([1.5, -1.0])
    dout = rng.normal(size=(6, 2))
    dx, _, _ = layers.batchnorm_backward(dout, x, gamma, eps=1e-3)
    numeric = numerical_gradient(
        lambda v: np.sum(dout * _batchnorm_oracle(v, gamma, 0.0, eps=1e-3)), x)
    assert_matches_finite_differences(dx, numeric, rtol=1e-5, atol=1e-7)


def test_batchnorm_forward_matches_oracle_with_default_eps(rng):
    x = rng.normal(size=(7, 4))
    gamma = rng.normal(size=4)
    beta = rng.normal(size=4)
    np.testing.assert_allclose(layers.batchnorm_forward(x, gamma, beta),
                               _batchnorm_oracle(x, gamma, beta), rtol=1e-12, atol=1e-12)
