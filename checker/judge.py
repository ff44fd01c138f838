"""The verdict on one blank.

- ``correct``: within the tolerance of the exact answer (numbers), equal (integers), the
  right key (choices, case-insensitive); a number is also right within the tolerance of
  what rounding every earlier line as the key prints it gives, or between that and the
  exact answer (``within_band``: the key's promise that a student who rounds each line is
  right, which a near-cancelling sum would otherwise break);
- ``consistent``: not the answer, but what the problem's own formulas give from the
  student's earlier answers in the chain (error carried forward; credit by
  ``--carry-forward full|half|none``), e.g. "consistent with your o_1 = 0.61"; never when
  that value asks no work (0 or a given, or following from an earlier answer that is);
- ``wrong``: read but not right, with a hint that never reveals the answer: a named
  mistake ("this is what you get if you leave out the sigmoid derivative ..."), rounded
  intermediates (only when recomputing with rounded values gives the student's number),
  the wrong sign, a factor of 100 ("100 times the right value": a percentage for a
  fraction; "1/100"), on open and graded sheets the value of another blank or of a step of
  the key ("this is the value of o_2 (part d)": o_1 and o_2 swapped; never 0, 1, a given
  or a value of one or two significant digits);
- ``too_few``: fewer digits than asked, which are the answer rounded to them ("agrees to the
  N significant digits you gave") or cut off there (only that the digits are too few to
  tell); on a practice sheet, a short answer that agrees at its digits or that its hashes
  cannot judge ("cannot be judged with N digits"): no credit, not counted as wrong;
- ``unanswered``: an empty blank or a missing key;
- ``invalid``: not an answer of the asked kind ("0,4.3", an unknown choice, 5000 digits);
- ``not_judged``: a practice sheet's answer that the file's hashing budget did not cover
  (only an edited file of hundreds of invented blanks spends it): no credit, not wrong.

Numbers are compared exactly (``Fraction``), so the verdict is the same on every machine,
and ``437/1000`` gets the verdict and message of ``0.437``. No sympy here: a ``Target``
holds exact Fractions (``checker.check`` builds it from a rebuilt problem) and
``judge_practice`` works from a practice sheet's hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from checker import practice
from checker.messages import message
from checker.reading import (MAX_CHARS, MAX_DIGITS, MAX_EXPONENT, NotAnAnswer, Reading, agreeing_digits, blank, exponent,
                             half_width, normal, read_number, round_units, shown, written)
from checker.tolerance import Tolerance

#: ``too_few``: a number of fewer digits than asked that is the answer at its digits, or that
#: cannot be judged at them (cut off; a practice sheet's short answer): no credit, and not a
#: wrong value either
#: ``not_judged``: a practice sheet's answer left unjudged when the file's hashing budget was
#: spent (``checker.practice.Budget``: an edited file of hundreds of blanks): no credit, not wrong
STATUSES = ("correct", "consistent", "wrong", "too_few", "unanswered", "invalid", "not_judged")
CARRY_FORWARD = ("full", "half", "none")
CREDIT = {"full": 1.0, "half": 0.5, "none": 0.0}
#: Significant digits the worksheets ask for (generator.numbers.SIGNIFICANT).
ASKED_DIGITS = 8
#: A wrong number is said to "agree to k significant digits" from this many on (a value of
#: another blank or step is named from this many agreeing digits).
AGREES_FROM = 4
#: Below this many agreeing digits (from ``AGREES_FROM``) the hint adds that a value rounded
#: on the way (an activation, say) should carry all its digits (trial 19b); 3 agreeing digits
#: stay a plain "not the right value" (a wrong formula is as likely as a slip), unless
#: recomputing with rounded values gives the answer (``Target.rounded``).
CARRY_BELOW = 6
#: The most quantities one "this is the value of ..." names (equal values: dE/dv_1,1 and dE/dv_2,1).
ELSEWHERE_NAMES = 3


@dataclass
class Verdict:
    """The judgement of one blank. ``given`` is what the student wrote, as shown in
    reports (None when the blank is empty or missing); never the expected answer."""

    key: str
    letter: str
    kind: str
    status: str
    given: Optional[str] = None
    message: str = ""
    #: what the student wrote, without TOML quotes ("0.165" for both "0.165" and 0.165)
    written: Optional[str] = None
    #: the TOML type of what they wrote: string, integer, float, boolean, array, table
    toml_type: Optional[str] = None
    #: points for this blank: 1 correct, the carried-forward share when consistent, else 0
    credit: float = 0.0
    #: the named mistakes this answer matches (their names)
    mistakes: List[str] = field(default_factory=list)
    #: the student's value, exactly (numbers that could be read)
    value: Optional[Fraction] = None
    #: on a practice sheet, the named mistakes of an earlier blank this answer follows from
    #: (not charged again: ``mistakes`` is empty), and that blank's key
    carried: List[str] = field(default_factory=list)
    follows: Optional[str] = None


@dataclass
class Mistake:
    name: str
    hint: str  # in the file's language
    value: Fraction


@dataclass
class Target:
    """What one blank of a rebuilt problem is judged against (all exact)."""

    key: str
    kind: str
    answer: Any  # Fraction (number, integer) or a choice key
    tolerance: Tolerance
    choices: Sequence[str] = ()
    mistakes: List[Mistake] = field(default_factory=list)
    #: the value right given the student's own earlier answers, and which of them it
    #: used that were not right ("o_1 = 0.61"); None when nothing earlier was wrong
    consistent: Optional[Fraction] = None
    used: List[str] = field(default_factory=list)
    #: values from rounded intermediates: (digits or None for the student's own, value)
    rounded: List[Tuple[Optional[int], Fraction]] = field(default_factory=list)
    #: the student's own rounded values a "rounded" entry used ("o_1 = 0.6")
    rounded_used: List[str] = field(default_factory=list)
    #: what the worked key's rounding gives where it differs from the answer: the key's line
    #: computed from its printed earlier numbers, and a student's who rounds every line as
    #: the key prints it; each widens the accepted band (``within_band``)
    band: List[Fraction] = field(default_factory=list)
    #: the same for the carried-forward value ``consistent``
    consistent_band: List[Fraction] = field(default_factory=list)
    #: the carried-forward value asks no work: it is 0 or a given, or the wrong answer it
    #: follows from is (``o_1`` written as the target ``t_1``, so ``E = 0``): no credit
    trivial: bool = False
    #: what a wrong answer may be instead: the exact values of the problem's other blanks and
    #: of its key's unasked steps, with how the file's language names them ("o_2 (part d)",
    #: "h_2"); only for open and graded sheets (``checker.check._elsewhere``)
    elsewhere: List[Tuple[Fraction, str]] = field(default_factory=list)


def within_band(tolerance: Tolerance, x: Fraction, answer: Fraction, band: Sequence[Fraction] = ()) -> bool:
    """Whether ``x`` is right: within ``tolerance`` of ``answer`` or of a value of ``band``
    (what rounding each line as the key prints it gives), or between ``answer`` and one.
    Where a sum nearly cancels, the key's rounded lines move the answer by more than the
    tolerance; the key promises that a student who rounds each line is still right."""
    if tolerance.accepts(x, answer):
        return True
    for value in band:
        if tolerance.accepts(x, value) or min(value, answer) <= x <= max(value, answer):
            return True
    return False


def start(key: str, kind: str, value: Any, letter: str, lang: str) -> Verdict:
    verdict = Verdict(key, letter, kind, "unanswered")
    if blank(value):
        verdict.message = message(lang, "unanswered")
        return verdict
    verdict.given = shown(value)
    verdict.written, verdict.toml_type = written(value)
    return verdict


def read(verdict: Verdict, value: Any, lang: str) -> Optional[Reading]:
    """The number in ``value``, or None with the verdict made ``invalid``."""
    try:
        reading = read_number(value)
    except NotAnAnswer as exc:
        verdict.status = "invalid"
        if any(word in str(exc) for word in ("digits", "characters", "size")):
            verdict.message = message(lang, "too_long", given=verdict.given, chars=MAX_CHARS, digits=MAX_DIGITS,
                                      e=MAX_EXPONENT)
        else:
            verdict.message = message(lang, "not_a_number", given=verdict.given, why=_why_not(value, lang))
        return None
    verdict.value = reading.value
    return reading


def _why_not(value: Any, lang: str) -> str:
    """What an answer that is not read as a number shows of why (a decimal comma, a
    percentage, a power of ten written out), as ``not_a_number``'s ending, or "" (full-width
    forms read as ASCII: "０，３７" has a decimal comma)."""
    text = half_width(str(value))
    if "%" in text:
        return message(lang, "why_percent")
    if re.search(r"\\times|\\cdot|[×·]|\*\s*10|10\s*\^|10\*\*", text):
        return message(lang, "why_power")
    grouped = re.fullmatch(r"\s*([-+−]?)([1-9]\d{0,2}(?:,\d{3})+)(\.\d*)?\s*", text)  # 3,000; 12,500.5
    if grouped:
        sign, digits, fraction = grouped.group(1).replace("−", "-").replace("+", ""), grouped.group(2), grouped.group(3)
        thousands = sign + digits.replace(",", "") + (fraction or "")
        if digits.count(",") == 1 and not fraction:  # 12,500: also 12.5 with a decimal comma
            return message(lang, "why_grouping", thousands=thousands, decimal=sign + digits.replace(",", "."))
        return message(lang, "why_grouping_only", thousands=thousands)
    if re.search(r"\d,\d", text):
        return message(lang, "why_comma")
    return ""


def _normal_choice(text: str) -> str:
    return re.sub(r"[\s-]+", "_", half_width(text).strip().casefold())


def _chosen(value: Any, keys: Sequence[str]) -> Optional[str]:
    if isinstance(value, str) and len(value) <= MAX_CHARS:
        wanted = _normal_choice(value)
        return next((k for k in keys if _normal_choice(k) == wanted), None)
    return None


def _choice(verdict: Verdict, value: Any, keys: Sequence[str], right, lang: str) -> Verdict:
    chosen = _chosen(value, keys)
    if chosen is None:
        verdict.status = "invalid"
        verdict.message = message(lang, "not_a_choice", given=verdict.given, keys=", ".join(keys))
    elif right(chosen):
        verdict.status, verdict.credit = "correct", 1.0
    else:
        verdict.status = "wrong"
        verdict.message = message(lang, "wrong_choice")
    return verdict


def judge(target: Target, value: Any, letter: str = "", lang: str = "en", carry: str = "full",
          earlier: Optional[Dict[str, Verdict]] = None) -> Verdict:
    """The verdict on ``value`` (a TOML value, None when missing) for ``target``; ``earlier``:
    the verdicts on the problem's blanks judged before it, by key (``name_mistakes``)."""
    verdict = start(target.key, target.kind, value, letter, lang)
    if verdict.given is None:
        return verdict
    if target.kind == "choice":
        return _choice(verdict, value, list(target.choices), lambda k: k == target.answer, lang)
    reading = read(verdict, value, lang)
    if reading is None:
        return verdict
    x, answer = reading.value, target.answer
    if target.kind == "integer":
        right = x == answer
    else:
        right = within_band(target.tolerance, x, answer, target.band)
    if right:
        verdict.status, verdict.credit = "correct", 1.0
        return verdict
    same = (lambda a, b: a == b) if target.kind == "integer" else target.tolerance.accepts
    consistent = target.consistent is not None and (
        x == target.consistent if target.kind == "integer"
        else within_band(target.tolerance, x, target.consistent, target.consistent_band))
    if consistent and target.used:
        used = ", ".join(target.used)
        if target.trivial:  # session 9's attack: o_1 = t_1 earned E = 0; a zero gradient, the given weight
            verdict.status, verdict.credit = "wrong", 0.0
            verdict.message = message(lang, "consistent_trivial", used=used)
            return verdict
        verdict.credit = CREDIT[carry]
        verdict.status = "consistent" if verdict.credit else "wrong"
        name = {"full": "consistent", "half": "consistent_half", "none": "consistent_none"}[carry]
        verdict.message = message(lang, name, used=used)
        return verdict
    verdict.status = "wrong"
    found: List[Tuple[str, str, Tuple[str, ...]]] = []
    for mistake in target.mistakes:
        if same(x, mistake.value) and mistake.hint not in [hint for _name, hint, _through in found]:
            found.append((mistake.name, mistake.hint, ()))
    if found:
        name_mistakes(verdict, found, earlier, lang)
        return verdict
    if target.kind == "integer":
        names = [label for value, label in target.elsewhere if value == x]
        if x.denominator != 1:
            verdict.message = message(lang, "not_whole")
        elif x != 0 and -x == answer:
            verdict.message = message(lang, "wrong_sign")
        elif names:
            verdict.message = _elsewhere_message(names, None, lang)
        else:
            verdict.message = message(lang, "wrong_integer")
        return verdict
    verdict.message = number_hint(reading, target, lang)
    if verdict.message == _closeness(reading, target, lang):
        verdict.status = "too_few"
    return verdict


