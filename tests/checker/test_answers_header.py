"""answers.toml's header shows how to write an answer, in English and Korean: the number
example is a made-up blank name said to be one, never one of the sheet's blanks (trial 17a:
the student's own z_2 beside a made-up value read as a hint about their z_2; session 10's
trial: dE_dw_5 = ..., a key not on the sheet, unexplained), with a value that is none of the
sheet's answers; the choice sentence names a choice blank of this student's own sheet, without
a value (loss_choice = "mse" is the answer on some sheets)."""

import itertools
import re
import tomllib

import pytest

from chainrule.cli import cli  # noqa: F401  (the CLI's imports, as generate runs)
from generator import worksheets
from generator.numbers import format_number

from _check_helpers import run

SEED = 2024


def _sheet(families, sid="student-001"):
    plan = [(f"p{i + 1}_{f}", f, 0) for i, f in enumerate(families)]
    return worksheets.build_sheet(worksheets.Student(sid), SEED, plan)


def _head(text):
    return list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))


def _blanks(text):
    """{key: kind} of the blanks of an answers.toml, read as TOML (the [chainrule] tables left out)."""
    data = tomllib.loads(text)
    return {k for table, values in data.items() if table != "chainrule" for k in values}


@pytest.mark.parametrize("families", [["forward_pass", "output_update", "loss_values"],
                                      ["hidden_update", "activations"], ["learning_rate"]])
def test_the_example_number_blank_is_none_of_the_sheets_and_the_choice_blank_is_on_it(families):
    sheet = _sheet(families)
    for lang in ("en", "ko"):
        text = worksheets.answers_toml(sheet, SEED, lang, None)
        line = _head(text)[1]
        named = set(re.findall(r"\b([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)\b", line))
        assert "some_blank" in named and "some_blank" not in _blanks(text), (lang, line)
        assert named - {"some_blank"} <= _blanks(text), (lang, named, line)
        assert ("made-up name" if lang == "en" else "지어낸 이름") in line


def test_the_example_name_is_another_when_a_sheet_has_a_blank_of_that_name():
    sheet = _sheet(["forward_pass"])
    sheet.problems[0].questions[0].key = "some_blank"  # (no family has one: made up here)
    line = _head(worksheets.answers_toml(sheet, SEED, "en", None))[1]
    assert ' example_blank = "0.02592286"' in line and "some_blank" not in line


def test_the_header_line_word_for_word():
    sheet = _sheet(["forward_pass", "loss_values"])
    questions = [q for p in sheet.problems for q in p.questions]
    first = next(q.key for q in questions if q.kind == "number")
    choice = next(q.key for q in questions if q.kind == "choice")
    assert (first, choice) == ("z_1", "loss_choice")
    en = _head(worksheets.answers_toml(sheet, SEED, "en", None))[1]
    ko = _head(worksheets.answers_toml(sheet, SEED, "ko", None))[1]
    assert en == (
        '# Write each answer between the quotes, rounded as the worksheet says (the rule below), e.g. a value of '
        '0.025922864007... for a blank named some_blank (a made-up name) is written  some_blank = "0.02592286" '
        '(8 decimals, as it lies between 0.01 and 1); for a choice such as loss_choice, write one of the keys listed '
        'above it.')
    assert ko == (
        '# 각 답을 따옴표 안에 문제지의 규칙(아래)대로 반올림하여 쓰시오. 예: some_blank라는 항목(예로 지어낸 이름)의 값이 '
        '0.025922864007...이면  some_blank = "0.02592286"라고 쓴다 (0.01과 1 사이이므로 소수점 아래 8자리). '
        'loss_choice 같은 선택형 문제는 그 위 줄에 나열된 보기의 키 중 하나를 쓰시오.')
    # no choice blank: the sentence ends after the example; integers only: no number example
    assert _head(worksheets.answers_toml(_sheet(["forward_pass"]), SEED, "en", None))[1].endswith(
        'some_blank = "0.02592286" (8 decimals, as it lies between 0.01 and 1).')
    plan = _sheet(["batch_arithmetic"])
    assert {q.kind for p in plan.problems for q in p.questions} == {"integer", "choice"}
    line = _head(worksheets.answers_toml(plan, SEED, "en", None))[1]
    assert line.startswith("# Write each answer between the quotes, rounded as the worksheet says (the rule below); "
                           "for a choice such as ") and "e.g." not in line


def test_the_example_number_is_no_answer_of_the_sheet(tmp_path):
    # the worked example's dE/dw5 is 0.02592286: its sheet gets another example number
    out = tmp_path / "preset"
    result = run("generate", "--preset", "worked-example", "--format", "md", "--out", out)
    assert result.exit_code == 0, result.output
    text = (out / "students" / "worked-example" / "answers.toml").read_text(encoding="utf-8")
    keys = (out / "keys" / "worked-example" / "key.md").read_text(encoding="utf-8")
    assert "0.02592286" in keys
    line = _head(text)[1]
    raw, example = re.search(r'a value of ([0-9.]+)\.\.\. for a blank named \w+ \(a made-up name\) is written  \w+ = '
                             r'"([0-9.]+)"', line).groups()
    assert example != "0.02592286" and example not in keys
    assert format_number(__import__("sympy").Rational(example)) == example   # as the rule writes it


def test_every_example_value_is_written_as_the_rule_says():
    """8 decimals between 0.01 and 1, rounded half up (by decimal arithmetic here)."""
    from decimal import ROUND_HALF_UP, Decimal

    for raw, value in worksheets.EXAMPLE_NUMBERS:
        digits = Decimal(raw.rstrip("."))
        assert Decimal("0.01") < digits < 1 and len(raw.rstrip(".").split(".")[1]) > 8
        assert str(digits.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)) == value
