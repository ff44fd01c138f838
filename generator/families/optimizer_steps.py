"""Family 5: k steps of an optimizer on one parameter, reporting the parameter and the
optimizer's state after every step.

Structure: the optimizer (SGD, momentum, Nesterov, Adagrad, RMSprop, Adam), the number of
steps, and where the gradients come from (given numbers, or the gradient of a quadratic loss
at the current parameter). The update rules are the contract's (design/CONTRACT.md,
``exercises/optimizers.py``): the velocity holds the step, Adam's t counts from 1.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, apart, choose, dec, equation, fill, grid
from generator.notation import chain, hats, sym, terms
from generator.model import Problem, Question, Text
from generator.symbolic import as_float
from generator.plots import plot
from solutions import optimizers as ref

T = sp.Symbol("t", integer=True, positive=True)
BASES = ("w", "g", "v", "h", "s", "m", "mhat", "vhat")
# x[0] is x_t and x[1] is x_{t-1} in the rules as shown; the key replaces t by 1, 2, ...
w, g, v, h, s, m, mhat, vhat = ((sym(f"{n}_t"), sym(f"{n}_t-1")) for n in BASES)
eta, mu, rho, beta_1, beta_2, epsilon, a, b = sp.symbols("eta mu rho beta_1 beta_2 epsilon a b")

# Each optimizer: its update rules in order (the last one updates w). Adagrad's accumulator
# is h, as the course notes write it (h <- h + dL/dW * dL/dW, after 밑바닥부터 시작하는 딥러닝),
# although the backprop problems of the same sheet call a hidden output h_1 too (each problem
# states its own symbols; the question keys never change).
RULES = {
    "sgd": [(w, w[1] - eta * g[0])],
    "momentum": [(v, mu * v[1] - eta * g[0]), (w, terms(w[1], v[0]))],  # w_{t-1} + v_t, as the notes write it
    "nesterov": [(v, mu * v[1] - eta * g[0]), (w, w[1] + mu * v[0] - eta * g[0])],
    "adagrad": [(h, h[1] + g[0] ** 2), (w, w[1] - eta * g[0] / (sp.sqrt(h[0]) + epsilon))],
    "rmsprop": [
        (s, rho * s[1] + chain(1 - rho, g[0] ** 2)),
        (w, w[1] - eta * g[0] / (sp.sqrt(s[0]) + epsilon)),
    ],
    "adam": [
        (m, beta_1 * m[1] + chain(1 - beta_1, g[0])),
        (v, beta_2 * v[1] + chain(1 - beta_2, g[0] ** 2)),
        (mhat, m[0] / (1 - beta_1**T)),
        (vhat, v[0] / (1 - beta_2**T)),
        (w, w[1] - eta * mhat[0] / (sp.sqrt(vhat[0]) + epsilon)),
    ],
}
STATE = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "adagrad": ("h",),
         "rmsprop": ("s",), "adam": ("m", "v")}
QUADRATIC_GRADIENT = (g, 2 * a * (w[1] - b))

NAMES = {
    "sgd": Text("stochastic gradient descent (SGD)", "확률적 경사 하강법(SGD)"),
    "momentum": Text("SGD with momentum", "모멘텀(momentum)"),
    "nesterov": Text("Nesterov momentum (NAG)", "네스테로프 모멘텀(NAG)"),
    "adagrad": Text("Adagrad", "아다그라드(Adagrad)"),
    "rmsprop": Text("RMSprop", "알엠에스프롭(RMSprop)"),
    "adam": Text("Adam", "아담(Adam)"),
}
STATE_LABELS = {
    ("momentum", "v"): Text("velocity", "속도(velocity)"),
    ("nesterov", "v"): Text("velocity", "속도(velocity)"),
    ("adagrad", "h"): Text("sum of squared gradients", "기울기 제곱의 누적합"),
    ("rmsprop", "s"): Text("moving average of squared gradients", "기울기 제곱의 지수 이동 평균"),
    ("adam", "m"): Text("first moment (mean of gradients)", "1차 모멘트(기울기의 이동 평균)"),
    ("adam", "v"): Text("second moment (mean of squared gradients)", "2차 모멘트(기울기 제곱의 이동 평균)"),
}
NOTES = {
    "mhat": Text("bias correction of the first moment", "1차 모멘트의 편향 보정"),
    "vhat": Text("bias correction of the second moment", "2차 모멘트의 편향 보정"),
    "g": Text("gradient of the loss at the current parameter", "현재 매개변수에서 손실 함수의 기울기"),
}
HYPER = {  # given name -> label
    "eta": Text("learning rate", "학습률"),
    "mu": Text("momentum coefficient", "모멘텀 계수"),
    "rho": Text("decay rate", "감쇠율"),
    "beta_1": Text("decay rate of the first moment", "1차 모멘트 감쇠율"),
    "beta_2": Text("decay rate of the second moment", "2차 모멘트 감쇠율"),
    "epsilon": Text("small constant (keeps the division finite)", "작은 상수(0으로 나누기 방지)"),
}


def _concrete(expr, t):
    """The rule at step ``t``: x_t becomes x_3 and x_{t-1} becomes x_2 (for t = 3). A product
    or a sum written in its own order (``chain``: the coefficient first, (1 - rho) g^2;
    ``terms``: w_{t-1} + v_t; as textbooks write them) keeps that order; everything else is
    rebuilt as sympy writes it."""
    mapping = {T: t}
    for n in BASES:
        mapping[sym(f"{n}_t")] = sym(f"{n}_{t}")
        mapping[sym(f"{n}_t-1")] = sym(f"{n}_{t - 1}")
    return _replaced(expr, mapping)


def _replaced(expr, mapping):
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [_replaced(arg, mapping) for arg in expr.args]
    if expr.is_Mul and expr.args != sp.Mul(*expr.args).args:  # a chain(...): its order kept
        return sp.Mul(*args, evaluate=False)
    if expr.is_Add and expr.args != sp.Add(*expr.args).args:  # a terms(...): its order kept
        return sp.Add(*args, evaluate=False)
    return expr.func(*args)


def _rules(optimizer, source):
    return ([QUADRATIC_GRADIENT] if source == "quadratic" else []) + RULES[optimizer]


@lru_cache(maxsize=None)
def _template(optimizer, source, k):
    """The key's formulas for one structure: ((base, t, formula), ...) for t = 1..k."""
    return tuple((base[0].name[:-2], t, _concrete(rhs, t))
                 for t in range(1, k + 1) for base, rhs in _rules(optimizer, source))


