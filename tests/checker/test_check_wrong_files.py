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


def _twice(path, korean=False):
    """``path`` with the open sheet's first blank answered, then given again after the third."""
    text = path.read_text()
    first = next(line for line in text.splitlines() if line.endswith(' = ""'))
    key = first.split(" = ")[0]
    lines = text.splitlines()
    at = lines.index(first)
    lines[at] = f'{key} = "0.1"'
    lines.insert(at + 5, f'{key} = "0.2"')
    if korean:
        lines = [('lang = "ko"' if line.startswith("lang = ") else line) for line in lines]
    path.write_text("\n".join(lines) + "\n")
    return key, at + 1, at + 6


def test_a_key_given_twice_is_named_with_both_lines(made, tmp_path):
    """Session 9's trial: "is not valid TOML: Cannot overwrite a value (at line 113, column 17);
    answers go between quotes": neither the key nor that it is there twice."""
    path = answers(made, "open", tmp_path)
    key, first, again = _twice(path)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: '{path}' gives {key} twice (lines {first} and {again}); keep the line with your answer and "
        "delete the other.")
    path = answers(made, "open", tmp_path, name="ko.toml")
    key, first, again = _twice(path, korean=True)
    assert run("check", path).stderr.strip().splitlines()[-1] == (
        f"Error: '{path}'에 {key} 키가 두 번 있다({first}번째 줄과 {again}번째 줄); 답을 쓴 줄 하나만 남기시오.")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
def test_a_fifo_among_the_answers_files_is_refused_not_waited_for(made, tmp_path):
    """Session 9's attack: a FIFO stopped chainrule check forever (it was opened and read)."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    good = answers(made, "open", tmp_path)
    done = subprocess.run([sys.executable, "-m", "chainrule", "check", str(good), str(fifo), "--format", "csv"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"Error: '{fifo}' is not a file (a FIFO); give the answers.toml a student filled in." in done.stderr
    assert done.stdout.splitlines()[1].startswith("student-001,")


def test_a_folder_of_answers_files_is_checked_as_the_class_and_a_zip_is_named(made, tmp_path):
    """Session 9's trial: `check sub/` was "File 'sub/' is a directory" and `check sub.zip`
    "is not UTF-8 text (line 1); save it as UTF-8"."""
    import shutil
    import zipfile

    folder = tmp_path / "handins"
    for sid in ("student-001", "student-002"):
        (folder / sid).mkdir(parents=True)
        shutil.copy(made / "open" / "students" / sid / "answers.toml", folder / sid / "answers.toml")
    (folder / ".git").mkdir()
    (folder / ".git" / "config.toml").write_text("not = 'an answers file'\n")
    # a filled answers file that generate --force set aside is not a hand-in
    shutil.copy(folder / "student-001" / "answers.toml", folder / "student-001" / "answers.filled-1.toml")
    result = run("check", folder, "--format", "csv", "--manifest", made / "open" / "manifest.json")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["student-001", "student-002"]

    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", empty)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Folder '{empty}' holds no .toml file; give the students' answers.toml files or a folder that "
        "holds them.")

    archive = tmp_path / "handins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(folder / "student-001" / "answers.toml", "student-001/answers.toml")
    result = run("check", archive)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: '{archive}' is a zip file; unzip it and give the folder (chainrule check FOLDER checks every "
        ".toml file in it).")


def test_the_class_csv_counts_blanks_under_their_own_name(made, tmp_path):
    """Session 9's trial: the check CSV's "total" was the number of blanks while the
    gradebook's "total" is the points earned: an import trap."""
    path = answers(made, "open", tmp_path)
    head = run("check", path, "--format", "csv").stdout.splitlines()[0].split(",")
    assert head[:5] == ["student_id", "correct", "blanks", "unanswered", "invalid"]
    assert "total" not in head


def test_a_file_name_that_is_not_utf8_does_not_lose_the_class_report(made, tmp_path):
    """Session 9's attack: one such name ended check with "UnicodeEncodeError ... surrogates
    not allowed" and wrote neither the report nor the gradebook."""
    import os
    import shutil

    folder = tmp_path / "handins"
    folder.mkdir()
    odd = os.fsdecode(os.fsencode(str(folder)) + b"/ok\xff.toml")
    shutil.copy(made / "open" / "students" / "student-001" / "answers.toml", odd)
    shutil.copy(made / "open" / "students" / "student-002" / "answers.toml", folder / "good.toml")
    book, report = tmp_path / "book.csv", tmp_path / "report.csv"
    result = run("check", folder, "--gradebook", book, "--format", "csv", "-o", report)
    assert result.exit_code == 0, result.output
    assert "ok\\udcff.toml" in book.read_text(encoding="utf-8")
    assert "ok\\udcff.toml" in report.read_text(encoding="utf-8")


def test_a_class_of_practice_sheets_without_the_manifest_is_warned_about(made, tmp_path):
    """Session 9's attack: a gradebook of practice files checked without --manifest trusted
    the files' own hashes, which a student can rewrite."""
    import shutil

    for sid in ("student-001", "student-002"):
        shutil.copy(made / "practice" / "students" / sid / "answers.toml", tmp_path / f"{sid}.toml")
    result = run("check", tmp_path / "student-001.toml", tmp_path / "student-002.toml", "--gradebook",
                 tmp_path / "book.csv")
    assert result.exit_code == 0, result.output
    assert ("Warning: 2 practice sheets were judged from their own hashes, which a student can rewrite; for marks, "
            "check a class with --manifest (the kit then rebuilds every problem).") in result.stderr
    alone = run("check", tmp_path / "student-001.toml")
    assert "Warning" not in alone.stderr


def test_a_folder_check_does_not_follow_a_link_out_of_the_folder(made, tmp_path):
    import shutil

    folder = tmp_path / "handins"
    folder.mkdir()
    shutil.copy(made / "open" / "students" / "student-001" / "answers.toml", folder / "a.toml")
    outside = tmp_path / "elsewhere.toml"
    shutil.copy(made / "open" / "students" / "student-002" / "answers.toml", outside)
    (folder / "b.toml").symlink_to(outside)
    result = run("check", folder, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert [row.split(",")[0] for row in result.stdout.splitlines()[1:]] == ["student-001"]
    assert f"Note: '{folder / 'b.toml'}' is a link to '{outside}', outside '{folder}': not checked." in result.stderr
