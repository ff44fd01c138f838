"""solutions.losses against hand computations and finite differences."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solutions import losses
from solutions_helpers import (
    PROPERTY_SETTINGS, assert_matches_finite_differences, no_numeric_warnings,
    numerical_gradient,
)

EPS = 1e-7
NEG_LOG_EPS = -math.log(EPS)  # 16.11809565095832: the clipped loss of a certain mistake


def _stable_mean_softmax_ce(labels, logits):
    """Oracle for softmax_crossentropy_grad: mean of logsumexp(z_i) - z_i[label_i]."""
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


# --- squared errors ---------------------------------------------------------------

def test_mean_squared_error_hand_value():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.5, 2.0], [2.0, 4.0]])
    # (0.25 + 0 + 1 + 0) / 4
    assert losses.mean_squared_error(y_true, y_pred) == pytest.approx(0.3125, rel=1e-15)
    assert np.ndim(losses.mean_squared_error(y_true, y_pred)) == 0


def test_mean_squared_error_grad_hand_value():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.5, 2.0], [2.0, 4.0]])
    expected = 2 * np.array([[0.5, 0.0], [-1.0, 0.0]]) / 4
    np.testing.assert_allclose(losses.mean_squared_error_grad(y_true, y_pred), expected,
                               rtol=1e-15)


def test_mean_squared_error_grad_matches_finite_differences(rng):
    y_true = rng.normal(size=(3, 4))
    y_pred = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda p: losses.mean_squared_error(y_true, p), y_pred)
    assert_matches_finite_differences(losses.mean_squared_error_grad(y_true, y_pred),
                                      numeric)


def test_sum_squared_error_hand_value():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.5, 2.0], [2.0, 4.0]])
    assert losses.sum_squared_error(y_true, y_pred) == pytest.approx(0.625, rel=1e-15)


def test_sum_squared_error_is_the_seed_E():
    # E = E1 + E2 with the seed's printed outputs o1, o2 and targets 0.4, 0.6.
    value = losses.sum_squared_error(np.array([[0.4, 0.6]]),
                                     np.array([[0.60944600, 0.66384491]]))
    assert value == pytest.approx(0.02397190, abs=5e-9)


def test_sum_squared_error_grad_matches_finite_differences(rng):
    y_true = rng.normal(size=(2, 5))
    y_pred = rng.normal(size=(2, 5))
    numeric = numerical_gradient(lambda p: losses.sum_squared_error(y_true, p), y_pred)
    grad = losses.sum_squared_error_grad(y_true, y_pred)
    assert_matches_finite_differences(grad, numeric)
    np.testing.assert_allclose(grad, y_pred - y_true, rtol=1e-15)


# --- binary cross-entropy ---------------------------------------------------------

def test_binary_crossentropy_hand_value():
    y_true = np.array([[1.0, 0.0]])
    y_pred = np.array([[0.8, 0.4]])
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert losses.binary_crossentropy(y_true, y_pred) == pytest.approx(expected, rel=1e-14)


def test_binary_crossentropy_clips_probabilities_zero_and_one():
    y_true = np.array([1.0, 0.0, 0.0, 1.0])
    y_pred = np.array([0.0, 1.0, 0.0, 1.0])
    with no_numeric_warnings():
        value = losses.binary_crossentropy(y_true, y_pred)
    # p = 0 -> eps, p = 1 -> 1 - eps: two certain mistakes, two certain successes.
    expected = (NEG_LOG_EPS - math.log(1 - (1 - EPS)) - 2 * math.log(1 - EPS)) / 4
    assert value == pytest.approx(expected, rel=1e-9)


def test_binary_crossentropy_respects_eps_argument():
    with no_numeric_warnings():
        value = losses.binary_crossentropy(np.array([1.0]), np.array([0.0]), eps=1e-3)
    assert value == pytest.approx(-math.log(1e-3), rel=1e-12)


def test_binary_crossentropy_grad_matches_finite_differences(rng):
    y_true = (rng.uniform(size=(3, 4)) < 0.5).astype(float)
    y_pred = rng.uniform(0.05, 0.95, size=(3, 4))
    numeric = numerical_gradient(lambda p: losses.binary_crossentropy(y_true, p), y_pred)
    assert_matches_finite_differences(losses.binary_crossentropy_grad(y_true, y_pred),
                                      numeric)


def test_binary_crossentropy_grad_soft_targets_match_finite_differences(rng):
    y_true = rng.uniform(size=(2, 3))
    y_pred = rng.uniform(0.05, 0.95, size=(2, 3))
    numeric = numerical_gradient(lambda p: losses.binary_crossentropy(y_true, p), y_pred)
    assert_matches_finite_differences(losses.binary_crossentropy_grad(y_true, y_pred),
                                      numeric)


def test_binary_crossentropy_grad_taken_at_clipped_value():
    y_true = np.array([1.0, 0.0])
    y_pred = np.array([0.0, 1.0])
    with no_numeric_warnings():
        grad = losses.binary_crossentropy_grad(y_true, y_pred)
    lo, hi = EPS, 1 - EPS
    expected = [(lo - 1) / (lo * (1 - lo)) / 2, (hi - 0) / (hi * (1 - hi)) / 2]
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, expected, rtol=1e-8)


# --- categorical cross-entropies --------------------------------------------------

PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
LABELS = np.array([0, 1])


def test_categorical_crossentropy_hand_value():
    one_hot = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert losses.categorical_crossentropy(one_hot, PROBS) == pytest.approx(expected,
                                                                            rel=1e-14)


def test_categorical_crossentropy_does_not_renormalise_rows():
    """CONTRACT.md's formula is -sum t log p on the (clipped) input; unlike Keras, a row
    that does not sum to 1 is not rescaled first."""
    one_hot = np.array([[1.0, 0.0, 0.0]])
    value = losses.categorical_crossentropy(one_hot, np.array([[0.35, 0.1, 0.05]]))
    assert value == pytest.approx(-math.log(0.35), rel=1e-14)


def test_categorical_crossentropy_clips_zero_probability():
    one_hot = np.array([[1.0, 0.0, 0.0]])
    with no_numeric_warnings():
        value = losses.categorical_crossentropy(one_hot, np.array([[0.0, 1.0, 0.0]]))
    assert value == pytest.approx(NEG_LOG_EPS, rel=1e-9)


def test_sparse_categorical_crossentropy_hand_value():
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert losses.sparse_categorical_crossentropy(LABELS, PROBS) == pytest.approx(
        expected, rel=1e-14)


def test_sparse_categorical_crossentropy_clips_zero_probability():
    with no_numeric_warnings():
        value = losses.sparse_categorical_crossentropy(np.array([2, 1]),
                                                       np.array([[0.5, 0.5, 0.0],
                                                                 [0.0, 1.0, 0.0]]))
    assert value == pytest.approx((NEG_LOG_EPS - math.log(1 - EPS)) / 2, rel=1e-9)


def test_softmax_crossentropy_grad_hand_value():
    logits = np.zeros((2, 4))
    labels = np.array([1, 3])
    expected = (np.full((2, 4), 0.25) - np.eye(4)[labels]) / 2
    np.testing.assert_allclose(losses.softmax_crossentropy_grad(labels, logits), expected,
                               rtol=1e-14)


def test_softmax_crossentropy_grad_matches_finite_differences(rng):
    logits = rng.normal(scale=2.0, size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    numeric = numerical_gradient(lambda z: _stable_mean_softmax_ce(labels, z), logits)
    assert_matches_finite_differences(losses.softmax_crossentropy_grad(labels, logits),
                                      numeric)


def test_softmax_crossentropy_grad_stable_for_logits_around_1e3():
    logits = 1000.0 + np.log(np.array([[1.0, 2.0, 5.0]]))
    with no_numeric_warnings():
        grad = losses.softmax_crossentropy_grad(np.array([2]), logits)
    np.testing.assert_allclose(grad, [[1 / 8, 2 / 8, 5 / 8 - 1]], rtol=1e-10)


def test_class_weights_balanced_hand_values_with_empty_class():
    labels = np.array([0, 0, 0, 1])
    with no_numeric_warnings():
        weights = losses.class_weights_balanced(labels, 3)
    # n / (K * count): 4 / 9, 4 / 3, and 0 for the class that never occurs.
    np.testing.assert_allclose(weights, [4 / 9, 4 / 3, 0.0], rtol=1e-15)
    assert weights.shape == (3,)
    assert weights.dtype.kind == "f"


def test_class_weights_balanced_uniform_for_balanced_labels():
    weights = losses.class_weights_balanced(np.array([2, 0, 1, 1, 0, 2]), 3)
    np.testing.assert_allclose(weights, [1.0, 1.0, 1.0], rtol=1e-15)


def test_weighted_sparse_categorical_crossentropy_hand_value():
    y_pred = np.array([[0.7, 0.3], [0.2, 0.8], [0.4, 0.6]])
    labels = np.array([0, 1, 1])
    class_weight = np.array([2.0, 0.5])
    expected = (2.0 * -math.log(0.7) + 0.5 * -math.log(0.8) + 0.5 * -math.log(0.6)) / 3
    value = losses.weighted_sparse_categorical_crossentropy(labels, y_pred, class_weight)
    assert value == pytest.approx(expected, rel=1e-14)


def test_weighted_sparse_categorical_crossentropy_clips_zero_probability():
    with no_numeric_warnings():
        value = losses.weighted_sparse_categorical_crossentropy(
            np.array([0]), np.array([[0.0, 1.0]]), np.array([3.0, 1.0]))
    assert value == pytest.approx(3.0 * NEG_LOG_EPS, rel=1e-9)


def test_weighted_sparse_categorical_crossentropy_unit_weights_hand_value():
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    value = losses.weighted_sparse_categorical_crossentropy(LABELS, PROBS, np.ones(3))
    assert value == pytest.approx(expected, rel=1e-14)


# --- properties -------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(n=st.integers(1, 6), k=st.integers(2, 5), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_losses_scalar_results_are_finite_and_nonnegative(n, k, seed, dtype):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(k), size=n).astype(dtype)
    probs[0, 0] = 0.0  # a zero probability must be clipped, never logged
    labels = rng.integers(0, k, size=n)
    one_hot = np.eye(k, dtype=dtype)[labels]
    with no_numeric_warnings():
        values = [
            losses.binary_crossentropy(one_hot, probs),
            losses.categorical_crossentropy(one_hot, probs),
            losses.sparse_categorical_crossentropy(labels, probs),
            losses.weighted_sparse_categorical_crossentropy(labels, probs,
                                                            rng.uniform(0.1, 2, size=k)),
            losses.mean_squared_error(one_hot, probs),
            losses.sum_squared_error(one_hot, probs),
        ]
    for value in values:
        assert np.ndim(value) == 0
        assert np.isfinite(value) and value >= 0
