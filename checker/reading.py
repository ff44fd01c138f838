"""Numbers as a student writes them into answers.toml, read exactly and within bounds.

A blank holds a TOML integer or float, or a string with a decimal (``0.437``,
``-2.5e-3``, ``+.5``) or a fraction (``437/1000``). The value is read exactly (a
``Fraction``), so ``437/1000`` and ``0.437`` are the same number and get the same
verdict. What is parsed is bounded (``MAX_CHARS`` characters, ``MAX_DIGITS`` digits in a
number, exponents of at most 4 digits): anything larger is not an answer (``invalid``),
never a crash, whatever the file holds. Standard library only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Optional, Tuple

#: Longest text read as an answer, most digits in one number of it, and the range of sizes
#: (1e-100 to 1e100: no worksheet answer is near either end; far beyond them a formula
#: evaluated with the student's value, as carried-forward checking does, could take minutes).
MAX_CHARS = 100
MAX_DIGITS = 40
MAX_EXPONENT = 100
#: How much of a long value a report quotes.
SHOWN_CHARS = 40

_DECIMAL = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?"  # exponents: 4 digits at most
_NUMBER = re.compile(rf"^([+-]?)\s*({_DECIMAL})$")
_FRACTION = re.compile(rf"^([+-]?)\s*({_DECIMAL})\s*/\s*({_DECIMAL})$")


#: Full-width forms (U+FF01 to U+FF5E: what a Korean, Japanese or Chinese input method types in
#: full-width mode, "０.３７５８１７２１", "－１／３", "１．５ｅ－３") as their ASCII characters, and
#: the ideographic space as a space: NFKC's mapping of exactly these characters. Not NFKC of the
#: whole text, which also turns a superscript into a digit ("0.5²" would read as 0.52). The
#: ideographic full stop "。" (and its half-width form "｡"), which a CJK input method types for
#: the "." key, is a decimal point as the full-width "．" is ("0。32259990", trial 18a).
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = 0x20
_HALF_WIDTH[0x3002] = _HALF_WIDTH[0xFF61] = ord(".")


def half_width(text: str) -> str:
    """``text`` with full-width ASCII forms as ASCII (``_HALF_WIDTH``) and the typographic
    minus U+2212 (pasted from a sheet) as "-"."""
    return text.translate(_HALF_WIDTH).replace("\u2212", "-")


class NotAnAnswer(ValueError):
    """A value that cannot be read as an answer of the asked kind (``invalid``)."""


@dataclass(frozen=True)
class Reading:
    """A number as the student wrote it: its exact value and how many significant digits
    they gave (for a fraction, the digits of the decimal it equals when it terminates
    within MAX_DIGITS, else None: 1/3 is exact)."""

    value: Fraction
    digits: Optional[int]


def significant_digits(decimal_text: str) -> int:
    mantissa = re.split(r"[eE]", decimal_text)[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0")  # 2000: the zeros only place the point
    return max(1, len(digits))


def _decimal_digits(value: Fraction) -> Optional[int]:
    """The significant digits of ``value`` written as a terminating decimal (None if it
    does not terminate within MAX_DIGITS digits)."""
    if value == 0:
        return 1
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:
        return None
    scaled = abs(value)
    shift = 0
    while scaled.denominator != 1:
        scaled *= 10
        shift += 1
        if shift > MAX_DIGITS + 10:
            return None
    text = str(scaled.numerator).rstrip("0")
    return len(text) if len(text) <= MAX_DIGITS else None


def _check_size(number: str) -> None:
    mantissa = re.split(r"[eE]", number)[0]
    if sum(c.isdigit() for c in mantissa) > MAX_DIGITS:
        raise NotAnAnswer(f"more than {MAX_DIGITS} digits")


def read_number(value: Any) -> Reading:
    """The number in a TOML value; raises ``NotAnAnswer`` for anything else."""
    reading = _read_number(value)
    x = abs(reading.value)
    if x and not Fraction(1, 10 ** MAX_EXPONENT) <= x < 10 ** MAX_EXPONENT:
        raise NotAnAnswer(f"a size outside 1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT}")
    return reading


def _read_number(value: Any) -> Reading:
    if isinstance(value, bool):
        raise NotAnAnswer("a boolean")
    if isinstance(value, int):
        if abs(value) >= 10 ** MAX_DIGITS:
            raise NotAnAnswer(f"more than {MAX_DIGITS} digits")
        return Reading(Fraction(value), significant_digits(str(abs(value))))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotAnAnswer("not finite")
        return Reading(Fraction(repr(value)), significant_digits(repr(abs(value))))
    if not isinstance(value, str):
        raise NotAnAnswer("not a string or a number")
    if len(value) > MAX_CHARS:
        raise NotAnAnswer(f"longer than {MAX_CHARS} characters")
    text = half_width(value).strip()  # full-width digits (an input method), a typographic minus
    match = _NUMBER.match(text)
    if match:
        sign, number = match.groups()
        _check_size(number)
        exact = Fraction(number)
        return Reading(-exact if sign == "-" else exact, significant_digits(number))
    match = _FRACTION.match(text)
    if match:
        sign, top, bottom = match.groups()
        _check_size(top)
        _check_size(bottom)
        if Fraction(bottom) == 0:
            raise NotAnAnswer("division by zero")
        exact = Fraction(top) / Fraction(bottom)
        exact = -exact if sign == "-" else exact
        return Reading(exact, _decimal_digits(exact))
    raise NotAnAnswer("not a number")


def exponent(x: Fraction) -> int:
    """floor(log10 |x|) for x != 0, exactly."""
    with localcontext() as ctx:
        ctx.prec = 60
        e = (Decimal(abs(x.numerator)) / Decimal(x.denominator)).adjusted()
    # the 60-digit quotient can round up to the next power of ten; correct exactly
    if Fraction(10) ** e > abs(x):
        e -= 1
    elif Fraction(10) ** (e + 1) <= abs(x):
        e += 1
    return e


def agreeing_digits(x: Fraction, answer: Fraction, limit: int = 17) -> int:
    """The largest k such that |x - answer| is at most half a unit of the answer's k-th
    significant digit (0 when not even the first digit agrees)."""
    if answer == 0:
        return 0
    e = exponent(answer)
    diff = abs(x - answer)
    k = 0
    while k < limit and diff <= Fraction(1, 2) * Fraction(10) ** (e - k):
        k += 1
    return k


def round_units(x: Fraction, digits: int) -> Tuple[int, int]:
    """``x`` rounded half away from zero to ``digits`` significant digits, as (n, k) with
    x ~ n * 10**k and k the place of the last of those digits (0 is (0, 0))."""
    if x == 0:
        return 0, 0
    k = exponent(x) - digits + 1
    scaled = abs(x) / Fraction(10) ** k
    n = int(scaled)
    if scaled - n >= Fraction(1, 2):
        n += 1
    return (-n if x < 0 else n), k


def round_significant(x: Fraction, digits: int) -> Tuple[int, int]:
    """``round_units`` in a normal form: n not divisible by 10 (0 is (0, 0))."""
    return normal(*round_units(x, digits))


def normal(n: int, k: int) -> Tuple[int, int]:
    if n == 0:
        return 0, 0
    while n % 10 == 0:
        n //= 10
        k += 1
    return n, k


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append("\\u%04X" % code)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _clip(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "\u2026"


def shown(value: Any) -> str:
    """The student's value as a report quotes it (TOML syntax, long values cut short)."""
    if isinstance(value, str):
        return toml_string(_clip(value.strip()))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _clip(str(value)) if abs(value) < 10 ** 4000 else "(a huge integer)"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    return toml_string(_clip(str(value)))


def written(value: Any) -> Tuple[str, str]:
    """What the student wrote, without TOML quotes (cut short), and its TOML type."""
    if isinstance(value, str):
        return _clip(value), "string"
    if isinstance(value, bool):
        return ("true" if value else "false"), "boolean"
    if isinstance(value, int):
        return shown(value), "integer"
    if isinstance(value, float):
        return repr(value), "float"
    if isinstance(value, list):
        return shown(value), "array"
    if isinstance(value, dict):
        return shown(value), "table"
    return _clip(str(value)), type(value).__name__


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
