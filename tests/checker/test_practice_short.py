"""A practice sheet's short answer (session 10's student trial): h_2 = "0.5591", the right
value to 4 digits, got "not the right value to 6 significant digits", the verdict of the
wrong 0.5599, and was counted wrong. The file keeps one hash per blank, at 6 digits, and
no shorter one (a 4-digit hash would be a cheap first step of a search); a 4- or 5-digit
answer is judged by hashing each 6-digit number it can stand for (rounded or cut off there):
"cannot be judged with 4 digits; give 8 significant digits" when one is the answer (status
too_few: no credit, not a wrong value), "not the right value, not even to the 4 significant
digits you gave" when none is. With 3 digits or fewer nothing can be said cheaply: "cannot
be judged". The right values are the printed key's, shortened here by hand (string digits,
rounded half up or cut), never asked of the checker."""

import hashlib
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest

from _check_helpers import fill, printed_answers, run

from checker import answers_file, check, practice

TABLE = "p1_forward_pass"
JUDGED = "cannot be judged with {k} digits; give 8 significant digits (8 decimals between 0.01 and 1), rounded as " \
         "the worksheet says"
NOT_EVEN = "not the right value, not even to the {k} significant digits you gave"


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    root = tmp_path_factory.mktemp("short")
    for lang in ("en", "ko"):
        result = run("generate", "--out", root / lang, "--count", "1", "--format", "md", "--practice",
                     "--families", "forward_pass", "--lang", lang)
        assert result.exit_code == 0, result.output
    return root


def _digits(text, k, how=ROUND_HALF_UP):
    """The printed ``text`` to ``k`` significant digits, by decimal arithmetic."""
    d = Decimal(text)
    return str(d.quantize(Decimal(1).scaleb(d.adjusted() - k + 1), rounding=how))


