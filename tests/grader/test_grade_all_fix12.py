"""Session 12's trial of grade-all and grade: the Ctrl-C advice after --force, --require-isolation
and the exposed reference in grade-all, and a zip given to chainrule grade."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.grader.test_grade_all import ACT, _hanging_class, read_csv


# --------------------------------------------------------------------------- Ctrl-C after --force
def test_ctrl_c_of_a_forced_run_says_to_run_it_again_without_force_and_that_finishes(tmp_path):
    """"run the same command again" reran it with --force, which threw the saved results away
    (the trial's second Ctrl-C said "9 of 26" after "15 of 26")."""
    out, command = _hanging_class(tmp_path, "forced_h", 3, ("relu", "tanh"))
    (out / "stale").mkdir(parents=True)         # a folder --force is needed for
    proc = subprocess.Popen(command + ["--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    first = proc.stderr.readline()
    assert first.startswith("[1/3] forced_h"), first
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    saved = len((out / "results.jsonl").read_text().splitlines())
    assert 1 <= saved < 3
    assert (f"Interrupted: {saved} of 3 submissions are graded and saved in {out / 'results.jsonl'}; "
            "run it again without --force to grade the rest (with --force it starts over).") in stderr, stderr
    assert "run the same command again" not in stderr
    # what it says to do keeps what was saved
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{saved} of 3 submissions already graded in {out}; grading the other {3 - saved}." in proc.stderr
    _, rows = read_csv(out / "grades.csv")
    assert len(rows) == 3 and {float(r[-2]) for r in rows.values()} == {ACT - 2}
