"""`chainrule check` given the wrong file says what the file is (a new user's trial, session 8:
a key or a manifest was "not valid TOML ... answers go between quotes", a PDF "not UTF-8
text", and a practice sheet against a graded manifest "made with another course secret")."""

import pytest

from tests.checker.test_check_modes import answers, made, run  # noqa: F401  (the module fixture)


@pytest.mark.parametrize("rel, what", [
    ("practice/keys/student-001/key.md", "is an answer key, not an answers file; chainrule check takes the "
                                         "answers.toml a student filled in"),
    ("practice/students/student-001/worksheet.md", "is a worksheet (or another document), not an answers file"),
    ("practice/manifest.json", "is a generated set's manifest, not an answers file; give it with --manifest and "
                               "the answers.toml files as arguments."),
])
def test_a_sheet_a_key_or_a_manifest_is_named_for_what_it_is(made, rel, what):
    result = run("check", made / rel)
    assert result.exit_code == 1
    assert f"'{made / rel}' {what}" in result.stderr
    assert "TOML" not in result.stderr


def test_a_pdf_is_named_a_pdf(tmp_path):
    pdf = tmp_path / "worksheet.pdf"
    pdf.write_bytes(b"%PDF-1.5\n\xff\xfe binary")
    result = run("check", pdf)
    assert result.exit_code == 1
    assert f"'{pdf}' is a PDF (a printed worksheet or answer key), not an answers file" in result.stderr


def test_a_practice_sheet_against_a_graded_manifest_says_so(made, tmp_path, secret_file):
    path = answers(made, "practice", tmp_path)
    result = run("check", path, "--secret-file", secret_file, "--manifest", made / "graded" / "manifest.json")
    assert result.exit_code == 1
    assert (f"'{path}' of student-001 is a practice sheet, the manifest '{made / 'graded' / 'manifest.json'}' lists "
            "graded sheets: it belongs to another set (a student checks a practice sheet with chainrule check "
            "alone).") in result.stderr
