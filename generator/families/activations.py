"""Family 7: an activation function and its derivative at two points, and the vanishing
gradient through a chain of sigmoid layers.

Structure: the activation (sigmoid, tanh, ReLU, softplus), the depth n of the sigmoid chain,
and whether the chain's weights are all 1 or differ. Part (a) evaluates the activation at one
positive and one negative input. Part (b) is the chain h_0 = x, z_l = w_l h_(l-1),
h_l = sigma(z_l): by the chain rule dh_n/dx = prod w_l sigma'(z_l), and since
sigma' <= 1/4 the gradient shrinks at least like (1/4)^n when the weights are small.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, fill, grid
from generator.notation import Below, sym
from generator.model import Problem, Question, Text
from generator.notation import chain, sigma
from generator.plots import plot
from solutions import activations as ref

class IndexRange(sp.Expr):
    """``l = 1, ..., n``: an index running over 1 to n, as math in every format (not prose)."""

    is_commutative = True

    def __new__(cls, index, last):
        return sp.Expr.__new__(cls, index, sp.Integer(1), sp.sympify(last))

    def _latex(self, printer, exp=None):
        index, first, last = (printer._print(arg) for arg in self.args)
        return r"%s = %s, \ldots, %s" % (index, first, last)

    def _mathml_presentation(self, printer):
        row = printer.dom.createElement("mrow")
        index, first, last = self.args
        # "1, …, 5" spaced as LaTeX's 1, \ldots, 5 (an operator … gets a browser's operator spacing)
        for part in (printer._print(index), "=", printer._print(first), ",", "\u2026", ",", printer._print(last)):
            if isinstance(part, str):
                node = printer.dom.createElement("mi" if part == "\u2026" else "mo")
                node.appendChild(printer.dom.createTextNode(part))
                if part == ",":
                    node.setAttribute("separator", "true")
                    node.setAttribute("rspace", "0.2em")
                elif part == "\u2026":
                    node.setAttribute("mathvariant", "normal")
                part = node
            row.appendChild(part)
        return row

    def _sympystr(self, printer):
        index, first, last = (printer._print(arg) for arg in self.args)
        return "%s = %s, ..., %s" % (index, first, last)


ReLU = sp.Function("ReLU")
softplus = sp.Function("softplus")

# name -> (shown function, value formula, derivative formula in the input x and the value a)
ACTIVATIONS = {
    "sigmoid": (sigma, lambda x, a: sigma(x), lambda x, a: a * (1 - a)),
    "tanh": (sp.tanh, lambda x, a: sp.tanh(x), lambda x, a: 1 - a**2),
    "relu": (ReLU, lambda x, a: sp.Max(0, x), lambda x, a: Below(0, x)),
    "softplus": (softplus, lambda x, a: sp.log(1 + sp.exp(x)), lambda x, a: sigma(x)),
}
LABELS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "softplus": "softplus"}
NAMES = {
    "sigmoid": Text("sigmoid", "시그모이드 함수"),
    "tanh": Text("hyperbolic tangent (tanh)", "하이퍼볼릭 탄젠트(tanh)"),
    "relu": Text("ReLU", "렐루(ReLU)"),
    "softplus": Text("softplus", "소프트플러스"),
}
_X = sym("x")
DERIVATIVE_NOTES = {
    "sigmoid": Text("the derivative of the sigmoid: {rule}", "시그모이드 함수의 미분: {rule}",
                    {"rule": sp.Eq(sp.Derivative(sigma(_X), _X), chain(sigma(_X), 1 - sigma(_X)), evaluate=False)}),
    "tanh": Text("the derivative of tanh: {rule}", "tanh의 미분: {rule}",
                 {"rule": sp.Eq(sp.Derivative(sp.tanh(_X), _X), 1 - sp.tanh(_X) ** 2, evaluate=False)}),
    "relu": Text("{b} is 1 for a positive input, else 0", "{b}는 입력이 양수이면 1, 아니면 0",
                 {"b": Below(0, sym("x"))}),
    "softplus": Text("the derivative of softplus is the sigmoid", "소프트플러스의 미분은 시그모이드 함수이다"),
}
DEPTHS = (3, 4, 5, 6)
CHOICES = {
    "sigmoid": Text("sigmoid", "시그모이드"),
    "tanh": Text("tanh", "하이퍼볼릭 탄젠트(tanh)"),
    "relu": Text("ReLU", "렐루(ReLU)"),
}


@lru_cache(maxsize=None)
def _template(activation, n):
    """Formulas of part (a) at x_1, x_2 and of part (b) for a chain of depth n."""
    _shown, value, derivative = ACTIVATIONS[activation]
    part_a = []
    for i in (1, 2):
        x, a = sym(f"x_{i}"), sym(f"f_{i}")
        part_a += [(f"f_{i}", value(x, a)), (f"df_{i}", derivative(x, a))]
    part_b = []
    for layer in range(1, n + 1):
        previous = sym("x") if layer == 1 else sym(f"h_{layer - 1}")
        part_b += [(f"z_{layer}", sym(f"w_{layer}") * previous),
                   (f"h_{layer}", sigma(sym(f"z_{layer}"))),
                   (f"d_{layer}", sym(f"h_{layer}") * (1 - sym(f"h_{layer}")))]
    weights = [sym(f"w_{layer}") for layer in range(1, n + 1)]
    factors = [f for layer in range(1, n + 1) for f in (sym(f"w_{layer}"), sym(f"d_{layer}"))]
    part_b += [("G", sp.Mul(*factors, evaluate=False)),
               ("B", sp.Mul(*[sp.Abs(w) for w in weights]) / 4**n)]
    return tuple(part_a), tuple(part_b)


def sample(rng) -> dict:
    n = choose(rng, DEPTHS)
    unit = bool(rng.integers(2))
    return {
        "activation": choose(rng, tuple(ACTIVATIONS)),
        "x_1": choose(rng, grid("0.1", "3", "0.1")),
        "x_2": -choose(rng, grid("0.1", "3", "0.1")),
        "x": choose(rng, grid("-2", "2", "0.1")),
        "weights": [sp.Integer(1)] * n if unit else [choose(rng, grid("-2", "2", "0.25")) for _ in range(n)],
    }


def _reference(params):
    name = params["activation"]
    f, df = getattr(ref, name), getattr(ref, f"{name}_derivative")
    out = {}
    for i in (1, 2):
        x = np.float64(params[f"x_{i}"])
        out[f"f_{i}"], out[f"df_{i}"] = float(f(x)), float(df(x))
    h, gradient = np.float64(params["x"]), 1.0
    for w in params["weights"]:
        z = np.float64(w) * h
        h = ref.sigmoid(z)
        gradient *= float(w) * float(ref.sigmoid_derivative(z))
    out["G"] = gradient
    out["B"] = float(np.prod(np.abs(np.array(params["weights"], dtype=float)))) / 4.0 ** len(params["weights"])
    return out


#: sigma'(z) <= 1/4 for every z: where the bound B comes from
_SIGMOID_BOUND = sp.Le(sp.Derivative(sigma(sym("z")), sym("z")), sp.Rational(1, 4))


def solve(params) -> Problem:
    activation, weights = params["activation"], params["weights"]
    n = len(weights)
    shown = ACTIVATIONS[activation][0]
    key = Key()
    key.given("x_1", params["x_1"], Text("inputs of part (a)", "(a)의 입력"))
    key.given("x_2", params["x_2"], Text("inputs of part (a)", "(a)의 입력"))
    key.given("x", params["x"], Text("input of the chain in part (b)", "(b)에서 사슬의 입력"))
    for layer, w in enumerate(weights, start=1):
        key.given(f"w_{layer}", w, Text("weights of the chain", "사슬의 가중치"))

    part_a, part_b = _template(activation, n)
    key.statement("part_a", fill(Text("(a) the [f] activation and its derivative", "(a) [f]와 그 도함수"), f=NAMES[activation]))
    for name, formula in part_a:
        key.step(name, formula, DERIVATIVE_NOTES[activation] if name == "df_1" else None)
    key.statement("part_b", Text("(b) the gradient through {n} sigmoid layers",
                                 "(b) 시그모이드 층 {n}개를 지나는 기울기", {"n": n}))
    for name, formula in part_b:
        note = None
        if name == "G":
            note = Text("chain rule: the product of every layer's weight and sigmoid derivative",
                        "연쇄법칙: 각 층의 가중치와 시그모이드 미분의 곱")
        elif name == "B":
            note = Text("the bound from a sigmoid's derivative being at most {q}; no input makes every "
                        "derivative {q} at once, so the gradient itself always stays below it",
                        "시그모이드 함수의 미분이 {q} 이하라는 데서 나오는 상한. 모든 미분값이 동시에 {q}가 되는 "
                        "입력은 없으므로 실제 기울기는 늘 이보다 작다", {"q": sp.Rational(1, 4)})
        key.step(name, formula, note)

    display = {}
    for i in (1, 2):
        x = sym(f"x_{i}")
        display[f"f_{i}"] = shown(x)
        display[f"df_{i}"] = sp.Derivative(shown(x), x)
    display["G"] = sp.Derivative(sym(f"h_{n}"), sym("x"))

    reference = _reference(params)
    questions = []
    for i in (1, 2):
        questions.append(Question(key=f"f_{i}", answer=key[f"f_{i}"], reference=reference[f"f_{i}"],
                                  prompt=Text("the value {f}", "함숫값 {f}", {"f": sym(f"f_{i}")})))
        questions.append(Question(key=f"df_{i}", answer=key[f"df_{i}"], reference=reference[f"df_{i}"],
                                  prompt=Text("the derivative {df}", "미분값 {df}", {"df": sym(f"df_{i}")})))
    questions += [
        Question(key="G", answer=key["G"], reference=reference["G"],
                 prompt=Text("the gradient {G} of the chain's output with respect to its input",
                             "사슬의 입력에 대한 출력의 기울기 {G}", {"G": sym("G")})),
        Question(key="B", answer=key["B"], reference=reference["B"],
                 prompt=Text("the bound {B} on the size of this gradient for these weights that follows from "
                             "{rule} (the product of the weights' sizes and of {q} per layer)",
                             "{rule}에서 나오는, 이 가중치에서의 기울기 크기의 상한 {B}(가중치 크기의 곱에 층마다 "
                             "{q}를 곱한 값)",
                             {"B": sym("B"), "rule": _SIGMOID_BOUND, "q": sp.Rational(1, 4)})),
        Question(key="deep_choice", kind="choice", answer="relu", choices=dict(CHOICES),
                 prompt=Text("Which activation for the hidden layers keeps the gradient from vanishing in a deep "
                             "network?",
                             "깊은 신경망에서 기울기 소실을 막기 위해 은닉층에 쓰는 활성화 함수는 무엇인가?")),
    ]
    layers = sp.Eq(sym("z_l"), sym("w_l") * sym("h_l-1"), evaluate=False)
    intro = [
        fill(Text("(a) For the [f] activation, compute {f1} and its derivative {df1} at {x1}, and the same at {x2}.",
                  "(a) [f]에 대해 {x1}에서의 함숫값 {f1}과 미분값 {df1}을 구하고, {x2}에서도 같은 값을 구하시오.",
                  {"f1": shown(sym("x_1")), "df1": display["df_1"], "x1": sym("x_1"), "x2": sym("x_2")}),
             f=NAMES[activation]),
        Text("(b) A chain of {n} layers with one sigmoid unit each takes the input {x}: with {h0}, "
             "{zl} and {hl} for {l} (no biases).",
             "(b) 뉴런이 하나씩인 시그모이드 층 {n}개가 사슬처럼 이어져 입력 {x}를 받는다. {h0}이고 "
             "{l}에 대해 {zl}, {hl}이다(편향 없음).",
             {"n": n, "x": sym("x"), "h0": sp.Eq(sym("h_0"), sym("x"), evaluate=False), "zl": layers,
              "hl": sp.Eq(sym("h_l"), sigma(sym("z_l")), evaluate=False), "l": IndexRange(sym("l"), n)}),
        Text("Compute the gradient {G} by the chain rule, and the bound {B} on its size that {rule} gives for "
             "these weights (an upper limit: for every input the gradient's size stays below it).",
             "연쇄법칙으로 기울기 {G}를 구하고, {rule}에서 나오는 이 가중치에서의 기울기 크기의 상한 {B}를 "
             "구하시오(상한: 어떤 입력에서도 기울기의 크기는 이 값보다 작다).",
             {"G": display["G"], "B": sym("B"), "rule": _SIGMOID_BOUND}),
    ]
    if activation == "softplus":    # the key writes log(1 + e^x): which logarithm, said once
        definition = sp.Eq(softplus(sym("x")), sp.log(1 + sp.exp(sym("x"))), evaluate=False)
        intro.insert(1, Text("Here {d}, with log the natural logarithm (base e).",
                             "여기서 {d}이고, log는 자연로그(밑 e)이다.", {"d": definition}))
    remarks = [Text(
        "Every sigmoid layer multiplies the gradient by its weight and by a derivative of at most 1/4, so the "
        "gradient that reaches the first layers shrinks exponentially with depth: the vanishing gradient. ReLU's "
        "derivative is 1 for positive inputs, so it passes the gradient on unchanged.",
        "시그모이드 층마다 기울기에 가중치와 최대 1/4인 미분값이 곱해지므로, 첫 층까지 전달되는 기울기는 층이 깊어질수록 "
        "지수적으로 작아진다(기울기 소실). 렐루는 양수 입력에서 미분값이 1이므로 기울기를 그대로 전달한다.")]
    return Problem(family="", variant="",
                   title=fill(Text("Activations: the [f] activation and the vanishing gradient", "활성화 함수: [f]와 기울기 소실"),
                              f=NAMES[activation]),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps,
                   display=display, remarks=remarks,
                   make_mistakes=lambda: alternatives(key, questions, MISTAKES),
                   figure=plot("activation", {"name": activation, "label": LABELS[activation],
                                              "name_en": NAMES[activation].en, "name_ko": NAMES[activation].ko,
                                              "points": (float(params["x_1"]), float(params["x_2"]))}))


def _twice(name, formula):
    """sigma' applied twice: every layer's sigmoid derivative squared in the chain."""
    if name != "G":
        return formula
    return formula.replace(lambda e: e.is_Symbol and e.name.startswith("d_"), lambda e: e ** 2)


def _no_weights(name, formula):
    if name != "G":
        return formula
    return formula.replace(lambda e: e.is_Symbol and e.name.startswith("w_"), lambda e: sp.Integer(1))


MISTAKES = (
    ("sigmoid_derivative_twice", ("this is what you get if you apply each layer's sigmoid derivative twice",
                                  "층마다 시그모이드 함수의 미분을 두 번 곱하면 나오는 값이다"), _twice),
    ("no_weights", ("this is what you get if you leave out the weights: each layer contributes its weight times its "
                    "sigmoid derivative",
                    "가중치를 빠뜨리면 나오는 값이다: 층마다 가중치와 시그모이드 함수의 미분을 곱한다"), _no_weights),
)
