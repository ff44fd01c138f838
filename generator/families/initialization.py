"""Family 12: weight initialization — Xavier (Glorot) and He limits and standard deviations,
and why all-equal weights never break the symmetry between hidden units.

Part (a): for a layer with n_in inputs and n_out outputs, Xavier uniform draws from U(-l, l)
with l = sqrt(6 / (n_in + n_out)) and Xavier normal has standard deviation
sqrt(2 / (n_in + n_out)); He uniform has l = sqrt(6 / n_in) and He normal standard deviation
sqrt(2 / n_in) (the contract's ``glorot_uniform`` and ``he_normal``). U(-l, l) has variance
l^2 / 3, so the uniform and normal versions have the same variance. Xavier suits sigmoid and
tanh, He suits ReLU.

Part (b): a sigmoid network (no biases, E = 1/2 sum (t - o)^2) whose first-layer weights are
all one value and second-layer weights all another: every hidden unit computes the same
value and receives the same gradient, so gradient descent keeps them identical forever.
Structure: the layer sizes, the activation, uniform or normal, and the network's shape.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, fill, grid
from generator.notation import sym
from generator.model import Problem, Question, Text
from generator.notation import Partial, chain, sigma
from solutions import network as ref_network

LAYERS = ((784, 256), (256, 128), (128, 64), (64, 10), (300, 100), (100, 50), (512, 512), (20, 10),
          (50, 25), (1024, 512), (32, 16), (400, 200))
ACTIVATIONS = {"relu": ("he", Text("ReLU", "렐루(ReLU)")),
               "tanh": ("xavier", Text("tanh", "하이퍼볼릭 탄젠트(tanh)")),
               "sigmoid": ("xavier", Text("sigmoid", "시그모이드"))}
SCHEMES = {"xavier": Text("Xavier (Glorot) initialization", "Xavier(Glorot) 초기화"),
           "he": Text("He initialization", "He 초기화"),
           "small": Text("`RandomNormal(stddev=0.05)` whatever the layer size",
                         "층 크기와 상관없이 `RandomNormal(stddev=0.05)`")}
SYMMETRY = {
    "stay_equal": Text("stay identical after every update: the hidden units never become different",
                       "매 갱신 후에도 똑같이 유지된다: 은닉 뉴런들이 결코 달라지지 않는다"),
    "split_first_step": Text("become different after the first gradient-descent step",
                             "경사 하강법 첫 스텝 후에 서로 달라진다"),
    "split_small_lr": Text("become different if the learning rate is small enough",
                           "학습률이 충분히 작으면 서로 달라진다"),
}
n_in, n_out = sym("n_in"), sym("n_out")


def _root(numerator, denominator):
    """sqrt(numerator / denominator), printed that way (sympy would split it)."""
    return sp.Pow(sp.Mul(numerator, sp.Pow(denominator, -1), evaluate=False), sp.Rational(1, 2), evaluate=False)


@lru_cache(maxsize=None)
def _init_template(distribution):
    if distribution == "uniform":
        return (("xavier", _root(6, n_in + n_out)), ("he", _root(6, n_in)),
                ("var_xavier", sp.Mul(sp.Rational(1, 3), sym("xavier") ** 2, evaluate=False)),
                ("var_he", sp.Mul(sp.Rational(1, 3), sym("he") ** 2, evaluate=False)))
    return (("xavier", _root(2, n_in + n_out)), ("he", _root(2, n_in)),
            ("var_xavier", sym("xavier") ** 2), ("var_he", sym("he") ** 2))


@lru_cache(maxsize=None)
def _network_template(hidden, outputs):
    steps = []
    for j in range(1, hidden + 1):
        steps.append((f"z_{j}", sym(f"w_1,{j}") * sym("x_1") + sym(f"w_2,{j}") * sym("x_2")))
        steps.append((f"h_{j}", sigma(sym(f"z_{j}"))))
    for k in range(1, outputs + 1):
        steps.append((f"u_{k}", sp.Add(*[sym(f"v_{j},{k}") * sym(f"h_{j}") for j in range(1, hidden + 1)])))
        steps.append((f"o_{k}", sigma(sym(f"u_{k}"))))
    for k in range(1, outputs + 1):
        o = sym(f"o_{k}")
        steps.append((f"delta_o,{k}", (o - sym(f"t_{k}")) * o * (1 - o)))
    for k in range(1, outputs + 1):
        for j in range(1, hidden + 1):
            steps.append((f"dE_dv_{j},{k}", sym(f"delta_o,{k}") * sym(f"h_{j}")))
    for j in range(1, hidden + 1):
        h = sym(f"h_{j}")
        if outputs == 1:    # written h_j(1 - h_j) delta^o_1 v_j,1, in the order of the two-output sum
            steps.append((f"delta_h,{j}", chain(h, 1 - h, sym("delta_o,1"), sym(f"v_{j},1"))))
        else:
            back = sp.Add(*[sym(f"delta_o,{k}") * sym(f"v_{j},{k}") for k in range(1, outputs + 1)])
            steps.append((f"delta_h,{j}", back * h * (1 - h)))
    for i in (1, 2):
        for j in range(1, hidden + 1):
            steps.append((f"dE_dw_{i},{j}", sym(f"delta_h,{j}") * sym(f"x_{i}")))
    return tuple(steps)


def sample(rng) -> dict:
    hidden, outputs = choose(rng, ((2, 1), (3, 1), (2, 2)))
    while True:
        params = {
            "layer": choose(rng, LAYERS), "activation": choose(rng, tuple(ACTIVATIONS)),
            "distribution": choose(rng, ("uniform", "normal")), "hidden": hidden, "outputs": outputs,
            "c_w": choose(rng, grid("0.1", "0.9", "0.05")), "c_v": choose(rng, grid("0.1", "0.9", "0.05")),
            "x": [choose(rng, grid("0.1", "1", "0.1")) for _ in range(2)],
            "t": [choose(rng, grid("0.05", "0.95", "0.05")) for _ in range(outputs)],
        }
        _h, o = _forward(params)
        if np.min(np.abs(o - np.array(params["t"], dtype=float))) > 0.05:  # clearly nonzero gradients
            return params


def _matrices(params):
    hidden, outputs = params["hidden"], params["outputs"]
    W1 = np.full((2, hidden), float(params["c_w"]))
    W2 = np.full((hidden, outputs), float(params["c_v"]))
    return W1, np.zeros(hidden), W2, np.zeros(outputs)


def _forward(params):
    W1, b1, W2, b2 = _matrices(params)
    return ref_network.forward(np.array([params["x"]], dtype=float), W1, b1, W2, b2)


def solve(params) -> Problem:
    fan_in, fan_out = params["layer"]
    hidden, outputs, distribution = params["hidden"], params["outputs"], params["distribution"]
    activation = params["activation"]
    right = ACTIVATIONS[activation][0]
    key = Key()
    key.given("n_in", fan_in, Text("inputs of the layer (`fan_in`)", "층의 입력 수(`fan_in`)"))
    key.given("n_out", fan_out, Text("outputs of the layer (`fan_out`)", "층의 출력 수(`fan_out`)"))
    for i in (1, 2):
        key.given(f"x_{i}", params["x"][i - 1], Text("inputs of the network in (b)", "(b) 신경망의 입력"))
    for k in range(1, outputs + 1):
        key.given(f"t_{k}", params["t"][k - 1], Text("targets", "목푯값"))
    for i in (1, 2):
        for j in range(1, hidden + 1):
            key.given(f"w_{i},{j}", params["c_w"], Text("first-layer weights (all equal)", "첫째 층 가중치(모두 같음)"))
    for j in range(1, hidden + 1):
        for k in range(1, outputs + 1):
            key.given(f"v_{j},{k}", params["c_v"], Text("second-layer weights (all equal)", "둘째 층 가중치(모두 같음)"))

    key.statement("part_a", Text("(a) limits of Xavier and He uniform initialization",
                                 "(a) Xavier·He 균등 분포 초기화의 경곗값")
                  if distribution == "uniform" else
                  Text("(a) standard deviations of Xavier and He normal initialization",
                       "(a) Xavier·He 정규 분포 초기화의 표준 편차"))
    notes = {"xavier": Text("Xavier (Glorot) initialization", "Xavier(Glorot) 초기화"),
             "he": Text("He initialization", "He 초기화"),
             "var_xavier": Text("variance of the Xavier distribution", "Xavier 분포의 분산"),
             "var_he": Text("variance of the He distribution", "He 분포의 분산")}
    for name, formula in _init_template(distribution):
        key.step(name, formula, notes[name])
    key.statement("part_b", Text("(b) forward and backward pass with all-equal weights",
                                 "(b) 모든 가중치가 같을 때의 순전파와 역전파"))
    for name, formula in _network_template(hidden, outputs):
        key.step(name, formula)

    what = Text("limit", "경곗값") if distribution == "uniform" else Text("standard deviation", "표준 편차")
    # float64 references: part (a) straight from the definitions (solutions/ only samples),
    # part (b) through solutions.network.backward.
    total = float(fan_in + fan_out)
    scale = 6.0 if distribution == "uniform" else 2.0
    ref_a = {"xavier": np.sqrt(scale / total), "he": np.sqrt(scale / fan_in)}
    W1, b1, W2, b2 = _matrices(params)
    dW1, _db1, dW2, _db2 = ref_network.backward(np.array([params["x"]], dtype=float),
                                                np.array([params["t"]], dtype=float), W1, b1, W2, b2)
    questions = [
        Question(key="xavier", answer=key["xavier"], reference=float(ref_a["xavier"]),
                 prompt=fill(Text("the Xavier (Glorot) [what] {l}", "Xavier(Glorot) 초기화의 [what] {l}",
                                  {"l": sym("xavier")}), what=what)),
        Question(key="he", answer=key["he"], reference=float(ref_a["he"]),
                 prompt=fill(Text("the He [what] {l}", "He 초기화의 [what] {l}", {"l": sym("he")}), what=what)),
        Question(key="scheme", kind="choice", answer=right, choices=dict(SCHEMES),
                 prompt=fill(Text("Which initialization suits this layer if its activation is [f]?",
                                  "이 층의 활성화 함수가 [f]이면 어떤 초기화가 알맞은가?"),
                             f=ACTIVATIONS[activation][1])),
        Question(key="dE_dw_1_1", answer=key["dE_dw_1,1"], reference=float(dW1[0, 0]),
                 prompt=Text("the gradient {g}", "기울기 {g}", {"g": sym("dE_dw_1,1")})),
        Question(key="dE_dw_1_2", answer=key["dE_dw_1,2"], reference=float(dW1[0, 1]),
                 prompt=Text("the gradient {g}", "기울기 {g}", {"g": sym("dE_dw_1,2")})),
        Question(key="dE_dv_1_1", answer=key["dE_dv_1,1"], reference=float(dW2[0, 0]),
                 prompt=Text("the gradient {g}", "기울기 {g}", {"g": sym("dE_dv_1,1")})),
        Question(key="symmetry", kind="choice", answer="stay_equal", choices=dict(SYMMETRY),
                 prompt=Text("Training this network by gradient descent from these weights, the hidden units' "
                             "weights ...",
                             "이 가중치에서 시작해 경사 하강법으로 학습하면 은닉 뉴런들의 가중치는 ...")),
    ]

    # the standard deviation is s: sigma is the sigmoid of part (b) (and of the whole sheet)
    letter = "l" if distribution == "uniform" else "s"
    display = {"xavier": sym(f"{letter}_Xavier"), "he": sym(f"{letter}_He"),
               "var_xavier": sym("Var_Xavier"), "var_he": sym("Var_He")}
    for i in (1, 2):
        for j in range(1, hidden + 1):
            display[f"dE_dw_{i},{j}"] = Partial(sym("E"), sym(f"w_{i},{j}"))
    for j in range(1, hidden + 1):
        for k in range(1, outputs + 1):
            display[f"dE_dv_{j},{k}"] = Partial(sym("E"), sym(f"v_{j},{k}"))
    for k in range(1, outputs + 1):
        display[f"delta_o,{k}"] = sym(f"delta^o_{k}")
    for j in range(1, hidden + 1):
        display[f"delta_h,{j}"] = sym(f"delta^h_{j}")

    loss = sp.Eq(sym("E"), sp.Rational(1, 2) * sp.Add(*[(sym(f"t_{k}") - sym(f"o_{k}")) ** 2
                                                         for k in range(1, outputs + 1)]), evaluate=False)
    if distribution == "uniform":
        part_a = Text("(a) A dense layer has {nin} inputs and {nout} outputs. Xavier (Glorot) and He uniform "
                      "initialization draw its weights from {U}: compute the limit {l} of each, and choose the one "
                      "that suits the layer's activation.",
                      "(a) 완전 연결층의 입력 수가 {nin}, 출력 수가 {nout}이다. Xavier(Glorot)와 He의 균등 분포 초기화는 "
                      "가중치를 {U}에서 뽑는다. 각각의 경곗값 {l}을 구하고, 층의 활성화 함수에 알맞은 초기화를 고르시오.",
                      {"nin": n_in, "nout": n_out, "U": sp.Function("U")(-sym("l"), sym("l")), "l": sym("l")})
    else:
        part_a = Text("(a) A dense layer has {nin} inputs and {nout} outputs. Compute the standard deviation {s} of "
                      "Xavier (Glorot) and of He normal initialization, and choose the one that suits the layer's "
                      "activation.",
                      "(a) 완전 연결층의 입력 수가 {nin}, 출력 수가 {nout}이다. Xavier(Glorot)와 He의 정규 분포 초기화 "
                      "각각의 표준 편차 {s}를 구하고, 층의 활성화 함수에 알맞은 초기화를 고르시오.",
                      {"nin": n_in, "nout": n_out, "s": sym("s")})
    units = "output unit" if outputs == 1 else "output units"
    intro = [
        part_a,
        Text("(b) A network with inputs {x1}, {x2}, {H} sigmoid hidden units and {K} sigmoid " + units + ", without "
             "biases, is trained on {E}. All first-layer weights start equal, and so do all second-layer weights. "
             "Do the forward and backward pass and compare the gradients of different hidden units.",
             "(b) 입력이 {x1}, {x2}이고 시그모이드 은닉 뉴런 {H}개, 시그모이드 출력 뉴런 {K}개인 편향 없는 신경망을 "
             "{E}로 학습시킨다. 첫째 층 가중치는 모두 같은 값에서, 둘째 층 가중치도 모두 같은 값에서 시작한다. 순전파와 "
             "역전파를 하고 서로 다른 은닉 뉴런의 기울기를 비교하시오.",
             {"x1": sym("x_1"), "x2": sym("x_2"), "H": hidden, "K": outputs, "E": loss}),
    ]
    remarks = [Text(
        "Equal weights give every hidden unit the same input sum, the same output and the same delta, hence the "
        "same gradient and the same update: the units stay copies of each other, and a layer of a thousand units "
        "learns no more than one. Random initial weights break this symmetry.",
        "가중치가 모두 같으면 모든 은닉 뉴런의 입력 합, 출력, 델타가 같아서 기울기와 갱신도 같다. 뉴런들이 서로의 "
        "복사본으로 남아, 뉴런이 1000개여도 1개만 있는 것과 같다. 초기 가중치를 무작위로 정하면 이 대칭이 깨진다.")]
    return Problem(family="", variant="", title=Text("Weight initialization", "가중치 초기화"), intro=intro,
                   givens=key.givens, questions=questions, steps=key.steps, display=display, remarks=remarks,
                   figure=_figure(params), make_mistakes=lambda: _mistakes(key) + alternatives(key, questions, MISTAKES))


def _figure(params):
    hidden, outputs = params["hidden"], params["outputs"]
    edges = [(f"x_{i}", f"h_{j}", f"w_{i},{j}") for i in (1, 2) for j in range(1, hidden + 1)]
    edges += [(f"h_{j}", f"o_{k}", f"v_{j},{k}") for j in range(1, hidden + 1) for k in range(1, outputs + 1)]
    values = {w: params["c_w"] if w.startswith("w") else params["c_v"] for _a, _b, w in edges}
    values.update({"x_1": params["x"][0], "x_2": params["x"][1]})
    values.update({f"t_{k}": params["t"][k - 1] for k in range(1, outputs + 1)})
    return {"layers": [["x_1", "x_2"], [f"h_{j}" for j in range(1, hidden + 1)],
                       [f"o_{k}" for k in range(1, outputs + 1)]],
            "edges": edges, "values": values,
            "targets": {f"o_{k}": f"t_{k}" for k in range(1, outputs + 1)}}


def _mistakes(key):
    """He for Xavier and Xavier for He: the fan_in alone against fan_in + fan_out."""
    from generator.model import Mistake

    return [
        Mistake("xavier", "he_for_xavier", ("this is what you get with He's formula: Xavier uses fan_in + fan_out",
                                            "He 초기화 공식을 쓰면 나오는 값이다: Xavier는 fan_in + fan_out을 쓴다"),
                key["he"]),
        Mistake("he", "xavier_for_he", ("this is what you get with Xavier's formula: He uses fan_in alone",
                                        "Xavier 초기화 공식을 쓰면 나오는 값이다: He는 fan_in만 쓴다"),
                key["xavier"]),
    ]


def _no_sigmoid_derivative(name, formula):
    """delta^h_j without its sigmoid derivative h_j(1 - h_j): the backpropagated sum alone."""
    if not name.startswith("delta_h,"):
        return formula
    h = sym(f"h_{name.split(',')[1]}")
    return formula / (h * (1 - h))


MISTAKES = (
    ("no_hidden_sigmoid_derivative",
     ("this is what you get if you leave out the sigmoid derivative h_j(1 - h_j) of the hidden unit: the hidden delta "
      "is h_j(1 - h_j) times what comes back from the outputs",
      "은닉 뉴런의 시그모이드 함수 미분 h_j(1 - h_j)를 빠뜨리면 나오는 값이다: 은닉층의 델타는 출력층에서 돌아온 값에 "
      "h_j(1 - h_j)를 곱한 것이다"), _no_sigmoid_derivative),
)
