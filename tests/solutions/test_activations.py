"""solutions.activations against hand values, mpmath, finite differences and properties."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solutions import activations as act
from solutions_helpers import (
    PROPERTY_SETTINGS, assert_matches_finite_differences, float_arrays, float_dtypes,
    is_float_result, mp_sigmoid, mp_sigmoid_derivative, mp_softmax, mp_softplus, mp_tanh,
    mp_tanh_derivative, no_numeric_warnings, numerical_derivative,
)

ELEMENTWISE = ["sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu",
               "relu_derivative", "softplus", "softplus_derivative"]

# Independent references for every elementwise function.
REFERENCE = {
    "sigmoid": mp_sigmoid,
    "sigmoid_derivative": mp_sigmoid_derivative,
    "tanh": mp_tanh,
    "tanh_derivative": mp_tanh_derivative,
    "relu": lambda x: np.where(np.asarray(x) > 0, np.asarray(x, dtype=np.float64), 0.0),
    "relu_derivative": lambda x: (np.asarray(x) > 0).astype(np.float64),
    "softplus": mp_softplus,
    "softplus_derivative": mp_sigmoid,
}

DERIVATIVES = [
    ("sigmoid", "sigmoid_derivative"),
    ("tanh", "tanh_derivative"),
    ("relu", "relu_derivative"),
    ("softplus", "softplus_derivative"),
]


# --- hand-computed values ---------------------------------------------------------

def test_sigmoid_hand_values():
    x = np.array([0.0, math.log(3.0), -math.log(3.0), 0.08])
    # 1/(1+1/3) = 3/4; the last value is h1 of the seed's worked example.
    np.testing.assert_allclose(act.sigmoid(x), [0.5, 0.75, 0.25, 0.51998934],
                               rtol=0, atol=5e-9)


def test_sigmoid_derivative_hand_values():
    x = np.array([0.0, math.log(3.0)])
    np.testing.assert_allclose(act.sigmoid_derivative(x), [0.25, 0.75 * 0.25], rtol=1e-14)


def test_tanh_hand_values():
    # tanh(ln 2) = (4 - 1) / (4 + 1)
    x = np.array([0.0, math.log(2.0), -math.log(2.0)])
    np.testing.assert_allclose(act.tanh(x), [0.0, 0.6, -0.6], rtol=1e-14, atol=1e-15)


def test_tanh_derivative_hand_values():
    x = np.array([0.0, math.log(2.0)])
    np.testing.assert_allclose(act.tanh_derivative(x), [1.0, 1 - 0.36], rtol=1e-14)


def test_relu_hand_values():
    x = np.array([[-2.0, 0.0, 3.5], [1e-300, -1e-300, 7.0]])
    np.testing.assert_array_equal(act.relu(x), [[0.0, 0.0, 3.5], [1e-300, 0.0, 7.0]])


def test_relu_derivative_is_zero_at_zero():
    x = np.array([-2.0, 0.0, -0.0, 3.5, 1e-300])
    np.testing.assert_array_equal(act.relu_derivative(x), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_softplus_hand_values():
    # log(1 + 1) = ln 2, log(1 + 3) = ln 4
    x = np.array([0.0, math.log(3.0)])
    np.testing.assert_allclose(act.softplus(x), [math.log(2.0), math.log(4.0)], rtol=1e-14)


def test_softplus_derivative_hand_values():
    x = np.array([0.0, math.log(3.0)])
    np.testing.assert_allclose(act.softplus_derivative(x), [0.5, 0.75], rtol=1e-14)


def test_softmax_hand_values_last_axis():
    # exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5 -> divided by 8
    z = np.log(np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 2.0]]))
    expected = [[1 / 8, 2 / 8, 5 / 8], [0.25, 0.25, 0.5]]
    np.testing.assert_allclose(act.softmax(z), expected, rtol=1e-14)


def test_softmax_axis_zero_normalises_columns():
    z = np.log(np.array([[1.0, 1.0], [2.0, 1.0], [5.0, 2.0]]))
    expected = [[1 / 8, 0.25], [2 / 8, 0.25], [5 / 8, 0.5]]
    np.testing.assert_allclose(act.softmax(z, axis=0), expected, rtol=1e-14)


def test_softmax_one_dimensional_input():
    z = np.log(np.array([1.0, 2.0, 5.0]))
    np.testing.assert_allclose(act.softmax(z), [1 / 8, 2 / 8, 5 / 8], rtol=1e-14)


def test_softmax_logits_around_1e3_are_stable():
    z = 1000.0 + np.log(np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 2.0]]))
    with no_numeric_warnings():
        out = act.softmax(z)
    # 1000 + ln 2 carries an absolute rounding error of ~1e-13, hence rtol 1e-10.
    np.testing.assert_allclose(out, [[1 / 8, 2 / 8, 5 / 8], [0.25, 0.25, 0.5]], rtol=1e-10)


def test_softmax_logits_around_1e3_float32_are_stable():
    z = np.array([[1000.0, 1000.0 + math.log(2.0), 1000.0 + math.log(5.0)]], dtype=np.float32)
    with no_numeric_warnings():
        out = act.softmax(z)
    assert np.all(np.isfinite(out))
    # float32 spacing at 1000 is 6e-5, so the logits themselves are only that exact
    np.testing.assert_allclose(np.asarray(out, dtype=np.float64), [[1 / 8, 2 / 8, 5 / 8]],
                               rtol=2e-4)


def test_softmax_large_negative_logits_are_stable():
    z = np.array([[-1000.0, -1000.0], [-1e4, 0.0]])
    with no_numeric_warnings():
        out = act.softmax(z)
    np.testing.assert_allclose(out, [[0.5, 0.5], [0.0, 1.0]], rtol=1e-14, atol=1e-300)


# --- finite differences -----------------------------------------------------------

@pytest.mark.parametrize("name, derivative", DERIVATIVES)
def test_activation_derivative_matches_finite_differences(name, derivative, rng):
    x = rng.uniform(-6, 6, size=(4, 7))
    if name == "relu":
        x = x[np.abs(x) > 1e-3]  # the kink at 0 has no two-sided derivative
    numeric = numerical_derivative(getattr(act, name), x)
    assert_matches_finite_differences(getattr(act, derivative)(x), numeric)


def test_softmax_jacobian_matches_finite_differences(rng):
    """d softmax_i / d z_j = s_i (delta_ij - s_j), checked column by column."""
    z = rng.normal(size=5)
    s = act.softmax(z)
    analytic = np.diag(s) - np.outer(s, s)
    h = 1e-6
    for j in range(z.size):
        e = np.zeros_like(z)
        e[j] = h
        numeric = (act.softmax(z + e) - act.softmax(z - e)) / (2 * h)
        assert_matches_finite_differences(analytic[:, j], numeric)


# --- stability and accuracy at the ends of the documented range -------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_stable_at_plus_minus_1000(name):
    x = np.array([-1000.0, -745.0, -700.0, -50.0, 0.0, 50.0, 700.0, 745.0, 1000.0])
    with no_numeric_warnings():
        out = getattr(act, name)(x)
    assert np.all(np.isfinite(out)), out
    # Absolute accuracy only: the contract's formulas for the derivatives
    # (s (1 - s), 1 - tanh**2) cannot resolve values below ~1e-16 relative to 1.
    np.testing.assert_allclose(out, REFERENCE[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh"])
def test_activation_relative_accuracy_in_the_tails(name):
    """The functions themselves keep full relative precision far from 0."""
    x = np.array([-1000.0, -700.0, -100.0, -37.0, -20.0, 20.0, 37.0, 100.0, 1000.0])
    np.testing.assert_allclose(getattr(act, name)(x), REFERENCE[name](x), rtol=1e-12,
                               atol=1e-300)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh"])
def test_activation_stable_at_plus_minus_1000_float32(name):
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=np.float32)
    with no_numeric_warnings():
        out = getattr(act, name)(x)
    assert np.all(np.isfinite(out)), out
    np.testing.assert_allclose(np.asarray(out, dtype=np.float64), REFERENCE[name](x),
                               rtol=1e-6, atol=1e-38)


# --- properties (hypothesis) ------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
@PROPERTY_SETTINGS
@given(x=float_arrays(low=-1000.0, high=1000.0))
def test_activation_matches_reference_on_documented_range(name, x):
    with no_numeric_warnings():
        out = getattr(act, name)(x)
    assert np.shape(out) == x.shape
    assert is_float_result(out)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, REFERENCE[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
@PROPERTY_SETTINGS
@given(x=float_arrays(min_dims=1), dtype=float_dtypes())
def test_activation_keeps_shape_and_input(name, x, dtype):
    x = x.astype(dtype)
    before = x.copy()
    with no_numeric_warnings():
        out = getattr(act, name)(x)
    np.testing.assert_array_equal(x, before, err_msg=f"{name} modified its input")
    assert np.shape(out) == x.shape
    assert is_float_result(out)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name", ELEMENTWISE)
@PROPERTY_SETTINGS
@given(x=float_arrays(dtype=np.float32, low=-1000.0, high=1000.0))
def test_activation_accepts_float32(name, x):
    with no_numeric_warnings():
        out = getattr(act, name)(x)
    assert np.shape(out) == x.shape
    assert is_float_result(out)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(np.asarray(out, dtype=np.float64), REFERENCE[name](x),
                               rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("value", [-3.5, 0.0, 2.0])
def test_activation_accepts_zero_dimensional_input(name, value):
    x = np.array(value)
    out = getattr(act, name)(x)
    assert np.shape(out) == ()
    assert is_float_result(out)
    np.testing.assert_allclose(out, REFERENCE[name](x), rtol=1e-12, atol=1e-15)


@PROPERTY_SETTINGS
@given(z=float_arrays(min_dims=1, low=-1e3, high=1e3), shift=st.floats(-1e3, 1e3),
       data=st.data())
def test_softmax_is_a_distribution_on_the_chosen_axis(z, shift, data):
    axis = data.draw(st.integers(-z.ndim, z.ndim - 1))
    with no_numeric_warnings():
        out = act.softmax(z + shift, axis=axis)
    assert out.shape == z.shape
    assert np.all(out >= 0) and np.all(out <= 1)
    np.testing.assert_allclose(np.sum(out, axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(out, mp_softmax(z + shift, axis=axis), rtol=1e-9, atol=1e-300)
