"""Sympy building blocks shared by the problem families and the renderers.

- ``sigma``: the logistic sigmoid as an unevaluated sympy function, printed as sigma(z) in
  LaTeX and MathML, differentiable (sigma' = sigma (1 - sigma)) and numerically evaluable.
- ``Partial(num, den)``: a display-only partial derivative, printed as dE/dw with curly d's.
- ``chain(*factors)`` / ``terms(*terms)``: products and sums that keep the order in which a
  family writes them (the chain rule reads left to right), printed with ``order="none"``.
- ``evaluate(formula, values)``: the high-precision value of a formula at exact givens.
  Rational inputs to a rational formula stay exact (z1 = 0.08 is shown as 0.08); anything
  through exp or sigma becomes a ``PRECISION``-digit sympy Float.
- ``latex(expr, display)`` / ``mathml(expr, display)``: sympy's printers, with symbol
  names replaced by their display forms (``{"dE_dw_5": Partial(E, w_5)}``) and the
  factor order kept. MathML is well-formed XML (numeric character references only).
"""

from __future__ import annotations

import functools
import html.entities
import re
from typing import Any, Dict, Mapping

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.conventions import split_super_sub
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.pycode import SymPyPrinter

#: Decimal digits carried by evaluated answers; displays use 8 significant digits.
PRECISION = 40


class sigma(sp.Function):  # noqa: N801 - printed as the Greek letter, like sp.exp
    """The logistic sigmoid 1 / (1 + exp(-x)), kept unevaluated in formulas."""

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_evalf(self, prec):
        arg = self.args[0].evalf(prec)
        if not arg.is_number:
            return None
        # 1 / (1 + exp(-x)) in mpmath's arbitrary precision cannot overflow for any
        # argument a worksheet can contain, so the textbook form is safe here.
        return (1 / (1 + sp.exp(-arg))).evalf(prec)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _latex(self, printer, exp=None):
        inner = printer._print(self.args[0])
        base = r"\sigma\left(%s\right)" % inner
        return base if exp is None else r"%s^{%s}" % (base, exp)

    def _mathml_presentation(self, printer):
        mrow = printer.dom.createElement("mrow")
        mi = printer.dom.createElement("mi")
        mi.appendChild(printer.dom.createTextNode("\u03c3"))
        mrow.appendChild(mi)
        mrow.appendChild(printer._paren_comma_separated(*self.args))
        return mrow


class Partial(sp.Expr):
    """Display form of a partial derivative d num / d den (never evaluated)."""

    is_commutative = True

    def __new__(cls, num, den):
        return sp.Expr.__new__(cls, sp.sympify(num), sp.sympify(den))

    def _latex(self, printer, exp=None):
        num, den = self.args
        return r"\frac{\partial %s}{\partial %s}" % (printer._print(num), printer._print(den))

    def _mathml_presentation(self, printer):
        num, den = self.args
        dom = printer.dom
        frac = dom.createElement("mfrac")
        for arg in (num, den):
            mrow = dom.createElement("mrow")
            mo = dom.createElement("mo")
            mo.appendChild(dom.createTextNode("&#x2202;"))
            mrow.appendChild(mo)
            mrow.appendChild(printer._print(arg))
            frac.appendChild(mrow)
        return frac

    def _sympystr(self, printer):
        num, den = self.args
        return "d%s/d%s" % (printer._print(num), printer._print(den))


def sym(name: str) -> sp.Symbol:
    """The Symbol a family uses for a given or a step called ``name``."""
    return sp.Symbol(name)


def chain(*factors) -> sp.Expr:
    """A product printed in the order given (chain-rule factors left to right)."""
    return sp.Mul(*factors, evaluate=False)


def terms(*addends) -> sp.Expr:
    """A sum printed in the order given."""
    return sp.Add(*addends, evaluate=False)


# --- numeric evaluation -------------------------------------------------------------

_MP = mpmath.MPContext()  # a private context: never touches mpmath's global precision
_MP.dps = PRECISION + 5


def _mpf(x):
    """A sympy (or Python) real number as an mpf of the private context."""
    x = sp.sympify(x)
    if isinstance(x, sp.Float):
        return _MP.make_mpf(x._mpf_)
    if x.is_Rational:
        return _MP.mpf(int(x.p)) / int(x.q)
    if not x.is_number:
        raise TypeError(f"not a number: {x!r}")
    return _MP.make_mpf(sp.Float(x.evalf(PRECISION + 5), PRECISION + 5)._mpf_)


