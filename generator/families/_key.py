"""Helpers shared by the families that are not backprop chains (optimizer steps, losses,
activations, batch arithmetic, learning rate, regularization, batch norm, initialization,
early stopping): nice exact numbers and a worked key whose every step is true by
construction.

A ``Key`` holds the value of every given and step by name. ``Key.step`` evaluates a formula
at the values so far through the one evaluator, ``generator.symbolic.evaluate_numbers``:
exact (a Rational) while the arithmetic stays rational, else a Float of ``PRECISION`` (40)
digits. So the value shown in the key is the formula's value; a family never types a value
it did not compute from its formula. The display symbols (``sym``, ``mean``, ``Hat``,
``Below``, ...) live in ``generator.notation``.
"""

from __future__ import annotations

import functools
from typing import Optional, Sequence

import sympy as sp

from generator.model import Given, Step, Text
from generator.notation import sym
from generator.symbolic import evaluate_numbers, number, symbol_names, to_sympy


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
        self._numbers[name] = number(value)

    def given(self, name: str, value, label: Optional[Text] = None) -> sp.Symbol:
        value = sp.sympify(value)
        self._add(name, value)
        self.givens.append(Given(name, value, label))
        return sym(name)

    def step(self, name: str, formula, note: Optional[Text] = None) -> sp.Symbol:
        formula = sp.sympify(formula)
        unknown = [n for n in symbol_names(formula) if n not in self._numbers]  # sorted
        if unknown:
            raise ValueError(f"step {name!r} uses unknown names {unknown}")
        value = to_sympy(evaluate_numbers(formula, self._numbers))
        self._add(name, value)
        self.steps.append(Step(name, formula, value, note))
        return sym(name)

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




def alternatives(key: Key, questions, mistakes) -> list:
    """Named mistakes as alternative formulas: ``mistakes`` is a sequence of
    (name, (hint_en, hint_ko), replace), where ``replace(step_name, formula)`` returns the
    formula a student making that mistake uses (or ``formula`` unchanged). The key is
    re-run in order with the replaced formulas through the one evaluator; every asked
    number or integer whose value changes gets a ``generator.model.Mistake``."""
    from generator.model import Mistake, asked_steps

    where = asked_steps(key.steps, questions)
    out = []
    for name, hint, replace in mistakes:
        env = {g.name: number(g.value) for g in key.givens}
        for step in key.steps:
            if step.formula is None:
                continue
            # rounded to PRECISION digits as Key.step rounds it: a step the mistake leaves alone
            # keeps the key's value to the last digit (else it differed in the 40th and was "named")
            env[step.name] = number(to_sympy(evaluate_numbers(sp.sympify(replace(step.name, step.formula)), env)))
        for q in questions:
            step = where.get(q.key)
            if step is None:
                continue
            value = to_sympy(env[step])
            if value != key[step]:
                out.append(Mistake(q.key, name, hint, int(value) if q.kind == "integer" else value))
    return out


def apart(mistakes, names):
    """``mistakes`` without those of ``names`` that give a question the same value as another
    mistake listed before them: ``check`` would name both, and one reason is enough."""
    out, seen = [], set()
    for m in mistakes:
        if m.name in names and (m.question, m.value) in seen:
            continue
        seen.add((m.question, m.value))
        out.append(m)
    return out
