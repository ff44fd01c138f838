"""The grader's child process: imports the submission and calls its functions.

Run as ``python -I -S -u _child.py CONFIG_JSON`` by ``grader.sandbox`` (never imported):
``-I -S`` leave only the standard library on ``sys.path``; this script adds a folder
that holds NumPy alone, so neither ``solutions`` nor the grader is importable here.
Or, the warm start (``grader.zygote``), as ``python -I -S -u _child.py --zygote NUMPY_DIR
FD``: the same imports, then ``_zygote`` forks one child per request received on the
control socket ``FD``; each fork makes itself what the first form would have started
(``_become_child``) and runs the same ``main``.

Protocol (both directions, on two private pipes): a frame is an 8-byte big-endian length
then that many bytes: the nonce, a 4-byte JSON-header length, the UTF-8 JSON header, then the
arrays the header refers to, each a complete ``.npy`` file (read with
``allow_pickle=False``). Values are trees in JSON: ``{"t": "a", "i": k}`` (array ``k``),
``"g"`` (a NumPy scalar, sent as 0-d array ``k``), ``"f"``/``"i"``/``"b"`` (Python float,
int, bool), ``"n"`` (None), ``"tuple"``/``"list"`` (children), ``"rng"`` (request only:
``numpy.random.default_rng(seed)``), ``"o"`` (response only: some other object, by type
name). The reply to a call also carries every argument as it was after the call, so the
parent can see whether an input was modified: ``{"t": "same"}`` (response only) for an
argument found as it was sent (an array with its dtype, shape and bytes; anything not an
array, which the parent does not compare), the value itself otherwise. Every request carries a random nonce
(16 hex characters before the JSON header) that its reply repeats: a frame that student code writes to the
reply pipe lacks it (or repeats a stale one), so the parent detects it, kills the child
and fails only that call, instead of taking the next replies as answers to the wrong
calls. (Student code could read the nonce from this process's memory; that only lets
it spoil its own grade.) The parent accepts only the ``.npy`` form ``_npy`` writes.

The helpers below are bound before the submission is imported and use only C-level
methods of ``numpy.ndarray``, so a submission that monkeypatches NumPy or returns a
lying ``ndarray`` subclass cannot change what is sent back.
"""

import builtins
import json
import os
import struct
import sys
import traceback

# ``_child.py CONFIG_JSON``: one child. ``_child.py --zygote NUMPY_DIR``: the warm start
# (``grader.zygote``): import NumPy and this runtime, then fork one child per request.
ZYGOTE = len(sys.argv) > 1 and sys.argv[1] == "--zygote"
CFG = None if ZYGOTE else json.loads(sys.argv[1])
sys.dont_write_bytecode = True      # nothing compiled is left where another run could load it
sys.path.insert(0, sys.argv[2] if ZYGOTE else CFG["numpy_dir"])

import numpy as np  # noqa: E402

_ndarray = np.ndarray
_generic = np.generic
_view = np.ndarray.view
_tobytes = np.ndarray.tobytes
_copy = np.ndarray.copy
_asarray = np.asarray
_array = np.array
_default_rng = np.random.default_rng
_np_seed = np.random.seed
_load = np.load
_BytesIO = __import__("io").BytesIO
_json_dumps = json.dumps
_json_loads = json.loads
_writev = os.writev
_read = os.read
_pack = struct.pack
_unpack = struct.unpack
_isinstance = builtins.isinstance
_type = builtins.type
_issubclass = builtins.issubclass
_float_value = float.__float__
_int_value = int.__index__
_len = builtins.len
_str = builtins.str
_MAX_REPLY = REQ_FD = RESP_FD = SUB = None     # set by _configure


def _configure(cfg):
    """Take ``cfg`` (the parent's settings for this child) as this process's own."""
    global CFG, _MAX_REPLY, REQ_FD, RESP_FD, SUB
    CFG = cfg
    _MAX_REPLY = cfg["max_data"]     # grader.limits.MAX_DATA
    REQ_FD = cfg["req_fd"]
    RESP_FD = cfg["resp_fd"]
    SUB = os.path.realpath(cfg["submission"])
    _NONCE[0] = cfg["hello"]


