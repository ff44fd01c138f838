"""What five families' sheets say, rendered through the public functions: one meaning per symbol
(sigma the sigmoid, w a network weight), the loss's coefficient, a plot label in one notation,
the hidden delta in one order, the course notes' Korean terms, whole Korean questions."""

import math
import re
from html import unescape

import sympy as sp

from generator import plots
from generator.core import make_problem
from generator.families import early_stopping, initialization, learning_rate, loss_values, regularization
from generator.render import render_sheets

R = sp.Rational


def _sheets(problem, lang="en", fmt="md"):
    """Worksheet and key; Markdown's GitHub-safe maths $`...`$ read as $...$."""
    made = render_sheets([problem], ["p1"], fmt, lang, {"id": "x"}, 1)
    return {name: text.replace("$`", "$").replace("`$", "$") for name, text in made.items() if isinstance(text, str)}


# --- learning rate ----------------------------------------------------------------------

def _quadratic(a, b, x0="1", eta="0.1"):
    return learning_rate.solve({"a": R(a), "b": R(b), "x_0": R(x0), "eta": R(eta), "k": 3, "eta_0": R("0.1"),
                                "decay": R("0.01"), "iterations": [10]})


def test_learning_rate_calls_a_the_loss_coefficient_not_its_curvature():
    problem = _quadratic("1.5", "0.5")
    en, ko = _sheets(problem, "en")["worksheet"], _sheets(problem, "ko")["worksheet"]
    assert "coefficient of the loss: $a = 1.5$" in en
    assert "손실 함수의 계수: $a = 1.5$" in ko
    assert "curvature" not in en and "곡률" not in ko  # f'' = 2a: a itself is no curvature


def _title(problem, lang):
    return plots.figure(problem.figure, lang, key=False).axes[0].title


def test_learning_rate_plot_label_writes_the_variants_numbers_into_the_loss():
    cases = {("1.5", "0.5", "0.3"): "f(x) = 1.5(x − 0.5)², learning rate η = 0.3",
             ("1", "-1", "0.2"): "f(x) = (x + 1)², learning rate η = 0.2",
             ("2.5", "0", "0.1"): "f(x) = 2.5x², learning rate η = 0.1",
             ("1", "0", "0.1"): "f(x) = x², learning rate η = 0.1"}
    for (a, b, eta), title in cases.items():
        problem = _quadratic(a, b, x0="1.5", eta=eta)
        assert _title(problem, "en") == title
        assert _title(problem, "ko") == title.replace("learning rate", "학습률")
    svg = unescape(plots.to_svg(_quadratic("1.5", "0.5", eta="0.3").figure, "en", False))
    assert "f(x) = 1.5(x − 0.5)²" in svg
    assert "(x − b)" not in svg  # no number times a symbol's bracket


# --- initialization -----------------------------------------------------------------------

def _init(distribution, outputs):
    return initialization.solve({"layer": (400, 200), "activation": "relu", "distribution": distribution,
                                 "hidden": 2, "outputs": outputs, "c_w": R("0.5"), "c_v": R("0.3"),
                                 "x": [R("0.4"), R("0.8")], "t": [R("0.9"), R("0.1")][:outputs]})


def test_initialization_standard_deviation_is_not_written_sigma_which_is_the_sigmoid():
    for lang in ("en", "ko"):
        sheets = _sheets(_init("normal", 1), lang)
        for text in sheets.values():
            assert r"\sigma_{" not in text and r"\sigma$" not in text and r"\sigma^" not in text
        assert r"$s_{Xavier}$" in sheets["worksheet"] and r"$s_{He}$" in sheets["worksheet"]
        assert r"the standard deviation $s$" in sheets["worksheet"] or r"표준 편차 $s$" in sheets["worksheet"]
        assert r"h_{1} = \sigma\left(z_{1}\right)" in sheets["key"]  # sigma means the sigmoid alone
        assert r"s_{Xavier} = \sqrt{\frac{2}{n_{in} + n_{out}}}" in sheets["key"]


def _delta_line(key, j):
    return next(line for line in key.splitlines() if line.startswith(rf"- $\delta^{{h}}_{{{j}}} = "))


