"""How a sheet tells its student to check or hand in answers.toml, by the sheet's mode.

A student release checks practice sheets alone; a graded sheet needs the instructor's course
secret and an open one the full kit (with its generator): a worksheet must not send every
student to ``chainrule check`` (session 6's trial, finding 1)."""

import html
import re

import pytest

from generator import i18n, worksheets
from generator.render import render_sheets
from generator.worksheets import Student, answers_toml, build_sheet, sheet_plan

from tests.generator.test_generate_cli import run

SEED = 2026


@pytest.fixture(scope="module")
def sheet():
    return build_sheet(Student("s001", "Ann"), SEED, sheet_plan(["forward_pass"], None))


def _header(text: str) -> str:
    """The worksheet's instructions paragraph, whatever the format (markup removed)."""
    plain = html.unescape(re.sub(r"<[^>]+>|\\(texttt|code)\{|[`{}]", "", text)).replace("\\_", "_")
    return next(line for line in plain.splitlines() if "answers.toml" in line)


def _headers(sheet, fmt, lang):
    """{mode: the worksheet's instructions} for a practice, a graded and an open sheet."""
    return {mode: _header(render_sheets(sheet.problems, sheet.keys, fmt, lang, {"id": "s001"}, SEED,
                                        mode=mode)["worksheet"])
            for mode in ("practice", "graded", "open")}


@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_worksheet_instructions_depend_on_the_mode(sheet, fmt):
    said = _headers(sheet, fmt, "en")
    assert "then run chainrule check answers.toml to check them." in said["practice"]
    assert "hand" not in said["practice"]
    assert "chainrule check" not in said["graded"]
    assert said["graded"].endswith("under the key shown next to each question and hand it in: your instructor "
                                   "checks it.")
    assert ("If the full chainrule kit (the course's kit with its generator, installed by pip install) is on your "
            "computer, run chainrule check answers.toml to check them; otherwise hand answers.toml in to your "
            "instructor.") in said["open"]


@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_korean_worksheet_instructions_depend_on_the_mode(sheet, fmt):
    said = _headers(sheet, fmt, "ko")
    assert "chainrule check answers.toml 명령으로 확인하시오." in said["practice"]
    assert "chainrule check" not in said["graded"] and said["graded"].endswith("제출하시오. 채점은 강사가 한다.")
    assert "설치되어 있으면 chainrule check answers.toml 명령으로 확인하고, 아니면 answers.toml 파일을 강사에게 " \
           "제출하시오." in said["open"]


def test_the_key_keeps_its_own_introduction_in_every_mode(sheet):
    keys = {mode: render_sheets(sheet.problems, sheet.keys, "md", "en", {"id": "s001"}, SEED, mode=mode)["key"]
            for mode in ("practice", "graded", "open")}
    assert keys["practice"] == keys["graded"] == keys["open"]


def test_an_unknown_mode_is_a_programming_error(sheet):
    with pytest.raises(ValueError, match="unknown sheet mode 'exam'"):
        render_sheets(sheet.problems, sheet.keys, "md", "en", {"id": "s001"}, SEED, mode="exam")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_answers_file_comment_depends_on_the_mode(sheet, lang):
    last = {mode: answers_toml(sheet, SEED, lang, None, mode, "f" * 16 if mode == "graded" else None)
            .split("\n[chainrule]")[0].splitlines()[-1] for mode in ("practice", "graded", "open")}
    if lang == "en":
        assert last["practice"].startswith("# Then run:  chainrule check answers.toml   (do not edit")
        assert last["graded"].startswith("# Then hand this file in; your instructor checks it (do not edit")
        assert last["open"].startswith("# Then, if the full chainrule kit (with its generator) is installed, run:  "
                                       "chainrule check answers.toml   Otherwise hand this file in to your instructor")
    else:
        assert last["practice"].startswith("# 그 뒤 실행:  chainrule check answers.toml")
        assert last["graded"].startswith("# 그 뒤 이 파일을 제출하시오. 채점은 강사가 한다")
        assert "chainrule check answers.toml   아니면 이 파일을 강사에게 제출하시오" in last["open"]
    assert "chainrule check" not in last["graded"]


def test_every_mode_has_both_languages():
    for mode in i18n.MODES:
        for key in ("instructions_", "answers_check_"):
            en, ko = i18n.WORDS[key + mode]
            assert en and ko and en != ko


def test_generate_writes_the_graded_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(bytes(range(32)))
    out = tmp_path / "graded"
    result = run("generate", "--out", str(out), "--count", "1", "--format", "md,html", "--families", "forward_pass",
                 "--secret-file", str(secret))
    assert result.exit_code == 0, result.output
    for name in ("worksheet.md", "worksheet.html", "answers.toml"):
        text = (out / "students" / "student-001" / name).read_text(encoding="utf-8")
        assert "chainrule check" not in text, name
        assert "hand" in text, name
