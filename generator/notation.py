"""The display symbols of the worksheets: one home for every symbol a formula can hold.

- ``sigma``: the logistic sigmoid as an unevaluated sympy function, printed as sigma(z) in
  LaTeX and MathML, differentiable (sigma' = sigma (1 - sigma)) and numerically evaluable.
- ``Partial(num, den)``: a display-only partial derivative, printed as dE/dw with curly d's.
- ``Hat(base, sub)`` / ``hats(names)``: hatted, subscripted names (m-hat_t, x-hat_i).
- ``Below(a, b)``: the Iverson bracket [a < b].
- ``sym(name)``, ``chain(*factors)``, ``terms(*addends)``, ``mean(items)``: the Symbol of a
  given or step, and products, sums and means that keep the order a family writes them.

How a formula is evaluated is ``generator.symbolic.evaluate`` (the one evaluator); how it
is printed is ``generator.symbolic.latex``/``mathml``.
"""

from __future__ import annotations

import functools

import sympy as sp


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


@functools.lru_cache(maxsize=65536)
def sym(name: str) -> sp.Symbol:
    """The Symbol a family uses for a given or a step called ``name`` (remembered: sympy's
    own cache returns the same object, a dict look-up is faster)."""
    return sp.Symbol(name)


def chain(*factors) -> sp.Expr:
    """A product printed in the order given (chain-rule factors left to right)."""
    return sp.Mul(*factors, evaluate=False)


def terms(*addends) -> sp.Expr:
    """A sum printed in the order given."""
    return sp.Add(*addends, evaluate=False)


def bracketed_mathml(printer, args, separator):
    """``[a SEP b]`` in presentation MathML: square brackets and the separator as operators
    around the printed arguments (an interval, an Iverson bracket)."""
    dom = printer.dom
    row = dom.createElement("mrow")
    for part in ("[", args[0], separator, args[1], "]"):
        if isinstance(part, str):
            mo = dom.createElement("mo")
            mo.appendChild(dom.createTextNode(part))
            row.appendChild(mo)
        else:
            row.appendChild(printer._print(part))
    return row


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
        return bracketed_mathml(printer, self.args, "&lt;")

    def _sympystr(self, printer):
        return "[%s < %s]" % tuple(printer._print(x) for x in self.args)


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
