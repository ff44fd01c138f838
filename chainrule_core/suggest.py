"""The one "did you mean" helper: the closest known name to a mistyped one.

Every error message about an unknown name (a command, a module or function, a format,
a preset) suggests the closest valid one with ``did_you_mean``, so that they all read
the same: ``Unknown command 'grde'. Did you mean 'grade'?``.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

CUTOFF = 0.6    # difflib's default similarity: below it, no suggestion


def closest(name: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> Optional[str]:
    """The candidate most similar to ``name``, or None when none is similar enough."""
    found = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def suggestion(match: Optional[str]) -> str:
    """``" Did you mean 'match'?"``, or "" for None (ready to append to a sentence)."""
    return f" Did you mean '{match}'?" if match is not None else ""


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str:
    """``" Did you mean 'x'?"`` for the closest candidate ``x``, or "" when there is none
    (ready to append to a sentence)."""
    return suggestion(closest(name, candidates, cutoff))
