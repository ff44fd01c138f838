"""Session 5, finding 4: what a submission writes is capped in total (``RUN_DISK_LIMIT``,
64 MB, and ``RUN_MAX_ENTRIES`` files and folders), not only per file (``FSIZE_LIMIT``).

The parent measures the child's run folder (kept from call to call) while it waits for a
reply and between calls, and files the child holds open after unlinking them; over the
limit it kills the child, removes its files and fails the submission: that function's
case with one sentence, and every later function with "not run: ...".
"""

import os
import shutil
import tempfile

import pytest

from grader.limits import MB, RUN_DISK_LIMIT
from tests.security.conftest import make_submission, message

FILL = """
    def sigmoid(x):
        block = b"x" * (1 << 20)
        for i in range(200):                # 200 MB in files of 4 MB (8 MB is the limit of one)
            with open(f"fill{i // 4}", "ab") as fh:
                fh.write(block)
        return 1 / (1 + np.exp(-x))
    """

HIDDEN = """
    def sigmoid(x):
        import os
        held = []
        block = b"x" * (1 << 20)
        for i in range(100):                # written, unlinked, kept open: no name to find
            fh = open(f"gone{i}", "wb")
            for _ in range(4):
                fh.write(block)
            fh.flush()
            os.unlink(f"gone{i}")
            held.append(fh)
        import time
        time.sleep(30)
    """

ORPHAN = """
    def sigmoid(x):
        import os, time
        if os.fork() == 0:                  # a double fork: the grandchild leaves the tree
            if os.fork() == 0:
                held = []
                block = b"x" * (1 << 20)
                for i in range(40):         # 160 MB written, unlinked, kept open
                    fh = open(f"orphan{i}", "wb")
                    for _ in range(4):
                        fh.write(block)
                    fh.flush()
                    os.unlink(f"orphan{i}")
                    held.append(fh)
                time.sleep(60)
            os._exit(0)
        time.sleep(8)                       # while the orphan writes and holds
        return 1 / (1 + np.exp(-x))
    """

MANY = """
    def sigmoid(x):
        for i in range(50000):
            open(f"e{i}", "w").close()
        return 1 / (1 + np.exp(-x))
    """

EACH_CALL = """
    def sigmoid(x):
        import os
        n = len(os.listdir("."))
        with open(f"call{n}", "wb") as fh:
            fh.write(b"x" * (1 << 20))
        return 1 / (1 + np.exp(-x))
    """


@pytest.fixture
def own_tmp(monkeypatch):
    """The grader's temporary folders in a folder of the test's (to see nothing is left)."""
    from grader import zygote

    zygote.get()        # the warm process, shared by the tests, keeps its folder where it is
    folder = tempfile.mkdtemp(prefix="chainrule-test-tmp-")
    os.chmod(folder, 0o1777)
    monkeypatch.setattr(tempfile, "tempdir", folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _left(folder):
    """What a grade left in ``folder`` (the warm process's own folder lives on)."""
    return [n for n in os.listdir(folder) if not n.startswith("chainrule-zygote-")]


def _grade(sub):
    from grader import grade_submission

    return grade_submission(str(sub), only=["activations.sigmoid", "activations.relu"], timeout=30)


def _assert_failed_over(result, what):
    first = message(result, "activations.sigmoid")
    assert (f"your code {what} (the limit for everything a submission writes while it is graded): the "
            "process was killed, its files were removed, and no more of the submission's code is run") in first, first
    later = message(result, "activations.relu")
    assert (f"not run: the submission {what} while activations.sigmoid was graded (the limit for everything a "
            "submission writes while it is graded), so no more of its code is run") in later, later
    assert not result.functions["activations.relu"].passed
    assert not result.functions["activations.sigmoid"].passed


def test_writing_past_64_mb_fails_the_submission_and_leaves_nothing(tmp_path, own_tmp):
    assert RUN_DISK_LIMIT == 64 * MB
    result = _grade(make_submission(tmp_path / "sub", {"activations": FILL}))
    _assert_failed_over(result, "wrote more than 64 MB of files")
    assert _left(own_tmp) == []


def test_as_user_too(tmp_path, own_tmp, as_user):
    result = _grade(make_submission(tmp_path / "sub", {"activations": FILL}))
    _assert_failed_over(result, "wrote more than 64 MB of files")
    assert _left(own_tmp) == []


def test_unlinked_files_held_open_count(tmp_path, own_tmp):
    result = _grade(make_submission(tmp_path / "sub", {"activations": HIDDEN}))
    _assert_failed_over(result, "wrote more than 64 MB of files")


def test_unlinked_files_held_by_an_orphan_count(tmp_path, own_tmp):
    """A process that forked twice is no longer below the child (the zygote or init adopts
    it); what it holds counts all the same (a review found 160 MB passing unseen)."""
    result = _grade(make_submission(tmp_path / "sub", {"activations": ORPHAN}))
    _assert_failed_over(result, "wrote more than 64 MB of files")


def test_unlinked_files_held_by_an_orphan_count_as_user(tmp_path, own_tmp, as_user):
    result = _grade(make_submission(tmp_path / "sub", {"activations": ORPHAN}))
    _assert_failed_over(result, "wrote more than 64 MB of files")


def test_too_many_files(tmp_path, own_tmp, monkeypatch):
    import grader.sandbox

    monkeypatch.setattr(grader.sandbox, "RUN_MAX_ENTRIES", 2000)
    result = _grade(make_submission(tmp_path / "sub", {"activations": MANY}))
    _assert_failed_over(result, "made more than 2000 files and folders")
    assert _left(own_tmp) == []


def test_small_writes_call_after_call_are_counted(tmp_path, own_tmp, monkeypatch):
    import grader.sandbox

    monkeypatch.setattr(grader.sandbox, "RUN_DISK_LIMIT", 3 * MB)
    result = _grade(make_submission(tmp_path / "sub", {"activations": EACH_CALL}))
    _assert_failed_over(result, "wrote more than 3 MB of files")


def test_a_submission_writing_within_the_limit_is_graded_as_usual(tmp_path, own_tmp):
    result = _grade(make_submission(tmp_path / "sub", {"activations": EACH_CALL}))
    assert result.functions["activations.sigmoid"].passed and result.functions["activations.relu"].passed


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_a_folder_made_unreadable_is_measured_all_the_same():
    """Not as root, a folder of mode 000 cannot be listed: the measure gives it 0700 back
    (the folder is the grader's own user's) and counts what it holds."""
    import subprocess
    import sys
    from pathlib import Path

    base = tempfile.mkdtemp(prefix="chainrule-test-tmp-")
    try:
        os.chmod(base, 0o755)
        run = Path(base, "run")
        (run / "hide").mkdir(parents=True)
        (run / "hide" / "data").write_bytes(b"x" * (3 * MB))
        for path in (run, run / "hide", run / "hide" / "data"):
            os.chown(path, 65534, 65534)
        os.chmod(run / "hide", 0)
        kit = str(Path(__file__).resolve().parents[2])
        code = (f"import sys; sys.path.insert(0, {kit!r}); from grader.sandbox import disk_used; "
                f"print(disk_used({str(run)!r}, 2 << 20, 100)[0] > 2 << 20, disk_used({str(run)!r}, 8 << 20, 100))")
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              "--inh-caps=-all", sys.executable, "-I", "-c", code],
                             capture_output=True, text=True, timeout=60)
        assert out.stdout.split()[0] == "True", out.stdout + out.stderr
        assert out.stdout.strip().endswith(", 2)"), out.stdout
    finally:
        shutil.rmtree(base, ignore_errors=True)
