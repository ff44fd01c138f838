"""grade-all on a Gradescope export: ``submission_<N>/`` folders and ``submission_metadata.yml``
give ``grades-by-student.csv`` beside ``grades.csv`` (unchanged), a row per submitter; a file
that cannot be read changes nothing else and is said to be unused. Every row is checked
against grades.csv's row of its submission, and against points counted by hand."""

import csv
import os
import shutil

import pytest

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import read_csv, run

ONLY = ("--only", "activations.relu,activations.tanh")
WRONG_TANH = {"activations": """
    def tanh(x):
        return np.asarray(x, dtype=float) * 0.0 + 3.0
    """}

METADATA = """\
---
submission_103:
  :submitters:
  - :name: "Lee, Ana"
    :email: ana@example.edu
    :sid:
  :created_at: 2026-11-02 14:22:32.365935000 -07:00
submission_101:
  :submitters:
  - :name: Jane Doe
    :email: jane@example.edu
    :sid: '12345'
  - :name: =HYPERLINK("http://evil.example","click")
    :email: kim@example.edu
    :sid: '-2023001'
  :score: !ruby/object:BigDecimal 18:0.7E1
  :history:
  - :submitters:
    - :name: Someone Else
submission_104:
  :submitters:
  - :name: Gone Student
    :email: gone@example.edu
    :sid: '999'
submission_102:
  :submitters: []
"""
HEADER = ["sid", "name", "email", "submission", "activations.tanh", "activations.relu", "total", "percent"]


def export(root):
    """Four folders: a group (101), two single students (102 with no submitter in the file,
    103 wrong on tanh) and a folder the file does not list; 104 is listed without a folder."""
    subs = root / "export"
    make_submission(subs / "submission_101")
    make_submission(subs / "submission_102")
    make_submission(subs / "submission_103", WRONG_TANH)
    make_submission(subs / "late_kim")
    (subs / "submission_metadata.yml").write_text(METADATA.replace("\n", "\r\n"), encoding="utf-8")
    return subs


