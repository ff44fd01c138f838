"""What a student trial (session 10) found wrong in the hints and the dtype checks.

A student implemented every exercise with typical mistakes in a released student copy;
each test grades one such function in process, exactly as ``grade`` judges it
(``grade_in_process``), and checks the hint shown, or the dtype rule the contract promises.
The last tests grade a few through the sandbox, end to end.
"""

import numpy as np
import pytest

from grader.engine import grade_in_process, in_dtypes_of
from grader.values import to_returned
from tests.grader.wrong_catalog import implementation

SEED = 2026


def graded(qualname, source, seed=SEED):
    return grade_in_process(qualname, implementation(qualname, source), seed)


def hint_names(fr):
    return [d.name for d, _ in fr.hints()]


def failing(fr):
    return [c for c in fr.cases if not c.passed]


# ------------------------------------------------------------ 1. a mistake named on a dtype
RELU_FLOAT64 = """
def relu_derivative(x):
    return (x > 0).astype(float)
"""


@pytest.mark.parametrize("seed", [SEED, 1, 356570634354363210])
def test_a_float64_relu_derivative_is_told_its_dtype_not_the_zero_mistake(seed):
    fr = graded("activations.relu_derivative", RELU_FLOAT64, seed)
    bad = failing(fr)
    # the values are right everywhere: only the float32 case fails, on its dtype
    assert [c.name for c in bad] == ["float32 (4, 3)"]
    assert "one-at-zero" not in hint_names(fr)
    assert hint_names(fr) == ["dtype-changed"]
    assert "returned dtype float64 for a float32 input" in bad[0].message


def test_the_zero_mistake_is_still_named_where_its_values_explain_the_output():
    fr = graded("activations.relu_derivative", """
def relu_derivative(x):
    return (x >= 0).astype(x.dtype)
""")
    assert hint_names(fr) == ["one-at-zero"]
    # named on the cases whose input holds a 0 (the first and the extremes), nowhere else
    assert [c.name for c in failing(fr)] == ["random non-square (3, 5), including 0", "extremes +-1000"]


def test_a_mistake_whose_values_are_the_references_is_never_named_on_any_function():
    """The general rule: over every function, the reference's outputs in another dtype
    (float64 for float32, a float for an int) are converted back and equal the expected
    ones, so no known mistake differing only in dtype is visible."""
    out = in_dtypes_of([to_returned(np.ones(3, np.float64)), to_returned(10.0), to_returned((np.float64(2.0), 3))],
                       [to_returned(np.ones(3, np.float32)), to_returned(10), to_returned((np.float32(2.0), 3))])
    assert out[0].value.dtype == np.float32
    assert out[1].kind == "int" and out[1].value == 10
    assert out[2].value[0].value.dtype == np.float32
    # a conversion that would change a value is not made: 10.5 stays a float
    assert in_dtypes_of([to_returned(10.5)], [to_returned(10)])[0].kind == "float"


def test_a_floored_float_count_gets_the_floor_mistake_and_the_type_where_the_value_is_right():
    fr = graded("training.iterations_per_epoch", """
def iterations_per_epoch(n_samples, batch_size):
    return np.floor(n_samples / batch_size)
""")
    by_case = {c.number: [d.name for d in c.diagnoses] for c in failing(fr)}
    assert by_case[2] == ["floor"]     # 2001 / 200: the value is wrong, the known mistake says why
    assert by_case[1] == ["float-for-int"]
    assert "returned 10.0, expected 11." in fr.cases[1].message


# ------------------------------------------------------------ 2. the contract's dtype rules
def test_dropout_forward_keeps_the_dtype_of_x():
    fr = graded("layers.dropout_forward", """
def dropout_forward(x, mask, rate):
    return np.asarray(x, dtype=np.float64) * mask / (1.0 - rate)
""")
    bad = failing(fr)
    assert [c.name for c in bad] == ["float32 (3, 3), rate 0.5"]
    assert bad[0].message.endswith(
        "returned dtype float64 for a float32 input; the contract keeps x's float dtype (a float64 constant "
        "array or an explicit conversion to float changes it: convert the result back to x's dtype)")


def test_dropout_backward_keeps_the_dtype_of_dout():
    fr = graded("layers.dropout_backward", """
def dropout_backward(dout, mask, rate):
    return dout.astype(np.float64) * mask / (1.0 - rate)
""")
    bad = failing(fr)
    assert [c.name for c in bad] == ["float32 (3, 3), rate 0.5"]
    assert "returned dtype float64 for a float32 dout; the contract keeps dout's float dtype" in bad[0].message
    assert "convert the result back to dout's dtype" in bad[0].message


@pytest.mark.parametrize("qualname, source", [
    ("initializers.glorot_uniform", """
def glorot_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
"""),
    ("initializers.random_uniform", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return rng.uniform(minval, maxval, size=shape).astype(np.float32)
"""),
    ("initializers.random_normal", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(mean, stddev, size=shape).astype(np.float32)
"""),
    ("initializers.he_normal", """
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)).astype(np.float32)
"""),
])
def test_the_initializers_return_float64(qualname, source):
    fr = graded(qualname, source)
    assert fr.cases and all(not c.passed for c in fr.cases)
    assert hint_names(fr) == ["wrong-dtype"]
    hint = fr.hints()[0][0].hint
    assert hint == ("returned dtype float32; the contract's initializers return float64 (the generator "
                    "draws float64: a conversion to float32 changes it)")


def test_iterations_per_epoch_returns_an_int_not_a_float():
    fr = graded("training.iterations_per_epoch", """
def iterations_per_epoch(n_samples, batch_size):
    return np.ceil(n_samples / batch_size)
""")
    assert fr.cases and not any(c.passed for c in fr.cases)
    assert hint_names(fr) == ["float-for-int"]
    assert fr.cases[0].message.endswith(
        "returned 10.0, a float, where the contract returns an int: the value is right, but a count must be "
        "a whole-number type (ceil and true division return floats: convert the count to int)")
    # an int of NumPy's, or math.ceil's int, is an int
    for source in ("def iterations_per_epoch(n_samples, batch_size):\n    return np.int64(-(-n_samples // batch_size))\n",
                   "import math\ndef iterations_per_epoch(n_samples, batch_size):\n    return math.ceil(n_samples / batch_size)\n"):
        assert graded("training.iterations_per_epoch", source).passed
