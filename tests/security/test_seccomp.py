"""The child's seccomp filter (``grader/_child.py``): the system calls Landlock does not
govern fail in student code (a UNIX socket that has a path, the kernel's keyrings, System V
IPC, io_uring, new namespaces); threads, fork and NumPy still work.

These are the attack report's findings 2-4 of session 5: as root and as a plain user, a
graded function connected to a listening UNIX socket (an ssh-agent signed with the user's
key), read a key the grading user kept in its keyring, and handed its source to another
student's child through a System V shared-memory segment (and pinned memory with them).
"""

import os
import platform
import re
import socket
import struct
import sys
import threading

import numpy as np
import pytest

from tests.security.conftest import LANDLOCK, ROOT_ONLY, make_submission, message

LINUX_X86_64 = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.machine() == "x86_64"),
    reason="the probe below calls x86_64 system calls by number")


def _child_module():
    """grader/_child.py as a module (its zygote mode imports nothing but NumPy)."""
    import importlib.util

    import numpy

    argv = sys.argv
    sys.argv = ["_child.py", "--zygote", os.path.dirname(os.path.dirname(numpy.__file__))]
    try:
        spec = importlib.util.spec_from_file_location(
            "_chainrule_child_for_test", os.path.join(os.path.dirname(__import__("grader").__file__), "_child.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module


def _run_bpf(prog, arch, nr, arg0=0):
    """A small interpreter of classic BPF (the five instructions the filter uses), over a
    ``struct seccomp_data`` built here: what the kernel would answer."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    pc, acc = 0, 0
    for _ in range(10000):
        code, jt, jf, k = prog[pc]
        if code == 0x20:            # BPF_LD | BPF_W | BPF_ABS
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code == 0x15:          # BPF_JMP | BPF_JEQ | BPF_K
            pc += 1 + (jt if acc == k else jf)
        elif code == 0x35:          # BPF_JGE
            pc += 1 + (jt if acc >= k else jf)
        elif code == 0x45:          # BPF_JSET
            pc += 1 + (jt if acc & k else jf)
        elif code == 0x06:          # BPF_RET
            return k
        else:
            raise AssertionError(f"unexpected instruction {code:#x}")
    raise AssertionError("the program loops")


ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050001, 0x00050026


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_filter_denies_exactly_its_calls(arch):
    child = _child_module()
    prog = child._seccomp_program(arch)
    audit_arch, denied, clone, clone3 = child._SECCOMP_DENIED[arch]
    assert len(prog) < 256
    for name, nr in denied.items():
        assert _run_bpf(prog, audit_arch, nr) == EPERM, name
    for nr in range(0, 500):
        if nr not in denied.values() and nr not in (clone, clone3):
            assert _run_bpf(prog, audit_arch, nr) == ALLOW, nr
    assert _run_bpf(prog, audit_arch, clone3) == ENOSYS
    # clone: a thread or a fork is allowed, a new namespace of any kind is not
    assert _run_bpf(prog, audit_arch, clone, 0x003D0F00) == ALLOW     # pthread_create's flags
    assert _run_bpf(prog, audit_arch, clone, 0x01200011) == ALLOW     # fork's flags
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        assert _run_bpf(prog, audit_arch, clone, 0x01200011 | flag) == EPERM, hex(flag)
    # another architecture's calls (int 0x80 on x86_64: AUDIT_ARCH_I386) and x32's
    assert _run_bpf(prog, 0x40000003, 41) == EPERM
    assert _run_bpf(prog, 0x40000003, 1) == EPERM
    if arch == "x86_64":
        assert _run_bpf(prog, audit_arch, 0x40000000 + 41) == EPERM


@pytest.mark.parametrize("arch,header", [
    ("x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    ("aarch64", "/usr/include/asm-generic/unistd.h"),
])
def test_the_call_numbers_are_the_kernels(arch, header):
    if not os.path.exists(header):
        pytest.skip(f"no {header} here")
    with open(header) as fh:
        numbers = dict(re.findall(r"#define __NR_(\w+)\s+(\d+)\b", fh.read()))
    child = _child_module()
    _audit, denied, clone, clone3 = child._SECCOMP_DENIED[arch]
    for name, nr in [*denied.items(), ("clone", clone), ("clone3", clone3)]:
        assert int(numbers[name]) == nr, name


PROBE = """
    def relu(x):
        import ctypes, os, threading
        import socket as sk
        allowed = []
        try:
            s = sk.socket(sk.AF_UNIX, sk.SOCK_STREAM)
            s.connect({path!r})
            allowed.append("connect to the UNIX socket")
        except OSError:
            pass
        libc = ctypes.CDLL(None, use_errno=True)
        sc = libc.syscall
        sc.restype = ctypes.c_long
        if sc(250, 0, ctypes.c_long(-4), 0) >= 0:           # keyctl(GET_KEYRING_ID, @u)
            allowed.append("keyctl")
        if sc(248, b"user", b"cr:probe", b"x", 1, ctypes.c_long(-4)) >= 0:     # add_key
            allowed.append("add_key")
        if sc(29, 0, 4096, 0o1600) >= 0:                     # shmget(IPC_PRIVATE)
            allowed.append("shmget")
        if sc(68, 0, 0o1600) >= 0:                           # msgget(IPC_PRIVATE)
            allowed.append("msgget")
        params = ctypes.create_string_buffer(120)
        if sc(425, 4, params) >= 0:                          # io_uring_setup
            allowed.append("io_uring_setup")
        if sc(272, 0x10000000) == 0:                         # unshare(CLONE_NEWUSER)
            allowed.append("unshare")
        if sc(319, b"held", 0) >= 0:                         # memfd_create: a file in memory
            allowed.append("memfd_create")
        # what students do use still works: threads, fork, NumPy
        box = []
        t = threading.Thread(target=lambda: box.append(1))
        t.start()
        t.join()
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        _, status = os.waitpid(pid, 0)
        if box != [1] or os.WEXITSTATUS(status) != 7:
            raise RuntimeError("threads or fork broke")
        if allowed:
            raise RuntimeError("ALLOWED: " + ", ".join(allowed))
        return np.maximum(x, 0.0)
    """


@pytest.fixture
def listening_socket(tmp_path):
    """A UNIX socket anyone may connect to (modes 0777 up its folder): what only the
    filter keeps a graded function from (Landlock does not govern connect)."""
    folder = tmp_path / "agent"
    folder.mkdir()
    path = str(folder / "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    for p in (tmp_path, folder, path):
        os.chmod(p, 0o777)
    accepted = []

    def serve():
        try:
            while True:
                conn, _ = server.accept()
                accepted.append(1)
                conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path, accepted
    finally:
        server.close()


def _grade_probe(tmp_path, path):
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", {"activations": PROBE.format(path=path)})
    return grade_submission(str(sub), only=["activations.relu"])


@LINUX_X86_64
@ROOT_ONLY
@LANDLOCK
def test_root_child_reaches_no_socket_keyring_ipc_or_namespace(tmp_path, listening_socket):
    path, accepted = listening_socket
    result = _grade_probe(tmp_path, path)
    assert result.functions["activations.relu"].passed, message(result, "activations.relu")
    assert accepted == []
    assert "no sockets, IPC or keyrings" in result.confinement


@LINUX_X86_64
@LANDLOCK
def test_plain_user_child_reaches_no_socket_keyring_ipc_or_namespace(tmp_path, listening_socket, as_user):
    path, accepted = listening_socket
    result = _grade_probe(tmp_path, path)
    assert result.functions["activations.relu"].passed, message(result, "activations.relu")
    assert accepted == []


def test_the_sandbox_line_names_the_filter():
    from grader.privileges import describe

    line = describe(None, {"landlock": {"abi": 7}, "seccomp": {"calls": 41}})
    assert line.endswith("no sockets, IPC or keyrings")
    assert "sockets" not in describe(None, {"landlock": {"abi": 7}, "seccomp": {"why": "no filter for sparc"}})
