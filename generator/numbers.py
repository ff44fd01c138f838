"""How numbers are shown on worksheets and keys.

The seed notes print their worked example with 8 decimals (h1 = 0.51998934,
o1 = 0.60944600, E = 0.02397190, w5 = 0.43703857) and exact inputs as they are
(z1 = 0.08, lr = 0.5). The rule, which reproduces every string the seed prints for
quantities of at least 0.01, and which the sheets state (``i18n`` "number_rule"):

1. A value that is exactly a decimal with at most 8 significant digits is shown as it is,
   without padding, as the sheets' rule says: 0.08, 0.45, 2000, -0.5, 0.0009765625 (1/1024),
   0.00001 (never in scientific notation, never with a trailing zero). A computed value
   counts as exact when it agrees with such a decimal to 30 digits (sigma(0) = 0.5).
2. Otherwise, for 0.01 <= |x| < 1: 8 decimals, trailing zeros kept (0.02397190).
3. Otherwise: 8 significant digits, trailing zeros kept (1.2345679, 0.0020380936,
   123.45679, and 1.9664077 for the exact 1.96640768); below 1e-4 or from 1e8 up in
   scientific notation (1.2345678e-05).

So every shown value has at least 6 significant digits: the relative error of a copied
value stays below 1e-6 (``Question.rtol``) whenever |x| >= 0.01, and below 1e-7 outside
rule 2. Rounding is half-up on the exact value evaluated to 40 digits (a tie goes away
from zero: 0.123456785 -> 0.12345679, -0.123456785 -> -0.12345679; a negative number is
rounded as its size is), so it is the same on every machine.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Optional, Tuple

import sympy as sp
from mpmath.libmp import to_digits_exp as _to_digits_exp
from mpmath.libmp import to_str

SIGNIFICANT = 8
_DIGITS = 40
#: a computed value that agrees with a decimal of at most 8 significant digits to this many
#: digits is that decimal (the values are computed to 40 digits)
_EXACT_DIGITS = 30


def _exact_decimal(value: sp.Rational) -> Optional[Decimal]:
    """The Decimal equal to a Rational whose denominator is 2**a 5**b, else None."""
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1:
        return None
    places = max(twos, fives)
    with localcontext() as ctx:
        ctx.prec = 200
        return (Decimal(int(value.p)) / Decimal(int(value.q))).quantize(Decimal(1).scaleb(-places))


def _to_decimal(value) -> Tuple[Decimal, bool]:
    """(decimal value, exact?)"""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number to display")
    if isinstance(value, int):
        return Decimal(value), True
    value = sp.sympify(value)
    if value.is_Rational:
        exact = _exact_decimal(value)
        if exact is not None:
            return exact, True
        with localcontext() as ctx:
            ctx.prec = _DIGITS + 5
            return Decimal(int(value.p)) / Decimal(int(value.q)), False
    if isinstance(value, sp.Float):
        approx = value
        shown = Decimal(to_str(approx._mpf_, _EXACT_DIGITS))
        if shown.is_finite() and len(shown.normalize().as_tuple().digits) <= SIGNIFICANT:
            # a computed value equal to a short decimal to 30 digits (sigma(0) = 0.5) is that
            # decimal, shown as the rule shows exact decimals (0.5, not 0.50000000)
            return shown.normalize(), True
    else:
        approx = value.evalf(_DIGITS + 5) if value.is_number else None
        if not isinstance(approx, sp.Float):
            raise TypeError(f"cannot display {value!r} as a real number")
    return Decimal(to_str(approx._mpf_, _DIGITS + 5)), False


def _strip(d: Decimal) -> str:
    return format(d.normalize(), "f")


_PARTS: dict = {}


def _parts_cached(key, value) -> Tuple[str, Optional[int]]:
    hit = _PARTS.get(key)
    if hit is None:
        if len(_PARTS) > 200000:
            _PARTS.clear()
        hit = _PARTS[key] = _number_parts(value)
    return hit


_BY_ID: dict = {}  # {id(value): (value, parts)}: the same number object is shown many times


def number_parts(value) -> Tuple[str, Optional[int]]:
    """(mantissa string, power of ten or None): the shown form of ``value``."""
    hit = _BY_ID.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    # memoised on the raw number: hashing a sympy Float goes through float() and is slow,
    # and Float(2) == Integer(2) in sympy although they are shown differently
    if isinstance(value, sp.Float):
        parts = _parts_cached(("F", value._mpf_), value)
    elif isinstance(value, sp.Rational):
        parts = _parts_cached(("Q", int(value.p), int(value.q)), value)
    else:
        return _number_parts(value)
    if len(_BY_ID) > 200000:
        _BY_ID.clear()
    _BY_ID[id(value)] = (value, parts)  # keeps value alive: its id is not reused
    return parts


def rounded_digits(digits: str, exponent: int, dps: int) -> Tuple[str, int]:
    """``to_digits_exp``'s digits (and decimal exponent) rounded to ``dps`` digits as mpmath's
    ``to_str(mpf, dps)`` rounds them (it asks for ``dps + 3`` digits, truncated toward zero,
    then rounds half up digit by digit)."""
    if len(digits) > dps and digits[dps] in "56789":
        digits = digits[:dps]
        i = dps - 1
        while i >= 0 and digits[i] == "9":
            i -= 1
        if i >= 0:
            return digits[:i] + str(int(digits[i]) + 1) + "0" * (dps - i - 1), exponent
        return "1" + "0" * (dps - 1), exponent + 1
    return digits[:dps], exponent


#: digits of a computed value that no rounding of its expansion turns into a 0 or a 9 (see
#: ``_computed_parts``)
_INNER = frozenset("234567")


def _computed_parts(mpf) -> Optional[Tuple[str, Optional[int]]]:
    """``_number_parts`` of a sympy Float (its ``_mpf_``) that is no short decimal, from one
    digit string (what ``to_str(mpf, 45)`` rounds) instead of two strings and Decimals: the
    same result, about 4 times faster (a sheet shows about 150 computed values a student).
    None: a value this does not decide (zero, or one that may be a short decimal), for the
    general way.

    Whether the value is a short decimal (rule 1, ``_to_decimal``) is decided from the same
    digits: ``to_digits_exp`` truncates toward zero by less than a unit of its last digit, so
    a digit 2-7 among the 9th to the 28th of its expansion is the value's own digit or one
    more, and the 30-digit rounding that rule 1 reads keeps a digit there that is neither 0
    nor 9 (no carry or borrow can reach 0 or 10 from it): more than 8 significant digits.
    Without such a digit (a short decimal, a run of 0s or 9s), None."""
    if not mpf[1]:
        return None
    dps = _DIGITS + 5
    sign, digits, exponent = _to_digits_exp(mpf, dps + 3)
    if _INNER.isdisjoint(digits[SIGNIFICANT:28]):
        return None
    digits, exponent = rounded_digits(digits, exponent, dps)
    digits = digits.ljust(dps, "0")  # the value is sign 0.digits x 10**(exponent + 1)
    if exponent in (-1, -2):  # 0.01 <= |x| < 1: 8 decimals, half up
        keep = SIGNIFICANT + 1 + exponent
        rounded = int(digits[:keep]) + (digits[keep] >= "5")
        if rounded < 10 ** SIGNIFICANT:
            return sign + "0." + str(rounded).zfill(SIGNIFICANT), None
    rounded = int(digits[:SIGNIFICANT]) + (digits[SIGNIFICANT] >= "5")  # 8 significant digits, half up
    if rounded == 10 ** SIGNIFICANT:  # 9.99999999 rounded up to 10.000000
        rounded //= 10
        exponent += 1
    shown = str(rounded)
    if -4 <= exponent < SIGNIFICANT:  # 1e-4 <= |x| < 1e8: written out
        if exponent >= SIGNIFICANT - 1:
            return sign + shown, None
        if exponent >= 0:
            return sign + shown[:exponent + 1] + "." + shown[exponent + 1:], None
        return sign + "0." + "0" * (-exponent - 1) + shown, None
    return sign + shown[0] + "." + shown[1:], exponent


def _number_parts(value) -> Tuple[str, Optional[int]]:
    if isinstance(value, sp.Float):
        parts = _computed_parts(value._mpf_)
        if parts is not None:
            return parts
    d, exact = _to_decimal(value)
    if d == 0:
        return "0", None
    a = abs(d)
    if exact:  # as it is, however many places (1/1024 = 0.0009765625, never 0.00097656250)
        if len(a.normalize().as_tuple().digits) <= SIGNIFICANT:
            return _strip(d), None
    with localcontext() as ctx:
        ctx.prec = 200
        if Decimal("0.01") <= a < 1:
            shown = d.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
            if abs(shown) < 1:
                return format(shown, "f"), None
        exponent = a.adjusted()
        shown = d.quantize(Decimal(1).scaleb(exponent - SIGNIFICANT + 1), rounding=ROUND_HALF_UP)
        if abs(shown).adjusted() != exponent:  # 9.99999999 rounded up to 10.0000000
            exponent += 1
            shown = d.quantize(Decimal(1).scaleb(exponent - SIGNIFICANT + 1), rounding=ROUND_HALF_UP)
        if Decimal("1e-4") <= abs(shown) < Decimal("1e8"):
            return format(shown, "f"), None
        mantissa = shown.scaleb(-exponent)
        return format(mantissa, "f"), exponent


def format_number(value) -> str:
    """Plain-text form: ``0.51998934``, ``0.08``, ``1.2345678e-05``."""
    mantissa, exponent = number_parts(value)
    if exponent is None:
        return mantissa
    return "%se%s%02d" % (mantissa, "-" if exponent < 0 else "+", abs(exponent))


def latex_number(value) -> str:
    mantissa, exponent = number_parts(value)
    if exponent is None:
        return mantissa
    return r"%s \times 10^{%d}" % (mantissa, exponent)


def mathml_number(value) -> str:
    mantissa, exponent = number_parts(value)
    if mantissa.startswith("-"):
        sign, mantissa = "<mo>&#x2212;</mo>", mantissa[1:]
    else:
        sign = ""
    if exponent is None:
        body = "<mn>%s</mn>" % mantissa
    else:
        body = "<mn>%s</mn><mo>&#xD7;</mo><msup><mn>10</mn><mn>%d</mn></msup>" % (mantissa, exponent)
    return "<mrow>%s%s</mrow>" % (sign, body) if sign or exponent is not None else body
