"""Each finding of issue 15 as a regression test (each fails on the grader before it).

Findings 1-4 need root (the kit protected by modes, the uid drop); 5-8 and 10 hold for any
grader. Finding 9 (student text in reports) belongs to the reports' own tests.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.security.conftest import (LANDLOCK, ROOT_ONLY, SOLUTIONS, make_submission, message)

ROOT = SOLUTIONS.parent
CHAINRULE = [sys.executable, "-m", "chainrule"]


# ---------------------------------------------------------------- 1. descriptors lead back out
@ROOT_ONLY
@LANDLOCK
def test_finding1_directory_descriptors_do_not_lead_to_the_installed_reference(tmp_path, installed_reference):
    from grader import grade_submission
    from grader.oracle import LiveOracle

    name, folder = installed_reference
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        def relu(x):
            import os
            found = []
            for fd in range(3, 64):
                for up in range(1, 8):
                    path = f"/proc/self/fd/{{fd}}/" + "../" * up + "{name}/activations.py"
                    try:
                        with open(path) as fh:
                            found.append(fh.read(40))
                    except OSError:
                        pass
            if found:
                raise RuntimeError("READ THE REFERENCE " + repr(found[0]))
            return np.maximum(x, 0.0)
        """})
    result = grade_submission(str(sub), only=["activations.relu"], oracle=LiveOracle(name))
    assert result.functions["activations.relu"].passed, message(result, "activations.relu")


# ---------------------------------------------------------------- 2. recordings
def test_finding2_recordings_are_written_0600(tmp_path):
    from grader import record

    path = tmp_path / "rec.npz"
    record(path, only=["activations.relu"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@ROOT_ONLY
@LANDLOCK
def test_finding2_neither_the_parents_command_line_nor_the_recording_can_be_read(tmp_path):
    from grader import record

    recording = tmp_path / "rec.npz"
    record(recording, only=["activations.relu"])
    os.chmod(recording, 0o644)          # even a careless mode: Landlock refuses it
    os.chmod(tmp_path, 0o755)
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        def relu(x):
            import os
            got = []
            for path in (f"/proc/{{os.getppid()}}/cmdline", {str(recording)!r}):
                try:
                    with open(path, "rb") as fh:
                        got.append(path + "=" + repr(fh.read(30)))
                except OSError as exc:
                    got.append(path + ":" + type(exc).__name__)
            raise RuntimeError(" | ".join(got))
        """})
    out = subprocess.run(CHAINRULE + ["grade", str(sub), "--only", "activations.relu", "--recorded",
                                      str(recording), "--format", "json"],
                         capture_output=True, text=True, cwd=str(tmp_path), timeout=120)
    text = json.loads(out.stdout)["functions"][0]["cases"][0]["message"]
    assert "cmdline:PermissionError" in text
    assert f"{recording}:PermissionError" in text


# ---------------------------------------------------------------- 3. PYTHONPYCACHEPREFIX
def test_finding3_the_reference_is_never_compiled_to_a_cache_prefix(tmp_path, installed_reference, monkeypatch):
    from grader import grade_submission
    from grader.oracle import LiveOracle

    name, folder = installed_reference
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    result = grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=LiveOracle(name))
    assert result.functions["activations.relu"].passed
    written = [os.path.join(r, f) for r, _, fs in os.walk(tmp_path) for f in fs]
    assert written == []
    assert not os.path.exists(os.path.join(folder, "__pycache__"))
    assert sys.pycache_prefix == str(prefix)        # restored


# ---------------------------------------------------------------- 4. the private copy, /tmp
@ROOT_ONLY
def test_finding4_the_private_copy_is_readable_by_the_sandbox_uid_only(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import os
            here = os.path.dirname(os.path.realpath(__file__))
            f, d = os.stat(os.path.realpath(__file__)), os.stat(here)
            raise RuntimeError(f"file {f.st_mode & 0o777:o} {f.st_uid} dir {d.st_mode & 0o777:o} {d.st_uid} "
                               f"me {os.getuid()}")
        """})
    result = grade_submission(str(sub), only=["activations.relu"])
    text = message(result, "activations.relu")
    uid = int(text.split(" me ")[1].split()[0])
    assert f"file 600 {uid} dir 700 {uid} me {uid}" in text
    assert uid != 0


