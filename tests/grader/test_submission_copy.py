"""grader.submission_copy: a submission is copied without following a link out of it.

The issue's attack first (a module that is a link to the reference got full marks), then
each rule of the copy on hand-made folders."""

import os
import stat
from pathlib import Path

import pytest

from chainrule_core.errors import ChainruleError
from grader import grade_submission
from grader.submission_copy import MAX_FILES, SubmissionRefused, safe_copy
from tests.grader.conftest import SOLUTIONS, make_submission


def test_a_module_linked_to_the_reference_is_refused_not_graded(tmp_path):
    sub = make_submission(tmp_path / "exercises")
    (sub / "activations.py").unlink()
    (sub / "activations.py").symlink_to(SOLUTIONS / "activations.py")
    with pytest.raises(SubmissionRefused) as info:
        grade_submission(str(sub), only=["activations"])
    text = str(info.value)
    assert text == (f"Submission refused: 'exercises/activations.py' is a link to "
                    f"'{SOLUTIONS / 'activations.py'}', outside the submission folder; submit the file "
                    "itself (links that leave the submission are never followed).")


def test_a_relative_link_up_and_out_is_refused(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "secret.py").write_text("x = 1\n")
    (sub / "a.py").symlink_to("../secret.py")
    with pytest.raises(SubmissionRefused, match=r"'a.py' is a link to '../secret.py', outside the submission"):
        safe_copy(sub, tmp_path / "copy", show="")
    (sub / "a.py").unlink()
    (sub / "pkg").mkdir()
    (sub / "pkg" / "b.py").symlink_to("../../secret.py")
    with pytest.raises(SubmissionRefused, match=r"'pkg/b.py' is a link to '../../secret.py', outside"):
        safe_copy(sub, tmp_path / "copy2", show="")


def test_a_link_to_a_file_inside_is_copied_as_a_regular_file(tmp_path):
    sub = tmp_path / "sub"
    (sub / "pkg").mkdir(parents=True)
    (sub / "helpers.py").write_text("H = 2\n")
    (sub / "alias.py").symlink_to("helpers.py")
    (sub / "pkg" / "up.py").symlink_to("../helpers.py")
    (sub / "abs.py").symlink_to(sub / "helpers.py")          # absolute, but inside
    copy = Path(safe_copy(sub, tmp_path / "copy"))
    for name in ("alias.py", "pkg/up.py", "abs.py"):
        assert not (copy / name).is_symlink()
        assert (copy / name).read_text() == "H = 2\n"
        assert stat.S_IMODE((copy / name).stat().st_mode) == 0o644
    assert stat.S_IMODE((copy / "pkg").stat().st_mode) == 0o755


@pytest.mark.parametrize("make, message", [
    (lambda s: (s / "d").mkdir() or (s / "l.py").symlink_to("d"), "'l.py' is a link to 'd', which is not a regular file"),
    (lambda s: (s / "l.py").symlink_to("nowhere.py"), "'l.py' is a link to 'nowhere.py', which does not exist"),
    (lambda s: (s / "f.py").write_text("") or (s / "m.py").symlink_to("f.py") or (s / "l.py").symlink_to("m.py"),
     "'l.py' is a link to 'm.py', which is a link itself"),
    (lambda s: os.mkfifo(s / "pipe.py"), "'pipe.py' is not a regular file or folder"),
])
def test_links_that_are_not_plain_files_and_special_files_are_refused(tmp_path, make, message):
    sub = tmp_path / "sub"
    sub.mkdir()
    make(sub)
    with pytest.raises(SubmissionRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        safe_copy(sub, tmp_path / "copy", show="")


def test_a_folder_reached_through_a_linked_folder_is_not_followed(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.py").write_text("x = 1\n")
    (sub / "inner").symlink_to(tmp_path / "outside")
    with pytest.raises(SubmissionRefused, match="outside the submission folder"):
        safe_copy(sub, tmp_path / "copy", show="")


def test_caches_and_hidden_entries_are_skipped(tmp_path):
    sub = tmp_path / "sub"
    (sub / "__pycache__").mkdir(parents=True)
    (sub / "__pycache__" / "a.pyc").write_bytes(b"x")
    (sub / ".git").mkdir()
    (sub / ".git" / "link").symlink_to("/etc/passwd")     # never looked at
    (sub / "a.py").write_text("a = 1\n")
    copy = Path(safe_copy(sub, tmp_path / "copy"))
    assert sorted(p.name for p in copy.iterdir()) == ["a.py"]


@pytest.mark.skipif(os.geteuid() != 0, reason="hard links are refused only when the copy reads as root")
def test_as_root_a_hard_link_is_refused(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "secret.py").write_text("x = 1\n")
    os.link(tmp_path / "secret.py", sub / "a.py")
    with pytest.raises(SubmissionRefused, match=r"'a.py' is a hard link \(2 names for one file\)"):
        safe_copy(sub, tmp_path / "copy", show="")


def test_too_many_files_are_refused(tmp_path, monkeypatch):
    import grader.submission_copy as sc

    monkeypatch.setattr(sc, "MAX_FILES", 3)
    sub = tmp_path / "sub"
    sub.mkdir()
    for k in range(4):
        (sub / f"m{k}.py").write_text("")
    with pytest.raises(SubmissionRefused, match="'m3.py' is one file too many: a submission may hold at most 3 files"):
        safe_copy(sub, tmp_path / "copy", show="")
    assert MAX_FILES == 2000


def test_an_unreadable_submission_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(ChainruleError, match="Cannot read the submission folder 'nope'"):
        safe_copy(tmp_path / "missing", tmp_path / "copy", show="nope")
