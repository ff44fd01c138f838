"""The parent's side of the child process that runs student code (see ``grader/_child.py``).

One child serves the whole submission and is replaced only when it dies or is killed.
It runs ``python -I -S -u`` in its own session, with a scrubbed environment, a private
working directory, ``sys.path`` = (a folder holding only a link to NumPy, the standard
library), an address-space limit and a file-size limit. Its stdout and stderr go to one
file that the parent reads and truncates after every function (so output is captured
per function and capped). Every process the child starts inherits a marker in its
environment; on a timeout, or when grading ends, the parent SIGKILLs the child's process
group, every descendant found through ``/proc`` parent links, and every process carrying
the marker (which finds those that called ``setsid`` and were re-parented), repeating
until none is left.

What comes back is decoded here as ``.npy`` data by a strict parser (format 1.0 as the
child writes it, numeric dtypes, the body's length checked against the header before
anything is allocated; never ``numpy.load``, never pickle). A reply must repeat its
request's nonce and may be at most ``MAX_FRAME`` bytes (a longer one is not read). Any
failure to decode a reply, whatever the exception, kills the child and fails only that
call as "sent back something unreadable"; nothing else the child sends is trusted.

The submission is imported as the package ``exercises`` (also under its folder's name)
from a private copy (``grader.submission_copy``: no link out of the submission is followed,
such a link is refused); neither its parent folder nor site-packages is on ``sys.path``: in
a repository the parent folder also holds ``solutions/``.

Privileges. When the grader runs as root (Gradescope runs it so), the child gives up
root before it imports student code: it opens its import roots (the standard library,
NumPy) as directories and reaches them through ``/proc/self/fd`` (the Python
installation may lie below ``/root``), limits the processes of its new uid
(``RLIMIT_NPROC`` = ``NPROC_LIMIT``, against fork bombs), then calls ``setgroups([])``
and sets real, effective and saved gid and uid to a dedicated id (``sandbox_ids``: the
first of ``SANDBOX_IDS``, from 2**31 - 1001 down, that no account, group or running
process uses, and whose lock in a root-only folder no other grader holds). It imports a private copy of the submission (in a fresh temporary
folder, links inside it copied as files, files made world-readable) and may write only
in its own working folder. Student code then cannot read files that only root may read
(e.g. ``/autograder/source/solutions`` with mode 0700), cannot signal the grader or
become root again. Since nothing else runs as that uid, every process it has belongs to
the submission: after each child's life and when grading ends (also on an error),
``reap_uid`` kills them all (a helper that becomes the uid calls ``kill(-1, SIGKILL)``),
repeating until ``/proc`` shows none, so even a daemon that double-forked, called
``setsid`` and ``execve``'d with an empty environment does not outlive the grader. The
environment is scrubbed: PATH, HOME and TMPDIR (the working folder), LANG and LC_ALL,
the thread-count variables and the marker; ``-I`` ignores PYTHON*. The child runs a
copy of ``_child.py`` in its temporary folder, so neither ``sys.argv`` nor its working
folder reveals where the grader (or ``solutions/``) is installed.

Limits, knowingly:

- Not as root, the child runs as the grader's own user: code that sets out to
  (``os.kill(os.getppid(), 9)``, reading files by absolute path) can still harm the
  grading process or read what that user can read, and a descendant that both leaves
  the process tree and replaces its environment escapes the kill (only the marker
  finds processes outside the tree), and the number of processes is not limited. Run
  the grader as root in a container (as Gradescope does), where that matters.
- As the sandbox uid, student code can still read every world-readable file (the
  grader's own files, the whole Python installation and, through the open directory
  descriptors, anything world-readable below them, including ``solutions/`` unless it
  is mode 0700: the grader warns on stderr when it is readable), write in
  world-writable folders such as ``/tmp`` and use the network. Protect secrets by their
  mode (0700 folders, 0600 files), not by obscurity.
- Graders on one machine never share a uid (each holds its uid's lock), but a process
  of the uid that another user's program starts by other means is not the grader's
  concern: nothing else should run as these uids.
- Time and memory are limited per function.
"""

