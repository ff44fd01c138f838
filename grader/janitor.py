"""Temporary folders of a grade removed even when the grading process is SIGKILLed.

A grade keeps the student's private copy, the child's run folder (what the submission
wrote), a converted notebook and, in ``grade-all``, a scratch folder in the system's
temporary folder. The process that made them removes them when it ends, on an error or
Ctrl-C too; a SIGKILL (an out-of-memory kill, ``kill -9``, a CI runner cancelled) gives it
no chance. So each grading process starts, the first time it makes such a folder
(``chainrule grade`` first thing, ``start``), one *janitor*: a fork of itself that runs
``_serve`` only (a fresh ``python -I -S`` running this file where a fork is not safe: another
thread running, NumPy's BLAS threads included), in its own session (a signal to the grader's
process group does not reach it), holding nothing but the read end of a pipe. The grader
writes ``+PATH`` when it makes a folder and ``-PATH`` when it has removed it. When the pipe
reaches its end, every writer is gone (the grader and, in ``grade-all``, its forked workers,
which inherit the write end): the janitor removes what is still listed, a few times over a
second in case a process of the run was still writing, and ends. It removes only paths the
grader named; the child never holds the pipe (every process that runs student code is
started with only the descriptors it needs).

A child started fresh (not forked by the zygote, whose children die with it) would go on
running after a SIGKILL of the grader: it is named to the janitor too (``k`` lines: pid,
start time, marker), which then kills it, its descendants and every process carrying its
marker before removing the folders. A pid counts only with the start time it had when it
was named, so a pid used again by another process is never killed.

Where the janitor cannot start, grading goes on as before (the grader still removes its
folders itself whenever it gets the chance).
"""

from __future__ import annotations

import os
import sys

# nothing else at the top: the janitor process starts while the grader and its warm process
# import NumPy on both cores, and shutil, subprocess and the like would triple its start
# (about 20 ms of CPU instead of 8); each is imported where it is used


def reopen(folder):
    """Give the folder ``folder`` (of this process's own user) mode 0700 again, never
    following a link to do so (it is opened with O_NOFOLLOW and changed through its
    descriptor: a folder swapped for a link meanwhile is not touched); whether it was done."""
    import stat

    try:
        fd = os.open(folder, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY)
    except (OSError, AttributeError):
        return False
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            return False
        os.chmod(f"/proc/self/fd/{fd}", 0o700)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def remove_tree(path):
    """Remove the folder ``path`` and everything in it, also what its owner made
    unreadable (a folder of mode 000 left by the submission); never follows a link and
    never changes anything above ``path``."""
    import shutil

    top = os.path.abspath(path)

    def retry(func, failed, _exc):
        if os.geteuid() == 0:       # root is refused nothing for a mode: no chmod as root,
            return                  # ever (a path swapped for a link must not be chmodded)
        for target in (os.path.dirname(failed), failed):
            target = os.path.abspath(target)
            if target == top or target.startswith(top + os.sep):
                reopen(target)
        try:
            func(failed)
        except OSError:
            pass

    if os.path.islink(path):
        os.unlink(path)
        return
    if os.path.isdir(path):
        shutil.rmtree(path, onerror=retry)
        if os.path.lexists(path):      # what a retry made listable only then
            shutil.rmtree(path, ignore_errors=True)


class _State:
    fd = None           # write end of the pipe to this process's janitor
    owner = None        # the pid that started it (a fork starts its own)
    proc = None         # the janitor: its pid (a fork) or its Popen (a fresh interpreter)
    failed = False


def _send(line):
    try:
        os.write(_State.fd, line)
    except OSError:
        _State.fd = None        # the janitor is gone: the grader still cleans up itself
        _State.failed = True


def start():
    """Start this process's janitor now, if it has none (``chainrule grade`` does it first
    thing, while the process is small: see ``_fork``); whether one is running."""
    return _start()


def _start():
    if _State.owner == os.getpid():
        return _State.fd is not None
    _State.owner, _State.fd, _State.proc, _State.failed = os.getpid(), None, None, False
    read, write = os.pipe()
    try:
        _State.proc = _fork(read) if _forkable() else _spawn(read)
    except OSError:
        os.close(write)
        _State.failed = True
        return False
    finally:
        os.close(read)
    _State.fd = write
    return True


def _forkable():
    """Whether this process may fork a janitor: POSIX, and no thread but this one, Python's
    or a library's (NumPy's BLAS starts some when it is imported: a fork of a threaded
    process could inherit a lock another thread held). ``chainrule grade`` forks it before
    NumPy is imported; a program that calls the grader after importing NumPy gets a fresh
    interpreter."""
    if not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.current_thread() is not threading.main_thread():
        return False
    return _threads() == 1


