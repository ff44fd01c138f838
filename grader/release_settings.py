"""What a release chose: which contract functions it hands out and their points.

``chainrule release`` writes ``grader/data/release.json`` into the grader it ships (the
student repository and the Gradescope bundle); an instructor's own checkout has no such
file and grades the whole contract with the default points. The file is plain JSON::

    {"functions": ["activations.sigmoid", ...], "points": {"activations.sigmoid": 1.0, ...}}

``functions()`` is what ``chainrule grade`` grades when no ``--only`` is given;
``points()`` overrides the contract's default points (``effective_points()`` is the
table in force). A missing or unreadable file means no
release (nothing is overridden), never a failed grading.

An instructor grades a class the way a release hands it out with ``--release PATH``
(``chainrule grade-all``, ``chainrule grade``): ``read(PATH)`` reads that release's file
strictly (a bad PATH is a usage error), and ``in_force(settings)`` makes it what every
function here answers, in this process and the workers it forks, until the block ends.
``POINTS_IN_FORCE`` is a live view of ``effective_points()`` for a module that keeps the
table from its import on (``grader.classreport``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping

SETTINGS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "release.json")

#: where ``chainrule release`` puts the file, below its ``--out`` folder and its ``student/``
IN_STUDENT = os.path.join("grader", "data", "release.json")
IN_OUT = os.path.join("student", IN_STUDENT)

_in_force = None        # a release given with --release (read()), or None: SETTINGS_FILE
#: the most points one function may carry (a forged release.json giving 1e308 made every
#: total infinite and grade-all crash: session 9's attack)
MAX_POINTS = 1_000_000

_default_table = None   # effective_points() of SETTINGS_FILE, for POINTS_IN_FORCE


def load(path=None):
    """The release's settings: those of ``path``; without it, those put in force
    (``in_force``), else the shipped ``SETTINGS_FILE``'s ({} when there is none)."""
    if path is None:
        if _in_force is not None:
            return _in_force
        path = SETTINGS_FILE
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def functions(path=None):
    """The released functions (``module.function``, contract order), or None: all of them."""
    from chainrule_core.contract import qualified_names

    names = load(path).get("functions")
    if not isinstance(names, list):
        return None
    chosen = {str(n) for n in names}
    return [q for q in qualified_names() if q in chosen] or None


def points(path=None):
    """``{module.function: points}`` chosen by the release (empty: the defaults)."""
    table = load(path).get("points")
    if not isinstance(table, dict):
        return {}
    return {str(k): float(v) for k, v in table.items() if isinstance(v, (int, float)) and v >= 0}


def effective_points(path=None):
    """Points per function in force: the contract's defaults, with the release's choices."""
    from chainrule_core.contract import POINTS

    table = dict(POINTS)
    table.update((k, v) for k, v in points(path).items() if k in table)
    return table


def given():
    """The PATH of ``--release PATH`` in force (as the user gave it), or None."""
    return _in_force.get("given") if _in_force is not None else None


def described():
    """How a message names the release in force: ``this release`` (the shipped file) or
    ``the release 'PATH'`` (``--release PATH``, as the user gave it)."""
    if _in_force is not None and _in_force.get("given"):
        return f"the release '{_in_force['given']}'"
    return "this release"


class _PointsInForce(Mapping):
    """``effective_points()`` looked up at each use, not once at import."""

    def _table(self):
        global _default_table
        if _in_force is not None:
            return _in_force["table"]
        if _default_table is None:
            _default_table = effective_points()
        return _default_table

    def __getitem__(self, key):
        return self._table()[key]

    def __iter__(self):
        return iter(self._table())

    def __len__(self):
        return len(self._table())


POINTS_IN_FORCE = _PointsInForce()


@contextlib.contextmanager
def in_force(settings):
    """Grade with ``settings`` (what ``read`` returns; None: leave things as they are)
    within the block: the functions and points every caller here gets, in this process
    and in the processes it forks meanwhile."""
    global _in_force
    if settings is None:
        yield
        return
    before = _in_force
    _in_force = dict(settings)
    _in_force["table"] = effective_points()
    try:
        yield
    finally:
        _in_force = before


