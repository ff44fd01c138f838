"""grade-all facing text a student controls that no UTF-8 file can hold (session 6's attack):
a lone surrogate in an exception message or a class name, file and folder names that are
not UTF-8. One such submission stopped the whole class ("internal error:
UnicodeEncodeError"), on every rerun."""

import json
import os

from tests.grader.conftest import make_submission
from tests.grader.test_grade_all import ONLY, read_csv, run

SURROGATE_MESSAGE = {"activations": """
    def tanh(x):
        raise ValueError("bad \\ud800 value")
    """}


def _class(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "a_honest" / "exercises")
    make_submission(subs / "b_message" / "exercises", SURROGATE_MESSAGE)
    d = make_submission(subs / "d_filename" / "exercises")
    with open(os.path.join(os.fsencode(d), b"notes\xff.py"), "wb") as handle:
        handle.write(b"x = 1\n")
    make_submission(subs / os.fsdecode(b"e_\xfe_folder"))
    return subs


def test_grade_all_grades_every_student_whatever_text_one_of_them_wrote(tmp_path):
    subs = _class(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    assert "internal error" not in stderr
    _, rows = read_csv(out / "grades.csv")
    # a folder name that is not UTF-8 is spelled with a \xfe escape: a valid id in every file
    assert sorted(rows) == ["a_honest", "b_message", "d_filename", "e_\\xfe_folder"]
    act = float(rows["a_honest"][-2])
    assert float(rows["d_filename"][-2]) == act and float(rows["e_\\xfe_folder"][-2]) == act
    assert float(rows["b_message"][-2]) < act
    # the student's text reaches the report, its lone surrogate as U+FFFD
    report = (out / "reports" / "b_message.md").read_text(encoding="utf-8")
    assert "raised ValueError: bad \ufffd value" in report
    # every line of results.jsonl is valid UTF-8 JSON; the file name is kept, made writable
    records = {}
    for line in (out / "results.jsonl").read_bytes().splitlines():
        record = json.loads(line.decode("utf-8"))
        records[record["id"]] = record
    assert "notes\ufffd.py" in records["d_filename"]["files"]
    assert "b_message" in (out / "summary.html").read_text(encoding="utf-8")
    # a rerun keeps every record (the ids match what is found again): nothing graded twice
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    assert "(0 now, 4 from an earlier run)" in stdout


def test_results_file_writes_any_record_and_reads_it_back_unchanged(tmp_path):
    """The writer's backstop: a string no UTF-8 can hold is written as a JSON escape, and
    read back as the very same text."""
    from grader.batch import ResultsFile, read_results, json_bytes

    record = {"id": "s\udcff1", "note": "lone \ud800 here", "status": "graded"}
    results = ResultsFile(str(tmp_path / "results.jsonl"))
    results.append(record)
    results.append({"id": "plain", "note": "é 한국어", "status": "graded"})
    results.close()
    raw = (tmp_path / "results.jsonl").read_bytes()
    raw.decode("utf-8")     # valid UTF-8 throughout
    assert "é 한국어".encode() in raw    # readable text stays readable
    assert read_results(str(tmp_path / "results.jsonl")) == {
        "s\udcff1": record, "plain": {"id": "plain", "note": "é 한국어", "status": "graded"}}
    assert json.loads(json_bytes(record)) == record


def test_wire_error_and_class_names_enter_as_valid_unicode():
    from grader.wire import clean_error, decode

    info = clean_error({"kind": "exception", "type": "Err\ud800", "message": "bad \udcff \x1b[2J",
                        "frame": {"file": "m\udcff.py", "line": 3, "function": "f\ud800",
                                  "code": "raise X('\ud800')"}})
    assert info["type"] == "Err\ufffd" and info["message"] == "bad \ufffd \\x1b[2J"
    assert info["frame"]["file"] == "m\ufffd.py" and info["frame"]["function"] == "f\ufffd"
    assert info["frame"]["code"] == "raise X('\ufffd')"
    assert decode({"t": "o", "cls": "Odd\udcffName"}, []).cls == "Odd\ufffdName"


def test_student_id_spells_bytes_that_are_not_utf8():
    from grader.batch import student_id

    assert student_id("kim") == "kim" and student_id("김민지") == "김민지"
    assert student_id(os.fsdecode(b"b\xffx")) == "b\\xffx"
    # a folder named with a terminal sequence: spelled out, never acting in a terminal (index.csv)
    assert student_id("s9\x1b[2Jx") == "s9\\x1b[2Jx" and student_id("a\u200bb") == "a\\u200bb"


def test_grade_all_with_a_very_long_id_writes_every_report(tmp_path):
    # the review: a 240-character folder name (or about 80 Korean letters) made the report's
    # temporary file name longer than 255 bytes, and grade-all stopped there on every rerun
    from grader.classreport import MAX_NAME_BYTES, report_names

    long_ids = ["x" * 240, "김" * 84, "a(" + "b" * 230]
    names = report_names(long_ids)
    assert all(len(name.encode()) <= MAX_NAME_BYTES + 12 for name in names.values())
    assert len(set(names.values())) == 3 and names["x" * 240] == "x" * 100 + f"-{_sha8('x' * 240)}.md"
    subs = tmp_path / "subs"
    for ident in long_ids[:2]:
        make_submission(subs / ident / "exercises")
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stdout + stderr
    assert sorted(p.name for p in (out / "reports").iterdir()) == sorted(
        [names[i] for i in long_ids[:2]] + ["index.csv"])


# --------------------------------------------------------------------------- report file names
def _sha8(ident):
    import hashlib

    return hashlib.sha256(ident.encode()).hexdigest()[:8]


def test_report_names_never_give_one_student_anothers_file():
    from grader.classreport import report_names

    ids = ["Kim", "kim", "kim(1)", "kim_1_", "lee", "김민지", ".hidden", "a/b"]
    names = report_names(ids)
    assert names["kim(1)"] == f"kim_1_-{_sha8('kim(1)')}.md" and names["kim_1_"] == "kim_1_.md"
    assert names["lee"] == "lee.md" and names["김민지"] == "김민지.md"
    # two ids alike but for case share one file on macOS or Windows: both get the hash
    assert names["Kim"] == f"Kim-{_sha8('Kim')}.md" and names["kim"] == f"kim-{_sha8('kim')}.md"
    assert names[".hidden"] == f"_.hidden-{_sha8('.hidden')}.md" and names["a/b"] == f"a_b-{_sha8('a/b')}.md"
    assert len({n.casefold() for n in names.values()}) == len(ids)


def test_grade_all_kim_1_and_kim_1_each_get_their_own_report_and_an_index(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "kim(1)" / "exercises")
    make_submission(subs / "kim_1_" / "exercises", SURROGATE_MESSAGE)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    plain = (out / "reports" / "kim_1_.md").read_text()
    assert "kim_1_" in plain.splitlines()[2] and "raised ValueError" in plain
    odd = (out / "reports" / f"kim_1_-{_sha8('kim(1)')}.md").read_text()
    assert "kim(1)" in odd.splitlines()[2] and "raised ValueError" not in odd
    assert (out / "reports" / "index.csv").read_text(encoding="utf-8-sig") == (
        f"id,report\nkim(1),kim_1_-{_sha8('kim(1)')}.md\nkim_1_,kim_1_.md\n")


def test_a_students_report_file_is_the_same_in_a_shard_and_in_the_whole_run(tmp_path):
    """Kim and kim fall in different shards; each file is still named against the whole
    class (both hashed), so a shard's reports/ and the merged one agree."""
    subs = tmp_path / "subs"
    make_submission(subs / "Kim" / "exercises")
    make_submission(subs / "kim" / "exercises")
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "sh1", "--shard", "1/2", "-j", "1", *ONLY)
    assert code == 0, stderr
    assert (tmp_path / "sh1" / "reports" / "index.csv").read_text(encoding="utf-8-sig") == f"id,report\nKim,Kim-{_sha8('Kim')}.md\n"
    code, stdout, stderr = run("grade-all", subs, "--out", tmp_path / "sh2", "--shard", "2/2", "-j", "1", *ONLY)
    code, stdout, stderr = run("grade-all", "--merge", tmp_path / "sh1", tmp_path / "sh2", "--out", tmp_path / "all")
    assert code == 0, stderr
    assert (tmp_path / "all" / "reports" / "index.csv").read_text(encoding="utf-8-sig") == (
        f"id,report\nKim,Kim-{_sha8('Kim')}.md\nkim,kim-{_sha8('kim')}.md\n")
