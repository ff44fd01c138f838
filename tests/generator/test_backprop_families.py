"""Families 1-4 (forward pass, output update, hidden update, training step) and the
worked-example preset, against the seed notes' printed numbers and sympy's own
differentiation of the whole network (an oracle independent of the families' chain rule).
"""

import importlib

import pytest
import sympy as sp

from generator.core import make_problem, variant_rng
from generator.families import _backprop as bp
from generator.numbers import format_number
from generator.presets import load
from generator.render import render_sheet

R = sp.Rational

# The seed notes (002, 4. 역전파) and the classic continuation of that example.
SEED_NUMBERS = {
    "z_1": "0.08", "z_2": "0.11",
    "h_1": "0.51998934", "h_2": "0.52747230",
    "z_3": "0.44498412", "z_4": "0.68047592",
    "o_1": "0.60944600", "o_2": "0.66384491",
    "E_1": "0.02193381", "E": "0.02397190",
    "dE_dw_5": "0.02592286",
    "w_5_new": "0.43703857", "w_6_new": "0.38685205", "w_7_new": "0.69629578", "w_8_new": "0.59624247",
    "w_1_new": "0.29959556", "w_2_new": "0.24919112", "w_3_new": "0.39964496", "w_4_new": "0.34928991",
}


def worked(family):
    for name, params in load("worked-example"):
        if name == family:
            return make_problem(name, 0, "worked-example", params=params, variant="worked-example")
    raise KeyError(family)


def values(problem):
    return {s.name: s.value for s in problem.steps if s.value is not None}


def test_worked_example_reproduces_every_number_the_seed_prints():
    shown = {name: format_number(v) for name, v in values(worked("training_step")).items()}
    for name, text in SEED_NUMBERS.items():
        assert shown[name] == text, name
    # E_2 is below 0.01, so it gets 8 significant digits (the seed rounds it to 0.00203809)
    assert shown["E_2"] == "0.0020380862"
    assert round(float(values(worked("training_step"))["E_2"]), 8) == 0.00203809


def test_worked_example_three_factors_of_dE_dw5():
    v = {n: format_number(x) for n, x in values(worked("output_update")).items()}
    assert (v["dE_do_1"], v["do_1_dz_3"], v["dz_3_dw_5"]) == ("0.20944600", "0.23802157", "0.51998934")
    assert v["dE_dw_5"] == "0.02592286" and v["w_5_new"] == "0.43703857"


def test_worked_example_error_goes_down_after_the_step():
    v = values(worked("training_step"))
    assert v["E_new"] < v["E"]
    assert format_number(v["E_new"]) == "0.02323634"


def test_worked_example_hidden_update_goes_through_both_outputs():
    problem = worked("hidden_update")
    step = next(s for s in problem.steps if s.name == "dE_dh_1")
    assert {s.name for s in step.formula.free_symbols} == {"dE_dz_3", "dE_dz_4", "w_5", "w_7"}
    assert format_number(values(problem)["w_1_new"]) == "0.29959556"


def test_worked_example_key_shows_the_seed_numbers_in_every_format():
    problems = [make_problem(f, 0, "x", params=p, variant="worked-example") for f, p in load("worked-example")]
    keys = [f"p{i + 1}_{f}" for i, (f, _p) in enumerate(load("worked-example"))]
    for fmt in ("md", "html", "tex"):
        text = render_sheet("key", problems, keys, fmt, "en", {"id": "x"}, 0)
        for number in SEED_NUMBERS.values():
            assert number in text, (fmt, number)


def test_worked_example_key_puts_the_numbers_into_each_formula_as_the_seed_does():
    problems = [make_problem(f, 0, "x", params=p, variant="worked-example") for f, p in load("worked-example")]
    md = render_sheet("key", problems[:2], ["p1", "p2"], "md", "en", {"id": "x"}, 0)
    # seed: z1 = 0.03 + 0.05 = 0.08 (the products written out), h1 = sigmoid(z1) = 0.51998934
    assert r"$z_{1} = w_{1} x_{1} + w_{2} x_{2} = 0.3 \cdot 0.1 + 0.25 \cdot 0.2 = 0.08$" in md
    assert r"$h_{1} = \sigma\left(z_{1}\right) = \sigma\left(0.08\right) = 0.51998934$" in md
    assert (
        r"= \frac{\partial E}{\partial o_{1}} \frac{\partial o_{1}}{\partial z_{3}} \frac{\partial z_{3}}{\partial w_{5}}"
        r" = 0.20944600 \cdot 0.23802157 \cdot 0.51998934 = 0.02592286$"
    ) in md
    assert r"$w^{+}_{5} = w_{5} - \eta \frac{\partial E}{\partial w_{5}} = 0.45 - 0.5 \cdot 0.02592286 = 0.43703857$" in md
    html = render_sheet("key", problems[:1], ["p1"], "html", "en", {"id": "x"}, 0)
    assert '<mi>&#963;</mi><mrow><mo stretchy="false">(</mo><mn>0.08</mn><mo stretchy="false">)</mo></mrow>' in html


