"""What a problem family produces, independent of output format and language.

A family (one module in ``generator/families/``, registered in ``generator/registry.py``)
has two pure functions and no I/O, no global random state, no printing:

    sample(rng: numpy.random.Generator) -> dict
        Draws the variant's parameters: structure choices (which optimizer, how many
        steps, biases or none, ...) and "nice" exact numbers as sympy Rationals.
    solve(params: dict) -> Problem
        Builds the problem, its exact answers and the worked key. ``family`` and
        ``variant`` are filled in by the framework (``generator.core``).

Families build their symbolic form once (module level or a cache) and substitute the
variant's numbers; they recompute every numeric answer in float64 through ``solutions/``
and store it in ``Question.reference`` so that generation checks the two agree.

Renderers only interpolate: prose is ``Text`` (English and Korean) whose ``{slots}`` hold
sympy objects printed with sympy's LaTeX and MathML printers, never hand-made markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import sympy as sp

Number = Union[sp.Expr, int]


@dataclass(frozen=True)
class Text:
    """Bilingual prose with named slots.

    ``Text(en="Compute {E} for the batch.", ko="배치에 대한 {E}를 구하시오.", slots={"E": E})``.
    A slot holds a sympy object (rendered as math), a ``Num`` (a number shown to 8
    significant digits), or a plain str/int (inserted as text). Use ``{{``/``}}`` for
    literal braces.
    """

    en: str
    ko: str
    slots: Dict[str, Any] = field(default_factory=dict)

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Num:
    """An exact number to be *shown as a decimal* (8 significant digits) inside prose."""

    value: sp.Expr


@dataclass
class Given:
    """A quantity stated in the problem: ``name`` is the evaluation key (a sympy Symbol's
    name used in formulas), ``value`` its exact value."""

    name: str
    value: Number
    label: Optional[Text] = None  # e.g. Text("input", "입력")


@dataclass
class Step:
    """One line of the worked key: ``display = formula = value``.

    ``formula`` is a sympy expression in the Symbols of earlier givens and steps (by name);
    substituting their exact values must give ``value`` (the contract tests check this for
    every step). ``formula`` may be None for a step that is a pure statement (then
    ``note`` explains it).
    """

    name: str
    formula: Optional[sp.Expr]
    value: Optional[Number]
    note: Optional[Text] = None


@dataclass
class Question:
    """One named blank of the answers template.

    kind "number": ``answer`` is an exact sympy number (shown to 8 significant digits and
    accepted within a relative tolerance by ``chainrule check``); "integer": an int;
    "choice": ``answer`` is the key of the correct entry of ``choices``.
    ``reference`` is the float64 value recomputed through ``solutions/`` (None for a
    choice); generation fails if it disagrees with ``answer``.
    """

    key: str
    prompt: Text
    answer: Any
    kind: str = "number"
    choices: Optional[Dict[str, Text]] = None
    reference: Any = None
    rtol: float = 1e-6  # accepted relative error for "number" answers
    atol: float = 1e-9


@dataclass
class Mistake:
    """A classic wrong computation of one question: ``value`` is what the mistake gives
    (computed from the variant's numbers through an alternative formula), ``hint`` names
    the mistake in English and Korean without giving the answer ("this is what you get if
    you leave out the sigmoid derivative o_1(1 - o_1)"). ``chainrule check`` names it
    when a wrong answer matches; two mistakes with one value are both named, but not one
    that the student's own right earlier answers rule out (``checker.check.ruled_out_by``)."""

    question: str
    name: str
    hint: Tuple[str, str]
    value: Any


@dataclass
class Problem:
    family: str
    variant: str
    title: Text
    intro: List[Text]
    givens: List[Given]
    questions: List[Question]
    steps: List[Step]
    # How a Symbol name is shown (e.g. "dE_dw5" -> Derivative(Symbol("E"), Symbol("w_5")));
    # names not listed are shown as Symbol(name), so "w_5" prints as w_5.
    display: Dict[str, sp.Basic] = field(default_factory=dict)
    # Optional network drawing: {"layers": [["x_1", "x_2"], ["h_1", "h_2"], ["o_1", "o_2"]],
    # "edges": [("x_1", "h_1", "w_1"), ...], "values": {"w_1": Rational, ...},
    # optional "biases": {"h_1": "b_1", ...} (the bias name of a node) and
    # optional "targets": {"o_1": "t_1", ...} (the target name of an output node)}
    # (see generator/figures.py); or a plot, generator.plots.Plot, drawn with matplotlib
    # only when a sheet is written (the student's and the key's may differ)
    figure: Optional[Any] = None
    # Anything else a family wants its renderer-neutral key to say at the end.
    remarks: List[Text] = field(default_factory=list)
    # The classic wrong computations of its questions (``Mistake``), for chainrule check:
    # a function giving them, called on first use of ``mistakes`` (generating a sheet never
    # pays for them; checking and practice sheets do).
    make_mistakes: Optional[Callable[[], List[Mistake]]] = field(default=None, repr=False, compare=False)

    @property
    def mistakes(self) -> List[Mistake]:
        made = self.__dict__.get("_mistakes")
        if made is None:
            made = list(self.make_mistakes()) if self.make_mistakes is not None else []
            self.__dict__["_mistakes"] = made
        return made


def asked_steps(steps: List[Step], questions: List[Question]) -> Dict[str, str]:
    """The step each number or integer question asks: the step of its own name, else the
    step whose value it is (regularization's w_new asks the step w_1,2^+). Named mistakes
    and carried-forward checking follow the steps through this."""
    named = {s.name for s in steps if s.formula is not None and s.value is not None}
    out = {}
    for q in questions:
        if q.kind == "choice":
            continue
        if q.key in named:
            out[q.key] = q.key
            continue
        found = [s.name for s in steps if s.formula is not None and s.value is q.answer]
        if found:
            out[q.key] = found[-1]
    return out
