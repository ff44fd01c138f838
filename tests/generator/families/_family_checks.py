"""Checks shared by the tests of the problem families built on ``families._key``: building
a variant, bilingual prose with matching slots, every step true in order, answers equal to
solutions/, determinism."""

import re

import numpy as np
import sympy as sp

from generator.model import Num, Text

HANGUL = re.compile("[\uac00-\ud7a3]")
SLOT = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def build(module, seed):
    params = module.sample(np.random.default_rng(seed))
    return params, module.solve(params)


def texts(problem):
    """Every Text of a problem, with where it sits."""
    yield "title", problem.title
    for i, t in enumerate(problem.intro):
        yield f"intro[{i}]", t
    for g in problem.givens:
        if g.label is not None:
            yield f"given {g.name}", g.label
    for q in problem.questions:
        yield f"question {q.key}", q.prompt
        for c, t in (q.choices or {}).items():
            yield f"choice {q.key}.{c}", t
    for s in problem.steps:
        if s.note is not None:
            yield f"step {s.name}", s.note
    for i, t in enumerate(problem.remarks):
        yield f"remark[{i}]", t


def assert_bilingual(problem):
    for where, text in texts(problem):
        assert isinstance(text, Text), where
        assert text.en.strip() and text.ko.strip(), where
        assert "[" not in text.en and "[" not in text.ko, f"{where}: unfilled word in {text}"
        if SLOT.sub("", text.ko).strip(" .,:;()"):
            assert HANGUL.search(text.ko), f"{where}: Korean prose without Hangul: {text.ko!r}"
        assert set(SLOT.findall(text.en)) == set(SLOT.findall(text.ko)) == set(text.slots), where
        for value in text.slots.values():
            assert isinstance(value, (sp.Basic, Num, str, int)), where
        text.en.format(**text.slots)
        text.ko.format(**text.slots)


def values_of(problem):
    values = {}
    for g in problem.givens:
        values[sp.Symbol(g.name)] = sp.sympify(g.value)
    for s in problem.steps:
        if s.value is not None:
            values[sp.Symbol(s.name)] = sp.sympify(s.value)
    return values


def assert_steps_true(problem):
    """Each step's formula uses only givens and earlier steps, and substituting their values
    gives the step's value."""
    known = {sp.Symbol(g.name): sp.sympify(g.value) for g in problem.givens}
    names = [g.name for g in problem.givens] + [s.name for s in problem.steps if s.value is not None]
    assert len(names) == len(set(names)), "duplicate names"
    for s in problem.steps:
        if s.formula is None:
            assert s.note is not None, f"step {s.name} has neither formula nor note"
            continue
        assert s.formula.free_symbols <= set(known), f"step {s.name} uses later or unknown names"
        got = sp.N(s.formula.xreplace(known), 30)
        want = sp.N(s.value, 30)
        assert got.is_number and want.is_number, s.name
        assert abs(got - want) <= sp.Float("1e-25") * (1 + abs(want)), (s.name, got, want)
        known[sp.Symbol(s.name)] = sp.sympify(s.value)


def assert_answers_match_reference(problem, rtol=1e-9, atol=1e-12):
    assert problem.questions, "no questions"
    keys = [q.key for q in problem.questions]
    assert len(keys) == len(set(keys)), "duplicate question keys"
    for q in problem.questions:
        if q.kind == "number":
            exact = float(sp.N(q.answer, 30))
            assert q.reference is not None and np.isfinite(q.reference), q.key
            assert abs(exact - q.reference) <= atol + rtol * abs(exact), (q.key, exact, q.reference)
        elif q.kind == "integer":
            assert isinstance(q.answer, int) and not isinstance(q.answer, bool), q.key
            assert q.answer == q.reference, (q.key, q.answer, q.reference)
        else:
            assert q.kind == "choice", q.key
            assert q.answer in q.choices and len(q.choices) >= 2, q.key


def assert_problem_sound(problem):
    assert_bilingual(problem)
    assert_steps_true(problem)
    assert_answers_match_reference(problem)


def assert_deterministic(module, seed):
    p1, a = build(module, seed)
    p2, b = build(module, seed)
    assert repr(p1) == repr(p2)
    assert repr(a) == repr(b)


def close(value, exact, digits=25):
    """``value`` (exact or a 40-digit Float) equals the exact ``exact`` to ``digits`` digits."""
    exact = sp.N(exact, 40)
    return abs(sp.N(value, 40) - exact) <= sp.Float(10) ** (-digits) * (1 + abs(exact))
