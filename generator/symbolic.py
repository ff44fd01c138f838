"""The one formula evaluator, and the printers of formulas (LaTeX, MathML).

- ``evaluate(formula, values)``: the high-precision value of a formula at exact givens.
  Rational inputs to a rational formula stay exact (z1 = 0.08 is shown as 0.08); anything
  through exp, log, sigma or a non-square root becomes a ``PRECISION``-digit sympy Float,
  computed with ``PRECISION + 5`` digits in a private mpmath context. Each formula is
  compiled once into Python closures over ``Fraction`` and mpmath numbers (families reuse
  their formulas across variants), much faster than substituting into the sympy tree.
  ``evaluate_numbers`` is the same on already-converted numbers (``number``/``to_sympy``
  convert), for callers that evaluate many formulas over one set of values (the worked
  keys of ``families/_key.py``, the carried-forward checking of ``checker``).
- ``latex(expr, display)`` / ``mathml(expr, display)``: sympy's printers, with symbol
  names replaced by their display forms (``{"dE_dw_5": Partial(E, w_5)}``) and the
  factor order kept. MathML is well-formed XML (numeric character references only).

The symbols a formula can hold (sigma, Partial, Hat, Below, chain, terms, ...) live in
``generator.notation``.
"""

from __future__ import annotations

import functools
import html.entities
import math
import re
from fractions import Fraction
from typing import Any, Dict, Mapping, Optional, Sequence

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.conventions import split_super_sub
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from generator.notation import Below, sigma, sym  # noqa: F401 - sym: generator.figures uses symbolic.sym
from generator.numbers import rounded_digits
from generator.prepared import display_key as _display_items_key, formula_key, prepared, text_key

#: Decimal digits carried by evaluated answers; displays use 8 significant digits.
PRECISION = 40
#: ``to_fraction`` refuses values beyond 2**MAX_BITS (or below 2**-MAX_BITS).
MAX_BITS = 4000


# --- numeric evaluation -------------------------------------------------------------

_MP = mpmath.MPContext()  # a private context: never touches mpmath's global precision
_MP.dps = PRECISION + 5
_PREC = _MP.prec
_make_mpf = _MP.make_mpf
_from_rational = mpmath.libmp.from_rational
_ROUND = mpmath.libmp.round_nearest
_LIMIT = 1 << _PREC
_AS_MPF: Dict[tuple, Any] = {}  # {(numerator, denominator): mpf}: givens and constants recur


def _mp(x):
    if isinstance(x, _MP.mpf):
        return x
    p, q = x.numerator, x.denominator
    hit = _AS_MPF.get((p, q))
    if hit is not None:
        return hit
    if -_LIMIT < p < _LIMIT:
        # p is exact at the context's precision, so mpf(p) / q is p / q rounded once:
        # the same number, without an intermediate mpf and the division's dispatch
        value = _make_mpf(_from_rational(p, q, _PREC, _ROUND))
    else:
        value = _MP.mpf(p) / q
    if len(_AS_MPF) > 100000:
        _AS_MPF.clear()
    _AS_MPF[(p, q)] = value
    return value


def _exact(*xs):
    return all(isinstance(x, (int, Fraction)) for x in xs)


def _add(xs):
    return sum(xs, Fraction(0)) if _exact(*xs) else _MP.fsum([_mp(x) for x in xs])


def _mul(xs):
    if _exact(*xs):
        return math.prod(xs, start=Fraction(1))
    return _MP.fprod([_mp(x) for x in xs])


def _add2(a, b):
    """``_add([a, b])``: the same value (an exact sum, or one rounding of the exact sum)."""
    if type(a) is Fraction and type(b) is Fraction:
        return a + b
    return _add([a, b])


def _mul2(a, b):
    """``_mul([a, b])``: the same value (``fprod`` of two factors of at most the context's
    precision rounds their exact product once, as ``*`` does)."""
    if type(a) is Fraction and type(b) is Fraction:
        return a * b
    if _exact(a, b):    # an int among them: exact, a Fraction as _mul gives
        return _mul([a, b])
    return _mp(a) * _mp(b)


def _sqrt(x):
    if _exact(x) and x >= 0:
        num, den = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if num * num == x.numerator and den * den == x.denominator:
            return Fraction(num, den)
    return _MP.sqrt(_mp(x))


