"""Confinement policy and process reaping: what the child may do, decided in one place.

As root (Gradescope runs the grader so) the child gives up root before it imports
student code (the drop itself happens in ``grader/_child.py``, which cannot import this
module): a dedicated uid and gid (``sandbox_ids``: the first of ``SANDBOX_IDS``, from
2**31 - 1001 down, that no account, group or running process uses, and whose lock in a
root-only folder no other grader holds), ``RLIMIT_NPROC`` = ``grader.limits.NPROC_LIMIT``,
a network namespace of its own. It imports a private copy of the submission
(``private_copy``: 0700 folders and 0600 files owned by that uid, a link inside the
submission copied as the file it names) after ``check_submission`` refused links out of
it, special files, compiled modules and oversized trees.
Since nothing else runs as that uid, every process it has belongs to the submission:
after each child's life ``reap_uid`` kills them all, and ``remove_uid_files`` removes
what it left in ``/tmp``, ``/var/tmp`` and ``/dev/shm`` where Landlock did not stop it.

For any user, where the kernel has Landlock, the child confines itself with the rules
``landlock_plan`` makes: read the standard library, NumPy, the shared libraries already
loaded and the submission (``child_read_paths``; never a folder holding the grader, the
reference or a recording), write only its run folder. ``describe`` turns the child's
account of what held into the reports' ``sandbox:`` line; ``reference_exposure`` says
whether the reference could be read (``--require-isolation``, the release build);
``kit_fingerprint`` lets a non-root grader without Landlock notice a rewritten kit.

Whatever the uid, ``kill_tree`` SIGKILLs the child's process group, every descendant
found through ``/proc`` parent links and every process carrying the child's environment
marker (``MARKER_VAR``), repeating until none is left. docs/SECURITY.md has the threat
model and what each mode protects.
"""

from __future__ import annotations

