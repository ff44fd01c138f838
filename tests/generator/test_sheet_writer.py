"""The class's file writer (generator.worksheets._Writer): what write_atomic gives, with
fewer system calls; anything unusual through write_atomic itself."""

import os
import stat

import pytest

from chainrule_core.errors import ChainruleError
from chainrule_core.fileio import write_atomic
from generator.worksheets import _Writer


def test_writer_writes_what_write_atomic_writes(tmp_path):
    old = os.umask(0o027)
    try:
        write = _Writer(tmp_path / "fast")
        write("students/s1/worksheet.md", "héllo\n")
        write("students/s1/figures/p1.svg", b"<svg/>")
        write("students/s1/worksheet.md", "again\n")  # over an existing file
        write_atomic(tmp_path / "slow" / "students" / "s1" / "worksheet.md", "again\n")
    finally:
        os.umask(old)
    fast = tmp_path / "fast" / "students" / "s1" / "worksheet.md"
    slow = tmp_path / "slow" / "students" / "s1" / "worksheet.md"
    assert fast.read_bytes() == slow.read_bytes() == b"again\n"
    assert stat.S_IMODE(fast.stat().st_mode) == stat.S_IMODE(slow.stat().st_mode) == 0o640
    assert (tmp_path / "fast" / "students" / "s1" / "figures" / "p1.svg").read_bytes() == b"<svg/>"
    # no temporary file left behind
    assert sorted(p.name for p in (tmp_path / "fast").rglob("*")) == ["figures", "p1.svg", "s1", "students",
                                                                      "worksheet.md"]


def test_writer_with_a_leftover_temporary_file_still_writes(tmp_path):
    write = _Writer(tmp_path)
    folder = tmp_path / "keys" / "s1"
    folder.mkdir(parents=True)
    leftover = folder / (".key.md" + write.suffix)  # a run killed with this process id
    leftover.write_text("stale")
    write("keys/s1/key.md", "fresh")
    assert (folder / "key.md").read_text() == "fresh"
    assert leftover.read_text() == "stale"  # not ours to remove


def test_writer_failure_is_write_atomics_message(tmp_path):
    (tmp_path / "students").write_text("a file where a folder should be")
    with pytest.raises(ChainruleError) as fast:
        _Writer(tmp_path)("students/s1/worksheet.md", "x")
    with pytest.raises(ChainruleError) as slow:
        write_atomic(tmp_path / "students" / "s1" / "worksheet.md", "x")
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith(f"Cannot write '{tmp_path / 'students' / 's1' / 'worksheet.md'}': ")


def test_writer_leaves_no_temporary_file_when_the_replace_fails(tmp_path):
    folder = tmp_path / "students" / "s1"
    (folder / "worksheet.md").mkdir(parents=True)     # a folder where the file should go
    with pytest.raises(ChainruleError):
        _Writer(tmp_path)("students/s1/worksheet.md", "x")
    assert sorted(p.name for p in folder.iterdir()) == ["worksheet.md"]