def sample(rng) -> dict:
    optimizer = choose(rng, tuple(RULES))
    source = choose(rng, ("gradients", "quadratic"))
    k = choose(rng, (2, 3) if source == "quadratic" else (2, 3, 4))
    hyper = {
        "sgd": lambda: {"eta": choose(rng, ("0.1", "0.05", "0.2", "0.01"))},
        "momentum": lambda: {"eta": choose(rng, ("0.1", "0.05", "0.01")), "mu": choose(rng, ("0.9", "0.8", "0.5"))},
        "nesterov": lambda: {"eta": choose(rng, ("0.1", "0.05", "0.01")), "mu": choose(rng, ("0.9", "0.8", "0.5"))},
        "adagrad": lambda: {"eta": choose(rng, ("0.1", "0.5", "0.01")), "epsilon": "1e-7"},
        "rmsprop": lambda: {"eta": choose(rng, ("0.01", "0.001", "0.1")), "rho": choose(rng, ("0.9", "0.95", "0.99")),
                            "epsilon": "1e-7"},
        "adam": lambda: {"eta": choose(rng, ("0.001", "0.01", "0.1")), "beta_1": "0.9",
                         "beta_2": choose(rng, ("0.999", "0.99")), "epsilon": "1e-8"},
    }[optimizer]()
    params = {"optimizer": optimizer, "source": source, "k": k,
              "hyper": {n: dec(x) for n, x in hyper.items()}}
    while True:
        params["w_0"] = choose(rng, grid("-0.9", "0.9", "0.05"))
        if source == "gradients":
            params["gradients"] = [choose(rng, grid("-0.9", "0.9", "0.05")) for _ in range(k)]
        else:
            params["a"] = choose(rng, (dec("0.5"), dec("1"), dec("1.5"), dec("2")))
            params["b"] = choose(rng, grid("-1", "1", "0.1", nonzero=False))
        if _well_conditioned(params):
            return params