def name_mistakes(verdict: Verdict, found: Sequence[Tuple[str, str, Sequence[str]]],
                  earlier: Optional[Dict[str, Verdict]], lang: str) -> None:
    """The message and mistakes of a wrong answer that ``found`` (name, hint, through) of the
    named mistakes give, told apart by ``earlier`` (the verdicts on the problem's blanks judged
    before, by key). A mistake carried from an earlier blank whose answer made it (one of its
    ``through``) follows from that answer: said so, not charged again, and the other mistakes
    that give the same value (the gradient added, where t - o was written for dE/do_1) are
    not named. Else, of several, those an earlier answer of the problem made (by name) are
    named alone; else several are offered as alternatives (no_eta and no_half at eta = 0.5),
    never charged together."""
    earlier = earlier or {}

    def made(key: str, name: str) -> bool:
        v = earlier.get(key)
        return v is not None and v.status == "wrong" and (name in v.mistakes or name in v.carried)

    origins: Dict[str, List[str]] = {}
    for name, _hint, through in found:
        origin = next((k for k in through if made(k, name)), None)
        if origin is not None:
            origin = earlier[origin].follows or origin
            origins.setdefault(origin, []).append(name)
    if origins:
        first = min(origins, key=lambda k: (len(earlier[k].letter), earlier[k].letter))
        v = earlier[first]
        used = message(lang, "follows_used", key=first, given=v.written, letter=v.letter)
        verdict.message = message(lang, "follows_from", used=used)
        verdict.carried, verdict.follows, verdict.mistakes = list(dict.fromkeys(origins[first])), first, []
        return
    before = {n for v in earlier.values() if v.status == "wrong" for n in v.mistakes + v.carried}
    shown = [f for f in found if f[0] in before]
    if shown and len({h for _n, h, _t in shown}) < len({h for _n, h, _t in found}):
        found = shown
    verdict.mistakes = [name for name, _hint, _through in found]
    hints = [hint for _name, hint, _through in found]
    if len(hints) == 1:
        verdict.message = hints[0]
    else:
        verdict.message = message(lang, "mistakes_either", hints=message(lang, "mistakes_or").join(hints))


