"""chainrule_core.fileio: atomic, non-clobbering writes with ordinary permissions."""

import os
import stat

import pytest

from chainrule_core.errors import ChainruleError
from chainrule_core.fileio import write_atomic


def test_fileio_writes_text_and_bytes(tmp_path):
    write_atomic(tmp_path / "a.txt", "héllo\n")
    write_atomic(tmp_path / "sub" / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "héllo\n".encode("utf-8")
    assert (tmp_path / "sub" / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "sub"]  # no temp files left


def test_fileio_permissions_follow_the_umask_not_mkstemp(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644


def test_fileio_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    with pytest.raises(ChainruleError) as info:
        write_atomic(target, "new", force=False)
    assert str(info.value) == f"Output file '{target}' already exists; pass --force to overwrite it."
    assert target.read_text() == "keep me"
    write_atomic(target, "new", force=True)
    assert target.read_text() == "new"


def test_fileio_filesystem_failure_is_a_one_line_kit_error(tmp_path):
    blocker = tmp_path / "roster.csv"
    blocker.write_text("id\n")
    with pytest.raises(ChainruleError) as info:
        write_atomic(blocker / "sub" / "x.md", "x")
    # the file in the way is named (mkdir says only "Not a directory" or "File exists")
    assert str(info.value) == f"Cannot write '{blocker / 'sub' / 'x.md'}': '{blocker}' is a file, not a folder."
    with pytest.raises(ChainruleError) as info:
        write_atomic(blocker / "x.md", "x")
    assert str(info.value) == f"Cannot write '{blocker / 'x.md'}': '{blocker}' is a file, not a folder."
