"""Generic diagnoses (grader/diagnose.py) and the statistical judges naming what is off.

Values are made by hand here (a transformation applied to known numbers), independent of
the reference: the diagnosis must name the transformation, and say nothing when none fits.
"""

import numpy as np
import pytest

from grader import stats
from grader.diagnose import _Fit, output_findings
from grader.values import to_returned

FIT = _Fit(1e-6, 1e-9)
RNG = np.random.default_rng(3)
X = RNG.uniform(-2, 2, (4, 3))
E = RNG.uniform(-1, 1, (4, 3))


def _names(a, e=E, names=("x",), args=(X,), before=None, integer=False):
    return [f.name for f in output_findings(np.asarray(a, float), np.asarray(e, float), FIT, names, args,
                                            "out", before, integer)]


@pytest.mark.parametrize("transform, name", [
    (lambda e: -e, "negated"),
    (lambda e: 2 * e, "scaled-by-2"),
    (lambda e: e / 2, "scaled-by-half"),
    (lambda e: e / 4, "extra-division"),       # 4 = rows of x: a mean where a sum belongs
    (lambda e: 12 * e, "missing-division"),    # 12 = elements of x
    (lambda e: 1 - e, "complement"),
    (lambda e: e + 0.25, "shifted"),
    (lambda e: 3.7 * e, "scaled"),
])
def test_a_transformation_of_the_expected_values_is_named(transform, name):
    assert _names(transform(E)) == [name]


def test_nothing_is_named_when_no_transformation_fits():
    assert _names(E + RNG.normal(0, 0.1, E.shape)) == []
    assert _names(np.sin(E)) == []


def test_a_scalar_argument_is_named_as_the_missing_factor():
    found = output_findings(E / 0.1, E, FIT, ("W", "lam"), (X, 0.1), "out")
    assert [f.name for f in found] == ["factor-missing"]
    assert "lam" in found[0].hint


def test_the_change_of_an_updated_output_is_compared():
    w = RNG.uniform(-1, 1, 5)
    g = RNG.uniform(-1, 1, 5)
    expected = w - 0.1 * g
    assert _names(w + 0.1 * g, expected, ("w", "grad", "lr"), (w, g, 0.1), before=w) == ["update-negated"]
    assert _names(w - g, expected, ("w", "grad", "lr"), (w, g, 0.1), before=w) == ["update-factor-missing"]
    assert _names(w, expected, ("w", "grad", "lr"), (w, g, 0.1), before=w) == ["state-unchanged"]


def test_shapes_transposed_reshaped_and_not_reduced():
    assert _names(E.T) == ["transposed"]
    assert _names(E.reshape(4, 3, 1)) == ["reshaped"]
    dout = RNG.uniform(-1, 1, (4, 5))
    assert _names(dout, dout.sum(axis=0), ("dout",), (dout,)) == ["not-reduced"]
    assert _names(dout.sum(axis=1), dout.sum(axis=0), ("dout",), (dout,)) == ["wrong-axis"]


def test_wrong_only_in_one_region_of_the_input():
    x = np.array([-1.0, 0.0, 2.0, -3.0, 0.5])
    relu = np.maximum(x, 0)
    assert _names(np.abs(x), relu, ("x",), (x,)) == ["wrong-for-negative"]
    step = (x > 0).astype(float)
    assert _names((x >= 0).astype(float), step, ("x",), (x,)) == ["wrong-at-zero"]


def test_integers_one_apart_are_off_by_one_in_the_direction_of_the_numbers():
    more = output_findings(np.array(11.0), np.array(10.0), _Fit(0, 0), (), (), "stop_epoch", integer=True)
    less = output_findings(np.array(9.0), np.array(10.0), _Fit(0, 0), (), (), "stop_epoch", integer=True)
    assert more[0].name == less[0].name == "off-by-one"
    assert more[0].hint.startswith("stop_epoch is one more than expected: an off-by-one")
    assert less[0].hint.startswith("stop_epoch is one less than expected: an off-by-one")
    # floats that happen to be whole numbers are no count
    assert _names(np.array(1.0), np.array(0.0), (), ()) == []


def test_a_sequence_missing_its_first_value():
    seq = np.array([4.0, 3.0, 2.5, 2.25])
    assert _names(seq[1:], seq, (), ()) == ["off-by-one"]