def _explains(reading: Reading, value: Fraction) -> bool:
    """Whether ``value`` is the student's number up to the digits they wrote."""
    x = reading.value
    if value == x:
        return True
    if x == 0 or reading.digits is None:
        return agreeing_digits(x, value) >= 6
    if reading.digits < 4:  # "0.5" is within a unit of too many values to explain anything
        return False
    unit = Fraction(10) ** (exponent(x) - reading.digits + 1)
    return abs(x - value) <= unit


def number_hint(reading: Reading, target: Target, lang: str) -> str:
    """How a wrong number is wrong, without giving the answer away."""
    x, answer, tol = reading.value, target.answer, target.tolerance
    if x != 0 and answer != 0 and (x < 0) != (answer < 0):
        if tol.accepts(-x, answer):
            return message(lang, "wrong_sign")
        size = _closeness(Reading(-x, reading.digits), target, lang)
        if size:
            return message(lang, "wrong_sign_and", hint=size)
    closeness = _closeness(reading, target, lang)
    if closeness:
        return closeness
    scaled = _off_by_100(reading, target, lang)
    if scaled:
        return scaled
    elsewhere = _elsewhere(reading, target, lang)
    if elsewhere:
        return elsewhere
    for digits, value in target.rounded:
        if _explains(reading, value):
            if digits is None:
                return message(lang, "rounded_own", used=", ".join(target.rounded_used))
            return message(lang, "rounded_intermediate", k=digits)
    k = agreeing_digits(x, answer)
    if AGREES_FROM <= k < CARRY_BELOW:
        return message(lang, "agrees_to_carry", k=k)
    if k >= AGREES_FROM:
        return message(lang, "agrees_to", k=k)
    if tol.digits:
        return message(lang, "not_within", k=tol.digits)
    return message(lang, "not_right_value")