def _limits():
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # open files: what one process may hold, written and unlinked, out of the run folder's
    # sight (the parent counts them, grader.sandbox.deleted_files_held)
    files = CFG.get("nofile")
    if files:
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        files = files if hard == resource.RLIM_INFINITY else min(files, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))
    fsize = CFG["fsize"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    if CFG.get("memory_mb"):
        vm = 0
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmSize:"):
                        vm = int(line.split()[1]) * 1024
        except OSError:
            pass
        limit = vm + CFG["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long print raises instead


_bytes = bytes
_READ_BUF = bytearray()     # request bytes read ahead: the parent writes several calls at once


def _read_exact(n):
    """The next ``n`` bytes of the request pipe; a read takes up to 64 KiB more when they
    are there (the following requests), kept for the next call."""
    held = _READ_BUF
    while _len(held) < n:
        want = n - _len(held)
        chunk = _read(REQ_FD, 65536 if want < 65536 else (want if want < 1 << 20 else 1 << 20))
        if not chunk:
            os._exit(0)  # parent went away
        held += chunk
    data = _bytes(held[:n])
    del held[:n]
    return data


def _recv():
    (size,) = _unpack(">Q", _read_exact(8))
    data = _read_exact(size)
    _NONCE[0] = data[:16].decode("ascii")
    data = data[16:]
    (hlen,) = _unpack(">I", data[:4])
    header = _json_loads(data[4:4 + hlen].decode("utf-8"))
    arrays, pos = [], 4 + hlen
    for nbytes in header.get("sizes", []):
        arrays.append(_parse_npy(data[pos:pos + nbytes]))
        pos += nbytes
    return header, arrays


_NPY_HEADER = __import__("re").compile(
    r"\{'descr': '([<>|=]?[biuf]\d{1,2})', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n$")
_frombuffer = np.frombuffer
_dtype = np.dtype


def _parse_npy(blob):
    """The parent's .npy (np.save output); falls back to numpy.load without pickle."""
    (hlen,) = _unpack("<H", blob[8:10])
    match = _NPY_HEADER.match(blob[10:10 + hlen].decode("latin1"))
    if match is None:
        return _load(_BytesIO(blob), allow_pickle=False)
    shape = tuple(int(s) for s in match.group(2).replace(" ", "").split(",") if s)
    dtype = _dtype(match.group(1))
    count = 1
    for s in shape:
        count *= s
    return _frombuffer(blob[10 + hlen:], dtype=dtype, count=count).reshape(shape)


def _npy(arr):
    """A .npy file for a plain (base-class) ndarray, built without NumPy's writers: bytes,
    or for a large C-ordered array ``(head, body)``, the body a view of the array's own bytes
    (``_send`` writes it as it is: no copy of a distribution case's samples)."""
    dt = arr.dtype
    shape = tuple(int(s) for s in arr.shape)
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (dt.str, shape)
    pad = 64 - (10 + _len(header) + 1) % 64
    header = header + " " * pad + "\n"
    head = b"\x93NUMPY\x01\x00" + _pack("<H", _len(header)) + header.encode("latin1")
    if arr.nbytes >= _BIG_BODY and arr.flags.c_contiguous:
        return head, memoryview(_view(arr, _uint8).reshape(-1))
    return head + _tobytes(arr, "C")


_BIG_BODY = 1 << 16     # bytes of an array sent as a view of its own bytes (``_npy``)
_uint8 = np.uint8


def _blob_size(blob):
    return _len(blob) if _type(blob) is bytes else _len(blob[0]) + blob[1].nbytes


_NONCE = [None]     # the current request's nonce, echoed in its reply


def _send(header, blobs=()):
    """Write a reply frame: ``header`` and the ``.npy`` ``blobs`` (``_npy``), in as few system
    calls as the pipe takes, large arrays' bytes straight from the arrays."""
    header = dict(header)
    sizes = [_blob_size(b) for b in blobs]
    header["sizes"] = sizes
    hb = _json_dumps(header).encode("utf-8")
    nonce = _NONCE[0].encode("ascii")
    small = [_pack(">Q", _len(nonce) + 4 + _len(hb) + sum(sizes)), nonce, _pack(">I", _len(hb)), hb]
    pieces = []
    for blob in blobs:
        if _type(blob) is bytes:
            small.append(blob)
        else:
            small.append(blob[0])
            pieces.append(b"".join(small))
            pieces.append(blob[1])
            small = []
    pieces.append(b"".join(small))
    _write_all(pieces)


_IOV_BATCH = 512        # pieces per writev (Linux takes up to 1024)


def _write_all(pieces):
    """Write ``pieces`` (bytes and byte views) to the reply pipe, whatever each write takes."""
    views = [memoryview(p) for p in pieces]
    i = 0
    while i < _len(views):
        if not views[i].nbytes:
            i += 1
            continue
        n = _writev(RESP_FD, views[i:i + _IOV_BATCH])
        while n:
            size = views[i].nbytes
            if n >= size:
                n -= size
                i += 1
            else:
                views[i] = views[i][n:]
                n = 0


def _type_name(obj):
    try:
        cls = _type(obj)
        name = type.__dict__["__name__"].__get__(cls)
        mod = type.__dict__["__module__"].__get__(cls)
        name = _str.__str__(name) if _isinstance(name, _str) else "?"
        if _isinstance(mod, _str) and mod not in ("builtins",):
            name = mod + "." + name
        return name[:80]
    except BaseException:
        return "?"


def _encode(obj, blobs, depth=0):
    """Turn a returned object into a JSON tree plus .npy blobs; never trusts its methods."""
    cls = _type(obj)
    if depth > 4:
        return {"t": "o", "cls": "nested too deeply"}
    if obj is None:
        return {"t": "n"}
    if _issubclass(cls, _ndarray):
        base = _view(obj, _ndarray)
        if base.dtype.kind not in "biuf":
            return {"t": "o", "cls": "ndarray of dtype " + _str(base.dtype)}
        blobs.append(_npy(base))
        tree = {"t": "a", "i": _len(blobs) - 1}
        if cls is not _ndarray:
            tree["cls"] = _type_name(obj)
        return tree
    if _issubclass(cls, _generic):
        try:
            base = _asarray(obj)
            base = _view(base, _ndarray)
        except BaseException:
            return {"t": "o", "cls": _type_name(obj)}
        if base.dtype.kind not in "biuf" or base.ndim != 0:
            return {"t": "o", "cls": _type_name(obj)}
        blobs.append(_npy(base))
        return {"t": "g", "i": _len(blobs) - 1, "cls": _str(base.dtype)}
    if _issubclass(cls, bool):
        return {"t": "b", "v": bool(_int_value(obj))}
    if _issubclass(cls, int):
        value = _int_value(obj)
        if -(2 ** 63) <= value < 2 ** 63:
            return {"t": "i", "v": value}
        return {"t": "f", "v": float(value)}
    if _issubclass(cls, float):
        value = _float_value(obj)
        if value != value:
            return {"t": "f", "v": "nan"}
        if value in (float("inf"), float("-inf")):
            return {"t": "f", "v": "inf" if value > 0 else "-inf"}
        return {"t": "f", "v": value}
    if _issubclass(cls, (tuple, list)):
        items = tuple.__iter__(obj) if _issubclass(cls, tuple) else list.__iter__(obj)
        children = []
        for k, item in enumerate(items):
            if k >= 10000:
                return {"t": "o", "cls": "sequence longer than 10000"}
            children.append(_encode(item, blobs, depth + 1))
        return {"t": "tuple" if _issubclass(cls, tuple) else "list", "v": children}
    return {"t": "o", "cls": _type_name(obj)}


def _decode(tree, arrays):
    t = tree["t"]
    if t == "a":
        return _copy(arrays[tree["i"]])
    if t == "g":
        return arrays[tree["i"]][()]
    if t in ("f", "i", "b"):
        v = tree["v"]
        return float(v) if t == "f" else v
    if t == "n":
        return None
    if t == "rng":
        return _default_rng(tree["seed"])
    if t in ("tuple", "list"):
        items = [_decode(c, arrays) for c in tree["v"]]
        return tuple(items) if t == "tuple" else items
    raise ValueError("bad request tree")


_SAME = {"t": "same"}     # an argument the call left as it was sent
_list = list
_all = all


def _answer(fn, args, kwargs, kept, kw_kept, rule, full=False):
    """Call ``fn`` and send the reply. With ``rule`` (a chain of steps goes on: see
    ``main``), the arrays of its output to feed into the next step, when the call left
    every argument as it was and its output has the shape ``rule`` names (-1: an array,
    n: a tuple or list of n arrays, the arrays numeric); the reply then says ``"more"``.
    None otherwise: the chain stops there and the parent goes on step by step."""
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001
        _flush()
        _send(_error(exc))
        return None
    _flush()
    try:
        blobs = []
        tree = _encode(result, blobs)
        inputs = [_echo(a, k, blobs, full) for a, k in zip(args, kept)]
        kw_inputs = {k: _echo(v, kw_kept[k], blobs, full) for k, v in kwargs.items()}
    except BaseException as exc:  # noqa: BLE001
        _send({"ok": False, "kind": "unreadable", "type": _type_name(exc), "message": _str(exc)[:300], "frame": None})
        return None
    if sum(_blob_size(b) for b in blobs) > _MAX_REPLY:
        _send({"ok": False, "kind": "too-big", "type": "", "message": "", "frame": None})
        return None
    fed = None
    if rule is not None and _all(t is _SAME for t in inputs) and _all(t is _SAME for t in kw_inputs.values()):
        fed = _feedable(result, rule)
    reply = {"ok": True, "result": tree, "inputs": inputs, "kwinputs": kw_inputs}
    if fed is not None:
        reply["more"] = True
    _send(reply, blobs)
    return fed


def _numeric_array(obj):
    return _issubclass(_type(obj), _ndarray) and _view(obj, _ndarray).dtype.kind in "biuf"


def _feedable(obj, rule):
    """The arrays of the output ``obj`` (copies, as the parent would send them back: plain
    C-ordered ndarrays of the same dtype, shape and values), or None unless it has the
    shape ``rule`` names. Only C-level methods: the output cannot lie about itself."""
    if rule == -1:
        items = [obj]
    else:
        cls = _type(obj)
        if _issubclass(cls, tuple):
            items = _list(tuple.__iter__(obj))
        elif _issubclass(cls, list):
            items = _list(list.__iter__(obj))
        else:
            return None
        if _len(items) != rule:
            return None
    if not _all(_numeric_array(item) for item in items):
        return None
    return [_copy(_view(item, _ndarray)) for item in items]


def _fed(spec, fed, arrays):
    """An argument of a chained step: item ``i`` of the last output (``{"t": "out"}``,
    -1: the output itself), else a value sent with the chain."""
    if spec.get("t") == "out":
        return fed[0] if spec["i"] == -1 else fed[spec["i"]]
    return _decode(spec, arrays)


def _keep(arg):
    """What ``_echo`` compares an array argument with after the call: a copy of it (None
    for anything else: the parent looks at array arguments only)."""
    if _type(arg) is _ndarray and arg.dtype.kind in "biuf":
        return _copy(arg)
    return None


def _echo(arg, kept, blobs, full=False):
    """An argument as it is after the call, for the parent to see whether the call
    modified it: ``{"t": "same"}`` for a numeric array still of its dtype and shape and
    holding its very bytes, and for every argument that is no array (the parent compares
    array arguments only); any other array is sent back whole, as before. ``full``: every
    argument sent back whole (the parent's check of this shortcut)."""
    if full:
        return _encode(arg, blobs)
    if kept is None:
        return _SAME if not _issubclass(_type(arg), _ndarray) else _encode(arg, blobs)
    if (_type(arg) is _ndarray and arg.dtype == kept.dtype and arg.shape == kept.shape
            and _tobytes(arg) == _tobytes(kept)):
        return _SAME
    return _encode(arg, blobs)


def _student_frame(tb):
    """The innermost traceback frame inside the submission: (file, line, function, code)."""
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        fname = frame.f_code.co_filename
        try:
            real = os.path.realpath(fname)
        except BaseException:
            continue
        if real.startswith(SUB + os.sep):
            found = (os.path.relpath(real, os.path.dirname(SUB)), lineno, frame.f_code.co_name)
    if found is None:
        return None
    import linecache

    code = linecache.getline(os.path.join(os.path.dirname(SUB), found[0]), found[1]).strip()
    return {"file": found[0], "line": found[1], "function": found[2], "code": code[:200]}


def _syntax_frame(exc):
    try:
        real = os.path.realpath(exc.filename)
    except BaseException:
        return None
    if not real.startswith(SUB + os.sep):
        return None
    raw = (exc.text or "").rstrip("\n")
    code = raw.strip()[:200]
    frame = {"file": os.path.relpath(real, os.path.dirname(SUB)), "line": exc.lineno or 0,
             "function": "<module>", "code": code}
    if code and _isinstance(exc.offset, int) and exc.offset > 0:
        frame["col"] = exc.offset - 1 - (_len(raw) - _len(raw.lstrip()))
    return frame


def _output_full(exc):
    """Whether ``exc`` is the file-size limit hit by the student's own output (stdout)."""
    if not _isinstance(exc, OSError) or exc.errno != __import__("errno").EFBIG:
        return False
    try:
        return os.fstat(1).st_size >= CFG["fsize"] - 65536
    except BaseException:
        return False


def _error(exc):
    kind = "exception"
    if _output_full(exc):
        kind = "output-cap"
    elif _isinstance(exc, NotImplementedError):
        kind = "not-implemented"
    elif _isinstance(exc, SystemExit):
        kind = "exit"
    elif _isinstance(exc, MemoryError):
        kind = "memory"
    try:
        message = _str(exc)
    except BaseException:
        message = "<the exception's message could not be shown>"
    return {
        "ok": False, "kind": kind, "type": _type_name(exc), "message": message[:500],
        "frame": (_syntax_frame(exc) if _isinstance(exc, SyntaxError) else None)
        or _student_frame(exc.__traceback__),
    }


def _flush():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


# ---------------------------------------------------------------- the submission as a package
def _make_package():
    import importlib.machinery
    import importlib.util
    import types

    name = CFG["package"]
    init = os.path.join(SUB, "__init__.py")
    if os.path.exists(init):
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[SUB])
        pkg = importlib.util.module_from_spec(spec)
    else:
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [SUB]
        pkg = types.ModuleType(name)
        pkg.__spec__ = spec
        pkg.__path__ = [SUB]
        pkg.__package__ = name
    # the submission folder itself goes last, for flat imports between its modules
    # (``from activations import sigmoid``); its parent folder is never on sys.path
    sys.path.append(SUB)
    sys.modules[name] = pkg
    for alias in CFG.get("aliases", []):
        sys.modules.setdefault(alias, pkg)
    if spec.loader is not None:
        spec.loader.exec_module(pkg)
    return pkg


# -------------------------------------------- undo monkeypatching between functions
_SNAPSHOT = {}     # name -> (module, its names and objects, a getter of them all, the objects)
_itemgetter = __import__("operator").itemgetter
_is = __import__("operator").is_
_all = builtins.all
_map = builtins.map


def _snapshot():
    """What ``_unchanged`` compares and ``_restore`` puts back: the names of NumPy's public
    modules (``numpy``, ``numpy.random``, ``numpy.linalg``, ...: no part of the name private),
    ``builtins``, ``math`` and ``random``, where a submission's function may reassign or
    delete a name (``np.exp = ...``). NumPy's private modules (some 80, four names in five)
    are left out: only a submission that reaches into them on purpose changes them, and
    comparing them made every function's reset four times as long."""
    _HANDLERS[:] = [_getsignal(signum) for signum in _SIGNALS]
    for name, mod in list(sys.modules.items()):
        if (((name == "numpy" or name.startswith("numpy.")) and "._" not in name)
                or name in ("builtins", "math", "random")):
            try:
                saved = dict(mod.__dict__)
                keys = tuple(saved)
                _SNAPSHOT[name] = (mod, saved, _itemgetter(*keys) if _len(keys) > 1 else None,
                                   tuple(saved.values()))
            except BaseException:
                pass


_ERRSTATE = np.geterr()
_seterr = np.seterr
_geterr = np.geterr
_WARNING_FILTERS = list(__import__("warnings").filters)
_current_frames = sys._current_frames
_gettrace, _getprofile = sys.gettrace, sys.getprofile
_gc_callbacks = __import__("gc").callbacks      # the list the collector calls, whatever gc.callbacks is later
_signal = __import__("signal")
_getsignal = _signal.getsignal
_SIGNALS = tuple(_signal.valid_signals())
_HANDLERS = []              # every signal's handler when the state was snapshotted
_select = __import__("select").select
_AS_SNAPSHOTTED = [True]    # nothing of the submission ran since the state was found unchanged


def _unchanged():
    """Whether NumPy's public modules, builtins, math, random (``_snapshot``), NumPy's error
    state and the warning filters are exactly as snapshotted (every name bound to its very
    object), and nothing of the submission can run before the next request: no other
    thread, no trace or profile hook, no collector callback, no signal handler of its own (a
    timer's handler could patch anything at any time). ``_restore`` would then change
    nothing. This is hygiene between the submission's own functions, not a boundary: code
    that runs in the child can always change what its later functions see (NumPy's private
    modules, a finaliser run by a later collection, an audit hook, ``sys.monitoring`` on
    Python 3.12 are not looked at), and only its own grade."""
    if (_len(_current_frames()) != 1 or _geterr() != _ERRSTATE or _gettrace() is not None
            or _getprofile() is not None or _gc_callbacks
            or not _all(_map(_is, _map(_getsignal, _SIGNALS), _HANDLERS))):
        return False
    warnings_module = sys.modules.get("warnings")
    if warnings_module is not None:
        filters = warnings_module.filters
        if (_type(filters) is not list or _len(filters) != _len(_WARNING_FILTERS)
                or not _all(_map(_is, filters, _WARNING_FILTERS))):
            return False
    for name, (mod, _saved, getter, objects) in _SNAPSHOT.items():
        if getter is None or sys.modules.get(name) is not mod:
            return False
        try:
            if not _all(_map(_is, getter(mod.__dict__), objects)):
                return False
        except BaseException:   # a name deleted
            return False
    return True


def _check_while_idle():
    """Between requests, when none is waiting (the parent is judging): find whether the
    state is as snapshotted, so that the next function's reset has nothing left to do."""
    if not _AS_SNAPSHOTTED[0] and not _READ_BUF and not _select([REQ_FD], [], [], 0)[0]:
        _AS_SNAPSHOTTED[0] = _unchanged()


def _reset():
    """Before the next function (or an import): undo what the submission changed, unless
    it was found unchanged since it last ran."""
    if not _AS_SNAPSHOTTED[0]:
        _restore()
    _AS_SNAPSHOTTED[0] = False      # the submission runs next


def _restore():
    """Undo what earlier student code changed in NumPy's public modules, builtins, math and
    random (``_snapshot``), NumPy's error state and the warning filters."""
    missing = object()
    _seterr(**_ERRSTATE)
    warnings_module = sys.modules.get("warnings")
    if warnings_module is not None:
        warnings_module.filters[:] = _WARNING_FILTERS
    for name, (mod, saved, getter, objects) in _SNAPSHOT.items():
        if sys.modules.get(name) is not mod:
            sys.modules[name] = mod
        # names added since the snapshot stay: NumPy adds its lazily imported submodules
        # (numpy.ma, ...) as attributes, and removing them breaks the next import
        d = mod.__dict__
        if getter is not None:
            try:    # the usual case, every name still bound to its object: checked in C
                if _all(_map(_is, getter(d), objects)):
                    continue
            except BaseException:   # a name deleted: put back below
                pass
        for key, value in saved.items():
            if d.get(key, missing) is not value:
                d[key] = value


# ------------------------------------------------------------------ confinement
def _threads():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 1


def _unshare_network():
    """As root: a network namespace of this process's own (only a loopback, down) and an
    IPC namespace of its own (no System V object of another process: the seccomp filter
    below refuses the calls too; the namespace is the second layer)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x40000000 | 0x08000000) == 0:      # CLONE_NEWNET | CLONE_NEWIPC
        return ""
    if libc.unshare(0x40000000) != 0:       # CLONE_NEWNET alone
        return "no network namespace (" + os.strerror(ctypes.get_errno()) + ")"
    return ""


# --- seccomp: the system calls Landlock does not govern --------------------------------
# Landlock decides which files a process may open; it does not see a connect() to a UNIX
# socket that has a path (an ssh-agent, a desktop bus), the kernel's keyrings, System V
# IPC or POSIX message queues, all reachable by name from any process of the same (or the
# sandbox) user: channels to other students' children, to the grading user's secrets and
# out of the sandbox. Student code needs none of them, nor a socket of any kind, nor new
# namespaces, io_uring (which opens sockets past this filter), another process's memory or
# memfd_create (files in memory, outside the run folder and the address-space limit).
# A classic-BPF filter (no libseccomp: a dozen instructions per call, built here) makes each
# of these calls fail with EPERM; clone3 fails with ENOSYS, so that the C library falls
# back to clone, whose namespace flags the filter can read. Numbers: the kernel's
# unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64).
_SECCOMP_DENIED = {
    # arch: (AUDIT_ARCH, {call: number}, clone, clone3)
    "x86_64": (0xC000003E, {
        "socket": 41, "socketpair": 53, "connect": 42, "bind": 49, "listen": 50,
        "add_key": 248, "request_key": 249, "keyctl": 250,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
        "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
        "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244,
        "mq_getsetattr": 245, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "unshare": 272, "setns": 308, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "pidfd_getfd": 438, "kcmp": 312, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
        "memfd_create": 319,
    }, 56, 435),
    "aarch64": (0xC00000B7, {
        "socket": 198, "socketpair": 199, "connect": 203, "bind": 200, "listen": 201,
        "add_key": 217, "request_key": 218, "keyctl": 219,
        "shmget": 194, "shmat": 196, "shmctl": 195, "shmdt": 197, "semget": 190, "semop": 193, "semctl": 191,
        "semtimedop": 192, "msgget": 186, "msgsnd": 189, "msgrcv": 188, "msgctl": 187,
        "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "unshare": 97, "setns": 268, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "pidfd_getfd": 438, "kcmp": 272, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
        "memfd_create": 279,
    }, 220, 435),
}
#: CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
_CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000


def _seccomp_program(arch):
    """The filter for ``arch`` as (code, jt, jf, k) instructions, or None for an
    architecture it does not know. Anything of another architecture (a 32-bit call through
    int 0x80) and x86_64's x32 calls fail with EPERM too."""
    entry = _SECCOMP_DENIED.get(arch)
    if entry is None:
        return None
    audit_arch, denied, clone, clone3 = entry
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    calls = sorted(set(denied.values()))
    prog = [(ld, 0, 0, 4)]                              # A = seccomp_data.arch
    # then: jump to "deny" unless the architecture is ours
    tail = len(calls) + 7                               # instructions after the arch check
    prog.append((jeq, 0, tail, audit_arch))
    prog.append((ld, 0, 0, 0))                          # A = seccomp_data.nr
    prog.append((jge, tail - 2, 0, 0x40000000))         # x32 calls: deny
    for i, nr in enumerate(calls):                      # a denied call: deny
        prog.append((jeq, len(calls) - i + 4, 0, nr))
    prog.append((jeq, 5, 0, clone3))                    # clone3: ENOSYS
    prog.append((jeq, 0, 2, clone))                     # clone: look at its flags
    prog.append((ld, 0, 0, 16))                         # A = low 32 bits of args[0]
    prog.append((jset, 1, 0, _CLONE_NEW_ANY))           # a new namespace: deny
    prog.append((ret, 0, 0, allow))
    prog.append((ret, 0, 0, eperm))                     # deny
    prog.append((ret, 0, 0, enosys))                    # clone3
    return prog


def _seccomp():
    """Install the filter on this (single-threaded) process and whatever it starts; returns
    what held, for the reports: {"calls": n} or {"why": ...}."""
    try:
        import ctypes
        import platform

        machine = platform.machine().lower()
        arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
        prog = _seccomp_program(arch)
        if prog is None:
            return {"why": "no filter for " + (machine or "this machine")}

        class _Insn(ctypes.Structure):
            _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                        ("k", ctypes.c_uint32)]

        class _Prog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]

        insns = (_Insn * _len(prog))(*[_Insn(*i) for i in prog])
        fprog = _Prog(_len(prog), ctypes.cast(insns, ctypes.POINTER(_Insn)))
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
        if libc.prctl(38, 1, None, 0, 0) != 0:          # PR_SET_NO_NEW_PRIVS
            return {"why": "no_new_privs refused (" + os.strerror(ctypes.get_errno()) + ")"}
        if libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:   # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
            return {"why": "seccomp refused (" + os.strerror(ctypes.get_errno()) + ")"}
        return {"calls": _len(_SECCOMP_DENIED[arch][1]) + 2}
    except BaseException as exc:  # noqa: BLE001 - the parent reports the layer as missing
        return {"why": "seccomp failed (" + _str(exc)[:200] + ")"}


