"""Where expected values come from: the live ``solutions`` package, or a recording of it.

An oracle answers ``expected(case, seed) -> list of Returned`` (``None`` for statistical
cases, which have no expected values). ``LiveOracle`` calls the reference functions in
this (the parent) process; ``RecordedOracle`` reads what ``record`` wrote with the live
one, so a student release without ``solutions/`` grades exactly the same way. The
grader treats both the same.

Recorded file: an ``.npz`` (loaded with ``allow_pickle=False``) holding, for every
(seed, function, case), a JSON tree of the expected outputs (as a uint8 array) and its
arrays, plus a checksum of the case's inputs so that a recording made by another
version of the cases is refused instead of silently misused.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import zipfile

import numpy as np

from chainrule_core.errors import ChainruleError, ChainruleUsageError
from chainrule_core.fileio import write_atomic
from grader.values import Returned

DEFAULT_RECORDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "recorded.npz")


class Oracle:
    name = "oracle"

    def expected(self, case, seed):  # pragma: no cover - interface
        raise NotImplementedError

    def seeds(self):
        """Seeds this oracle can answer for (None: any)."""
        return None


@contextlib.contextmanager
def _no_bytecode():
    """Import without writing bytecode anywhere, whatever PYTHONPYCACHEPREFIX or
    PYTHONDONTWRITEBYTECODE say: a ``.pyc`` of the reference written to a shared cache
    prefix (as many CI images set) would be readable, or even planted, by student code."""
    saved = sys.dont_write_bytecode, sys.pycache_prefix
    sys.dont_write_bytecode, sys.pycache_prefix = True, None
    try:
        yield
    finally:
        sys.dont_write_bytecode, sys.pycache_prefix = saved


def _import(name):
    with _no_bytecode():
        return importlib.import_module(name)


class LiveOracle(Oracle):
    """Expected values from the reference implementation (``solutions`` by default),
    imported without writing (or reading a prefix's) bytecode: ``_no_bytecode``."""

    def __init__(self, package="solutions"):
        self.package = package
        self.name = f"live {package}"
        try:
            _import(package)
        except ImportError as exc:
            raise ChainruleError(f"The reference package '{package}' cannot be imported ({exc}); "
                                 "a student release grades with the recorded cases instead.") from None
        self._cache = {}

    def folder(self):
        """The folder of the reference package in use."""
        return list(_import(self.package).__path__)[0]

    def lookup(self, qualname):
        if qualname not in self._cache:
            module, name = qualname.split(".", 1)
            mod = _import(f"{self.package}.{module}")
            self._cache[qualname] = getattr(mod, name)
        return self._cache[qualname]

    def expected(self, case, seed):
        return case.expected(self.lookup)


class RecordedOracle(Oracle):
    """Expected values read from a file written by ``record``.

    A path that is not such a recording (missing, unreadable, another file) is refused with a
    ``ChainruleUsageError``: ``--recorded FILE`` names it, so it is a bad invocation (exit 2),
    as a missing one is; ``default_oracle`` makes it a failed operation for the recording the
    kit ships."""

    def __init__(self, path):
        self.path = str(path)
        self.name = f"the recording {os.path.basename(self.path)}"
        not_one = (f"'{self.path}' is not a recording of graded cases (the .npz file the kit's recorder "
                   "writes, grader/data/recorded.npz in a student copy).")
        try:
            loaded = np.load(self.path, allow_pickle=False)
        except OSError as exc:  # missing, a folder, unreadable
            if os.path.isfile(self.path) and exc.errno is None:
                raise ChainruleUsageError(not_one) from None  # NumPy's "cannot load file as pickled"
            raise ChainruleUsageError(f"Cannot read the recorded cases '{self.path}': {exc.strerror or exc}.") from None
        except (ValueError, EOFError, zipfile.BadZipFile):  # pickled data, a torn file: NumPy's own advice is not ours
            raise ChainruleUsageError(not_one) from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a plain .npy array
            raise ChainruleUsageError(not_one)
        try:
            with loaded as data:
                self._data = {k: data[k] for k in data.files}
            meta = json.loads(bytes(self._data["meta"]).decode() or "{}")
            self._seeds = [int(s) for s in meta.get("seeds", [])]
        except (KeyError, ValueError, TypeError, AttributeError, OSError, EOFError, zipfile.BadZipFile):
            raise ChainruleUsageError(not_one) from None
        if not self._seeds:
            raise ChainruleUsageError(not_one)
        self._functions = None      # seed -> the functions recorded (_recorded), when first asked

    def seeds(self):
        return list(self._seeds)

    def _recorded(self, seed):
        """The functions with expected values recorded for ``seed`` (a set of qualnames)."""
        if self._functions is None:
            found = {}
            for key in self._data:
                parts = key.split("/")
                if len(parts) == 4 and parts[3] == "tree":
                    found.setdefault(parts[0], set()).add(parts[1])
            self._functions = found
        return self._functions.get(str(int(seed)), set())

    def _check_seed(self, seed):
        if int(seed) not in self._seeds:
            raise ChainruleUsageError(
                f"Seed {seed} is not in the recorded cases '{self.path}' (recorded seeds: "
                f"{', '.join(str(s) for s in self._seeds)}); grade without --seed or with one of them.")

    def require(self, names, seed, cases=None, every_case=False):
        """Refuse (a usage error, before anything is graded) to grade ``names`` on ``seed``
        when the recording holds no expected values for some of them: a recording made for
        fewer functions (``chainrule release --modules``) grades those only. ``cases``:
        ``qualname -> its cases`` (``grader.specs.cases_for`` for ``seed`` by default); a
        function whose cases are all statistical needs no recorded values. ``every_case``: each
        case's entry is checked too, as ``expected`` checks it (``grade-all``, before a class:
        ``chainrule grade`` leaves that to the case itself, off its critical path)."""
        self._check_seed(seed)
        recorded = self._recorded(seed)
        if cases is None:
            from grader.specs import cases_for

            def cases(qualname):
                return cases_for(qualname, seed)
        lacking = [q for q in names if q not in recorded and any(c.kind != "stat" for c in cases(q))]
        if lacking:
            raise ChainruleUsageError(self.lacking_sentence(lacking, seed))
        if every_case:  # a class: a stale or unreadable case would fail every submission reaching it
            for qualname in names:
                for case in cases(qualname):
                    stale = self._stale(case, seed)
                    if stale is not None:
                        raise ChainruleUsageError(stale)
                    try:
                        self.expected(case, seed)
                    except ChainruleError as exc:
                        raise ChainruleUsageError(str(exc)) from None
                    except Exception as exc:  # a damaged entry (a tree or an array that cannot be read)
                        raise ChainruleUsageError(_stale_sentence(
                            self.path, case, f"cannot be read ({type(exc).__name__}: {exc}) for")) from None

    def lacking_sentence(self, lacking, seed):
        """Why the functions ``lacking`` cannot be graded with this recording, and what can."""
        from chainrule_core.contract import CONTRACT

        recorded = self._recorded(seed)
        held = [m for m in CONTRACT if any(f"{m}.{f}" in recorded for f in CONTRACT[m])]
        # a module given whole where the recording holds its functions that have expected values
        whole = [m for m in held if all(f"{m}.{f}" in recorded for f in CONTRACT[m]
                                        if not _statistical(f"{m}.{f}", seed))]
        parts = list(whole) + [q for q in sorted(recorded, key=_contract_order) if q.split(".")[0] not in whole]
        lacking_modules = [m for m in CONTRACT if all(f"{m}.{f}" in lacking or _statistical(f"{m}.{f}", seed)
                                                      for f in CONTRACT[m])
                           and any(f"{m}.{f}" in lacking for f in CONTRACT[m])]
        named = lacking_modules + [q for q in lacking if q.split(".")[0] not in lacking_modules]
        shown = _and(named) if len(named) <= 6 else f"{', '.join(named[:6])} and {len(named) - 6} more"
        if not parts:
            return (f"The recorded cases '{self.path}' hold no expected values for seed {seed}, so "
                    f"{shown} cannot be graded with them; grade with a recording of those functions.")
        return (f"The recorded cases '{self.path}' hold the expected values of {_and(parts)} only, not of "
                f"{shown}: grade with --release DIR of the release they came from (its functions and points) "
                f"or with --only {','.join(parts)}.")

    def _stale(self, case, seed):
        """Why the recording cannot answer for ``case`` of a function it holds (no entry, or one
        made for other inputs), or None when it can."""
        if case.kind == "stat":
            return None
        key = f"{seed}/{case.qualname}/{case.number}"
        if key + "/tree" not in self._data:
            return _stale_sentence(self.path, case, "have no entry for")
        if int(self._data[key + "/fingerprint"]) != case.fingerprint():
            return _stale_sentence(self.path, case, "were made for other inputs of")
        return None

    def expected(self, case, seed):
        if case.kind == "stat":
            return None
        key = f"{seed}/{case.qualname}/{case.number}"
        self._check_seed(seed)
        if key + "/tree" not in self._data and case.qualname not in self._recorded(seed):
            raise ChainruleUsageError(self.lacking_sentence([case.qualname], seed))  # a recording of others
        stale = self._stale(case, seed)
        if stale is not None:
            raise ChainruleError(stale)
        trees = json.loads(bytes(self._data[key + "/tree"]).decode())
        return [_from_tree(t, self._data, key) for t in trees]


def _stale_sentence(path, case, why):
    return (f"The recorded cases '{path}' {why} {case.qualname} case {case.number}; record them again with this "
            "version of the grader.")


def _statistical(qualname, seed):
    """Whether every case of ``qualname`` is statistical (no expected values are recorded)."""
    from grader.specs import cases_for

    return all(c.kind == "stat" for c in cases_for(qualname, seed))


def _contract_order(qualname):
    from chainrule_core.contract import qualified_names

    names = qualified_names()
    return names.index(qualname) if qualname in names else len(names)


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _to_tree(ret, arrays, prefix):
    if ret.kind in ("array", "npscalar"):
        name = f"{prefix}/a{len(arrays)}"
        arrays[name] = ret.value
        return {"t": ret.kind, "k": name, "cls": ret.cls}
    if ret.kind in ("tuple", "list"):
        return {"t": ret.kind, "v": [_to_tree(r, arrays, prefix) for r in ret.value]}
    if ret.kind == "float":
        return {"t": "float", "v": repr(ret.value)}
    return {"t": ret.kind, "v": ret.value, "cls": ret.cls}


def _from_tree(tree, data, prefix):
    t = tree["t"]
    if t in ("array", "npscalar"):
        return Returned(t, data[tree["k"]], tree.get("cls", ""))
    if t in ("tuple", "list"):
        return Returned(t, [_from_tree(c, data, prefix) for c in tree["v"]])
    if t == "float":
        return Returned("float", float(tree["v"]))
    return Returned(t, tree.get("v"), tree.get("cls", ""))


def record(path, seeds, only=None):
    """Write every case's expected values for ``seeds`` (live solutions) to ``path``,
    mode 0600 (a release build that ships it chooses its mode deliberately)."""
    from chainrule_core.contract import qualified_names
    from grader.specs import cases_for

    live = LiveOracle()
    names = list(only) if only else qualified_names()
    arrays = {}
    for seed in seeds:
        for qualname in names:
            for case in cases_for(qualname, seed):
                if case.kind == "stat":
                    continue
                key = f"{seed}/{qualname}/{case.number}"
                trees = [_to_tree(r, arrays, key) for r in live.expected(case, seed)]
                arrays[key + "/tree"] = np.frombuffer(json.dumps(trees).encode(), dtype=np.uint8)
                arrays[key + "/fingerprint"] = np.array(case.fingerprint(), dtype=np.int64)
    arrays["meta"] = np.frombuffer(json.dumps({"seeds": [int(s) for s in seeds]}).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    old = os.umask(0o077)       # 0600 from its first byte: expected values are the answers
    try:
        write_atomic(path, buffer.getvalue())
    finally:
        os.umask(old)
    return path


def default_oracle():
    """Live solutions when importable, else the recording shipped with the grader."""
    try:
        return LiveOracle()
    except ChainruleError:
        if os.path.exists(DEFAULT_RECORDING):
            try:
                return RecordedOracle(DEFAULT_RECORDING)
            except ChainruleUsageError as exc:      # the kit's own file, not one the user named
                raise ChainruleError(str(exc)) from None
        raise ChainruleError("No expected values: the 'solutions' package is not importable and "
                             f"there is no recording at {DEFAULT_RECORDING}.") from None


def resolve(oracle):
    if oracle is None:
        return default_oracle()
    if isinstance(oracle, Oracle):
        return oracle
    if isinstance(oracle, (str, os.PathLike)):
        return RecordedOracle(oracle)
    raise ChainruleUsageError(f"oracle must be an Oracle, a path to recorded cases or None, not {oracle!r}.")