def _elsewhere(reading: Reading, target: Target, lang: str) -> Optional[str]:
    """For a number that is the exact value of another blank or step of the problem (o_2's
    value written for o_1; h_2 where h_1 belongs), within this blank's tolerance and to 4
    significant digits at least (a --tolerance of sig:2 would make a coincidence of many a
    value), or, with fewer digits than asked (4 at least), that value rounded to them:
    which, named; None otherwise."""
    x, tol, given = reading.value, target.tolerance, reading.digits
    names = [label for value, label in target.elsewhere
             if tol.accepts(x, value) and agreeing_digits(x, value) >= AGREES_FROM]
    short = None
    if not names and x != 0 and given is not None and AGREES_FROM <= given < ASKED_DIGITS:
        names = [label for value, label in target.elsewhere if _rounds_to(value, x, given)]
        short = given
    return _elsewhere_message(names, short, lang) if names else None


def _elsewhere_message(names: List[str], digits: Optional[int], lang: str) -> str:
    unique = list(dict.fromkeys(names))[:ELSEWHERE_NAMES]
    joined = (", " if lang == "ko" else " and of ").join(unique)
    if digits is None:
        return message(lang, "elsewhere", names=joined)
    return message(lang, "elsewhere_short", names=joined, k=digits)


def _off_by_100(reading: Reading, target: Target, lang: str) -> Optional[str]:
    """For a number 100 times the answer (a percentage where a fraction is asked: 7.549587
    for 0.07549587) or 1/100 of it (the decimal point two places off): which, when the
    number scaled back is right (within the tolerance or the key's rounding band), or
    agrees to the fewer digits given; None otherwise."""
    x = reading.value
    if x == 0 or target.answer == 0:
        return None
    for factor, name in ((Fraction(1, 100), "times_100"), (Fraction(100), "over_100")):
        back = x * factor
        if within_band(target.tolerance, back, target.answer, target.band):
            return message(lang, name)
        given = reading.digits
        # fewer digits: only the answer rounded to them, and 3 of them at least (7 for 0.0755 is
        # as near 100 times a hundred other values)
        if given is not None and 3 <= given < ASKED_DIGITS:
            if _rounds_to(target.answer, back, given):
                hint = message(lang, "too_few_digits", k=given, digits="digits")
                return message(lang, name + "_and", hint=hint)
    return None


