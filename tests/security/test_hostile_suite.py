"""A determined student's submission, probing every way out at once (issue 15).

Each probe runs inside the graded function and reports what it got; every one must be
refused, and the functions that probe nothing still earn full marks. Root + Landlock is
the mode Gradescope and CI run; the probes also run as "your own user" with Landlock
(a TA's laptop), where only Landlock stands in the way.
"""

import os
import platform
import socket
import threading

import pytest

from tests.security.conftest import LANDLOCK6, ROOT_ONLY, make_submission, message

PROBES = {
    "walk_fds": """
        found = []
        for fd in range(3, 64):
            for up in range(0, 8):
                base = f"/proc/self/fd/{fd}/" + "../" * up
                for rel in ("grader/limits.py", "solutions/activations.py", "chainrule_core/contract.py"):
                    try:
                        with open(base + rel) as fh:
                            found.append(base + rel)
                    except OSError:
                        pass
        result = "found " + found[0] if found else "refused"
        """,
    "parent_cmdline": """
        try:
            with open(f"/proc/{os.getppid()}/cmdline", "rb") as fh:
                result = "read " + repr(fh.read(60))
        except OSError:
            result = "refused"
        """,
    "write_kit": """
        try:
            with open(KIT + "/grader/__init__.py", "a") as fh:
                fh.write("")
            result = "opened for writing"
        except OSError:
            result = "refused"
        """,
    "read_kit": """
        try:
            with open(KIT + "/solutions/activations.py") as fh:
                result = "read " + fh.read(30)
        except OSError:
            result = "refused"
        """,
    "connect": """
        import socket
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
            result = "connected"
        except OSError:
            result = "refused"
        """,
    "signal_parent": """
        try:
            os.kill(os.getppid(), 0)
            result = "may signal the grader"
        except OSError:
            result = "refused"
        """,
    "leave_in_tmp": """
        try:
            with open("/tmp/chainrule-hostile-note", "w") as fh:
                fh.write("hello, next student")
            result = "wrote /tmp"
        except OSError:
            result = "refused"
        """,
    "run_a_shell": """
        import subprocess
        try:
            subprocess.run(["/bin/sh", "-c", "true"], timeout=5)
            result = "ran /bin/sh"
        except OSError:
            result = "refused"
        """,
}
# each probe replaces one function; it raises with what it got, so the message shows it
FUNCTIONS = ["sigmoid", "tanh", "relu", "softplus", "sigmoid_derivative", "tanh_derivative",
             "relu_derivative", "softplus_derivative"]


def _submission(root, port):
    import textwrap

    kit = os.path.dirname(os.path.dirname(os.path.abspath(__import__("grader").__file__)))
    code = [f"KIT = {kit!r}\nPORT = {port}\n"]
    for function, (name, probe) in zip(FUNCTIONS, PROBES.items()):
        body = textwrap.indent(textwrap.dedent(probe), "    ")
        code.append(f"def {function}(*args, **kwargs):\n    import os\n{body}\n"
                    f"    raise RuntimeError({name!r} + ': ' + result)\n")
    return make_submission(root, {"activations": "\n".join(code)})


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


def _grade(tmp_path, port):
    from grader import grade_submission

    if os.path.exists("/tmp/chainrule-hostile-note"):
        os.unlink("/tmp/chainrule-hostile-note")
    sub = _submission(tmp_path / "sub", port)
    return grade_submission(str(sub), only=["activations"], timeout=10)


def _probe_results(result):
    got = {}
    for function, name in zip(FUNCTIONS, PROBES):
        text = message(result, f"activations.{function}")
        got[name] = text.split(f"RuntimeError: {name}: ", 1)[1].splitlines()[0]
    return got


@ROOT_ONLY
@LANDLOCK6
def test_hostile_suite_as_root_every_probe_is_refused(tmp_path, listener):
    port, accepted = listener
    result = _grade(tmp_path, port)
    assert _probe_results(result) == {name: "refused" for name in PROBES}
    assert accepted == []
    assert not os.path.exists("/tmp/chainrule-hostile-note")
    assert result.functions["activations.softmax"].passed       # not a probe
    assert " · landlock ABI " in result.confinement and "· no network" in result.confinement


@LANDLOCK6
def test_hostile_suite_as_your_own_user_landlock_refuses_every_probe(tmp_path, listener, as_user):
    port, accepted = listener
    result = _grade(tmp_path, port)
    assert _probe_results(result) == {name: "refused" for name in PROBES}
    assert accepted == []
    assert result.confinement.startswith("sandbox: your own user · landlock ABI ")
    assert result.confinement.endswith(" · no network · no signals out · no sockets, IPC or keyrings"
                                       if platform.machine() in ("x86_64", "aarch64")   # the seccomp filter's
                                       else " · no TCP · no signals out")
