"""Helpers shared by problem families 5-13: nice exact numbers and a worked key whose every
step is true by construction.

A ``Key`` holds the value of every given and step by name. ``Key.step`` evaluates a formula
at the values so far: exact (a Rational) while the arithmetic stays rational, else a Float of
``PRECISION`` (40) digits computed with 45-digit mpmath. So the value shown in the key is the
formula's value; a family never types a value it did not compute from its formula.

Each formula is compiled once into Python closures over ``Fraction`` and mpmath numbers (the
families reuse their formulas across variants), which is much faster than substituting into
the sympy tree, where every operation on a sympy Float goes through the assumptions system.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Optional, Sequence

import mpmath
import sympy as sp

from generator.model import Given, Step, Text
from generator.symbolic import PRECISION, sym  # noqa: F401 - sym is re-exported for the families


def dec(text: str) -> sp.Rational:
    """An exact decimal: ``dec("0.45")`` is 9/20."""
    return sp.Rational(text)


def choose(rng, options: Sequence):
    """One of ``options``, drawn through ``rng`` (a numpy Generator)."""
    return options[int(rng.integers(len(options)))]


@functools.lru_cache(maxsize=None)
def grid(lo: str, hi: str, step: str, *, nonzero: bool = True):
    """The exact decimals lo, lo + step, ..., hi (0 left out when ``nonzero``)."""
    lo_, hi_, step_ = dec(lo), dec(hi), dec(step)
    n = int((hi_ - lo_) / step_)
    values = [lo_ + i * step_ for i in range(n + 1)]
    return tuple(v for v in values if not (nonzero and v == 0))


def distinct(rng, options: Sequence, size: int):
    """``size`` different entries of ``options`` in random order."""
    picks = rng.choice(len(options), size=size, replace=False)
    return [options[int(i)] for i in picks]


class Below(sp.Function):
    """The Iverson bracket [a < b]: 1 when a < b, else 0 (kept unevaluated for symbols)."""

    nargs = 2

    @classmethod
    def eval(cls, a, b):
        if a.is_number and b.is_number:
            return sp.Integer(1) if bool(a < b) else sp.Integer(0)
        return None

    def _latex(self, printer, exp=None):
        a, b = (printer._print(x) for x in self.args)
        return r"\left[%s < %s\right]" % (a, b)

    def _mathml_presentation(self, printer):
        dom = printer.dom
        row = dom.createElement("mrow")
        for part in ("[", self.args[0], "&lt;", self.args[1], "]"):
            if isinstance(part, str):
                mo = dom.createElement("mo")
                mo.appendChild(dom.createTextNode(part))
                row.appendChild(mo)
            else:
                row.appendChild(printer._print(part))
        return row

    def _sympystr(self, printer):
        return "[%s < %s]" % tuple(printer._print(x) for x in self.args)


_MP = mpmath.MPContext()  # private: never touches mpmath's global precision
_MP.dps = PRECISION + 5


def _mp(x):
    return x if isinstance(x, _MP.mpf) else _MP.mpf(x.numerator) / x.denominator


def _exact(*xs):
    return all(isinstance(x, (int, Fraction)) for x in xs)


def _add(xs):
    return sum(xs, Fraction(0)) if _exact(*xs) else _MP.fsum([_mp(x) for x in xs])


def _mul(xs):
    if _exact(*xs):
        return math.prod(xs, start=Fraction(1))
    return _MP.fprod([_mp(x) for x in xs])


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


def _compile(expr):
    """A function env -> value of ``expr`` (env maps Symbol names to Fraction or mpf)."""
    from generator.symbolic import sigma

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
    if expr.is_Add:
        return lambda env: _add([f(env) for f in args])
    if expr.is_Mul:
        return lambda env: _mul([f(env) for f in args])
    if expr.is_Pow:
        base, exponent = args
        return lambda env: _pow(base(env), exponent(env))
    one = {sp.exp: lambda x: _MP.exp(_mp(x)),
           sp.log: lambda x: Fraction(0) if x == 1 else _MP.log(_mp(x)),
           sp.tanh: lambda x: _MP.tanh(_mp(x)),
           sigma: lambda x: 1 / (1 + _MP.exp(-_mp(x))),  # cannot overflow in arbitrary precision
           sp.Abs: abs, sp.sign: _sign, sp.ceiling: lambda x: Fraction(math.ceil(x))}
    if expr.func in one:
        fn, (arg,) = one[expr.func], args
        return lambda env: fn(arg(env))
    if expr.func in (sp.Max, sp.Min):
        pick = max if expr.func is sp.Max else min
        return lambda env: pick((f(env) for f in args), key=_mp)
    if expr.func is Below:
        a, b = args
        return lambda env: _below(a(env), b(env))
    raise TypeError(f"cannot evaluate {expr.func.__name__} in {expr}")


@functools.lru_cache(maxsize=None)
def _compiled(formula):
    return _compile(formula)


def _number(value):
    """A sympy value as a Fraction (rational) or an mpf of the private context."""
    if isinstance(value, int):
        return Fraction(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sp.Float):
        return _MP.mpf(value._mpf_)
    return _MP.mpf(str(value.evalf(PRECISION + 5)))


def _sympy(number):
    if isinstance(number, Fraction):
        return sp.Rational(number.numerator, number.denominator)
    return sp.Float(mpmath.libmp.to_str(number._mpf_, PRECISION + 5), PRECISION)


class Key:
    """Givens and steps of one problem, with the value of every name."""

    def __init__(self):
        self.env = {}
        self._numbers = {}
        self.givens = []
        self.steps = []

    def _add(self, name, value):
        if name in self.env:
            raise ValueError(f"duplicate name {name!r}")
        self.env[name] = value
        self._numbers[name] = _number(value)

    def given(self, name: str, value, label: Optional[Text] = None) -> sp.Symbol:
        value = sp.sympify(value)
        self._add(name, value)
        self.givens.append(Given(name, value, label))
        return sp.Symbol(name)

    def step(self, name: str, formula, note: Optional[Text] = None) -> sp.Symbol:
        formula = sp.sympify(formula)
        unknown = sorted(s.name for s in formula.free_symbols if s.name not in self._numbers)
        if unknown:
            raise ValueError(f"step {name!r} uses unknown names {unknown}")
        value = _sympy(_compiled(formula)(self._numbers))
        self._add(name, value)
        self.steps.append(Step(name, formula, value, note))
        return sp.Symbol(name)

    def statement(self, name: str, note: Text) -> None:
        """A line of the key that states or heads rather than computes."""
        self.steps.append(Step(name, None, None, note))

    def __getitem__(self, name: str):
        return self.env[name]


def fill(text: Text, **words: Text) -> Text:
    """``text`` with each ``[word]`` replaced by that word in the same language, so that a
    language-dependent word (an optimizer's name, a loss's name) can sit inside prose whose
    ``{slots}`` hold only math and numbers."""
    en, ko = text.en, text.ko
    for name, word in words.items():
        en = en.replace(f"[{name}]", word.en)
        ko = ko.replace(f"[{name}]", word.ko)
    return Text(en, ko, text.slots)


def equation(expr) -> Text:
    """A displayed formula on its own line."""
    return Text("{eq}", "{eq}", {"eq": expr})


def mean(items) -> sp.Expr:
    """(x_1 + ... + x_n) / n, kept as a mean of a sum (sympy would split it into x_1/n + ...)."""
    items = list(items)
    return sp.Mul(sp.Rational(1, len(items)), sp.Add(*items), evaluate=False)


class Hat(sp.Expr):
    """Display form of a hatted, subscripted symbol (m-hat_t, x-hat_i,j): sympy's LaTeX printer
    understands a "hat" suffix in a Symbol's name but its MathML printer does not."""

    is_commutative = True

    def __new__(cls, base: str, sub: str):
        return sp.Expr.__new__(cls, sp.Symbol(base), sp.Symbol(sub))

    def _latex(self, printer, exp=None):
        base, sub = self.args
        return r"\hat{%s}_{%s}" % (base.name, sub.name)

    def _mathml_presentation(self, printer):
        dom = printer.dom
        base, sub = self.args
        msub, mover = dom.createElement("msub"), dom.createElement("mover")
        mover.setAttribute("accent", "true")
        for tag, text, parent in (("mi", base.name, mover), ("mo", "^", mover)):
            node = dom.createElement(tag)
            node.appendChild(dom.createTextNode(text))
            parent.appendChild(node)
        msub.appendChild(mover)
        index = dom.createElement("mi")
        index.appendChild(dom.createTextNode(sub.name))
        msub.appendChild(index)
        return msub

    def _sympystr(self, printer):
        base, sub = self.args
        return "%shat_%s" % (base.name, sub.name)


def hats(names):
    """``display`` entries showing each "xhat_sub" name through ``Hat``."""
    return {n: Hat(n.split("hat_")[0], n.split("hat_", 1)[1]) for n in names}
