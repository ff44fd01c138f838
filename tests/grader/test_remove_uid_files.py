"""grader.privileges.remove_uid_files: what the sandbox uid left in shared folders."""
import os

import pytest

from grader.privileges import remove_uid_files

UID = 54321      # no such user needed: files are chowned to it

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")


def _owned(path, text="x"):
    with open(path, "w") as fh:
        fh.write(text)
    os.chown(path, UID, UID)
    return str(path)


def test_removes_the_uids_files_and_folders_anywhere_it_could_reach(tmp_path):
    shared = tmp_path / "tmp"
    (shared / "open" / "deeper").mkdir(parents=True)
    os.chmod(shared / "open", 0o755)
    os.chmod(shared / "open" / "deeper", 0o1777)
    left = _owned(shared / "open" / "deeper" / "note.txt")
    folder = shared / "theirs"
    folder.mkdir()
    _owned(folder / "inside.py")
    os.chown(folder, UID, UID)
    mine = shared / "open" / "root-file"
    mine.write_text("root's")
    removed = remove_uid_files(UID, folders=[str(shared)])
    assert sorted(removed) == sorted([left, str(folder)])
    assert not os.path.exists(left) and not folder.exists()
    assert mine.read_text() == "root's"


def test_does_not_walk_folders_the_uid_could_not_enter(tmp_path):
    shared = tmp_path / "tmp"
    closed = shared / "pytest-of-root"
    closed.mkdir(parents=True)
    os.chmod(closed, 0o700)
    planted = _owned(closed / "looks-like-theirs")    # root put it there; the uid cannot reach it
    assert remove_uid_files(UID, folders=[str(shared)]) == []
    assert os.path.exists(planted)


def test_a_crowded_folder_does_not_hide_the_next_one(tmp_path):
    crowded, other = tmp_path / "tmp", tmp_path / "shm"
    crowded.mkdir()
    other.mkdir()
    for i in range(30):
        (crowded / f"f{i}").write_text("")
    left = _owned(other / "message")
    assert remove_uid_files(UID, folders=[str(crowded), str(other)], limit=10) == [left]
