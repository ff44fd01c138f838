"""The parent's side of the child process that runs student code (see ``grader/_child.py``).

One child serves the whole submission and is replaced only when it dies or is killed.
It is forked from this process's warm process (``grader.zygote``: NumPy and the child
runtime only, exec'd, never a fork of the grader) and made exactly what a fresh start
would be; when the warm process is unusable it is started fresh (``start_mode`` says
which). Either way it runs as ``python -I -S -u -B`` in its own session, with a scrubbed environment, a
private working directory, ``sys.path`` = (a folder holding only a link to NumPy, the
standard library), an address-space limit and a file-size limit. Its stdout and stderr
go to one pipe that the parent drains whenever it waits (so output is captured per
function and capped). Every process the child starts inherits a marker in its
environment; on a timeout, or when grading ends, the parent SIGKILLs the child's process
group, every descendant found through ``/proc`` parent links, and every process carrying
the marker (which finds those that called ``setsid`` and were re-parented), repeating
until none is left.

What comes back is decoded (``grader.wire``) as ``.npy`` data by a strict parser (format 1.0 as the
child writes it, numeric dtypes, the body's length checked against the header before
anything is allocated; never ``numpy.load``, never pickle). A reply must repeat its
request's nonce, checked before the rest is read, and may be at most ``MAX_FRAME`` bytes
(a longer one is not read). Any
failure to decode a reply, whatever the exception, kills the child and fails only that
call as "sent back something unreadable"; nothing else the child sends is trusted.

The submission is imported as the package ``exercises`` (also under its folder's name)
from its own path; neither its parent folder nor site-packages is on ``sys.path``: in a
repository the parent folder also holds ``solutions/``.

Confinement. Before the child imports anything of the submission it confines itself
(``grader/_child.py``, ``_confine``): as root a network namespace of its own and a
dedicated unprivileged uid (``grader.privileges``); for any user, where the kernel has
it, Landlock (``grader/landlock.py``: read only Python, NumPy and the submission, write
only its run folder, no TCP, no signals out). Its hello says what held; ``describe()``
is the reports' ``sandbox:`` line. The child runs copies of ``_child.py`` and
``landlock.py`` in its temporary folder, so neither ``sys.argv`` nor its working folder
reveals where the grader (or ``solutions/``) is installed. The environment is scrubbed:
PATH, HOME and TMPDIR (the run folder), LANG and LC_ALL, the thread-count variables and
the marker; ``-I`` ignores PYTHON*, ``-B`` writes no bytecode.

The child imports a private copy of the submission, at any uid (``_prepare``): made by
``grader.submission_copy.safe_copy`` with the seed's own filter (no ``__pycache__``, no
hidden entry), so what the child can import or read is what the seed hashes; Landlock
lets it read that copy alone.

Disk. The child's run folder is kept from call to call; the parent measures it after
every reply and every ``DISK_CHECK_EVERY`` seconds while it waits (``disk_used``, with
the files the child's processes hold open after unlinking them: ``deleted_files_held``).
Over ``RUN_DISK_LIMIT`` bytes or ``RUN_MAX_ENTRIES`` entries the child is killed, its
files removed and the call fails (``ChildDied``, kind ``disk``); from then on nothing of
the submission runs (``spent``). The temporary folder is named to ``grader.janitor``,
which removes it if this process is SIGKILLed.

The parent never waits unbounded: every write of a request and every read of a reply
has a deadline (the function's remaining time), during which the child's output pipe is
drained (what is over ``OUTPUT_CAP`` is dropped with one note, so a flood of prints
neither blocks the child nor fails the function). The temporary folder (the private
copy, NumPy's link folder, the scripts) is made once per submission and reused by every
restart; each child gets a fresh run folder.

Seams: the wire format is ``grader.wire``, the values ``grader.values``, the limits
``grader.limits``, the policy ``grader.privileges``.

Limits, knowingly (docs/SECURITY.md has the full table):

- Without Landlock and not as root, the child runs as the grader's own user: it can read
  what that user can, signal the grader and write anywhere that user can; the grader
  then checks its own files after the run (``grader.engine``) and stops if they changed.
- Without Landlock, as root, the sandbox uid can read every world-readable file,
  including ``..`` of the descriptors it holds to Python and NumPy: protect the
  reference by its mode (``reference_exposure`` checks it, ``--require-isolation``
  refuses).
- Time and memory are limited per function.
"""

from __future__ import annotations

import collections
import json
import os
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time


from chainrule_core.errors import ChainruleError
from grader import wire
from grader.limits import (DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DISK_CHECK_EVERY, FSIZE_LIMIT, IO_CHUNK, NOFILE_LIMIT,
                           MAX_DATA, MAX_FRAME, NPROC_LIMIT, OUTPUT_CAP, RUN_DISK_LIMIT, RUN_MAX_ENTRIES,
                           STARTUP_TIMEOUT, mb)
