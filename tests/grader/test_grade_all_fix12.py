"""Session 12's trial of grade-all and grade: the Ctrl-C advice after --force, --require-isolation
and the exposed reference in grade-all, and a zip given to chainrule grade."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.grader.test_grade_all import ACT, ONLY, _hanging_class, read_csv, run


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


# --------------------------------------------------------------------------- the reference exposed
# This machine has Landlock, so the reference is never readable here: its check is replaced by one
# that says what it says on a machine without (grader.privileges.reference_exposure's own words).
EXPOSED = ("The reference at /srv/kit/solutions is readable by submissions: they run as your own user and "
           "Landlock is unavailable (kernel too old); grade as root or on a kernel with Landlock.")


def _exposed(monkeypatch):
    from grader import privileges

    calls = []

    def exposure(folder=None, ids=None, confinement=None):
        calls.append(folder)
        return EXPOSED
    monkeypatch.setattr(privileges, "reference_exposure", exposure)
    return calls


def _small_class(root):
    from tests.grader.conftest import make_submission

    subs = root / "subs"
    make_submission(subs / "ann")
    make_submission(subs / "ben")
    return subs


def test_grade_all_has_require_isolation_and_refuses_the_whole_class_before_anything_runs(tmp_path, monkeypatch):
    subs = _small_class(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)     # protected: graded
    assert code == 0, stderr
    assert "WARNING" not in stderr and "WARNING" not in (out / "summary.md").read_text()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    calls = _exposed(monkeypatch)
    for extra in ((), ("--force",)):        # --force must not empty the folder of a refused run either
        code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY, "--require-isolation", *extra)
        assert code == 1, stderr
        assert stderr == f"Error: {EXPOSED} Not grading any submission (--require-isolation).\n"
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert calls        # the check grade uses was asked
    fresh = tmp_path / "fresh"
    code, stdout, stderr = run("grade-all", subs, "--out", fresh, "-j", "1", *ONLY, "--require-isolation")
    assert code == 1 and not fresh.exists()
    # --merge grades nothing: the option belongs to the runs of the shards
    code, stdout, stderr = run("grade-all", "--merge", out, "--out", tmp_path / "m", "--require-isolation")
    assert code == 2 and "--require-isolation cannot be used with --merge" in stderr


def test_grade_all_says_once_and_in_both_summaries_that_the_reference_was_readable(tmp_path, monkeypatch):
    subs = _small_class(tmp_path)
    out = tmp_path / "out"
    _exposed(monkeypatch)
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    assert stderr.count("WARNING") == 1 and stderr.count(EXPOSED) == 1 and "WARNING" not in stdout
    assert stderr.startswith(f"WARNING: {EXPOSED} Grading anyway (--require-isolation refuses instead); "
                             "summary.md says so too.\n"), stderr
    summary = (out / "summary.md").read_text()
    assert summary.splitlines()[2] == ("**WARNING: student code could read the reference while this class was "
                                       f"graded.** {EXPOSED}")
    assert summary.count("WARNING") == 1
    html = (out / "summary.html").read_text()
    assert ("<p class=warning><strong>WARNING: student code could read the reference while this class was graded."
            f"</strong> {EXPOSED}</p>") in html
    _, rows = read_csv(out / "grades.csv")
    assert set(rows) == {"ann", "ben"}          # graded all the same
    # a resume where the reference is protected keeps the records of the exposed run, and the warning
    monkeypatch.undo()
    (subs / "ann" / "activations.py").write_text((subs / "ann" / "activations.py").read_text() + "\n# edited\n")
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY)
    assert code == 0, stderr
    assert "1 of 2 submissions already graded" in stderr and "WARNING" not in stderr
    assert EXPOSED in (out / "summary.md").read_text() and EXPOSED in (out / "summary.html").read_text()
    # started over where it is protected: nothing to warn about
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY, "--force")
    assert code == 0, stderr
    assert "WARNING" not in (out / "summary.md").read_text() + (out / "summary.html").read_text()


def test_a_merge_says_the_reference_was_readable_when_a_shard_says_so(tmp_path, monkeypatch):
    subs = _small_class(tmp_path)
    shards = [tmp_path / "s1", tmp_path / "s2"]
    code, _, stderr = run("grade-all", subs, "--out", shards[0], "--shard", "1/2", "-j", "1", *ONLY)
    assert code == 0, stderr
    _exposed(monkeypatch)
    code, _, stderr = run("grade-all", subs, "--out", shards[1], "--shard", "2/2", "-j", "1", *ONLY)
    assert code == 0, stderr
    monkeypatch.undo()
    code, stdout, stderr = run("grade-all", "--merge", *shards, "--out", tmp_path / "class")
    assert code == 0, stderr
    assert EXPOSED in (tmp_path / "class" / "summary.md").read_text()


def test_require_isolation_reaches_each_grade_of_the_class(tmp_path, monkeypatch):
    """Each submission's own grade checks its child as chainrule grade --require-isolation does
    (a child whose Landlock failed would be refused even where the machine has it)."""
    from grader import batch, engine

    subs = _small_class(tmp_path)
    monkeypatch.setattr(batch, "reference_exposure", lambda recorded=None: None)      # the machine: fine
    monkeypatch.setattr(engine, "reference_exposure", lambda folder=None, ids=None, confinement=None: EXPOSED)
    out = tmp_path / "out"
    code, stdout, stderr = run("grade-all", subs, "--out", out, "-j", "1", *ONLY, "--require-isolation")
    # the grader graded no one (refused, for a reason of the grader's): a failed run, not a class of zeros
    assert code == 1, stderr
    assert "2 the grader failed on" in stdout and "Error: The grader failed on 2 submissions" in stderr
    summary = (out / "summary.md").read_text()
    for ident in ("ann", "ben"):
        assert f"- {ident}: {EXPOSED} Not grading (--require-isolation)" in summary, summary


# --------------------------------------------------------------------------- chainrule grade SUB.zip
WRONG_TANH = """
    def tanh(x):
        raise ValueError("tanh is not done yet")
    """


def test_grade_grades_a_zip_as_grade_all_does_and_its_commands_grade_the_zip(tmp_path, monkeypatch):
    """grade-all's reports name 's13.zip/chainrule-student-main/exercises' and tell to rerun with
    chainrule grade; it said "is not a folder, an exercise module or a notebook" (exit 2)."""
    import re

    from grader import batch
    from tests.grader.conftest import make_submission
    from tests.grader.test_grade_all import zip_folder

    repo = tmp_path / "unzipped" / "repo-main"
    make_submission(repo / "exercises", {"activations": WRONG_TANH})
    (repo / "README.md").write_text("mine\n")
    archive = tmp_path / "s13.zip"
    zip_folder(tmp_path / "unzipped", archive)
    unpacked = []
    enter = batch.unpacked_zip.__enter__

    def noted(self):
        found = enter(self)
        unpacked.append((self.scratch, found))
        return found
    monkeypatch.setattr(batch.unpacked_zip, "__enter__", noted)
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run("grade", "s13.zip", "--only", "activations")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert re.fullmatch(r"chainrule grade: s13\.zip/repo-main/exercises \(seed (\d+), expected values from live "
                        r"solutions\)", lines[0]), lines[0]
    assert f"Total: {ACT - 1:g} / {ACT:g} points" in stdout, stdout          # tanh, 1 point, raises
    assert "Rerun case 1: chainrule grade s13.zip --only activations.tanh --case 1 --seed " in stdout, stdout
    [(scratch, (folder, inner))] = unpacked
    assert inner == "repo-main/exercises" and folder.startswith(scratch)
    assert "chainrule-zip" not in stdout + stderr and scratch not in stdout
    assert not os.path.exists(scratch)          # the unpacked copy is gone
    # the same seed and the same report as the folder it holds, but for the names
    code, folder_out, stderr = run("grade", "unzipped/repo-main", "--only", "activations")
    assert code == 0, stderr
    as_the_zip = folder_out.replace("chainrule grade unzipped/repo-main/exercises ", "chainrule grade s13.zip ")
    assert stdout == as_the_zip.replace("unzipped/repo-main/exercises", "s13.zip/repo-main/exercises")
    # its rerun command runs
    rerun = re.search(r"Rerun case 1: chainrule grade (.*)", stdout).group(1).split()
    code, again, stderr = run("grade", *rerun)
    # one case (--case): its verdict, no points (not a grade)
    assert code == 0 and "activations.tanh: case 1 of " in again and " fails (only this case was run)" in again, again
    assert "Total:" not in again, again


def test_grade_refuses_a_zip_it_cannot_grade_in_one_sentence(tmp_path, monkeypatch):
    import zipfile

    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("notes/readme.txt", "no code here\n")
    with zipfile.ZipFile(tmp_path / "out.zip", "w") as archive:
        archive.writestr("../evil/activations.py", "x = 1\n")
    for name, why in (("broken.zip", "not a readable zip file"), ("empty.zip", ""),
                      ("out.zip", "the zip member '../evil/activations.py' points outside the folder")):
        code, stdout, stderr = run("grade", name)
        # a submission that is not what it should be: a bad invocation (README), as a missing one
        assert code == 2, (name, stderr)
        last = stderr.rstrip("\n").splitlines()[-1]
        assert last.startswith(f"Error: Cannot grade the zip '{name}': {why}"), stderr
        assert stderr.startswith("Error: ") and "Usage:" not in stderr       # the reason alone
        assert last.endswith(".") and "Traceback" not in stderr
    assert not (tmp_path / "evil").exists()
