"""``chainrule generate`` after an interrupt: the same command finishes the class.

Every interrupted class is finished and compared, file by file, with a class made in one go
(``clean``): same names, same bytes, no journal or temporary file left.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import worksheets
from tests.generator.test_generate_cli import FAST, run, tree     # tree: hidden files too

CLASS = ["generate", "--count", "12", "--format", "md,html", *FAST]
JOURNAL = ".chainrule-generate.journal"
LINE = "Interrupted after {} of 12 sheets; run the same command again to finish (or --force to start over)."


def journaled(out: Path):
    """The ids of the students the journal lists (its first line is the header)."""
    lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["journal"] == 1
    return [json.loads(line)["id"] for line in lines[1:]]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "o"
    result = run(*CLASS, "--out", str(out))
    assert result.exit_code == 0, result.output
    made = tree(out)
    assert len(made) > 12 * 8 and JOURNAL not in made
    return made


def finish(out: Path, clean, kept: int, *extra):
    """Run the class's command again in ``out``: it says what it kept and ends as ``clean``."""
    result = run(*CLASS, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    if kept:
        made = 12 - kept
        assert lines[0] == f"Resumed: {made} sheet{'' if made == 1 else 's'} made, {kept} kept from the interrupted run."
    assert lines[-1].startswith("Wrote worksheets, answer keys and answers templates for 12 students (md, html)")
    finished = tree(out)
    assert sorted(finished) == sorted(clean)
    assert [name for name in clean if finished[name] != clean[name]] == []


# --- real signals, as a terminal's Ctrl-C and a batch system's stop send them -----------------

def interrupt(out: Path, after: int, jobs: str, signum=signal.SIGINT, group=True):
    """Start the class in a child process, send ``signum`` once ``after`` students are in the
    journal (to the whole process group, as a terminal's Ctrl-C does, or to the command only)."""
    code = "from chainrule.cli import cli; cli()"
    proc = subprocess.Popen([sys.executable, "-c", code, *CLASS, "--out", str(out), "--jobs", jobs],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if (out / JOURNAL).read_text(encoding="utf-8").count("\n") >= after + 1:
                break
        except OSError:
            pass
        time.sleep(0.002)
    assert proc.poll() is None, "the class was finished before the signal"
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout.decode(), stderr.decode(), time.monotonic() - sent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX process groups and signals")
@pytest.mark.parametrize("after, jobs, signum, group", [
    (0, "1", signal.SIGINT, True),    # in the first student (made in the command's own process)
    (3, "2", signal.SIGINT, True),    # workers busy: they finish their student, the rest is cancelled
    (6, "1", signal.SIGTERM, False),  # a batch system's stop, to the command only
    (2, "2", signal.SIGTERM, False),
])
def test_generate_interrupted_by_a_signal_finishes_with_the_same_command(tmp_path, clean, after, jobs, signum, group):
    out = tmp_path / "o"
    code, stdout, stderr, took = interrupt(out, after, jobs, signum, group)
    assert code == 128 + signum, stderr     # 130 for Ctrl-C, 143 for SIGTERM (the shell's convention)
    assert took < 10  # workers stop after their current student, not at the end of the class
    kept = journaled(out)
    assert after <= len(kept) < 12
    line = LINE.format(len(kept))
    if signum == signal.SIGTERM:    # a stop the user did not type: said which
        line = line.replace("Interrupted ", "Interrupted (SIGTERM) ", 1)
    assert stderr.splitlines() == [line]  # one line, no traceback, no "Aborted!"
    assert stdout == ""
    # no manifest yet, no temporary file, and every file of a journaled student is whole
    left = tree(out)
    assert "manifest.json" not in left
    assert [name for name in left if name.endswith(".tmp")] == []
    for name, data in left.items():
        if name != JOURNAL and name.split("/")[1] in kept:
            assert data == clean[name], name
    if jobs == "2":  # the workers ignore Ctrl-C: each finishes its student, which is then journaled
        assert {name.split("/")[1] for name in left if name != JOURNAL} == set(kept)
    finish(out, clean, len(kept), "--jobs", "2" if jobs == "1" else "1")


# --- interrupts at chosen points (in-process; a forked worker inherits the patch) -------------

def fail_at(monkeypatch, target: str):
    """Ctrl-C lands inside the write of ``target``, between its temporary file and its rename."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(target):
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_generate_interrupted_inside_a_students_files_makes_that_student_again(tmp_path, clean, monkeypatch, jobs):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-007/key.html")  # with jobs 2: inside a worker
        result = run(*CLASS, "--out", str(out), "--jobs", jobs)
    kept = journaled(out)
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [LINE.format(len(kept))]
    assert "student-007" not in kept and len(kept) >= 6
    left = tree(out)
    # student-007 got some of its files, each whole; the interrupted one is neither there
    # under its name nor as a temporary file
    assert "students/student-007/worksheet.md" in left and "keys/student-007/key.html" not in left
    assert [name for name in left if name.endswith(".tmp") or "/." in name] == []
    assert "manifest.json" not in left
    finish(out, clean, len(kept))


def test_generate_interrupted_before_the_manifest_writes_only_the_manifest(tmp_path, clean, monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        fail_at(patch, "manifest.json")
        result = run(*CLASS, "--out", str(out), "--jobs", "2")
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [LINE.format(12)]
    assert sorted(journaled(out)) == [f"student-{i:03d}" for i in range(1, 13)]
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.md")}
    finish(out, clean, 12)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.md")} == stamps  # no sheet written again


def test_generate_resume_survives_a_crash_between_a_file_and_its_journal_line(tmp_path, clean, monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-010/key.md")
        assert run(*CLASS, "--out", str(out), "--jobs", "1").exit_code == 130
    journal = out / JOURNAL
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    assert [json.loads(line)["id"] for line in lines[1:]] == [f"student-{i:03d}" for i in range(1, 10)]
    # a crash: student-009's files are written, its line is not (the last one torn)
    journal.write_text("".join(lines[:-1]) + lines[-1][:40], encoding="utf-8")
    # student-004 lost a file since, and student-006 has one emptied (a machine's crash): made again too
    (out / "students" / "student-004" / "worksheet.html").unlink()
    (out / "keys" / "student-006" / "key.md").write_bytes(b"")
    # a killed worker's temporary file
    (out / "students" / "student-005" / ".worksheet.md.4242.tmp").write_text("half", encoding="utf-8")
    finish(out, clean, 6)


def test_generate_with_other_options_in_an_interrupted_folder_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-003/key.md")
        assert run(*CLASS, "--out", str(out), "--jobs", "1").exit_code == 130
    before = tree(out)
    refusals = [
        (["--seed", "5"], "--seed 2024 there, 5 here"),
        (["--count", "10"], "12 students there, 10 here"),
        (["--format", "md"], "--format md,html there, md here"),
        (["--lang", "ko"], "--lang en there, ko here"),
        (["--families", "forward_pass"], "--families forward_pass,output_update there, forward_pass here"),
        (["--problems", "3"], "--problems one per family there, 3 here"),
        (["--practice"], "open sheets there, practice here"),
    ]
    for change, differs in refusals:
        families = [] if change[0] == "--families" else FAST
        result = run("generate", "--count", "12", "--format", "md,html", *families, "--out", str(out), *change)
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            f"Error: Output folder '{out}' holds an interrupted class made with other options ({differs}); "
            "run that command again to finish it, or use --force to start over."
        ], change
    # several differences in one sentence
    result = run("generate", "--count", "3", "--seed", "9", "--format", "md,html", *FAST, "--out", str(out))
    assert result.stderr.splitlines() == [
        f"Error: Output folder '{out}' holds an interrupted class made with other options (--seed 2024 there, "
        "9 here; 12 students there, 3 here); run that command again to finish it, or use --force to start over."
    ]
    assert tree(out) == before  # nothing written, nothing removed


def test_generate_with_another_secret_in_an_interrupted_folder_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "o"
    one, two = tmp_path / "one.secret", tmp_path / "two.secret"
    one.write_bytes(b"a" * 32)
    two.write_bytes(b"b" * 32)
    args = ["generate", "--count", "4", "--format", "md", *FAST, "--out", str(out)]
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-002/key.md")
        assert run(*args, "--secret-file", str(one), "--jobs", "1").exit_code == 130
    result = run(*args, "--secret-file", str(two))
    assert result.exit_code == 1
    assert "(another course secret (--secret-file));" in result.stderr
    result = run(*args)
    assert "(graded sheets there, open here);" in result.stderr
    result = run(*args, "--secret-file", str(one))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Resumed: 3 sheets made, 1 kept from the interrupted run.\n")


def test_generate_force_over_an_interrupted_class_starts_over(tmp_path, monkeypatch):
    out, other = tmp_path / "o", tmp_path / "clean"
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-008/key.md")
        assert run(*CLASS, "--out", str(out), "--jobs", "2").exit_code == 130
    assert "student-004" in journaled(out)
    (out / "students" / "student-006" / ".key.md.77.tmp").write_text("half", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    small = ["generate", "--count", "3", "--format", "md", *FAST]
    result = run(*small, "--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert "Resumed" not in result.stdout
    assert run(*small, "--out", str(other)).exit_code == 0
    # what the interrupted run's journal lists goes (as an earlier manifest's files do), its
    # temporary files and the journal too; the files of the student it was writing when
    # interrupted are in no list, and stay, as the instructor's own files do
    left = {name: data for name, data in tree(out).items() if not name.split("/")[1:2] == ["student-008"]}
    assert left == {**tree(other), "notes.txt": b"mine"}
    assert not (out / "students" / "student-006").exists() and not (out / "keys" / "student-012").exists()


def test_generate_interrupted_force_run_is_finished_without_force(tmp_path, monkeypatch):
    out, other = tmp_path / "o", tmp_path / "clean"
    small = ["generate", "--count", "3", "--format", "md", *FAST]
    assert run("generate", "--count", "5", "--format", "md,html", *FAST, "--out", str(out)).exit_code == 0
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-002/key.md")
        result = run(*small, "--out", str(out), "--force", "--jobs", "1")
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        "Interrupted after 1 of 3 sheets; run it again without --force to finish (with --force it starts over)."
    ]
    assert not (out / "manifest.json").exists()  # the earlier set's: gone, its files are in the journal
    assert (out / "students" / "student-005" / "worksheet.html").exists()
    result = run(*small, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Resumed: 2 sheets made, 1 kept from the interrupted run.\n")
    assert run(*small, "--out", str(other)).exit_code == 0
    # the earlier class's files (students 4 and 5, the html) are gone, as after an uninterrupted --force
    assert tree(out) == tree(other)


def test_generate_finished_class_is_still_refused_and_leaves_no_journal(tmp_path, clean):
    out = tmp_path / "o"
    assert run(*CLASS, "--out", str(out)).exit_code == 0
    assert not (out / JOURNAL).exists()
    result = run(*CLASS, "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: Output folder '{out}' holds a finished set (manifest.json); use --update to change its roster "
        "(nothing is lost), --force to start over, or choose another --out."
    ]


def test_generate_foreign_journal_is_not_taken_for_an_interrupted_class(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / JOURNAL).write_text("not json\n", encoding="utf-8")
    result = run(*CLASS, "--out", str(out))
    assert result.exit_code == 1
    assert "is not empty; use --force" in result.stderr


def test_generate_journal_paths_outside_a_students_folders_are_ignored(tmp_path, monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-003/key.md")
        assert run(*CLASS, "--out", str(out), "--jobs", "1").exit_code == 130
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    journal = out / JOURNAL
    lines = journal.read_text(encoding="utf-8").splitlines()
    header, first = json.loads(lines[0]), json.loads(lines[1])
    header["stale"] = ["../outside.txt", str(outside)]
    first["files"].append("../outside.txt")
    journal.write_text("\n".join([json.dumps(header), json.dumps(first), *lines[2:]]) + "\n", encoding="utf-8")
    record = worksheets._read_journal(out)
    assert record.stale == [] and "student-001" not in record.sheets and "student-002" in record.sheets
    result = run(*CLASS, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Resumed: 11 sheets made, 1 kept from the interrupted run.\n")
    assert outside.read_text(encoding="utf-8") == "keep"


def test_generate_interrupted_twice_then_finished(tmp_path, clean, monkeypatch):
    out = tmp_path / "o"
    for target, kept in (("keys/student-004/key.md", 3), ("students/student-009/answers.toml", 8)):
        with monkeypatch.context() as patch:
            fail_at(patch, target)
            result = run(*CLASS, "--out", str(out), "--jobs", "1")
        assert result.exit_code == 130
        assert result.stderr.splitlines() == [LINE.format(kept)]
        assert journaled(out) == [f"student-{i:03d}" for i in range(1, kept + 1)]
    finish(out, clean, 8)


def test_generate_resumed_progress_counts_the_students_kept(tmp_path, monkeypatch):
    out = tmp_path / "o"
    options = dict(out=out, count=6, families=["forward_pass"], formats=["md"], jobs=1)
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/student-003/key.md")
        with pytest.raises(worksheets.Interrupted) as caught:
            worksheets.generate(**options)
    assert (caught.value.done, caught.value.total) == (2, 6)
    seen = []
    result = worksheets.generate(**options, report=lambda done, total, student: seen.append((done, total, student.id)))
    assert seen == [(i, 6, f"student-{i:03d}") for i in range(3, 7)]
    assert (result.students, result.kept) == (6, 2)


def test_generate_interrupted_before_the_class_starts_says_so(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(worksheets, "check_out", interrupted)
    result = run(*CLASS, "--out", str(tmp_path / "o"))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [
        "Interrupted before any sheet was made; run the same command again to finish (or --force to start over)."
    ]
    assert list((tmp_path / "o").iterdir()) == []  # made (and locked) for the run, nothing in it


def test_generate_resume_is_refused_when_the_roster_or_the_tex_engine_changed(tmp_path, monkeypatch):
    out = tmp_path / "o"
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann Lee\nbo,Bo Kim\nkai,Kai\n", encoding="utf-8")
    args = ["generate", "--students", str(roster), "--format", "md,tex", *FAST, "--out", str(out)]
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    with monkeypatch.context() as patch:
        fail_at(patch, "keys/bo/key.md")
        assert run(*args, "--jobs", "1").exit_code == 130
    roster.write_text("id,name\nann,Ann Lee\nbo,Bo Kim-Park\nkai,Kai\n", encoding="utf-8")
    result = run(*args)
    assert "other options (the same student ids with other names);" in result.stderr
    roster.write_text("id,name\nann,Ann Lee\nbo,Bo Kim\nkay,Kai\n", encoding="utf-8")
    result = run(*args)
    assert "other options (student 3 'kai' there, 'kay' here);" in result.stderr
    roster.write_text("id,name\nann,Ann Lee\nbo,Bo Kim\nkai,Kai\n", encoding="utf-8")
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": "/opt/texlive/bin/xelatex")
    result = run(*args)
    assert result.exit_code == 1
    assert "other options (TeX engine none there, xelatex here);" in result.stderr
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Resumed: 2 sheets made, 1 kept from the interrupted run.\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="flock on a folder")
def test_generate_refuses_a_folder_another_generate_is_writing(tmp_path):
    import fcntl

    out = tmp_path / "o"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running generate holds it
        result = run(*CLASS, "--out", str(out))
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"Error: Output folder '{out}' is being written by another chainrule generate; wait for it to finish "
            "or choose another --out."
        ]
        assert list(out.iterdir()) == []
    finally:
        os.close(fd)
    result = run("generate", "--count", "1", "--format", "md", *FAST, "--out", str(out))
    assert result.exit_code == 0, result.output