# ------------------------------------------------------------------ statistical judges
def _judge(samples, cdf, bounds=None):
    return stats.judge_samples([to_returned(samples)], samples.shape, "f", cdf, bounds, "the target")


SHAPE = (300, 200)


@pytest.mark.parametrize("make, cdf, bounds, name", [
    (lambda r: r.normal(0.5, 4.0, SHAPE), stats.normal_cdf(0.5, 2.0), None, "scale"),
    (lambda r: r.normal(0.0, 2.0, SHAPE), stats.normal_cdf(0.5, 2.0), None, "location"),
    (lambda r: r.uniform(-2, 2, SHAPE), stats.normal_cdf(0.0, 2.0), None, "uniform-not-normal"),
    (lambda r: np.zeros(SHAPE), stats.normal_cdf(0.0, 0.05), None, "constant-output"),
    (lambda r: r.uniform(0.0, 1.0, SHAPE), stats.uniform_cdf(-3, 1), (-3, 1), "lower-bound"),
    (lambda r: -3 + r.random(SHAPE), stats.uniform_cdf(-3, 1), (-3, 1), "upper-bound"),
    (lambda r: r.normal(-1, 0.5, SHAPE), stats.uniform_cdf(-3, 1), (-3, 1), "normal-not-uniform"),
    (lambda r: r.uniform(-2, 2, SHAPE), stats.uniform_cdf(-3, 1), (-3, 1), "location"),
    (lambda r: r.uniform(-0.5, 0.5, SHAPE), stats.uniform_cdf(-1, 1), (-1, 1), "scale"),
])
def test_the_statistical_judge_names_the_property_that_is_off(make, cdf, bounds, name):
    problem = _judge(make(np.random.default_rng(5)), cdf, bounds)
    assert problem is not None and problem.finding[0] == name, problem and problem.text


def test_the_old_misleading_advice_is_gone():
    problem = _judge(np.random.default_rng(1).uniform(-2, 2, SHAPE), stats.normal_cdf(0.0, 2.0))
    assert "stddev, not variance" not in problem.text and "scale" not in problem.finding[0]
    variance = _judge(np.random.default_rng(1).normal(0, 4.0, SHAPE), stats.normal_cdf(0.0, 2.0))
    assert variance.finding[0] == "scale"
    assert "is the variance, the square of the standard deviation" in variance.text


@pytest.mark.parametrize("seed", range(6))
def test_correct_samples_are_never_named(seed):
    r = np.random.default_rng(100 + seed)
    assert _judge(r.normal(0.5, 2.0, SHAPE), stats.normal_cdf(0.5, 2.0)) is None
    assert _judge(r.uniform(-3, 1, SHAPE), stats.uniform_cdf(-3, 1), (-3, 1)) is None
    assert stats.what_is_off(r.normal(0.5, 2.0, SHAPE), stats.normal_cdf(0.5, 2.0)) is None
    assert stats.what_is_off(r.uniform(-3, 1, SHAPE), stats.uniform_cdf(-3, 1)) is None


def test_a_constant_initializer_is_not_told_the_rng_is_ignored():
    judge = stats.judge_repro((4, 3))
    from grader.specs._kit import Call
    from grader.values import Rng

    calls = [Call((4, 3), Rng(1), global_seed=1), Call((4, 3), Rng(1), global_seed=2),
             Call((4, 3), Rng(2), global_seed=1)]
    problem = judge([to_returned(np.zeros((4, 3)))] * 3, calls)
    assert problem.finding[0] == "constant-output"
    ignored = judge([to_returned(np.arange(12.0).reshape(4, 3))] * 3, calls)
    assert ignored.finding[0] == "rng-ignored"


def test_an_output_one_step_behind_over_the_steps_is_named():
    from grader.diagnose import looks_stale
    from grader.framework import Call, Case

    w = np.array([1.0, -2.0, 0.5])
    case = Case("optimizers.sgd_step", "steps", [Call(w, np.ones(3), 0.1)], kind="steps", steps=5,
                rtol=1e-6, atol=1e-9)
    expected = [to_returned(w - 0.1 * (k + 1)) for k in range(5)]
    stale = [to_returned(w * 7)] + expected[:-1]        # each step returns the previous step's w
    assert [f.name for f in looks_stale(case, stale, expected)] == ["one-step-stale"]
    other = [to_returned(w * 7)] + [to_returned(e.value + 1) for e in expected[1:]]
    assert looks_stale(case, other, expected) == []