_VALID = ("give a release's --out folder (what chainrule release --out wrote), its student/ folder "
          f"or its {IN_STUDENT.replace(os.sep, '/')}")


def read(path):
    """The settings of the release at ``path`` for ``in_force``: ``{"functions": [...],
    "points": {...}, "given": path, "file": the release.json read}``.

    ``path`` is a release's ``--out`` folder, its ``student/`` folder (or the Gradescope
    bundle's source folder: any folder holding ``grader/data/release.json``) or the
    ``release.json`` itself. Anything else, or a file that is not a release's, is a
    ``ChainruleUsageError`` naming ``path`` and what is valid."""
    from chainrule_core.contract import qualified_names
    from chainrule_core.errors import ChainruleUsageError

    given = os.fspath(path)
    if os.path.isdir(given):
        found = [os.path.join(given, rel) for rel in (IN_OUT, IN_STUDENT)
                 if os.path.isfile(os.path.join(given, rel))]
        if not found:
            raise ChainruleUsageError(f"--release '{given}' holds no release.json (neither "
                                      f"{IN_OUT.replace(os.sep, '/')} nor {IN_STUDENT.replace(os.sep, '/')}); "
                                      f"{_VALID}.")
        file = found[0]
    elif os.path.exists(given):
        file = given
    else:
        raise ChainruleUsageError(f"--release '{given}' does not exist; {_VALID}.")
    try:
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not JSON"
        raise ChainruleUsageError(f"--release '{given}': '{file}' cannot be read ({why}); {_VALID}.") from None
    names = data.get("functions") if isinstance(data, dict) else None
    table = data.get("points") if isinstance(data, dict) else None
    if (not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names)
            or not isinstance(table, dict)):
        raise ChainruleUsageError(f"--release '{given}': '{file}' is not a release's settings (a list of "
                                  f"\"functions\" and their \"points\"); {_VALID}.")
    known = set(qualified_names())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ChainruleUsageError(f"--release '{given}': '{file}' names '{unknown[0]}', which is not a "
                                  "function of this kit's contract; grade it with the kit that built the release.")
    bad = [k for k, v in table.items() if k not in names or isinstance(v, bool)
           or not isinstance(v, (int, float)) or not 0 <= v <= MAX_POINTS]
    if bad:
        raise ChainruleUsageError(f"--release '{given}': '{file}' gives '{bad[0]}' the points "
                                  f"{table[bad[0]]!r}; a release gives its own functions 0 to {MAX_POINTS:,} "
                                  "points.")
    chosen = set(names)
    return {"functions": [q for q in qualified_names() if q in chosen],
            "points": {q: float(table[q]) for q in qualified_names() if q in table},
            "given": given, "file": os.path.realpath(file)}


def _inputs_key(case):
    """A digest of everything a case feeds the function (its kind, steps and every call's
    arguments), not of its name: two cases with equal keys ask the same question."""
    import hashlib

    from grader.framework import _arg_bytes

    digest = hashlib.sha256(f"{case.qualname}\x1f{case.kind}\x1f{case.steps}".encode())
    for call in case.calls:
        digest.update(b"\x1e")
        for arg in call.args:
            raw = _arg_bytes(arg)
            digest.update(len(raw).to_bytes(8, "big") + raw)
    return digest.digest()


def new_inputs(qualname, public_seed, hidden_seeds):
    """``{hidden seed: [case numbers]}``: the cases of ``qualname`` on each hidden seed whose
    inputs neither the public seed nor an earlier hidden seed has. A fixed edge case (the
    same inputs on every seed) is answered by the student copy's recording, so it counts
    once, in the public test; only these cases make a function's hidden checks."""
    from grader.specs import cases_for

    seen = {_inputs_key(c) for c in cases_for(qualname, public_seed)}
    chosen = {}
    for seed in hidden_seeds:
        numbers = []
        for case in cases_for(qualname, seed):
            key = _inputs_key(case)
            if key not in seen:
                seen.add(key)
                numbers.append(case.number)
        chosen[seed] = numbers
    return chosen