def _pow(base, exponent):
    if _exact(base) and isinstance(exponent, Fraction) and exponent.denominator == 1:
        return Fraction(base) ** exponent.numerator
    if exponent == Fraction(1, 2):
        return _sqrt(base)
    if exponent == Fraction(-1, 2):
        return 1 / _sqrt(base)
    return _MP.power(_mp(base), _mp(exponent))


def _sign(x):
    return Fraction((x > 0) - (x < 0))


def _below(a, b):
    return Fraction(1) if (_mp(a) < _mp(b) if not _exact(a, b) else a < b) else Fraction(0)


def _log(x):
    return Fraction(0) if x == 1 else _MP.log(_mp(x))


def _rounding(fn):
    def apply(x):
        return Fraction(fn(x)) if _exact(x) else Fraction(int(fn(_mp(x))))
    return apply


_ONE_ARGUMENT = {
    sp.exp: lambda x: _MP.exp(_mp(x)),
    sp.log: _log,
    sp.tanh: lambda x: _MP.tanh(_mp(x)),
    sigma: lambda x: 1 / (1 + _MP.exp(-_mp(x))),  # cannot overflow in arbitrary precision
    sp.Abs: abs,
    sp.sign: _sign,
    sp.ceiling: _rounding(math.ceil),
    sp.floor: _rounding(math.floor),
}


def _compile(expr):
    """A function env -> value of ``expr`` (env maps Symbol names to Fraction or mpf)."""
    if expr.is_Symbol:
        name = expr.name
        return lambda env: env[name]
    if expr.is_Rational:
        constant = Fraction(int(expr.p), int(expr.q))
        return lambda env: constant
    if isinstance(expr, sp.Float):
        constant = _MP.mpf(expr._mpf_)
        return lambda env: constant
    args = [_compile(a) for a in expr.args]
    if len(args) == 2 and (expr.is_Add or expr.is_Mul):  # most sums and products: no list, no loop
        first, second = args
        pair = _add2 if expr.is_Add else _mul2
        return lambda env: pair(first(env), second(env))
    if expr.is_Add:
        return lambda env: _add([f(env) for f in args])
    if expr.is_Mul:
        return lambda env: _mul([f(env) for f in args])
    if expr.is_Pow:
        base, exponent = args
        return lambda env: _pow(base(env), exponent(env))
    if expr.func in _ONE_ARGUMENT:
        fn, (arg,) = _ONE_ARGUMENT[expr.func], args
        return lambda env: fn(arg(env))
    if expr.func in (sp.Max, sp.Min):
        pick = max if expr.func is sp.Max else min
        return lambda env: pick((f(env) for f in args), key=_mp)
    if expr.func is Below:
        a, b = args
        return lambda env: _below(a(env), b(env))
    if expr is sp.pi:
        constant = _MP.pi
        return lambda env: constant
    if expr is sp.E:
        constant = _MP.e
        return lambda env: constant
    raise TypeError(f"cannot evaluate {expr.func.__name__} in {expr}")


@functools.lru_cache(maxsize=None)
def compiled(formula: sp.Expr):
    """``formula`` compiled once: a function env -> value (Fraction or mpf)."""
    return _compile(formula)


@functools.lru_cache(maxsize=None)
def _names(formula: sp.Expr):
    return tuple(sorted(s.name for s in formula.free_symbols))


_NUMBERS: Dict[int, tuple] = {}  # {id(sympy number): (it, its Fraction or mpf)}

_SMALLEST_NORMAL = 2.2250738585072014e-308


def as_float(value) -> float:
    """``float(value)``, the same double, for a sympy number or a Python number: a Rational's
    p / q directly (Python divides integers correctly rounded to nearest, ties to even, as
    sympy's detour through a 53-bit mpf rounds them; a float64 cross-check converts thousands a
    class). Where the two could differ (below the smallest normal double, where mpmath's
    conversion rounds twice, or beyond the largest), it is sympy's own ``float``."""
    if isinstance(value, sp.Rational):  # Integer too
        p, q = value.p, value.q
        if not p:
            return 0.0
        try:
            out = p / q
        except OverflowError:
            return float(value)
        if abs(out) >= _SMALLEST_NORMAL and out not in (math.inf, -math.inf):
            return out
    return float(value)


