"""Practice sheets: judging a blank from salted hashes, without the answer in the file.

For a number blank the answers file keeps one hash: of the answer rounded to ``DIGITS``
significant digits. ``chainrule check`` rounds the student's number the same way and tries
it and its two neighbours in the last digit (so an answer on the other side of a rounding
boundary still counts). Where rounding every earlier line as the key prints it moves an
answer by more than that (a nearly cancelling sum), the blank also keeps a hash of each
number at that precision between the answer and what the rounded lines give (``band``, at
most ``MAX_BAND``): they are right too, as on an open sheet. A named mistake is kept the
same way, at the same precision, with its hint. Integers and choices keep one hash each. Every hash is scrypt (``hashlib.scrypt``,
``SCRYPT`` parameters: memory-hard, 4 MiB and about 7 ms a try on one core) of the
precision and the canonical value, salted per blank (the problem's salt and the question
key). A problem's table says ``scheme = SCHEME``; a file of the older format (hashes at
every precision from 4 to 8 digits, PBKDF2) is refused with one sentence saying to
regenerate it, because each of its precisions was a cheap step from the one before.

Why one precision: a hash at 4 digits is found in under 200 000 tries, and each further
digit then takes at most 20 more; the checker needs only to tell whether an answer is
right to the sheet's precision, so nothing shorter is kept. A student's answer of 4 or 5
digits is judged at its own digits all the same, by hashing each 6-digit number it can
stand for (``short_matches``: 152 or 17 tries, each one a search would make anyway), so
that the right value to 4 digits is told apart from a wrong one. A file's check hashes
within a bound (``Budget``: ``SHORT_BUDGET`` tries for its short answers, ``hash_budget``
of its problems for everything else, what every blank of a real sheet of that many problems
can need), so that a file edited to hold thousands of invented blanks costs about a minute of
one core at most, not hours: the answers past it are not judged, and a
problem table of more than ``MAX_BLANKS`` blanks is refused unread. What a hash still cannot
protect: the answer can be searched. At 6 significant digits a blank has 1.8 million
candidates per power of ten (both signs); at the measured ~7 ms a try that is about 3.5
hours of one core per power of ten, typically a day for one blank (answers span several
powers of ten), weeks of CPU for a sheet. Integer and choice blanks have few candidates
and hide nothing from a search (the checker itself answers a guess). Practice sheets are
for practice; graded sheets (``--secret-file``) keep no answer in any form. Standard
library only.
"""

from __future__ import annotations

import contextvars
import hashlib
from contextlib import contextmanager
from fractions import Fraction
from functools import lru_cache
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from checker.reading import normal, round_units

#: the precision (significant digits) a number blank is kept and judged at
DIGITS = 6
DEFAULT_DIGITS = DIGITS
#: the format of the hashes, written in every practice table (``scheme = ...``)
SCHEME = "scrypt-1"
#: scrypt's cost: N = 2**12, r = 8 (4 MiB of memory a try), p = 1
SCRYPT = {"n": 2 ** 12, "r": 8, "p": 1}
_BYTES = 16


def salt(seed: int, student_id: str, key: str, variant: str) -> str:
    text = f"chainrule-practice\x1f{seed}\x1f{student_id}\x1f{key}\x1f{variant}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _hash(salt_hex: str, question: str, tag: str, canonical: str) -> str:
    """scrypt of ``tag`` and ``canonical``, salted with the problem's salt and the question
    (a salt per blank); cached, so that a student's number is hashed once however many
    stored hashes (the answer, named mistakes) it is compared with. Counted by the file's
    ``Budget`` while it meters a blank (``Budget.metering``)."""
    budget = _METER.get()
    if budget is not None:
        budget.count((salt_hex, question, tag, canonical))
    return _scrypt(salt_hex, question, tag, canonical)