def _asked(run, params):
    """The asked values of a run: the parameter after every step, the final state."""
    return run["w"] + [run[name][-1] for name in STATE[params["optimizer"]]]


def _well_conditioned(params) -> bool:
    """Every gradient (also those of the quadratic) is clearly nonzero, and every asked value
    is clearly nonzero (at least 1e-3 of the problem's scale, max(|w_0|, eta)) and does not
    rest on epsilon: without epsilon it changes by less than 1e-3 of itself. (When w_0 = eta
    and the first Adagrad or Adam step moves by almost exactly eta, w_1 = eta eps / |g| is
    nothing but the epsilon term, and a student who rightly drops epsilon gets it "wrong".)"""
    run = _reference(params)
    if min(abs(x) for x in run["g"]) <= 1e-3:
        return False
    scale = max(abs(float(params["w_0"])), float(params["hyper"]["eta"]))
    asked = _asked(run, params)
    if min(abs(x) for x in asked) < 1e-3 * scale:
        return False
    if "epsilon" in params["hyper"]:
        plain = _asked(_reference(params, eps=0.0), params)
        return all(abs(x - y) < 1e-3 * abs(x) for x, y in zip(asked, plain))
    return True


def _reference(params, eps=None):
    """The float64 run through ``solutions.optimizers``: lists of g, w and state per step
    (with ``eps`` in place of the given epsilon, if set)."""
    opt, hp = params["optimizer"], {n: as_float(x) for n, x in params["hyper"].items()}
    if eps is not None:
        hp["epsilon"] = eps
    x = np.float64(as_float(params["w_0"]))
    state = [np.float64(0.0) for _ in STATE[opt]]
    out = {"g": [], "w": [], **{n: [] for n in STATE[opt]}}
    for t in range(1, params["k"] + 1):
        if params["source"] == "gradients":
            grad = np.float64(as_float(params["gradients"][t - 1]))
        else:
            grad = 2 * np.float64(as_float(params["a"])) * (x - np.float64(as_float(params["b"])))
        if opt == "sgd":
            x = ref.sgd_step(x, grad, lr=hp["eta"])
        elif opt in ("momentum", "nesterov"):
            fn = ref.momentum_step if opt == "momentum" else ref.nesterov_step
            x, state[0] = fn(x, grad, state[0], lr=hp["eta"], momentum=hp["mu"])
        elif opt == "adagrad":
            x, state[0] = ref.adagrad_step(x, grad, state[0], lr=hp["eta"], eps=hp["epsilon"])
        elif opt == "rmsprop":
            x, state[0] = ref.rmsprop_step(x, grad, state[0], lr=hp["eta"], rho=hp["rho"], eps=hp["epsilon"])
        else:
            x, state[0], state[1] = ref.adam_step(x, grad, state[0], state[1], t, lr=hp["eta"],
                                                  beta1=hp["beta_1"], beta2=hp["beta_2"], eps=hp["epsilon"])
        out["g"].append(float(grad))
        out["w"].append(float(x))
        for name, value in zip(STATE[opt], state):
            out[name].append(float(value))
    return out


DEFAULTS = {"mu": 0.9, "rho": 0.9, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
LEGEND = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adagrad": "Adagrad", "rmsprop": "RMSprop",
          "adam": "Adam"}
COMPARE_STEPS = 15


def _plot(params):
    """The figure: the given gradients or the quadratic loss; the key adds the path, and on a
    quadratic every optimizer's first steps from the same start with the same learning rate."""
    name = NAMES[params["optimizer"]]
    w0 = float(params["w_0"])
    data = {"source": params["source"], "k": params["k"], "w0": w0, "name_en": name.en, "name_ko": name.ko,
            "eta": float(params["hyper"]["eta"]), "path": tuple([w0] + _reference(params)["w"])}
    if params["source"] == "gradients":
        data["gradients"] = tuple(float(g) for g in params["gradients"])
    else:
        data.update(a=float(params["a"]), b=float(params["b"]))
        data["compare"] = tuple(
            (LEGEND[o], tuple([w0] + _reference({**params, "optimizer": o, "k": COMPARE_STEPS,
                                                  "hyper": {**DEFAULTS, "eta": params["hyper"]["eta"]}})["w"]))
            for o in RULES)
    return plot("optimizer", data)