@ROOT_ONLY
@pytest.mark.parametrize("landlocked", [True, False], ids=["landlock", "no-landlock"])
def test_finding4_nothing_the_sandbox_uid_writes_outside_stays(tmp_path, landlocked, request):
    from grader import grade_submission, landlock

    if landlocked and landlock.abi() < 1:
        pytest.skip("no Landlock")
    if not landlocked:
        request.getfixturevalue("no_landlock")
    token = os.urandom(6).hex()
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        def relu(x):
            import os
            for folder in ("/tmp", "/var/tmp", "/dev/shm"):
                try:
                    with open(os.path.join(folder, "note-{token}"), "w") as fh:
                        fh.write("for the next student")
                    os.mkdir(os.path.join(folder, "dir-{token}"))
                except OSError:
                    pass
            return np.maximum(x, 0.0)
        """})
    result = grade_submission(str(sub), only=["activations.relu"])
    assert result.functions["activations.relu"].passed
    left = [os.path.join(f, n) for f in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(f)
            for n in os.listdir(f) if token in n]
    assert left == []
    assert ("landlock ABI" in result.confinement) is landlocked


# ---------------------------------------------------------------- 5. feedback harvesting
def test_finding5_the_cases_follow_the_submissions_content(tmp_path):
    from grader import grade_submission, submission_seed
    from grader.limits import DEFAULT_SEED

    first = make_submission(tmp_path / "a")
    second = make_submission(tmp_path / "b", {"activations": "# a lookup table would go here\n"})
    copy = make_submission(tmp_path / "c")
    r1 = grade_submission(str(first), only=["activations.relu"])
    r2 = grade_submission(str(second), only=["activations.relu"])
    assert r1.seed == submission_seed(first) == submission_seed(copy)   # reproducible, anywhere
    assert r2.seed == submission_seed(second) != r1.seed
    assert DEFAULT_SEED not in (r1.seed, r2.seed)
    assert r1.passed and r2.passed
    assert submission_seed(first, secret=b"course key") != r1.seed
    assert grade_submission(str(first), only=["activations.relu"], seed=7).seed == 7


def test_finding5_a_lookup_table_of_shown_values_no_longer_scores(tmp_path):
    """The attack: copy the expected values a report showed for the fixed seed, resubmit."""
    from grader import grade_submission
    from grader.limits import DEFAULT_SEED
    from grader.oracle import LiveOracle
    from grader.specs import cases_for

    oracle = LiveOracle()
    table = {}
    for case in cases_for("activations.softplus", DEFAULT_SEED):
        for call, expected in zip(case.calls, oracle.expected(case, DEFAULT_SEED)):
            x = np.asarray(call.args[0])
            table[x.tobytes().hex()] = np.asarray(expected.value).tolist()
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        TABLE = {table!r}

        def softplus(x):
            x = np.asarray(x)
            return np.asarray(TABLE.get(x.tobytes().hex(), 0.0), dtype=x.dtype)
        """})
    harvested = grade_submission(str(sub), only=["activations.softplus"], seed=DEFAULT_SEED)
    assert harvested.functions["activations.softplus"].passed      # the old default seed
    graded = grade_submission(str(sub), only=["activations.softplus"])
    assert not graded.functions["activations.softplus"].passed      # its own seed


def test_finding5_a_recording_keeps_its_seeds(tmp_path):
    from grader import grade_submission, record

    recording = tmp_path / "rec.npz"
    record(recording, seeds=(11,), only=["activations.relu"])
    result = grade_submission(str(SOLUTIONS), only=["activations.relu"], oracle=str(recording))
    assert result.seed == 11 and result.passed


