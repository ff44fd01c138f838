"""Linux Landlock through ``ctypes``: three system calls, no dependency.

Used by the grader's child process (``grader/_child.py`` loads this file by its path: the
child cannot import the grader) to confine itself before any student code runs, and by
the parent to know what the running kernel offers (``abi()``).

Why our own module rather than a maintained binding: the grader needs three system
calls and a dozen constants; a binding would be a dependency the child must be allowed to
read and import before it is confined, for no gain. The numbers and bits are the kernel's
UAPI (``linux/landlock.h``), identical on x86_64 and arm64.

Only the rights the running ABI knows are handled, and the ruleset attribute is sized for
that ABI (8 bytes up to ABI 3, 16 with the network field of ABI 4-5, 24 with the scope
field of ABI 6+): an older kernel rejects a larger attribute or unknown bits with EINVAL.
Where Landlock is missing (not Linux, a kernel before 5.13, Landlock disabled at boot, a
container whose seccomp filter refuses the calls) ``abi()`` is 0 and ``unavailable()``
says why; nothing is restricted then and the caller says so.
"""

import ctypes
import errno
import os
import platform
import stat

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# file-system rights (handled_access_fs), by the ABI that introduced them
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13          # ABI 2
FS_TRUNCATE = 1 << 14       # ABI 3
FS_IOCTL_DEV = 1 << 15      # ABI 5
# network rights (handled_access_net), ABI 4
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
# scopes (scoped), ABI 6
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

# rights that make sense on a file (not a folder) in a rule
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
READ = FS_READ_FILE | FS_READ_DIR


def fs_rights(abi_version):
    """Every file-system right the ABI knows."""
    rights = (1 << 13) - 1
    if abi_version >= 2:
        rights |= FS_REFER
    if abi_version >= 3:
        rights |= FS_TRUNCATE
    if abi_version >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def attr_size(abi_version):
    """Bytes of ``struct landlock_ruleset_attr`` the ABI understands."""
    if abi_version >= 6:
        return 24
    if abi_version >= 4:
        return 16
    return 8


_LIBC = []
_REASON = []


def _libc():
    if not _LIBC:
        # the C library already loaded (find_library would run ldconfig: slow)
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _syscall(number, *args):
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def abi():
    """The running kernel's Landlock ABI version, or 0 where Landlock cannot be used."""
    del _REASON[:]
    if platform.system() != "Linux":
        _REASON.append(f"not Linux ({platform.system()})")
        return 0
    try:
        return int(_syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(CREATE_RULESET_VERSION)))
    except OSError as exc:
        if exc.errno == errno.ENOSYS:
            _REASON.append("the kernel has no Landlock (before 5.13) or a filter hides it")
        elif exc.errno == errno.EOPNOTSUPP:
            _REASON.append("Landlock is disabled in this kernel")
        else:
            _REASON.append(f"Landlock is refused here ({errno.errorcode.get(exc.errno, exc.errno)})")
        return 0
    except (AttributeError, TypeError) as exc:     # no syscall() in this libc
        _REASON.append(f"no syscall() ({exc})")
        return 0


def unavailable():
    """Why ``abi()`` was 0 the last time it was called ("" when it was not)."""
    return _REASON[0] if _REASON else ""


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def restrict(read, write, listable=(), deny_tcp=True, scope=True):
    """Confine the calling thread (and what it starts afterwards) for good.

    ``read``: paths (files or folders) it may read, with everything below them;
    ``write``: folders it may read, write and change below; ``listable``: folders whose
    entries (and those of their subfolders) it may list, not read. Everything else on the file
    system is refused, and where the ABI has them, TCP bind/connect (ABI 4,
    ``deny_tcp``) and signals and abstract Unix sockets to processes outside the domain
    (ABI 6, ``scope``). A path that does not exist is skipped. Returns
    ``{"abi": n, "tcp": denied?, "scoped": scoped?}``; raises OSError when Landlock cannot
    be used (the caller has checked ``abi()`` first).
    """
    version = abi()
    if version <= 0:
        raise OSError(errno.ENOSYS, unavailable() or "no Landlock")
    handled_fs = fs_rights(version)
    fields = [handled_fs]
    tcp = scoped = False
    if version >= 4:
        fields.append(NET_BIND_TCP | NET_CONNECT_TCP if deny_tcp else 0)
        tcp = bool(deny_tcp)
    if version >= 6:
        fields.append(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if scope else 0)
        scoped = bool(scope)
    attr = (ctypes.c_uint64 * len(fields))(*fields)
    ruleset = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(attr_size(version)),
                       ctypes.c_uint32(0))
    try:
        for paths, rights in ((listable, FS_READ_DIR), (read, READ), (write, handled_fs)):
            for path in paths:
                _add_path(ruleset, path, rights & handled_fs)
        if _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return {"abi": version, "tcp": tcp, "scoped": scoped}


def _add_path(ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        _syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                 ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)
