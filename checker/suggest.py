"""The one "did you mean": the closest known name to a mistyped one.

Used by the generator (unknown families, formats, presets) and the checker (unknown
answer keys). ``checker`` sits below ``generator`` (the generator writes the checker's
file formats), so the helper lives here; standard library only.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def did_you_mean(name: str, known: Iterable[str]) -> Optional[str]:
    """The closest of ``known`` to ``name`` (difflib's ratio >= 0.6), or None."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None