# ------------------------------------------------------------------ trial 19b
def test_whole_numbers_where_the_expected_values_are_not_are_named():
    e = np.array([0.8333333333, 1.1111111111, 2.5, 0.0, 3.75])
    assert _names(np.floor(e), e, (), ()) == ["whole-numbers"]        # // rounds down
    assert _names(np.round(e), e, (), ()) == ["whole-numbers"]        # rounded to the nearest
    neg = np.array([-0.25, 0.75, -1.5, 0.5])
    assert _names(np.trunc(neg), neg, (), ()) == ["whole-numbers"]    # an int array: toward 0
    assert _names(np.floor(neg), neg, (), ()) == ["whole-numbers"]
    hint = output_findings(np.floor(e), e, FIT, (), (), "weights")[0].hint
    assert hint.startswith("weights has whole numbers where the expected values are not")
    assert "integer division (//)" in hint and "integer array" in hint


def test_hard_zeros_and_ones_for_values_between_them_are_a_threshold_not_a_division():
    # review 19: a sigmoid written as a step, a softmax as a one-hot argmax were told "an
    # integer division (//)"
    x = np.array([-2.0, -0.3, 0.4, 3.0])
    s = 1 / (1 + np.exp(-x))
    assert _names((x > 0) * 1.0, s, (), ()) == ["hard-values"]
    p = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    onehot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert _names(onehot, p, (), ()) == ["hard-values"]
    hint = output_findings((x > 0) * 1.0, s, FIT, (), (), "s")[0].hint
    assert hint.startswith("s holds only 0s and 1s") and "threshold or an argmax" in hint and "//" not in hint
    # values beyond [0, 1] cut to 0 and 1 (class weights 0.83 and 1.11 by //): still a division
    w = np.array([0.8333333333, 1.1111111111, 1.0416666667])
    assert _names(np.floor(w), w, (), ()) == ["whole-numbers"]


def test_whole_numbers_are_never_named_where_whole_numbers_are_expected():
    counts = np.array([3.0, 7.0, 0.0, 12.0])
    # another count, one more, a count with the wrong rounding: whole numbers expected
    assert "whole-numbers" not in _names(counts + 1, counts, (), ())
    assert "whole-numbers" not in _names(np.array([3.0, 6.0, 1.0, 12.0]), counts, (), ())
    assert "whole-numbers" not in _names(counts + 1, counts, (), (), integer=True)
    # values not each the expected one rounded, or 0 everywhere (a result never filled in)
    e = np.array([0.8333333333, 1.1111111111, 2.5])
    assert "whole-numbers" not in _names(np.array([1.0, 2.0, 2.0]), e, (), ())
    assert _names(np.zeros(3), np.array([0.25, 0.5, 0.75]), (), ()) == []
    # fractions in the result: not whole numbers
    assert "whole-numbers" not in _names(e + 0.5, e, (), ())


def test_an_update_a_negative_factor_off_names_a_sign_inside_it():
    # Nesterov from rest with + lr·grad for − lr·grad: the step is −(1 − m)/(1 + m) times the
    # expected one, a sign inside the update rather than a wrong factor
    w, g, lr, m = RNG.uniform(-1, 1, 6), RNG.uniform(-1, 1, 6), 0.1, 0.9
    v = -lr * g
    expected, yours = w + m * v - lr * g, w + m * v + lr * g
    found = output_findings(yours, expected, FIT, ("w", "grad", "velocity", "lr", "momentum"),
                            (w, g, np.zeros(6), lr, m), "w", before=w)
    assert [f.name for f in found] == ["update-sign"]
    assert found[0].hint == ("the change of w is -0.05263 times the expected value everywhere, the other "
                             "way: a sign inside the update is wrong (a term added instead of "
                             "subtracted, or the reverse)")
    # a positive factor is still a factor; the opposite step still the opposite sign
    assert _names(w - 0.37 * g, w - 0.1 * g, ("w", "grad", "lr"), (w, g, 0.1), before=w) == ["update-scaled"]
    assert _names(w + 0.1 * g, w - 0.1 * g, ("w", "grad", "lr"), (w, g, 0.1), before=w) == ["update-negated"]
