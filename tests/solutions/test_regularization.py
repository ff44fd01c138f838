"""solutions.regularization: penalties by hand, gradients by finite differences, max_norm."""
import numpy as np
import pytest

from solutions import regularization as reg
from solutions_helpers import (
    assert_matches_finite_differences, no_numeric_warnings, numerical_gradient,
)

W = np.array([[1.0, -2.0], [3.0, 0.0]])


def test_l2_penalty_hand_value():
    # 0.1 * (1 + 4 + 9 + 0)
    assert reg.l2_penalty(W, 0.1) == pytest.approx(1.4, rel=1e-15)
    assert np.ndim(reg.l2_penalty(W, 0.1)) == 0


def test_l2_grad_hand_value():
    np.testing.assert_allclose(reg.l2_grad(W, 0.1), 0.2 * W, rtol=1e-15)


def test_l2_grad_matches_finite_differences(rng):
    W_ = rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: reg.l2_penalty(v, 0.03), W_)
    assert_matches_finite_differences(reg.l2_grad(W_, 0.03), numeric)


def test_l1_penalty_hand_value():
    assert reg.l1_penalty(W, 0.1) == pytest.approx(0.6, rel=1e-15)
    assert np.ndim(reg.l1_penalty(W, 0.1)) == 0


def test_l1_grad_hand_value_zero_at_zero():
    np.testing.assert_array_equal(reg.l1_grad(W, 0.5), [[0.5, -0.5], [0.5, 0.0]])


def test_l1_grad_matches_finite_differences(rng):
    W_ = rng.normal(size=(4, 3))
    W_[np.abs(W_) < 1e-3] = 0.5  # keep the probes away from the kink at 0
    numeric = numerical_gradient(lambda v: reg.l1_penalty(v, 0.07), W_)
    assert_matches_finite_differences(reg.l1_grad(W_, 0.07), numeric)


def test_max_norm_rescales_only_columns_over_the_limit():
    # column norms: 5 (over), 1 (within), 0 (within, and must not divide by zero)
    W_ = np.array([[3.0, 0.6, 0.0], [4.0, 0.8, 0.0]])
    with no_numeric_warnings():
        out = reg.max_norm(W_, max_value=2.0)
    np.testing.assert_array_equal(out[:, 1:], W_[:, 1:])
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], rtol=1e-15)
    assert np.linalg.norm(out[:, 0]) == pytest.approx(2.0, rel=1e-15)


def test_max_norm_default_is_two_over_axis_zero(rng):
    W_ = rng.normal(scale=[0.1, 3.0, 0.2, 2.0, 0.05], size=(6, 5))  # norms ~0.2 to ~7
    out = reg.max_norm(W_)
    norms_in = np.linalg.norm(W_, axis=0)
    norms_out = np.linalg.norm(out, axis=0)
    over = norms_in > 2.0
    assert over.any() and (~over).any()
    np.testing.assert_allclose(norms_out[over], 2.0, rtol=1e-14)
    np.testing.assert_array_equal(out[:, ~over], W_[:, ~over])
    # rescaling keeps the direction of each column
    np.testing.assert_allclose(out[:, over], W_[:, over] * (2.0 / norms_in[over]), rtol=1e-14)


def test_max_norm_axis_one_limits_rows():
    W_ = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 6.0]])
    out = reg.max_norm(W_, max_value=1.0, axis=1)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4], [0.0, 1.0]], rtol=1e-15)
    np.testing.assert_array_equal(out[1], W_[1])


def test_max_norm_slice_exactly_at_the_limit_is_unchanged():
    W_ = np.array([[0.6], [0.8]])  # norm 1 (to rounding)
    np.testing.assert_array_equal(reg.max_norm(W_, max_value=1.5), W_)
