"""The Korean messages of ``chainrule check`` in plain words (session 10's student trial):
no credit carried forward said as such, an unknown key's note in a Korean word order, the
[chainrule] part of the file called a section (not a table, which reads as a visual table),
a decimal comma told what to write. Every line is the whole message, as a student reads it."""

import itertools
import tomllib
from fractions import Fraction

from checker import check
from generator import worksheets
from generator.numbers import format_number

from _check_helpers import fill, run

SEED, SID = 2024, "student-001"


def _korean(families, mode="open"):
    plan = [(f"p{i + 1}_{f}", f, 0) for i, f in enumerate(families)]
    sheet = worksheets.build_sheet(worksheets.Student(SID), SEED, plan)
    return sheet, worksheets.answers_toml(sheet, SEED, "ko", None, mode=mode)


def _problem_notes(data):
    report = check.check_data(data, "answers.toml", check.Options())
    return report, [note for p in report.problems for note in p.notes]


def test_an_unknown_key_in_korean_word_order():
    sheet, text = _korean(["output_update"])
    data = tomllib.loads(text)
    keys = [q.key for q in sheet.problems[0].questions]
    last = keys[-1]                                      # w_7_new or the like
    typo = last.replace("_", "", 1)                      # w7_new
    data["p1_output_update"][typo] = "0.5"
    data["p1_output_update"]["weight"] = "1"
    _report, notes = _problem_notes(data)
    assert notes == [
        f"[p1_output_update]의 '{typo}': 없는 키라 확인하지 않았다 ('{last}'의 오타인가?)",
        f"[p1_output_update]의 'weight': 없는 키라 확인하지 않았다; 이 문제의 키는 {', '.join(keys)}",
    ]


def test_no_credit_carried_forward_said_in_plain_korean():
    sheet, text = _korean(["output_update"])
    problem = sheet.problems[0]
    keys = [q.key for q in problem.questions]
    right = {q.key: Fraction(format_number(q.answer)) for q in problem.questions}
    data = tomllib.loads(text)
    table = data["p1_output_update"]
    slip = right[keys[0]] * Fraction(11, 10)             # an honest slip in dE/do: the rest follows from it
    for k in keys[1:3]:
        table[k] = format_number(right[k])
    table[keys[0]] = format_number(slip)
    table[keys[3]] = format_number(slip * right[keys[1]] * right[keys[2]])
    said = {}
    for carry in ("full", "half", "none"):
        report = check.check_data(data, "answers.toml", check.Options(carry=carry))
        said[carry] = {v.key: v.message for v in report.problems[0].verdicts}[keys[3]]
    used = f"{keys[0]} = {table[keys[0]]}"
    assert said == {
        "full": f"앞에서 쓴 답({used})으로 계산한 값과 같다: 앞 답을 이어받아 맞은 것으로 본다",
        "half": f"앞에서 쓴 답({used})으로 계산한 값과 같다: 앞 답을 이어받아 점수의 절반을 준다",
        "none": f"앞에서 쓴 답({used})으로 계산한 값과 같지만 맞는 값은 아니다 (앞 답을 이어받은 점수는 주지 않는다)",
    }


def test_the_practice_note_and_a_decimal_comma_in_korean(tmp_path):
    _sheet, text = _korean(["activations"], mode="practice")
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    first = tomllib.loads(text)["chainrule"]["practice"]["p1_activations"]
    key = next(k for k in first if k != "salt" and first[k]["kind"] == "number")
    fill(path, {("p1_activations", key): '"0,5"'})
    result = run("check", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert ("연습 문제지: 솔트를 넣은 해시로 유효숫자 6자리까지 판정한다 (마지막 자리 ±1); 앞 답을 이어받은 점수는 "
            "주지 않는다.") in lines
    assert f'  ? a) {key} = "0,5": 수가 아니다: "0,5"; 0.165, -2.5e-3, 1/3처럼 수 하나를 쓰시오 (쉼표 대신 소수점을 ' \
        "쓰시오)" in lines


def test_the_chainrule_part_of_the_file_is_a_section_in_korean(tmp_path):
    for mode in ("open", "practice"):
        _sheet, text = _korean(["activations"], mode=mode)
        head = list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
        assert head[-1].endswith("([chainrule] 섹션은 고치지 마시오: 각 문제의 변형을 나타낸다)"), head[-1]
        assert "] 표" not in "\n".join(head)
    # a practice file whose salt was removed: the error names the section
    _sheet, text = _korean(["activations"], mode="practice")
    path = tmp_path / "answers.toml"
    path.write_text(text.replace('salt = "', 'sal = "', 1), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1
    assert "[chainrule.practice.p1_activations] 섹션이 없다: chainrule generate가 쓴 answers.toml을 확인하시오 " \
        "([chainrule] 섹션은 쓰인 그대로 두어야 한다; 답의 이름을 바꾸어 쓰는 찾아 바꾸기가 그 섹션까지 바꾸었을 수 " \
        "있다)." in result.output


def test_a_percentage_a_power_of_ten_and_an_unknown_problem_in_korean():
    sheet, text = _korean(["output_update"])
    data = tomllib.loads(text)
    keys = [q.key for q in sheet.problems[0].questions]
    data["p1_output_update"][keys[0]] = "33%"
    data["p1_output_update"][keys[1]] = "9.25 × 10^-5"
    data["p9"] = {"x": "1"}
    report = check.check_data(data, "answers.toml", check.Options())
    said = {v.key: v.message for v in report.problems[0].verdicts}
    assert said[keys[0]] == '수가 아니다: "33%"; 0.165, -2.5e-3, 1/3처럼 수 하나를 쓰시오 (백분율 대신 소수로 쓰시오: ' \
        "33%가 아니라 0.33)"
    assert said[keys[1]].endswith(" (10의 거듭제곱은 e로 쓰시오: 9.25 × 10^-5는 9.25e-5)")
    assert report.notes == ["파일에 'p9' 문제가 없어 무시했다; 이 파일의 문제는 p1_output_update"]


def test_no_particle_placeholder_in_a_korean_message():
    # "0.05442738와(과) 일관된다", "\"0,48625347\"은(는) 수가 아니다" (trial 18a): a value quoted in a Korean
    # message is followed by no particle, so that none has to be guessed
    from checker.messages import MESSAGES

    placeholders = ("은(는)", "는(은)", "이(가)", "가(이)", "을(를)", "를(을)", "와(과)", "과(와)", "(으)로")
    for name, (_english, korean) in MESSAGES.items():
        assert not any(p in korean for p in placeholders), name
    for module in ("checker/check.py", "checker/answers_file.py", "chainrule/commands/check.py"):
        import pathlib

        text = (pathlib.Path(__file__).parents[2] / module).read_text(encoding="utf-8")
        assert not any(p in text for p in placeholders), module
