"""Helpers shared by problem families 5-13: nice exact numbers and a worked key whose every
step is true by construction.

A ``Key`` holds the value of every given and step by name. ``Key.step`` evaluates a formula
by substituting the values so far: exact while the arithmetic stays rational, else a Float of
``PRECISION`` (40) digits, as ``generator.symbolic.evaluate`` does, but keeping a formula's
rational constants (the 1/n of a mean) exact. So the value shown in the key is the formula's
value; a family never types a value it did not compute from its formula.
"""

from __future__ import annotations

from typing import Optional, Sequence

import sympy as sp

from generator.model import Given, Step, Text
from generator.symbolic import PRECISION, sym  # noqa: F401 - sym is re-exported for the families


def dec(text: str) -> sp.Rational:
    """An exact decimal: ``dec("0.45")`` is 9/20."""
    return sp.Rational(text)


def choose(rng, options: Sequence):
    """One of ``options``, drawn through ``rng`` (a numpy Generator)."""
    return options[int(rng.integers(len(options)))]


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


class Key:
    """Givens and steps of one problem, with the value of every name."""

    def __init__(self):
        self.env = {}
        self._symbols = {}
        self.givens = []
        self.steps = []

    def _add(self, name, value):
        if name in self.env:
            raise ValueError(f"duplicate name {name!r}")
        self.env[name] = value
        self._symbols[sp.Symbol(name)] = value

    def given(self, name: str, value, label: Optional[Text] = None) -> sp.Symbol:
        value = sp.sympify(value)
        self._add(name, value)
        self.givens.append(Given(name, value, label))
        return sp.Symbol(name)

    def step(self, name: str, formula, note: Optional[Text] = None) -> sp.Symbol:
        formula = sp.sympify(formula)
        value = formula.xreplace(self._symbols)
        if value.free_symbols:
            raise ValueError(f"step {name!r} uses unknown names {sorted(map(str, value.free_symbols))}")
        if not value.is_Rational:
            value = value.evalf(PRECISION)
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
