"""``compare``'s exact-match shortcut agrees with the full comparison."""

import numpy as np
import pytest

from grader.compare import compare
from grader.values import to_returned

F64 = dict(rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), np.array([0.0, -0.0, np.inf, -np.inf]), np.float32(1.5) * np.ones(3, np.float32),
    np.array([[True, False]]), np.arange(4), np.array(2.5), np.array([np.nan, 1.0]),
])
def test_identical_values_pass(value):
    assert compare(to_returned(value.copy()), to_returned(value), **F64) is None


def test_values_that_differ_still_get_the_full_explanation():
    want = np.array([1.0, 2.0, 3.0])
    problem = compare(to_returned(np.array([1.0, 2.5, 3.0])), to_returned(want), **F64)
    assert problem.kind == "mismatch"
    assert problem.text.startswith("1 of 3 values differ (compared within 1e-06 relative + 1e-09 absolute)")
    problem = compare(to_returned(np.array([1.0, np.nan, 3.0])), to_returned(want), **F64)
    assert problem.kind == "nan" and "1 NaN" in problem.text


def test_the_same_numbers_in_another_dtype_are_judged_by_the_dtype_rules():
    mine, want = to_returned(np.arange(3.0)), to_returned(np.arange(3.0, dtype=np.float32))
    assert compare(mine, want, **F64) is None       # values within tolerance, no promise
    problem = compare(mine, want, keep_dtype=True, **F64)
    assert problem.kind == "type" and problem.text.startswith("returned dtype float64 for a float32 input")


@pytest.mark.parametrize("before, after, changed", [
    (np.arange(4.0), np.arange(4.0), False),
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), False),                 # NaN stays NaN
    (np.array([0.0, 1.0]), np.array([-0.0, 1.0]), False),                      # other bytes, equal values
    (np.arange(4.0), np.array([0.0, 1.0, 2.5, 3.0]), True),
    (np.arange(4), np.arange(4.0), False),                                     # equal values, another dtype
    (np.ones((2, 2)), np.ones(4), True),
    (np.array([True, False]), np.array([True, True]), True),
])
def test_modified_inputs_with_and_without_the_byte_shortcut(before, after, changed, monkeypatch):
    from grader import compare as module

    fast = module.modified_inputs([before], [to_returned(after)], ["x"])
    monkeypatch.setattr(module, "_same_bytes", lambda b, a: False)
    slow = module.modified_inputs([before], [to_returned(after)], ["x"])
    assert fast == slow
    assert bool(fast) == changed
