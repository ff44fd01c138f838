"""``chainrule generate`` end to end in a temporary folder (click's CliRunner)."""

import json
import os
import stat
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

try:
    import tomllib
except ImportError:  # Python < 3.11: setup.cfg installs the tomli backport
    import tomli as tomllib

from chainrule_core import __version__
from chainrule.cli import cli
from chainrule.commands import generate as generate_cmd
from checker import answers_file, check
from generator import core, registry, worksheets
from generator.core import make_problem
from generator.numbers import format_number

FAST = ["--families", "forward_pass,output_update"]


def run(*args):
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args))


def tree(folder: Path):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def error_line(result):
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")][0]


def test_generate_with_no_options_writes_a_sample_set_to_worksheets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)  # same files with or without TeX
    result = run("generate")
    assert result.exit_code == 0, result.output
    out = tmp_path / "worksheets"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["course_seed"] == core.DEFAULT_SEED
    assert manifest["families"] == registry.names()
    assert [s["id"] for s in manifest["students"]] == ["student-001", "student-002", "student-003"]
    for student in manifest["students"]:
        for name in student["files"]:
            assert (out / name).is_file(), name
        assert f"students/{student['id']}/answers.toml" in student["files"]
        assert f"keys/{student['id']}/key.html" in student["files"]
    assert result.stdout.splitlines()[-1] == (
        "Wrote worksheets, answer keys and answers templates for 3 students (md, html, tex) to "
        f"worksheets/ ({sum(len(s['files']) for s in manifest['students']) + 1} files; manifest.json lists them)."
    )


def test_generate_twice_gives_byte_identical_files(tmp_path):
    args = ["generate", "--seed", "7", "--count", "2", "--format", "md,html,tex", *FAST]
    assert run(*args, "--out", str(tmp_path / "a")).exit_code == 0
    assert run(*args, "--out", str(tmp_path / "b")).exit_code == 0
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys() and a == b


def test_generate_jobs_1_and_jobs_2_give_byte_identical_files(tmp_path, monkeypatch):
    # plots (SVG and their PDFs), network drawings and tables, written by one process or by
    # the main process and two forked workers
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    args = ["generate", "--seed", "5", "--count", "9", "--format", "md,html,tex",
            "--families", "forward_pass,learning_rate,early_stopping,activations,batch_norm,hyperparameter_search"]
    for jobs in ("1", "2"):
        result = run(*args, "--jobs", jobs, "--out", str(tmp_path / jobs))
        assert result.exit_code == 0, result.output
    one, two = tree(tmp_path / "1"), tree(tmp_path / "2")
    assert len(one) > 9 * 10 and one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    # the heap frozen for the workers' garbage collectors is unfrozen in this process again
    import gc

    assert gc.get_freeze_count() == 0


