"""Practice sheets: judging a blank from salted hashes, without the answer in the file.

For a number blank the answers file keeps, per precision p in ``DIGITS``, a hash of the
answer rounded to p significant digits; ``chainrule check`` rounds the student's number
the same way and tries it and its two neighbours in the last digit (so an answer on the
other side of a rounding boundary still counts). The default precision is
``DEFAULT_DIGITS``; a named mistake is kept at ``MISTAKE_DIGITS`` with its hint. Integers
and choices keep one hash each. Hashes are PBKDF2-HMAC-SHA256 (``ITERATIONS`` rounds) of
the question key, the precision and the rounded number, salted per problem.

What this cannot protect: a hash of a short number can be found by trying every number
of that length. At 4 significant digits that is under 200 000 tries (about a minute of
one CPU); at 6, about 20 million (hours); the hashes hide the answers from reading, not
from a determined search. Practice sheets are for practice; graded sheets
(``--secret-file``) keep no answer in any form. Standard library only.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Tuple

from checker.reading import normal, round_significant, round_units

DIGITS = (4, 5, 6, 7, 8)
DEFAULT_DIGITS = 6
MISTAKE_DIGITS = 4
ITERATIONS = 2000
_HEX = 24


def salt(seed: int, student_id: str, key: str, variant: str) -> str:
    text = f"chainrule-practice\x1f{seed}\x1f{student_id}\x1f{key}\x1f{variant}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _hash(salt_hex: str, question: str, tag: str, canonical: str) -> str:
    message = f"{question}\x1f{tag}\x1f{canonical}".encode("utf-8")
    return hashlib.pbkdf2_hmac("sha256", message, bytes.fromhex(salt_hex), ITERATIONS).hex()[:_HEX]


def _canonical(n: int, k: int) -> str:
    n, k = normal(n, k)
    return f"{n}e{k}"


def number_hash(salt_hex: str, question: str, value: Fraction, digits: int) -> str:
    n, k = round_significant(value, digits)
    return _hash(salt_hex, question, str(digits), _canonical(n, k))


def number_matches(salt_hex: str, question: str, value: Fraction, digits: int, stored: str) -> bool:
    """Whether ``value`` rounded to ``digits`` significant digits, or a neighbour in its
    last digit, is the number behind ``stored``."""
    units, scale = round_units(value, digits)
    steps = (0,) if units == 0 else (0, -1, 1)
    return any(_hash(salt_hex, question, str(digits), _canonical(units + step, scale)) == stored for step in steps)


def exact_hash(salt_hex: str, question: str, text: str) -> str:
    return _hash(salt_hex, question, "exact", text)


def choice_text(key: str) -> str:
    import re

    return re.sub(r"[\s-]+", "_", key.strip().casefold())


def spec(kind: str, question: str, answer: Any, salt_hex: str, choices: Sequence[str] = (),
         mistakes: Sequence[Tuple[str, Any]] = ()) -> Dict[str, Any]:
    """What the answers file keeps for one blank: ``answer`` is a Fraction (number), an
    int (integer) or a choice key; ``mistakes`` are (name, hint, value)."""
    out: Dict[str, Any] = {"kind": kind}
    if kind == "choice":
        out["choices"] = list(choices)
        out["hash"] = exact_hash(salt_hex, question, choice_text(answer))
        return out
    if kind == "integer":
        out["hash"] = exact_hash(salt_hex, question, str(int(answer)))
    else:
        out["digits"] = list(DIGITS)
        out["hashes"] = [number_hash(salt_hex, question, Fraction(answer), p) for p in DIGITS]
    named = []
    for name, hint, value in mistakes:
        if kind == "integer":
            if Fraction(value).denominator != 1:
                continue
            digest = exact_hash(salt_hex, question, str(int(value)))
        else:
            digest = number_hash(salt_hex, question, Fraction(value), MISTAKE_DIGITS)
        named.append({"hash": digest, "name": name, "hint": hint})
    if named:
        out["mistakes"] = named
    return out


#: What a practice entry read from a file may hold (a hostile file cannot make the check
#: hash for minutes): hashes and named mistakes per blank, choices, characters of a hint.
MAX_HASHES = len(DIGITS)
MAX_MISTAKES = 40
MAX_CHOICES = 20
MAX_HINT = 400


def valid_salt(salt: Any) -> bool:
    return isinstance(salt, str) and len(salt) == 32 and all(c in "0123456789abcdef" for c in salt)


def valid_spec(spec: Any) -> bool:
    """Whether ``spec`` (read from a file) has the shape ``spec`` writes, within bounds."""
    if not isinstance(spec, dict) or spec.get("kind") not in ("number", "integer", "choice"):
        return False
    if len(spec.get("hashes", [])) > MAX_HASHES or len(spec.get("mistakes", [])) > MAX_MISTAKES:
        return False
    if len(spec.get("choices", [])) > MAX_CHOICES:
        return False
    kind = spec["kind"]
    if kind == "choice":
        choices = spec.get("choices")
        return isinstance(choices, list) and all(isinstance(c, str) for c in choices) and isinstance(spec.get("hash"), str)
    if kind == "integer" and not isinstance(spec.get("hash"), str):
        return False
    if kind == "number":
        digits, hashes = spec.get("digits"), spec.get("hashes")
        if not (isinstance(digits, list) and isinstance(hashes, list) and len(digits) == len(hashes)):
            return False
        if not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 20 for d in digits):
            return False
        if not all(isinstance(h, str) for h in hashes):
            return False
    mistakes = spec.get("mistakes", [])
    return isinstance(mistakes, list) and all(
        isinstance(m, dict) and isinstance(m.get("hash"), str) and isinstance(m.get("hint"), str)
        and len(m["hint"]) <= MAX_HINT for m in mistakes
    )


def correct_number(spec, salt_hex: str, question: str, value: Fraction, digits: int) -> Optional[bool]:
    """Whether ``value`` is right at ``digits`` (None when the file keeps no hash there)."""
    if digits not in spec["digits"]:
        return None
    stored = spec["hashes"][spec["digits"].index(digits)]
    return number_matches(salt_hex, question, value, digits, stored)


def named_mistakes(spec, salt_hex: str, question: str, value: Fraction) -> List[Tuple[str, str]]:
    """(name, hint) of every named mistake ``value`` matches (a hint once)."""
    found: List[Tuple[str, str]] = []
    for m in spec.get("mistakes", []):
        if spec["kind"] == "integer":
            hit = value.denominator == 1 and exact_hash(salt_hex, question, str(int(value))) == m["hash"]
        else:
            hit = number_matches(salt_hex, question, value, MISTAKE_DIGITS, m["hash"])
        if hit and m["hint"] not in [hint for _name, hint in found]:
            found.append((str(m.get("name", "")), m["hint"]))
    return found