def solve(params) -> Problem:
    opt, source, k = params["optimizer"], params["source"], params["k"]
    key = Key()
    key.given("w_0", params["w_0"], Text("initial parameter", "매개변수의 초깃값"))
    for name, value in params["hyper"].items():
        key.given(name, value, HYPER[name])
    for name in STATE[opt]:
        key.given(f"{name}_0", 0, fill(Text("initial [what]", "초기 [what]"), what=STATE_LABELS[opt, name]))
    if source == "gradients":
        for t, grad in enumerate(params["gradients"], start=1):
            key.given(f"g_{t}", grad, Text("gradients of the steps", "각 스텝의 기울기"))
    else:
        # the coefficient of L = a(w - b)^2 (its curvature L'' is 2a), as learning_rate says it
        key.given("a", params["a"], Text("coefficient of the loss", "손실 함수의 계수"))
        key.given("b", params["b"], Text("minimiser of the loss", "손실 함수의 최소점"))
    for base, t, formula in _template(opt, source, k):
        key.step(f"{base}_{t}", formula, NOTES.get(base) if t == 1 else None)

    reference = _reference(params)
    questions = []
    for t in range(1, k + 1):
        questions.append(Question(
            key=f"w_{t}", answer=key[f"w_{t}"], reference=reference["w"][t - 1],
            prompt=Text("the parameter {w} after step {t}", "스텝 {t} 후의 매개변수 {w}",
                        {"w": sym(f"w_{t}"), "t": t})))
    for name in STATE[opt]:
        questions.append(Question(
            key=f"{name}_{k}", answer=key[f"{name}_{k}"], reference=reference[name][k - 1],
            prompt=fill(Text("the [what] {s} after step {k}", "스텝 {k} 후의 [what] {s}",
                             {"s": sym(f"{name}_{k}"), "k": k}), what=STATE_LABELS[opt, name])))

    intro = [fill(Text(
        "A parameter {w}, starting at {w0}, is trained with [name][state].",
        "매개변수 {w}를 초깃값 {w0}에서 시작하여 [name] 방법으로 학습시킨다[state].",
        {"w": sym("w"), "w0": sym("w_0")}), name=NAMES[opt],
        state=Text("; every optimizer state starts at 0", ". 옵티마이저의 모든 상태는 0에서 시작한다")
        if STATE[opt] else Text("", ""))]
    if source == "quadratic":
        intro.append(Text(
            "The gradients come from the loss {f}, evaluated at the current parameter.",
            "기울기는 손실 함수 {f}를 현재 매개변수에서 미분한 값이다.",
            {"f": sp.Eq(sp.Function("L")(sp.Symbol("w")), a * (sp.Symbol("w") - b) ** 2, evaluate=False)}))
    intro.append(Text("The update rules for step t = 1, 2, ... are:",
                      "스텝 t = 1, 2, ...의 갱신 규칙은 다음과 같다."))
    intro += [equation(sp.Eq(base[0], rhs, evaluate=False)) for base, rhs in _rules(opt, source)]
    intro.append(fill(Text(
        "Carry out {k} steps and report the parameter after every step[state].",
        "{k}번의 스텝을 진행하고, 매 스텝 후의 매개변수[state] 구하시오.", {"k": k}),
        state=Text(" and the final state", "와 마지막 상태를") if STATE[opt] else Text("", "를")))
    remarks = []
    if opt in ("adagrad", "adam"):
        remarks.append(Text(
            "In the first step the gradient's size cancels: the parameter moves by almost exactly "
            "the learning rate {eta}, against the sign of the gradient.",
            "첫 스텝에서는 기울기의 크기가 상쇄되어, 매개변수가 기울기의 반대 방향으로 거의 정확히 학습률 {eta}만큼 "
            "움직인다.", {"eta": eta}))
    return Problem(
        figure=_plot(params),
        family="", variant="", title=fill(Text("Optimizer steps: [name]", "옵티마이저 스텝: [name]"), name=NAMES[opt]),
        intro=intro, givens=key.givens, questions=questions, steps=key.steps, remarks=remarks,
        display=hats([n for n in key.env if "hat_" in n] + ["mhat_t", "vhat_t"] if opt == "adam" else []),
        make_mistakes=lambda: apart(alternatives(key, questions, MISTAKES[opt]), ("nesterov_as_momentum",)))


