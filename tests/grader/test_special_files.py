"""A FIFO or a device file in a class's submissions never stops grade-all (session 9's attack:
the content hash opened every file, so one FIFO blocked the whole class forever with no
output, and /dev/zero's copy kept it reading). Each such entry gets its row and its reason."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.grader.conftest import make_submission

ROOT = Path(__file__).resolve().parents[2]


def _grade_all(subs, out, *extra):
    """grade-all in a process of its own, with a deadline: a hang fails the test, never the suite."""
    return subprocess.run([sys.executable, "-m", "chainrule", "grade-all", str(subs), "--out", str(out),
                           "--only", "activations.sigmoid", "--jobs", "1", *extra],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def _rows(out):
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_anywhere_in_a_submission_do_not_block_the_class(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "good")
    make_submission(subs / "piped_module")
    os.unlink(subs / "piped_module" / "losses.py")
    os.mkfifo(subs / "piped_module" / "losses.py")
    make_submission(subs / "piped_extra")
    os.mkfifo(subs / "piped_extra" / "pipe.py")
    (subs / "piped_nb").mkdir()
    os.mkfifo(subs / "piped_nb" / "activations.ipynb")
    os.mkfifo(subs / "piped.zip")     # not a zip file: not an entry (as any other file at the top)
    done = _grade_all(subs, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(tmp_path / "out")
    assert set(rows) == {"good", "piped_module", "piped_extra", "piped_nb"}
    assert rows["good"]["percent"] == "100.00"
    for sid in ("piped_module", "piped_extra", "piped_nb"):
        assert rows[sid]["percent"] == "0.00", (sid, rows[sid])
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "FIFO" in summary or "not a regular file" in summary, summary
    # the notebook that is a FIFO is named as such, not "no notebook of a contract module"
    assert "piped\\_nb/activations.ipynb' is not a file (a FIFO or a device)" in summary, summary


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device file needs root")
def test_a_device_file_is_not_read_forever(tmp_path):
    subs = tmp_path / "subs"
    make_submission(subs / "dev")
    try:
        os.mknod(subs / "dev" / "zero.py", 0o644 | 0o020000, os.makedev(1, 5))     # /dev/zero
    except OSError as exc:
        pytest.skip(f"cannot make a device file here: {exc}")
    done = _grade_all(subs, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _rows(tmp_path / "out")["dev"]["percent"] == "0.00"


def _statuses(out):
    import json

    return {r["id"]: r["status"] for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_what_is_never_graded_is_the_submissions_fault_not_a_grader_failure(tmp_path):
    """Session 9's attack: a hard link (as root) or a FIFO in a submission was "grading failed"
    (status error, graded again by every rerun), not "not gradable"."""
    subs = tmp_path / "subs"
    make_submission(subs / "piped")
    os.mkfifo(subs / "piped" / "pipe.py")
    if os.geteuid() == 0:
        make_submission(subs / "linked")
        (tmp_path / "outside.py").write_text("x = 1\n")
        os.link(tmp_path / "outside.py", subs / "linked" / "extra.py")
    done = _grade_all(subs, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = _statuses(tmp_path / "out")
    assert set(statuses.values()) == {"ungradable"}, statuses
    assert "piped: nothing to grade: " in done.stderr + done.stdout