def number(value):
    """A sympy (or Python) real number as a Fraction (rational) or an mpf of the private
    context: what ``evaluate_numbers`` computes with."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, _MP.mpf):
        return value
    # a family's given or step value is converted again by every later formula using it:
    # remembered per object (the entry keeps it alive, so its id is not reused)
    hit = _NUMBERS.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    given = value
    value = sp.sympify(value)
    if value.is_Rational:
        converted = Fraction(int(value.p), int(value.q))
    elif isinstance(value, sp.Float):
        converted = _MP.mpf(value._mpf_)
    else:
        converted = None
    if converted is not None:
        if len(_NUMBERS) > 200000:
            _NUMBERS.clear()
        _NUMBERS[id(given)] = (given, converted)
        return converted
    if not value.is_number:
        raise TypeError(f"not a number: {value!r}")
    return _MP.mpf(str(value.evalf(PRECISION + 5)))


def inexact(value):
    """``number(value)`` as an mpf of the private context even when it is rational: an
    environment of mpfs evaluates fastest (no Fraction is converted in every operation),
    for values that need ``PRECISION`` digits, not exactness."""
    value = number(value)
    return _MP.mpf(value.numerator) / value.denominator if isinstance(value, Fraction) else value


def to_sympy(value) -> sp.Expr:
    """A Fraction as a sympy Rational, an mpf as a ``PRECISION``-digit sympy Float."""
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if not value._mpf_[1]:  # zero, an infinity, not a number: sympy's own special cases
        return sp.Float(mpmath.libmp.to_str(value._mpf_, PRECISION + 5), PRECISION)
    # what sp.Float(text, PRECISION) does with the decimal string text = to_str(value, PRECISION + 5),
    # without its checks and without the string (``_decimal``)
    return sp.Float._new(_decimal(value._mpf_), _FLOAT_PREC, zero=False)


_FLOAT_PREC = mpmath.libmp.dps_to_prec(PRECISION)
_DPS = PRECISION + 5


def _decimal(mpf) -> tuple:
    """``from_str(to_str(mpf, PRECISION + 5), _FLOAT_PREC, round_nearest)`` (a nonzero finite
    mpf rounded to PRECISION + 5 significant decimal digits as mpmath's ``to_str`` rounds it,
    then to the nearest binary float of ``_FLOAT_PREC`` bits), from the digits themselves:
    ``to_str`` formats them and ``from_str`` parses them back into the same integer and power
    of ten, whose quotient both round correctly. Numbers beyond 10^±300 take the strings (for
    those ``from_str`` rounds differently)."""
    libmp = mpmath.libmp
    sign, digits, exponent = libmp.to_digits_exp(mpf, _DPS + 3)
    if abs(exponent) > 300:
        return libmp.from_str(libmp.to_str(mpf, _DPS), _FLOAT_PREC, libmp.round_nearest)
    digits, exponent = rounded_digits(digits, exponent, _DPS)  # to_str's rounding, digit by digit
    man = int(digits)
    if sign == "-":
        man = -man
    power = exponent - len(digits) + 1  # the value is man * 10**power
    if power >= 0:
        return libmp.from_int(man * 10 ** power, _FLOAT_PREC, libmp.round_nearest)
    return _nearest(man, 10 ** -power, _FLOAT_PREC)


def _nearest(man: int, den: int, prec: int) -> tuple:
    """``from_rational(man, den, prec, round_nearest)`` for a nonzero ``man`` and ``den`` > 0:
    the raw mpf nearest to man / den with ``prec`` bits (a tie to the even mantissa), in
    integer arithmetic without mpmath's dispatch (correct rounding has one result, which is
    what mpmath's division returns too; half of ``to_sympy``'s time went there)."""
    sign = 0
    if man < 0:
        sign, man = 1, -man
    # a quotient of prec + 2 or prec + 3 bits, and whether anything was left over
    shift = prec + 2 - (man.bit_length() - den.bit_length())
    if shift >= 0:
        quotient, left = divmod(man << shift, den)
    else:
        quotient, left = divmod(man, den << -shift)
    extra = quotient.bit_length() - prec
    low = quotient & ((1 << extra) - 1)
    half = 1 << (extra - 1)
    quotient >>= extra
    exp = extra - shift
    if low > half or (low == half and (left or quotient & 1)):
        quotient += 1
        if quotient >> prec:  # rounded up to a power of two
            quotient >>= 1
            exp += 1
    zeros = (quotient & -quotient).bit_length() - 1  # mpmath keeps mantissas odd
    quotient >>= zeros
    return sign, quotient, exp + zeros, quotient.bit_length()


def to_fraction(value) -> Fraction:
    """A Fraction or mpf (from ``evaluate_numbers``) as an exact Fraction (an mpf rounded
    to ``PRECISION`` significant digits)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    _sign, _man, exp, bits = value._mpf_
    if bits and abs(exp + bits) > MAX_BITS:  # 2**4000: far beyond any answer; exactly, a hang
        raise OverflowError(f"a value near 2**{exp + bits} has no useful exact form")
    return Fraction(mpmath.libmp.to_str(value._mpf_, PRECISION))