def test_generate_jobs_must_be_at_least_one(tmp_path):
    result = run("generate", "--jobs", "0", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == "Error: Invalid value for '--jobs' / '-j': 0 is not in the range x>=1."
    assert not (tmp_path / "o").exists()


def test_generate_adding_a_student_changes_no_one_elses_files(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("id,name\nann,Ann Lee\nbo,Bo Kim\n", encoding="utf-8")
    big = tmp_path / "big.csv"
    big.write_text("id,name\nann,Ann Lee\nzed,Zed\nbo,Bo Kim\n", encoding="utf-8")
    assert run("generate", "--students", str(small), "--out", str(tmp_path / "s"), *FAST).exit_code == 0
    assert run("generate", "--students", str(big), "--out", str(tmp_path / "b"), *FAST).exit_code == 0
    s, b = tree(tmp_path / "s"), tree(tmp_path / "b")
    for name, data in s.items():
        if name != "manifest.json":
            assert b[name] == data, name
    assert any(name.startswith("students/zed/") for name in b)


def test_generate_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run("generate", "--out", str(out), *FAST)
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: Output folder '{out}' is not empty; use --force to overwrite it or choose another --out."
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    result = run("generate", "--out", str(out), "--force", *FAST)
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (out / "manifest.json").is_file()


def test_generate_negative_seed_is_rejected(tmp_path):
    result = run("generate", "--seed", "-1", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == "Error: Invalid value for '--seed': -1 is not in the range 0<=x<=9223372036854775807."
    assert not (tmp_path / "o").exists()


def test_generate_unknown_family_suggests_a_name(tmp_path):
    result = run("generate", "--families", "forward_pass,hiden_update", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Unknown problem family 'hiden_update' (did you mean 'hidden_update'?); chainrule list shows all."
    )


def test_generate_names_every_unknown_family_in_one_sentence(tmp_path):
    result = run("generate", "--families", "forward_pas,output_update,batchnorm,qqq", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Unknown problem families 'forward_pas' (did you mean 'forward_pass'?), "
        "'batchnorm' (did you mean 'batch_norm'?) and 'qqq'; chainrule list shows all."
    )
    assert not (tmp_path / "o").exists()


def test_generate_unknown_format_and_language_are_rejected(tmp_path):
    result = run("generate", "--format", "md,docx", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Unknown format 'docx' (valid: md, html, tex; a PDF comes with tex when a TeX engine is installed)."
    )
    result = run("generate", "--format", "htm", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Unknown format 'htm'. Did you mean 'html'? (valid: md, html, tex; a PDF comes with tex when a TeX "
        "engine is installed)"
    )
    result = run("generate", "--lang", "fr", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == "Error: Invalid value for '--lang': 'fr' is not one of 'en', 'ko'."


def test_generate_unknown_preset_suggests_a_name(tmp_path):
    result = run("generate", "--preset", "worked-exampel", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == (
        "Error: Unknown preset 'worked-exampel'. Did you mean 'worked-example'? (valid: worked-example)"
    )
    result = run("generate", "--preset", "exam", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == "Error: Unknown preset 'exam' (valid: worked-example)."


@pytest.mark.parametrize(
    "content, message",
    [
        ("name,email\nAnn,a@x\n", "has no 'id' column (its columns: name, email); name the student id column 'id'."),
        ("id,name\nann,Ann\nbo,Bo\nann,Again\n", "lists student id 'ann' twice (lines 2 and 4); ids must be unique."),
        ("id,name\nann,Ann\n,Nobody\n", "line 3 has no student id."),
        ("id\nann lee\n", "line 2: student id 'ann lee' may contain only ASCII letters (A-Z, a-z), digits, '.', "
         "'_', '-' and '@', starting with a letter or digit (it names the student's folders); put a name in other "
         "letters in the 'name' column."),
        # a Hangul id: the rule's letters are ASCII ones, which the message says (session 12's trial)
        ("id,name\n김철수,김철수\n", "line 2: student id '김철수' may contain only ASCII letters (A-Z, a-z), digits, "
         "'.', '_', '-' and '@', starting with a letter or digit (it names the student's folders); put a name in "
         "other letters in the 'name' column."),
        ("id,name\n", "lists no students."),
        ("id\nAnn\nbo\nann\n", "lists student ids 'Ann' (line 2) and 'ann' (line 4), which differ only in case; "
         "their folders would collide on Windows and macOS."),
        ("", "is empty; it needs a header row with an 'id' column."),
        # an unquoted comma in a name would lose its second half (session 6's trial, finding 4)
        ("id,name\ns001,Ann\ns002,Bo\ns003,Cy\ns004,Di\ns005,O'Brien, Sean\n",
         "line 6 has 3 fields where its header has 2: put the name in double quotes (\"O'Brien, Sean\"), or remove "
         "the extra comma."),
        # an unclosed double quote made the rest of the class one student's name, silently (trial 15)
        ('id,name\ns001,"Ann\ns002,Bob\ns003,Cy\n',
         "line 2: the value starting 'Ann' runs over several lines (a double quote (\") there is closed lines "
         "later, or never); keep each student on one line, and write a quote inside a name as \"\"."),
        ('id,name\ns001,Ann\ns002,"Bob\nSmith"\n',
         "line 3: the value starting 'Bob' runs over several lines (a double quote (\") there is closed lines "
         "later, or never); keep each student on one line, and write a quote inside a name as \"\"."),
        # lines are the file's lines: a column the kit does not read may hold a line break
        ('id,name,notes\ns1,Ann,"first\nsecond"\ns1,Bo,x\n',
         "lists student id 's1' twice (lines 2 and 4); ids must be unique."),
        ('id,name\ns1,Kim, Min "MJ", Jun\n',
         "line 2 has 4 fields where its header has 2: put the name in double quotes (\"Kim, Min \"\"MJ\"\", Jun\"), "
         "or remove the extra commas."),
        ("id;name;email\ns1;Kim; Lee;k@x\n",
         "line 2 has 4 fields where its header has 3: put a value that contains a semicolon in double quotes, or "
         "remove the extra semicolon."),
        ("name,id\nAnn, Lee,s1\n", "line 2 has 3 fields where its header has 2: put a value that contains a comma "
         "in double quotes, or remove the extra comma."),
    ],
)
def test_generate_bad_roster_gives_one_line(tmp_path, content, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    result = run("generate", "--students", str(roster), "--out", str(tmp_path / "o"), *FAST)
    assert result.exit_code == 2
    assert error_line(result) == f"Error: Roster '{roster}' {message}"
    assert not (tmp_path / "o").exists()


def test_generate_roster_may_use_semicolons_and_a_byte_order_mark(tmp_path):
    roster = tmp_path / "excel.csv"
    roster.write_bytes("\ufeffID;Name\nkim01;김민수\nlee02;이서연\n".encode("utf-8"))
    out = tmp_path / "o"
    assert run("generate", "--students", str(roster), "--format", "md", "--out", str(out), *FAST).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["id"], s["name"]) for s in manifest["students"]] == [("kim01", "김민수"), ("lee02", "이서연")]
    assert "김민수" in (out / "students" / "kim01" / "worksheet.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("header", ["학번,이름", "Student ID,Full Name", "id,성명", "ID,Student Name",
                                    unicodedata.normalize("NFD", "학번,이름")])   # as macOS may save it
def test_generate_roster_reads_the_usual_other_headers_of_ids_and_names(tmp_path, header):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{header}\nkim01,김민수\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run("generate", "--students", str(roster), "--format", "md", "--out", str(out), *FAST)
    assert result.exit_code == 0, result.output
    assert "Note:" not in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["id"], s["name"]) for s in manifest["students"]] == [("kim01", "김민수")]


def test_generate_roster_without_a_name_column_says_which_columns_it_did_not_read(tmp_path):
    # "id,nom": the names would be lost without a word (session 12's trial)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,nom,email\ns1,Ann,a@x\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run("generate", "--students", str(roster), "--format", "md", "--out", str(out), *FAST)
    assert result.exit_code == 0, result.output
    assert (f"Note: Roster '{roster}' has no 'name' column, so only ids are shown; its columns 'nom', "
            "'email' are not read (head the students' names 'name').") in result.stderr.splitlines()
    # a roster of ids alone, or with a name column beside others, says nothing
    for content in ("id\ns1\n", "id,name,email\ns1,Ann,a@x\n"):
        roster.write_text(content, encoding="utf-8")
        result = run("generate", "--students", str(roster), "--format", "md", "--out", str(tmp_path / "p"),
                     "--force", *FAST)
        assert result.exit_code == 0 and "Note:" not in result.stderr, result.stderr


def test_generate_roster_a_quoted_comma_and_empty_trailing_cells_are_fine(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('id,name\ns005,"O\'Brien, Sean"\ns006,Ann,\ns007,Bo,,\n', encoding="utf-8")
    out = tmp_path / "o"
    assert run("generate", "--students", str(roster), "--format", "md", "--out", str(out), *FAST).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(s["id"], s["name"]) for s in manifest["students"]] == [("s005", "O'Brien, Sean"), ("s006", "Ann"),
                                                                    ("s007", "Bo")]


def test_generate_missing_roster_is_rejected(tmp_path):
    roster = tmp_path / "nope.csv"
    result = run("generate", "--students", str(roster), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == f"Error: Roster '{roster}' does not exist."


def test_generate_unreadable_roster_is_rejected(tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("id,name\nann,Ren\xe9e\n".encode("latin-1"))
    result = run("generate", "--students", str(latin1), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == f"Error: Roster '{latin1}' is not UTF-8 text; save it as CSV (UTF-8)."
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    result = run("generate", "--students", str(folder), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == f"Error: Invalid value for '--students': File '{folder}' is a directory."


def test_generate_students_and_count_together_are_rejected(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id\nann\n", encoding="utf-8")
    result = run("generate", "--students", str(roster), "--count", "2", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert error_line(result) == "Error: Use either --students or --count, not both."


@pytest.mark.parametrize("practice, kind", [(False, "a graded sheet"),
                                             (True, "a practice sheet made with the course secret")])
def test_generate_preset_with_a_secret_is_refused_naming_the_sheet_asked_for(tmp_path, practice, kind):
    # trial 17a: --practice --secret-file --preset said "it cannot be a graded sheet"
    secret = tmp_path / "course.secret"
    secret.write_text("3f1c0b7e9a5d42c6b8e1f0a9d3c7b2e4\n", encoding="utf-8")
    args = ["generate", "--preset", "worked-example", "--secret-file", str(secret), "--out", str(tmp_path / "o")]
    result = run(*args, *(["--practice"] if practice else []))
    assert result.exit_code == 2
    assert error_line(result) == (f"Error: --preset is the public worked example; it cannot be {kind} (leave out "
                                  "--secret-file).")


def test_generate_worked_example_preset(tmp_path):
    out = tmp_path / "o"
    result = run("generate", "--preset", "worked-example", "--out", str(out))
    assert result.exit_code == 0, result.output
    key = (out / "keys" / "worked-example" / "key.md").read_text(encoding="utf-8")
    for number in ("0.51998934", "0.60944600", "0.02397190", "0.02592286", "0.43703857", "0.29959556", "0.59624247"):
        assert number in key
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["preset"] == "worked-example"
    assert manifest["families"] == ["forward_pass", "output_update", "hidden_update", "training_step"]


def test_generate_korean_sheets_use_the_course_terms(tmp_path):
    out = tmp_path / "o"
    assert run("generate", "--lang", "ko", "--count", "1", "--out", str(out), *FAST).exit_code == 0
    sheet = (out / "students" / "student-001" / "worksheet.md").read_text(encoding="utf-8")
    key = (out / "keys" / "student-001" / "key.html").read_text(encoding="utf-8")
    for term in ("순전파", "가중치", "은닉층", "출력층", "활성화 함수"):
        assert term in sheet
    assert "역전파" in key and "연쇄법칙" in key
    ET.fromstring(key.replace("<!DOCTYPE html>", "", 1))


def test_generate_problems_cycles_families_with_distinct_variants(tmp_path):
    out = tmp_path / "o"
    result = run("generate", "--count", "1", "--problems", "3", "--families", "forward_pass", "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    problems = manifest["students"][0]["problems"]
    assert [p["key"] for p in problems] == ["p1_forward_pass", "p2_forward_pass", "p3_forward_pass"]
    assert [p["occurrence"] for p in problems] == [0, 1, 2]
    assert len({p["variant"] for p in problems}) == 3


def test_generate_family_named_twice_gives_two_different_problems(tmp_path):
    # --families a,b,a asks for two problems of a: it was silently cut to a,b (and the library
    # call gave two copies of one variant); each repeat is now the family's next occurrence
    out = tmp_path / "o"
    result = run("generate", "--count", "1", "--problems", "5", "--families", "forward_pass,activations,forward_pass",
                 "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    problems = manifest["students"][0]["problems"]
    assert [(p["key"], p["occurrence"]) for p in problems] == [
        ("p1_forward_pass", 0), ("p2_activations", 0), ("p3_forward_pass", 1), ("p4_forward_pass", 2),
        ("p5_activations", 1)]
    assert len({p["variant"] for p in problems}) == 5
    assert manifest["families"] == ["forward_pass", "activations", "forward_pass"]
    # the sheet's third problem is forward_pass's second variant, as check rebuilds it
    data = tomllib.loads((out / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8"))
    rebuilt = dict(check.rebuild(answers_file.parse(data), "answers.toml"))
    assert rebuilt["p3_forward_pass"].variant == problems[2]["variant"]
    assert rebuilt["p3_forward_pass"].variant == make_problem("forward_pass", manifest["course_seed"], "student-001", 1).variant


def test_generate_answers_template_identifies_every_variant(tmp_path):
    out = tmp_path / "o"
    roster = tmp_path / "r.csv"
    roster.write_text('id,name\nann,"Lee, Ann ""A"""\n', encoding="utf-8")
    assert run("generate", "--students", str(roster), "--seed", "5", "--out", str(out), "--format", "md").exit_code == 0
    data = tomllib.loads((out / "students" / "ann" / "answers.toml").read_text(encoding="utf-8"))
    meta = data["chainrule"]
    assert meta["student_id"] == "ann" and meta["student_name"] == 'Lee, Ann "A"'
    assert meta["course_seed"] == 5 and meta["kit_version"] == __version__
    assert meta["problems"] == [f"p{i + 1}_{f}" for i, f in enumerate(registry.names())]
    for key in meta["problems"]:
        variant = meta["variants"][key]
        # what `chainrule check` will do: regenerate from (seed, student, family, occurrence)
        problem = make_problem(variant["family"], meta["course_seed"], meta["student_id"], variant["occurrence"])
        assert problem.variant == variant["variant"]
        assert data[key] == {q.key: "" for q in problem.questions}
    rebuilt = check.rebuild(answers_file.parse(data), "answers.toml")
    assert [key for key, _ in rebuilt] == meta["problems"]
    assert all(problem.variant == meta["variants"][key]["variant"] for key, problem in rebuilt)


def test_generate_answers_of_a_preset_regenerate_the_preset(tmp_path):
    out = tmp_path / "o"
    assert run("generate", "--preset", "worked-example", "--format", "md", "--out", str(out)).exit_code == 0
    data = tomllib.loads((out / "students" / "worked-example" / "answers.toml").read_text(encoding="utf-8"))
    assert data["chainrule"]["preset"] == "worked-example"
    rebuilt = dict(check.rebuild(answers_file.parse(data), "answers.toml"))
    exact = {q.key: q.answer for q in rebuilt["p2_output_update"].questions}
    assert format_number(exact["w_5_new"]) == "0.43703857"


def test_generate_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = run("generate", "--out", str(target), *FAST)
    assert result.exit_code == 2
    assert error_line(result) == (f"Error: Invalid value for '--out': '{target}' is a file, not a folder; give a "
                                  "folder (it is made if it does not exist).")


def test_generate_makes_a_pdf_when_a_tex_engine_is_on_path(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "pdflatex"
    engine.write_text(
        "#!%s\nimport sys\nopen('sheet.pdf', 'wb').write(b'%%PDF-fake ' + open('sheet.tex', 'rb').read()[:20])\n"
        % sys.executable,
        encoding="utf-8",
    )
    engine.chmod(engine.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    out = tmp_path / "o"
    result = run("generate", "--count", "1", "--format", "tex", "--out", str(out), *FAST)
    assert result.exit_code == 0, result.output
    assert (out / "students" / "student-001" / "worksheet.pdf").read_bytes().startswith(b"%PDF-fake ")
    assert (out / "keys" / "student-001" / "key.pdf").is_file()
    assert "(tex, pdf)" in result.stdout


def test_generate_without_pdf_when_the_tex_engine_fails(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "pdflatex"
    engine.write_text(
        "#!%s\nimport sys\nprint(\"! LaTeX Error: File `kotex.sty' not found.\")\nsys.exit(1)\n" % sys.executable,
        encoding="utf-8",
    )
    engine.chmod(engine.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    out = tmp_path / "o"
    result = run("generate", "--count", "2", "--format", "tex", "--out", str(out), *FAST)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: no PDF for any student: pdflatex failed: LaTeX Error: File `kotex.sty' not found. (the .tex "
        "files are written; compile them yourself or install the missing LaTeX package)."
    ]
    assert (out / "students" / "student-002" / "worksheet.tex").is_file()
    assert not list(out.rglob("*.pdf"))
    assert "(tex)" in result.stdout


def test_generate_markdown_sheets_link_their_network_drawings(tmp_path):
    out = tmp_path / "o"
    assert run("generate", "--count", "1", "--format", "md", "--out", str(out), *FAST).exit_code == 0
    for sheet in (out / "students" / "student-001" / "worksheet.md", out / "keys" / "student-001" / "key.md"):
        text = sheet.read_text(encoding="utf-8")
        for key in ("p1_forward_pass", "p2_output_update"):
            assert f"![The network with its weights](figures/{key}.svg)" in text
            root = ET.parse(sheet.parent / "figures" / f"{key}.svg").getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "students/student-001/figures/p1_forward_pass.svg" in manifest["students"][0]["files"]


def test_generate_cli_default_seed_matches_the_library():
    assert generate_cmd.DEFAULT_SEED == core.DEFAULT_SEED


def test_generate_stops_when_solutions_disagree_with_the_exact_answer(tmp_path, monkeypatch):
    import solutions.network

    real = solutions.network.forward

    def slightly_wrong(*args):
        h, o = real(*args)
        return h, o * (1 + 1e-6)

    monkeypatch.setattr(solutions.network, "forward", slightly_wrong)
    out = tmp_path / "o"
    result = run("generate", "--families", "forward_pass", "--count", "1", "--out", str(out))
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("Error: family 'forward_pass' variant ")
    assert "disagrees with solutions/ float64" in line and line.endswith("so generation stopped.")
    assert not (out / "manifest.json").exists()


def test_generate_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    # separate processes with different PYTHONHASHSEED: no set or hash() order may leak out
    import subprocess

    root = Path(__file__).resolve().parents[2]
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(root))
        subprocess.run(
            [sys.executable, "-m", "chainrule", "generate", "--count", "2", "--seed", "3",
             "--families", "forward_pass,training_step,hidden_update", "--out", str(out)],
            cwd=str(root), env=env, check=True, capture_output=True,
        )
        outs.append(tree(out))
    assert outs[0] == outs[1]


def test_generate_files_get_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        result = run("generate", "--out", str(tmp_path / "o"), "--count", "1", "--format", "md", *FAST)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    files = [p for p in (tmp_path / "o").rglob("*") if p.is_file()]
    assert any(p.name == "answers.toml" for p in files) and any(p.suffix == ".svg" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert not hasattr(worksheets, "write_atomic") or worksheets.write_atomic.__module__ == "chainrule_core.fileio"


def test_generate_force_removes_the_files_of_an_earlier_set_it_does_not_rewrite(tmp_path):
    out = tmp_path / "o"
    assert run("generate", "--preset", "worked-example", "--format", "md", "--out", str(out)).exit_code == 0
    old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["students"][0]["files"]
    assert "students/worked-example/answers.toml" in old
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "students" / "worked-example" / "my-notes.txt").write_text("mine too", encoding="utf-8")
    result = run("generate", "--count", "1", "--format", "md", "--out", str(out), "--force", *FAST)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    written = {name for s in manifest["students"] for name in s["files"]}
    # what is left: the new set, the manifest, and the files the kit never wrote
    assert set(tree(out)) == written | {"manifest.json", "notes.txt", "students/worked-example/my-notes.txt"}
    assert not (out / "keys" / "worked-example").exists()  # emptied folders go too
    assert not (out / "students" / "worked-example" / "figures").exists()


def test_generate_force_without_a_manifest_overwrites_and_deletes_nothing(tmp_path):
    out = tmp_path / "o"
    (out / "students" / "gone").mkdir(parents=True)
    (out / "students" / "gone" / "worksheet.md").write_text("old", encoding="utf-8")
    result = run("generate", "--count", "1", "--format", "md", "--out", str(out), "--force", *FAST)
    assert result.exit_code == 0, result.output
    assert (out / "students" / "gone" / "worksheet.md").read_text(encoding="utf-8") == "old"


def test_generate_force_removes_only_paths_inside_the_folder(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    (out / "stale.md").write_text("old", encoding="utf-8")
    listed = ["../outside.txt", str(outside), "stale.md", "students/./x", ""]
    (out / "manifest.json").write_text(
        json.dumps({"kit": "chainrule", "students": [{"id": "x", "files": listed}]}), encoding="utf-8"
    )
    assert worksheets.previous_files(out) == ["manifest.json", "stale.md"]
    result = run("generate", "--count", "1", "--format", "md", "--out", str(out), "--force", *FAST)
    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == "keep"
    assert not (out / "stale.md").exists()


def test_generate_shows_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    result = run("generate", "--count", "5", "--format", "md", "--out", str(tmp_path / "o"), *FAST)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_generate_shows_progress_on_a_terminal(tmp_path):
    import pty
    import subprocess

    leader, follower = pty.openpty()
    code = "from chainrule.cli import cli; cli()"
    args = ["generate", "--count", "3", "--format", "md", "--out", str(tmp_path / "o"), *FAST]
    proc = subprocess.run([sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    try:
        while True:
            chunk = os.read(leader, 4096)
            if not chunk:
                break
            shown += chunk
    except OSError:  # EIO once the terminal has no writer
        pass
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"Generating" in shown and b"3/3" in shown


def test_generate_answers_template_states_the_sheets_number_rule(tmp_path):
    out = tmp_path / "o"
    assert run("generate", "--out", str(out), "--count", "1", "--format", "md", *FAST).exit_code == 0
    head = (out / "students" / "student-001" / "answers.toml").read_text(encoding="utf-8").splitlines()[:4]
    sheet = (out / "students" / "student-001" / "worksheet.md").read_text(encoding="utf-8")
    from generator.i18n import WORDS

    rule = WORDS["number_rule"][0]
    assert rule.startswith("Numbers: a value that is exactly a decimal of at most 8 significant digits is written")
    # the example is a blank of this sheet (tests/checker/test_answers_header.py: every case)
    assert head[1].startswith(
        '# Write each answer between the quotes, rounded as the worksheet says (the rule below), e.g. a value of '
        '0.025922864007... for ')
    assert ' = "0.02592286" (8 decimals, as it lies between 0.01 and 1)' in head[1]
    assert head[2] == "# " + rule and rule in sheet
    # the example is what the rule makes of such a value (the seed's dE/dw5 is no short
    # decimal; an exact 0.025922864, 8 significant digits, would be written as it is)
    from sympy import Rational

    assert format_number(Rational("0.0259228640075")) == "0.02592286"
    assert format_number(Rational("0.025922864")) == "0.025922864"


@pytest.mark.skipif(worksheets.tex_engine("ko") is None, reason="no TeX engine installed")
def test_generate_real_tex_engine_compiles_english_and_korean_sheets(tmp_path):
    for lang in ("en", "ko"):
        out = tmp_path / lang
        result = run("generate", "--preset", "worked-example", "--format", "tex", "--lang", lang, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert result.stderr == ""  # no "Warning: no PDF"
        for pdf in (out / "students" / "worked-example" / "worksheet.pdf", out / "keys" / "worked-example" / "key.pdf"):
            assert pdf.read_bytes().startswith(b"%PDF-"), pdf


def test_generate_answers_template_comments_show_no_sympy_class_names(tmp_path):
    # the comments are read by students in a text editor: dh_5/dx, not Derivative(h_5, x)
    import re

    import sympy

    from generator import symbolic

    def is_class_name(name):
        return isinstance(getattr(sympy, name, None) or getattr(symbolic, name, None), type)

    files = []
    for lang in ("en", "ko"):
        out = tmp_path / lang
        assert run("generate", "--count", "8", "--format", "md", "--lang", lang, "--out", str(out)).exit_code == 0
        files += sorted(out.glob("students/*/answers.toml"))
    out = tmp_path / "preset"
    assert run("generate", "--preset", "worked-example", "--format", "md", "--out", str(out)).exit_code == 0
    files += sorted(out.glob("students/*/answers.toml"))
    assert len(files) == 17
    families = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        families.update(tomllib.loads(text)["chainrule"]["variants"][k]["family"]
                        for k in tomllib.loads(text)["chainrule"]["variants"])
        for line in text.splitlines():
            if line.startswith("#"):
                names = [n for n in re.findall(r"\b([A-Z][A-Za-z]*)\(", line) if is_class_name(n)]
                assert not names, (path, line)
                for name in ("Derivative(", "Partial(", "Subs(", "Symbol(", "Rational("):
                    assert name not in line, (path, line)
    assert families == set(registry.names())
    comments = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert "the derivative d sigma(x_1)/d x_1  [number]" in comments or \
        "the derivative d tanh(x_1)/d x_1  [number]" in comments


def test_a_seed_with_a_preset_is_refused_not_ignored(tmp_path):
    """Session 9's trial: --preset worked-example --seed 5 ignored the seed without a word."""
    result = run("generate", "--preset", "worked-example", "--seed", "5", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: --preset worked-example fixes the problems whatever the seed; leave out --seed.")
    assert not (tmp_path / "o").exists()