import os
import shutil
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
    """``(pid, contents of /proc/PID/NAME)`` for every process visible in /proc. Read with
    ``os.open``/``os.read`` (no file object: half the time of ``open`` for these small files,
    read at every end of a child)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for pid in names:
        if not pid.isdigit():
            continue
        try:
            fd = os.open(f"/proc/{pid}/{name}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            continue
        finally:
            os.close(fd)
        yield int(pid), b"".join(chunks)


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
                if state is not None:   # State: comes first (fs/proc/array.c): nothing more to read
                    break
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


def _searchable(path, uid, gid):
    try:
        return _permits(os.stat(path), uid, gid, 1)
    except OSError:
        return False


def _reachable(folder, uid, gid, start):
    """Whether ``uid`` can walk from the folder ``start`` (``/``, or a folder it holds a
    descriptor to) to ``folder``: up with ``..`` to their common folder, then down; each
    folder it looks a name up in needs search permission, not those above ``start``."""
    common = os.path.commonpath([start, folder])
    path = start
    while True:
        if not _searchable(path, uid, gid):
            return False
        if path == common:
            break
        path = os.path.dirname(path)
    for part in [p for p in os.path.relpath(folder, common).split(os.sep) if p not in ("", ".")]:
        path = os.path.join(path, part)
        if not _searchable(path, uid, gid):
            return False
    return True


def descriptor_roots(uid=SANDBOX_IDS[0], gid=SANDBOX_IDS[0]):
    """The import roots (the standard library, NumPy) the child, as root, opens and keeps
    as descriptors before it drops to ``uid``: those ``uid`` cannot reach by path (Python
    below ``/root``). Without Landlock, ``..`` from them leads wherever search permission
    allows, whatever the modes above them (``readable_by``'s ``roots``)."""
    import sysconfig

    import numpy

    roots = [os.path.realpath(sysconfig.get_paths()["stdlib"]),
             os.path.realpath(os.path.dirname(numpy.__file__))]
    return [r for r in roots if os.path.isdir(r) and not _reachable(r, uid, gid, os.sep)]


def readable_by(folder, uid, gid, roots=()):
    """Whether a process running as ``uid``/``gid`` (no other groups) could read one of the
    Python files of the package ``folder``: the folder must be reachable from ``/`` or
    from one of ``roots`` (folders it holds descriptors to, see ``_reachable``), then a
    ``.py`` file (or a ``.pyc`` in ``__pycache__``) needs read permission."""
    folder = os.path.realpath(folder)
    if not any(_reachable(folder, uid, gid, start) for start in [os.sep, *roots]):
        return False
    places = [(folder, ".py"), (os.path.join(folder, "__pycache__"), ".pyc")]
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


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device file"), (stat.S_ISBLK, "a device file"))
def check_submission(folder):
    """Refuse, in one sentence (``ChainruleError``), a submission the grader will not copy
    or import: anything but regular files, folders and links to a regular file inside it
    (FIFOs, devices, links out of it or to a folder), more than ``SUBMISSION_MAX_FILES``
    entries, folders nested deeper than ``SUBMISSION_MAX_DEPTH``, more than
    ``SUBMISSION_MAX_BYTES``, a compiled module (``.so``, ``.pyd``: the contract
    is ``.py`` files) or a folder named like a contract module (it would be imported
    instead of the student's ``.py``). Nothing is followed out of the submission. Hidden
    entries and caches (``submission_copy.not_graded``: a .venv, .git) are left out, as
    the copy leaves them out.
    """
    from grader.submission_copy import SubmissionRefused

    from chainrule_core.contract import CONTRACT
    from grader.limits import (COMPILED_SUFFIXES, SUBMISSION_MAX_BYTES, SUBMISSION_MAX_DEPTH,
                               SUBMISSION_MAX_FILES, mb)
    from grader.submission_copy import not_graded

    folder = os.path.realpath(folder)
    shown = os.path.basename(folder)
    count = total = 0
    stack = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            raise ChainruleError(f"Cannot read the submission folder '{current}': {exc.strerror}.") from None
        for entry in entries:
            if not_graded(entry.name):
                continue
            rel = os.path.join(shown, os.path.relpath(entry.path, folder))
            count += 1
            if count > SUBMISSION_MAX_FILES:
                raise SubmissionRefused(f"Submission '{shown}' holds more than {SUBMISSION_MAX_FILES} files and "
                                     "folders (the limit); remove what is not part of the exercises.")
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                _check_link(entry.path, folder, rel)
                continue
            for test, what in _KINDS:
                if test(st.st_mode):
                    raise SubmissionRefused(f"Submission entry '{rel}' is {what}; a submission may hold only "
                                         "regular files and folders.")
            if stat.S_ISDIR(st.st_mode):
                if depth == 0 and entry.name in CONTRACT:
                    raise SubmissionRefused(f"Submission folder '{rel}' has the name of the contract module "
                                         f"{entry.name}.py and would be imported instead of it; rename or "
                                         "remove it.")
                if depth + 1 > SUBMISSION_MAX_DEPTH:
                    raise SubmissionRefused(f"Submission folder '{rel}' is nested more than {SUBMISSION_MAX_DEPTH} "
                                         "folders deep (the limit).")
                stack.append((entry.path, depth + 1))
                continue
            if entry.name.lower().endswith(COMPILED_SUFFIXES) or ".so." in entry.name.lower():
                raise SubmissionRefused(f"Submission file '{rel}' is a compiled module; the contract is .py "
                                     "files only: remove it.")
            total += st.st_size
            if total > SUBMISSION_MAX_BYTES:
                raise SubmissionRefused(f"Submission '{shown}' holds more than {mb(SUBMISSION_MAX_BYTES)} MB "
                                     "(the limit); remove data files that are not part of the exercises.")


def _check_link(path, folder, rel):
    """A link is graded only as the regular file it names inside the submission (the copy
    holds that file's contents); a link out of it, to a folder or nowhere is refused."""
    from grader.submission_copy import SubmissionRefused

    target = os.readlink(path)
    resolved = os.path.realpath(path)
    if os.path.commonpath([resolved, folder]) != folder:
        raise SubmissionRefused(f"Submission refused: '{rel}' is a link to '{target}', outside the submission "
                                "folder; submit the file itself (links that leave the submission are never "
                                "followed).")
    if not os.path.isfile(resolved) or os.path.islink(os.path.join(os.path.dirname(path), target)):
        raise SubmissionRefused(f"Submission refused: '{rel}' is a link to '{target}', which is not a regular "
                                "file of the submission; submit the file itself.")


def private_copy(submission, target, uid, gid):
    """Copy the (checked) submission to ``target``, readable by ``uid`` only (and root).

    ``check_submission`` has refused special files and links out; ``safe_copy`` follows no
    link out either and copies a link inside as the file it names. Folders become 0700 and
    files 0600, owned by the sandbox uid: other users of a shared grading machine cannot
    read a student's code while it is graded.
    """
    from grader.submission_copy import safe_copy

    safe_copy(submission, target)
    for root, dirs, files in os.walk(target):
        os.lchown(root, uid, gid)
        os.chmod(root, 0o700)
        for name in files:
            path = os.path.join(root, name)
            os.lchown(path, uid, gid)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


def remove_uid_files(uid, folders=SHARED_FOLDERS, limit=200000):
    """Remove what ``uid`` left in the world-writable folders (as root, after a run that
    Landlock did not confine): the next submission, run as the same uid, must not find
    a message or code from this one. Returns the paths removed.

    A folder of another owner that others may not enter (no ``o+x``, such as pytest's
    0700 folders of root) is not walked: ``uid`` could not have reached anything below it.
    Each shared folder has its own budget of ``limit`` entries, so a crowded /tmp does not
    keep /var/tmp and /dev/shm from being searched."""
    removed = []
    for base in folders:
        if not os.path.isdir(base) or os.path.islink(base):
            continue
        seen = 0
        for root, dirs, files in os.walk(base):
            keep = []
            for name in list(dirs) + files:
                seen += 1
                if seen > limit:
                    break
                path = os.path.join(root, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if st.st_uid != uid:
                    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_IXOTH:
                        keep.append(name)
                    continue
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        continue
                removed.append(path)
            dirs[:] = [d for d in dirs if d in keep]
            if seen > limit:
                break
    return removed


def kit_fingerprint(paths):
    """``{file: sha256}`` of every file below ``paths`` (the grader, the reference, a
    recording): a non-root grader without Landlock compares it before and after a run."""
    import hashlib

    found = {}
    for top in paths:
        top = os.path.realpath(top)
        walk = [(top, [], [""])] if os.path.isfile(top) else os.walk(top)
        for root, _dirs, files in walk:
            for name in files:
                path = os.path.join(root, name) if name else root
                try:
                    with open(path, "rb") as fh:
                        found[path] = hashlib.sha256(fh.read()).hexdigest()
                except OSError:
                    found[path] = None
    return found


def changed_files(before, after):
    """Files added, removed or changed between two ``kit_fingerprint``s, sorted."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


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


def _has_marker(pid, needles):
    """Whether the environment ``pid`` started with holds one of ``needles``."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            environ = fh.read()
    except OSError:
        return False
    return any(needle in environ for needle in needles)


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        return raw[raw.rindex(b")") + 2:].split()[0] == b"Z"
    except (OSError, ValueError, IndexError):
        return True


def descendants(roots, table):
    """``roots`` and every process below them in ``table`` (pid -> parent pid, ``_proc_table``)."""
    found, grew = set(roots), True
    while grew:
        grew = False
        for pid, ppid in table.items():
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def kill_tree(root_pid, marker, also=None, spare=()):
    """SIGKILL ``root_pid``, its process group, all descendants and all marked processes
    (``marker``, and ``also`` when given), except ``spare`` (the zygote, which carries
    ``also`` itself)."""
    me = os.getpid()
    needles = [f"{MARKER_VAR}={m}".encode() for m in (marker, also) if m]
    spare = set(spare)
    for _round in range(50):
        table = _proc_table()
        doomed = descendants({root_pid} if root_pid in table else set(), table)
        for pid in table:
            if pid != me and pid not in doomed and _has_marker(pid, needles):
                doomed.add(pid)
        doomed.discard(me)
        doomed -= spare
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
        _await_death(doomed, 0.005)
        # reap what is ours; others are reaped by their parent (or by init)
        for pid in doomed:
            try:
                os.waitpid(pid, os.WNOHANG)
            except (ChildProcessError, OSError):
                pass
        if doomed == {root_pid}:
            alive = [p for p in _proc_table()
                     if (p == root_pid or _has_marker(p, needles)) and p not in spare and not _zombie(p)]
            if not alive:
                return


def _await_death(pids, timeout):
    """Wait (up to ``timeout`` seconds, polling every half millisecond) until each of
    ``pids`` has died (gone, or a zombie): a SIGKILLed process takes a moment to die, and a
    fixed pause made ending every grade several milliseconds longer than that moment."""
    deadline = time.monotonic() + timeout
    waiting = set(pids)
    while True:
        waiting = {pid for pid in waiting if not _zombie(pid)}
        if not waiting or time.monotonic() >= deadline:
            return
        time.sleep(0.0005)


# ------------------------------------------------------------------ Landlock: what the child may read
_SITE_DIRS = ("site-packages", "dist-packages")


def _real(path):
    return os.path.realpath(path)


def _below(path, folder):
    """Whether ``path`` is ``folder`` or lies below it (both real paths)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _mapped_libraries():
    """The shared libraries this process has loaded (its /proc/self/maps)."""
    files = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/") and ".so" in parts[5]:
                    files.add(parts[5].strip())
    except OSError:
        pass
    return files


def kit_folders():
    """Real paths of the grader's own installed packages (never readable by the child):
    ``grader``, ``chainrule_core`` and the CLI package ``chainrule`` (found, not imported:
    the grader sits below the CLI)."""
    import importlib.util

    import chainrule_core
    import grader

    folders = [_real(os.path.dirname(m.__file__)) for m in (grader, chainrule_core)]
    spec = importlib.util.find_spec("chainrule")
    if spec is not None and spec.submodule_search_locations:
        folders.extend(_real(p) for p in spec.submodule_search_locations)
    return folders


def child_read_paths(protected=()):
    """``(read, listable)``: what the child may read under Landlock, besides its own run
    folder and the submission.

    ``read``: the standard library's entries (not its ``site-packages``), NumPy and its
    bundled libraries, the shared libraries the grader has loaded (outside
    any ``site-packages``), the system library folders and the loader's cache.
    ``listable``: the standard library's folder itself, whose names Python's importer
    lists. A path that is, or lies above, one of ``protected`` (the reference, the
    grader, a recording) is left out, so no rule ever covers them; when one lies below
    the standard library (the kit installed in its ``site-packages``), the library's
    entries are allowed one by one, its ``site-packages`` not. Cached per ``protected``.
    """
    key = tuple(protected)
    if key not in _READ_PATHS:
        _READ_PATHS[key] = _child_read_paths(key)
    return _READ_PATHS[key]


_READ_PATHS = {}


def _child_read_paths(protected):
    import sysconfig

    import numpy

    stdlib = _real(sysconfig.get_paths()["stdlib"])
    guarded = [_real(p) for p in protected]
    read, listable = [], [stdlib]
    if not any(_below(g, stdlib) for g in guarded):
        read.append(stdlib)     # one rule: nothing protected lies below it
    else:
        try:
            for name in sorted(os.listdir(stdlib)):
                if name not in _SITE_DIRS:
                    read.append(os.path.join(stdlib, name))
        except OSError:
            pass
    np_dir = _real(os.path.dirname(numpy.__file__))
    read.append(np_dir)
    read.append(os.path.join(os.path.dirname(np_dir), "numpy.libs"))
    site_dirs = {_real(p) for key in ("purelib", "platlib") for p in [sysconfig.get_paths()[key]]}
    for folder in sorted(_mapped_libraries()):     # each file, not its folder
        folder = _real(folder)
        if any(part in _SITE_DIRS for part in folder.split(os.sep)) and not _below(folder, np_dir):
            continue
        if any(_below(folder, s) for s in site_dirs) and not _below(folder, np_dir):
            continue
        read.append(folder)
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in ("/lib64", "/usr/lib64", f"/lib/{arch}" if arch else "", f"/usr/lib/{arch}" if arch else ""):
        if folder and os.path.isdir(folder):
            read.append(_real(folder))
    read.extend(["/etc/ld.so.cache", "/dev/null", "/dev/urandom"])
    keep = []
    for path in read:
        if path not in keep and os.path.exists(path) and not any(_below(g, path) for g in guarded):
            keep.append(path)
    listable = [p for p in listable if not any(g == p for g in guarded)]
    return keep, listable


def landlock_plan(run_dir, submission, protected, module):
    """The Landlock rules for the child (``CFG["landlock"]``), or None where the kernel has
    no Landlock (``{"unavailable": why}``): read what ``child_read_paths`` allows and the submission, write only
    ``run_dir``. ``module`` is the copy of ``grader/landlock.py`` the child loads."""
    from grader import landlock

    if landlock.abi() <= 0:
        return {"unavailable": landlock.unavailable() or "unavailable"}
    read, listable = child_read_paths(protected)
    return {"module": module, "read": read + [submission], "listable": listable,
            "write": [run_dir, "/dev/null"]}


def describe(ids, info):
    """One line naming the layers in force for a run, from the child's own account."""
    info = info or {}
    # "a uid of its own", not its number: which free uid a run gets varies, and the
    # report of the same submission must be the same byte for byte
    parts = ["a uid of its own" if ids else "your own user"]
    lock = info.get("landlock") or {}
    if lock.get("abi"):
        parts.append(f"landlock ABI {lock['abi']}")
    else:
        parts.append(f"no landlock ({lock.get('why') or 'unavailable'})")
    filtered = bool((info.get("seccomp") or {}).get("calls"))     # no socket of any kind
    if info.get("net") == "namespace" or filtered:
        parts.append("no network")
    elif lock.get("tcp"):
        parts.append("no TCP")
    if lock.get("scoped"):
        parts.append("no signals out")
    if filtered:
        parts.append("no sockets, IPC or keyrings")
    return "sandbox: " + " · ".join(parts)


def installed_solutions():
    """The folder of the importable ``solutions`` package (an instructor's checkout), found
    without importing it (nothing of it runs in the grader); None where there is none (a
    student's copy) or where ``solutions`` is not a package."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("solutions")
    except (ImportError, ValueError):
        return None
    places = list(spec.submodule_search_locations or ()) if spec is not None else []
    return places[0] if places else None


def reference_exposure(folder=None, ids=None, confinement=None):
    """Whether student code graded here could read the reference: None when it could not,
    else one sentence saying why it could and what to do.

    ``folder``: the reference package (default: the importable ``solutions``,
    ``installed_solutions``; None when there is none, nothing to expose) or a recording file. ``ids`` and ``confinement``:
    a running ``Sandbox``'s (its uid and the child's account of its layers); without
    them, what a grade on this machine, as this user, would get. For the release build
    and autograders, which refuse to deploy or grade when it is not None.
    """
    from grader import landlock

    if folder is None:
        folder = installed_solutions()
        if folder is None:
            return None
    folder = os.path.realpath(folder)
    if confinement is not None:
        lock = (confinement.get("landlock") or {})
        abi, why = lock.get("abi", 0), lock.get("why", "")
    else:
        abi, why = landlock.abi(), landlock.unavailable()
    if abi:
        return None     # no Landlock rule covers the reference (``child_read_paths``)
    root = ids is not None or (confinement is None and os.geteuid() == 0)
    if not root:
        return (f"The reference at {folder} is readable by submissions: they run as your own user and "
                f"Landlock is unavailable ({why or 'unavailable'}); grade as root or on a kernel with Landlock.")
    uid, gid = ids if ids is not None else (SANDBOX_IDS[0], SANDBOX_IDS[0])
    if os.path.isfile(folder):
        st = os.stat(folder)
        readable = (_permits(st, uid, gid, 4)
                    and any(_reachable(os.path.dirname(folder), uid, gid, s)
                            for s in [os.sep, *descriptor_roots(uid, gid)]))
    else:
        readable = readable_by(folder, uid, gid, descriptor_roots(uid, gid))
    if readable:
        return (f"The reference at {folder} is readable by the sandbox user and Landlock is unavailable "
                f"({why or 'unavailable'}); chmod 700 it (and 700 a folder above it that is not on the way "
                "to Python or NumPy) or grade with a recording only root can read.")
    return None
