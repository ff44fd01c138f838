"""Family 11: batch normalization of a small batch (training mode).

Per feature j: the batch mean mu_j, the biased batch variance (divide by N), the normalized
x_hat = (x - mu_j) / sqrt(var_j + eps) and the output y = gamma_j x_hat + beta_j, as in the
contract's ``batchnorm_forward`` with eps = 1e-5. Structure: the batch size, the number of
features, and whether gamma and beta are their initial values (1 and 0) or learned ones.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, dec, distinct, grid
from generator.notation import hats, mean, sym
from generator.model import Problem, Question, Text
from generator.plots import plot
from solutions import layers as ref

SHAPES = ((3, 1), (4, 1), (5, 1), (3, 2), (4, 2))
EPS = dec("1e-5")


@lru_cache(maxsize=None)
def _template(n, d):
    steps = []
    for j in range(1, d + 1):
        xs = [sym(f"x_{i},{j}") for i in range(1, n + 1)]
        mu = sym(f"mu_{j}")
        steps.append((f"mu_{j}", mean(xs)))
        steps.append((f"var_{j}", mean([(x - mu) ** 2 for x in xs])))
        steps.append((f"sd_{j}", sp.sqrt(sym(f"var_{j}") + sym("epsilon"))))
        for i in range(1, n + 1):
            steps.append((f"xhat_{i},{j}", (sym(f"x_{i},{j}") - mu) / sym(f"sd_{j}")))
        for i in range(1, n + 1):
            steps.append((f"y_{i},{j}", sym(f"gamma_{j}") * sym(f"xhat_{i},{j}") + sym(f"beta_{j}")))
    return tuple(steps)


NOTES = {
    "mu": Text("batch mean of the feature", "특성의 배치 평균"),
    "var": Text("biased variance: divide by the batch size", "분산: 배치 크기로 나눈다(n - 1이 아니다)"),
    "sd": Text("the divisor; {eps} keeps it away from 0", "나눌 값. {eps}은 0으로 나누는 것을 막는다",
               {"eps": sym("epsilon")}),
    "xhat": Text("normalized: mean 0, variance almost 1", "정규화: 평균 0, 분산 약 1"),
    "y": Text("scale by {gamma} and shift by {beta}", "{gamma}로 스케일하고 {beta}만큼 이동",
              {"gamma": sym("gamma_j"), "beta": sym("beta_j")}),
}


def sample(rng) -> dict:
    n, d = choose(rng, SHAPES)
    learned = bool(rng.integers(2))
    columns = []
    for _ in range(d):
        while True:
            column = distinct(rng, grid("-2", "3", "0.1", nonzero=False), n)
            values = np.array(column, dtype=float)
            if values.var() >= 0.05:  # well away from eps
                columns.append(column)
                break
    return {
        "x": [[columns[j][i] for j in range(d)] for i in range(n)],
        "gamma": [choose(rng, grid("0.5", "2", "0.1")) for _ in range(d)] if learned else [sp.Integer(1)] * d,
        "beta": [choose(rng, grid("-1", "1", "0.1")) for _ in range(d)] if learned else [sp.Integer(0)] * d,
    }


def solve(params) -> Problem:
    x = params["x"]
    n, d = len(x), len(x[0])
    key = Key()
    for i, row in enumerate(x, start=1):
        for j, value in enumerate(row, start=1):
            key.given(f"x_{i},{j}", value, Text("batch (sample i, feature j)", "배치(샘플 i, 특성 j)"))
    for j in range(1, d + 1):
        key.given(f"gamma_{j}", params["gamma"][j - 1], Text("scale", "스케일"))
    for j in range(1, d + 1):
        key.given(f"beta_{j}", params["beta"][j - 1], Text("shift", "이동"))
    key.given("epsilon", EPS, Text("small constant (keeps the division finite)", "작은 상수(0으로 나누기 방지)"))
    noted = set()
    for name, formula in _template(n, d):
        kind = name.split("_")[0]
        key.step(name, formula, NOTES[kind] if kind not in noted else None)
        noted.add(kind)

    xs = np.array(x, dtype=float)
    out = ref.batchnorm_forward(xs, np.array(params["gamma"], dtype=float), np.array(params["beta"], dtype=float),
                                eps=float(EPS))
    questions = []
    for j in range(1, d + 1):
        questions.append(Question(key=f"mu_{j}", answer=key[f"mu_{j}"], reference=float(xs[:, j - 1].mean()),
                                  prompt=Text("the batch mean {mu} of feature {j}", "특성 {j}의 배치 평균 {mu}",
                                              {"mu": sym(f"mu_{j}"), "j": j})))
        questions.append(Question(key=f"var_{j}", answer=key[f"var_{j}"], reference=float(xs[:, j - 1].var()),
                                  prompt=Text("the batch variance {var} of feature {j}", "특성 {j}의 배치 분산 {var}",
                                              {"var": sym(f"var_{j}"), "j": j})))
    for j in range(1, d + 1):
        for i in range(1, n + 1):
            questions.append(Question(key=f"y_{i}_{j}", answer=key[f"y_{i},{j}"], reference=float(out[i - 1, j - 1]),
                                      prompt=Text("the output {y}", "출력 {y}", {"y": sym(f"y_{i},{j}")})))

    display = hats([name for name in key.env if name.startswith("xhat_")] + ["xhat_i,j"])
    display.update({f"var_{j}": sym(f"sigma^2_{j}") for j in range(1, d + 1)})
    display.update({f"sd_{j}": sym(f"s_{j}") for j in range(1, d + 1)})
    intro = [
        Text("A batch normalization layer in training mode receives a batch of {n} samples with {d} "
             + ("feature" if d == 1 else "features") + ". For each feature j it computes the batch mean {mu} and the batch variance {var} (divided by "
             "the batch size), then",
             "학습 모드의 배치 정규화 층이 특성 {d}개인 샘플 {n}개의 배치를 받는다. 각 특성 j에 대해 배치 평균 {mu}와 "
             "배치 분산 {var}(배치 크기로 나눈 값)을 구한 뒤 다음을 계산한다.",
             {"n": n, "d": d, "mu": sym("mu_j"), "var": sym("sigma^2_j")}),
        Text("{xhat} and {y}.", "{xhat}, {y}",
             {"xhat": sp.Eq(sym("xhat_i,j"), (sym("x_i,j") - sym("mu_j")) / sp.sqrt(sym("sigma^2_j") + sym("epsilon")),
                            evaluate=False),
              "y": sp.Eq(sym("y_i,j"), sym("gamma_j") * sym("xhat_i,j") + sym("beta_j"), evaluate=False)}),
        Text("Compute the mean and variance of every feature and every output.",
             "각 특성의 평균과 분산, 그리고 모든 출력을 구하시오."),
    ]
    remarks = [Text(
        "Batch normalization makes each feature's activations have mean 0 and variance close to 1 over the batch "
        "(exactly {ratio}); {gamma} and {beta}, learned like weights, then choose the scale and shift the next layer "
        "sees. It shortens training and makes it depend less on the initial weights.",
        "배치 정규화는 각 특성의 활성화 값이 배치에서 평균 0, 분산 약 1(정확히는 {ratio})이 되게 한다. 가중치처럼 "
        "학습되는 {gamma}와 {beta}가 다음 층이 받을 스케일과 이동을 정한다. 학습 시간이 짧아지고 초깃값에 크게 의존하지 "
        "않게 된다.", {"ratio": sym("sigma^2_j") / (sym("sigma^2_j") + sym("epsilon")),
                    "gamma": sym("gamma_j"), "beta": sym("beta_j")})]
    return Problem(family="", variant="", title=Text("Batch normalization", "배치 정규화"), intro=intro,
                   givens=key.givens, questions=questions, steps=key.steps, display=display, remarks=remarks,
                   make_mistakes=lambda: alternatives(key, questions, _mistakes(n)),
                   figure=plot("batch_norm", {"x": tuple(tuple(float(v) for v in row) for row in x),
                                              "y": tuple(tuple(float(v) for v in row) for row in out)}))


def _mistakes(n):
    """The variance with n - 1 (the sample variance) instead of the batch size n."""
    return (("n_minus_1", ("this is what you get if you divide by n - 1: batch normalization divides the variance "
                           "by the batch size n",
                           "n - 1로 나누면 나오는 값이다: 배치 정규화는 분산을 배치 크기 n으로 나눈다"),
             lambda name, f: f * sp.Rational(n, n - 1) if name.startswith("var_") else f),)