def _rounds_to(answer: Fraction, x: Fraction, digits: int) -> bool:
    """Whether ``answer`` rounded half up to ``digits`` significant digits is ``x`` (1 for
    0.96 at one digit, but not for 0.54, which is 0.5 there)."""
    return normal(*round_units(answer, digits)) == normal(*round_units(x, digits))


def _closeness(reading: Reading, target: Target, lang: str) -> Optional[str]:
    """For an answer of fewer digits than asked: "agrees to the digits you gave" when it is
    the answer rounded to those digits; when it is the answer cut off there (0.05 for
    0.0577...), only that the digits are too few to tell (the same digits are the cut-off
    form of other values, a named mistake's among them); None otherwise."""
    x, answer = reading.value, target.answer
    if reading.digits is not None and reading.digits < ASKED_DIGITS and x != 0:
        unit = Fraction(10) ** (exponent(x) - reading.digits + 1)
        rounded = _rounds_to(answer, x, reading.digits)
        truncated = (x > 0) == (answer > 0) and abs(x) <= abs(answer) < abs(x) + unit
        digits = "digit" if reading.digits == 1 else "digits"
        if rounded:
            return message(lang, "too_few_digits", k=reading.digits, digits=digits)
        if truncated:
            return message(lang, "too_few_digits_cut", k=reading.digits, digits=digits)
    return None


