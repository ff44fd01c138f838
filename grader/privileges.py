"""Privileges and process reaping: everything the grader does as root, in one place.

When the grader runs as root (Gradescope runs it so), the child gives up root before it
imports student code: it opens its import roots (the standard library, NumPy) as
directories and reaches them through ``/proc/self/fd`` (the Python installation may lie
below ``/root``), limits the processes of its new uid (``RLIMIT_NPROC`` =
``grader.limits.NPROC_LIMIT``, against fork bombs), then calls ``setgroups([])`` and sets
real, effective and saved gid and uid to a dedicated id (``sandbox_ids``: the first of
``SANDBOX_IDS``, from 2**31 - 1001 down, that no account, group or running process uses,
and whose lock in a root-only folder no other grader holds; the drop itself happens in
the child, ``grader/_child.py``, which cannot import this module). It imports a private
copy of the submission (``grader.submission_copy``: no link followed out of it, files
made world-readable) and may write only in its own working folder. Since nothing else runs as
that uid, every process it has belongs to the submission: after each child's life and
when grading ends, ``reap_uid`` kills them all, repeating until ``/proc`` shows none.

Whatever the uid, ``kill_tree`` SIGKILLs the child's process group, every descendant
found through ``/proc`` parent links and every process carrying the child's environment
marker (``MARKER_VAR``), repeating until none is left. ``readable_by`` tells whether the
sandbox uid could read a package's Python files (the grader warns when it could read the
live ``solutions``).
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import time
import warnings

from chainrule_core.errors import ChainruleError

MARKER_VAR = "CHAINRULE_GRADER_MARKER"
# When the grader runs as root, the child becomes a uid (and gid) of its own: the first of
# these that no account, no group and no running process uses. Every process of that uid
# is then the submission's, so all of them can be killed at once, whatever they did to
# leave the process tree or their environment.
SANDBOX_IDS = tuple(2 ** 31 - 1001 - k for k in range(32))


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