def evaluate_numbers(formula: sp.Expr, env: Mapping[str, Any]):
    """The value (Fraction or mpf) of ``formula`` with env's numbers (see ``number``)."""
    return compiled(formula)(env)


def evaluate(formula: sp.Expr, values: Mapping[str, Any]) -> sp.Expr:
    """The value of ``formula`` with each Symbol replaced by ``values[symbol.name]``.

    Exact where the arithmetic stays rational, else a ``PRECISION``-digit Float. Raises
    KeyError naming a missing symbol.
    """
    if not isinstance(formula, sp.Basic):
        formula = sp.sympify(formula)
    if formula.is_Rational:  # a number with no symbol: itself
        return formula
    names = _names(formula)
    try:
        env = {n: number(values[n]) for n in names}
    except KeyError as exc:
        raise KeyError(f"no value for symbol {exc.args[0]!r} in {formula}") from None
    return to_sympy(compiled(formula)(env))


def to_float(value) -> float:
    """A Python float of an exact or high-precision sympy value."""
    return float(sp.sympify(value).evalf(PRECISION))


# --- printing -----------------------------------------------------------------------

class _DisplayLatex(LatexPrinter):
    def __init__(self, display, **settings):
        super().__init__(settings)
        self._display = display

    def _print_Symbol(self, expr, style="plain"):
        shown = self._display.get(expr.name)
        if isinstance(shown, sp.Symbol):
            return super()._print_Symbol(shown, style=style)
        if shown is not None:
            return self._print(shown)
        return super()._print_Symbol(expr, style=style)


_RELATIONS = {"<": "&lt;", ">": "&gt;", "<=": "&#x2264;", ">=": "&#x2265;", "==": "=", "!=": "&#x2260;"}


class _DisplayMathML(MathMLPresentationPrinter):
    """sympy's presentation printer, plus display names, escaped relations (sympy writes a
    raw "<"), piecewise functions as a brace with cases (as LaTeX does), max/min."""

    def __init__(self, display, **settings):
        super().__init__(settings)
        self._display = display

    def _element(self, tag, *children, text=None):
        element = self.dom.createElement(tag)
        if text is not None:
            element.appendChild(self.dom.createTextNode(text))
        for child in children:
            element.appendChild(child)
        return element

    def _print_Relational(self, e):
        return self._element(
            "mrow", self._print(e.lhs), self._element("mo", text=_RELATIONS[e.rel_op]), self._print(e.rhs)
        )

    def _print_Piecewise(self, e):
        rows = []
        for value, condition in e.args:
            if condition == sp.true:
                case = self._element("mtext", text="otherwise")
            else:
                case = self._element("mrow", self._element("mtext", text="for&#xA0;"), self._print(condition))
            rows.append(self._element("mtr", self._element("mtd", self._print(value)), self._element("mtd", case)))
        table = self._element("mtable", *rows)
        table.setAttribute("columnalign", "left left")
        return self._element("mrow", self._element("mo", text="{"), table)

    def _minmax(self, name, e):
        return self._element("mrow", self._element("mi", text=name), self._paren_comma_separated(*e.args))

    def _print_Max(self, e):
        return self._minmax("max", e)

    def _print_Min(self, e):
        return self._minmax("min", e)

    def _print_Mul(self, expr):
        """sympy's Mul printing, but with order="none" the factors keep their order (sympy's
        MathML printer sorts them for every order but "old", unlike its LaTeX printer)."""
        from sympy.simplify import fraction

        row = self.dom.createElement("mrow")
        if expr.could_extract_minus_sign():
            row.appendChild(self._element("mo", text="-"))
            expr = -expr
        numer, denom = fraction(expr)
        if denom is not sp.S.One:
            row.appendChild(self._element("mfrac", self._print(numer), self._print(denom)))
            return row
        coeff, factors = expr.as_coeff_mul()
        if coeff is sp.S.One and len(factors) == 1:
            row.appendChild(self._print(factors[0]))
            return row
        if self.order not in ("old", "none"):
            factors = sp.Mul._from_args(factors).as_ordered_factors()
        items = ([coeff] if coeff != 1 else []) + list(factors)
        for i, factor in enumerate(items):
            if i:
                row.appendChild(self._element("mo", text=self.mathml_tag(expr)))
            row.appendChild(self._print(factor) if factor is coeff and i == 0 and coeff != 1
                            else self.parenthesize(factor, PRECEDENCE["Mul"]))
        return row

    def _print_Symbol(self, sym, style="plain"):
        shown = self._display.get(sym.name)
        if isinstance(shown, sp.Symbol):
            return self._accented_symbol(shown, style)
        if shown is not None:
            return self._print(shown)
        return self._accented_symbol(sym, style)

    def _accented_symbol(self, sym, style):
        """A name such as "mhat_1", "xbar" or "ytilde_2" with its accent over the letter,
        as sympy's LaTeX printer shows it (its MathML printer prints "mhat")."""
        name, supers, subs = split_super_sub(sym.name)
        for suffix, accent in _ACCENTS:
            if name.endswith(suffix) and len(name) > len(suffix):
                break
        else:
            return super()._print_Symbol(sym, style=style)
        rest = sym.name[len(name):]
        element = super()._print_Symbol(sp.Symbol(name[: -len(suffix)] + rest), style=style)
        base = element.firstChild if element.tagName in ("msub", "msup", "msubsup") else None
        target = base if base is not None else element
        mover = self.dom.createElement("mover")
        mover.setAttribute("accent", "true")
        if base is not None:
            element.replaceChild(mover, base)
        mover.appendChild(target)
        mover.appendChild(self._element("mo", text=accent))
        return element if base is not None else mover


