"""Contract tests over the whole family registry (every family, including future ones).

Oracles: a step's formula re-evaluated by sympy's own evalf (not the generator's compiled
evaluation), the float64 recomputation through solutions/, and XML/HTML parsers.
"""

import html.parser
import math
import re
import xml.etree.ElementTree as ET

import jinja2
import pytest
import sympy as sp

from generator import registry
from generator.core import make_problem
from generator.render import FORMATS, environment, render_sheet

FAMILIES = sorted(registry.FAMILIES)
SEED = 314
STUDENTS = [f"s{i:03d}" for i in range(200)]
HANGUL = re.compile("[\uac00-\ud7a3]")


def signature(problem):
    return (
        tuple((g.name, str(g.value)) for g in problem.givens),
        tuple(q.key for q in problem.questions),
        tuple(str(q.answer) for q in problem.questions),
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_family_same_seed_and_student_give_the_same_problem(family):
    a = make_problem(family, SEED, "alice")
    b = make_problem(family, SEED, "alice")
    assert a.variant == b.variant
    assert signature(a) == signature(b)
    assert render_sheet("key", [a], ["p1"], "md", "en", {"id": "alice"}, SEED) == render_sheet(
        "key", [b], ["p1"], "md", "en", {"id": "alice"}, SEED
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_family_different_students_get_different_problems(family):
    signatures = [signature(make_problem(family, SEED, sid)) for sid in STUDENTS[:12]]
    assert len(set(signatures)) == len(signatures)


@pytest.mark.parametrize("family", FAMILIES)
def test_family_different_course_seeds_give_different_problems(family):
    assert signature(make_problem(family, 1, "alice")) != signature(make_problem(family, 2, "alice"))


def _check_steps(problem):
    known = {g.name: sp.sympify(g.value) for g in problem.givens}
    checked = 0
    for step in problem.steps:
        if step.formula is None or step.value is None:
            assert step.note is not None, f"step {step.name} has neither a formula nor a note"
            if step.value is not None:
                known[step.name] = sp.sympify(step.value)
            continue
        formula = sp.sympify(step.formula)
        missing = [s.name for s in formula.free_symbols if s.name not in known]
        assert not missing, f"step {step.name} uses {missing}: neither given nor an earlier step"
        value = formula.xreplace({s: known[s.name] for s in formula.free_symbols}).evalf(50)
        expected = sp.sympify(step.value).evalf(50)
        assert abs(value - expected) <= sp.Float("1e-25") * max(1, abs(expected)), (
            f"{problem.family} {problem.variant}: step {step.name} = {step.formula} gives {value}, "
            f"the key shows {expected}"
        )
        known[step.name] = sp.sympify(step.value)
        checked += 1
    return checked


@pytest.mark.parametrize("family", FAMILIES)
def test_family_every_step_of_the_key_is_true(family):
    checked = 0
    for sid in STUDENTS[:25]:
        checked += _check_steps(make_problem(family, SEED, sid))
    assert checked > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_family_sympy_answers_equal_solutions_float64_over_200_variants(family):
    numeric = 0
    for sid in STUDENTS:
        problem = make_problem(family, SEED, sid)  # raises on any disagreement
        for q in problem.questions:
            if q.kind == "choice":
                assert q.answer in q.choices
                continue
            exact = float(sp.sympify(q.answer).evalf(30))
            assert math.isclose(exact, float(q.reference), rel_tol=1e-9, abs_tol=1e-12), (sid, q.key)
            numeric += 1
    assert numeric >= 200


def test_family_templates_use_strict_undefined():
    assert environment().undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ missing }}").render()


class _Balanced(html.parser.HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self):
        super().__init__()
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_family_renders_in_every_format_and_language(family, lang):
    problem = make_problem(family, SEED, "renderer")
    for fmt in FORMATS:
        for kind in ("worksheet", "key"):
            text = render_sheet(kind, [problem], ["p1_" + family], fmt, lang, {"id": "renderer", "name": ""}, SEED)
            assert text.endswith("\n")
            assert problem.variant in text
            if lang == "ko":
                assert HANGUL.search(text)
            if fmt == "html":
                root = ET.fromstring(text.replace("<!DOCTYPE html>", "", 1))
                assert root.tag == "{http://www.w3.org/1999/xhtml}html"
                maths = root.iter("{http://www.w3.org/1998/Math/MathML}math")
                assert next(maths, None) is not None
                parser = _Balanced()
                parser.feed(text)
                parser.close()
                assert parser.stack == []
            if fmt == "tex":
                assert text.count("\\begin{") == text.count("\\end{")
                depth = 0
                for char in re.sub(r"\\[{}$%&#_]", "", text):  # escaped braces do not count
                    depth += {"{": 1, "}": -1}.get(char, 0)
                    assert depth >= 0
                assert depth == 0
                body = re.sub(r"\\\$", "", text)
                assert body.count("$") % 2 == 0  # every inline formula is closed
            if kind == "key":
                for q in problem.questions:
                    assert q.key.replace("_", "\\_" if fmt == "tex" else "_") in text