# --- practice sheets -------------------------------------------------------------------

def judge_practice(key: str, spec: Dict[str, Any], salt: str, value: Any, letter: str = "", lang: str = "en",
                   digits: int = practice.DEFAULT_DIGITS, budget: Optional[practice.Budget] = None,
                   right: Collection[str] = (), earlier: Optional[Dict[str, Verdict]] = None) -> Verdict:
    """The verdict from a practice sheet's hashes, judged to ``digits`` significant digits
    (a short answer at its own digits: ``practice.short_matches``), its hashes counted
    against ``budget``: an answer ``budget`` cannot cover is ``not_judged`` (what costs no
    hash, an empty blank or one that is not an answer, is said all the same). ``right``:
    the blanks of the problem answered right, whose answers rule out the named mistakes
    carried from them (``practice.named_mistakes``); ``earlier``: the verdicts on the problem's
    blanks judged before, by key, which an answer carried from one of them follows from
    (``name_mistakes``)."""
    kind = spec["kind"]
    verdict = start(key, kind, value, letter, lang)
    if verdict.given is None:
        return verdict
    reading = None
    if kind == "choice":
        if _chosen(value, spec["choices"]) is None:
            return _choice(verdict, value, spec["choices"], lambda k: False, lang)     # invalid: no hash
    else:
        reading = read(verdict, value, lang)
        if reading is None:
            return verdict
    if budget is None:
        return _judge_practice(verdict, key, spec, salt, value, reading, lang, digits, None, right, earlier)
    if not budget.affords(kind):
        budget.unjudged += 1
        verdict.status = "not_judged"
        verdict.message = message(lang, "practice_not_judged")
        return verdict
    with budget.metering():
        return _judge_practice(verdict, key, spec, salt, value, reading, lang, digits, budget, right, earlier)


def _judge_practice(verdict, key, spec, salt, value, reading, lang, digits, budget, right=(), earlier=None) -> Verdict:
    kind = spec["kind"]
    if kind == "choice":
        digest = spec["hash"]
        return _choice(verdict, value, spec["choices"],
                       lambda k: practice.exact_hash(salt, key, practice.choice_text(k)) == digest, lang)
    x = reading.value
    if kind == "integer":
        if x.denominator == 1 and practice.exact_hash(salt, key, str(int(x))) == spec["hash"]:
            verdict.status, verdict.credit = "correct", 1.0
            return verdict
    elif practice.correct_number(spec, salt, key, x, digits):
        verdict.status, verdict.credit = "correct", 1.0
        return verdict
    verdict.status = "wrong"
    named = practice.matched_mistakes(spec, salt, key, x, right)
    if named:
        name_mistakes(verdict, named, earlier, lang)
        return verdict
    if kind == "integer":
        if x.denominator != 1:
            verdict.message = message(lang, "not_whole")
        elif x != 0 and practice.exact_hash(salt, key, str(int(-x))) == spec["hash"]:
            verdict.message = message(lang, "wrong_sign")
        else:
            verdict.message = message(lang, "wrong_integer")
        return verdict
    given = reading.digits
    if x != 0 and practice.correct_number(spec, salt, key, -x, digits):
        verdict.message = message(lang, "wrong_sign")
    elif given is not None and given < digits and x != 0:
        # no hash is kept at fewer digits: the answer's 6-digit numbers these digits can stand
        # for are hashed (from 4 digits on); with fewer, nothing can be said
        words = "digit" if given == 1 else "digits"
        if practice.short_matches(spec, salt, key, x, given, budget) is False:
            verdict.message = message(lang, "practice_short_wrong", k=given, digits=words)
        else:
            verdict.status = "too_few"
            verdict.message = message(lang, "practice_too_few", k=given, digits=words)
    else:
        scaled = practice.off_by_100(spec, salt, key, x)
        if scaled:
            verdict.message = message(lang, scaled)
        elif practice.agrees_short(spec, salt, key, x, budget):
            verdict.message = message(lang, "agrees_to_carry", k=practice.AGREE_DIGITS - 1)  # within a unit of the 5th
        else:
            verdict.message = message(lang, "not_within", k=digits)
    return verdict
