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
