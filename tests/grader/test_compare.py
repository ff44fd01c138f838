"""Comparison messages (their texts are interface) and the statistical judges."""

import math

import numpy as np
import pytest

from grader import stats
from grader.specs import cases_for
from grader.compare import compare, modified_inputs
from grader.values import to_returned
from grader.oracle import LiveOracle
from grader.values import Returned


def _cmp(yours, expected, rtol=1e-7, atol=0.0):
    problem = compare(yours, to_returned(expected), rtol, atol)
    return None if problem is None else problem.text


def test_compare_none_says_the_todo_is_not_filled_in():
    assert _cmp(Returned("none"), np.zeros(3)) == (
        "returned None: the TODO is not filled in yet (or a return statement is missing)")


def test_compare_list_instead_of_array_is_a_wrong_type():
    yours = Returned("list", [Returned("float", 1.0)] * 3)
    assert _cmp(yours, np.zeros((3,))) == (
        "returned a list of 3 items, expected a numpy.ndarray of shape (3,) (float) "
        "(np.array(...) turns a list into one)")


def test_compare_transposed_shape():
    assert _cmp(Returned("array", np.zeros((4, 3))), np.zeros((3, 4))) == "shape (4, 3), expected (3, 4): transposed?"


def test_compare_lost_axis_shape():
    assert _cmp(Returned("array", np.zeros((3,))), np.zeros((3, 1))) == (
        "shape (3,), expected (3, 1): same number of elements, check the reshape/keepdims")


def test_compare_nan_is_named_before_the_mismatch():
    yours = np.array([1.0, np.nan, np.inf])
    assert _cmp(Returned("array", yours), np.array([1.0, 2.0, 3.0])) == (
        "contains 1 NaN and 1 inf where the expected values are finite (first at [1]): an overflow in exp, "
        "a log of 0 or a division by 0?")


def test_compare_integer_array_for_a_float_result():
    text = _cmp(Returned("array", np.array([1, 0, 1])), np.array([1.0, 0.0, 1.0]))
    assert text.startswith("returned an array of dtype int64, expected a float array")


def test_compare_mismatch_says_how_many_values_differ_and_where():
    yours = np.array([[1.0, 2.0], [3.0, 4.5]])
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert _cmp(Returned("array", yours), expected, rtol=1e-6, atol=1e-9) == "\n".join([
        "1 of 4 values differ (compared within 1e-06 relative + 1e-09 absolute); the largest "
        "difference is 0.5 at [1, 1]",
        "  at [1, 1]: yours 4.5, expected 4.0",
    ])
    many = _cmp(Returned("array", np.arange(6.0) + 1), np.arange(6.0), rtol=0, atol=0)
    assert many.splitlines()[0].startswith("all 6 values differ (compared exactly)")
    assert many.splitlines()[-1] == "  ... and 3 more"


def test_compare_a_single_number_is_one_plain_sentence_without_tolerance_jargon():
    text = _cmp(Returned("int", 10), np.array(11), rtol=0, atol=0)
    assert text == "yours 10, expected 11"
    for jargon in ("rtol", "atol", "Mismatched", "tolerance"):
        assert jargon not in text


def test_compare_keeps_the_float_dtype_promise_only_where_asked():
    from grader.compare import compare

    f32 = Returned("array", np.ones(3, np.float32))
    f64 = Returned("array", np.ones(3))
    assert compare(f64, f32, 1e-4, 1e-6) is None
    problem = compare(f64, f32, 1e-4, 1e-6, keep_dtype=True)
    assert problem.text.startswith("returned dtype float64 for a float32 input; the contract keeps x's "
                                   "float dtype")
    zero_d = Returned("array", np.array(0.5))
    assert compare(Returned("float", 0.5), zero_d, 1e-6, 1e-9) is None
    assert compare(Returned("npscalar", np.array(0.5), "float64"), zero_d, 1e-6, 1e-9, keep_dtype=True) is None
    problem = compare(Returned("float", 0.5), zero_d, 1e-6, 1e-9, keep_dtype=True)
    assert problem.text.startswith("returned a Python float for a 0-d array input")


def test_compare_scalar_accepts_numpy_scalars_and_0d_arrays():
    assert _cmp(Returned("npscalar", np.array(0.5)), 0.5) is None
    assert _cmp(Returned("array", np.array(0.5)), 0.5) is None
    assert _cmp(Returned("array", np.array([0.5])), 0.5) == (
        "returned an array of shape (1,), expected a scalar (a float)")


def test_compare_tuple_items_are_named_and_lists_accepted():
    exp = Returned("tuple", [Returned("array", np.zeros(2)), Returned("array", np.ones(2))])
    yours = Returned("list", [Returned("array", np.zeros(2)), Returned("array", np.ones(2))])
    assert compare(yours, exp, 1e-7, 0) is None
    short = Returned("tuple", [Returned("array", np.zeros(2))])
    assert compare(short, exp, 1e-7, 0).text == "returned a tuple of 1 item, expected 2"


def test_compare_modified_inputs_counts_changed_elements():
    before = np.array([1.0, -2.0, 3.0])
    after = Returned("array", np.array([1.0, 0.0, 3.0]))
    assert modified_inputs([before], [after], ["x"]) == [
        "modified its input `x` in place (1 element changed); compute into a new array instead (an "
        "in-place operator such as += or an assignment to a slice of `x` writes into the caller's array)"]


def test_stats_bound_is_the_dkw_epsilon():
    n = 60000
    e = stats.bound(n)
    assert math.isclose(2 * math.exp(-2 * n * e * e), stats.P_EACH)


@pytest.mark.parametrize("qualname", [
    "initializers.random_normal", "initializers.random_uniform", "initializers.glorot_uniform",
    "initializers.he_normal", "layers.dropout_mask", "training.minibatch_indices",
    "training.train_val_test_split", "training.log_uniform"])
def test_stats_reference_passes_every_statistical_case_for_many_seeds(qualname):
    fn = LiveOracle().lookup(qualname)
    for seed in range(25):
        for case in cases_for(qualname, seed):
            if case.kind != "stat":
                continue
            outs = case.run(lambda call: to_returned(fn(*call.materialize())))
            assert case.judge(outs, None) is None, (seed, case.name)


def test_stats_wrong_scale_is_rejected():
    case = cases_for("initializers.he_normal", 0)[0]
    rng = np.random.default_rng(1)
    wrong = Returned("array", rng.normal(0, 2.0 / 400, (400, 150)))   # variance used as stddev
    problem = case.judge([wrong], case.calls)
    assert problem is not None and "do not follow N(0, 2/400)" in problem.text


def test_compare_finite_value_does_not_match_an_expected_infinity():
    from grader.compare import mismatch_text

    # rtol * inf is inf: without a rule of its own, 19.77 would count as "close" to inf.
    assert mismatch_text(np.array(19.77), np.array(np.inf), 1e-6, 1e-9) is not None
    assert mismatch_text(np.array([1.0, -np.inf]), np.array([1.0, np.inf]), 1e-6, 1e-9) is not None
    assert mismatch_text(np.array([1.0, np.inf]), np.array([1.0, np.inf]), 1e-6, 1e-9) is None
