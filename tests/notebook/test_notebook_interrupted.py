"""``chainrule notebook`` after Ctrl-C (trial 18a, finding 3): one line and exit 130, as
``chainrule generate`` says it, and the same command again finishes the class, keeping the
students that were complete and making the others again; the folder then holds what an
uninterrupted run writes, byte for byte (no journal, no temporary file)."""

import json
import os

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from chainrule.notebook import build

JOURNAL = ".chainrule-notebook.journal"
ROSTER = [("s1", "Kim Minji"), ("s2", "Lee Jun"), ("s3", "Park Hana")]
LINE = "Interrupted after {} of {} {}; run the same command again to finish (or --force to start over)."


def run(*args):
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args])


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