from __future__ import annotations

import collections
import io
import json
import math
import os
import re
import secrets
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import warnings

import numpy as np

from chainrule_core.errors import ChainruleError
from grader.submission_copy import safe_copy

CHILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child.py")
MARKER_VAR = "CHAINRULE_GRADER_MARKER"
OUTPUT_CAP = 4000             # characters of student output kept per function
FSIZE_LIMIT = 8 * 1024 * 1024  # bytes the child may write to any file
MAX_DATA = 256 * 1024 * 1024   # bytes of array data a reply may carry (the child's own cap)
MAX_FRAME = MAX_DATA + (1 << 20)  # a frame: that plus room for the JSON header
STARTUP_TIMEOUT = 30.0
# When the grader runs as root, the child becomes a uid (and gid) of its own: the first of
# these that no account, no group and no running process uses. Every process of that uid
# is then the submission's, so all of them can be killed at once, whatever they did to
# leave the process tree or their environment.
SANDBOX_IDS = tuple(2 ** 31 - 1001 - k for k in range(32))
NPROC_LIMIT = 32              # processes (and threads) the sandbox uid may have at once


def _proc_files(name):
    """``(pid, contents of /proc/PID/NAME)`` for every process visible in /proc."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for pid in names:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/{name}", "rb") as fh:
                yield int(pid), fh.read()
        except OSError:
            continue


def _uid_processes(uid):
    """Pids of live (not zombie) processes whose real, effective or saved uid is ``uid``."""
    found = []
    for pid, status in _proc_files("status"):
        state = uids = None
        for line in status.split(b"\n"):
            if line.startswith(b"State:"):
                state = line.split()[1:2]
            elif line.startswith(b"Uid:"):
                uids = line.split()[1:4]
        if uids and str(uid).encode() in uids and state not in ([b"Z"], [b"X"]):
            found.append(pid)
    return found


def _lock_folder():
    """A folder only root may write, shared by every grader on this machine."""
    base = "/run" if os.path.isdir("/run") and os.access("/run", os.W_OK) else tempfile.gettempdir()
    folder = os.path.join(base, "chainrule-sandbox-ids")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    # Student code runs as a sandbox uid and may write in /tmp: a folder someone else made
    # (or a link) could be used to steal or block the ids, so only root's own is trusted.
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o077:
        raise ChainruleError(f"The lock folder '{folder}' is not a folder owned by root with mode 0700; "
                             "remove it and grade again.")
    return folder


def sandbox_ids():
    """``(uid, gid, lock)`` the child drops to when the grader runs as root.

    The first of ``SANDBOX_IDS`` that is neither an account (``/etc/passwd``) nor a group
    and whose lock file this grader can lock: the lock (an open file holding an exclusive
    ``flock``) is kept for as long as the ``Sandbox`` lives, so two graders on one machine
    (a class graded in parallel) never share a uid, and one grader's reaping never kills
    the other's child. Processes left on a uid nobody holds are a dead grader's: they are
    reaped before the uid is used. A ``ChainruleError`` when all are taken.
    """
    import fcntl
    import grp
    import pwd

    folder = _lock_folder()
    for candidate in SANDBOX_IDS:
        try:
            pwd.getpwuid(candidate)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(candidate)
            continue
        except KeyError:
            pass
        lock = open(os.path.join(folder, f"{candidate}.lock"), "a+b")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        if not reap_uid(candidate, candidate):
            lock.close()
            continue
        return candidate, candidate, lock
    raise ChainruleError(f"No free user id to run submissions as: uids {SANDBOX_IDS[-1]} to "
                         f"{SANDBOX_IDS[0]} all have an account or are used by other graders.")


def reap_uid(uid, gid):
    """SIGKILL every process of ``uid`` (as root), repeating until ``/proc`` shows none.

    A helper process becomes ``uid`` and calls ``kill(-1, SIGKILL)``, which reaches
    exactly the processes that user may signal: its own (the helper itself is spared).
    """
    for _round in range(100):
        if not _uid_processes(uid):
            return True
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork() in a process with (BLAS) threads; the helper
            # only makes system calls and exits, it never returns into Python code
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:    # pragma: no cover - runs in the helper
            try:
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
                if os.getresuid() == (uid, uid, uid):   # never kill(-1) as root
                    os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.002)
    return not _uid_processes(uid)


def _permits(st, uid, gid, bit):
    """Whether ``uid`` (with group ``gid`` only) has permission ``bit`` (4 r, 1 x) on ``st``."""
    if st.st_uid == uid:
        return bool(st.st_mode & (bit << 6))
    if st.st_gid == gid:
        return bool(st.st_mode & (bit << 3))
    return bool(st.st_mode & bit)


def readable_by(folder, uid, gid):
    """Whether a process running as ``uid``/``gid`` (no other groups) could read one of the
    Python files of the package ``folder``: every folder from ``/`` down needs search
    permission, then a ``.py`` file (or a ``.pyc`` in ``__pycache__``) read permission."""
    folder = os.path.realpath(folder)
    path = os.sep
    for part in [p for p in folder.split(os.sep) if p]:
        try:
            if not _permits(os.stat(path), uid, gid, 1):
                return False
        except OSError:
            return False
        path = os.path.join(path, part)
    places = [(folder, ".py")]
    cache = os.path.join(folder, "__pycache__")
    try:
        if _permits(os.stat(folder), uid, gid, 1):
            places.append((cache, ".pyc"))
        else:
            return False
    except OSError:
        return False
    for place, suffix in places:
        try:
            if place != folder and not _permits(os.stat(place), uid, gid, 1):
                continue
            names = sorted(os.listdir(place))
        except OSError:
            continue
        for name in names:
            if name.endswith(suffix):
                try:
                    if _permits(os.stat(os.path.join(place, name)), uid, gid, 4):
                        return True
                except OSError:
                    continue
    return False


def _private_copy(submission, target):
    """Copy the submission to ``target``, readable by everyone (for the unprivileged child).

    Symbolic links are copied as links, never followed here as root: a link to a file
    the grader's user may read but the child's may not stays unreadable to the child.
    """
    try:
        shutil.copytree(submission, target, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".git"))
    except (OSError, shutil.Error) as exc:
        raise ChainruleError(f"Cannot copy the submission '{submission}' for grading: {exc}.") from None
    for root, dirs, files in os.walk(target):
        os.chmod(root, 0o755)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


class Rng:
    """A call argument meaning ``numpy.random.default_rng(seed)``, made in the child."""

    __slots__ = ("seed",)

    def __init__(self, seed):
        self.seed = int(seed)

    def make(self):
        return np.random.default_rng(self.seed)

    def __repr__(self):
        return f"default_rng({self.seed})"


class Returned:
    """A value the child sent back, decoded: kind and plain data only.

    ``kind`` is one of ``array`` (``value`` an ndarray; ``cls`` the student's class name
    when it was an ndarray subclass), ``npscalar`` (``value`` a 0-d ndarray; ``cls`` its
    dtype), ``float``, ``int``, ``bool``, ``none``, ``tuple``, ``list`` (``value`` a list
    of Returned) and ``other`` (``cls`` the type name).
    """

    __slots__ = ("kind", "value", "cls")

    def __init__(self, kind, value=None, cls=""):
        self.kind, self.value, self.cls = kind, value, cls

    def __repr__(self):
        return f"Returned({self.kind}, {self.value!r})"


class CallFailed(Exception):
    """The call did not return a value: ``info`` says why (kind, type, message, frame)."""

    def __init__(self, info):
        super().__init__(info.get("kind"))
        self.info = info


class ChildDied(Exception):
    """The child process ended or was killed; ``reason`` is a sentence for the report."""

    def __init__(self, reason, kind="crashed"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def _encode_arg(value, blobs):
    if isinstance(value, Rng):
        return {"t": "rng", "seed": value.seed}
    if isinstance(value, np.ndarray):
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        blobs.append(buf.getvalue())
        return {"t": "a", "i": len(blobs) - 1}
    if isinstance(value, np.generic):
        buf = io.BytesIO()
        np.save(buf, np.asarray(value), allow_pickle=False)
        blobs.append(buf.getvalue())
        return {"t": "g", "i": len(blobs) - 1}
    if value is None:
        return {"t": "n"}
    if isinstance(value, bool):
        return {"t": "b", "v": value}
    if isinstance(value, int):
        return {"t": "i", "v": value}
    if isinstance(value, float):
        return {"t": "f", "v": value}
    if isinstance(value, (tuple, list)):
        return {"t": "tuple" if isinstance(value, tuple) else "list",
                "v": [_encode_arg(v, blobs) for v in value]}
    raise TypeError(f"cannot send {type(value).__name__} to the child")


_FLOAT_WORDS = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def _decode(tree, arrays, depth=0):
    if not isinstance(tree, dict) or depth > 6:
        raise ValueError("malformed reply")
    t = tree.get("t")
    if t in ("a", "g"):
        index = tree.get("i")
        if not isinstance(index, int) or not 0 <= index < len(arrays):
            raise ValueError("malformed reply")
        arr = arrays[index]
        if t == "a":
            return Returned("array", arr, str(tree.get("cls", ""))[:80])
        if arr.ndim != 0:
            raise ValueError("malformed reply")
        return Returned("npscalar", arr, str(arr.dtype))
    if t == "f":
        v = tree.get("v")
        v = _FLOAT_WORDS.get(v, v) if isinstance(v, str) else v
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ValueError("malformed reply")
        return Returned("float", float(v))
    if t == "i":
        if not isinstance(tree.get("v"), int):
            raise ValueError("malformed reply")
        return Returned("int", int(tree["v"]))
    if t == "b":
        return Returned("bool", bool(tree.get("v")))
    if t == "n":
        return Returned("none")
    if t in ("tuple", "list"):
        children = tree.get("v")
        if not isinstance(children, list):
            raise ValueError("malformed reply")
        return Returned(t, [_decode(c, arrays, depth + 1) for c in children])
    if t == "o":
        return Returned("other", None, str(tree.get("cls", "?"))[:80])
    raise ValueError("malformed reply")


_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=]?[biuf]\d{1,2})', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n$")


def _load_array(blob):
    """A .npy blob as a plain numeric ndarray, or ValueError.

    Only what the child writes is accepted: format version 1.0, the header exactly as
    ``_child._npy`` writes it, a numeric dtype, C order, and a body whose length is
    exactly the shape's product times the item size, checked before anything is
    allocated (a forged header cannot make the parent allocate more than it received).
    Nothing is ever unpickled and ``numpy.load`` is never called.
    """
    if blob[:8] != b"\x93NUMPY\x01\x00" or len(blob) < 10:
        raise ValueError("not a version 1.0 .npy array")
    (hlen,) = struct.unpack("<H", blob[8:10])
    match = _NPY_HEADER.match(blob[10:10 + hlen].decode("latin1"))
    if match is None:
        raise ValueError("unexpected .npy header")
    dtype = np.dtype(match.group(1))
    if dtype.kind not in "biuf" or dtype.itemsize == 0:
        raise ValueError("not a numeric dtype")
    parts = match.group(2).replace(" ", "").split(",")
    shape = tuple(int(s) for s in parts if s)
    if len(shape) > 32:
        raise ValueError("bad shape")
    count = math.prod(shape)
    body = blob[10 + hlen:]
    if count * dtype.itemsize != len(body):
        raise ValueError("the array's data does not match its header")
    return np.frombuffer(body, dtype=dtype, count=count).reshape(shape).copy()


def _exception_text(exc):
    """A short description of why a reply could not be read."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "too large"
    text = str(exc)[:200]
    return text if text else type(exc).__name__


