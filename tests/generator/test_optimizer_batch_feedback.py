"""What a reviewer found in optimizer_steps (Problem 5) and batch_arithmetic (Problem 8):

1. "A single parameter w_0 is trained ...": w_0 is where the parameter starts, not the
   parameter; the sheets say "a parameter w, starting at w_0" (both languages);
2. momentum's update printed as w_t = v_t + w_{t-1} (sympy's order): it is w_{t-1} + v_t, as
   textbooks and the course notes (W <- W + av - lr dL/dW) write it, in every format and in the
   worked lines with their numbers;
3. a named mistake: Nesterov computed as plain momentum (the look-ahead left out);
4. a named mistake: the last batch taken as the remainder N mod B, which is 0 when B divides N
   (the last batch is then a full one), never named where it repeats another mistake's value.

Expected values are computed here by hand or in exact fractions, never by the family.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from chainrule.cli import cli
from generator import core
from generator.families import _key, batch_arithmetic, optimizer_steps
from generator.model import Mistake
from generator.render import get_format, problem_view, render_sheets

R = sp.Rational
LANGS = ("en", "ko")


def _optimizer(optimizer, gradients=None, *, w_0="0.5", a=None, b=None, k=2, hyper=None):
    hyper = hyper or {"sgd": {"eta": "0.1"}, "momentum": {"eta": "0.1", "mu": "0.9"},
                      "nesterov": {"eta": "0.1", "mu": "0.9"}, "adagrad": {"eta": "0.1", "epsilon": "1e-7"},
                      "rmsprop": {"eta": "0.01", "rho": "0.9", "epsilon": "1e-7"},
                      "adam": {"eta": "0.01", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-8"}}[optimizer]
    params = {"optimizer": optimizer, "hyper": {n: R(x) for n, x in hyper.items()}, "w_0": R(w_0)}
    if gradients:
        params.update(source="gradients", gradients=[R(x) for x in gradients], k=len(gradients))
    else:
        params.update(source="quadratic", a=R(a), b=R(b), k=k)
    return optimizer_steps.solve(params)


def _text(problem, lang):
    return problem_view(problem, get_format("text"), lang, 5, "p5")


def _page(problem, fmt, kind, lang="en"):
    return render_sheets([problem], ["p5_optimizer_steps"], fmt, lang, {"id": "s"}, 1, kinds=(kind,))[kind]


def _tokens(markup: str) -> str:
    """The tokens of MathML in reading order, without markup: "wt=wt−1+vt"."""
    return "".join(html.unescape(t) for t in re.findall(r"<m[ino][^>]*>([^<]*)</m[ino]>", markup))


# --- 1. a parameter w, starting at w_0 ---------------------------------------------------

@pytest.mark.parametrize("optimizer", list(optimizer_steps.RULES))
def test_the_parameter_is_w_and_w_0_is_where_it_starts(optimizer):
    problem = _optimizer(optimizer, ["0.2", "-0.4"])
    en, ko = (_text(problem, lang)["intro"][0] for lang in LANGS)
    assert en.startswith("A parameter w, starting at w_0, is trained with "), en
    assert ko.startswith("매개변수 w를 초깃값 w_0에서 시작하여 "), ko
    assert "single" not in en and "하나의" not in ko
    for fmt, parameter, start in (("md", "$w$", "$w_{0}$"), ("tex", "$w$", "$w_{0}$")):
        page = _page(problem, fmt, "worksheet")
        assert f"A parameter {parameter}, starting at {start}, is trained with" in page, fmt
    korean = _page(problem, "md", "worksheet", "ko")
    assert "매개변수 $`w`$를 초깃값 $`w_{0}`$에서 시작하여" in korean


# --- 2. w_t = w_{t-1} + v_t ----------------------------------------------------------------

def test_momentum_update_is_printed_w_previous_plus_velocity():
    # by hand: v1 = -0.1 * 0.2 = -0.02, w1 = 0.5 + (-0.02) = 0.48;
    #          v2 = 0.9 * (-0.02) - 0.1 * (-0.4) = 0.022, w2 = 0.48 + 0.022 = 0.502
    problem = _optimizer("momentum", ["0.2", "-0.4"])
    assert {q.key: q.answer for q in problem.questions} == {"w_1": R("0.48"), "w_2": R("0.502"), "v_2": R("0.022")}
    for fmt in ("md", "tex"):
        sheet, key = _page(problem, fmt, "worksheet"), _page(problem, fmt, "key")
        for page in (sheet, key):
            assert "w_{t} = w_{t-1} + v_{t}" in page, fmt
            assert "v_{t} + w_{t-1}" not in page, fmt
        paren = r"\left(-0.02\right)" if fmt == "md" else "(-0.02)"
        assert f"w_{{1}} = w_{{0}} + v_{{1}} = 0.5 + {paren} = 0.48" in key, fmt
        assert "w_{2} = w_{1} + v_{2} = 0.48 + 0.022 = 0.502" in key, fmt
    maths = [_tokens(m) for m in re.findall(r"<math.*?</math>", _page(problem, "html", "key"), flags=re.S)]
    assert any("wt=wt−1+vt" in m for m in maths)
    assert not any("vt+wt−1" in m for m in maths)
    assert any("=w0+v1" in m for m in maths) and any("=0.5+(−0.02)" in m for m in maths)
    assert "w_t = w_t-1 + v_t" in _text(problem, "en")["intro"]


def test_momentum_order_on_the_quadratic_keeps_the_values():
    # L(w) = (w - 0.2)^2, a = 1: g1 = 2 (0.5 - 0.2) = 0.6, v1 = -0.06, w1 = 0.44;
    # g2 = 0.48, v2 = 0.9 (-0.06) - 0.048 = -0.102, w2 = 0.338
    problem = _optimizer("momentum", a="1", b="0.2", k=2)
    assert {q.key: q.answer for q in problem.questions} == {"w_1": R("0.44"), "w_2": R("0.338"), "v_2": R("-0.102")}
    assert "w_{2} = w_{1} + v_{2} = 0.44 + \\left(-0.102\\right) = 0.338" in _page(problem, "md", "key")


# --- 3. Nesterov computed as plain momentum --------------------------------------------------

def _plain_momentum(w, gradients, eta, mu, gradient=None):
    """Plain momentum in exact fractions: {w_t, ..., v_k}."""
    out, v = {}, F(0)
    for t in range(1, len(gradients) + 1):
        g = gradients[t - 1] if gradient is None else gradient(w)
        v = mu * v - eta * g
        w = w + v
        out[f"w_{t}"] = w
    out[f"v_{len(gradients)}"] = v
    return out


def _named(problem, name):
    return {m.question: m for m in problem.mistakes if m.name == name}


def test_nesterov_as_momentum_is_named_with_the_momentum_values():
    problem = _optimizer("nesterov", ["0.2", "0.2"])
    named = _named(problem, "nesterov_as_momentum")
    # v1 = -0.02, w1 = 0.5 - 0.02 = 0.48; v2 = 0.9 (-0.02) - 0.02 = -0.038, w2 = 0.48 - 0.038 = 0.442
    assert {q: m.value for q, m in named.items()} == {"w_1": R("0.48"), "w_2": R("0.442")}  # v is the same
    hint_en, hint_ko = named["w_1"].hint
    assert hint_en == ("this is what you get if you leave out Nesterov's look-ahead and update as plain momentum, "
                       "w_{t-1} + v_t: Nesterov moves the parameter by mu v_t - eta g_t")
    assert hint_ko == ("네스테로프의 앞서 보기(look-ahead)를 빼고 일반 모멘텀처럼 w_{t-1} + v_t로 갱신하면 나오는 값이다: "
                       "네스테로프는 매개변수를 mu v_t - eta g_t만큼 움직인다")
    for m in named.values():
        for value in (m.value, next(q.answer for q in problem.questions if q.key == m.question)):
            assert str(float(value)) not in hint_en + hint_ko


def test_nesterov_as_momentum_on_the_quadratic_changes_the_velocity_too():
    # the gradient is taken at the (wrong) momentum iterate, so v_k changes as well
    problem = _optimizer("nesterov", a="1.5", b="-0.2", k=3, w_0="0.6")
    expected = _plain_momentum(F("0.6"), [None] * 3, F("0.1"), F("0.9"), gradient=lambda w: 2 * F("1.5") * (w + F("0.2")))
    named = _named(problem, "nesterov_as_momentum")
    assert {q: F(int(m.value.p), int(m.value.q)) for q, m in named.items()} == expected


def test_nesterov_as_momentum_only_for_nesterov():
    for optimizer in ("sgd", "momentum", "adagrad", "rmsprop", "adam"):
        assert not _named(_optimizer(optimizer, ["0.2", "-0.4"]), "nesterov_as_momentum"), optimizer


def _mistakes_apart(problem, name):
    """The mistake ``name`` never gives a question the value of another mistake (the existing
    floor_for_ceiling and partial_batch_dropped are one formula said two ways, by design)."""
    others = {(m.question, m.value) for m in problem.mistakes if m.name != name}
    for m in problem.mistakes:
        assert m.name != name or (m.question, m.value) not in others, m


def test_nesterov_as_momentum_over_variants():
    named = 0
    for seed in range(300):
        params = optimizer_steps.sample(np.random.default_rng(seed))
        if params["optimizer"] != "nesterov":
            continue
        problem = optimizer_steps.solve(params)
        _mistakes_apart(problem, "nesterov_as_momentum")
        hp = {n: F(int(x.p), int(x.q)) for n, x in params["hyper"].items()}
        w0 = F(int(params["w_0"].p), int(params["w_0"].q))
        if params["source"] == "gradients":
            expected = _plain_momentum(w0, [F(int(g.p), int(g.q)) for g in params["gradients"]], hp["eta"], hp["mu"])
        else:
            a, b = (F(int(params[n].p), int(params[n].q)) for n in "ab")
            expected = _plain_momentum(w0, [None] * params["k"], hp["eta"], hp["mu"], gradient=lambda w: 2 * a * (w - b))
        answers = {q.key: q.answer for q in problem.questions}
        wrong = {q: v for q, v in expected.items() if v != answers[q]}
        assert {q: F(int(m.value.p), int(m.value.q))
                for q, m in _named(problem, "nesterov_as_momentum").items()} == wrong, seed
        named += bool(wrong)
    assert named >= 30


# --- 4. the remainder as the last batch ----------------------------------------------------

def _batch(n, b):
    return batch_arithmetic.solve({"N": n, "B": b, "n_epochs": 10, "fit_kind": "mini_batch", "fit_batch": 32})


def test_remainder_as_last_batch_is_zero_where_b_divides_n():
    # the seed notes' 2000 samples in batches of 200: the last batch holds 200, the remainder is 0
    problem = _batch(2000, 200)
    assert next(q.answer for q in problem.questions if q.key == "r") == 200
    named = [m for m in problem.mistakes if m.name == "remainder_as_last_batch"]
    assert [(m.question, m.value) for m in named] == [("r", 0)]
    assert named[0].hint == (
        "this is what you get if you take the remainder N mod B as the size of the last batch: when B divides N "
        "there is no smaller batch, and the last batch is as full as the others",
        "마지막 배치의 크기를 나머지(N mod B)로 구하면 나오는 값이다: N이 B로 나누어떨어지면 더 작은 배치는 없고, "
        "마지막 배치도 다른 배치처럼 가득 찬다")
    assert not re.search(r"\d", "".join(named[0].hint))


def test_remainder_as_last_batch_is_not_named_where_it_is_right():
    # 1000 = 7 * 128 + 104: the remainder is the last batch
    problem = _batch(1000, 128)
    assert next(q.answer for q in problem.questions if q.key == "r") == 104
    assert "remainder_as_last_batch" not in {m.name for m in problem.mistakes}


def test_remainder_as_last_batch_over_variants_never_repeats_another_mistake():
    divides = 0
    for seed in range(300):
        params = batch_arithmetic.sample(np.random.default_rng(seed))
        problem = batch_arithmetic.solve(params)
        _mistakes_apart(problem, "remainder_as_last_batch")
        named = [(m.question, m.value) for m in problem.mistakes if m.name == "remainder_as_last_batch"]
        assert named == ([("r", 0)] if params["N"] % params["B"] == 0 else []), seed
        divides += params["N"] % params["B"] == 0
    assert divides >= 100


def test_a_new_mistake_that_repeats_an_earlier_value_is_skipped():
    hints = ("h", "h")
    made = [Mistake("r", "floor_for_ceiling", hints, 0), Mistake("r", "partial_batch_dropped", hints, 0),
            Mistake("r", "remainder_as_last_batch", hints, 0), Mistake("I", "remainder_as_last_batch", hints, 0),
            Mistake("U", "remainder_as_last_batch", hints, 5)]
    kept = _key.apart(made, ("remainder_as_last_batch",))
    # the existing pair (one formula, two ways to say it) is kept as it was; the new one goes
    # only where it repeats a value of the same question
    assert [(m.question, m.name) for m in kept] == [
        ("r", "floor_for_ceiling"), ("r", "partial_batch_dropped"), ("I", "remainder_as_last_batch"),
        ("U", "remainder_as_last_batch")]
    kept = _key.apart([Mistake("w_1", "added_gradient", hints, R(1, 2)),
                       Mistake("w_1", "nesterov_as_momentum", hints, R(1, 2)),
                       Mistake("w_2", "nesterov_as_momentum", hints, R(1, 3))], ("nesterov_as_momentum",))
    assert [(m.question, m.name) for m in kept] == [("w_1", "added_gradient"), ("w_2", "nesterov_as_momentum")]


# --- chainrule check on a filled answers file ------------------------------------------------

def _student():
    """A student id whose optimizer problem is Nesterov on given gradients and whose batch size
    divides the number of samples."""
    for i in range(500):
        sid = f"s{i}"
        opt = optimizer_steps.sample(core.variant_rng(2024, sid, "optimizer_steps"))
        batch = batch_arithmetic.sample(core.variant_rng(2024, sid, "batch_arithmetic"))
        if opt["optimizer"] == "nesterov" and opt["source"] == "gradients" and batch["N"] % batch["B"] == 0:
            return sid, opt, batch
    raise AssertionError("no such student")


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("lang", LANGS)
def test_check_names_both_mistakes_on_a_filled_answers_file(tmp_path, lang):
    sid, opt, batch = _student()
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id\n{sid}\n")
    out = tmp_path / "sheets"
    result = _run("generate", "--students", roster, "--families", "optimizer_steps,batch_arithmetic",
                  "--format", "md", "--lang", lang, "--out", out, "-j", "1")
    assert result.exit_code == 0, result.output
    hp = {n: F(int(x.p), int(x.q)) for n, x in opt["hyper"].items()}
    wrong = _plain_momentum(F(int(opt["w_0"].p), int(opt["w_0"].q)), [F(int(g.p), int(g.q)) for g in opt["gradients"]],
                            hp["eta"], hp["mu"])
    n, b, epochs = batch["N"], batch["B"], batch["n_epochs"]
    filled = {**{q: "%.12g" % float(v) for q, v in wrong.items()},
              "I": n // b, "r": 0, "U": epochs * (n // b), "U_batch": epochs, "U_sgd": epochs * n}
    answers = out / "students" / sid / "answers.toml"
    text = answers.read_text()
    for q, v in filled.items():
        text, count = re.subn(rf'^{q} = ""$', f'{q} = "{v}"', text, flags=re.M)
        assert count == 1, q
    answers.write_text(text)
    result = _run("check", answers)
    assert result.exit_code == 0, result.output
    momentum_hint, remainder_hint = {
        "en": ("this is what you get if you leave out Nesterov's look-ahead and update as plain momentum",
               "this is what you get if you take the remainder N mod B as the size of the last batch"),
        "ko": ("네스테로프의 앞서 보기(look-ahead)를 빼고 일반 모멘텀처럼", "마지막 배치의 크기를 나머지(N mod B)로 구하면"),
    }[lang]
    lines = result.output.splitlines()
    for t in range(1, opt["k"] + 1):
        line = next(x for x in lines if f" w_{t} = " in x)
        assert line.lstrip().startswith("✗") and momentum_hint in line, line
    assert any(x.lstrip().startswith("✓") and x.rstrip().endswith(f"v_{opt['k']}") for x in lines), result.output
    line = next(x for x in lines if ' r = "0"' in x)
    assert line.lstrip().startswith("✗") and remainder_hint in line, line
    assert "floor" not in line and "내림" not in line  # no other mistake gives 0
    for q in ("I", "U", "U_batch", "U_sgd"):
        assert any(x.lstrip().startswith("✓") and x.rstrip().endswith(f") {q}") for x in lines), (q, result.output)