# name suffixes sympy's LaTeX printer turns into accents (longest first), as MathML accents
_ACCENTS = (("tilde", "~"), ("check", "\u02c7"), ("breve", "\u02d8"), ("ddot", "\u00a8"),
            ("dot", "\u02d9"), ("hat", "^"), ("bar", "\u00af"), ("vec", "\u2192"))


_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
# sympy's double-struck exponential e and differential d look foreign on a worksheet
_PLAIN_ENTITIES = {"ExponentialE": "e", "dd": "d"}


def _numeric_entities(markup: str) -> str:
    """sympy writes named entities (&InvisibleTimes;); XML knows only numeric ones. Also a
    minus sign (U+2212) where sympy writes a hyphen."""

    def repl(match):
        name = match.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return match.group(0)
        if name in _PLAIN_ENTITIES:
            return _PLAIN_ENTITIES[name]
        char = html.entities.html5.get(name + ";")
        if char is None:
            raise ValueError(f"unknown entity &{name}; in MathML")
        return "".join("&#x%X;" % ord(c) for c in char)

    # sympy writes a hyphen for minus; the numbers beside it use the minus sign U+2212
    return _ENTITY.sub(repl, markup).replace("<mo>-</mo>", "<mo>&#x2212;</mo>")


def _display_key(display: Mapping[str, sp.Basic]):
    return tuple(sorted(display.items(), key=lambda item: item[0]))


def _printed_key(expr, display_items) -> str:
    return text_key(formula_key(expr) + "\x1e" + _display_items_key(display_items))


@functools.lru_cache(maxsize=65536)
@prepared("latex", _printed_key)
def _latex_cached(expr, display_items):
    return _DisplayLatex(dict(display_items), order="none").doprint(expr)


@functools.lru_cache(maxsize=65536)
@prepared("mathml", _printed_key)
def _mathml_cached(expr, display_items):
    printer = _DisplayMathML(dict(display_items), order="none")  # the LaTeX printer's order
    return _numeric_entities(printer.doprint(expr))


_MEMO: Dict[tuple, tuple] = {}
#: by the display mapping's content: every student's problem has a display of its own, mostly
#: equal to the other students' ({id: (display, number of its content)}, {content: number})
_DISPLAY_IDS: Dict[int, tuple] = {}
_DISPLAY_CONTENTS: Dict[tuple, int] = {}
_BY_CONTENT: Dict[tuple, str] = {}


