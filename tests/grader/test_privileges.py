"""As root (as on Gradescope), the child runs student code as a dedicated unprivileged uid.

It cannot read files only root may read, cannot signal the grader, cannot become root
again, sees a scrubbed environment, and still imports a submission that only root could
read (the grader gives it a private, readable copy). These tests need root.
"""

import os
import re
import textwrap

import pytest

from tests.grader.conftest import make_submission, message as _message

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the grader drops privileges only as root")

PROBES = """
    def time_based_decay(lr0, decay, iteration):
        import os
        env = ",".join(sorted(os.environ))
        raise RuntimeError(f"ids {os.getuid()} {os.geteuid()} {os.getgid()} {os.getegid()} "
                           f"groups {os.getgroups()} home={os.environ.get('HOME') == os.getcwd()} env {env}")

    _reference_iterations, _reference_stopping = iterations_per_epoch, early_stopping_epoch

    def iterations_per_epoch(*args, **kwargs):
        with open(SECRET) as fh:
            fh.read()
        return _reference_iterations(*args, **kwargs)

    def early_stopping_epoch(*args, **kwargs):
        with open(PUBLIC) as fh:
            fh.read()
        return _reference_stopping(*args, **kwargs)

    def log_uniform(low, high, size, rng):
        import os
        os.kill(os.getppid(), 9)
        return np.exp(rng.uniform(np.log(low), np.log(high), size))

    def gradient_descent_quadratic(a, b, x0, lr, steps):
        import os
        os.setuid(0)
        return 0.0
    """


@pytest.fixture(scope="module")
def graded(tmp_path_factory, open_dir_module):
    from grader import grade_submission

    secret_dir = open_dir_module / "solutions"
    secret_dir.mkdir()
    os.chmod(secret_dir, 0o755)
    secret = secret_dir / "answers.py"
    secret.write_text("ANSWER = 42\n")
    os.chmod(secret, 0o600)
    public = secret_dir / "README"
    public.write_text("hello\n")
    os.chmod(public, 0o644)
    code = f"SECRET = {str(secret)!r}\nPUBLIC = {str(public)!r}\n" + textwrap.dedent(PROBES)
    sub = make_submission(tmp_path_factory.mktemp("priv") / "exercises", {"training": code})
    os.chmod(sub, 0o700)                    # only root may read the submission itself
    for path in sub.glob("*.py"):
        os.chmod(path, 0o600)
    return grade_submission(str(sub), only=["training", "layers.dense_forward"], timeout=3.0)


def test_privileges_submission_readable_only_by_root_is_still_graded(graded):
    assert graded.functions["layers.dense_forward"].passed
    assert graded.functions["training.minibatch_indices"].passed


def test_privileges_student_code_runs_as_a_dedicated_uid_without_groups(graded):
    from grader.privileges import SANDBOX_IDS

    message = _message(graded, "training.time_based_decay")
    ids = re.search(r"raised RuntimeError: ids (\d+) (\d+) (\d+) (\d+) groups \[\] home=True env ", message)
    assert ids, message
    assert len(set(ids.groups())) == 1 and int(ids.group(1)) in SANDBOX_IDS


def test_privileges_sandbox_uid_is_nobody_elses(graded):
    import pwd

    from grader.privileges import _uid_processes, sandbox_ids

    uid, gid, lock = sandbox_ids()
    try:
        assert uid == gid
        with pytest.raises(KeyError):
            pwd.getpwuid(uid)
        assert _uid_processes(uid) == []
    finally:
        lock.close()


def test_privileges_two_graders_at_once_never_share_a_uid(tmp_path):
    """A class graded in parallel: each sandbox holds its uid, so no reaping crosses over."""
    from grader.sandbox import Sandbox

    first, second = Sandbox(str(tmp_path)), Sandbox(str(tmp_path))
    assert first.ids != second.ids


DAEMON = """
    def relu(x):
        import os, time
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.environ.clear()      # no marker left in what it would exec (Landlock lets it exec nothing)
                print("PID", os.getpid(), "UID", os.getuid(), flush=True)
                os.write(w, b"x")
                time.sleep(300)
            os._exit(0)
        os.read(r, 1)
        return np.maximum(x, 0.0)
    """


def test_privileges_daemon_that_left_the_tree_and_its_environment_is_killed(tmp_path, open_dir):
    from grader import grade_submission
    from grader.privileges import SANDBOX_IDS, _uid_processes

    sub = make_submission(tmp_path / "sub", {"activations": textwrap.dedent(DAEMON)})
    result = grade_submission(str(sub), only=["activations.relu"], timeout=3.0)
    assert result.functions["activations.relu"].passed
    pid, uid = map(int, re.search(r"PID (\d+) UID (\d+)", result.functions["activations.relu"].output).groups())
    try:
        with open(f"/proc/{pid}/status") as fh:
            state = re.search(r"State:\s+(\S)", fh.read()).group(1)
    except FileNotFoundError:
        state = "gone"
    if state not in ("gone", "Z", "X"):
        os.kill(pid, 9)
        pytest.fail(f"the daemon {pid} outlived the grader")
    # only this run's uid: other graders on the machine may be using the others right now
    assert uid in SANDBOX_IDS and _uid_processes(uid) == []


def test_privileges_child_environment_is_scrubbed(graded):
    message = _message(graded, "training.time_based_decay")
    env = re.search(r"env (\S+)", message).group(1).split(",")
    assert env == sorted(["CHAINRULE_GRADER_MARKER", "HOME", "LANG", "LC_ALL", "MKL_NUM_THREADS",
                          "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR"])


def test_privileges_root_only_file_fails_only_that_function(graded):
    assert "raised PermissionError: [Errno 13] Permission denied" in _message(
        graded, "training.iterations_per_epoch")
    # a world-readable file outside the submission: Landlock refuses it too, where present
    from grader import landlock

    if landlock.abi() > 0:
        assert "raised PermissionError: [Errno 13] Permission denied" in _message(
            graded, "training.early_stopping_epoch")
    else:
        assert graded.functions["training.early_stopping_epoch"].passed    # same folder, mode 0644


def test_privileges_killing_the_grader_is_refused(graded):
    assert "raised PermissionError: [Errno 1] Operation not permitted" in _message(graded, "training.log_uniform")
    assert graded.functions["training.train_val_test_split"].passed   # graded after it


def test_privileges_cannot_become_root_again(graded):
    assert "raised PermissionError: [Errno 1] Operation not permitted" in _message(
        graded, "training.gradient_descent_quadratic")


FORK_BOMB = """
    def relu(x):
        import os, time
        forked = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                forked += 1
        except OSError as exc:
            raise RuntimeError(f"forked {forked}, then {type(exc).__name__} as uid {os.getuid()}")
        return np.maximum(x, 0.0)
    """


def test_privileges_processes_of_the_sandbox_uid_are_limited_and_reaped(tmp_path):
    from grader import grade_submission
    from grader.limits import NPROC_LIMIT
    from grader.privileges import SANDBOX_IDS, _uid_processes

    sub = make_submission(tmp_path / "sub", {"activations": FORK_BOMB})
    result = grade_submission(str(sub), only=["activations.relu"], timeout=3.0)
    message = _message(result, "activations.relu")
    forked, uid = map(int, re.search(r"raised RuntimeError: forked (\d+), then BlockingIOError as uid (\d+)",
                                     message).groups())
    assert forked < NPROC_LIMIT
    assert uid in SANDBOX_IDS and _uid_processes(uid) == []    # this run's uid (others may be in use)
