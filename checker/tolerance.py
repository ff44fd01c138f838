"""How close a number must be to count as right: ``rel:0.1%``, ``abs:1e-4``, ``sig:4``.

- ``rel:R`` (R a fraction such as 0.001, or a percentage such as 0.1%): |x - a| <= R |a|;
- ``abs:A``: |x - a| <= A;
- ``sig:N`` (1 to 15): x agrees with a to N significant digits, i.e. |x - a| is at most
  half a unit of a's N-th significant digit.

Every comparison is exact (``Fraction``). A family's default is its questions' own
``rtol``/``atol`` (rel 1e-6 with abs 1e-9 unless the family says otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from chainrule_core.errors import ChainruleUsageError
from checker.reading import exponent

KINDS = ("rel", "abs", "sig")
#: a class check's judging of a rebuilt practice sheet, as the student's own check judges it
#: (not a --tolerance a user gives)
PRACTICE = "practice"
MAX_SIG = 15
_AMOUNT = re.compile(r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$")


@dataclass(frozen=True)
class Tolerance:
    kind: str
    amount: Fraction  # rel: a fraction; abs: an absolute amount; sig: the digits
    atol: Fraction = Fraction(0)  # rel only: an absolute floor (answers at zero)

    def accepts(self, x: Fraction, answer: Fraction) -> bool:
        diff = abs(x - answer)
        if self.kind == "rel":
            return diff <= self.atol + self.amount * abs(answer)
        if self.kind == "abs":
            return diff <= self.amount
        if self.kind == PRACTICE:
            # a practice sheet's own rule (checker.practice.number_matches, without the hashes):
            # rounded to the digits, the answer's or a neighbour in the last digit
            from checker.reading import normal, round_units

            digits = int(self.amount)
            units, scale = round_units(x, digits)
            target = normal(*round_units(answer, digits))
            return any(normal(units + step, scale) == target for step in ((0,) if units == 0 else (0, -1, 1)))
        if answer == 0:
            return x == 0
        return diff <= Fraction(1, 2) * Fraction(10) ** (exponent(answer) - int(self.amount) + 1)

    @property
    def digits(self) -> int:
        """About how many significant digits a right answer must have."""
        if self.kind in ("sig", PRACTICE):
            return int(self.amount)
        if self.kind == "rel" and self.amount > 0:
            return max(1, round(-_log10(self.amount)))
        return 0

    def __str__(self) -> str:
        if self.kind in ("sig", PRACTICE):
            return f"sig:{int(self.amount)}"
        if self.kind == "rel":
            percent = self.amount * 100
            return f"rel:{_plain(percent)}%"
        return f"abs:{_plain(self.amount)}"


def _log10(x: Fraction) -> float:
    import math

    return math.log10(x.numerator) - math.log10(x.denominator)


def _plain(x: Fraction) -> str:
    text = f"{float(x):.6g}"
    return text


def default(rtol: float, atol: float) -> Tolerance:
    """A question's own tolerance (``generator.model.Question.rtol``/``atol``)."""
    return Tolerance("rel", Fraction(repr(float(rtol))), Fraction(repr(float(atol))))


def parse(text: str) -> Tolerance:
    """``rel:0.1%``, ``rel:0.001``, ``abs:1e-4`` or ``sig:4``; a ChainruleUsageError otherwise."""
    valid = "use rel:0.1% (or rel:0.001), abs:1e-4 or sig:4"
    kind, _, amount = text.strip().partition(":")
    kind, amount = kind.strip().lower(), amount.strip()
    if kind not in KINDS or not amount:
        raise ChainruleUsageError(f"Tolerance '{text}' is not valid; {valid}.")
    if kind == "sig":
        if not amount.isdigit() or not 1 <= int(amount) <= MAX_SIG:
            raise ChainruleUsageError(
                f"Tolerance '{text}' is not valid: sig takes a whole number of digits from 1 to {MAX_SIG}; {valid}."
            )
        return Tolerance("sig", Fraction(int(amount)))
    percent = kind == "rel" and amount.endswith("%")
    number = amount[:-1].strip() if percent else amount
    if not _AMOUNT.match(number):
        raise ChainruleUsageError(f"Tolerance '{text}' is not valid: '{amount}' is not a number >= 0; {valid}.")
    value = Fraction(number) / (100 if percent else 1)
    if kind == "rel" and value >= 1:
        raise ChainruleUsageError(f"Tolerance '{text}' is not valid: a relative tolerance must be below 100%; {valid}.")
    return Tolerance(kind, value)