from grader import janitor, zygote
from grader.janitor import remove_tree
from grader.submission_copy import safe_copy
from grader.zygote import ZygoteChild, ZygoteUnusable
from grader.privileges import (MARKER_VAR, check_submission, describe, descriptor_roots, kill_tree,
                               landlock_plan, private_copy, reap_uid, remove_uid_files, sandbox_ids)
from grader.privileges import _has_marker, _proc_table, _uid_processes, descendants



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


def _wait_fd(fd, write, deadline, also=None, on_also=None, tick=None):
    """Wait until ``fd`` is readable (or writable); meanwhile call ``on_also`` whenever
    ``also`` is readable, and ``tick`` every ``DISK_CHECK_EVERY`` seconds (not at every
    wake-up: a flood of output wakes this loop thousands of times). TimeoutError at
    ``deadline``."""
    ticked = time.monotonic()
    while True:
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            raise TimeoutError
        rlist = [] if write else [fd]
        if also is not None:
            rlist.append(also)
        wait = remaining if tick is None else max(0.0, min(remaining, ticked + DISK_CHECK_EVERY - now))
        ready_r, ready_w, _ = select.select(rlist, [fd] if write else [], [], wait)
        if also is not None and also in ready_r:
            on_also()
        if (write and ready_w) or (not write and fd in ready_r):
            return
        if tick is not None and time.monotonic() - ticked >= DISK_CHECK_EVERY:
            ticked = time.monotonic()
            tick()


def disk_used(folder, most_bytes, most_entries):
    """``(bytes, entries)``: the disk space the files and folders below ``folder`` take
    (allocated blocks: a sparse file counts what it really takes) and how many there are;
    counting stops once either is over its ``most_``. Links are not followed."""
    used = entries = 0
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            it = os.scandir(current)
        except PermissionError:
            # a folder the submission made unreadable (mode 000; root is never refused):
            # made readable again, else counted as over the limit (hidden from the measure)
            if not janitor.reopen(current):
                return most_bytes + 1, entries
            try:
                it = os.scandir(current)
            except OSError:
                return most_bytes + 1, entries
        except OSError:
            continue
        with it:
            for entry in it:
                entries += 1
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                used += st.st_blocks * 512
                if used > most_bytes or entries > most_entries:
                    return used, entries
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    return used, entries


