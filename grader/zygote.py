"""The warm start of the grader's child processes: a zygote.

Starting a child as a fresh ``python`` that imports NumPy costs about as much as the
whole rest of a grade. Instead each grading process (``chainrule grade``, every worker of
``chainrule grade-all``) starts one *zygote* as early as it can: a fresh interpreter
(``python -I -S -u -B``, exec'd, a scrubbed environment, its own session, no descriptor
but its control socket) running a copy of ``grader/_child.py --zygote`` that imports NumPy
and the child runtime (and the copy of ``grader/landlock.py``) and nothing else. It never
sees ``solutions``, a recording, an expected value or a secret: it is exec'd before the
parent has any of them, and it learns nothing from the parent but each child's settings
(the same JSON a fresh child gets on its command line) and three descriptors.

Per child (``Zygote.spawn``) the parent sends the settings, the environment and the
child's ends of its three pipes over a Unix socket pair (``SOCK_SEQPACKET``, descriptors
by ``SCM_RIGHTS``); the zygote forks, and the fork makes itself the child a fresh start
would have been (``_child._become_child``: its own session, default signal handlers,
descriptors 0-4 only, the environment, argv, working folder and ``sys.path`` of a fresh
child) and then confines itself exactly as one (``_child._confine``) before it touches
student code. The zygote reaps its children and sends each one's exit status (a negative
number for a signal, as ``subprocess.Popen.returncode``); ``ZygoteChild`` is the part of
``Popen`` the sandbox uses (``pid``, ``poll``, ``wait``). The zygote is a child
subreaper: orphans of a child come back to it; its marker in the environment
(``MARKER_VAR``) is in every fork below it, so ``kill_tree`` finds forks that called
``setsid`` too.

The zygote ends, killing every child and their descendants, when its socket reaches its
end (the parent closed it or died: SIGKILL included) or when the parent dies
(``PR_SET_PDEATHSIG``); Ctrl-C reaches only the parent (the zygote has its own session
and ignores SIGINT), whose sandbox then kills the child. A child forked by the zygote
dies with it (``PR_SET_PDEATHSIG`` after the uid drop).

If the zygote cannot be started or stops answering, the sandbox starts its child as a
fresh interpreter as before (``Sandbox.start_mode`` says which, ``--debug`` prints it);
after ``MAX_STARTS`` zygotes in one process have failed, it stops trying.
``CHAINRULE_NO_ZYGOTE=1`` in the environment disables the warm start (for comparison).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from grader.limits import STARTUP_TIMEOUT
from grader.privileges import MARKER_VAR

CHILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child.py")
LANDLOCK_MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "landlock.py")
MAX_STARTS = 3              # zygotes one process may start (each failure falls back to a fresh child)
DISABLE_VAR = "CHAINRULE_NO_ZYGOTE"


class ZygoteUnusable(Exception):
    """The zygote could not start a child (it died, or did not answer in time)."""


class ZygoteChild:
    """A child forked by the zygote: what the sandbox uses of ``subprocess.Popen``.

    Asked for without waiting (``Zygote.spawn(wait=False)``), its pid is known once the
    zygote has said it forked: ``resolve`` waits for that (``ZygoteUnusable`` if it never
    does), ``pid`` resolves on first use."""

    def __init__(self, zygote, pid, deadline=None):
        self.zygote = zygote
        self._pid = pid
        self.returncode = None
        self.failed = None          # why the zygote did not fork it (an unresolved request)
        self._deadline = deadline   # of an unresolved request

    @property
    def pid(self):
        if self._pid is None:
            self.resolve()
        return self._pid

    def resolved(self):
        return self._pid is not None

    def resolve(self):
        """Wait until the zygote said it forked this child; ``ZygoteUnusable`` if it did not."""
        while self._pid is None:
            if self.failed is None and self.zygote.dead is not None:
                self.failed = self.zygote.dead      # closed or ended before it said so
            if self.failed is None and time.monotonic() > self._deadline:
                self.zygote.close()
                self.failed = f"no answer within {STARTUP_TIMEOUT:g} s"
            if self.failed is not None:
                raise ZygoteUnusable(self.failed)
            self.zygote.pump(max(0.0, self._deadline - time.monotonic()))
        return self._pid

    def poll(self):
        if self.returncode is None:
            self.zygote.pump(0)
        return self.returncode

    def wait(self, timeout=None):
        self.resolve()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise subprocess.TimeoutExpired("zygote child", timeout)
            self.zygote.pump(remaining)
        return self.returncode


def copy_runtime(folder):
    """Copy the child's script and ``landlock.py`` into ``folder``, readable by everyone
    (argv names no grader folder); returns the path of the script to run.

    That is the script's compiled form, ``child.pyc``, when the kit holds it up to date
    (``_compiled``: an installed kit, whose modules pip byte-compiles), with every code
    object's file name set to the copy of the source beside it, as running that copy would
    name it: the interpreter then runs it without compiling its 1,000 lines first (about
    15 ms of every warm process's or fresh child's start). Otherwise it is the copy of the
    source, ``child.py``."""
    script = os.path.join(folder, "child.py")
    shutil.copyfile(CHILD_SCRIPT, script)
    paths = [script, os.path.join(folder, "landlock.py")]
    shutil.copyfile(LANDLOCK_MODULE, paths[1])
    compiled = _compiled(CHILD_SCRIPT, script)
    if compiled is not None:
        paths.append(os.path.join(folder, "child.pyc"))
        with open(paths[-1], "wb") as fh:
            fh.write(compiled)
    for path in paths:
        os.chmod(path, 0o644)
    return paths[-1] if compiled is not None else script


def _compiled(source, filename):
    """``source``'s bytecode as a ``.pyc`` to run, its code named ``filename``, when the
    kit's own cache holds it valid for ``source``; else None.

    Only ``__pycache__/`` beside the source is read (never a ``PYTHONPYCACHEPREFIX`` tree,
    which anyone may have written), only a regular file reached without a link, owned by the
    source's owner or this user and writable by no one else, in a folder alike, and only a
    timestamp-checked ``.pyc`` of this interpreter, as ``compileall`` writes it: the magic
    number, the source's modification time and size."""
    import marshal
    import stat

    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    stem = os.path.splitext(os.path.basename(source))[0]
    cache = os.path.join(os.path.dirname(source), "__pycache__")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        src, where = os.stat(source), os.lstat(cache)
        fd = os.open(os.path.join(cache, f"{stem}.{tag}.pyc"), flags)
        try:
            st = os.fstat(fd)
            owners = {src.st_uid, os.geteuid()}
            if not (stat.S_ISDIR(where.st_mode) and stat.S_ISREG(st.st_mode) and where.st_uid in owners
                    and st.st_uid in owners and not (where.st_mode | st.st_mode) & 0o022):
                return None
            data = os.read(fd, st.st_size + 1)
        finally:
            os.close(fd)
    except OSError:
        return None
    if (len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER or data[4:8] != b"\0\0\0\0"
            or int.from_bytes(data[8:12], "little") != int(src.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(data[12:16], "little") != src.st_size & 0xFFFFFFFF):
        return None
    try:
        code = marshal.loads(data[16:])
    except (EOFError, ValueError, TypeError):
        return None
    return data[:16] + marshal.dumps(_named(code, filename))


def _named(code, filename):
    """``code`` and every code object in it, their ``co_filename`` set to ``filename``."""
    consts = tuple(_named(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def numpy_site(folder):
    """``folder/site``: a folder whose only importable packages are NumPy (links to the
    installed one, found without importing it), for the child's ``sys.path``."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("NumPy is not installed")
    site = os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0]))
    target = os.path.join(folder, "site")
    os.mkdir(target)
    for entry in ("numpy", "numpy.libs"):
        src = os.path.join(site, entry)
        if os.path.exists(src):
            os.symlink(src, os.path.join(target, entry))
    return target


class Zygote:
    """One warm process serving this process's sandboxes (see the module's text)."""

    def __init__(self):
        self.owner = os.getpid()
        self.marker = os.urandom(16).hex()      # in every process forked below the zygote
        self.children = {}                  # pid -> ZygoteChild, until its exit is reported
        self.dead = None                    # why it can no longer be used
        self._spawned = []
        self._unresolved = []               # children asked for without waiting, in order
        self._errors = []
        self._exits = {}                    # exits of children not registered yet
        self._forked = False                # whether it ever forked a child
        self._lock = threading.RLock()      # sandboxes in several threads share one zygote
        self.dir = tempfile.mkdtemp(prefix="chainrule-zygote-")
        try:
            site = numpy_site(self.dir)
            self.script = script = copy_runtime(self.dir)   # what runs: every child's argv[0]
            os.chmod(self.dir, 0o711)       # as root, the child's uid must reach NumPy's links
            os.chmod(site, 0o755)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            env = {
                MARKER_VAR: self.marker, "PATH": os.defpath, "HOME": self.dir, "TMPDIR": self.dir,
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            }   # nothing else: no PYTHON* variable, no secret; one thread (Landlock needs it)
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-u", "-B", script, "--zygote", site, str(theirs.fileno())],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env=env, pass_fds=(theirs.fileno(),), start_new_session=True, close_fds=True,
                    cwd=self.dir)
            finally:
                theirs.close()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.sock = ours
        self.sock.setblocking(False)

    @property
    def pid(self):
        return self.proc.pid

    def usable(self):
        return self.dead is None and self.owner == os.getpid()

    # ------------------------------------------------------------------ messages
    def pump(self, timeout=0):
        """Read what the zygote sent (waiting up to ``timeout`` seconds, None: forever, for
        the first message): exits, spawned pids, errors; its end marks it dead."""
        if self.dead is not None:
            return
        try:
            select.select([self.sock], [], [], timeout)     # not under the lock: may be long
        except (OSError, ValueError):
            pass
        with self._lock:
            self._read_all()

    def _read_all(self):
        while self.dead is None:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return
            except OSError as exc:
                data, why = b"", str(exc)
            else:
                why = "it ended"
            if not data:
                self._died(why)
                return
            try:
                message = json.loads(data.decode("utf-8"))
            except ValueError:
                self._died("it sent something unreadable")
                return
            if "exit" in message:
                child = self.children.pop(message["exit"], None)
                if child is not None:
                    child.returncode = int(message.get("code", -9))
                else:       # read together with its "spawned": _spawn takes it
                    self._exits[message["exit"]] = int(message.get("code", -9))
            elif "spawned" in message:
                if self._unresolved:        # answers come in the order of the requests
                    self._register(self._unresolved.pop(0), int(message["spawned"]))
                else:
                    self._spawned.append(int(message["spawned"]))
            elif "error" in message:
                if self._unresolved:
                    self._unresolved.pop(0).failed = str(message["error"])
                else:
                    self._errors.append(str(message["error"]))

    def _register(self, child, pid):
        child._pid = pid
        self._forked = True
        if pid in self._exits:
            child.returncode = self._exits.pop(pid)
        else:
            self.children[pid] = child

    def _died(self, why):
        self.dead = f"the warm process ended ({why})"
        for child in self.children.values():
            # its children die with it (PR_SET_PDEATHSIG); the sandbox kills what is left
            if child.returncode is None:
                child.returncode = -9
        self.children.clear()
        for child in self._unresolved:
            child.failed = self.dead
        self._unresolved.clear()
        try:
            self.sock.close()
        except OSError:
            pass

    def spawn(self, cfg, env, argv0, out_w, req_r, resp_w, timeout=STARTUP_TIMEOUT, wait=True):
        """Fork a child with these settings and pipe ends; a ``ZygoteChild``, or
        ``ZygoteUnusable`` (nothing was started then, or what was is killed). With
        ``wait=False`` only the request is sent: the zygote forks once it is ready (it may
        still be importing NumPy) while this process goes on, and the child's ``resolve``
        (or its first use) says whether it did."""
        with self._lock:
            return self._spawn(cfg, env, argv0, out_w, req_r, resp_w, timeout, wait)

    def _spawn(self, cfg, env, argv0, out_w, req_r, resp_w, timeout, wait=True):
        if not self.usable():
            raise ZygoteUnusable(self.dead or "it belongs to another process")
        request = json.dumps({"cfg": cfg, "env": env, "argv0": argv0}).encode("utf-8")
        deadline = time.monotonic() + timeout
        try:
            self.sock.setblocking(True)
            self.sock.settimeout(timeout)
            socket.send_fds(self.sock, [request], [out_w, req_r, resp_w])
        except OSError as exc:
            self._died(str(exc) or type(exc).__name__)
            raise ZygoteUnusable(self.dead) from None
        finally:
            if self.dead is None:
                self.sock.setblocking(False)
        if not wait:
            child = ZygoteChild(self, None, deadline)
            self._unresolved.append(child)
            return child
        while not self._spawned:
            remaining = deadline - time.monotonic()
            if self.dead is not None or self._errors or remaining <= 0:
                why = self.dead or (self._errors.pop(0) if self._errors else f"no answer within {timeout:g} s")
                self.close()
                raise ZygoteUnusable(why)
            self.pump(remaining)
        child = ZygoteChild(self, None)
        self._register(child, self._spawned.pop(0))
        return child

    def close(self):
        """End the zygote (it kills its children first) and remove its folder."""
        if self.owner != os.getpid():       # a fork's copy: the zygote is its parent's
            try:
                self.sock.close()
            except OSError:
                pass
            return
        if self.dead is None:
            # its folder first: the zygote removes it only when this process did not
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dead = "closed"
            try:
                self.sock.close()
            except OSError:
                pass
        if not self._forked and not self._unresolved and self.proc.poll() is None:
            self.proc.kill()        # it never forked: nothing to clean up, no need to wait for NumPy
        try:
            wait_exit(self.proc, 5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_exit(proc, timeout):
    """``proc.wait(timeout)``, woken by the exit itself where Linux offers a process
    descriptor (``Popen.wait`` with a timeout polls with growing sleeps, which made ending
    a grade a few milliseconds longer than the exit took)."""
    if proc.returncode is None and hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(proc.pid)
        except OSError:
            pass
        else:
            try:
                select.select([fd], [], [], timeout)
            finally:
                os.close(fd)
    return proc.wait(timeout=timeout)


_STATE = {"zygote": None, "starts": 0, "why": None, "owner": None}


def _reset_after_fork():
    """In a fork (a grade-all worker): the parent's zygote is not ours; forget it."""
    if _STATE["owner"] != os.getpid():
        old = _STATE["zygote"]
        if old is not None:
            old.close()         # closes only this fork's copy of the socket
        _STATE.update(zygote=None, starts=0, why=None, owner=os.getpid())


def get():
    """This process's usable zygote, started if need be, or None (``why_not()`` says why)."""
    _reset_after_fork()
    zygote = _STATE["zygote"]
    if zygote is not None and zygote.usable():
        zygote.pump(0)
        if zygote.usable():
            return zygote
    if zygote is not None:
        _STATE["why"] = zygote.dead
        zygote.close()
        _STATE["zygote"] = None
    if os.environ.get(DISABLE_VAR):
        _STATE["why"] = f"{DISABLE_VAR} is set"
        return None
    if _STATE["starts"] >= MAX_STARTS:
        _STATE["why"] = f"{MAX_STARTS} warm processes failed: {_STATE['why']}"
        return None
    _STATE["starts"] += 1
    try:
        _STATE["zygote"] = Zygote()
    except Exception as exc:  # noqa: BLE001 - e.g. no SOCK_SEQPACKET (macOS): start fresh children
        _STATE["why"] = f"the warm process could not start ({exc or type(exc).__name__})"
        return None
    return _STATE["zygote"]


start_early = get       # the grading commands call it first thing: NumPy loads meanwhile


def discard(zygote, why):
    """Stop using ``zygote`` (it failed); the next ``get`` starts another."""
    _STATE["why"] = why
    if _STATE["zygote"] is zygote:
        _STATE["zygote"] = None
    zygote.close()


def note_start(mode):
    """A sandbox started a child (``"warm"`` or ``"fresh (why)"``): kept for ``last_start``."""
    _STATE["last"] = mode


def last_start():
    """How this process's last grading child started, or None before any."""
    return _STATE.get("last")


def why_not():
    """Why the last child was not started warm (None when nothing went wrong)."""
    return _STATE["why"]


def shutdown():
    """End this process's zygote, if it has one (also at exit). An orderly end, not a
    failure: the next ``get`` may start ``MAX_STARTS`` more (a program that runs the
    ``chainrule`` command's ``main`` again and again keeps its warm start)."""
    _reset_after_fork()
    zygote = _STATE["zygote"]
    _STATE["zygote"] = None
    _STATE["starts"] = 0
    if zygote is not None:
        zygote.close()


atexit.register(shutdown)
