"""The worksheet, the key and the answers file tell the student to carry 8 digits between
lines: an answer computed from intermediates rounded to 4 significant digits falls outside
the key's tolerance (a relative difference of 0.000001), as a trial found with the seed's
worked example (w5 = 0.45 - 0.5 * dE/dw5 = 0.43703857)."""

from pathlib import Path

import pytest

from generator import worksheets

SENTENCES = {"en": "Carry every value into the next line with at least the digits this rule writes",
             "ko": "다음 줄의 계산에는 값을 최소한 이 규칙이 쓰는 자릿수까지 쓰시오"}


def test_four_digit_intermediates_do_miss_the_tolerance():
    # the seed's printed numbers (independent of the kit): w5 = 0.45, lr = 0.5, new w5 0.43703857
    gradient = (0.45 - 0.43703857) / 0.5                # dE/dw5 = 0.02592286
    exact = 0.45 - 0.5 * gradient
    rounded = 0.45 - 0.5 * float(f"{gradient:.4g}")     # dE/dw5 carried with 4 significant digits
    assert f"{exact:.8f}" == "0.43703857"
    assert abs(rounded - exact) / abs(exact) > 1e-6     # outside the key's relative tolerance


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_sheet_says_to_carry_eight_digits(tmp_path, monkeypatch, lang):
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    out = Path(tmp_path) / "set"
    worksheets.generate(out=out, count=1, lang=lang, formats=["md", "html"], jobs=1)
    student = next((out / "students").iterdir())
    key = next((out / "keys").iterdir())
    for path in (student / "worksheet.md", student / "worksheet.html", student / "answers.toml",
                 key / "key.md"):
        assert SENTENCES[lang] in path.read_text(encoding="utf-8"), path