def rows_of(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradescope")
    subs = export(root)
    code, stdout, stderr = run("grade-all", subs, "--out", root / "out", *ONLY)
    assert code == 0, stdout + stderr
    return root, subs, stdout, stderr


def test_grade_all_writes_a_row_per_student_of_the_metadata_file(graded):
    root, subs, stdout, stderr = graded
    out = root / "out"
    header, grades = read_csv(out / "grades.csv")
    # grades.csv is as it was: a row per folder, named by the folder
    assert header == ["id", "activations.tanh", "activations.relu", "total", "percent"]
    assert sorted(grades) == ["late_kim", "submission_101", "submission_102", "submission_103"]
    assert grades["submission_103"][1:] == ["0", "1", "1", "50.00"]      # counted by hand: tanh wrong
    rows = rows_of(out / "grades-by-student.csv")
    assert rows[0] == HEADER
    students = [row[:4] for row in rows[1:]]
    assert students == [        # the file's order, a group's members in theirs, then folders it lacks
        ["", "Lee, Ana", "ana@example.edu", "submission_103"],
        ["12345", "Jane Doe", "jane@example.edu", "submission_101"],
        ["'-2023001", "'=HYPERLINK(\"http://evil.example\",\"click\")", "kim@example.edu", "submission_101"],
        ["999", "Gone Student", "gone@example.edu", "submission_104"],
        ["", "", "", "submission_102"],
        ["", "", "", "late_kim"],
    ]
    for row in rows[1:]:        # the points are grades.csv's row of the submission, or none
        if row[3] == "submission_104":
            assert row[4:] == ["", "", "", ""]
        else:
            assert row[4:] == grades[row[3]][1:]
    assert (out / "grades-by-student.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "submission_metadata.yml" not in stderr      # read, not skipped as a stray file
    assert stdout.splitlines()[-1] == (
        f"Wrote grades.csv, grades-by-student.csv (4 students of submission_metadata.yml; 1 submission without a "
        f"folder; 2 folders without a student; see summary.md), reports/, summary.md and summary.html in {out}.")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    students_section = summary.split("## Students\n\n")[1].split("\n\n## ")[0].split("\n\n")
    assert students_section == [
        "grades-by-student.csv gives the grade of each of the 4 students that submission\\_metadata.yml names, a "
        "row each (every member of a group gets the group's), with the columns of grades.csv after the student "
        "id, name, e-mail and submission.",
        "1 submission in submission\\_metadata.yml has no folder in the submissions folder (submission\\_104): "
        "grades-by-student.csv lists its 1 student without points.",
        "2 submission folders name no student in submission\\_metadata.yml (submission\\_102, late\\_kim): each "
        "has a row of its own in grades-by-student.csv, with the student's columns empty.",
    ]
    assert "grades-by-student.csv gives the grade of each of the 4 students" in (out / "summary.html").read_text()


def test_grade_all_puts_names_and_emails_in_no_report_or_summary(graded):
    root, _, _, _ = graded
    out = root / "out"
    texts = [(out / name).read_text(encoding="utf-8") for name in ("summary.md", "summary.html", "grades.csv")]
    texts += [path.read_text(encoding="utf-8") for path in (out / "reports").iterdir()]
    for text in texts:
        for word in ("Jane", "Ana", "HYPERLINK", "example.edu", "12345"):
            assert word not in text


def test_grade_all_by_student_survives_a_rerun_force_and_shards(graded):
    root, subs, _, _ = graded
    out = root / "out"
    before = (out / "grades-by-student.csv").read_bytes()
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY)     # grades nothing again
    assert code == 0 and "(0 now, 4 from an earlier run)" in stdout, stdout + stderr
    assert (out / "grades-by-student.csv").read_bytes() == before
    shards = []
    for k in (1, 2):
        shard = root / f"shard{k}"
        code, stdout, stderr = run("grade-all", subs, "--out", shard, "--shard", f"{k}/2", *ONLY)
        assert code == 0, stdout + stderr
        shards.append(shard)
    # a shard's file holds its own submissions' students (sorted ids: late_kim, 102 | 101, 103)
    assert [row[3] for row in rows_of(shards[0] / "grades-by-student.csv")[1:]] == ["submission_102", "late_kim"]
    # the merge writes the class's, as one run did, wherever the submissions folder is then
    moved = root / "moved-away"
    subs.rename(moved)
    try:
        code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", root / "merged")
    finally:
        moved.rename(subs)
    assert code == 0, stdout + stderr
    assert (root / "merged" / "grades-by-student.csv").read_bytes() == before
    # the file edited between the shards' runs: which grade is whose would be a guess
    (subs / "submission_metadata.yml").write_text(METADATA.replace("Jane Doe", "Jane Roe"), encoding="utf-8")
    try:
        code, stdout, stderr = run("grade-all", subs, "--out", shards[1], "--shard", "2/2", *ONLY)
        assert code == 0, stdout + stderr
        code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", root / "merged2")
        assert code == 1 and stderr.strip().splitlines()[-1] == (
            f"Error: Shard folders '{shards[0]}' and '{shards[1]}' read submission_metadata.yml differently (it "
            "changed between their runs, or one of them could not read it); run each shard's command again "
            "(nothing is graded again: each reads the file as it is now), then merge again.")
        assert not (root / "merged2").exists()
        code, stdout, stderr = run("grade-all", subs, "--out", out, "--force", *ONLY)
        assert code == 0, stdout + stderr
        assert "Jane Roe" in (out / "grades-by-student.csv").read_text(encoding="utf-8")
    finally:
        (subs / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")


def test_grade_all_with_a_metadata_file_it_cannot_read_grades_and_says_so(tmp_path):
    subs = export(tmp_path)
    out = tmp_path / "out"
    code, _, stderr = run("grade-all", subs, "--out", out, *ONLY)
    assert code == 0, stderr
    grades = (out / "grades.csv").read_bytes()
    # a hand edit breaks the file: the next run still grades (nothing new) and says why it is unused
    (subs / "submission_metadata.yml").write_text(METADATA.replace("Jane Doe", "'Jane Doe"), encoding="utf-8")
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY)
    assert code == 0, stdout + stderr
    said = ("submission_metadata.yml was not used, so there is no grades-by-student.csv and grades.csv names each "
            "row by its submission folder: line 12 has '12345'' after a quoted value's closing quote (opened on "
            "line 10); correct it, run the same command again (nothing is graded again).")
    assert stderr.splitlines()[0] == said       # before grading, and again among the closing lines
    assert stdout.splitlines()[-2:] == [
        f"Wrote grades.csv, reports/, summary.md and summary.html in {out}.", said]
    assert (out / "grades.csv").read_bytes() == grades
    assert not (out / "grades-by-student.csv").exists()     # the earlier run's, of other students maybe
    assert said.replace("_", "\\_") in (out / "summary.md").read_text(encoding="utf-8")
    # not UTF-8 (a Latin-1 editor's save): the same, with that reason
    (subs / "submission_metadata.yml").write_bytes(METADATA.replace("Lee", "L\xe9e").encode("latin-1"))
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "out2", *ONLY)
    assert code == 0, stdout + stderr
    assert ("submission_metadata.yml was not used, so there is no grades-by-student.csv and grades.csv names each "
            "row by its submission folder: it is not UTF-8 text (line 4 holds the byte 0xe9); correct it, run the "
            "same command again (nothing is graded again).") in stdout
    assert (tmp_path / "out2" / "grades.csv").read_bytes() == grades
    # the file taken away: an earlier run's grades-by-student.csv is not left to be imported
    (subs / "submission_metadata.yml").write_text(METADATA, encoding="utf-8")
    assert run("grade-all", subs, "--out", out, *ONLY)[0] == 0
    assert (out / "grades-by-student.csv").exists()
    (subs / "submission_metadata.yml").unlink()
    code, stdout, stderr = run("grade-all", subs, "--out", out, *ONLY)
    assert code == 0, stdout + stderr
    assert not (out / "grades-by-student.csv").exists()
    assert stdout.splitlines()[-1] == ("Removed the grades-by-student.csv of an earlier run: this one read no "
                                       "submission_metadata.yml.")