def test_worked_example_negative_numbers_are_parenthesised_when_put_in():
    from generator.render import get_format, step_line
    from generator.model import Step
    from generator.notation import terms

    step = Step("d", terms(sp.Symbol("a"), -sp.Symbol("b")), R(7, 10))
    line = step_line(get_format("md"), step, {}, {"a": R(1, 2), "b": R(-1, 5)})
    assert line == r"$d = a - b = 0.5 - \left(-0.2\right) = 0.7$"


def test_worked_example_training_step_remarks_that_the_error_went_down():
    problem = worked("training_step")
    md = render_sheet("key", [problem], ["p4"], "md", "en", {"id": "x"}, 0)
    assert "lowered the error from $0.02397190$ to $0.02323634$" in md
    ko = render_sheet("key", [problem], ["p4"], "md", "ko", {"id": "x"}, 0)
    assert "전체 오차가 $`0.02397190`$에서 $`0.02323634`$로 감소했다" in ko
    assert "시그모이드 함수의 미분" in ko


# --- an independent oracle: sympy differentiates the whole network ----------------------

def symbolic_error(net):
    """E as an explicit sympy expression of every parameter (exp, not the sigma helper)."""
    s = lambda name: sp.Symbol(name)  # noqa: E731
    sig = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    h = []
    for j in net.hidden:
        z = sum(s(net.w_hidden(j, i)) * s(net.x(i)) for i in net.inputs)
        if net.bias:
            z += s(net.b_hidden(j))
        h.append(sig(z))
    error = 0
    for k in net.outputs:
        z = sum(s(net.w_out(k, j)) * h[j - 1] for j in net.hidden)
        if net.bias:
            z += s(net.b_out(k))
        error += R(1, 2) * (s(net.t(k)) - sig(z)) ** 2
    return error


def exact_inputs(problem):
    return {sp.Symbol(g.name): g.value for g in problem.givens}


@pytest.mark.parametrize("family", ["output_update", "hidden_update", "training_step"])
def test_backprop_gradients_match_sympy_differentiation(family):
    module = importlib.import_module(f"generator.families.{family}")
    for student in [f"grad-{i}" for i in range(8)]:
        problem = make_problem(family, 99, student)
        net = module.sample(variant_rng(99, student, family))["net"]
        error = symbolic_error(net)
        subs = exact_inputs(problem)
        v = values(problem)
        grads = [n for n in v if n.startswith("dE_d") and n[4:] in net.parameters()]
        assert grads
        for name in grads:
            expected = sp.diff(error, sp.Symbol(name[4:])).xreplace(subs).evalf(40)
            assert abs(expected - v[name]) < sp.Float("1e-30"), (student, name)


@pytest.mark.parametrize("family", ["forward_pass", "output_update", "hidden_update", "training_step"])
def test_backprop_variants_differ_in_structure_not_only_numbers(family):
    module = importlib.import_module(f"generator.families.{family}")
    shapes = set()
    for i in range(60):
        params = module.sample(variant_rng(5, f"s{i}", family))
        shapes.add((params["net"].label, params["net"].bias, params.get("asked"), params.get("unit")))
    assert len({s[0] for s in shapes}) >= 3
    assert len(shapes) >= 8


def test_backprop_weight_names_follow_the_contract_mapping():
    net = bp.Net(2, 2, 2, bias=False)
    # CONTRACT.md: w1 = W1[0,0], w2 = W1[1,0], w3 = W1[0,1], w4 = W1[1,1], w5 = W2[0,0], ...
    assert [net.position(f"w_{i}") for i in range(1, 9)] == [
        ("W1", (0, 0)), ("W1", (1, 0)), ("W1", (0, 1)), ("W1", (1, 1)),
        ("W2", (0, 0)), ("W2", (1, 0)), ("W2", (0, 1)), ("W2", (1, 1)),
    ]


def test_backprop_training_step_error_decreases_in_every_variant():
    for i in range(30):
        v = values(make_problem("training_step", 11, f"s{i}"))
        assert v["E_new"] < v["E"]