def test_finding5_the_secret_file_changes_the_seed_and_the_report_prints_it(tmp_path):
    from grader import submission_seed

    secret = tmp_path / "secret"
    secret.write_text("course-2026-key-of-ours\n")
    sub = make_submission(tmp_path / "sub")
    out = subprocess.run(CHAINRULE + ["grade", str(sub), "--only", "activations.relu", "--secret-file",
                                      str(secret)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"(seed {submission_seed(sub, b'course-2026-key-of-ours')}," in out.stdout.splitlines()[0]
    empty = tmp_path / "empty"
    empty.write_text("\n")
    bad = subprocess.run(CHAINRULE + ["grade", str(sub), "--secret-file", str(empty)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert f"Secret file '{empty}' holds 0 bytes; a course secret needs at least 16 random bytes" in bad.stderr


# ---------------------------------------------------------------- 6. python -m chainrule in a student's folder
def test_finding6_python_m_chainrule_imports_nothing_from_the_current_folder(tmp_path):
    sub = make_submission(tmp_path / "exercises")
    marker = tmp_path / "imported"
    for shadow in ("click.py", "numpy.py", "grader.py"):
        (tmp_path / shadow).write_text(f"open({str(marker)!r}, 'a').write({shadow!r})\nraise SystemExit(3)\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "__init__.py").write_text(f"open({str(marker)!r}, 'a').write('solutions')\n")
    env = dict(os.environ, PYTHONPATH="")
    out = subprocess.run(CHAINRULE + ["grade", "--only", "activations.relu"], capture_output=True, text=True,
                         cwd=str(tmp_path), env=env, timeout=120)
    assert not marker.exists(), marker.read_text()
    assert out.returncode == 0, out.stderr
    assert "1 / 1 point" in out.stdout
    assert sub.exists()


# ---------------------------------------------------------------- 7. a non-root grader keeps its files
@LANDLOCK
def test_finding7_with_landlock_the_child_cannot_write_the_installed_kit(tmp_path, as_user):
    import grader
    from grader import grade_submission

    target = os.path.join(os.path.dirname(grader.__file__), "limits.py")
    before = open(target).read()
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        def relu(x):
            with open({target!r}, "a") as fh:
                fh.write("\\nprint('owned')\\n")
            return np.maximum(x, 0.0)
        """})
    result = grade_submission(str(sub), only=["activations.relu"])
    assert open(target).read() == before
    assert "raised PermissionError: [Errno 13] Permission denied" in message(result, "activations.relu")
    assert result.confinement.startswith("sandbox: your own user · landlock ABI ")


def test_finding7_without_landlock_a_changed_kit_stops_the_grader(tmp_path, as_user, no_landlock, monkeypatch):
    import grader.engine
    from chainrule_core.errors import ChainruleError
    from grader import grade_submission

    kit = tmp_path / "kit"      # a stand-in for the installed grader: the child runs unconfined here
    kit.mkdir()
    (kit / "module.py").write_text("X = 1\n")
    monkeypatch.setattr(grader.engine, "kit_folders", lambda: [str(kit)])
    sub = make_submission(tmp_path / "sub", {"activations": f"""
        def relu(x):
            with open({str(kit / 'module.py')!r}, "a") as fh:
                fh.write("print('owned')\\n")
            return np.maximum(x, 0.0)
        """})
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(sub), only=["activations.relu"])
    assert str(info.value).startswith(f"The grader's own files changed while {sub} was graded ({kit / 'module.py'}): "
                                      "the submission may have rewritten the grader. Reinstall chainrule")


# ---------------------------------------------------------------- 8. the parent never waits unbounded
def test_finding8_a_request_the_child_does_not_read_times_out(tmp_path):
    from grader.sandbox import Sandbox

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import time
            time.sleep(60)
        """})
    box = Sandbox(str(sub))
    old = signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(AssertionError("hung")))
    signal.alarm(30)
    try:
        box.start()
        assert box.import_module("activations", 10) is None
        box.submit("activations", "relu", [np.zeros(3)], timeout=2)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            box.submit("activations", "relu", [np.zeros(4_000_000)], timeout=1.0)   # 32 MB, never read
        assert time.monotonic() - start < 5
        assert not box.alive()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        box.stop()


def test_finding8_a_forged_huge_reply_is_refused_after_its_nonce(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import __main__, os, struct
            os.write(__main__.RESP_FD, struct.pack(">Q", 200 << 20) + b"f" * 16 + b"x" * 65536)
            return np.maximum(x, 0.0)
        """})
    result = grade_submission(str(sub), only=["activations.relu"], timeout=3.0)
    assert ("the process running your code sent back something unreadable (a reply out of sequence: "
            "did your code write to the grader's pipe?)") in message(result, "activations.relu")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_finding8_a_signal_kills_the_child_and_removes_the_copy_and_the_report_says_so(tmp_path, signum):
    sub = make_submission(tmp_path / "sub", {"activations": """
        def sigmoid(x):
            import time
            time.sleep(60)
        """})
    report = tmp_path / "report.json"
    proc = subprocess.Popen(CHAINRULE + ["grade", str(sub), "--only", "activations", "--timeout", "60",
                                         "--format", "json", "-o", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children, workdirs = [], set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not children:
        time.sleep(0.2)
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                if ppid == proc.pid:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        script = fh.read().split(b"\0")[5].decode()
                    children.append(int(pid))
                    workdirs.add(os.path.dirname(script))
            except (OSError, ValueError, IndexError):
                continue
    assert children, "the child never started"
    time.sleep(1.0)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    name = signal.Signals(signum).name
    assert proc.returncode == 1
    assert f"Grading was interrupted ({name}); the report covers the functions graded before" in err
    from tests.grader.test_sandbox_warm import _alive as running

    # the janitor (grader/janitor.py), a child too, ends just after the grader: give it a moment
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if running(pid)]
    for folder in workdirs:
        assert not os.path.exists(folder)
    data = json.loads(report.read_text())
    assert data["interrupted"] == name
    sigmoid = data["functions"][0]
    assert sigmoid["cases"][0]["message"] == f"not graded: the grading was interrupted ({name})"


def test_finding8_an_argument_over_the_reply_limit_is_not_sent(tmp_path, monkeypatch):
    import grader.sandbox
    from grader.sandbox import ChildDied, Sandbox

    monkeypatch.setattr(grader.sandbox, "MAX_DATA", 1000)
    box = Sandbox(str(SOLUTIONS))
    try:
        box.start()
        with pytest.raises(ChildDied) as info:
            box.submit("activations", "relu", [np.zeros(1000)])
        assert "an argument of more than 0 MB (returned by your code and passed back) was not sent" in info.value.reason
    finally:
        box.stop()


# ---------------------------------------------------------------- 10. smaller
@pytest.mark.parametrize("make, why", [
    (lambda d: (d / "activations.so").write_bytes(b"\x7fELF"),
     "Submission file 'sub/activations.so' is a compiled module; the contract is .py files only: remove it."),
    (lambda d: (d / "activations").mkdir(),
     "Submission folder 'sub/activations' has the name of the contract module activations.py and would be "
     "imported instead of it; rename or remove it."),
    (lambda d: os.mkfifo(d / "pipe"),
     "Submission entry 'sub/pipe' is a FIFO; a submission may hold only regular files and folders."),
    (lambda d: os.symlink("/etc/passwd", d / "link.py"),
     "Submission refused: 'sub/link.py' is a link to '/etc/passwd', outside the submission folder; submit "
     "the file itself (links that leave the submission are never followed)."),
    (lambda d: os.symlink("activations.py", d / "link.py") or os.symlink("link.py", d / "again.py"),
     "Submission refused: 'sub/again.py' is a link to 'link.py', which is not a regular file of the "
     "submission; submit the file itself."),
    (lambda d: os.makedirs(d / "/".join("d" * 10)),
     "Submission folder 'sub/d/d/d/d/d/d/d/d/d' is nested more than 8 folders deep (the limit)."),
    (lambda d: [(d / f"f{k}.txt").write_text("") for k in range(2001)],
     "Submission 'sub' holds more than 2000 files and folders (the limit); remove what is not part of the "
     "exercises."),
])
def test_finding10_a_submission_is_checked_before_copying(tmp_path, make, why, monkeypatch):
    import grader.sandbox
    from chainrule_core.errors import ChainruleError
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub")
    make(sub)
    made = []       # no temporary folder, no copy, no child: refused first
    monkeypatch.setattr(grader.sandbox.tempfile, "mkdtemp", lambda *a, **k: made.append(a) or 1 / 0)
    with pytest.raises(ChainruleError) as info:
        grade_submission(str(sub), only=["activations.relu"])
    assert str(info.value) == why
    assert made == []


def test_finding10_restarts_reuse_the_copy(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import os
            print("AT", os.stat(__file__).st_ino, flush=True)     # a new copy: a new inode
            os._exit(3)

        def tanh(x):
            import os
            print("AT", os.stat(__file__).st_ino, flush=True)
            os._exit(3)
        """})
    result = grade_submission(str(sub), only=["activations.relu", "activations.tanh"])
    seen = {line for fr in result.functions.values() for line in fr.output.splitlines() if line.startswith("AT")}
    assert len(seen) == 1, seen
    assert all(not fr.passed for fr in result.functions.values())


def test_finding10_a_function_that_prints_forever_times_out_on_time(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import os
            while True:
                os.write(1, b"C" * 65536)
        """})
    start = time.monotonic()
    result = grade_submission(str(sub), only=["activations.relu", "activations.tanh"], timeout=2)
    assert time.monotonic() - start < 15
    assert result.functions["activations.relu"].cases[0].status == "timeout"
    assert result.functions["activations.tanh"].passed


def test_finding10_a_200_mb_flood_of_output_still_passes_every_case(tmp_path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            import sys
            chunk = "B" * (1 << 20)
            for _ in range(200):
                sys.stdout.write(chunk)
            return np.maximum(x, 0.0)
        """})
    result = grade_submission(str(sub), only=["activations.relu", "activations.tanh"], timeout=30)
    fr = result.functions["activations.relu"]
    assert fr.passed and all(c.passed for c in fr.cases)
    assert fr.output.endswith("B\n... (output cut at 4000 characters)\n")
    assert result.functions["activations.tanh"].passed
