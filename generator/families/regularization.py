"""Family 10: regularization — an L1 or L2 penalty, its gradient and the update with weight
decay; then inverted dropout or max-norm.

Structure: L1 or L2, the shape of the weight matrix and which entry is updated, and the second
part (inverted dropout of a layer's activations, or max-norm rescaling of a layer's incoming
weights). Conventions are the contract's (``exercises/regularization.py``, ``layers.py``):
the L2 penalty is lam * sum w^2 (Keras ``l2``), its gradient 2 lam w; the L1 penalty
lam * sum |w|, its gradient lam sign(w); inverted dropout multiplies the kept activations by
1 / (1 - rate); max-norm rescales a unit's incoming weights (a column, axis 0) whose L2 norm
exceeds c down to norm c.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, dec, distinct, fill, grid
from generator.notation import sym
from generator.model import Problem, Question, Text
from solutions import layers as ref_layers
from solutions import regularization as ref

SHAPES = ((2, 2), (2, 3), (3, 2))
lam, eta = sym("lambda"), sym("eta")
PENALTIES = {
    "l2": Text("L2 (weight decay)", "L2(가중치 감소)"),
    "l1": Text("L1", "L1"),
}


def _w(i, j):
    return sym(f"w_{i},{j}")


@lru_cache(maxsize=None)
def _penalty_template(penalty, shape, entry):
    rows, cols = shape
    weights = [_w(i, j) for i in range(1, rows + 1) for j in range(1, cols + 1)]
    w = _w(*entry)
    if penalty == "l2":
        total, grad = lam * sp.Add(*[x**2 for x in weights]), 2 * lam * w
    else:
        total, grad = lam * sp.Add(*[sp.Abs(x) for x in weights]), lam * sp.sign(w)
    return (("P", total), ("R", grad), ("G", sp.Add(sym("g"), sym("R"), evaluate=False)),
            (f"w_{entry[0]},{entry[1]}^+", w - eta * sym("G")))


@lru_cache(maxsize=None)
def _dropout_template(n):
    steps = [("s", 1 / (1 - sym("p")))]
    steps += [(f"y_{i}", sym(f"a_{i}") * sym(f"m_{i}") * sym("s")) for i in range(1, n + 1)]
    return tuple(steps)


@lru_cache(maxsize=None)
def _max_norm_template(rows, cols):
    steps = []
    for j in range(1, cols + 1):
        steps.append((f"n_{j}", sp.sqrt(sp.Add(*[sym(f"v_{i},{j}") ** 2 for i in range(1, rows + 1)]))))
        steps.append((f"f_{j}", sp.Min(1, sym("c") / sym(f"n_{j}"))))
        steps += [(f"v'_{i},{j}", sym(f"v_{i},{j}") * sym(f"f_{j}")) for i in range(1, rows + 1)]
    return tuple(steps)


def sample(rng) -> dict:
    shape = choose(rng, SHAPES)
    params = {
        "penalty": choose(rng, tuple(PENALTIES)),
        "W": [[choose(rng, grid("-1.5", "1.5", "0.1")) for _ in range(shape[1])] for _ in range(shape[0])],
        "entry": (int(rng.integers(shape[0])) + 1, int(rng.integers(shape[1])) + 1),
        "lambda": dec(choose(rng, ("0.01", "0.001", "0.1", "0.05"))),
        "eta": dec(choose(rng, ("0.1", "0.01", "0.5"))),
        "g": choose(rng, grid("-0.9", "0.9", "0.05")),
        "part": choose(rng, ("dropout", "max_norm")),
    }
    if params["part"] == "dropout":
        n = choose(rng, (4, 5))
        params["rate"] = dec(choose(rng, ("0.2", "0.25", "0.5", "0.4")))
        # as many units dropped as the rate says (rounded; at least one dropped, one kept): a
        # fair coin per unit dropped four of five at a rate of 0.25, which no one would believe
        dropped = max(1, min(n - 1, int(params["rate"] * n + dec("0.5"))))
        params["mask"] = [0 if int(rank) < dropped else 1 for rank in rng.permutation(n)]
        params["activations"] = distinct(rng, grid("0.1", "2", "0.1"), n)
    else:
        rows = choose(rng, (2, 3))
        params["c"] = dec(choose(rng, ("1", "1.5", "2")))
        columns = []
        for too_long in (True, False):
            while True:
                column = [choose(rng, grid("-1.6", "1.6", "0.2")) for _ in range(rows)]
                norm2 = sum(x**2 for x in column)
                # Clearly over or clearly under the limit, never on it.
                if (norm2 > (params["c"] + dec("0.1")) ** 2) if too_long else (norm2 < (params["c"] - dec("0.1")) ** 2):
                    columns.append(column)
                    break
        if rng.integers(2):
            columns.reverse()
        params["V"] = [[columns[j][i] for j in range(2)] for i in range(rows)]
    return params


def solve(params) -> Problem:
    penalty, W, entry = params["penalty"], params["W"], tuple(params["entry"])
    shape = (len(W), len(W[0]))
    key = Key()
    for i, row in enumerate(W, start=1):
        for j, x in enumerate(row, start=1):
            key.given(f"w_{i},{j}", x, Text("weights", "가중치"))
    key.given("lambda", params["lambda"], Text("regularization strength", "규제 강도"))
    key.given("g", params["g"], Text("gradient of the data loss with respect to {w}",
                                     "{w}에 대한 데이터 손실의 기울기", {"w": _w(*entry)}))
    key.given("eta", params["eta"], Text("learning rate", "학습률"))
    key.statement("part_a", fill(Text("(a) [name] penalty and the update", "(a) [name] 규제와 갱신"),
                                 name=PENALTIES[penalty]))
    for name, formula in _penalty_template(penalty, shape, entry):
        key.step(name, formula)

    W_ = np.array(W, dtype=float)
    i, j = entry[0] - 1, entry[1] - 1
    lam_, eta_, g_ = float(params["lambda"]), float(params["eta"]), float(params["g"])
    penalty_value = (ref.l2_penalty if penalty == "l2" else ref.l1_penalty)(W_, lam_)
    penalty_grad = (ref.l2_grad if penalty == "l2" else ref.l1_grad)(W_, lam_)[i, j]
    w_sym, updated = _w(*entry), f"w_{entry[0]},{entry[1]}^+"
    questions = [
        Question(key="P", answer=key["P"], reference=float(penalty_value),
                 prompt=Text("the penalty {P} added to the loss", "손실에 더해지는 규제 항 {P}", {"P": sym("P")})),
        Question(key="R", answer=key["R"], reference=float(penalty_grad),
                 prompt=Text("the penalty's gradient {R} with respect to {w}", "{w}에 대한 규제 항의 기울기 {R}",
                             {"R": sym("R"), "w": w_sym})),
        Question(key="w_new", answer=key[updated], reference=float(W_[i, j] - eta_ * (g_ + penalty_grad)),
                 prompt=Text("the updated weight {w_new} after one gradient-descent step",
                             "경사 하강법 한 스텝 후의 가중치 {w_new}", {"w_new": sym(updated)})),
    ]
    intro = [fill(Text(
        "(a) A layer's weights W are regularized with the [name] penalty {P}, summed over all its weights. For the "
        "weight {w}, whose data-loss gradient is {g}, compute the penalty, its gradient, and the weight after one "
        "gradient-descent step on the regularized loss.",
        "(a) 층의 가중치 W에 [name] 규제를 건다. 규제 항은 모든 가중치에 대해 더한 {P}이다. 데이터 손실의 기울기가 {g}인 가중치 "
        "{w}에 대해 규제 항, 그 기울기, 규제된 손실에 대한 경사 하강법 한 스텝 후의 가중치를 구하시오.",
        {"P": sp.Eq(sym("P"), lam * _penalty_shape(penalty, shape), evaluate=False), "w": w_sym, "g": sym("g")}),
        name=PENALTIES[penalty])]
    if params["part"] == "dropout":
        _dropout(params, key, questions, intro)
    else:
        _max_norm(params, key, questions, intro)
    return Problem(family="", variant="",
                   title=fill(Text("Regularization: [name] and [part]", "규제: [name] 규제와 [part]"),
                              name=PENALTIES[penalty], part=PARTS[params["part"]]),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps,
                   remarks=[REMARKS[params["part"]]],
                   make_mistakes=lambda: alternatives(key, questions, MISTAKES))


@lru_cache(maxsize=None)
def _penalty_shape(penalty, shape):
    """The penalty's sum over a weight matrix of ``shape`` (one object per penalty and shape)."""
    w = sym("w_i,j")
    return sp.Sum(w**2 if penalty == "l2" else sp.Abs(w), (sym("i"), 1, shape[0]), (sym("j"), 1, shape[1]))