def _added(name, formula):
    return formula.subs(eta, -eta)


def _no_correction(name, formula):
    return sym(name.replace("hat", "")) if name.startswith(("mhat_", "vhat_")) else formula


def _t_off_by_one(name, formula):
    """m_t / (1 - beta_1^(t+1)): the bias correction of step t with t + 1 (counting from 0)."""
    if not name.startswith(("mhat_", "vhat_")):
        return formula
    base, t = name.split("hat_")
    return sym(f"{base}_{t}") / (1 - (beta_1 if base == "m" else beta_2) ** (int(t) + 1))


def _plain_momentum(name, formula):
    """Nesterov's w_{t-1} + mu v_t - eta g_t computed as plain momentum's w_{t-1} + v_t: the
    look-ahead left out (the velocity itself is the same in both)."""
    if not name.startswith("w_"):
        return formula
    return _concrete(RULES["momentum"][-1][1], int(name[2:]))


def _is_root(e):
    return isinstance(e, sp.Pow) and e.exp == sp.S.Half


def _eps_inside(name, formula):
    """sqrt(h) + epsilon written sqrt(h + epsilon)."""
    if not name.startswith("w_"):
        return formula

    def inside(e):
        return sp.sqrt(sp.Add(*[a.base if _is_root(a) else a for a in e.args]))

    return formula.replace(lambda e: e.is_Add and epsilon in e.args and any(_is_root(a) for a in e.args), inside)


_ADDED = ("added_gradient", ("this is what you get if you add the gradient: each step moves against the gradient",
                             "기울기 방향으로 더하면 나오는 값이다: 스텝은 기울기의 반대 방향으로 움직인다"), _added)
_EPS = ("epsilon_inside_root", ("this is what you get with epsilon inside the square root: it is added after the root",
                                "epsilon을 제곱근 안에 넣으면 나오는 값이다: epsilon은 제곱근을 구한 뒤에 더한다"),
        _eps_inside)
_NO_ETA = ("no_eta", ("this is what you get if you forget the learning rate eta in the update",
                      "업데이트에서 학습률(eta)을 빠뜨리면 나오는 값이다"), lambda name, formula: formula.subs(eta, 1))
MISTAKES = {
    "sgd": (_ADDED, _NO_ETA),
    "momentum": (_ADDED, _NO_ETA),
    "nesterov": (
        _ADDED, _NO_ETA,
        ("nesterov_as_momentum",
         ("this is what you get if you leave out Nesterov's look-ahead and update as plain momentum, w_{t-1} + v_t: "
          "Nesterov moves the parameter by mu v_t - eta g_t",
          "네스테로프의 앞서 보기(look-ahead)를 빼고 일반 모멘텀처럼 w_{t-1} + v_t로 갱신하면 나오는 값이다: "
          "네스테로프는 매개변수를 mu v_t - eta g_t만큼 움직인다"), _plain_momentum),
    ),
    "adagrad": (_ADDED, _EPS, _NO_ETA),
    "rmsprop": (_ADDED, _EPS, _NO_ETA),
    "adam": (
        _ADDED, _EPS, _NO_ETA,
        ("no_bias_correction", ("this is what you get without the bias correction: divide m and v by 1 - beta^t",
                                "편향 보정을 빠뜨리면 나오는 값이다: m과 v는 나눗셈으로 보정한다 (분모 1 - beta^t)"), _no_correction),
        ("t_off_by_one", ("this is what you get with t off by one in the bias correction: the first step has t = 1",
                          "편향 보정에서 t를 하나 어긋나게 쓰면 나오는 값이다: 첫 스텝이 t = 1이다"), _t_off_by_one),
    ),
}
