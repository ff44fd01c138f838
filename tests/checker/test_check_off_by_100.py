"""A number 100 times the answer (a percentage where a fraction is asked: E = 7.549587 for
0.07549587) or 1/100 of it is named as such on a graded sheet, like the percent sign is
("a fraction, not a percentage"), never more: a wrong value that is no such slip keeps
"not the right value". The answers are the printed key's, moved by hand (the decimal point
shifted in the text), so nothing here asks the checker for them."""

import re
from fractions import Fraction

import pytest

from _check_helpers import fill, printed_answers, run

TIMES = "100 times the right value (a fraction, not a percentage: 0.33, not 33)"
OVER = "1/100 of the right value (the decimal point is two places off)"
RULE = ("write more digits, rounded as the worksheet says (8 decimals between 0.01 and 1, else 8 significant "
        "digits)")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, secret_file):
    root = tmp_path_factory.mktemp("off100")
    for lang in ("en", "ko"):
        result = run("generate", "--out", root / lang, "--count", "1", "--format", "md", "--lang", lang,
                     "--families", "forward_pass", "--secret-file", secret_file)
        assert result.exit_code == 0, result.output
    return root


def _shift(text, places):
    """``text`` (a plain decimal) with its point moved ``places`` to the right (left if < 0)."""
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    digits, point = whole + frac, len(whole) + places
    if point <= 0:
        digits, point = "0" * (1 - point) + digits, 1
    digits = digits + "0" * max(0, point - len(digits))
    out = (digits[:point].lstrip("0") or "0") + ("." + digits[point:] if digits[point:] else "")
    return sign + out


def test_shift_by_hand():
    assert _shift("0.07549587", 2) == "7.549587" and _shift("0.07549587", -2) == "0.0007549587"
    assert _shift("0.79", 2) == "79" and _shift("1.25", -2) == "0.0125"


def _lines(result):
    return {m.group(1): m.group(2) for m in re.finditer(r"^  \S (?:[a-z]\)) (\w+) = \"[^\"]*\": (.*)$",
                                                         result.stdout, re.M)}


def test_a_factor_of_100_either_way_is_named(graded, secret_file, tmp_path):
    folder = graded / "en"
    key = printed_answers(folder)
    keys = list(key)                                          # z_k, h_k, o_k, E in sheet order
    assert len(keys) == 4 and keys[-1] == "E"
    path = tmp_path / "answers.toml"
    path.write_text((folder / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"))
    h, o = keys[1], keys[2]
    three = f"{float(key[o]) * 100:.1f}"                   # 3 significant digits: 52.7 for 0.52722637
    assert len(three.replace(".", "")) == 3
    fill(path, {("p1_forward_pass", h): f'"{_shift(key[h], 2)}"',          # a percentage
                ("p1_forward_pass", o): f'"{three}"',                      # a percentage, rounded short
                ("p1_forward_pass", "E"): f'"{_shift(key["E"], -2)}"'})    # the point two places off
    result = run("check", path, "--secret-file", secret_file)
    assert result.exit_code == 0, result.output
    said = _lines(result)
    assert said[h] == TIMES
    assert said[o] == f"{TIMES}; apart from that, agrees to the 3 significant digits you gave; {RULE}"
    assert said["E"] == OVER
    assert result.stdout.splitlines()[-1] == "0 of 4 correct (3 wrong, 1 not answered, 0 invalid)"
    # 10 times, or 100 times and a little more, is no such slip
    fill(path, {("p1_forward_pass", keys[0]): f'"{_shift(key[keys[0]], 1)}"'})
    path.write_text(path.read_text().replace(f'"{_shift(key[h], 2)}"',
                                             f'"{float(Fraction(key[h]) * 100 * Fraction(1001, 1000)):.6f}"'))
    said = _lines(run("check", path, "--secret-file", secret_file))
    assert said[keys[0]].startswith("not the right value") and said[h].startswith("not the right value"), said


def test_in_korean(graded, secret_file, tmp_path):
    folder = graded / "ko"
    key = printed_answers(folder)
    h = list(key)[1]
    path = tmp_path / "answers.toml"
    path.write_text((folder / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"))
    fill(path, {("p1_forward_pass", h): f'"{_shift(key[h], 2)}"',
                ("p1_forward_pass", "E"): f'"{_shift(key["E"], -2)}"'})
    said = _lines(run("check", path, "--secret-file", secret_file))
    assert said[h] == "맞는 값의 100배다 (백분율 대신 소수로 쓰시오: 33이 아니라 0.33)"
    assert said["E"] == "맞는 값의 1/100이다 (소수점이 두 자리 어긋났다)"


def test_a_practice_sheet_names_it_too(tmp_path):
    """From the hashes alone: 100 times the answer and 1/100 of it, written in full."""
    out = tmp_path / "practice"
    assert run("generate", "--out", out, "--count", "1", "--format", "md", "--practice",
               "--families", "forward_pass").exit_code == 0
    key = printed_answers(out)
    names = list(key)
    h, e = names[1], names[-1]
    path = tmp_path / "answers.toml"
    path.write_text((out / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"))
    fill(path, {("p1_forward_pass", h): f'"{_shift(key[h], 2)}"',
                ("p1_forward_pass", e): f'"{_shift(key[e], -2)}"',
                ("p1_forward_pass", names[2]): f'"{_shift(key[names[2]], 1)}"'})     # 10 times: no such slip
    said = _lines(run("check", path))
    assert said[h] == TIMES and said[e] == OVER
    assert said[names[2]] == "not the right value (an answer must agree to about 6 significant digits)"