PARTS = {"dropout": Text("dropout", "드롭아웃"), "max_norm": Text("max-norm", "최대 노름 제약(max-norm)")}
REMARKS = {
    "dropout": Text(
        "Dividing the kept activations by the keep probability {q} keeps their expected value unchanged, so "
        "nothing needs rescaling at test time, when dropout is switched off.",
        "남은 활성화 값을 보존 확률 {q}로 나누면 기댓값이 그대로이므로, 드롭아웃을 끄는 테스트 때 따로 조정할 필요가 "
        "없다.", {"q": 1 - sym("p")}),
    "max_norm": Text(
        "Max-norm adds no term to the loss: after each update it shrinks any unit's incoming weight vector whose "
        "norm exceeds {c} back to norm {c}, keeping its direction.",
        "최대 노름 제약은 손실 함수에 규제 항을 더하지 않는다. 매 갱신 후 노름이 {c}를 넘는 뉴런의 입력 가중치 벡터를 방향은 "
        "그대로 두고 노름이 {c}가 되도록 줄인다.", {"c": sym("c")}),
}


def _dropout(params, key, questions, intro):
    n = len(params["activations"])
    for i, x in enumerate(params["activations"], start=1):
        key.given(f"a_{i}", x, Text("activations", "활성화 값"))
    for i, m in enumerate(params["mask"], start=1):
        key.given(f"m_{i}", m, Text("mask (1 kept, 0 dropped)", "마스크(1 유지, 0 드롭)"))
    key.given("p", params["rate"], Text("dropout rate", "드롭아웃 비율"))
    key.statement("part_b", Text("(b) inverted dropout", "(b) 역 드롭아웃(inverted dropout)"))
    for name, formula in _dropout_template(n):
        key.step(name, formula, Text("one over the keep probability {q}", "보존 확률 {q}의 역수", {"q": 1 - sym("p")}) if name == "s" else None)
    out = ref_layers.dropout_forward(np.array(params["activations"], dtype=float),
                                     np.array(params["mask"], dtype=bool), float(params["rate"]))
    questions.append(Question(key="s", answer=key["s"], reference=1.0 / (1.0 - float(params["rate"])),
                              prompt=Text("the scale {s} applied to the kept activations",
                                          "남은 활성화 값에 곱하는 배율 {s}", {"s": sym("s")})))
    for i in range(1, n + 1):
        questions.append(Question(key=f"y_{i}", answer=key[f"y_{i}"], reference=float(out[i - 1]),
                                  prompt=Text("the output {y}", "출력 {y}", {"y": sym(f"y_{i}")})))
    intro.append(Text(
        "(b) During training, a layer with dropout rate {p} receives the activations {a} and the mask {m} below. "
        "With inverted dropout, compute the outputs {y}.",
        "(b) 학습 중에 드롭아웃 비율이 {p}인 층이 아래의 활성화 값 {a}와 마스크 {m}를 받는다. 역 드롭아웃으로 출력 "
        "{y}를 구하시오.",
        {"p": sym("p"), "a": sym("a_i"), "m": sym("m_i"),
         "y": sp.Eq(sym("y_i"), sym("a_i") * sym("m_i") / (1 - sym("p")), evaluate=False)}))