_LANDLOCK = [None]      # the zygote loads grader/landlock.py (its copy) once for every fork


def _load_landlock(path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("_chainrule_landlock", path)
    landlock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(landlock)
    return landlock


def _landlock(plan):
    """Confine this process with Landlock as the parent planned (``CFG["landlock"]``)."""
    if not plan or plan.get("unavailable"):
        return {"abi": 0, "why": (plan or {}).get("unavailable") or "not requested"}
    try:
        landlock = _LANDLOCK[0] or _load_landlock(plan["module"])
        version = landlock.abi()
        if version <= 0:
            return {"abi": 0, "why": landlock.unavailable()}
        threads = _threads()
        if threads > 1:     # Landlock confines the calling thread only
            return {"abi": 0, "why": f"the child already had {threads} threads"}
        info = landlock.restrict(plan["read"], plan["write"], plan.get("listable", ()))
    except BaseException as exc:  # noqa: BLE001 - the parent reports the layer as missing
        return {"abi": 0, "why": "Landlock failed (" + _str(exc)[:200] + ")"}
    return info


def _confine():
    """Every layer, before any student code runs: returns what held, for the reports.

    As root: the import roots reached through descriptors (below), network and IPC
    namespaces of its own, Landlock, then the uid drop. Not as root: Landlock. At any uid,
    last, the seccomp filter (``_seccomp``).
    """
    import time

    started = time.perf_counter()
    drop = CFG.get("drop")
    info = {"uid": None, "net": ""}
    if drop:
        _import_roots_by_fd(drop.get("fd_roots", ()))
        net_started = time.perf_counter()
        info["net"] = _unshare_network() or "namespace"
        info["ms_net"] = round((time.perf_counter() - net_started) * 1000, 3)
    lock_started = time.perf_counter()
    info["landlock"] = _landlock(CFG.get("landlock"))
    info["ms_landlock"] = round((time.perf_counter() - lock_started) * 1000, 3)
    if drop:
        _drop_privileges(drop)
        info["uid"] = os.getuid()
    seccomp_started = time.perf_counter()
    info["seccomp"] = _seccomp()
    info["ms_seccomp"] = round((time.perf_counter() - seccomp_started) * 1000, 3)
    info["ms"] = round((time.perf_counter() - started) * 1000, 3)     # for benchmarks/
    return info


def _import_roots_by_fd(fd_roots):
    """Reach the import roots the sandbox user cannot reach by path through descriptors.

    The Python installation may lie below a folder the sandbox user cannot enter
    (``/root``): the parent names those roots (``fd_roots``: the standard library, NumPy,
    whichever the uid cannot reach); each is opened as a directory and every import
    path below it (``sys.path``, the folders of packages already loaded, NumPy's among
    them) is from then on reached as ``/proc/self/fd/N/...``: a process may always
    follow its own descriptors. Landlock checks what they lead to like any path; without
    Landlock the parent counts everything reachable from them (``..`` included) as
    readable by the child (``reference_exposure``). Roots the uid reaches by path get no
    descriptor at all.
    """
    fd_roots = [os.path.realpath(r) for r in fd_roots]
    roots = {}

    def via_fd(path):
        try:
            real = os.path.realpath(path)
        except BaseException:
            return path
        for root in fd_roots:
            if real == root or real.startswith(root + os.sep):
                if root not in roots:
                    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
                    roots[root] = f"/proc/self/fd/{fd}"
                return roots[root] + real[_len(root):]
        return path

    sys.path[:] = [via_fd(p) for p in sys.path if p]
    for name, mod in list(sys.modules.items()):
        paths = getattr(mod, "__path__", None)
        if _isinstance(paths, list):
            paths[:] = [via_fd(p) for p in paths]
    sys.path_importer_cache.clear()


def _drop_privileges(drop):
    """Become the unprivileged user ``drop`` names, for good: supplementary groups, gid
    and uid are given up (real, effective and saved), so nothing can regain root."""
    if drop.get("nproc"):
        import resource

        resource.setrlimit(resource.RLIMIT_NPROC, (drop["nproc"], drop["nproc"]))
    os.setgroups([])
    os.setresgid(drop["gid"], drop["gid"], drop["gid"])
    os.setresuid(drop["uid"], drop["uid"], drop["uid"])
    if os.getuid() == 0 or os.geteuid() == 0:   # pragma: no cover - the calls above raise instead
        os._exit(70)


# ------------------------------------------------------------------------------ main loop
def main():
    os.chdir(CFG["workdir"])
    _limits()
    confinement = _confine()
    if CFG.get("zygote_pid"):   # forked by the zygote: end with it (set after the uid drop,
        _prctl(_PR_SET_PDEATHSIG, 9)    # which clears the setting)
        if os.getppid() != CFG["zygote_pid"]:
            os._exit(0)
    modules = {}
    package = None
    package_error = None
    _snapshot()
    _send({"ok": True, "ready": True, "confinement": confinement})
    while True:
        _check_while_idle()
        header, arrays = _recv()
        op = header["op"]
        if op == "import":
            _reset()
            try:
                if package is None and package_error is None:
                    try:
                        package = _make_package()
                    except BaseException as exc:  # noqa: BLE001 - report, not crash
                        package_error = _error(exc)
                        package_error["where"] = "__init__.py"
                if package_error is not None:
                    _flush()
                    _send(package_error)
                    continue
                import importlib

                modules[header["module"]] = importlib.import_module(
                    CFG["package"] + "." + header["module"])
                _flush()
                _send({"ok": True})
            except BaseException as exc:  # noqa: BLE001
                _flush()
                _send(_error(exc))
        elif op == "call":
            if header.get("reset"):
                _reset()
            _AS_SNAPSHOTTED[0] = False      # the submission runs next
            module = modules.get(header["module"])
            fn = getattr(module, header["function"], None) if module is not None else None
            if fn is None or not callable(fn):
                _send({"ok": False, "kind": "missing", "type": "", "message": "", "frame": None})
                continue
            try:
                args = [_decode(a, arrays) for a in header["args"]]
                kwargs = {k: _decode(v, arrays) for k, v in header["kwargs"].items()}
                kept = [_keep(a) for a in args]
                kw_kept = {k: _keep(v) for k, v in kwargs.items()}
            except BaseException as exc:  # noqa: BLE001
                _send({"ok": False, "kind": "internal", "type": _type_name(exc), "message": _str(exc), "frame": None})
                continue
            if header.get("global_seed") is not None:
                _np_seed(header["global_seed"])
                import random

                random.seed(header["global_seed"])
            chain = header.get("chain") or {}
            steps, nonces, rule = chain.get("steps", []), chain.get("nonces", []), chain.get("out")
            for step in range(_len(steps) + 1):
                if step:
                    _NONCE[0] = nonces[step - 1]
                    try:
                        args = [_fed(a, fed, arrays) for a in steps[step - 1]]
                        kept, kwargs, kw_kept = [_keep(a) for a in args], {}, {}
                    except BaseException as exc:  # noqa: BLE001
                        _send({"ok": False, "kind": "internal", "type": _type_name(exc), "message": _str(exc),
                               "frame": None})
                        break
                fed = _answer(fn, args, kwargs, kept, kw_kept, rule if step < _len(steps) else None,
                              header.get("full_echo") is True)
                if fed is None:
                    break
        elif op == "exit":
            _flush()
            os._exit(0)


# ------------------------------------------------------------------------------ the zygote
def _prctl(option, value):
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except BaseException:  # noqa: BLE001 - best effort; the parent reaps in any case
        return -1


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _proc_children_of(root):
    """Every process below ``root`` (through /proc parent links) and every one whose
    environment carries this zygote's marker (a fork of a fork that called setsid)."""
    table, marked = {}, set()
    needle = ("CHAINRULE_GRADER_MARKER=" + os.environ.get("CHAINRULE_GRADER_MARKER", "")).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                raw = fh.read()
            table[pid] = int(raw[raw.rindex(b")") + 2:].split()[1])
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if needle in fh.read():
                    marked.add(pid)
        except (OSError, ValueError, IndexError):
            continue
    doomed, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in table.items():
            if ppid in doomed and pid not in doomed:
                doomed.add(pid)
                grew = True
    doomed |= marked
    doomed.discard(root)
    return doomed


def _no_children():
    """Whether this process has no child at all, live or not reaped yet (reaping those)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _zygote_cleanup(children):
    """SIGKILL every child and everything below them (the zygote is ending).

    With no child left (the grader ended each one and everything below it), there is
    nothing to look for: every process a child started is below this subreaper, which
    then has a child (a setsid does not change a process's parent).
    """
    import signal

    if _no_children():
        return
    me = os.getpid()
    for _round in range(20):
        doomed = _proc_children_of(me)
        if not doomed:
            break
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        import time

        time.sleep(0.005)


def _zygote():
    """Serve ``grader.zygote``: for each request (settings + three descriptors) on the
    control socket (the descriptor ``argv[3]``), fork a child; report each child's exit to
    the parent.

    This process holds NumPy, this runtime and its control socket, nothing else: no
    grader module, no reference, no expected value. It never runs student code; it ends
    (killing every child and their descendants) when its parent closes the socket or dies.
    """
    import select
    import signal
    import socket

    _LANDLOCK[0] = _load_landlock(os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "landlock.py"))
    sock = socket.socket(fileno=int(sys.argv[3]))
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)     # orphans of a child come back here to be reaped
    parent = os.getppid()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the parent decides; it closes the socket
    # SIGTERM (the parent's death, PDEATHSIG) only sets a flag: the wakeup descriptor ends
    # the wait below, and the cleanup in ``finally`` can never be cut short by an exception
    # raised in the middle of it (a child left running would orphan its descendants)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    if _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) == 0 and os.getppid() != parent:
        return
    children = set()
    try:
        sock.sendall(b'{"ready": true}')
        while not stop:
            ready, _, _ = select.select([sock, wake_r], [], [])
            if wake_r in ready:
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            while True:     # reap: children (reported) and adopted orphans (not)
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid in children:
                    children.discard(pid)
                    sock.sendall(_json_dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
            if sock in ready:
                msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 3)
                if not msg:
                    return
                request = _json_loads(msg.decode("utf-8"))
                if _len(fds) != 3:
                    for fd in fds:
                        os.close(fd)
                    sock.sendall(b'{"error": "a request without its three descriptors"}')
                    continue
                pid = os.fork()
                if pid == 0:
                    try:
                        _become_child(request, fds, sock, (wake_r, wake_w))
                    finally:
                        os._exit(70)
                children.add(pid)
                for fd in fds:
                    os.close(fd)
                sock.sendall(_json_dumps({"spawned": pid}).encode())
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)     # the cleanup runs to its end
        _zygote_cleanup(children)
        home = os.path.dirname(os.path.abspath(sys.argv[0]))
        # its own folder: gone with it even when the parent that made it was killed (a
        # parent that closed it normally has removed it already)
        if os.path.basename(home).startswith("chainrule-zygote-") and os.path.isdir(home):
            import shutil

            shutil.rmtree(home, ignore_errors=True)


def _become_child(request, fds, sock, wake):
    """In a fresh fork of the zygote: become the child ``request`` describes, exactly as
    ``python _child.py CONFIG`` would be, then serve it (never returns)."""
    import signal

    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.setsid()
    out_fd, req_fd, resp_fd = fds
    sock.detach()
    # descriptors: 0 /dev/null, 1 and 2 the output pipe, 3 requests, 4 replies; nothing else
    high = [__import__("fcntl").fcntl(fd, __import__("fcntl").F_DUPFD, 10) for fd in fds]
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(high[0], 1)
    os.dup2(high[0], 2)
    os.dup2(high[1], 3)
    os.dup2(high[2], 4)
    os.closerange(5, 1 << 20)
    cfg = request["cfg"]
    cfg["req_fd"], cfg["resp_fd"] = 3, 4
    cfg["zygote_pid"] = os.getppid()
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(cfg["workdir"])
    sys.argv[:] = [request["argv0"]]
    sys.path[0] = cfg["numpy_dir"]
    _configure(cfg)
    main()


if __name__ == "__main__":
    if ZYGOTE:
        try:
            _zygote()
        finally:
            os._exit(0)     # no interpreter teardown: the parent waits for this exit
    else:
        _configure(CFG)
        main()
