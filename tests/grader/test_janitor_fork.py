"""The janitor (``grader.janitor``) as a fork of the grading process: it holds nothing but
its pipe (never the warm process's socket or a child's pipe, which would keep them open),
runs in a session of its own, still removes what it was told after a SIGKILL of the
grader, and is a fresh interpreter instead where a fork is not safe (another thread)."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import os, resource, socket, sys, threading, time
if sys.argv[1] == "thread":
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
if sys.argv[1] == "numpy":          # NumPy's BLAS starts threads of its own: no fork then
    os.environ["OPENBLAS_NUM_THREADS"] = "2"
    import numpy
held = socket.socketpair()          # as the warm process's socket: the janitor must not hold it
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard == resource.RLIM_INFINITY or hard > 5000:   # a descriptor above the soft limit
    resource.setrlimit(resource.RLIMIT_NOFILE, (5001, hard))
    os.dup2(held[1].fileno(), 5000)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
from grader import janitor
janitor.start()
folder = sys.argv[2]
os.mkdir(folder)
janitor.watch(folder)
print(getattr(janitor._State.proc, "pid", janitor._State.proc), held[0].fileno(), held[1].fileno(), flush=True)
time.sleep(60)
"""


def _start(mode, folder):
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM, mode, str(folder)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    pid, *_ = map(int, proc.stdout.readline().split())
    return proc, pid


def _blas_threads():
    code = ("import os; os.environ['OPENBLAS_NUM_THREADS'] = '2'; import numpy\n"
            "print([l for l in open('/proc/self/status') if l.startswith('Threads:')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    return int(out.strip() or 1)


def _descriptors(pid):
    fds = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            pass
    return fds


def _wait_gone(path, seconds=10):
    deadline = time.monotonic() + seconds
    while os.path.lexists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not os.path.lexists(path)


def test_the_forked_janitor_holds_only_its_pipe_and_cleans_up_after_a_sigkill():
    scratch = tempfile.mkdtemp(prefix="chainrule-test-janitor-")
    folder = Path(scratch) / "made-by-the-grader"
    proc, pid = _start("fork", folder)
    try:
        deadline = time.monotonic() + 10        # a fork: it sets itself up just after
        while sorted(_descriptors(pid)) != [0, 1, 2, 3] and time.monotonic() < deadline:
            time.sleep(0.02)
        fds = _descriptors(pid)
        assert sorted(fds) == [0, 1, 2, 3], fds
        assert all(fds[fd] == os.devnull for fd in (0, 1, 2)), fds
        assert fds[3].startswith("pipe:"), fds
        assert os.getsid(pid) == pid                # a session of its own: no terminal signal
        with open(f"/proc/{pid}/stat") as fh:       # a fork of the grader: its child
            assert int(fh.read().rsplit(")", 1)[1].split()[1]) == proc.pid
        os.kill(pid, signal.SIGINT)                 # ignored: it ends with its pipe only
        time.sleep(0.2)
        assert os.path.exists(f"/proc/{pid}")
        proc.kill()
        proc.wait()
        assert _wait_gone(folder), "the janitor did not remove the folder after the SIGKILL"
    finally:
        proc.kill()
        proc.wait()
        subprocess.run(["rm", "-rf", scratch])


@pytest.mark.parametrize("mode", ["thread", "numpy"])
def test_with_another_thread_running_the_janitor_is_a_fresh_interpreter(mode):
    # a Python thread, or NumPy's BLAS threads (a program calling the grader after importing
    # NumPy): no fork of a threaded process
    if mode == "numpy" and _blas_threads() < 2:
        pytest.skip("this NumPy starts no thread of its own")
    scratch = tempfile.mkdtemp(prefix="chainrule-test-janitor-")
    folder = Path(scratch) / "made-by-the-grader"
    proc, pid = _start(mode, folder)
    try:
        deadline = time.monotonic() + 10
        while True:     # the exec may still be setting up its arguments (then they read empty)
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            if len(argv) > 4 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert argv[1:4] == [b"-I", b"-S", b"-B"] and argv[4].endswith(b"janitor.py"), argv
        proc.kill()
        proc.wait()
        assert _wait_gone(folder)
    finally:
        proc.kill()
        proc.wait()
        subprocess.run(["rm", "-rf", scratch])