def _max_norm(params, key, questions, intro):
    V = params["V"]
    rows, cols = len(V), len(V[0])
    for i, row in enumerate(V, start=1):
        for j, x in enumerate(row, start=1):
            key.given(f"v_{i},{j}", x, Text("incoming weights (column j feeds unit j)", "입력 가중치(열 j가 뉴런 j로)"))
    key.given("c", params["c"], Text("max-norm limit", "최대 노름 한곗값"))
    key.statement("part_b", Text("(b) max-norm", "(b) 최대 노름 제약(max-norm)"))
    for name, formula in _max_norm_template(rows, cols):
        note = None
        if name.startswith("f_"):
            note = Text("1 if the norm is within the limit", "노름이 한곗값 이내이면 1")
        key.step(name, formula, note)
    rescaled = ref.max_norm(np.array(V, dtype=float), float(params["c"]), axis=0)
    norms = np.sqrt((np.array(V, dtype=float) ** 2).sum(axis=0))
    for j in range(1, cols + 1):
        questions.append(Question(key=f"n_{j}", answer=key[f"n_{j}"], reference=float(norms[j - 1]),
                                  prompt=Text("the norm {n} of unit {j}'s incoming weights",
                                              "뉴런 {j}의 입력 가중치의 노름 {n}", {"n": sym(f"n_{j}"), "j": j})))
    for j in range(1, cols + 1):
        if key[f"f_{j}"] == 1:
            continue  # within the limit: unchanged, no blank needed
        for i in range(1, rows + 1):
            questions.append(Question(key=f"v_{i}_{j}", answer=key[f"v'_{i},{j}"],
                                      reference=float(rescaled[i - 1, j - 1]),
                                      prompt=Text("the weight {v} after max-norm", "최대 노름 제약 후의 가중치 {v}",
                                                  {"v": sym(f"v'_{i},{j}")})))
    intro.append(Text(
        "(b) Another layer's incoming weights V are constrained by max-norm with limit {c}: every column (the "
        "weights into one unit) whose L2 norm exceeds {c} is scaled down to norm {c}. Compute the norms and the "
        "weights after max-norm.",
        "(b) 다른 층의 입력 가중치 V에 한곗값 {c}의 최대 노름 제약(max-norm)을 적용한다. L2 노름이 {c}를 넘는 열(한 뉴런으로 들어오는 "
        "가중치)은 노름이 {c}가 되도록 줄인다. 각 열의 노름과 최대 노름 제약 후의 가중치를 구하시오.", {"c": sym("c")}))