def test_initialization_hidden_delta_reads_in_one_order_for_one_and_two_outputs():
    two = _delta_line(_sheets(_init("uniform", 2))["key"], 1)
    assert two.startswith(r"- $\delta^{h}_{1} = h_{1} \left(1 - h_{1}\right) \left(\delta^{o}_{1} v_{1,1} + "
                          r"\delta^{o}_{2} v_{1,2}\right) = ")
    one = _delta_line(_sheets(_init("uniform", 1))["key"], 1)
    assert one.startswith(r"- $\delta^{h}_{1} = h_{1} \left(1 - h_{1}\right) \delta^{o}_{1} v_{1,1} = ")
    # the numbers in the same order, and the value by hand
    h = 1 / (1 + math.exp(-0.5 * (0.4 + 0.8)))
    o = 1 / (1 + math.exp(-0.3 * 2 * h))
    delta_o = (o - 0.9) * o * (1 - o)
    numbers = one.split(" = ")[2]
    assert numbers.startswith(f"{h:.8f} \\cdot \\left(1 - {h:.8f}\\right) \\cdot ")
    value = float(one.split(" = ")[-1].rstrip("$"))
    assert math.isclose(value, h * (1 - h) * delta_o * 0.3, rel_tol=1e-7)


# --- early stopping -------------------------------------------------------------------------

def _early():
    return early_stopping.solve({"losses": [R(x) for x in ("1", "0.9", "0.85", "0.86", "0.87", "0.88", "0.89", "0.9")],
                                 "patience": 2, "min_delta": R("0.005"), "counts": [300, 100, 50]})


def test_early_stopping_class_weights_are_not_written_w():
    for lang, asked in (("en", r"the weight $\alpha_{0}$ of class 0"), ("ko", r"클래스 0의 가중치 $\alpha_{0}$")):
        sheets = _sheets(_early(), lang)
        assert asked in sheets["worksheet"]
        assert r"\alpha_{k} = \frac{N}{K n_{k}}" in sheets["worksheet"]
        for text in sheets.values():
            assert not re.search(r"\bw_\{", text), lang  # w is a network's weight on the rest of the sheet
        assert r"\alpha_{1} = \frac{N}{3 n_{1}} = \frac{450}{3 \cdot 100} = 1.5" in sheets["key"]


# --- regularization (Korean) ------------------------------------------------------------------

def _regularization(part):
    params = {"penalty": "l2", "W": [[R("0.5"), R("-1")], [R("0.2"), R("1.2")]], "entry": (1, 2),
              "lambda": R("0.01"), "eta": R("0.1"), "g": R("0.3"), "part": part}
    if part == "max_norm":
        params.update({"c": R(1), "V": [[R("1.2"), R("0.2")], [R("0.8"), R("0.4")]]})
    else:
        params.update({"rate": R("0.5"), "mask": [1, 0, 1, 0], "activations": [R("0.5"), R("1"), R("1.5"), R("2")]})
    return regularization.solve(params)


def test_regularization_korean_says_neuron_and_the_notes_weight_decay():
    for part in ("max_norm", "dropout"):
        sheets = _sheets(_regularization(part), "ko")
        for text in sheets.values():
            assert "유닛" not in text
            assert "L2(가중치 감소)" in text  # the course notes' 가중치 감소
    worksheet = _sheets(_regularization("max_norm"), "ko")["worksheet"]
    assert "뉴런 1의 입력 가중치의 노름" in worksheet
    assert "입력 가중치(열 j가 뉴런 j로)" in worksheet
    assert "한 뉴런으로 들어오는 가중치" in worksheet


# --- loss values (Korean) ----------------------------------------------------------------------

def test_loss_values_korean_choice_question_is_one_sentence_for_every_task():
    base = {"loss": "mse", "y_true": [[R(1)], [R(0)], [R("0.5")]], "y_pred": [[R("0.8")], [R("0.1")], [R("0.9")]]}
    for task in range(len(loss_values.TASKS)):
        problem = loss_values.solve(dict(base, task=task))
        prompt = next(q.prompt for q in problem.questions if q.key == "loss_choice")
        assert prompt.ko.endswith("문제에 알맞은 손실 함수는 무엇인가?"), prompt.ko
        assert "다음 문제" not in prompt.ko and not re.search(r"[.?]\s", prompt.ko), prompt.ko
    problem = loss_values.solve(dict(base, task=1))
    worksheet = _sheets(problem, "ko")["worksheet"]
    assert "**c)** 오늘의 기상 측정값으로 내일의 기온을 예측하는 문제에 알맞은 손실 함수는 무엇인가?" in worksheet


def test_the_five_families_render_their_drawn_variants_in_both_languages():
    for family in ("learning_rate", "initialization", "early_stopping", "regularization", "loss_values"):
        for i in range(6):
            for lang in ("en", "ko"):
                sheets = _sheets(make_problem(family, 3, f"w{i}"), lang)
                assert "곡률" not in sheets["worksheet"] and "유닛" not in sheets["key"]
                assert "다음 문제에 알맞은" not in sheets["worksheet"]