def _float(value) -> sp.Float:
    return sp.Float(value, PRECISION)


def _sigma_value(x):
    # 1 / (1 + exp(-x)) in arbitrary precision cannot overflow for worksheet-sized x
    return _float(1 / (1 + _MP.exp(-_mpf(x))))


def _exp_value(x):
    return _float(_MP.exp(_mpf(x)))


def _sqrt_value(x):
    x = sp.sympify(x)
    if x.is_Rational and x >= 0:
        root = sp.sqrt(x)
        if root.is_Rational:
            return root
    return _float(_MP.sqrt(_mpf(x)))


def _log_value(x):
    x = sp.sympify(x)
    if x == 1:
        return sp.Integer(0)
    return _float(_MP.log(_mpf(x)))


_NUMERIC = {"sigma": _sigma_value, "exp": _exp_value, "sqrt": _sqrt_value, "log": _log_value, "Rational": sp.Rational}


class _ExactPrinter(SymPyPrinter):
    """lambdify's printer, but 1/3 stays the sympy Rational 1/3 (not the float 0.333...)."""

    def _print_Rational(self, expr):
        return "Rational(%d, %d)" % (expr.p, expr.q)

    def _print_Half(self, expr):
        return self._print_Rational(expr)


@functools.lru_cache(maxsize=None)
def _compiled(formula: sp.Expr):
    names = tuple(sorted(s.name for s in formula.free_symbols))
    func = sp.lambdify(
        [sp.Symbol(n) for n in names],
        formula,
        modules=[_NUMERIC, "sympy"],
        printer=_ExactPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}),
    )
    return names, func


def evaluate(formula: sp.Expr, values: Mapping[str, Any]) -> sp.Expr:
    """The value of ``formula`` with each Symbol replaced by ``values[symbol.name]``.

    Exact where the arithmetic stays rational, else a ``PRECISION``-digit Float. Compiled
    once per formula (families reuse their formulas across variants), so a class set is
    fast. Raises KeyError naming a missing symbol.
    """
    formula = sp.sympify(formula)
    if formula.is_number:
        return formula
    names, func = _compiled(formula)
    try:
        args = [sp.sympify(values[n]) for n in names]
    except KeyError as exc:
        raise KeyError(f"no value for symbol {exc.args[0]!r} in {formula}") from None
    result = sp.sympify(func(*args))
    if isinstance(result, sp.Float):
        return result
    if result.is_Rational:
        return result
    return result.evalf(PRECISION)


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
        from sympy.printing.precedence import PRECEDENCE
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


@functools.lru_cache(maxsize=65536)
def _latex_cached(expr, display_items):
    return _DisplayLatex(dict(display_items), order="none").doprint(expr)


@functools.lru_cache(maxsize=65536)
def _mathml_cached(expr, display_items):
    printer = _DisplayMathML(dict(display_items), order="none")  # the LaTeX printer's order
    return _numeric_entities(printer.doprint(expr))


_MEMO: Dict[tuple, tuple] = {}


def _memo(kind, expr, display, make):
    """Print once per (expression, display mapping): a sheet prints the same formulas for
    every student. The entry keeps ``display`` alive, so its id cannot be reused."""
    display = display or _EMPTY
    key = (kind, expr, id(display))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is display:
        return hit[1]
    expr = sp.sympify(expr)
    text = make(expr, _display_key(used_display(expr, display)))
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


@functools.lru_cache(maxsize=65536)
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
    "latex": ((r"\left(", r"\right)"), (r"\left|{", r"}\right|")),
    "mathml": (("<mo>(</mo>", "<mo>)</mo>"), ("<mo>|</mo>", "<mo>|</mo>")),
}


def substituted(formula, numbers: Mapping[str, str], kind: str, bare: Mapping[str, str] = None):
    """``formula`` with each symbol replaced by its shown number, or None.

    ``numbers`` maps symbol names to number markup in ``kind`` ("latex" or "mathml"),
    already parenthesised where a sign needs it; ``bare`` (optional) the same numbers
    without those parentheses, used where the symbol alone fills a pair of brackets
    (sigma(-0.27), not sigma((-0.27)))."""
    form = _with_tokens(sp.sympify(formula), kind)
    if form is None:
        return None
    names, marks, text = form
    for name, mark in zip(names, marks):
        if name not in numbers:
            return None
        if bare is not None and name in bare:
            for left, right in _ENCLOSED[kind]:
                text = text.replace(left + mark + right, left + bare[name] + right)
        text = text.replace(mark, numbers[name])
    return text
