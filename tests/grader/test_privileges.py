"""As root (as on Gradescope), the child runs student code as an unprivileged user.

It cannot read files only root may read, cannot signal the grader, cannot become root
again, sees a scrubbed environment, and still imports a submission that only root could
read (the grader gives it a private, readable copy). These tests need root.
"""

import os
import re
import textwrap

import pytest

from tests.grader.conftest import make_submission

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


def _message(result, qualname):
    return next(c for c in result.functions[qualname].cases if not c.passed).message


def test_privileges_submission_readable_only_by_root_is_still_graded(graded):
    assert graded.functions["layers.dense_forward"].passed
    assert graded.functions["training.minibatch_indices"].passed


def test_privileges_student_code_runs_as_nobody_without_groups(graded):
    message = _message(graded, "training.time_based_decay")
    assert "raised RuntimeError: ids 65534 65534 65534 65534 groups [] home=True env " in message


def test_privileges_child_environment_is_scrubbed(graded):
    message = _message(graded, "training.time_based_decay")
    env = re.search(r"env (\S+)", message).group(1).split(",")
    assert env == sorted(["CHAINRULE_GRADER_MARKER", "HOME", "LANG", "LC_ALL", "MKL_NUM_THREADS",
                          "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR"])


def test_privileges_root_only_file_fails_only_that_function(graded):
    assert "raised PermissionError: [Errno 13] Permission denied" in _message(
        graded, "training.iterations_per_epoch")
    assert graded.functions["training.early_stopping_epoch"].passed    # same folder, mode 0644


def test_privileges_killing_the_grader_is_refused(graded):
    assert "raised PermissionError: [Errno 1] Operation not permitted" in _message(graded, "training.log_uniform")
    assert graded.functions["training.train_val_test_split"].passed   # graded after it


def test_privileges_cannot_become_root_again(graded):
    assert "raised PermissionError: [Errno 1] Operation not permitted" in _message(
        graded, "training.gradient_descent_quadratic")
