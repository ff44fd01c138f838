"""Family 9: the learning rate on a quadratic loss — iterate gradient descent, say whether it
converges, oscillates or diverges, find the critical learning rate; time-based decay.

Gradient descent on f(x) = a (x - b)^2 is x_t = x_(t-1) - eta 2a (x_(t-1) - b), so
x_t - b = r (x_(t-1) - b) with r = 1 - 2 a eta: it converges without overshooting when
0 < r < 1 (eta < 1/(2a)), overshoots the minimum and oscillates towards it when -1 < r < 0,
and diverges when r < -1, that is eta > 1/a, the critical learning rate. Structure: the
regime, the number of steps, how many decayed learning rates are asked.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from generator.families._key import Key, alternatives, choose, dec, grid
from generator.notation import sym
from generator.model import Problem, Question, Text
from generator.plots import plot
from solutions import training as ref

a, b, eta, r = sym("a"), sym("b"), sym("eta"), sym("r")
REGIMES = {
    "monotone": Text("converges to the minimum without overshooting it",
                     "최소점을 지나치지 않고 수렴한다"),
    "oscillating": Text("overshoots the minimum at every step, oscillating around it, and converges",
                        "매 스텝 최소점을 지나쳐 그 주위를 진동하면서 수렴한다"),
    "bouncing": Text("jumps between two points forever, neither converging nor diverging",
                     "두 점 사이를 계속 오가며 수렴도 발산도 하지 않는다"),
    "diverging": Text("diverges: the error grows at every step", "발산한다: 매 스텝 오차가 커진다"),
}
CURVATURES = ("0.5", "1", "1.5", "2", "2.5", "4", "5")
LEARNING_RATES = grid("0.01", "1.5", "0.01")


def _regime(factor):
    if 0 < factor < 1:
        return "monotone"
    if -1 < factor < 0:
        return "oscillating"
    if factor == -1:
        return "bouncing"
    return "diverging" if factor < -1 else None


@lru_cache(maxsize=None)
def _template(k, n_decay):
    steps = [("r", 1 - 2 * a * eta, Text("each step multiplies the distance to the minimum by {r}",
                                         "매 스텝 최소점까지의 거리에 {r}이 곱해진다", {"r": r}))]
    for t in range(1, k + 1):
        previous = sym(f"x_{t - 1}")
        steps.append((f"g_{t}", 2 * a * (previous - b),
                      Text("the gradient {rule}", "기울기 {rule}",
                           {"rule": sp.Eq(sp.Derivative(sp.Function("f")(sym("x")), sym("x")), 2 * a * (sym("x") - b),
                                                  evaluate=False)})
                      if t == 1 else None))
        steps.append((f"x_{t}", previous - eta * sym(f"g_{t}"), None))
    steps.append(("eta_c", 1 / a, Text("{r1} exactly when {eta1}", "{eta1}일 때에만 {r1}이다",
                                       {"r1": sp.Lt(sp.Abs(r), 1), "eta1": sp.Lt(eta, 1 / a)})))
    for j in range(1, n_decay + 1):
        steps.append((f"eta_{j}", sym("eta_0") / (1 + sym("d") * sym(f"i_{j}")), None))
    return tuple(steps)


def sample(rng) -> dict:
    regime = choose(rng, ("monotone", "oscillating", "diverging"))
    while True:
        curvature, lr = dec(choose(rng, CURVATURES)), choose(rng, LEARNING_RATES)
        # Stay clear of the boundaries r = 0 (one step lands on the minimum) and r = -1.
        if _regime(1 - 2 * curvature * lr) == regime and 0.15 <= abs(1 - 2 * curvature * lr) <= 1.8 \
                and abs(abs(1 - 2 * curvature * lr) - 1) >= 0.1:
            break
    minimum = choose(rng, grid("-2", "2", "0.5", nonzero=False))
    start = minimum + choose(rng, grid("-2", "2", "0.5"))
    n_decay = choose(rng, (1, 2))
    return {"a": curvature, "b": minimum, "x_0": start, "eta": lr, "k": choose(rng, (3, 4)),
            "eta_0": dec(choose(rng, ("0.1", "0.01", "0.5", "0.05"))),
            "decay": dec(choose(rng, ("0.1", "0.01", "0.001", "0.5"))),
            "iterations": sorted(int(i) for i in rng.choice([10, 50, 100, 200, 500, 1000], n_decay, replace=False))}


def solve(params) -> Problem:
    k, iterations = params["k"], params["iterations"]
    key = Key()
    key.given("a", params["a"], Text("coefficient of the loss", "손실 함수의 계수"))
    key.given("b", params["b"], Text("minimiser of the loss", "손실 함수의 최소점"))
    key.given("x_0", params["x_0"], Text("starting point", "시작점"))
    key.given("eta", params["eta"], Text("learning rate", "학습률"))
    key.given("eta_0", params["eta_0"], Text("initial learning rate of the decay schedule", "감소 스케줄의 초기 학습률"))
    key.given("d", params["decay"], Text("decay constant", "감소 상수(decay)"))
    for j, i in enumerate(iterations, start=1):
        key.given(f"i_{j}", i, Text("iterations", "이터레이션"))
    for name, formula, note in _template(k, len(iterations)):
        key.step(name, formula, note)
    regime = _regime(key["r"])

    path = ref.gradient_descent_quadratic(float(params["a"]), float(params["b"]), float(params["x_0"]),
                                          float(params["eta"]), k)
    questions = [Question(key=f"x_{t}", answer=key[f"x_{t}"], reference=float(path[t]),
                          prompt=Text("the iterate {x} after step {t}", "스텝 {t} 후의 값 {x}",
                                      {"x": sym(f"x_{t}"), "t": t}))
                 for t in range(1, k + 1)]
    questions.append(Question(key="regime", kind="choice", answer=regime, choices=dict(REGIMES),
                              prompt=Text("With this learning rate, gradient descent ...",
                                          "이 학습률로 경사 하강법을 계속하면 ...")))
    questions.append(Question(key="eta_c", answer=key["eta_c"], reference=1.0 / float(params["a"]),
                              prompt=Text("the critical learning rate {eta_c}: gradient descent on this loss "
                                          "diverges for every learning rate above it",
                                          "임계 학습률 {eta_c}: 이보다 큰 학습률에서는 경사 하강법이 발산한다",
                                          {"eta_c": sym("eta_c")})))
    # the decayed rate at iteration i is eta_i by the schedule's own notation (eta_200, not eta_1)
    display = {f"eta_{j}": sym(f"eta_{i}") for j, i in enumerate(iterations, start=1)}
    for j, i in enumerate(iterations, start=1):
        questions.append(Question(
            key=f"eta_{i}", answer=key[f"eta_{j}"],
            reference=float(ref.time_based_decay(float(params["eta_0"]), float(params["decay"]), i)),
            prompt=Text("the decayed learning rate {eta_i} at iteration {i}", "이터레이션 {i}에서 감소된 학습률 {eta_i}",
                        {"eta_i": sym(f"eta_{j}"), "i": i})))

    x = sym("x")
    intro = [
        Text("Gradient descent minimises the loss {f} with learning rate {eta}, starting from {x0}:",
             "경사 하강법으로 손실 함수 {f}를 학습률 {eta}로 최소화한다. 시작점은 {x0}이다.",
             {"f": sp.Eq(sp.Function("f")(x), a * (x - b) ** 2, evaluate=False), "eta": eta, "x0": sym("x_0")}),
        Text("{rule}", "{rule}", {"rule": sp.Eq(sym("x_t"), sym("x_t-1") - eta * 2 * a * (sym("x_t-1") - b),
                                               evaluate=False)}),
        Text("Compute {k} steps, say how the iteration behaves, and find the critical learning rate.",
             "{k}번의 스텝을 계산하고, 반복이 어떻게 진행되는지 답하고, 임계 학습률을 구하시오.", {"k": k}),
        Text("Time-based decay (the decay argument of the Keras optimizers in the course notes) lowers the learning rate "
             "at iteration i to {rule}.",
             "시간 기반 학습률 감소(강의 노트에 나오는 케라스 옵티마이저의 decay 인자)는 이터레이션 i의 학습률을 {rule}로 줄인다.",
             {"rule": sp.Eq(sym("eta_i"), sym("eta_0") / (1 + sym("d") * sym("i")), evaluate=False)}),
    ]
    remarks = [Text(
        "A learning rate that is too large overshoots the minimum and, above {eta_c}, makes the error grow at "
        "every step; one that is too small converges slowly. Here {half} would reach the minimum in one step.",
        "학습률이 너무 크면 최소점을 지나치고, {eta_c}보다 크면 매 스텝 오차가 커져 발산한다. 너무 작으면 수렴이 "
        "느리다. 이 손실 함수에서는 {half}이면 한 번에 최소점에 도달한다.",
        {"eta_c": sp.Eq(sym("eta_c"), 1 / a, evaluate=False), "half": sp.Eq(eta, 1 / (2 * a), evaluate=False)})]
    return Problem(family="", variant="", title=Text("Learning rate: gradient descent on a quadratic",
                                                           "학습률: 이차 함수에서의 경사 하강법"),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps, remarks=remarks,
                   display=display, make_mistakes=lambda: alternatives(key, questions, MISTAKES),
                   figure=plot("quadratic", {"a": float(params["a"]), "b": float(params["b"]), "x0": float(params["x_0"]),
                                             "eta": float(params["eta"]), "path": tuple(float(x) for x in path)}))


def _no_two(name, formula):
    if name.startswith("g_"):
        return formula / 2
    return 2 / a if name == "eta_c" else formula


MISTAKES = (
    ("no_factor_2", ("this is what you get without the 2 of the derivative: the gradient of a(x - b)^2 is 2a(x - b)",
                     "미분의 2를 빠뜨리면 나오는 값이다: a(x - b)^2의 기울기는 2a(x - b)이다"), _no_two),
    ("added_gradient", ("this is what you get if you add the gradient: each step moves against the gradient",
                        "기울기 방향으로 더하면 나오는 값이다: 스텝은 기울기의 반대 방향으로 움직인다"),
     lambda name, f: f.subs(eta, -eta) if name.startswith("x_") else f),
    ("no_eta", ("this is what you get if you forget the learning rate eta in the update",
                "업데이트에서 학습률(eta)을 빠뜨리면 나오는 값이다"),
     lambda name, f: f.subs(eta, 1) if name.startswith("x_") else f),
    ("overshoot_bound", ("this is 1/(2a), where overshooting begins: gradient descent diverges only above twice that",
                         "1/(2a)는 최소점을 지나치기 시작하는 학습률이다: 발산은 그 두 배보다 클 때 일어난다"),
     lambda name, f: 1 / (2 * a) if name == "eta_c" else f),
)