_ERROR_KINDS = {"exception", "not-implemented", "exit", "memory", "missing", "unreadable",
                "too-big", "internal", "output-cap"}


def _clean_error(info):
    """The child's error report with only known fields of the right types (never trusted)."""
    def text(value, limit):
        return value[:limit] if isinstance(value, str) else ""

    kind = info.get("kind")
    clean = {"ok": False, "kind": kind if isinstance(kind, str) and kind in _ERROR_KINDS else "exception",
             "type": text(info.get("type"), 200), "message": text(info.get("message"), 500)}
    if info.get("where") == "__init__.py":
        clean["where"] = "__init__.py"
    frame = info.get("frame")
    if isinstance(frame, dict):
        line, col = frame.get("line"), frame.get("col")
        clean["frame"] = {
            "file": text(frame.get("file"), 300) or "?",
            "line": line if type(line) is int else 0,
            "function": text(frame.get("function"), 200) or "?",
            "code": text(frame.get("code"), 200),
        }
        if type(col) is int:
            clean["frame"]["col"] = col
    else:
        clean["frame"] = None
    return clean


def _numpy_dir(workdir):
    """A folder whose only importable packages are NumPy (links to the installed one)."""
    site = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    target = os.path.join(workdir, "site")
    os.mkdir(target)
    for entry in ("numpy", "numpy.libs"):
        src = os.path.join(site, entry)
        if os.path.exists(src):
            os.symlink(src, os.path.join(target, entry))
    return target


