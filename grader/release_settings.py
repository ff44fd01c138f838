"""What a release chose: which contract functions it hands out and their points.

``chainrule release`` writes ``grader/data/release.json`` into the grader it ships (the
student repository and the Gradescope bundle); an instructor's own checkout has no such
file and grades the whole contract with the default points. The file is plain JSON::

    {"functions": ["activations.sigmoid", ...], "points": {"activations.sigmoid": 1.0, ...}}

``functions()`` is what ``chainrule grade`` grades when no ``--only`` is given;
``points()`` overrides the contract's default points (``effective_points()`` is the
table in force). A missing or unreadable file means no
release (nothing is overridden), never a failed grading.
"""

from __future__ import annotations

import json
import os

SETTINGS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "release.json")


def load(path=SETTINGS_FILE):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def functions(path=SETTINGS_FILE):
    """The released functions (``module.function``, contract order), or None: all of them."""
    from chainrule_core.contract import qualified_names

    names = load(path).get("functions")
    if not isinstance(names, list):
        return None
    chosen = {str(n) for n in names}
    return [q for q in qualified_names() if q in chosen] or None


def points(path=SETTINGS_FILE):
    """``{module.function: points}`` chosen by the release (empty: the defaults)."""
    table = load(path).get("points")
    if not isinstance(table, dict):
        return {}
    return {str(k): float(v) for k, v in table.items() if isinstance(v, (int, float)) and v >= 0}


def effective_points(path=SETTINGS_FILE):
    """Points per function in force: the contract's defaults, with the release's choices."""
    from chainrule_core.contract import POINTS

    table = dict(POINTS)
    table.update((k, v) for k, v in points(path).items() if k in table)
    return table


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