def _copy(folder, tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text((folder / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    return path


def _said(result):
    return {m.group(2): (m.group(1), m.group(3)) for m in
            re.finditer(r"^  (\S) [a-z]\) (\w+) = \"[^\"]*\": (.*)$", result.stdout, re.M)}


def test_digits_by_hand():
    assert _digits("0.55914567", 4) == "0.5591" and _digits("0.55915", 4) == "0.5592"
    assert _digits("0.55919", 4, ROUND_DOWN) == "0.5591" and _digits("0.01492536", 5) == "0.014925"


def test_a_right_answer_with_too_few_digits_is_not_a_wrong_value(sheet, tmp_path):
    key = printed_answers(sheet / "en")
    names = list(key)                                  # z_k, h_k, o_k (one or two), E
    h, o, e = names[1], names[2], names[-1]
    assert len(_digits(key[h], 4).lstrip("0.")) == 4
    wrong = _digits(str(Decimal(key[o]) + Decimal("0.0008")), 4)          # 0.5599 for 0.5591
    path = _copy(sheet / "en", tmp_path)
    fill(path, {(TABLE, names[0]): f'"{key[names[0]]}"',
                (TABLE, h): f'"{_digits(key[h], 4)}"',                    # rounded to 4 digits
                (TABLE, o): f'"{wrong}"',
                (TABLE, e): f'"{_digits(key[e], 5)}"'})                   # rounded to 5 digits
    result = run("check", path)
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert said[h] == ("\u2026", JUDGED.format(k=4))
    assert said[o] == ("\u2717", NOT_EVEN.format(k=4))
    assert said[e] == ("\u2026", JUDGED.format(k=5))
    n = len(names)
    assert result.stdout.splitlines()[-1] == (
        f"1 of {n} correct (1 wrong, 2 with too few digits, {n - 4} not answered, 0 invalid)")
    # a class check (the problems rebuilt) gives the same verdicts, in its own words
    manifest = sheet / "en" / "manifest.json"
    rebuilt = _said(run("check", path, "--manifest", manifest))
    assert rebuilt[h][0] == "\u2026" and rebuilt[h][1].startswith("agrees to the 4 significant digits you gave")
    assert rebuilt[o][0] == "\u2717" and rebuilt[e][0] == "\u2026"


def test_cut_off_fewer_and_more_digits(sheet, tmp_path):
    key = printed_answers(sheet / "en")
    names = list(key)
    h, o, e = names[1], names[2], names[-1]
    path = _copy(sheet / "en", tmp_path)
    cut = _digits(key[h], 4, ROUND_DOWN)
    fill(path, {(TABLE, h): f'"{cut}"',                                       # cut off, not rounded
                (TABLE, o): f'"{_digits(key[o], 3)}"',                        # 3 digits: too short to hash
                (TABLE, e): f'"{_digits(str(-Decimal(key[e])), 5)}"',         # the sign flipped, 5 digits
                (TABLE, names[0]): '"0.9"'})                                  # 1 digit, far off
    said = _said(run("check", path))
    assert said[h] == ("\u2026", JUDGED.format(k=4))
    assert said[o] == ("\u2026", JUDGED.format(k=3))
    assert said[e] == ("\u2717", NOT_EVEN.format(k=5))
    assert said[names[0]] == ("\u2026", JUDGED.format(k=1).replace("1 digits", "1 digit"))
    # 6 digits or more are judged by the hash itself, as before
    fill(path, {(TABLE, h): f'"{_digits(key[h], 6)}"', (TABLE, o): f'"{_digits(key[o], 7)}"'})
    said = _said(run("check", path))
    assert h not in said and o not in said          # right: no message line


def test_korean(sheet, tmp_path):
    key = printed_answers(sheet / "ko")
    names = list(key)
    path = _copy(sheet / "ko", tmp_path)
    fill(path, {(TABLE, names[1]): f'"{_digits(key[names[1]], 4)}"',
                (TABLE, names[2]): f'"{_digits(str(Decimal(key[names[2]]) + Decimal("0.0008")), 4)}"'})
    result = run("check", path)
    said = _said(result)
    assert said[names[1]] == ("\u2026", "유효숫자 4자리로는 판정할 수 없다; 문제지의 규칙대로 유효숫자 8자리(0.01과 1 사이는 "
                                        "소수점 아래 8자리)로 반올림하여 쓰시오")
    assert said[names[2]] == ("\u2717", "쓴 유효숫자 4자리까지도 맞는 값이 아니다")
    n = len(names)
    assert result.stdout.splitlines()[-1] == f"{n}문항 중 0문항 정답 (오답 1, 자릿수 부족 1, 답하지 않음 {n - 2}, 형식 오류 0)"


def test_a_short_answer_costs_a_bounded_number_of_hashes(sheet, tmp_path, monkeypatch):
    key = printed_answers(sheet / "en")
    names = list(key)
    path = _copy(sheet / "en", tmp_path)
    values = {(TABLE, k): f'"{_digits(str(Decimal(key[k]) * Decimal("1.01")), 4)}"' for k in names if k != "E"}
    values[(TABLE, "E")] = f'"{_digits(str(Decimal(key["E"]) * Decimal("1.01")), 5)}"'
    fill(path, values)
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    practice._hash.cache_clear()
    report = check.check_file(path)
    n = len(names)
    assert [v.status for p in report.problems for v in p.verdicts] == ["wrong"] * n
    # per number: itself and its neighbours, the same negated (6), then every 6-digit number
    # a 4-digit answer stands for (half a unit below to a unit above, one more each way: 152;
    # 17 for 5 digits)
    assert len(calls) <= (n - 1) * (6 + 152) + (6 + 17)
    assert len(calls) >= (n - 1) * 150               # each of them was tried: none matches


def test_the_file_format_is_unchanged(sheet):
    """No new hash: a file made before this judges its short answers the same way."""
    data = answers_file.read(sheet / "en" / "students" / "student-001" / "answers.toml")
    assert data["chainrule"]["practice_scheme"] == practice.SCHEME == "scrypt-1"
    for key, spec in data["chainrule"]["practice"][TABLE].items():
        if key != "salt":
            assert set(spec) <= {"kind", "digits", "hash", "band", "mistakes"} and spec["digits"] == 6


def test_a_file_of_short_answers_is_judged_within_a_bounded_time(sheet, tmp_path, monkeypatch):
    """Every answer of a 96-blank sheet written to 4 digits would take a minute or two: a
    file gets ``SHORT_BUDGET`` tries, then a short answer is not compared (it cannot be
    judged, as with 3 digits) and a note says so."""
    key = printed_answers(sheet / "en")
    names = list(key)
    path = _copy(sheet / "en", tmp_path)
    fill(path, {(TABLE, k): f'"{_digits(str(Decimal(key[k]) * Decimal("1.01")), 4)}"' for k in names[1:3]})
    monkeypatch.setattr(practice, "SHORT_BUDGET", 200)      # the first wrong one takes 152
    practice._hash.cache_clear()
    result = run("check", path)
    said = _said(result)
    assert said[names[1]] == ("\u2717", NOT_EVEN.format(k=4))
    assert said[names[2]] == ("\u2026", JUDGED.format(k=4))
    assert ("Note: 1 short answer (4 or 5 significant digits) could not be compared at the digits given: each takes "
            "up to 152 hashes, and a file gets 200; give 8 significant digits and check again") in result.stdout
    monkeypatch.setattr(practice, "SHORT_BUDGET", 1500)
    result = run("check", path)
    assert _said(result)[names[2]] == ("\u2717", NOT_EVEN.format(k=4))
    assert "could not be compared" not in result.stdout


def test_the_budget_note_in_korean(sheet, tmp_path, monkeypatch):
    key = printed_answers(sheet / "ko")
    names = list(key)
    path = _copy(sheet / "ko", tmp_path)
    fill(path, {(TABLE, k): f'"{_digits(str(Decimal(key[k]) * Decimal("1.01")), 4)}"' for k in names[1:3]})
    monkeypatch.setattr(practice, "SHORT_BUDGET", 200)
    result = run("check", path)
    assert ("참고: 짧은 답 1개(유효숫자 4자리나 5자리)는 그 자릿수로 비교하지 못했다: 답 하나에 해시가 152번까지 들고 파일 "
            "하나에는 200번까지만 쓴다; 유효숫자 8자리로 써서 다시 확인하시오") in result.stdout
