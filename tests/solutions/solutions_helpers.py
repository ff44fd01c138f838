"""Independent oracles shared by the tests of ``solutions/``.

Nothing here calls ``solutions``: finite differences, high-precision reference values
(mpmath, shipped with sympy) and the hypothesis settings used by the property tests.
The module name is deliberately specific so it cannot shadow a helper module of another
test directory (pytest's default import mode puts each test directory on ``sys.path``).
"""
import contextlib
import warnings

import mpmath
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Property tests: modest, reproducible (derandomize) and without per-example deadlines,
# so the suite is deterministic and fast on a shared 2-core machine.
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Step for central differences in float64: the truncation error is O(h**2) ~ 1e-12 and the
# rounding error O(eps / h) ~ 1e-10, so agreement to ~1e-7 relative is the honest bound.
FD_STEP = 1e-6
FD_RTOL = 1e-6
FD_ATOL = 1e-8


def numerical_gradient(f, x, h=FD_STEP):
    """Central-difference gradient of the scalar function ``f`` at the array ``x``.

    ``f`` always receives a fresh float64 copy, so a function that modifies its argument
    cannot corrupt the probe points.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        f_plus = float(f(x.copy()))
        x[idx] = original - h
        f_minus = float(f(x.copy()))
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_derivative(f, x, h=FD_STEP):
    """Central-difference derivative of an elementwise function, elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return (np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * h)


def assert_matches_finite_differences(analytic, numeric, rtol=FD_RTOL, atol=FD_ATOL):
    """Compare an analytic gradient (actual) with its finite-difference estimate."""
    np.testing.assert_allclose(np.asarray(analytic, dtype=np.float64), numeric,
                               rtol=rtol, atol=atol)


# --- high-precision references (mpmath at 50 digits) --------------------------------

mpmath.mp.dps = 50


def _mp_elementwise(fn, x):
    x = np.asarray(x, dtype=np.float64)
    out = np.array([float(fn(mpmath.mpf(float(v)))) for v in x.ravel()], dtype=np.float64)
    return out.reshape(x.shape)


def mp_sigmoid(x):
    return _mp_elementwise(lambda v: 1 / (1 + mpmath.exp(-v)), x)


def mp_sigmoid_derivative(x):
    return _mp_elementwise(lambda v: mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2, x)


def mp_tanh(x):
    return _mp_elementwise(mpmath.tanh, x)


def mp_tanh_derivative(x):
    return _mp_elementwise(lambda v: 1 / mpmath.cosh(v) ** 2, x)


def mp_softplus(x):
    # log1p: at 50 digits, log(1 + exp(-700)) would round to log(1) = 0.
    return _mp_elementwise(lambda v: mpmath.log1p(mpmath.exp(v)), x)


def mp_softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float64)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty_like(moved)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [mpmath.mpf(float(v)) for v in moved[idx]]
        exps = [mpmath.exp(v) for v in row]
        total = mpmath.fsum(exps)
        out[idx] = [float(e / total) for e in exps]
    return np.moveaxis(out, -1, axis)


# --- warnings ---------------------------------------------------------------------

@contextlib.contextmanager
def no_numeric_warnings():
    """Turn every warning and every floating-point overflow / invalid / divide-by-zero
    into an error. Underflow to 0 or a subnormal is the correct result of, e.g.,
    sigmoid(-1000), so it stays allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield


# --- hypothesis strategies --------------------------------------------------------

def float_arrays(dtype=np.float64, low=-10.0, high=10.0, max_dims=3, max_side=5,
                 min_dims=0):
    """Arrays of any shape (0-d included by default) with finite values in [low, high]."""
    return hnp.arrays(
        dtype=dtype,
        shape=hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1,
                               max_side=max_side),
        elements=st.floats(low, high, allow_nan=False, allow_infinity=False,
                           width=np.dtype(dtype).itemsize * 8),
    )


def float_dtypes():
    return st.sampled_from([np.float32, np.float64])


def is_float_result(value):
    """A NumPy float array or a Python/NumPy float (0-d results may be scalars)."""
    return np.asarray(value).dtype.kind == "f"
