"""CSV files go into spreadsheets and LMS imports: a cell a student can choose (an id, a name,
a file name) must never be read as a formula there (a new user's trial put
``=HYPERLINK("http://evil","x")`` into the gradebook through ``student_name``), and the gradebook's
name is the manifest's, not what the answers file claims."""

import csv
import io
import re

from chainrule_core.fileio import spreadsheet_text
from grader.classreport import Row, grades_csv, report_index
from tests.checker.test_check_modes import answers, made, run  # noqa: F401  (the module fixture)

HOSTILE = '=HYPERLINK("http://evil","x")'


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    for text in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", HOSTILE):
        assert spreadsheet_text(text) == "'" + text
    for text in ("s001", "김민지", "O'Brien, Pat", "", "1-2", "a=b"):
        assert spreadsheet_text(text) == text


def set_name(path, name):
    text = path.read_text(encoding="utf-8")
    line = "student_name = " + '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    text, n = re.subn(r"(?m)^student_name = .*$", lambda _m: line, text)
    if not n:
        text = text.replace("student_id = ", line + "\nstudent_id = ", 1)
    path.write_text(text, encoding="utf-8")


def test_a_name_written_into_the_answers_file_never_becomes_a_formula_or_the_gradebooks_name(made, tmp_path):
    path = answers(made, "open", tmp_path)
    set_name(path, HOSTILE)
    book = tmp_path / "book.csv"
    assert run("check", path, "--gradebook", book).exit_code == 0
    (row,) = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert row["name"] == "'" + HOSTILE          # no manifest: the file's name, as text
    book2 = tmp_path / "book2.csv"
    manifest = made / "open" / "manifest.json"
    assert run("check", path, "--manifest", manifest, "--gradebook", book2).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(book2.read_text(encoding="utf-8-sig"))))
    assert (rows[0]["id"], rows[0]["name"]) == ("student-001", "")    # the manifest's (numbered: no name)
    assert rows[0]["note"] == f"the answers file names the student {HOSTILE!r}; the manifest gives no name"


def test_grade_all_csv_ids_that_look_like_formulas_are_text():
    rows = [Row("=cmd|' /C calc'!A0", ["activations.relu"], None), Row("s002", ["activations.relu"], None)]
    text = grades_csv(rows, ["activations.relu"])
    parsed = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in parsed[1:]] == ["'=cmd|' /C calc'!A0", "s002"]
    index = list(csv.reader(io.StringIO(report_index({"@x": "_x-1.md"}))))
    assert index[1] == ["'@x", "_x-1.md"]


def test_code_in_a_mistakes_sentence_is_code_in_the_class_summary():
    """A new user's trial (session 8): summary.html showed "modified its input `z` in place"
    with the backticks, and summary.md escaped them (so they showed there too)."""
    from grader.classreport import _hint_html, _hint_md

    hint = "modified its input `z` in place <script>"
    assert _hint_html(hint) == "modified its input <code>z</code> in place &lt;script&gt;"
    assert _hint_md(hint) == "modified its input `z` in place \\<script\\>"
    assert _hint_md("`a|b` in a table") == "`a\\|b` in a table"
