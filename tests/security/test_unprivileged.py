"""A real non-root grader (a TA's laptop, a CI runner): the grader itself runs as an
ordinary uid, with its own copy of the kit owned by that uid, so that nothing but the
confinement stops a submission from rewriting it.

Run as root with ``setpriv``: uid/gid 65534, no groups. The Python installation here
lies below /root (mode 0700), which an ordinary user cannot enter, so the process keeps
one capability, CAP_DAC_READ_SEARCH (read and search any folder), in its ambient set;
the child inherits it too. That makes the child *stronger* than an ordinary user's:
whatever these tests see refused was refused by Landlock, not by file modes.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

from tests.security.conftest import LANDLOCK, ROOT_ONLY, SOLUTIONS

ROOT = SOLUTIONS.parent
NOBODY = 65534

pytestmark = [ROOT_ONLY, pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv")]

PROBES = """
    def relu(x):
        import os
        got = []
        def attempt(name, action):
            try:
                action()
                got.append(name + " ALLOWED")
            except OSError:
                got.append(name + " refused")
        attempt("write-kit", lambda: open(KIT + "/grader/limits.py", "a").write("\\nOWNED = True\\n"))
        attempt("read-reference", lambda: open(KIT + "/solutions/activations.py").read())
        attempt("signal-grader", lambda: os.kill(os.getppid(), 0))
        attempt("tmp", lambda: open("/tmp/chainrule-unpriv-" + str(os.getpid()), "w").write("x"))
        import socket
        attempt("connect", lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
        raise RuntimeError(" | ".join(got))
    """


@pytest.fixture
def user_kit():
    """``(base, kit, submission)``: a copy of the kit and a submission owned by nobody."""
    base = tempfile.mkdtemp(prefix="chainrule-unpriv-")
    os.chmod(base, 0o755)
    kit = os.path.join(base, "kit")
    for package in ("grader", "chainrule", "chainrule_core", "solutions"):
        shutil.copytree(ROOT / package, os.path.join(kit, package),
                        ignore=shutil.ignore_patterns("__pycache__"))
    sub = os.path.join(base, "exercises")
    shutil.copytree(SOLUTIONS, sub, ignore=shutil.ignore_patterns("__pycache__"))
    with open(os.path.join(sub, "activations.py"), "a") as fh:
        fh.write(f"\n\nKIT = {kit!r}\n" + textwrap.dedent(PROBES))
    for folder, dirs, files in os.walk(base):
        os.chown(folder, NOBODY, NOBODY)
        for name in files:
            os.chown(os.path.join(folder, name), NOBODY, NOBODY)
    try:
        yield base, kit, sub
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run_as_nobody(base, kit, args, prelude=""):
    script = os.path.join(base, "run.py")
    with open(script, "w") as fh:
        fh.write(f"import sys\nsys.path.insert(0, {kit!r})\n{prelude}"
                 "from chainrule.cli import main\nsys.argv[0] = 'chainrule'\nmain()\n")
    os.chown(script, NOBODY, NOBODY)
    env = {"PATH": os.defpath, "HOME": base, "LANG": "C.UTF-8"}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search",
                           sys.executable, "-I", script, *args],
                          capture_output=True, text=True, cwd=base, env=env, timeout=180)


@LANDLOCK
def test_unprivileged_grader_with_landlock_keeps_its_files_and_refuses_every_probe(user_kit):
    from grader import landlock

    base, kit, sub = user_kit
    limits = os.path.join(kit, "grader", "limits.py")
    before = open(limits).read()
    out = _run_as_nobody(base, kit, ["grade", sub, "--only", "activations", "--format", "json"])
    report = json.loads(out.stdout)
    relu = next(f for f in report["functions"] if f["name"] == "activations.relu")
    text = relu["cases"][0]["message"]
    expected = ["write-kit refused", "read-reference refused", "tmp refused"]
    if landlock.abi() >= 4:
        expected.append("connect refused")
    if landlock.abi() >= 6:
        expected.append("signal-grader refused")
    for probe in expected:
        assert probe in text, text
    assert open(limits).read() == before
    assert report["confinement"].startswith("sandbox: your own user · landlock ABI ")
    others = [f for f in report["functions"] if f["name"] != "activations.relu"]
    assert others and all(f["passed"] for f in others)


def test_unprivileged_grader_without_landlock_stops_when_its_files_changed(user_kit):
    base, kit, sub = user_kit
    prelude = ("from grader import landlock\nlandlock.abi = lambda: 0\n"
               "landlock.unavailable = lambda: 'switched off for the test'\n")
    out = _run_as_nobody(base, kit, ["grade", sub, "--only", "activations.relu"], prelude)
    limits = os.path.join(kit, "grader", "limits.py")
    assert "OWNED = True" in open(limits).read()          # the child, unconfined, did rewrite it
    assert out.returncode == 1
    assert out.stderr.startswith(f"Error: The grader's own files changed while {sub} was graded ({limits}): "
                                 "the submission may have rewritten the grader. Reinstall chainrule"), out.stderr