class _Row:
    def __init__(self, ident):
        self.id = ident


def test_students_say_who_is_in_two_submissions_and_a_shard_leaves_the_absent_to_the_class():
    """Counted by hand from the metadata: one student (by id) in two submissions, one by e-mail
    when the id is missing; a listed submission with no folder and no submitter."""
    from grader.classreport import Students

    metadata = {"file": "submission_metadata.yml", "submissions": [
        ["submission_1", [{"sid": "7", "name": "A", "email": "a@x"}, {"sid": None, "name": "B", "email": "B@x"}]],
        ["submission_2", [{"sid": " 7 ", "name": "A again", "email": None}]],
        ["submission_3", [{"sid": None, "name": "B", "email": "b@x"}]],
        ["submission_4", []],
    ]}
    rows = [_Row("submission_1"), _Row("submission_2"), _Row("submission_3")]
    students = Students(metadata, rows, {"submission_1", "submission_2", "submission_3"}, whole=True)
    assert [(p and p["name"], ident) for p, ident, _ in students.lines] == [
        ("A", "submission_1"), ("B", "submission_1"), ("A again", "submission_2"), ("B", "submission_3")]
    assert students.sentences()[1:] == [
        "1 submission in submission_metadata.yml has no folder in the submissions folder (submission_4): it names "
        "no student either.",
        "2 students are each a submitter of more than one submission (submission_1 and submission_2; "
        "submission_1 and submission_3): grades-by-student.csv has a row for each; keep the right one before "
        "importing it."]
    assert students.short() == ("4 students of submission_metadata.yml; 1 submission without a folder; 2 students "
                                "in more than one submission; see summary.md")
    # a shard of the class: submission_2 is another shard's, submission_4 the class's to report
    shard = Students(metadata, rows[:1], {"submission_1", "submission_2", "submission_3"}, whole=False)
    assert [ident for _, ident, _ in shard.lines] == ["submission_1", "submission_1"]
    assert shard.sentences()[1:] == [] and shard.short() == "2 students of submission_metadata.yml"