def display_number(display) -> int:
    """A number for the content of the display mapping ``display``: equal contents, equal numbers."""
    hit = _DISPLAY_IDS.get(id(display))
    if hit is not None and hit[0] is display:
        return hit[1]
    if len(_DISPLAY_IDS) > 50000:
        _DISPLAY_IDS.clear()
    if len(_DISPLAY_CONTENTS) > 50000:  # the numbers start again: forget what they keyed
        _DISPLAY_CONTENTS.clear()
        _BY_CONTENT.clear()
        _DISPLAY_IDS.clear()
    content = _display_key(display)
    number = _DISPLAY_CONTENTS.setdefault(content, len(_DISPLAY_CONTENTS))
    _DISPLAY_IDS[id(display)] = (display, number)  # keeps display alive: its id is not reused
    return number


def _memo(kind, expr, display, make):
    """Print once per (expression, display mapping): a sheet prints the same formulas for
    every student. The entry keeps ``display`` alive, so its id cannot be reused."""
    display = display or _EMPTY
    key = (kind, expr, id(display))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is display:
        return hit[1]
    content_key = (kind, expr, display_number(display))
    text = _BY_CONTENT.get(content_key)
    if text is None:
        expr = sp.sympify(expr)
        text = make(expr, _display_key(used_display(expr, display)))
        if len(_BY_CONTENT) > 200000:
            _BY_CONTENT.clear()
        _BY_CONTENT[content_key] = text
    if len(_MEMO) > 200000:
        _MEMO.clear()
    _MEMO[key] = (display, text)
    return text


_EMPTY: Dict[str, sp.Basic] = {}


def latex(expr, display: Mapping[str, sp.Basic] = None) -> str:
    """LaTeX of ``expr`` (no surrounding $), symbols shown through ``display``."""
    return _memo("latex", expr, display, _latex_cached)


def mathml(expr, display: Mapping[str, sp.Basic] = None) -> str:
    """Presentation MathML of ``expr`` (an <mrow>/<mi>..., no <math> wrapper)."""
    return _memo("mathml", expr, display, _mathml_cached)


@functools.lru_cache(maxsize=65536)
def symbol_names(expr: sp.Basic) -> tuple:
    """The sorted names of the free symbols of ``expr`` (cached: formulas repeat)."""
    return tuple(sorted(s.name for s in expr.free_symbols))


def used_display(expr: sp.Basic, display: Mapping[str, sp.Basic]) -> Dict[str, sp.Basic]:
    """The part of ``display`` that ``expr`` needs (keeps print caches small and shared)."""
    if not display:
        return {}
    return {n: display[n] for n in symbol_names(expr) if n in display}


# --- formulas with the numbers put in (the seed's "z1 = 0.03 + 0.05 = 0.08") ----------

_TOKEN = "ZZ%03dZZ"  # a Symbol name that sympy prints verbatim (no auto-subscript)


