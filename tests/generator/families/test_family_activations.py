import math

import pytest
import sympy as sp

from _family_checks import build, close
from generator.families import activations as family

R = sp.Rational


def _answers(activation, x_1="0.5", x_2="-1.5", x="0.5", weights=(1, 1, 1)):
    params = {"activation": activation, "x_1": R(x_1), "x_2": R(x_2), "x": R(x),
              "weights": [R(w) for w in weights]}
    return {q.key: q.answer for q in family.solve(params).questions}


def test_activations_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["activation"] for p in params} == set(family.ACTIVATIONS)
    assert {len(p["weights"]) for p in params} == set(family.DEPTHS)
    assert {all(w == 1 for w in p["weights"]) for p in params} == {True, False}


def _sigmoid(x):
    return 1 / (1 + sp.exp(-x))


@pytest.mark.parametrize("activation, f, df", [
    ("sigmoid", _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    ("tanh", sp.tanh, lambda x: 1 / sp.cosh(x) ** 2),
    ("softplus", lambda x: sp.log(1 + sp.exp(x)), _sigmoid),
])
def test_activations_values_match_sympy_and_its_derivative(activation, f, df):
    z = sp.Symbol("z")
    answers = _answers(activation)
    for i, x in ((1, R("0.5")), (2, R("-1.5"))):
        assert close(answers[f"f_{i}"], f(x))
        assert close(answers[f"df_{i}"], sp.diff(f(z), z).subs(z, x))
        assert close(answers[f"df_{i}"], df(x))


def test_activations_relu_is_identity_or_zero():
    answers = _answers("relu", x_1="0.7", x_2="-0.7")
    assert (answers["f_1"], answers["df_1"], answers["f_2"], answers["df_2"]) == (R("0.7"), 1, 0, 0)


def test_activations_chain_gradient_matches_finite_difference():
    weights = (R("1.5"), R("-0.75"), R("2"), R("0.5"))

    def chain(x):
        h = x
        for w in weights:
            h = 1 / (1 + math.exp(-float(w) * h))
        return h

    answers = _answers("tanh", x="0.3", weights=weights)
    step = 1e-6
    numeric = (chain(0.3 + step) - chain(0.3 - step)) / (2 * step)
    assert abs(float(answers["G"]) - numeric) < 1e-9
    assert answers["B"] == R("1.5") * R("0.75") * 2 * R("0.5") / 4**4
    assert abs(float(answers["G"])) < float(answers["B"])
    assert answers["deep_choice"] == "relu"


def test_activations_the_chain_is_one_sentence_with_its_range_as_math():
    # issue: "(b) ... with h_0 = x," then a new paragraph "z_l = ... for l = 1, ..., 5" in text font
    import re

    from generator.core import make_problem
    from generator.render import render_sheets

    problem = make_problem("activations", 1, "s1")
    depth = sum(1 for g in problem.givens if re.fullmatch(r"w_\d+", g.name))
    expected = {
        ("md", "en"): rf"with $h_{{0}} = x$, $z_{{l}} = h_{{l-1}} w_{{l}}$ and $h_{{l}} = \sigma\left(z_{{l}}\right)$ "
                      rf"for $l = 1, \ldots, {depth}$ (no biases).",
        ("tex", "en"): rf"with $h_{{0}} = x$, $z_{{l}} = h_{{l-1}} w_{{l}}$ and $h_{{l}} = \sigma\left(z_{{l}}\right)$ "
                       rf"for $l = 1, \ldots, {depth}$ (no biases).",
        ("tex", "ko"): rf"$h_{{0}} = x$이고 $l = 1, \ldots, {depth}$에 대해 $z_{{l}} = h_{{l-1}} w_{{l}}$, "
                       rf"$h_{{l}} = \sigma\left(z_{{l}}\right)$이다(편향 없음).",
        ("md", "ko"): rf"$`h_{{0}} = x`$이고 $`l = 1, \ldots, {depth}`$에 대해 $`z_{{l}} = h_{{l-1}} w_{{l}}`$, "
                      rf"$`h_{{l}} = \sigma\left(z_{{l}}\right)`$이다(편향 없음).",
    }
    for (fmt, lang), sentence in expected.items():
        for text in render_sheets([problem], ["p1"], fmt, lang, {"id": "x"}, 1).values():
            line = next(line for line in text.splitlines() if line.startswith("(b)"))
            assert line.endswith(sentence), (fmt, lang, line)
            assert "l = 1, ..." not in text  # never as prose
    html = render_sheets([problem], ["p1"], "html", "en", {"id": "x"}, 1)["worksheet"]
    line = next(line for line in html.splitlines() if "(b) A chain" in line)
    assert line.endswith(f'<mi>l</mi><mo>=</mo><mn>1</mn><mo separator="true" rspace="0.2em">,</mo>'
                         f'<mi mathvariant="normal">&#8230;</mi><mo separator="true" rspace="0.2em">,</mo>'
                         f'<mn>{depth}</mn></mrow></mrow></math> (no biases).</p>')
