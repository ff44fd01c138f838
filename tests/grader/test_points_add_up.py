"""Every report's per-function points add up to the total it states (and `chainrule grade`
states): rounded one by one, three thirds of a point show 0.33 + 0.33 + 0.33 = 0.99 beside
a total of 1, and GitHub Classroom adds up the rows (the trial found 45.66 against 45.67)."""

import csv
import io
import json
from collections import OrderedDict
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from chainrule_core.contract import qualified_names
from grader.batch import result_to_json
from grader.classreport import Row, grades_csv
from grader.classroom_report import reporter_result
from grader.reports import render
from grader.results import CaseResult, FunctionResult, GradeResult, apportion

NAMES = list(qualified_names())[:3]


def _thirds():
    """Three 1-point functions, each passing one case of three: 1/3 of a point each."""
    functions = OrderedDict()
    for name in NAMES:
        cases = [CaseResult(i, f"case{i}", i == 1, status="passed" if i == 1 else "failed") for i in (1, 2, 3)]
        functions[name] = FunctionResult(name, 1.0, cases)
    return GradeResult("exercises", 7, "the reference", 5.0, functions)


def test_the_rows_were_a_hundredth_short_when_rounded_one_by_one():
    result = _thirds()
    assert [round(f.exact_score, 2) for f in result.functions.values()] == [0.33, 0.33, 0.33]  # 0.99
    assert result.score == 1.0


@pytest.mark.parametrize("fmt", ["gradescope", "json-classroom"])
def test_json_reports_add_up_to_the_total(fmt):
    result = _thirds()
    if fmt == "gradescope":
        doc = json.loads(render(result, "gradescope"))
        assert doc["score"] == 1.0
    else:
        doc = reporter_result(result)
    scores = [t["score"] for t in doc["tests"]]
    assert sorted(scores) == [0.33, 0.33, 0.34]  # each within a hundredth of 1/3
    assert round(sum(scores), 2) == 1.0


def test_text_markdown_and_junit_rows_show_the_same_points():
    result = _thirds()
    text = render(result, "text")
    assert "0.34/1" in text and text.count("0.33/1") == 2
    md = render(result, "markdown")
    assert md.count("| 0.33/1 |") == 2 and md.count("| 0.34/1 |") == 1
    junit = render(result, "junit")
    assert junit.count("0.33/1 points") == 2 and junit.count("0.34/1 points") == 1


def test_grades_csv_rows_add_up_to_their_total():
    record = {"status": "graded", "result": result_to_json(_thirds())}
    row = Row("kim", NAMES, record)
    table = list(csv.reader(io.StringIO(grades_csv([row], NAMES))))
    assert table[0] == ["id", *NAMES, "total", "percent"]
    points = [float(x) for x in table[1][1:4]]
    assert table[1][4] == "1" and round(sum(points), 2) == 1.0


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 12), st.sampled_from([0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7])),
                max_size=20))
def test_apportion_keeps_the_total_and_each_value_within_a_hundredth(parts):
    # points as the grader makes them: max_score * passed / cases
    values = [points * min(p, n) / n for p, n, points in parts]
    shown = apportion(values)
    exact = sum(Fraction(v) for v in values)
    assert round(sum(shown), 2) == round(sum(values), 2)
    for s, v in zip(shown, values):
        assert abs(Fraction(s).limit_denominator(100) - Fraction(v)) < Fraction(1, 100)
        assert round(s, 2) == s  # whole hundredths
    assert abs(Fraction(round(sum(shown), 2)).limit_denominator(100) - exact) <= Fraction(1, 200) + Fraction(1, 10**9)


def test_apportion_to_a_given_total_never_moves_whole_hundredths():
    third = 1 / 3
    assert apportion([third] * 3, total=0.99) == [0.33, 0.33, 0.33]
    assert apportion([third] * 3, total=1.01) == [0.34, 0.34, 0.33]
    # zero and full marks are shown as they are, even when the total asks for a hundredth more
    assert apportion([0.0, 2.0], total=2.01) == [0.0, 2.0]
    assert apportion([0.0, 2.0, third], total=2.35) == [0.0, 2.0, 0.34]
