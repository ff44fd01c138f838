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

What comes back is decoded (``grader.wire``) as ``.npy`` data by a strict parser (format 1.0 as the
child writes it, numeric dtypes, the body's length checked against the header before
anything is allocated; never ``numpy.load``, never pickle). A reply must repeat its
request's nonce and may be at most ``MAX_FRAME`` bytes (a longer one is not read). Any
failure to decode a reply, whatever the exception, kills the child and fails only that
call as "sent back something unreadable"; nothing else the child sends is trusted.

The submission is imported as the package ``exercises`` (also under its folder's name)
from a private copy (``grader.submission_copy``: no link out of the submission is followed,
such a link is refused); neither its parent folder nor site-packages is on ``sys.path``: in
a repository the parent folder also holds ``solutions/``.

Privileges. When the grader runs as root, the child drops to a dedicated unprivileged uid
before it imports student code, and every process of that uid is killed when the
child's life ends: see ``grader.privileges``, the one module that does anything as root.
The child runs a copy of ``_child.py`` in its temporary folder, so neither ``sys.argv``
nor its working folder reveals where the grader (or ``solutions/``) is installed. The
environment is scrubbed: PATH, HOME and TMPDIR (the working folder), LANG and LC_ALL,
the thread-count variables and the marker; ``-I`` ignores PYTHON*.

Seams: the wire format is ``grader.wire``, the values ``grader.values``, the limits
``grader.limits``.

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
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import numpy as np

from chainrule_core.errors import ChainruleError
from grader import wire
from grader.limits import (DEFAULT_MEMORY_MB, FSIZE_LIMIT, IO_CHUNK, MAX_DATA, MAX_FRAME,
                           NPROC_LIMIT, OUTPUT_CAP, STARTUP_TIMEOUT, mb)
from grader.privileges import MARKER_VAR, kill_tree, reap_uid, sandbox_ids
from grader.submission_copy import safe_copy

CHILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child.py")


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


class Sandbox:
    """One child process serving calls into a submission; restarted when it dies."""

    def __init__(self, submission, memory_mb=DEFAULT_MEMORY_MB):
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
            "memory_mb": self.memory_mb, "fsize": FSIZE_LIMIT, "max_data": MAX_DATA, "drop": drop,
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
        data = memoryview(wire.frame(header, blobs))
        size = len(data)
        try:
            while data:
                n = os.write(self._req, data[:IO_CHUNK])
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
            chunk = os.read(self._resp, min(n - got, IO_CHUNK))
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
            size = wire.frame_size(self._read_exact(8, deadline))
            if size > MAX_FRAME:
                self.stop()
                raise ChildDied(f"the process running your code sent back a reply of more than "
                                f"{mb(MAX_DATA)} MB (the limit; it was not read)",
                                kind="error")
            header, arrays = wire.parse_payload(self._read_exact(size, deadline), nonce)
        except (TimeoutError, ChildDied):
            raise
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            self.stop()
            raise ChildDied(f"the process running your code sent back something unreadable "
                            f"({wire.exception_text(exc)})", kind="error") from None
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
        nonce = wire.new_nonce()
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
        error = None if header.get("ok") is True else wire.clean_error(header)
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
        nonce = wire.new_nonce()
        header = {
            "op": "call", "n": nonce, "module": module, "function": function, "reset": reset,
            "global_seed": global_seed,
            "args": [wire.encode_arg(a, blobs) for a in args],
            "kwargs": {k: wire.encode_arg(v, blobs) for k, v in (kwargs or {}).items()},
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
            info = wire.clean_error(reply)
            info["message"] = self._unmap(info["message"])
            raise CallFailed(info)
        try:
            result = wire.decode(reply["result"], arrays)
            inputs = [wire.decode(t, arrays) for t in reply.get("inputs", [])]
            kwinputs = {k: wire.decode(t, arrays) for k, t in reply.get("kwinputs", {}).items()}
        except Exception as exc:  # noqa: BLE001 - whatever it is, the reply is unreadable
            self.stop()
            raise ChildDied(f"the process running your code sent back something unreadable "
                            f"({wire.exception_text(exc)})", kind="error") from None
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
