"""Answers typed by an input method in full-width mode (a Korean IME: "０.３７５８１７２１",
trial 13) are read as the numbers they are, on open and practice sheets; a superscript is
not folded into a digit ("0.5²" is not 0.52)."""

import tomllib

import pytest

from checker import check
from generator import worksheets
from generator.numbers import format_number

SEED, SID = 2024, "student-001"


def _full_width(text):
    """``text`` as a full-width input method types it, written out character by character."""
    table = {"0": "０", "1": "１", "2": "２", "3": "３", "4": "４", "5": "５", "6": "６", "7": "７", "8": "８",
             "9": "９", ".": "．", "-": "－", "+": "＋", "e": "ｅ", "/": "／", ",": "，"}
    return "".join(table[c] for c in text)


def _sheet(mode):
    plan = [("p1_output_update", "output_update", 0)]
    sheet = worksheets.build_sheet(worksheets.Student(SID), SEED, plan)
    return sheet.problems[0], tomllib.loads(worksheets.answers_toml(sheet, SEED, "ko", None, mode=mode))


@pytest.mark.parametrize("mode", ["open", "practice"])
def test_the_keys_numbers_in_full_width_digits_are_right(mode):
    problem, data = _sheet(mode)
    table = data["p1_output_update"]
    for q in problem.questions:
        table[q.key] = _full_width(format_number(q.answer))     # the key's own printed number
        assert not table[q.key].isascii()
    report = check.check_data(data, "answers.toml", check.Options())
    verdicts = report.problems[0].verdicts
    assert [(v.key, v.status) for v in verdicts] == [(q.key, "correct") for q in problem.questions]


def test_a_full_width_ideographic_space_fraction_and_sign():
    problem, data = _sheet("open")
    q = problem.questions[0]
    exact = format_number(q.answer)
    from fractions import Fraction
    value = Fraction(exact)
    sign = "-" if value < 0 else ""
    table = data["p1_output_update"]
    table[q.key] = "\u3000" + _full_width(f"{sign}{abs(value.numerator)}/{value.denominator}") + "\u3000"
    verdict = check.check_data(data, "answers.toml", check.Options()).problems[0].verdicts[0]
    assert verdict.status == "correct", verdict


def test_a_full_width_decimal_comma_is_told_as_a_comma():
    problem, data = _sheet("open")
    q = problem.questions[0]
    data["p1_output_update"][q.key] = _full_width(format_number(q.answer).replace(".", ","))
    verdict = check.check_data(data, "answers.toml", check.Options()).problems[0].verdicts[0]
    assert verdict.status == "invalid"
    assert "쉼표 대신 소수점을 쓰시오" in verdict.message


def test_a_superscript_is_not_read_as_a_digit():
    from checker.reading import NotAnAnswer, read_number

    with pytest.raises(NotAnAnswer):
        read_number("0.5\u00b2")            # 0.5 squared, never 0.52
    assert read_number("０.５").value == read_number("0.5").value


@pytest.mark.parametrize("mode", ["open", "practice"])
@pytest.mark.parametrize("stop", ["\u3002", "\uff61"])
def test_an_ideographic_full_stop_is_a_decimal_point(mode, stop):
    # "0。32259990": a CJK input method types "。" for the "." key (trial 18a)
    problem, data = _sheet(mode)
    table = data["p1_output_update"]
    for q in problem.questions:
        table[q.key] = format_number(q.answer).replace(".", stop)
        assert stop in table[q.key]
    report = check.check_data(data, "answers.toml", check.Options())
    verdicts = report.problems[0].verdicts
    assert [(v.key, v.status) for v in verdicts] == [(q.key, "correct") for q in problem.questions]
