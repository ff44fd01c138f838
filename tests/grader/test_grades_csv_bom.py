"""grade-all's CSV files, grades.csv and reports/index.csv, start with a UTF-8 byte order
mark, so that Excel on Korean Windows (which reads a CSV without one as CP949) shows a
Hangul id as written (trial 13); a rerun, which reads the last index, and a merge write the
same bytes."""

import csv

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import run

BOM = b"\xef\xbb\xbf"
ONLY = ("--only", "activations.relu")


def test_grades_csv_and_the_report_index_start_with_a_byte_order_mark(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "김민지" / "exercises")
    make_submission(subs / "kim" / "exercises")
    out = tmp_path / "out"
    code, _, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    grades = (out / "grades.csv").read_bytes()
    assert grades.startswith(BOM + b"id,activations.relu,total,percent\n")
    assert grades[len(BOM):].decode("utf-8").splitlines()[1:] == ["kim,1,1,100.00", "김민지,1,1,100.00"]
    index = (out / "reports" / "index.csv").read_bytes()
    assert index == BOM + "id,report\nkim,kim.md\n김민지,김민지.md\n".encode("utf-8")
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle))[0] == "id"      # the mark is no part of the first name

    # the rerun reads the index it wrote (its mark included) and writes the same bytes
    (out / "reports" / "kim.md").write_text("stale\n")      # rewritten from the record
    code, _, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    assert (out / "grades.csv").read_bytes() == grades
    assert (out / "reports" / "index.csv").read_bytes() == index
    assert (out / "reports" / "kim.md").read_text() != "stale\n"


def test_a_report_of_a_student_gone_is_removed_by_an_index_with_or_without_the_mark(tmp_path):
    """The index an earlier kit wrote had no mark: its reports are still found and removed
    when their submission is gone."""
    from grader.classreport import _indexed

    reports = tmp_path / "reports"
    reports.mkdir()
    for data in (b"id,report\nkim,kim.md\n", BOM + b"id,report\nkim,kim.md\n"):
        (reports / "index.csv").write_bytes(data)
        assert _indexed(str(reports)) == {"kim.md"}