def deleted_files_held(pids):
    """The disk space taken by files that the processes ``pids`` hold open but that have
    no name any more (written, then unlinked: invisible to ``disk_used``)."""
    seen, used = set(), 0
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 0 and (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                used += st.st_blocks * 512
    return used


READ_AHEAD = 1 << 16        # bytes a small read of the reply pipe takes when they are there
PIPE_SIZE = 1 << 20         # the reply pipe's capacity, where the system allows it (Linux)


def _widen(fd):
    """Give the pipe ``fd`` a capacity of ``PIPE_SIZE`` bytes where the system allows it.

    A pipe holds 64 KiB by default: a reply of 480 KB (a distribution case's samples) then
    crosses it in eight turns of writing and reading, each a wake-up of the other side."""
    try:
        import fcntl
    except ImportError:
        return
    if hasattr(fcntl, "F_SETPIPE_SZ"):     # Linux only
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        except OSError:
            pass    # a smaller limit (/proc/sys/fs/pipe-max-size): as before


#: the grading process's own work while it waits (``Sandbox.idle``) stops this long before a
#: reply's deadline
IDLE_MARGIN = 0.05


class Sandbox:
    """One child process serving calls into a submission; restarted when it dies.

    ``full_echo`` (a class attribute, for tests): the child sends every argument back
    whole, never ``{"t": "same"}`` (and so never goes on with a chain of steps on its own).

    The temporary folder (the private copy of the submission, NumPy's link folder, the
    child's script) is made once and reused by every restart; each child gets a fresh,
    empty run folder.
    """

    full_echo = False

    def __init__(self, submission, memory_mb=DEFAULT_MEMORY_MB, protected=(), warm=True):
        self.submission = os.path.realpath(submission)
        check_submission(self.submission)
        self.memory_mb = memory_mb
        self.protected = [os.path.realpath(p) for p in protected]   # never readable by the child
        self.proc = None
        self.imported = {}          # module -> None (ok) or an error dict
        # the grading process's own work, done while a reply is not there yet: a callable
        # doing one piece and saying whether more is left (engine.Ahead.step), or None
        self.idle = None
        self.shifted = 0.0          # seconds of this process's work past a deadline (``_work_until``)
        self._shift_base = 0.0      # ``shifted`` when the reply being read was first awaited
        self._workdir = None
        self._pending_bytes = b""
        self._read_buf = bytearray()    # reply bytes read ahead (see _read_exact)
        self._held = []                 # requests not written yet (submit's ``hold``)
        self.chained = []               # tickets of the calls chained to the last submit
        self.last_more = False          # whether the last reply said its chain goes on
        self._dropped = 0           # bytes of output dropped over the cap since the last take
        self._copy_prefix = None
        self._ready = False
        self._pending = collections.deque()   # tickets sent, reply not read yet
        self._replies = {}
        self._ticket = 0
        self._out = None            # read end of the child's stdout/stderr pipe
        self._out_open = False
        self._timed_out = False     # the last child was killed for a deadline
        self.confinement = None     # the child's own account of its layers (its hello)
        self.ids = None             # (uid, gid) of the child when the grader runs as root
        self._id_lock = None        # held while this sandbox may use that uid
        self.warm = warm            # fork children from the zygote (grader.zygote)
        self._zygote = None
        self.start_mode = None      # "warm", or "fresh (why)": how the last child started
        self.disk_limit = RUN_DISK_LIMIT    # what the submission's files may take (grader.limits)
        self.max_entries = RUN_MAX_ENTRIES
        self.over_disk = None       # once over: why, and no more of the submission runs
        self._run_dir = None
        self._disk_checked = 0.0    # when the run folder was last measured
        self._disk_cost = 0.0       # and how long that took
        self._running = ""          # what the child was last asked to do, for messages
        if os.geteuid() == 0:
            uid, gid, self._id_lock = sandbox_ids()
            self.ids = (uid, gid)

    # ------------------------------------------------------------------ lifecycle
    def _prepare(self):
        """The temporary folder shared by every child of this sandbox (made once)."""
        self._workdir = tempfile.mkdtemp(prefix="chainrule-grade-")
        janitor.watch(self._workdir)     # removed even if this process is SIGKILLed
        self._numpy_dir = zygote.numpy_site(self._workdir)
        base = os.path.basename(self.submission)
        os.mkdir(os.path.join(self._workdir, "sub"), 0o711)
        submission = os.path.join(self._workdir, "sub", base)
        # The child imports and reads a private copy, never the submission in place, at any
        # uid: the copy holds exactly what the seed hashes and the reports show (no
        # __pycache__, no hidden file: grader.submission_copy.not_graded), and Landlock
        # lets the child read that copy alone.
        if self.ids is not None:
            # as root (Gradescope), the child becomes an unprivileged user before it runs
            # student code; it reads a copy of the submission only it (and root) may read
            uid, gid = self.ids
            os.chmod(self._workdir, 0o711)
            os.chmod(self._numpy_dir, 0o755)
            private_copy(self.submission, submission, uid, gid)
            self._fd_roots = descriptor_roots(uid, gid)
        else:
            safe_copy(self.submission, submission)
        if not os.path.exists(os.path.join(submission, "_common.py")):
            # the skeleton's given helpers, when only the modules were handed in (grader.given)
            from grader.given import supply

            supply(submission, self.ids)
        self._sub_copy = submission
        self._copy_prefix = os.path.dirname(submission) + os.sep   # shown as the original's
        # the runtime's copy, for a child started fresh (``_fresh_script``); a warm child runs
        # the warm process's copy (its argv[0]), which has loaded landlock.py already
        self._script = os.path.join(self._workdir, "child.py")
        self._landlock_module = os.path.join(self._workdir, "landlock.py")

    def start(self, wait=True, fresh=False):
        """Start the child; with ``wait=False`` return at once (it gets ready meanwhile:
        from the warm process, only the request to fork it is sent). ``fresh``: not from
        the warm process (it failed to fork this child)."""
        if self._workdir is None:
            self._prepare()
        run_dir = os.path.join(self._workdir, "run")
        if os.path.lexists(run_dir):
            try:
                remove_tree(run_dir)    # the last child's files, folders it made unreadable too
            except OSError:
                pass
        os.mkdir(run_dir, 0o700)
        self._run_dir = run_dir
        self.marker = os.urandom(16).hex()
        base = os.path.basename(self.submission)
        drop = None
        if self.ids is not None:
            uid, gid = self.ids
            drop = {"uid": uid, "gid": gid, "nproc": NPROC_LIMIT, "fd_roots": self._fd_roots}
            os.chown(run_dir, uid, gid)
        aliases = [base] if base.isidentifier() and base not in ("numpy", "exercises") else []
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        _widen(resp_r)      # a distribution case's samples in one piece, not sixteen
        self._hello = wire.new_nonce()
        cfg = {
            "numpy_dir": self._numpy_dir, "submission": self._sub_copy, "package": "exercises",
            "aliases": aliases, "req_fd": req_r, "resp_fd": resp_w, "workdir": run_dir,
            "memory_mb": self.memory_mb, "fsize": FSIZE_LIMIT, "nofile": NOFILE_LIMIT, "max_data": MAX_DATA,
            "drop": drop,
            "hello": self._hello,
            "landlock": landlock_plan(run_dir, self._sub_copy, self.protected, self._landlock_module),
        }
        env = {
            MARKER_VAR: self.marker, "PATH": os.defpath, "HOME": run_dir, "TMPDIR": run_dir,
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        }   # nothing else: no PYTHON* variable (``-I`` ignores them anyway), no secrets
        self.proc = None
        try:
            self._zygote = zygote.get() if self.warm and not fresh else None
            if self._zygote is not None:
                try:
                    self.proc = self._zygote.spawn(cfg, env, self._zygote.script, out_w, req_r, resp_w,
                                                   wait=wait)
                    self.start_mode = "warm"
                except ZygoteUnusable as exc:
                    zygote.discard(self._zygote, str(exc))
                    self._zygote = None
            if self.proc is None:
                why = zygote.why_not() if self.warm else "the warm start is off"
                self.start_mode = "fresh" + (f" ({why})" if why else "")
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-u", "-B", self._fresh_script(), json.dumps(cfg)],
                    stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, env=env,
                    pass_fds=(req_r, resp_w), start_new_session=True, close_fds=True, cwd=run_dir,
                )
                # it would outlive a SIGKILL of this process (a zygote's child dies with it)
                janitor.watch_process(self.proc.pid, f"{MARKER_VAR}={self.marker}")
        finally:
            for fd in (req_r, resp_w, out_w):
                os.close(fd)
        zygote.note_start(self.start_mode)
        for fd in (req_w, resp_r, out_r):
            os.set_blocking(fd, False)
        self._req, self._resp, self._out = req_w, resp_r, out_r
        self._read_buf = bytearray()
        self._out_open = True       # until every writer of the output pipe has gone
        self._timed_out = False
        # a new child has imported nothing; a module whose import failed (raised, hung,
        # ended the process) is not tried again: it would fail the same way
        self.imported = {m: e for m, e in self.imported.items() if e is not None}
        self._ready = False
        if wait:
            self._await_ready()

    def _fresh_script(self):
        """The runtime copied into the work folder (once): the script a fresh child runs,
        ``child.pyc`` or ``child.py``, and the ``landlock.py`` it loads (``_landlock_module``)."""
        if not os.path.exists(self._landlock_module):
            self._script = zygote.copy_runtime(self._workdir)
        return self._script

    def _await_ready(self):
        """Wait for the child's hello (it imports NumPy and confines itself first)."""
        if self._ready:
            return
        if isinstance(self.proc, ZygoteChild) and not self.proc.resolved():
            if self.idle is not None:   # the warm process may still be importing NumPy
                zygote_ = self._zygote
                self._work_until(lambda: zygote_.pump(0) or self.proc.resolved() or not zygote_.usable())
            try:
                self.proc.resolve()     # the warm process said it forked the child
            except ZygoteUnusable as exc:   # it did not: a fresh child, as start() would
                zygote.discard(self._zygote, str(exc))
                self._zygote = None
                self._close_pipes()
                self.proc = None
                self.start(wait=False, fresh=True)
        try:
            header, _ = self._receive(STARTUP_TIMEOUT, self._hello)
            if not header.get("ready"):
                raise ChildDied("it did not say it was ready")
        except (ChildDied, TimeoutError) as exc:
            reason = exc.reason if isinstance(exc, ChildDied) else f"no answer within {STARTUP_TIMEOUT:g} s"
            output = self.take_output().strip()
            self.stop()
            last = f" ({output.splitlines()[-1]})" if output else ""
            raise ChainruleError(f"The grader's child process could not start: {reason}{last}.") from None
        info = header.get("confinement")
        self.confinement = info if isinstance(info, dict) else {}
        self._ready = True

    def ready(self):
        """Wait until the child is running and confined; ``describe()`` then holds."""
        self.ensure()

    def describe(self):
        """One line naming the layers in force (``grader.privileges.describe``)."""
        return describe(self.ids, self.confinement)

    def landlocked(self):
        return bool(((self.confinement or {}).get("landlock") or {}).get("abi"))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _forked(self):
        """Whether the child exists (False: the warm process never forked it)."""
        if isinstance(self.proc, ZygoteChild) and not self.proc.resolved():
            try:
                self.proc.resolve()
            except ZygoteUnusable:
                return False
        return True

    def _close_pipes(self):
        for fd in (self._req, self._resp, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
        self._out = None

    def _kill(self, timed_out=False):
        """End this child's life: kill it and everything it started (the folder stays)."""
        if self.proc is not None:
            if self._forked():
                self._kill_tree()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
                    pass
            self._drain_output()
            self._close_pipes()
            if isinstance(self.proc, subprocess.Popen):
                janitor.release_process(self.proc.pid)
            self.proc = None
            self._pending.clear()
            self._replies.clear()
            self._held.clear()
            self._timed_out = timed_out
        if self.ids is not None:
            reap_uid(*self.ids)     # whatever left the tree or changed its environment

    def _kill_tree(self):
        """SIGKILL the child and all it started; below the zygote, forks of forks too
        (they carry the zygote's marker; the zygote itself is spared)."""
        if isinstance(self.proc, ZygoteChild):
            z = self.proc.zygote
            kill_tree(self.proc.pid, self.marker, also=z.marker, spare=(z.pid,))
        else:
            kill_tree(self.proc.pid, self.marker)

    def stop(self):
        """Kill the child and everything it started; remove every file of the run,
        the sandbox uid's files outside it included (where Landlock did not confine it)."""
        self._kill()
        if self.ids is not None and not self.landlocked():
            remove_uid_files(self.ids[0])
        if self._workdir is not None:
            try:
                remove_tree(self._workdir)
            except OSError:
                pass
            janitor.release(self._workdir)
            self._workdir = None

    # ------------------------------------------------------------------ the disk limit
    def _disk_tick(self):
        """While the parent waits for the child: measure what the submission wrote."""
        self._check_disk(held=True)

    def _check_disk(self, held=False):
        """Kill the child and fail (``ChildDied``, kind ``disk``) when the run folder takes
        more than ``disk_limit`` bytes or holds more than ``max_entries`` entries; with
        ``held``, files the child's processes keep open after unlinking them count too."""
        if self._run_dir is None or self.proc is None or self.over_disk:
            return
        start = time.monotonic()
        used, entries = disk_used(self._run_dir, self.disk_limit, self.max_entries)
        self._disk_checked = time.monotonic()
        self._disk_cost = self._disk_checked - start
        if held and used <= self.disk_limit and entries <= self.max_entries:
            used += deleted_files_held(self._tree_pids())
        if used > self.disk_limit or entries > self.max_entries:
            self._over_disk(entries > self.max_entries)

    def _tree_pids(self):
        """Every process of the submission (not waiting for an unresolved fork): the child,
        every process below it, and those that left the tree (a double fork makes an orphan,
        adopted by the zygote or init): as root every process of the sandbox uid, else every
        process carrying the child's marker (as ``kill_tree`` finds them)."""
        if self.proc is None or (isinstance(self.proc, ZygoteChild) and not self.proc.resolved()):
            return []
        table = _proc_table()
        tree = descendants({self.proc.pid}, table)
        if self.ids is not None:
            tree.update(_uid_processes(self.ids[0]))
        else:
            # a fork of the zygote shows the zygote's environment in /proc (its marker), not
            # the one the child set: as ``_kill_tree`` does, both, the zygote itself spared
            needles, spare = [f"{MARKER_VAR}={self.marker}".encode()], {os.getpid()}
            if isinstance(self.proc, ZygoteChild):
                needles.append(f"{MARKER_VAR}={self.proc.zygote.marker}".encode())
                spare.add(self.proc.zygote.pid)
            tree.update(pid for pid in table if pid not in tree and pid not in spare and _has_marker(pid, needles))
        return sorted(tree)

    def _over_disk(self, entries):
        what = (f"made more than {self.max_entries} files and folders" if entries
                else f"wrote more than {mb(self.disk_limit)} MB of files")
        self.over_disk = (what, self._running)
        self._kill()
        try:
            remove_tree(self._run_dir)
        except OSError:
            pass
        raise ChildDied(f"your code {what} (the limit for everything a submission writes while it is "
                        "graded): the process was killed, its files were removed, and no more of the "
                        "submission's code is run", kind="disk")

    def spent(self):
        """None, or the sentence that says why no more of the submission runs."""
        if not self.over_disk:
            return None
        what, during = self.over_disk
        return (f"not run: the submission {what} while {during} (the limit for everything a submission "
                "writes while it is graded), so no more of its code is run")

    def ensure(self):
        """A running, ready child (a new one when the last died or was killed)."""
        if not self.alive():
            if self.proc is not None:
                self._kill()
            self.start()
        self._await_ready()

    # ------------------------------------------------------------------ output capture
    def _drain_output(self):
        """Read what the child printed so far (at most 16 chunks a call; callers that wait
        call it again); beyond the cap it is dropped (counted)."""
        if self._out is None:
            return
        room = OUTPUT_CAP * 4 + 1
        for _chunk in range(16):    # bounded: a writer that never stops must not hold us here
            try:
                chunk = os.read(self._out, IO_CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not chunk:
                self._out_open = False      # at its end: select would wake us for nothing
                return
            keep = max(0, room - len(self._pending_bytes))
            self._pending_bytes += chunk[:keep]
            self._dropped += len(chunk) - min(keep, len(chunk))

    def _watch(self):
        """The output pipe while something may still write to it, else None."""
        return self._out if self._out is not None and self._out_open else None

    def take_output(self):
        """The student's stdout/stderr since the last call of this method, capped."""
        self._drain_output()
        text = self._unmap(self._pending_bytes.decode("utf-8", "replace"))
        dropped = self._dropped
        self._pending_bytes, self._dropped = b"", 0
        if len(text) > OUTPUT_CAP or dropped:
            text = text[:OUTPUT_CAP] + f"\n... (output cut at {OUTPUT_CAP} characters)\n"
        return text

    def _unmap(self, text):
        """``text`` with the private copy's paths shown as the submission's own, from the folder
        that holds it (``exercises/activations.py``), as the child's frames name files: a
        warning's "file:line:" then reads the same locally, in grade-all and on Gradescope,
        never an autograder's or a temporary folder's absolute path."""
        if self._copy_prefix:
            text = text.replace(self._copy_prefix, "")
        return text

    # ------------------------------------------------------------------ messages
    def _send(self, header, nonce, blobs=(), timeout=DEFAULT_TIMEOUT, hold=False):
        """Write a request within ``timeout`` seconds (draining the child's output
        meanwhile): a child that stops reading is killed (TimeoutError). Requests held
        back (``hold``: written with the next request or ``flush``) go first; returns the
        request's size."""
        frame = wire.frame(header, blobs, nonce)
        self._held.append(frame)
        if not hold:
            self.flush(timeout)
        return len(frame)

    def flush(self, timeout=DEFAULT_TIMEOUT):
        """Write the requests held back (``submit(hold=True)``), in one piece."""
        if not self._held:
            return
        if self.proc is None:       # the child was killed meanwhile: nothing to write to
            self._held.clear()
            return
        data = memoryview(b"".join(self._held))
        self._held.clear()
        deadline = time.monotonic() + timeout
        try:
            while data:
                _wait_fd(self._req, True, deadline, self._watch(), self._drain_output, self._disk_tick)
                try:
                    n = os.write(self._req, data[:IO_CHUNK])
                except BlockingIOError:
                    continue
                data = data[n:]
        except TimeoutError:
            self._kill(timed_out=True)
            raise
        except OSError:
            raise self._died() from None

    def _died(self):
        if not self._forked():
            return ChildDied(f"the process running your code did not start ({self.proc.failed})")
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill_tree()
            code = self.proc.wait(timeout=5)
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return ChildDied(f"the process running your code crashed ({name})")
        # sys.exit is reported as itself (the child catches SystemExit): an exit status here
        # means the process ended without Python's own exit
        return ChildDied(f"the process running your code ended with exit status {code} (likely os._exit in "
                         "your code, or something that killed the process)")

    def _read_exact(self, n, deadline):
        """The next ``n`` bytes of the reply pipe. Small reads take what is there (up to
        ``READ_AHEAD`` bytes: the next replies of pipelined calls, read in one system call
        instead of three per reply) and keep the rest for the next read; a larger one is read
        into a buffer of its own (``_read_into``)."""
        held = self._read_buf
        if len(held) >= n:
            data = bytes(held[:n])
            del held[:n]
            return data
        if n > READ_AHEAD:
            return self._read_into(n, deadline)
        chunks, got = [bytes(held)], len(held)
        held.clear()
        while got < n:
            if time.monotonic() >= self._moved(deadline):
                raise TimeoutError
            want = n - got
            try:
                chunk = os.read(self._resp, min(max(want, READ_AHEAD), IO_CHUNK))
            except BlockingIOError:
                self._await_reply(deadline)
                continue
            if not chunk:
                raise self._died()
            if len(chunk) > want:
                held += chunk[want:]
                chunk = chunk[:want]
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _await_reply(self, deadline):
        """Until the reply pipe has something to read (or ``deadline``): this process's own
        work meanwhile (``_work_until``), else a wait that drains the child's output."""
        if self.idle is not None and self._work_until(self._reply_readable, deadline):
            return
        _wait_fd(self._resp, False, self._moved(deadline), self._watch(), self._drain_output, self._disk_tick)

    def _read_into(self, n, deadline):
        """The next ``n`` bytes of the reply pipe as a ``bytearray`` they are read into (a
        large reply: its arrays are made from it without a copy, ``wire.load_array``);
        nothing past them is read."""
        buf = bytearray(n)
        view = memoryview(buf)
        held = self._read_buf
        got = len(held)
        view[:got] = held
        held.clear()
        while got < n:
            if time.monotonic() >= self._moved(deadline):
                raise TimeoutError
            try:
                k = os.readv(self._resp, [view[got:got + IO_CHUNK]])
            except BlockingIOError:
                self._await_reply(deadline)
                continue
            if not k:
                raise self._died()
            got += k
        return buf

    def _work_until(self, ready, deadline=None):
        """Do pieces of ``idle`` (the grading process's own work) while this process waits:
        True once ``ready()`` says the wait is over, False when no work is left or
        ``deadline`` is less than ``IDLE_MARGIN`` away (then wait as usual). A piece takes a
        few milliseconds at most; one that runs past the margin adds its overrun to
        ``shifted``, which moves the deadline of the reply being read on (``_moved``) and
        which a function's time leaves out, so that the child is never charged for this
        process's work."""
        while True:
            stop = None if deadline is None else self._moved(deadline) - IDLE_MARGIN
            if stop is not None and time.monotonic() >= stop:
                return False
            if not self.idle():
                self.idle = None
                return False
            late = 0.0 if stop is None else time.monotonic() - stop
            if late > 0:
                self.shifted += late
            if ready():
                return True

    def _reply_readable(self):
        return bool(select.select([self._resp], [], [], 0)[0])

    def _moved(self, deadline):
        """``deadline`` moved on by this process's own work past it while the current reply
        was awaited (``_work_until``)."""
        return deadline + self.shifted - self._shift_base

    def _unreadable(self, why):
        self._kill()
        return ChildDied(f"the process running your code sent back something unreadable ({why})",
                         kind="error")

    def _receive(self, timeout, nonce):
        """The next reply frame as ``(header, arrays)``; it must carry ``nonce``.

        Its announced length is checked against ``MAX_FRAME`` and its nonce against
        ``nonce`` before anything more is read; anything wrong with it (a forged or
        truncated frame, JSON nested too deeply, a bad array, a reply to another request)
        kills the child and raises ``ChildDied`` (kind ``error``): the submission wrote to
        the reply pipe. ``TimeoutError`` when nothing complete came in time.
        """
        deadline = time.monotonic() + timeout
        self._shift_base = self.shifted
        try:
            size = wire.frame_size(self._read_exact(8, deadline))
            if size > MAX_FRAME:
                self._kill()
                raise ChildDied(f"the process running your code sent back a reply of more than "
                                f"{mb(MAX_DATA)} MB (the limit; it was not read)",
                                kind="error")
            if size < wire.NONCE_BYTES or not wire.nonce_matches(self._read_exact(wire.NONCE_BYTES, deadline),
                                                                 nonce):
                raise self._unreadable("a reply out of sequence: did your code write to the grader's pipe?")
            header, arrays = wire.parse_payload(self._read_exact(size - wire.NONCE_BYTES, deadline))
        except (TimeoutError, ChildDied):
            raise
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            raise self._unreadable(wire.exception_text(exc)) from None
        return header, arrays

    def _not_running(self):
        if self._timed_out:
            return TimeoutError()
        return ChildDied("the process running your code was not running")

    # ------------------------------------------------------------------ operations
    def import_module(self, module, timeout):
        """Import ``module`` of the submission; returns None or an error dict.

        A failed import is remembered across restarts of the child and never retried.
        """
        if self.imported.get(module) is not None:
            return self.imported[module]
        if self.over_disk:
            return {"ok": False, "kind": "died", "message": self.spent()}
        self._running = f"{module} was imported"
        self.ensure()               # a restarted child has imported nothing yet
        if module in self.imported:
            return self.imported[module]
        nonce = wire.new_nonce()
        try:
            self._send({"op": "import", "module": module}, nonce, timeout=timeout)
            header, _ = self._receive(timeout, nonce)
        except TimeoutError:
            self._kill(timed_out=True)
            error = {"ok": False, "kind": "timeout", "message": f"importing it took longer than {timeout:g} s"}
            self.imported[module] = error
            return error
        except ChildDied as exc:
            self._kill()
            error = {"ok": False, "kind": "died", "message": exc.reason}
            self.imported[module] = error
            return error
        error = None if header.get("ok") is True else wire.clean_error(header)
        if error is not None:
            error["message"] = self._unmap(error["message"])
        self.imported[module] = error
        try:
            self._check_disk()          # what the import wrote
        except ChildDied as exc:
            error = {"ok": False, "kind": "died", "message": exc.reason}
            self.imported[module] = error
        return error

    def submit(self, module, function, args, kwargs=None, reset=False, global_seed=None,
               timeout=DEFAULT_TIMEOUT, hold=False, chain=None):
        """Send a call without waiting (within ``timeout`` seconds); returns ``(ticket,
        bytes sent)``. With ``hold``, the request is written later, together with the next
        one sent or by ``flush`` (several calls in one write: one wake-up of the child);
        waiting for any reply writes it first.

        ``chain``: ``(rule, steps)``, the calls that follow this one, each fed by the child
        with the previous output (one request, one reply per call: a steps case without a
        round trip per step). ``steps`` holds each later call's arguments, ``FromOutput(i)``
        where item ``i`` of the previous output goes (``rule``: -1, the output is an array
        and is fed itself; n, it is a tuple or list of n arrays). The child stops the chain
        after a call that failed, changed an argument or returned another shape; a reply
        says whether the next follows (``last_more`` after ``result``), and ``cancel``
        forgets the tickets of calls that will not come. Returns ``(ticket, bytes)``, the
        later calls' tickets in ``chained``.

        Replies come back in the order of the requests; ``result(ticket)`` collects one.
        Callers keep the bytes in flight well below a pipe's capacity (64 KiB), so that
        the child can never block on a full request pipe while the parent waits; a
        request larger than that (an array the submission returned, fed back) is written
        against the same deadline.
        """
        if self.over_disk:
            raise ChildDied(self.spent(), kind="disk")
        if not self.alive():
            if self.proc is not None:
                raise self._died()
            raise self._not_running()
        self._running = f"{module}.{function} was graded"
        blobs = []
        nonce = wire.new_nonce()
        header = {
            "op": "call", "module": module, "function": function, "reset": reset,
            "global_seed": global_seed,
            "args": [wire.encode_arg(a, blobs) for a in args],
            "kwargs": {k: wire.encode_arg(v, blobs) for k, v in (kwargs or {}).items()},
        }
        nonces = []
        if self.full_echo:
            header["full_echo"] = True
        if chain is not None:
            rule, steps = chain
            nonces = [wire.new_nonce() for _ in steps]
            header["chain"] = {"out": int(rule), "nonces": nonces,
                               "steps": [[wire.encode_arg(a, blobs) for a in step] for step in steps]}
        if sum(len(b) for b in blobs) > MAX_DATA:
            raise ChildDied(f"an argument of more than {mb(MAX_DATA)} MB (returned by your code "
                            "and passed back) was not sent", kind="error")
        size = self._send(header, nonce, blobs, timeout=timeout, hold=hold)
        self._ticket += 1
        self._pending.append((self._ticket, nonce))
        first = self._ticket
        self.chained = []
        for later in nonces:
            self._ticket += 1
            self._pending.append((self._ticket, later))
            self.chained.append(self._ticket)
        return first, size

    def cancel(self, tickets):
        """Forget ``tickets`` of chained calls the child will not make (see ``submit``)."""
        gone = set(tickets)
        self._pending = collections.deque(p for p in self._pending if p[0] not in gone)

    def pending(self):
        return len(self._pending)

    def result(self, ticket, timeout):
        """The reply to ``ticket``: ``(Returned result, [Returned args after the call], {})``.

        Raises ``CallFailed`` when the function raised, ``TimeoutError`` (the child has
        then been killed) or ``ChildDied``. Replies to earlier tickets read on the way
        are kept for their own ``result`` call.
        """
        deadline = time.monotonic() + timeout
        if ticket not in self._replies and self._held and self.proc is not None:
            self.flush(timeout)     # its request may be among those held back
        while ticket not in self._replies:
            if not self._pending or self.proc is None:
                raise self._not_running()
            waiting, nonce = self._pending[0]
            try:
                reply = self._receive(max(0.0, deadline - time.monotonic()), nonce)
            except TimeoutError:
                self._kill(timed_out=True)
                raise
            except ChildDied:
                self._kill()
                raise
            self._pending.popleft()
            self._replies[waiting] = reply
        reply, arrays = self._replies.pop(ticket)
        self._drain_output()
        if self._disk_cost < 0.001 or time.monotonic() - self._disk_checked > DISK_CHECK_EVERY:
            self._check_disk()      # after every call (an empty run folder costs microseconds;
                                    # a crowded one is measured every DISK_CHECK_EVERY seconds)
        self.last_more = reply.get("more") is True
        if reply.get("ok") is not True:
            info = wire.clean_error(reply)
            info["message"] = self._unmap(info["message"])
            raise CallFailed(info)
        try:
            result = wire.decode(reply["result"], arrays)
            inputs = [wire.decode_input(t, arrays) for t in reply.get("inputs", [])]
            kwinputs = {k: wire.decode_input(t, arrays) for k, t in reply.get("kwinputs", {}).items()}
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            raise self._unreadable(wire.exception_text(exc)) from None
        return result, inputs, kwinputs

    def drain(self, timeout):
        """Wait for (and drop) every outstanding reply; kills the child on a timeout."""
        deadline = time.monotonic() + timeout
        if self._held and self.proc is not None:
            try:
                self.flush(timeout)
            except (TimeoutError, ChildDied):
                self._kill()
        while self._pending and self.proc is not None:
            waiting, nonce = self._pending[0]
            try:
                self._replies[waiting] = self._receive(max(0.0, deadline - time.monotonic()), nonce)
                self._pending.popleft()
            except (TimeoutError, ChildDied):
                self._kill()
        self._replies.clear()

    def call(self, module, function, args, kwargs, timeout, reset=False, global_seed=None):
        """Call ``module.function(*args, **kwargs)`` in the child and wait for the reply."""
        ticket, _ = self.submit(module, function, args, kwargs, reset=reset, global_seed=global_seed,
                                timeout=timeout)
        return self.result(ticket, timeout)
