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