@lru_cache(maxsize=8192)     # more than a file's budget: a hash it counted once is never made again
def _scrypt(salt_hex: str, question: str, tag: str, canonical: str) -> str:
    blank_salt = hashlib.sha256(bytes.fromhex(salt_hex) + b"\x1f" + question.encode("utf-8")).digest()
    message = f"{tag}\x1f{canonical}".encode("utf-8")
    return hashlib.scrypt(message, salt=blank_salt, dklen=_BYTES, maxmem=32 * 2 ** 20, **SCRYPT).hex()


_hash.cache_clear = _scrypt.cache_clear     # type: ignore[attr-defined]  (tests start from a cold cache)


def _canonical(n: int, k: int) -> str:
    n, k = normal(n, k)
    return f"{n}e{k}"


def number_hash(salt_hex: str, question: str, value: Fraction, digits: int = DIGITS) -> str:
    n, k = round_units(value, digits)
    return _hash(salt_hex, question, str(digits), _canonical(n, k))


def number_matches(salt_hex: str, question: str, value: Fraction, digits: int, stored: Sequence[str]) -> Optional[int]:
    """Which digest of ``stored`` matches ``value`` rounded to ``digits`` significant digits,
    or a neighbour of it in the last digit: its index, or None."""
    units, scale = round_units(value, digits)
    steps = (0,) if units == 0 else (0, -1, 1)
    for step in steps:
        digest = _hash(salt_hex, question, str(digits), _canonical(units + step, scale))
        if digest in stored:
            return list(stored).index(digest)
    return None


#: at most this many hashes of a blank's band (``band_units``): more would be a wide band
#: where only its ends are kept
MAX_BAND = 40


