"""Session 5, finding 2: a SIGKILLed ``chainrule grade`` (or ``grade-all``) leaves none of
its temporary folders (the private copy of the submission, the run folder, the scratch of
grade-all, the expected values) behind: its janitor (``grader.janitor``) removes them."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.grader.test_sandbox_warm import _alive
from tests.security.conftest import make_submission

SLOW = """
    def sigmoid(x):
        import os
        with open("written-by-the-child", "w") as fh:
            fh.write(str(os.getpid()))
        while True:
            pass
    """


@pytest.fixture
def tmpdir_for_grader():
    """A TMPDIR for the grader run in the test (world-searchable, as /tmp: the sandbox uid
    must reach its run folder)."""
    folder = tempfile.mkdtemp(prefix="chainrule-test-tmp-")
    os.chmod(folder, 0o1777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# the grader believes it is not root (as the ``as_user`` fixture): no uid drop, so no
# other grader on this machine that takes the freed sandbox uid reaps the child for us
AS_USER = ("import os, sys; os.geteuid = lambda: 1000; from chainrule.cli import main; "
           "sys.argv[0] = 'chainrule'; main()")


def _sigkill_while_grading(tmp_path, tmpdir, args, started, extra_env=None, as_user=False):
    env = dict(os.environ, TMPDIR=tmpdir, **(extra_env or {}))
    command = ["-c", AS_USER] if as_user else ["-m", "chainrule.cli"]
    proc = subprocess.Popen([sys.executable, *command, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=str(tmp_path), start_new_session=True)
    try:
        assert _wait_for(lambda: started(tmpdir), 60), os.listdir(tmpdir)
        children = _child_pids(tmpdir)
        os.killpg(proc.pid, signal.SIGKILL)     # the grader and everything in its group
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _wait_for(lambda: not os.listdir(tmpdir), 10), os.listdir(tmpdir)
    assert children and _wait_for(lambda: not any(_alive(p) for p in children), 10), children


def _child_pids(tmpdir):
    found = []
    for root, _dirs, files in os.walk(tmpdir):
        if "written-by-the-child" in files:
            with open(os.path.join(root, "written-by-the-child")) as fh:
                text = fh.read()
            if text.isdigit():
                found.append(int(text))
    return found


def _child_wrote(tmpdir):
    return bool(_child_pids(tmpdir))


@pytest.mark.parametrize("start", ["warm", "fresh"])
def test_sigkill_of_grade_leaves_no_folder_and_no_process(tmp_path, tmpdir_for_grader, start):
    # a fresh child (not forked by the zygote) runs in a session of its own and would go
    # on looping after its grader was killed: the janitor kills it
    sub = make_submission(tmp_path / "sub", {"activations": SLOW})
    _sigkill_while_grading(tmp_path, tmpdir_for_grader,
                           ["grade", str(sub), "--only", "activations.sigmoid", "--timeout", "60"],
                           _child_wrote, {"CHAINRULE_NO_ZYGOTE": "1"} if start == "fresh" else None,
                           as_user=start == "fresh")


@pytest.mark.parametrize("seed", [[], ["--seed", "3"]], ids=["own seeds", "one seed: expected values recorded"])
def test_sigkill_of_grade_all_leaves_no_folder(tmp_path, tmpdir_for_grader, seed):
    subs = tmp_path / "class"
    for name in ("ann", "bob"):
        make_submission(subs / name / "exercises", {"activations": SLOW})
    _sigkill_while_grading(tmp_path, tmpdir_for_grader,
                           ["grade-all", str(subs), "--out", str(tmp_path / "out"), "--only",
                            "activations.sigmoid", "--timeout", "60", "--jobs", "2", *seed],
                           _child_wrote)