def _proc_table():
    """pid -> parent pid for every process visible in /proc."""
    table = {}
    for pid, raw in _proc_files("stat"):
        try:
            rest = raw[raw.rindex(b")") + 2:].split()
            table[pid] = int(rest[1])
        except (ValueError, IndexError):
            continue
    return table


def _has_marker(pid, marker):
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return marker in fh.read()
    except OSError:
        return False


def kill_tree(root_pid, marker):
    """SIGKILL ``root_pid``, its process group, all descendants and all marked processes."""
    me = os.getpid()
    needle = f"{MARKER_VAR}={marker}".encode()
    for _round in range(50):
        table = _proc_table()
        doomed = {root_pid} if root_pid in table else set()
        grew = True
        while grew:
            grew = False
            for pid, ppid in table.items():
                if ppid in doomed and pid not in doomed:
                    doomed.add(pid)
                    grew = True
        for pid in table:
            if pid != me and pid not in doomed and _has_marker(pid, needle):
                doomed.add(pid)
        doomed.discard(me)
        try:
            os.killpg(root_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        if not doomed:
            return
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        # reap what is ours; others are reaped by their parent (or by init)
        for pid in doomed:
            try:
                os.waitpid(pid, os.WNOHANG)
            except (ChildProcessError, OSError):
                pass
        if doomed == {root_pid}:
            alive = [p for p in _proc_table() if p == root_pid or _has_marker(p, needle)]
            if not alive:
                return
        time.sleep(0.005)


class Sandbox:
    """One child process serving calls into a submission; restarted when it dies."""

    def __init__(self, submission, memory_mb=1024):
        self.submission = os.path.realpath(submission)
        self.memory_mb = memory_mb
        self.proc = None
        self.imported = {}          # module -> None (ok) or an error dict
        self._workdir = None
        self._pending_bytes = b""
        self._out_pos = 0
        self._copy_prefix = None
        self._ready = False
        self._pending = collections.deque()   # tickets sent, reply not read yet
        self._replies = {}
        self._ticket = 0
        self.ids = None             # (uid, gid) of the child when the grader runs as root
        self._id_lock = None        # held while this sandbox may use that uid
        if os.geteuid() == 0:
            uid, gid, self._id_lock = sandbox_ids()
            self.ids = (uid, gid)

    # ------------------------------------------------------------------ lifecycle
    def start(self, wait=True):
        """Start the child; with ``wait=False`` return at once (it gets ready meanwhile)."""
        self._workdir = tempfile.mkdtemp(prefix="chainrule-grade-")
        numpy_dir = _numpy_dir(self._workdir)
        run_dir = os.path.join(self._workdir, "run")
        os.mkdir(run_dir)
        self.marker = uuid.uuid4().hex
        base = os.path.basename(self.submission)
        drop = None
        os.mkdir(os.path.join(self._workdir, "sub"), 0o755)
        submission = os.path.join(self._workdir, "sub", base)
        try:
            safe_copy(self.submission, submission)  # the child imports a copy that follows no link out
        except Exception:
            self.stop()
            raise
        if os.geteuid() == 0:
            # as root (Gradescope), the child becomes an unprivileged user before it runs
            # student code; it reads a copy of the submission and writes only in run/
            uid, gid = self.ids
            drop = {"uid": uid, "gid": gid, "nproc": NPROC_LIMIT}
            os.chmod(self._workdir, 0o711)
            os.chmod(numpy_dir, 0o755)
            os.chown(run_dir, uid, gid)
        self._copy_prefix = os.path.dirname(submission) + os.sep   # shown as the original's
        aliases = [base] if base.isidentifier() and base not in ("numpy", "exercises") else []
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        self.out_path = os.path.join(self._workdir, "output.txt")
        self._out_pos = 0
        out_fd = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        cfg = {
            "numpy_dir": numpy_dir, "submission": submission, "package": "exercises",
            "aliases": aliases, "req_fd": req_r, "resp_fd": resp_w, "workdir": run_dir,
            "memory_mb": self.memory_mb, "fsize": FSIZE_LIMIT, "drop": drop,
        }
        env = {
            MARKER_VAR: self.marker, "PATH": os.defpath, "HOME": run_dir, "TMPDIR": run_dir,
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        }   # nothing else: no PYTHON* variable (``-I`` ignores them anyway), no secrets
        script = os.path.join(self._workdir, "child.py")    # argv[0] names no grader folder
        shutil.copyfile(CHILD_SCRIPT, script)
        os.chmod(script, 0o644)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-u", script, json.dumps(cfg)],
            stdin=subprocess.DEVNULL, stdout=out_fd, stderr=out_fd, env=env,
            pass_fds=(req_r, resp_w), start_new_session=True, close_fds=True, cwd=run_dir,
        )
        os.close(req_r)
        os.close(resp_w)
        os.close(out_fd)
        self._req, self._resp = req_w, resp_r
        # a new child has imported nothing; a module whose import failed (raised, hung,
        # ended the process) is not tried again: it would fail the same way
        self.imported = {m: e for m, e in self.imported.items() if e is not None}
        self._ready = False
        if wait:
            self._await_ready()

    def _await_ready(self):
        """Wait for the child's hello (it imports NumPy first)."""
        if self._ready:
            return
        try:
            header, _ = self._receive(STARTUP_TIMEOUT)
            if not header.get("ready"):
                raise ChildDied("it did not say it was ready")
        except (ChildDied, TimeoutError) as exc:
            reason = exc.reason if isinstance(exc, ChildDied) else f"no answer within {STARTUP_TIMEOUT:g} s"
            output = self.take_output().strip()
            self.stop()
            last = f" ({output.splitlines()[-1]})" if output else ""
            raise ChainruleError(f"The grader's child process could not start: {reason}{last}.") from None
        self._ready = True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """Kill the child and everything it started; remove its files."""
        if self.proc is not None:
            kill_tree(self.proc.pid, self.marker)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
                pass
            for fd in (self._req, self._resp):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._collect_output(empty=True)
            self.proc = None
            self._pending.clear()
            self._replies.clear()
        if self.ids is not None:
            reap_uid(*self.ids)     # whatever left the tree or changed its environment
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def ensure(self):
        """A running, ready child (a new one when the last died or was killed)."""
        if not self.alive():
            if self.proc is not None:
                self.stop()
            self.start()
        self._await_ready()

    # ------------------------------------------------------------------ output capture
    def _collect_output(self, empty=False):
        """Move the child's new output into the buffer (capped); ``empty`` the file too.

        The file is emptied only while the child is idle (no call in flight) or dead: a
        prefetched call may be writing to it otherwise, and truncating then loses output.
        """
        if self._workdir is None:
            return
        room = max(0, OUTPUT_CAP * 4 + 1 - len(self._pending_bytes))
        try:
            with open(self.out_path, "r+b") as fh:
                fh.seek(self._out_pos)
                data = fh.read(room)
                # beyond the cap, skip what is there; else continue after what was read
                self._out_pos = fh.seek(0, os.SEEK_END) if len(data) >= room else self._out_pos + len(data)
                if empty:
                    fh.truncate(0)
                    self._out_pos = 0
        except OSError:
            return
        self._pending_bytes += data

    def take_output(self):
        """The student's stdout/stderr since the last call of this method, capped."""
        self._collect_output(empty=not self._pending)
        text = self._unmap(self._pending_bytes.decode("utf-8", "replace"))
        self._pending_bytes = b""
        if len(text) > OUTPUT_CAP:
            text = text[:OUTPUT_CAP] + f"\n... (output cut at {OUTPUT_CAP} characters)\n"
        return text

    def _unmap(self, text):
        """``text`` with the private copy's paths shown as the submission's own."""
        original = os.path.dirname(self.submission) + os.sep
        if self._copy_prefix and self._copy_prefix != original:
            text = text.replace(self._copy_prefix, original)
        return text

    # ------------------------------------------------------------------ messages
    def _send(self, header, blobs=()):
        header = dict(header)
        header["sizes"] = [len(b) for b in blobs]
        hb = json.dumps(header).encode("utf-8")
        payload = b"".join([struct.pack(">I", len(hb)), hb, *blobs])
        data = memoryview(struct.pack(">Q", len(payload)) + payload)
        size = len(data)
        try:
            while data:
                n = os.write(self._req, data[: 1 << 20])
                data = data[n:]
        except (BrokenPipeError, OSError):
            raise self._died() from None
        return size

    def _died(self):
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            kill_tree(self.proc.pid, self.marker)
            code = self.proc.wait()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return ChildDied(f"the process running your code crashed ({name})")
        return ChildDied(f"the process running your code ended with exit status {code}")

    def _read_exact(self, n, deadline):
        chunks, got = [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._resp], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._resp, min(n - got, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _receive(self, timeout, nonce=None):
        """The next reply frame as ``(header, arrays)``; it must carry ``nonce``.

        Anything wrong with it (a forged or truncated frame, JSON nested too deeply, a
        bad array, a reply to another request, more than ``MAX_FRAME`` bytes, which are
        then not read at all) kills the child and raises ``ChildDied`` (kind ``error``):
        the submission wrote to the reply pipe. ``TimeoutError`` when nothing complete
        came in time.
        """
        deadline = time.monotonic() + timeout
        try:
            (size,) = struct.unpack(">Q", self._read_exact(8, deadline))
            if size > MAX_FRAME:
                self.stop()
                raise ChildDied(f"the process running your code sent back a reply of more than "
                                f"{MAX_DATA // (1024 * 1024)} MB (the limit; it was not read)",
                                kind="error")
            data = self._read_exact(size, deadline)
            if len(data) < 4:
                raise ValueError("a frame too short")
            (hlen,) = struct.unpack(">I", data[:4])
            if hlen > len(data) - 4:
                raise ValueError("a header longer than its frame")
            header = json.loads(data[4:4 + hlen].decode("utf-8"))
            if not isinstance(header, dict):
                raise ValueError("malformed reply")
            if header.get("n") != nonce:
                raise ValueError("a reply out of sequence: did your code write to the grader's pipe?")
            sizes = header.get("sizes", [])
            if (not isinstance(sizes, list)
                    or not all(type(n) is int and n >= 0 for n in sizes)
                    or sum(sizes) != len(data) - 4 - hlen):
                raise ValueError("malformed reply")
            arrays, pos = [], 4 + hlen
            for nbytes in sizes:
                arrays.append(_load_array(data[pos:pos + nbytes]))
                pos += nbytes
        except (TimeoutError, ChildDied):
            raise
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            self.stop()
            raise ChildDied(f"the process running your code sent back something unreadable "
                            f"({_exception_text(exc)})", kind="error") from None
        return header, arrays

    # ------------------------------------------------------------------ operations
    def import_module(self, module, timeout):
        """Import ``module`` of the submission; returns None or an error dict.

        A failed import is remembered across restarts of the child and never retried.
        """
        if self.imported.get(module) is not None:
            return self.imported[module]
        self.ensure()               # a restarted child has imported nothing yet
        if module in self.imported:
            return self.imported[module]
        nonce = secrets.token_hex(8)
        self._send({"op": "import", "module": module, "n": nonce})
        try:
            header, _ = self._receive(timeout, nonce)
        except TimeoutError:
            self.stop()
            error = {"ok": False, "kind": "timeout", "message": f"importing it took longer than {timeout:g} s"}
            self.imported[module] = error
            return error
        except ChildDied as exc:
            self.stop()
            error = {"ok": False, "kind": "died", "message": exc.reason}
            self.imported[module] = error
            return error
        error = None if header.get("ok") is True else _clean_error(header)
        if error is not None:
            error["message"] = self._unmap(error["message"])
        self.imported[module] = error
        return error

    def submit(self, module, function, args, kwargs=None, reset=False, global_seed=None):
        """Send a call without waiting; returns ``(ticket, bytes sent)``.

        Replies come back in the order of the requests; ``result(ticket)`` collects one.
        Callers keep the bytes in flight well below a pipe's capacity (64 KiB), so that
        the child can never block on a full request pipe while the parent waits.
        """
        if not self.alive():
            if self.proc is not None:
                raise self._died()
            raise ChildDied("the process running your code was not running")
        blobs = []
        nonce = secrets.token_hex(8)
        header = {
            "op": "call", "n": nonce, "module": module, "function": function, "reset": reset,
            "global_seed": global_seed,
            "args": [_encode_arg(a, blobs) for a in args],
            "kwargs": {k: _encode_arg(v, blobs) for k, v in (kwargs or {}).items()},
        }
        size = self._send(header, blobs)
        self._ticket += 1
        self._pending.append((self._ticket, nonce))
        return self._ticket, size

    def pending(self):
        return len(self._pending)

    def result(self, ticket, timeout):
        """The reply to ``ticket``: ``(Returned result, [Returned args after the call], {})``.

        Raises ``CallFailed`` when the function raised, ``TimeoutError`` (the child has
        then been killed) or ``ChildDied``. Replies to earlier tickets read on the way
        are kept for their own ``result`` call.
        """
        deadline = time.monotonic() + timeout
        while ticket not in self._replies:
            if not self._pending or self.proc is None:
                raise ChildDied("the process running your code was not running")
            waiting, nonce = self._pending[0]
            try:
                reply = self._receive(max(0.0, deadline - time.monotonic()), nonce)
            except (TimeoutError, ChildDied):
                self.stop()
                raise
            self._pending.popleft()
            self._replies[waiting] = reply
        reply, arrays = self._replies.pop(ticket)
        self._collect_output(empty=not self._pending)   # empty when the child is idle
        if reply.get("ok") is not True:
            info = _clean_error(reply)
            info["message"] = self._unmap(info["message"])
            raise CallFailed(info)
        try:
            result = _decode(reply["result"], arrays)
            inputs = [_decode(t, arrays) for t in reply.get("inputs", [])]
            kwinputs = {k: _decode(t, arrays) for k, t in reply.get("kwinputs", {}).items()}
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            self.stop()
            raise ChildDied(f"the process running your code sent back something unreadable "
                            f"({_exception_text(exc)})", kind="error") from None
        return result, inputs, kwinputs

    def drain(self, timeout):
        """Wait for (and drop) every outstanding reply; kills the child on a timeout."""
        deadline = time.monotonic() + timeout
        while self._pending and self.proc is not None:
            waiting, nonce = self._pending[0]
            try:
                self._replies[waiting] = self._receive(max(0.0, deadline - time.monotonic()), nonce)
                self._pending.popleft()
            except (TimeoutError, ChildDied):
                self.stop()
        self._replies.clear()

    def call(self, module, function, args, kwargs, timeout, reset=False, global_seed=None):
        """Call ``module.function(*args, **kwargs)`` in the child and wait for the reply."""
        ticket, _ = self.submit(module, function, args, kwargs, reset=reset, global_seed=global_seed)
        return self.result(ticket, timeout)