def _threads():
    """The threads of this process (``/proc/self/status``); 0 where it cannot be read."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _fork(read):
    """The janitor as a fork of this process, which runs ``_serve`` and nothing else: no
    interpreter to start (a fresh ``python`` costs about 10 ms of CPU while the grader and
    its warm process import NumPy on both cores). Before anything else it ignores the
    signals ``_serve`` ignores, takes a session of its own, points its standard streams at
    ``/dev/null`` and closes every other descriptor but ``read`` (the zygote's socket and
    any pipe of a child included: their ends must be held by their owners alone); it ends
    with ``os._exit``, never running this process's exit handlers or flushing its buffers.
    Returns its pid."""
    import fcntl
    import signal

    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        os.setsid()
        high = fcntl.fcntl(read, fcntl.F_DUPFD, 10)     # clear of 0-3, whatever ``read`` was
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        keep = os.dup2(high, 3)
        _close_all_but(keep)
        os.chdir("/")
        _serve(keep)
        code = 0
    finally:
        os._exit(code)


def _close_all_but(keep):
    """Close every descriptor of this process above ``keep`` (and from 4 on): those listed in
    ``/proc/self/fd``, whatever their number, else all below a generous bound."""
    try:
        listed = [int(name) for name in os.listdir("/proc/self/fd")]
    except (OSError, ValueError):
        os.closerange(max(keep, 3) + 1, 1 << 20)
        return
    for fd in listed:
        if fd > max(keep, 3):
            try:
                os.close(fd)
            except OSError:
                pass


def _spawn(read):
    """The janitor as a fresh ``python -I -S`` running this file (where fork is not safe):
    its ``Popen``."""
    import subprocess

    return subprocess.Popen(        # kept (``_State.proc``): it runs as long as this process
        [sys.executable, "-I", "-S", "-B", os.path.abspath(__file__), str(read)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        pass_fds=(read,), close_fds=True, start_new_session=True, cwd="/",
        env={"PATH": os.defpath, "LANG": "C.UTF-8"})


def watch(path):
    """Have ``path`` (a folder this process made) removed if this process is killed."""
    if _start():
        _send(b"+" + os.fsencode(os.path.abspath(path)) + b"\n")


def release(path):
    """``path`` was removed (or handed over): forget it."""
    if _State.owner == os.getpid() and _State.fd is not None:
        _send(b"-" + os.fsencode(os.path.abspath(path)) + b"\n")


def _stat_of(pid):
    """``(parent pid, start time)`` of the process ``pid`` (``/proc/PID/stat``), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
        rest = raw[raw.rindex(b")") + 2:].split()
        return int(rest[1]), int(rest[19])
    except (OSError, ValueError, IndexError):
        return None


def watch_process(pid, marker):
    """Have the process ``pid`` (a child started fresh, in a session of its own), its
    descendants and every process whose environment holds ``marker`` (``NAME=value``)
    killed if this process is killed. The pid counts only while its start time is the
    one it has now: a pid used again by another process is never killed."""
    known = _stat_of(pid)
    if known is not None and _start():
        _send(b"k%d %d " % (pid, known[1]) + os.fsencode(marker) + b"\n")


def release_process(pid):
    """The process ``pid`` was killed and reaped: forget it."""
    if _State.owner == os.getpid() and _State.fd is not None:
        _send(b"K%d\n" % pid)


def _kill_listed(procs):
    """SIGKILL the listed processes still alive (same start time), their descendants and
    every process carrying one of their markers, until none is left."""
    import signal
    import time

    needles = [marker for _start_time, marker in procs.values() if marker]
    me = os.getpid()
    for _round in range(20):
        table, doomed = {}, set()
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            known = _stat_of(pid)
            if known is None:
                continue
            table[pid] = known[0]
            if pid in procs and procs[pid][0] == known[1]:
                doomed.add(pid)
            elif needles and pid != me:
                try:
                    with open(f"/proc/{pid}/environ", "rb") as fh:
                        env = fh.read().split(b"\0")
                except OSError:
                    continue
                if any(n in env for n in needles):
                    doomed.add(pid)
        grew = True
        while grew:
            grew = False
            for pid, ppid in table.items():
                if ppid in doomed and pid not in doomed:
                    doomed.add(pid)
                    grew = True
        doomed.discard(me)
        if not doomed:
            return
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


def _serve(fd):
    import signal
    import time

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)   # it ends with its pipe, nothing else
    listed, procs, buf = {}, {}, b""
    while True:
        try:
            data = os.read(fd, 1 << 16)
        except InterruptedError:
            continue
        except OSError:
            break
        if not data:
            break
        buf += data
        *lines, buf = buf.split(b"\n")
        for line in lines:
            op, rest = line[:1], line[1:]
            if op in (b"+", b"-"):
                path = os.fsdecode(rest)
                if op == b"+" and os.path.isabs(path):
                    listed[path] = True
                else:
                    listed.pop(path, None)
            elif op == b"k":
                try:
                    pid, started, marker = rest.split(b" ", 2)
                    procs[int(pid)] = (int(started), marker if b"=" in marker else b"")
                except ValueError:
                    continue
            elif op == b"K":
                try:
                    procs.pop(int(rest), None)
                except ValueError:
                    continue
    if procs:
        _kill_listed(procs)     # first: nothing of the run may write while its folders go
    for _round in range(5):
        for path in list(listed):
            try:
                remove_tree(path)
            except OSError:
                pass
            if not os.path.lexists(path):
                del listed[path]
        if not listed:
            break
        time.sleep(0.25)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