def _rebuild(expr, mapping):
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [_rebuild(arg, mapping) for arg in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _tokens_decoded(stored):
    return None if stored is None else (stored[0], stored[1], stored[2])


@functools.lru_cache(maxsize=65536)
@prepared("tokens", lambda formula, kind: text_key(kind + "\x1e" + formula_key(formula)), decode=_tokens_decoded)
def _with_tokens(formula, kind):
    """``formula`` printed once with a token for each symbol (then numbers are pasted in)."""
    names = sorted(s.name for s in formula.free_symbols)
    tokens = {sp.Symbol(n): sp.Symbol(_TOKEN % i) for i, n in enumerate(names)}
    try:
        placeholder = _rebuild(formula, tokens)
    except Exception:  # a structure that cannot be rebuilt unevaluated: no such line
        return None
    if kind == "latex":
        text = LatexPrinter({"order": "none", "mul_symbol": "dot"}).doprint(placeholder)
        marks = [_TOKEN % i for i in range(len(names))]
    else:
        printer = _DisplayMathML({}, order="none", mul_symbol="dot")
        text = _numeric_entities(printer.doprint(placeholder))
        marks = ["<mi>%s</mi>" % (_TOKEN % i) for i in range(len(names))]
    if any(text.count(mark) == 0 for mark in marks):
        return None
    return names, marks, text


#: brackets that already enclose a lone symbol: its number needs no parentheses of its own
_ENCLOSED = {
    # sympy's own functions print their argument as \left(x \right) (sign, log): with the space too
    "latex": ((r"\left(", r"\right)"), (r"\left(", r" \right)"), (r"\left|{", r"}\right|")),
    "mathml": (("<mo>(</mo>", "<mo>)</mo>"), ("<mo>|</mo>", "<mo>|</mo>")),
}


@functools.lru_cache(maxsize=65536)
def substitution_plan(formula, kind: str):
    """``formula`` printed once (``_with_tokens``) and cut where its numbers go, or None:
    (its symbol names, sorted; the pieces: printed text between the numbers, and (i, alone)
    for the number of name i, ``alone`` where the symbol alone fills a pair of brackets).
    Each student's line is then one join (``fill_plan``), not a pass over the text per name."""
    form = _with_tokens(formula, kind)
    if form is None:
        return None
    names, marks, text = form
    cut = "\x00"  # never in printed LaTeX or MathML
    for i, mark in enumerate(marks):
        for left, right in _ENCLOSED[kind]:
            text = text.replace(left + mark + right, "%s%sB%d%s%s" % (left, cut, i, cut, right))
        text = text.replace(mark, "%sN%d%s" % (cut, i, cut))
    pieces = text.split(cut)
    plan = []
    for j, piece in enumerate(pieces):
        if j % 2:
            plan.append((int(piece[1:]), piece[0] == "B"))
        elif piece:
            plan.append(piece)
    return names, tuple(plan)


def fill_plan(plan, numbers: Sequence[str], bare: Optional[Sequence[str]] = None) -> str:
    """A ``substitution_plan``'s pieces with the numbers of its names (in its order) put in:
    ``numbers[i]`` parenthesised where a sign needs it, ``bare[i]`` (if given) where the
    symbol alone fills a pair of brackets."""
    out = []
    for piece in plan:
        if piece.__class__ is str:
            out.append(piece)
        else:
            i, alone = piece
            out.append(bare[i] if alone and bare is not None else numbers[i])
    return "".join(out)


def substituted(formula, numbers: Mapping[str, str], kind: str, bare: Mapping[str, str] = None):
    """``formula`` with each symbol replaced by its shown number, or None.

    ``numbers`` maps symbol names to number markup in ``kind`` ("latex" or "mathml"),
    already parenthesised where a sign needs it; ``bare`` (optional) the same numbers
    without those parentheses, used where the symbol alone fills a pair of brackets
    (sigma(-0.27), not sigma((-0.27)))."""
    planned = substitution_plan(sp.sympify(formula), kind)
    if planned is None:
        return None
    names, plan = planned
    if any(name not in numbers for name in names):
        return None
    shown = [numbers[name] for name in names]
    alone = None if bare is None else [bare.get(name, numbers[name]) for name in names]
    return fill_plan(plan, shown, alone)


# --- plain text ---------------------------------------------------------------------------

class _PlainPrinter(StrPrinter):
    """sympy's str printer, but readable by a student in a plain-text comment: derivatives
    as dh_5/dx or d sigma(x_1)/d x_1 (never ``Derivative(...)``), a derivative at a point
    as "... at x = 0.5" (never ``Subs(...)``)."""

    def _print_Equality(self, expr):
        return "%s = %s" % (self._print(expr.lhs), self._print(expr.rhs))

    def _print_Derivative(self, expr):
        order = sum(int(n) for _v, n in expr.variable_count)
        power = "" if order == 1 else "^%d" % order
        variables = [self._print(v) + ("" if n == 1 else "^%d" % n) for v, n in expr.variable_count]
        if isinstance(expr.expr, sp.Symbol):  # dh_5/dx, d^2E/dw_1 dw_2
            return "d%s%s/%s" % (power, self._print(expr.expr), " ".join("d" + v for v in variables))
        return "d%s %s/%s" % (power, self.parenthesize(expr.expr, PRECEDENCE["Mul"]),
                              " ".join("d " + v for v in variables))

    def _print_Subs(self, expr):
        point = ", ".join("%s = %s" % (self._print(v), self._print(p)) for v, p in zip(expr.variables, expr.point))
        return "%s at %s" % (self._print(expr.expr), point)


def plain(expr, display=None) -> str:
    """``expr`` as plain text (the answers file's comments, a checker's note naming a
    quantity: h_2), symbols shown through ``display``; no renderer needed."""
    display = display or {}
    expr = sp.sympify(expr)
    shown = {s: display[s.name] for s in expr.free_symbols if s.name in display}
    if shown:
        expr = expr.xreplace(shown)
    return _PlainPrinter({"order": "none"}).doprint(expr)