#: 2 lambda w versus lambda w (the derivative of lambda w^2 keeps its 2); dropout not rescaled; the update
#: without the penalty's gradient (w - eta g); the dropout scale written as 1 - p for 1/(1 - p); the update
#: without the learning rate (w - G), as output_update names it
MISTAKES = (
    ("lambda_w", ("this is what you get with lambda w: the derivative of lambda w^2 is 2 lambda w",
                  "lambda w를 쓰면 나오는 값이다: lambda w^2의 미분은 2 lambda w이다"),
     lambda name, f: f / 2 if name == "R" and f.is_Mul and sp.Integer(2) in f.args else f),
    ("dropout_not_rescaled", ("this is what you get without the rescaling by 1/(1 - p): inverted dropout divides the "
                              "kept activations by the keep probability",
                              "1/(1 - p)로 키우지 않으면 나오는 값이다: 역 드롭아웃은 남은 활성화 값을 보존 확률로 나눈다"),
     lambda name, f: sp.Integer(1) if name == "s" else f),
    ("no_penalty_gradient", ("this is what you get if you leave out the penalty's gradient: the step follows the "
                             "gradient of the regularized loss, the data-loss gradient plus the penalty's",
                             "규제 항의 기울기를 빠뜨리면 나오는 값이다: 경사 하강법은 규제된 손실의 기울기, 곧 데이터 손실의 "
                             "기울기에 규제 항의 기울기를 더한 값을 따라간다"),
     lambda name, f: sym("g") if name == "G" else f),
    ("keep_probability_scale", ("this is what you get with the keep probability 1 - p as the scale: inverted dropout "
                                "divides the kept activations by it, a scale of 1/(1 - p)",
                                "보존 확률 1 - p를 배율로 쓰면 나오는 값이다: 역 드롭아웃은 남은 활성화 값을 보존 확률로 "
                                "나누므로 배율은 1/(1 - p)이다"),
     lambda name, f: 1 - sym("p") if name == "s" else f),
    ("no_eta", ("this is what you get if you forget the learning rate eta in the update",
                "업데이트에서 학습률(eta)을 빠뜨리면 나오는 값이다"),
     lambda name, f: f.subs(eta, 1) if name.endswith("^+") else f),
)
