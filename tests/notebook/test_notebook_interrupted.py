"""``chainrule notebook`` after Ctrl-C (trial 18a, finding 3): one line and exit 130, as
``chainrule generate`` says it, and the same command again finishes the class, keeping the
students that were complete and making the others again; the folder then holds what an
uninterrupted run writes, byte for byte (no journal, no temporary file)."""

import json
import os

import pytest

from chainrule.notebook import build
from tests.generator.test_check import run  # the CLI in-process, stderr apart

JOURNAL = ".chainrule-notebook.journal"
ROSTER = [("s1", "Kim Minji"), ("s2", "Lee Jun"), ("s3", "Park Hana")]
LINE = "Interrupted after {} of {} {}; run the same command again to finish (or --force to start over)."


def tree(folder):
    """Every file below ``folder`` (hidden ones too) -> its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,name\n" + "".join(f"{sid},{name}\n" for sid, name in ROSTER), encoding="utf-8")
    return path


def command(roster, out, *extra):
    return ["notebook", "--out", out, "--modules", "activations,network", "--students", roster, "--seed", "7", *extra]


@pytest.fixture
def clean(nbformat, roster, tmp_path):
    """The class written in one go."""
    out = tmp_path / "clean"
    result = run(*command(roster, out))
    assert result.exit_code == 0, result.output
    return tree(out)


def interrupted_at(monkeypatch, target, replaced=None):
    """Ctrl-C inside the write of the file whose path ends with ``target`` (between its
    temporary file and its rename); every other rename is noted in ``replaced``."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if target is not None and str(dst).endswith(target):
            raise KeyboardInterrupt
        if replaced is not None:
            replaced.append(str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def journaled(out):
    lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["journal"] == 1
    return [json.loads(line)["id"] for line in lines[1:]]


def test_interrupted_inside_a_student_then_the_same_command_finishes_the_class(roster, clean, tmp_path,
                                                                               monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        interrupted_at(patch, "students/s2/network.ipynb")   # s2 has some of its files, s3 none
        result = run(*command(roster, out))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [LINE.format(1, 3, "students")]  # no "Aborted!", no traceback
    assert result.stdout == ""
    assert journaled(out) == ["s1"]
    left = tree(out)
    assert "students/s2/activations.ipynb" in left and "students/s2/network.ipynb" not in left
    assert [name for name in left if name.endswith(".tmp")] == []
    replaced = []
    with monkeypatch.context() as patch:
        interrupted_at(patch, None, replaced)
        result = run(*command(roster, out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Resumed: 2 students written, 1 kept from the interrupted run."
    assert result.stdout.splitlines()[1].startswith("Wrote the notebooks (activations.ipynb, network.ipynb) and "
                                                    "your_worksheet.ipynb for 3 students to ")
    assert not any("/students/s1/" in name for name in replaced)   # the complete student is kept as it is
    assert tree(out) == clean


def test_interrupted_again_and_again_ends_as_one_run(roster, clean, tmp_path, monkeypatch):
    out = tmp_path / "o"
    for target, done in (("students/s1/your_worksheet.pct.py", 0), ("students/s3/activations.ipynb", 2)):
        with monkeypatch.context() as patch:
            interrupted_at(patch, target)
            result = run(*command(roster, out))
        assert result.exit_code == 130
        assert result.stderr.splitlines() == [LINE.format(done, 3, "students")]
    result = run(*command(roster, out))
    assert result.exit_code == 0, result.output
    assert tree(out) == clean


def test_interrupted_with_force_says_to_finish_without_it(roster, clean, tmp_path, monkeypatch):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("kept\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        interrupted_at(patch, "students/s3/network.pct.py")
        result = run(*command(roster, out, "--force"))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == ["Interrupted after 2 of 3 students; run it again without --force to "
                                          "finish (with --force it starts over)."]
    result = run(*command(roster, out))
    assert result.exit_code == 0, result.output
    assert tree(out) == {**clean, "mine.txt": b"kept\n"}


def test_another_command_in_an_interrupted_folder_is_refused_naming_what_differs(roster, nbformat, tmp_path,
                                                                                 monkeypatch):
    out = tmp_path / "o"
    with monkeypatch.context() as patch:
        interrupted_at(patch, "students/s2/network.ipynb")
        assert run(*command(roster, out)).exit_code == 130
    before = tree(out)
    result = run("notebook", "--out", out, "--modules", "activations,network", "--students", roster, "--seed", "8")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: Output folder '{out}' holds an interrupted chainrule notebook run with other options (course "
        "seed 7 there, 8 here); run that command again to finish it, or use --force to start over.")
    assert tree(out) == before
    assert run(*command(roster, out, "--force")).exit_code == 0     # --force starts over
    assert JOURNAL not in tree(out)


def test_the_exercise_notebooks_alone_interrupted_and_finished(nbformat, tmp_path, monkeypatch):
    whole, out = tmp_path / "whole", tmp_path / "o"
    args = ["notebook", "--modules", "activations,losses", "--out"]
    assert run(*args, whole).exit_code == 0
    with monkeypatch.context() as patch:
        interrupted_at(patch, "losses.pct.py")
        result = run(*args, out)
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [LINE.format(1, 2, "notebooks")]
    result = run(*args, out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Resumed: 1 notebook written, 1 kept from the interrupted run."
    assert tree(out) == tree(whole)


def test_interrupted_before_any_file_is_written(roster, clean, tmp_path, monkeypatch):
    out = tmp_path / "o"

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(build, "notebook_files", stopped)
        result = run(*command(roster, out))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == ["Interrupted before any notebook was written; run the same command again "
                                          "to finish (or --force to start over)."]
    assert run(*command(roster, out)).exit_code == 0
    assert tree(out) == clean


# --- review 18, findings 3, 4 and 5 ------------------------------------------------------------

def interrupted_class(roster, out, monkeypatch, target="students/s3/network.pct.py", *extra):
    """A class stopped inside ``target``: by default s1 and s2 complete, s3 with three of its
    files (activations.ipynb, activations.pct.py, network.ipynb)."""
    with monkeypatch.context() as patch:
        interrupted_at(patch, target)
        assert run(*command(roster, out, *extra)).exit_code == 130


def test_force_after_an_interrupted_run_removes_what_it_wrote_and_this_run_does_not(roster, nbformat, tmp_path,
                                                                                    monkeypatch):
    one = tmp_path / "one.csv"
    one.write_text("id,name\ns1,Kim Minji\n", encoding="utf-8")
    alone = tmp_path / "alone"
    assert run(*command(one, alone)).exit_code == 0
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("kept\n", encoding="utf-8")
    interrupted_class(roster, out, monkeypatch, "students/s3/network.pct.py", "--force")
    (out / "students" / "s2" / "notes.txt").write_text("the teacher's\n", encoding="utf-8")  # not the kit's
    result = run(*command(one, out, "--force"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("Removed 9 files of the interrupted run that this run does not write "
                                             "(2 students: s2, s3).")
    assert tree(out) == {**tree(alone), "mine.txt": b"kept\n", "students/s2/notes.txt": b"the teacher's\n"}
    assert not (out / "students" / "s3").exists()   # the folder it left empty goes too


def test_force_after_an_interrupted_run_of_the_exercise_notebooks_removes_the_module_left_out(nbformat, tmp_path,
                                                                                              monkeypatch):
    alone, out = tmp_path / "alone", tmp_path / "o"
    assert run("notebook", "--modules", "activations", "--out", alone).exit_code == 0
    with monkeypatch.context() as patch:
        interrupted_at(patch, "losses.pct.py")      # activations complete, losses.ipynb written
        assert run("notebook", "--modules", "activations,losses", "--out", out).exit_code == 130
    result = run("notebook", "--modules", "activations", "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("Removed 1 file of the interrupted run that this run does not write "
                                             "(1 notebook: losses).")
    assert tree(out) == tree(alone)


def test_force_with_nothing_to_remove_says_nothing_of_it(roster, clean, tmp_path, monkeypatch):
    out = tmp_path / "o"
    interrupted_class(roster, out, monkeypatch)
    result = run(*command(roster, out, "--force"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Wrote the notebooks ")
    assert tree(out) == clean


def test_the_files_of_a_unit_are_those_a_run_writes(roster, clean):
    options = {"students": [[sid, name] for sid, name in ROSTER], "modules": ["activations", "network"],
               "worksheet": True}
    for sid, _ in ROSTER:
        assert sorted(build.unit_files(options, sid)) == sorted(n for n in clean if n.startswith(f"students/{sid}/"))
    assert build.unit_files({"students": None, "modules": ["losses"]}, "losses") == ["losses.ipynb", "losses.pct.py"]


@pytest.fixture
def held():
    """Hold a folder as a running chainrule notebook does (``flock`` on the folder)."""
    fcntl = pytest.importorskip("fcntl")
    fds = []

    def hold(folder):
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fds.append(fd)

    yield hold
    for fd in fds:
        os.close(fd)


@pytest.mark.parametrize("extra", [(), ("--force",), ("--seed", "9")])
def test_a_folder_in_use_by_another_notebook_run_is_refused_and_never_resumed(roster, nbformat, tmp_path,
                                                                              monkeypatch, held, extra):
    out = tmp_path / "o"
    interrupted_class(roster, out, monkeypatch)     # its journal as a running one leaves it
    before = tree(out)
    held(out)
    args = command(roster, out, *extra)
    if extra[:1] == ("--seed",):
        args = command(roster, out)[:-2] + list(extra)
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: Output folder '{out}' is in use by another chainrule notebook; "
                                          "wait for it to finish or choose another --out."]
    assert result.stdout == ""
    assert tree(out) == before


def test_a_new_folder_in_use_by_another_notebook_run_is_refused(nbformat, tmp_path, held):
    out = tmp_path / "o"
    held(out)
    result = run("notebook", "--modules", "activations", "--out", out)
    assert result.exit_code == 1
    assert "is in use by another chainrule notebook" in result.stderr
    assert tree(out) == {}


def test_a_refused_run_leaves_no_folder_of_its_lock(roster, nbformat, tmp_path):
    out = tmp_path / "o"
    result = run(*command(roster, out), "--modules", "nosuch")
    assert result.exit_code == 2
    missing = tmp_path / "missing.csv"
    result = run("notebook", "--out", out, "--students", missing, "--seed", "7")
    assert result.exit_code != 0
    assert not out.exists()


def test_a_resume_interrupted_early_counts_the_students_kept(roster, clean, tmp_path, monkeypatch):
    out = tmp_path / "o"
    interrupted_class(roster, out, monkeypatch)     # s1 and s2 complete

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(build, "notebook_files", stopped)      # before this run writes anything
        result = run(*command(roster, out))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == [LINE.format(2, 3, "students")]
    assert run(*command(roster, out)).exit_code == 0
    assert tree(out) == clean


def test_interrupted_once_the_class_is_complete_says_so(roster, clean, tmp_path, monkeypatch):
    from chainrule.commands import notebook

    out = tmp_path / "o"

    def stopped(*args, **kwargs):    # Ctrl-C once the journal is gone, before the summary is printed
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(notebook, "_resumed", stopped)
        result = run(*command(roster, out))
    assert result.exit_code == 130
    assert result.stderr.splitlines() == ["Interrupted after the last student was written; the folder is complete."]
    assert tree(out) == clean


def test_force_after_a_finished_class_removes_the_students_dropped_from_the_roster(roster, clean, tmp_path):
    """A finished class leaves no journal; its record (build.RECORD) says what it wrote, so
    --force with a shorter roster removes the dropped students' notebooks (note 18: they stayed)."""
    one = tmp_path / "one.csv"
    one.write_text("id,name\ns1,Kim Minji\n", encoding="utf-8")
    alone = tmp_path / "alone"
    assert run(*command(one, alone)).exit_code == 0
    out = tmp_path / "o"
    assert run(*command(roster, out)).exit_code == 0
    assert tree(out) == clean and build.RECORD in clean
    (out / "students" / "s2" / "notes.txt").write_text("the teacher's\n", encoding="utf-8")  # not the kit's
    again = run(*command(roster, out))
    assert again.exit_code == 1 and "is not empty; use --force" in again.stderr    # as before: a finished folder
    result = run(*command(one, out, "--force"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("Removed 12 files of the earlier run that this run does not write "
                                             "(2 students: s2, s3).")
    assert tree(out) == {**tree(alone), "students/s2/notes.txt": b"the teacher's\n"}
    assert not (out / "students" / "s3").exists()
    record = (out / build.RECORD).read_text(encoding="utf-8")
    assert json.loads(record)["options"]["students"] == [["s1"]]
    assert "Kim" not in record      # the ids decide the files; no student's name is kept (review 19)


def test_exercise_notebooks_alone_leave_no_record(nbformat, tmp_path):
    """Without --students the folder is what students get: nothing of the kit's beside the notebooks."""
    out = tmp_path / "o"
    assert run("notebook", "--modules", "activations", "--out", out).exit_code == 0
    assert sorted(tree(out)) == ["activations.ipynb", "activations.pct.py"]
