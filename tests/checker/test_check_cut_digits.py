"""Too few digits: "agrees to the N significant digits you gave" only when the digits are
the answer correctly rounded; the answer cut off there (which is also what other values,
a mistake's among them, round to) is told only that its digits are too few to tell."""

import re

from _check_helpers import fill, run

RULE = "write more digits, rounded as the worksheet says (8 decimals between 0.01 and 1, else 8 significant digits)"
CUT = ("the worksheet rounds: write 8 decimals between 0.01 and 1, else 8 significant digits, the last one rounded "
       "half up, not cut off")
RULE_KO = "문제지의 규칙대로 더 많은 자릿수를 쓰시오 (0.01과 1 사이는 소수점 아래 8자리, 그 밖에는 유효숫자 8자리)"
CUT_KO = ("문제지는 반올림한다: 0.01과 1 사이는 소수점 아래 8자리, 그 밖에는 유효숫자 8자리로 쓰고, 마지막 자리는 "
          "버리지 말고 반올림하시오")


def _sheet(tmp_path, lang):
    roster = tmp_path / "roster.csv"
    roster.write_text("id\nstudent-003\n", encoding="utf-8")
    out = tmp_path / lang
    result = run("generate", "--students", roster, "--format", "md", "--lang", lang, "--out", out, "-j", "1")
    assert result.exit_code == 0, result.output
    return out / "keys" / "student-003" / "key.md", out / "students" / "student-003" / "answers.toml"


def _line(result, key):
    return next(l.strip() for l in result.stdout.splitlines() if re.match(rf"\s+\S+ \w\) {key}\b", l))


def test_xavier_cut_to_one_digit_is_not_said_to_agree_student_003(tmp_path):
    key_md, answers = _sheet(tmp_path, "en")
    # the key's answer, 0.05773503: 0.06 at one digit, 0.05 only cut off
    assert "- a) `xavier`: $0.05773503$" in key_md.read_text(encoding="utf-8")
    fill(answers, {("p12_initialization", "xavier"): '"0.05"'})
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.05": too few digits to tell whether this is right (1 significant digit); {CUT}')
    fill(answers, {("p12_initialization", "xavier"): '"0.06"'})
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.06": agrees to the 1 significant digit you gave; {RULE}')
    fill(answers, {("p12_initialization", "xavier"): '"0.0577"'})  # cut and rounded alike: agrees
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.0577": agrees to the 3 significant digits you gave; {RULE}')
    fill(answers, {("p12_initialization", "xavier"): '"0.05773"'})  # cut: 0.05773|503
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.05773": too few digits to tell whether this is right (4 significant digits); {CUT}')
    fill(answers, {("p12_initialization", "xavier"): '"-0.05"'})  # the sign named first
    assert _line(run("check", answers), "xavier") == (
        f'\u2717 a) xavier = "-0.05": wrong sign; apart from the sign, too few digits to tell whether this is right '
        f'(1 significant digit); {CUT}')


def test_the_same_in_korean(tmp_path):
    _key, answers = _sheet(tmp_path, "ko")
    fill(answers, {("p12_initialization", "xavier"): '"0.05"'})
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.05": 자릿수가 너무 적어 맞는지 알 수 없다 (유효숫자 1자리); {CUT_KO}')
    fill(answers, {("p12_initialization", "xavier"): '"0.06"'})
    assert _line(run("check", answers), "xavier") == (
        f'\u2026 a) xavier = "0.06": 쓴 유효숫자 1자리까지 맞는다; {RULE_KO}')


def test_agrees_only_when_the_answer_rounds_to_the_digits_given():
    """"1" is 0.96 rounded to one significant digit, not 0.54 (0.5 there), although both lie
    within half a unit of the 1's last digit; a tie rounds half up, as the sheets say."""
    from fractions import Fraction

    from checker.judge import Target, judge
    from checker.tolerance import default

    def verdict(answer, written):
        v = judge(Target("x", "number", Fraction(answer), default(1e-6, 1e-9)), written)
        return v.status, v.message.split(";")[0]

    assert verdict("0.96", "1") == ("too_few", "agrees to the 1 significant digit you gave")
    assert verdict("0.54", "1") == ("wrong", "not the right value (an answer must agree to about 6 significant digits)")
    assert verdict("0.03125", "0.0313") == ("too_few", "agrees to the 3 significant digits you gave")
    assert verdict("0.03125", "0.0312") == ("too_few", "too few digits to tell whether this is right (3 significant "
                                                       "digits)")
    assert verdict("-0.03125", "-0.0313") == ("too_few", "agrees to the 3 significant digits you gave")


def test_too_few_digits_in_the_totals_and_the_reports(tmp_path):
    import csv
    import io
    import json

    _key, answers = _sheet(tmp_path, "en")
    fill(answers, {("p12_initialization", "xavier"): '"0.0577"', ("p1_forward_pass", "z_1"): '"7"'})
    result = run("check", answers)
    total = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"0 of (\d+) correct \(1 wrong, 1 with too few digits, (\d+) not answered, 0 invalid\)", total)
    data = json.loads(run("check", answers, "--format", "json").stdout)
    assert data["schema"] == 4 and (data["totals"]["wrong"], data["totals"]["too_few"]) == (1, 1)
    statuses = {q["key"]: q["status"] for f in data["files"] for p in f["problems"] for q in p["questions"]}
    assert (statuses["xavier"], statuses["z_1"]) == ("too_few", "wrong")
    (row,) = csv.DictReader(io.StringIO(run("check", answers, "--format", "csv").stdout))
    assert row["p12_initialization.a"] == "0" and row["correct"] == "0"     # no credit, as for a wrong value