def band_units(answer: Fraction, band: Sequence[Fraction], digits: int = DIGITS) -> List[Tuple[int, int]]:
    """The numbers at ``digits`` significant digits (normal (n, k)) other than the answer's
    own that lie between ``answer`` and a value of ``band`` (what rounding each line as the
    key prints it gives, ``checker.check.printed_bands``), those values included: a practice
    sheet keeps a hash of each, so that the key's promise (a student who rounds each line
    as it does is right) holds where a sum nearly cancels. A band of more than ``MAX_BAND``
    numbers keeps its ends only."""
    own = normal(*round_units(answer, digits))
    out: List[Tuple[int, int]] = []
    for value in band:
        ends = [normal(*round_units(value, digits))]
        lo, hi = min(answer, value), max(answer, value)
        if lo != 0 and hi != 0 and (lo > 0) == (hi > 0):
            k = min(round_units(lo, digits)[1], round_units(hi, digits)[1])
            unit = Fraction(10) ** k
            first, last = -((-lo) // unit), hi // unit  # ceil, floor
            if last - first + 1 <= MAX_BAND:
                ends += [normal(*round_units(n * unit, digits)) for n in range(int(first), int(last) + 1)]
        for units in ends:
            if units != own and units not in out:
                out.append(units)
    if len(out) > MAX_BAND:
        out = [normal(*round_units(value, digits)) for value in band][:MAX_BAND]
        out = [u for i, u in enumerate(out) if u != own and u not in out[:i]]
    return out


def exact_hash(salt_hex: str, question: str, text: str) -> str:
    return _hash(salt_hex, question, "exact", text)


def choice_text(key: str) -> str:
    import re

    return re.sub(r"[\s-]+", "_", key.strip().casefold())


def spec(kind: str, question: str, answer: Any, salt_hex: str, choices: Sequence[str] = (),
         mistakes: Sequence[Tuple[str, Any]] = (), band: Sequence[Fraction] = ()) -> Dict[str, Any]:
    """What the answers file keeps for one blank: ``answer`` is a Fraction (number), an
    int (integer) or a choice key; ``mistakes`` are (name, hint, value) or (name, hint,
    value, through): ``through`` the questions a right answer to which rules the mistake out
    (``checker.check.ruled_out_by``), kept as ``through`` when there are any; ``band`` (numbers)
    the values that rounding each line as the key prints it gives where they differ from
    the answer (``checker.check.printed_bands``): they and the numbers between them and the
    answer are kept as right too (``band_units``)."""
    out: Dict[str, Any] = {"kind": kind}
    if kind == "choice":
        out["choices"] = list(choices)
        out["hash"] = exact_hash(salt_hex, question, choice_text(answer))
        return out
    if kind == "integer":
        out["hash"] = exact_hash(salt_hex, question, str(int(answer)))
    else:
        out["digits"] = DIGITS
        out["hash"] = number_hash(salt_hex, question, Fraction(answer))
        if band:
            units = band_units(Fraction(answer), [Fraction(v) for v in band])
            if units:
                out["band"] = [_hash(salt_hex, question, str(DIGITS), _canonical(n, k)) for n, k in units]
    named = []
    for name, hint, value, *through in mistakes:
        if kind == "integer":
            if Fraction(value).denominator != 1:
                continue
            digest = exact_hash(salt_hex, question, str(int(value)))
        else:
            digest = number_hash(salt_hex, question, Fraction(value))
        if digest == out["hash"] or digest in out.get("band", ()):
            continue            # a "mistake" that gives the right answer names nothing
        named.append({"hash": digest, "name": name, "hint": hint})
        if through and through[0]:
            named[-1]["through"] = list(through[0])
    if named:
        out["mistakes"] = named
    return out


#: What a practice entry read from a file may hold (a student's number is hashed at most 8
#: times, whatever the entry holds, and a short one at most 152 more, ``short_matches``,
#: which depends on the student's digits only; a file's blanks together at most
#: ``HASH_BUDGET`` times, ``Budget``): named mistakes per blank, choices, characters of a hint.
MAX_MISTAKES = 40
MAX_CHOICES = 20
MAX_HINT = 400
#: Blanks of one problem (its [chainrule.practice.<key>] table): the families have at most
#: 15 (training_step; 3 to 12 the others); a table with more was edited (one blank's entry
#: copied under new keys) and the file is refused before anything is hashed.
MAX_BLANKS = 40
#: Characters of a question's key a mistake's ``through`` may name (the keys are short: dE_dw_5).
MAX_KEY = 100


def valid_salt(salt: Any) -> bool:
    return isinstance(salt, str) and len(salt) == 32 and all(c in "0123456789abcdef" for c in salt)


def valid_spec(spec: Any) -> bool:
    """Whether ``spec`` (read from a file) has the shape ``spec`` writes, within bounds."""
    if not isinstance(spec, dict) or spec.get("kind") not in ("number", "integer", "choice"):
        return False
    if not isinstance(spec.get("hash"), str):
        return False
    mistakes = spec.get("mistakes", [])
    if not isinstance(mistakes, list) or len(mistakes) > MAX_MISTAKES:
        return False
    kind = spec["kind"]
    if kind == "choice":
        choices = spec.get("choices")
        return (isinstance(choices, list) and len(choices) <= MAX_CHOICES
                and all(isinstance(c, str) for c in choices))
    if kind == "number" and spec.get("digits") != DIGITS:
        return False
    band = spec.get("band", [])
    if kind != "number" and "band" in spec:
        return False
    if not isinstance(band, list) or len(band) > MAX_BAND or not all(isinstance(h, str) for h in band):
        return False
    return all(
        isinstance(m, dict) and isinstance(m.get("hash"), str) and isinstance(m.get("hint"), str)
        and len(m["hint"]) <= MAX_HINT and _valid_through(m.get("through", [])) for m in mistakes
    )


def _valid_through(through: Any) -> bool:
    return (isinstance(through, list) and len(through) <= MAX_BLANKS
            and all(isinstance(k, str) and len(k) <= MAX_KEY for k in through))


def correct_number(spec, salt_hex: str, question: str, value: Fraction, digits: int = DIGITS) -> Optional[bool]:
    """Whether ``value`` is right at ``digits`` (None when the file keeps no hash there)."""
    if digits != spec.get("digits"):
        return None
    return number_matches(salt_hex, question, value, digits, [spec["hash"]] + list(spec.get("band", []))) is not None


#: A number of fewer digits than ``DIGITS`` is compared at its own digits from this many on
#: (``short_matches``); with fewer, each of its 6-digit completions would cost a hash: 1500
#: for 3 digits, some 10 seconds.
SHORT_FROM = 4


#: The tries ``short_matches`` may make for one file, all its short answers together (about
#: 11 s of one core): a sheet written to 4 digits throughout would otherwise take a minute or
#: two; past it a short answer is not judged at its digits (``Budget.skipped`` counts them).
SHORT_BUDGET = 1500

#: The hashes one file's blanks may cost besides the short answers' tries (about 10 s of one
#: core): a hostile file of thousands of invented blanks (a blank's entry copied under new
#: keys, each answered) would otherwise hash for many minutes (a 2 MB file holds some 19 000
#: blanks at up to 8 hashes each). A real sheet needs far less: one problem of every family
#: (at most 105 blanks) answered wrong to 8 digits throughout costs at most 688 (``BLANK_COST``
#: per blank; 60 students' sheets measured), a right answer 1 to 3. A blank is judged only
#: while what is left covers its worst case; past it, it is ``not_judged`` (``Budget.unjudged``
#: counts them). A file's check makes at most ``HASH_BUDGET + SHORT_BUDGET + AGREE_BUDGET``
#: hashes in all (``agrees_short``'s tries counted by the last).
HASH_BUDGET = 1500

#: The most blanks one problem of a family has (training_step; the tests check every family),
#: and the problems of a file whose blanks the budget grows with: a sheet of many problems
#: (``generate --problems 45``) answered wrong throughout is judged whole (this session's
#: review: 42 answers of such a sheet were left unjudged), while a hostile file listing
#: thousands of problems still costs at most ``hash_budget(BUDGET_PROBLEMS)`` (7200 hashes,
#: under a minute of one core).
PROBLEM_BLANKS = 15
BUDGET_PROBLEMS = 60


def hash_budget(problems: int) -> int:
    """The hashes a file of ``problems`` problems may cost besides its short answers: every
    blank a sheet of that many problems can have, answered wrong to 8 digits (up to
    ``BUDGET_PROBLEMS`` problems), and at least ``HASH_BUDGET``."""
    return max(HASH_BUDGET, BLANK_COST["number"] * PROBLEM_BLANKS * min(problems, BUDGET_PROBLEMS))

#: The most hashes judging one answered blank makes, short answers' tries apart: for a number
#: the answer and its two neighbours in the last digit, the same for the number with its sign
#: turned, and 100 times and 1/100 of it (named mistakes compare those same digests); for an
#: integer it and its negative; for a choice the chosen key.
BLANK_COST = {"number": 8, "integer": 2, "choice": 1}

_METER: "contextvars.ContextVar[Optional[Budget]]" = contextvars.ContextVar("chainrule_practice_meter",
                                                                             default=None)


class Budget:
    """One file's hashing: what is left of ``SHORT_BUDGET`` (``left``) and how many short
    answers it left uncompared (``skipped``); what is left of ``HASH_BUDGET`` (``hashes``)
    and how many blanks it left not judged (``unjudged``). A hash is counted once per file
    (a student's number compared with the answer and with the named mistakes is one)."""

    def __init__(self, tries: Optional[int] = None, hashes: Optional[int] = None) -> None:
        self.left = SHORT_BUDGET if tries is None else tries
        self.skipped = 0
        self.hashes = HASH_BUDGET if hashes is None else hashes
        self.unjudged = 0
        self.agree = AGREE_BUDGET
        self._seen: set = set()
        self._short = False

    def affords(self, kind: str) -> bool:
        """Whether what is left covers judging one answered blank of ``kind`` at worst."""
        return self.hashes >= BLANK_COST.get(kind, max(BLANK_COST.values()))

    def count(self, key: Tuple[str, str, str, str]) -> None:
        """A hash is asked for (``_hash``): counted when this file has not made it before
        (a short answer's tries are counted by ``left`` instead)."""
        if key not in self._seen:
            self._seen.add(key)
            if not self._short:
                self.hashes -= 1

    @contextmanager
    def metering(self, short: bool = False):
        """Count the hashes made inside the block against this budget (``short``: as a
        short answer's tries)."""
        token = _METER.set(self)
        was, self._short = self._short, short
        try:
            yield self
        finally:
            self._short = was
            _METER.reset(token)


def short_matches(spec, salt_hex: str, question: str, value: Fraction, given: int,
                  budget: Optional[Budget] = None) -> Optional[bool]:
    """Whether a number written with ``given`` significant digits (fewer than ``DIGITS``)
    is the answer at those digits, rounded or cut off there: whether a 6-digit number it
    can stand for (from half a unit of its last digit below it to a unit above, one more
    either way for the rule's neighbours) has a hash of the blank (the answer's or its
    band's). No shorter hash is kept, so each such number is hashed: 17 for 5 digits, 152
    for 4 (about a second); nothing more is learnt than the file already allows, since
    each of those is a 6-digit candidate a search would try. None when it cannot be said
    cheaply: fewer than ``SHORT_FROM`` digits, 0, or a range that reaches below the power
    of ten of ``value`` (where 6 digits are finer: 1.000 for 0.99996), or ``budget`` spent
    before an answer was found."""
    if spec.get("kind") != "number" or spec.get("digits") != DIGITS or value == 0:
        return None
    if not SHORT_FROM <= given < DIGITS:
        return None
    units, scale = round_units(value, DIGITS)           # exact: ``value`` has ``given`` digits
    sign, magnitude = (-1 if units < 0 else 1), abs(units)
    step = 10 ** (DIGITS - given)                       # 6-digit units in a unit of its last digit
    low, high = magnitude - step // 2 - 1, magnitude + step
    if low < 10 ** (DIGITS - 1):
        return None
    stored = {spec["hash"], *spec.get("band", [])}
    order = sorted(range(low, high + 1), key=lambda n: (abs(n - magnitude), n))
    if budget is None:
        return _short_search(order, stored, salt_hex, question, sign, scale, None)
    with budget.metering(short=True):
        return _short_search(order, stored, salt_hex, question, sign, scale, budget)


def _short_search(order, stored, salt_hex, question, sign, scale, budget) -> Optional[bool]:
    for n in order:
        if n >= 10 ** DIGITS and n % 10:
            continue        # past the next power of ten only every tenth is a 6-digit number
        if budget is not None:
            if budget.left <= 0:
                budget.skipped += 1
                return None
            budget.left -= 1
        if _hash(salt_hex, question, str(DIGITS), _canonical(sign * n, scale)) in stored:
            return True
    return False


#: A wrong answer of ``DIGITS`` digits or more is compared with the answer at this many too
#: (``agrees_short``): the method right and a value rounded on the way (an activation rounded
#: to 3 digits, trial 19b) misses by a few units of the 6th digit.
AGREE_DIGITS = 5
#: The most tries ``agrees_short`` makes for one answer: the 6-digit numbers within one unit
#: of the 5th digit either way.
AGREE_TRIES = 21
#: ``agrees_short``'s tries for one file (about 1.5 s of one core: 10 wrong answers), apart
#: from the other budgets: past it a wrong answer gets the plain hint. A probe makes
#: ``AGREE_TRIES - 3`` new hashes at most (the answer and its neighbours are made already).
AGREE_ANSWERS = 10
AGREE_BUDGET = AGREE_ANSWERS * AGREE_TRIES


def agrees_short(spec, salt_hex: str, question: str, value: Fraction, budget: Optional[Budget] = None) -> bool:
    """Whether a wrong ``value`` (``DIGITS`` digits or more) agrees with the answer to about
    ``AGREE_DIGITS`` significant digits: whether a 6-digit number within one unit of its 5th
    digit either way has a hash of the blank (the answer's or its band's). What 5 digits
    written alone would tell (``short_matches``), so nothing the file did not already allow.
    False when ``budget``'s own allowance (``AGREE_BUDGET``) is spent; its tries are not
    counted against the file's other budgets."""
    if spec.get("kind") != "number" or spec.get("digits") != DIGITS or value == 0:
        return False
    if budget is not None:
        if budget.agree < AGREE_TRIES:
            return False
        budget.agree -= AGREE_TRIES
        with budget.metering(short=True):
            return _agrees(spec, salt_hex, question, value)
    return _agrees(spec, salt_hex, question, value)


def _agrees(spec, salt_hex: str, question: str, value: Fraction) -> bool:
    units, scale = round_units(value, DIGITS)
    sign, magnitude = (-1 if units < 0 else 1), abs(units)
    step = 10 ** (DIGITS - AGREE_DIGITS)
    stored = {spec["hash"], *spec.get("band", [])}
    for n in sorted(range(magnitude - step, magnitude + step + 1), key=lambda n: (abs(n - magnitude), n)):
        if n < 10 ** (DIGITS - 1) or (n >= 10 ** DIGITS and n % 10):
            continue        # not a 6-digit number at this scale
        if _hash(salt_hex, question, str(DIGITS), _canonical(sign * n, scale)) in stored:
            return True
    return False


def off_by_100(spec, salt_hex: str, question: str, value: Fraction) -> Optional[str]:
    """"times_100" when ``value`` is 100 times the answer (a percentage where a fraction is
    asked), "over_100" when it is 1/100 of it, at ``DIGITS`` digits (the hint of a wrong
    number only: one hash each, without the neighbours in the last digit), else None."""
    if spec.get("kind") != "number" or spec.get("digits") != DIGITS or value == 0:
        return None
    stored = {spec["hash"], *spec.get("band", [])}
    for factor, name in ((Fraction(1, 100), "times_100"), (Fraction(100), "over_100")):
        if _hash(salt_hex, question, str(DIGITS), _canonical(*round_units(value * factor, DIGITS))) in stored:
            return name
    return None


def named_mistakes(spec, salt_hex: str, question: str, value: Fraction,
                   right: Collection[str] = ()) -> List[Tuple[str, str]]:
    """(name, hint) of every named mistake ``value`` matches (a hint once), but those that a
    right answer to a question of ``right`` rules out (their ``through``)."""
    return [(name, hint) for name, hint, _through in matched_mistakes(spec, salt_hex, question, value, right)]


def matched_mistakes(spec, salt_hex: str, question: str, value: Fraction,
                     right: Collection[str] = ()) -> List[Tuple[str, str, Tuple[str, ...]]]:
    """``named_mistakes`` with each mistake's ``through`` (the questions it is carried from)."""
    found: List[Tuple[str, str, Tuple[str, ...]]] = []
    stored = [m["hash"] for m in spec.get("mistakes", [])]
    if not stored:
        return found
    if spec["kind"] == "integer":
        if value.denominator != 1:
            return found
        digest = exact_hash(salt_hex, question, str(int(value)))
        hits = [i for i, h in enumerate(stored) if h == digest]
    else:
        # the student's number and its neighbours are hashed once (``_hash`` is cached);
        # every mistake is compared with those digests
        units, scale = round_units(value, DIGITS)
        digests = {_hash(salt_hex, question, str(DIGITS), _canonical(units + step, scale))
                   for step in ((0,) if units == 0 else (0, -1, 1))}
        hits = [i for i, h in enumerate(stored) if h in digests]
    for i in hits:
        m = spec["mistakes"][i]
        if any(k in right for k in m.get("through", ())):
            continue
        if m["hint"] not in [hint for _name, hint, _through in found]:
            found.append((str(m.get("name", "")), m["hint"], tuple(m.get("through", ()))))
    return found
