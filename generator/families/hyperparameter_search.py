"""Family 14: hyperparameter search — a log-uniform learning rate, where its draws fall,
how many models RandomizedSearchCV fits, and the train/validation/test split.

From the course notes' tuning section: ``reciprocal(3e-4, 3e-2)`` as the learning rate's
distribution, ``RandomizedSearchCV(keras_reg, param_distribs, n_iter=10, cv=3)``, early
stopping on the validation set, and "tuning on the test set estimates the generalisation
error far too optimistically".

A log-uniform draw on [a, b] is lr = a (b/a)^u for u uniform on [0, 1] (so log lr is
uniform on [log a, log b]); the probability of [c, d] is ln(d/c) / ln(b/a), the same for
every decade. Structure: the range (2 or 3 decades), which interval [c, d] is asked, the
split fractions, and which choice question closes the problem.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, dec, equation
from generator.notation import bracketed_mathml, sym, terms
from generator.model import Num, Problem, Question, Text
from generator.symbolic import evaluate
from solutions import training as ref

# (low, high) of reciprocal(low, high); the first is the notes' own
RANGES = (("0.0003", "0.03"), ("0.0001", "0.1"), ("0.00001", "0.01"), ("0.001", "1"), ("0.0001", "0.01"),
          ("0.0005", "0.05"), ("0.0002", "0.2"), ("0.00003", "0.03"))
# Fractions whose float64 value is at or above the exact one, so that floor(N * fraction) in
# float64 (solutions.training.train_val_test_split) is the exact floor for these N.
FRACTIONS = ("0.1", "0.2", "0.25")
SAMPLES = (1000, 2000, 5000, 8000, 10000, 20640, 50000, 60000, 70000)
N_ITER = (5, 10, 20, 25, 50)
CV = (3, 5, 10)
TUNE = {
    "validation": Text("the validation set", "검증 세트"),
    "test": Text("the test set", "테스트 세트"),
    "training": Text("the training set", "훈련 세트"),
}
VALID_ROLE = {
    "early_stopping": Text("only early stopping: the cross-validation folds of the training set choose the "
                           "hyperparameters", "조기 종료에만 쓰인다: 하이퍼파라미터는 훈련 세트의 교차 검증 폴드로 고른다"),
    "choose": Text("choosing the hyperparameters", "하이퍼파라미터를 고르는 데 쓰인다"),
    "final": Text("the final estimate of the generalisation error", "최종 일반화 오차를 추정하는 데 쓰인다"),
}
WHY_LOG = {
    "scale": Text("a learning rate acts through its order of magnitude, so every decade should get the same "
                  "share of the draws", "학습률은 자릿수(크기의 차수)로 작용하므로 모든 10배 구간이 같은 비율로 뽑혀야 한다"),
    "small": Text("uniform draws would be mostly tiny learning rates", "균등 분포로 뽑으면 대부분 아주 작은 학습률이 나온다"),
    "faster": Text("log-uniform learning rates make every training run converge faster",
                   "로그 균등 분포의 학습률은 모든 학습을 더 빨리 수렴시킨다"),
}
a, b, u, c, d = sym("a"), sym("b"), sym("u"), sym("c"), sym("d")
eta = sp.Symbol("eta")  # how the learning rate "lr" is shown, as everywhere in the kit
#: (b - b/10) / (b - a), written as a student checks it: the top decade's length over the range's
TOP_SHARE = sp.Mul(terms(b, -b / 10), sp.Pow(terms(b, -a), -1, evaluate=False), evaluate=False)


def _percent(share) -> int:
    """``share`` in whole per cent, rounded half up (exactly: 0.90909091 -> 91)."""
    return int(sp.floor(100 * sp.Rational(share) + sp.Rational(1, 2)))


class Closed(sp.Expr):
    """The closed interval [a, b] as shown in prose (sympy's Interval prints as
    "Interval(a, b)" in the answers template's plain text)."""

    is_commutative = True

    def __new__(cls, low, high):
        return sp.Expr.__new__(cls, sp.sympify(low), sp.sympify(high))

    def _latex(self, printer, exp=None):
        return r"\left[%s, %s\right]" % tuple(printer._print(x) for x in self.args)

    def _mathml_presentation(self, printer):
        return bracketed_mathml(printer, self.args, ",")

    def _sympystr(self, printer):
        return "[%s, %s]" % tuple(printer._print(x) for x in self.args)


class _GivenUniform:
    """A stand-in for numpy's Generator whose ``uniform`` returns the quantile ``u`` of its
    interval: log_uniform(a, b, 1, _GivenUniform(u)) is then the draw for that u."""

    def __init__(self, u):
        self.u = float(u)

    def uniform(self, low, high, size=None):
        return np.full(size, low + self.u * (high - low))


def _nice_points(low, high):
    """The numbers 1, 2, 3, 5 times a power of ten strictly inside (low, high), ascending."""
    points = []
    for exponent in range(-7, 2):
        for m in (1, 2, 3, 5):
            x = sp.Integer(m) * sp.Integer(10) ** exponent
            if low < x < high:
                points.append(x)
    return points


@lru_cache(maxsize=None)
def _template():
    N, v, t = sym("N"), sym("f_val"), sym("f_test")
    return (
        ("lr", a * (b / a) ** u, Text("the inverse of the log-uniform distribution's CDF: {log} is uniform",
                                      "로그 균등 분포의 누적분포함수의 역함수: {log}가 균등 분포를 따른다",
                                      {"log": sp.log(sym("lr"))})),
        ("D", sp.log(b / a) / sp.log(10), Text("decades in the range", "범위에 들어 있는 10배 구간의 수")),
        ("P", sp.log(d / c) / sp.log(b / a), Text("the share of the logarithm's range that {I} covers",
                                                  "로그 눈금에서 {I}가 차지하는 비율", {"I": Closed(c, d)})),
        ("P_uniform", (d - c) / (b - a), Text("for comparison: a plain uniform draw on {I}",
                                              "비교: {I}에서 그냥 균등 분포로 뽑을 때", {"I": Closed(a, b)})),
        ("s", 1 / sym("D"), Text("every decade gets the same share", "모든 10배 구간이 같은 비율을 받는다")),
        ("F_search", sym("n_iter") * sym("k"), Text("every candidate is trained once per fold",
                                                    "후보마다 폴드 수만큼 학습한다")),
        ("F", sym("F_search") + 1, Text("refit=True trains the best candidate once more on the whole training set",
                                        "refit=True이므로 가장 좋은 후보를 전체 훈련 세트로 한 번 더 학습한다")),
        ("n_test", N * t, Text("the test set: a share of all the samples", "테스트 세트: 전체 샘플의 비율")),
        ("n_val", N * v, Text("the validation set: a share of all the samples too", "검증 세트: 역시 전체 샘플의 비율")),
        ("n_train", N - sym("n_test") - sym("n_val"), Text("the rest trains", "나머지가 훈련 세트")),
    )


def sample(rng) -> dict:
    low, high = (dec(x) for x in choose(rng, RANGES))
    points = _nice_points(low, high)
    while True:
        c_, d_ = sorted(points[int(i)] for i in rng.choice(len(points), 2, replace=False))
        if d_ / c_ >= 2:
            break
    while True:
        f_val, f_test = dec(choose(rng, FRACTIONS)), dec(choose(rng, FRACTIONS))
        if f_val + f_test <= sp.Rational(1, 2):
            break
    return {"low": low, "high": high, "u": dec(f"0.{int(rng.integers(1, 20)) * 5:02d}"),
            "c": c_, "d": d_, "n_iter": choose(rng, N_ITER), "cv": choose(rng, CV),
            "N": choose(rng, SAMPLES), "f_val": f_val, "f_test": f_test,
            "closing": choose(rng, ("tune", "valid_role")), "draws_seed": int(rng.integers(2 ** 31))}


def _reference(params):
    low, high = float(params["low"]), float(params["high"])
    lr = float(ref.log_uniform(low, high, 1, _GivenUniform(params["u"]))[0])
    c_, d_ = float(params["c"]), float(params["d"])
    # the CDF of log_uniform at x is the u whose draw is x: log(x/low) / log(high/low)
    decades = np.log10(high / low)
    draws = ref.log_uniform(low, high, params["n_iter"], np.random.default_rng(params["draws_seed"]))
    train, val, test = ref.train_val_test_split(params["N"], float(params["f_val"]), float(params["f_test"]),
                                                np.random.default_rng(0))
    return {"lr": lr, "D": float(decades), "P": float(np.log(d_ / c_) / np.log(high / low)),
            "P_uniform": (d_ - c_) / (high - low), "s": float(1 / decades),
            "F_search": draws.size * params["cv"], "F": draws.size * params["cv"] + 1,
            "n_test": len(test), "n_val": len(val), "n_train": len(train)}


def draws(params):
    """The n_iter learning rates the figure shows (drawn through the contract's log_uniform)."""
    return [float(x) for x in ref.log_uniform(float(params["low"]), float(params["high"]), params["n_iter"],
                                              np.random.default_rng(params["draws_seed"]))]


def solve(params) -> Problem:
    key = Key()
    key.given("a", params["low"], Text("lower end of the learning rate's range", "학습률 범위의 아래 끝"))
    key.given("b", params["high"], Text("upper end of the learning rate's range", "학습률 범위의 위 끝"))
    key.given("u", params["u"], Text("a uniform draw on {I}", "{I}에서 균등하게 뽑은 수", {"I": Closed(0, 1)}))
    key.given("c", params["c"], Text("ends of the interval", "구간의 양 끝"))
    key.given("d", params["d"], Text("ends of the interval", "구간의 양 끝"))
    key.given("n_iter", params["n_iter"], Text("n_iter (candidates drawn)", "n_iter(뽑는 후보 수)"))
    key.given("k", params["cv"], Text("cv (folds)", "cv(폴드 수)"))
    key.given("N", params["N"], Text("samples in the data set", "데이터 세트의 샘플 수"))
    key.given("f_val", params["f_val"], Text("validation share", "검증 세트 비율"))
    key.given("f_test", params["f_test"], Text("test share", "테스트 세트 비율"))
    for name, formula, note in _template():
        key.step(name, formula, note)

    reference = _reference(params)
    # the share of a plain uniform draw on [a, b] that lands in the top decade [b/10, b]
    top_share = evaluate(TOP_SHARE, {"a": params["low"], "b": params["high"]})
    P_u = sym("P_uniform")
    number = [
        ("lr", Text("the learning rate {lr} that the uniform draw {u} gives", "균등 분포에서 뽑은 {u}가 주는 학습률 {lr}",
                    {"lr": sym("lr"), "u": u})),
        ("P", Text("the probability {P} that a draw falls in {I}", "뽑은 학습률이 {I}에 들어갈 확률 {P}",
                   {"P": sym("P"), "I": Closed(c, d)})),
        ("P_uniform", Text("the same probability {P} if the learning rate were drawn uniformly on {I}",
                           "학습률을 {I}에서 균등 분포로 뽑는다면 같은 확률 {P}",
                           {"P": P_u, "I": Closed(a, b)})),
        ("s", Text("the share {s} of the draws that falls in each decade (such as from 0.001 to 0.01) inside the range",
                   "범위 안의 각 10배 구간(예: 0.001에서 0.01까지)에 들어가는 뽑기의 비율 {s}", {"s": sym("s")})),
    ]
    questions = [Question(key=name, answer=key[name], reference=reference[name], prompt=prompt)
                 for name, prompt in number]
    questions.append(Question(
        key="why_log", kind="choice", answer="scale", choices=dict(WHY_LOG),
        prompt=Text("Why does one draw learning rates log-uniformly rather than uniformly?",
                    "학습률을 균등 분포가 아니라 로그 균등 분포로 뽑는 이유는 무엇인가?")))
    integers = [
        ("F_search", Text("the number of models {F} that the search trains (before the refit)",
                          "탐색이 학습시키는 모델의 수 {F}(다시 학습하기 전까지)", {"F": sym("F_search")})),
        ("F", Text("the number of models {F} that fit trains in all, with the default refit=True",
                   "기본값 refit=True일 때 fit이 모두 학습시키는 모델의 수 {F}", {"F": sym("F")})),
        ("n_train", Text("the number of training samples {n}", "훈련 샘플 수 {n}", {"n": sym("n_train")})),
        ("n_val", Text("the number of validation samples {n}", "검증 샘플 수 {n}", {"n": sym("n_val")})),
        ("n_test", Text("the number of test samples {n}", "테스트 샘플 수 {n}", {"n": sym("n_test")})),
    ]
    for name, prompt in integers:
        questions.append(Question(key=name, kind="integer", answer=int(key[name]), reference=reference[name],
                                  prompt=prompt))
    if params["closing"] == "tune":
        questions.append(Question(
            key="tuning_set", kind="choice", answer="validation", choices=dict(TUNE),
            prompt=Text("On which set does one compare the candidates when tuning by hand (without cross-validation)?",
                        "(교차 검증 없이) 직접 튜닝할 때 후보들을 어느 세트에서 비교하는가?")))
    else:
        questions.append(Question(
            key="valid_role", kind="choice", answer="early_stopping", choices=dict(VALID_ROLE),
            prompt=Text("In the notes' {call}, what is the validation set used for?",
                        "강의 노트의 {call}에서 검증 세트는 어디에 쓰이는가?",
                        {"call": "rnd_search_cv.fit(X_train, y_train, validation_data=(X_valid, y_valid), "
                                 "callbacks=[EarlyStopping(patience=10)])"})))

    intro = [
        Text("A random search draws the learning rate from scipy's reciprocal({a}, {b}): its logarithm is uniform, "
             "so a uniform draw {u} on {I} gives",
             "랜덤 탐색이 학습률을 scipy의 reciprocal({a}, {b})에서 뽑는다. 학습률의 로그가 균등 분포를 따르므로, "
             "{I}에서 균등하게 뽑은 {u}는 다음 학습률을 준다.", {"a": a, "b": b, "u": u, "I": Closed(0, 1)}),
        equation(sp.Eq(sym("lr"), a * (b / a) ** u, evaluate=False)),
        Text("RandomizedSearchCV(model, param_distribs, n_iter={n}, cv={k}) tries {n} candidates, each with {k}-fold "
             "cross-validation on the training set.",
             "RandomizedSearchCV(model, param_distribs, n_iter={n}, cv={k})는 후보 {n}개를 뽑아 각각 훈련 세트에서 "
             "{k}-겹 교차 검증을 한다.", {"n": params["n_iter"], "k": params["cv"]}),
        Text("Before that, {N} samples are split at random: a share {ft} of all {N} for testing, a share {fv} "
             "of all {N} (not of what is left) for validation, and the rest for training.",
             "그 전에 샘플 {N}개를 무작위로 나눈다. 전체 {N}개의 비율 {ft}는 테스트, 전체 {N}개(남은 샘플이 아니라)의 "
             "비율 {fv}는 검증, 나머지는 훈련에 쓴다.", {"N": params["N"], "ft": sym("f_test"), "fv": sym("f_val")}),
    ]
    remarks = [Text(
        "Tuning on the test set would make its error a far too optimistic estimate of the generalisation error; "
        "the test set is used once, at the end (evaluate()). A plain uniform draw on {I} would put about {percent}% "
        "of the draws in the top decade {top} alone (a share {share} = {value}).",
        "테스트 세트로 튜닝하면 일반화 오차를 매우 낙관적으로 추정하게 되므로, 테스트 세트는 마지막에 한 번(evaluate())만 "
        "쓴다. {I}에서 그냥 균등 분포로 뽑으면 뽑은 값의 약 {percent}%가 맨 위 10배 구간 {top}에만 몰린다(비율 "
        "{share} = {value}).",
        {"I": Closed(a, b), "percent": _percent(top_share), "top": Closed(b / 10, b), "share": TOP_SHARE,
         "value": Num(top_share)})]
    from generator.plots import plot

    figure = plot("log_draws", {"low": float(params["low"]), "high": float(params["high"]),
                                "c": float(params["c"]), "d": float(params["d"]), "draws": tuple(draws(params)),
                                "lr": float(key["lr"]), "u": float(params["u"])})
    return Problem(family="", variant="", title=Text("Hyperparameter search: random search over the learning rate",
                                                     "하이퍼파라미터 탐색: 학습률의 랜덤 탐색"),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps, remarks=remarks,
                   display={"lr": eta}, figure=figure,
                   make_mistakes=lambda: alternatives(key, questions, MISTAKES))


def _only(step, wrong):
    """A mistake in one step: ``wrong`` replaces that step's formula, the others stay."""
    return lambda name, formula: wrong if name == step else formula


N_, fv_, ft_ = sym("N"), sym("f_val"), sym("f_test")
# The classic wrong computations, each an alternative formula for one step (``alternatives``
# re-runs the key with it and names every asked value it changes). Only mistakes whose value
# differs from the answer on the variants are listed (log10 in both places of P, for one,
# gives the right value: the ratio of two logarithms does not depend on their base).
MISTAKES = (
    ("power_of_difference", ("this is what you get with (b - a)^u: the log-uniform draw raises the ratio b/a to the "
                             "power u",
                             "(b - a)^u로 계산하면 나오는 값이다: 로그 균등 분포의 값은 비율 b/a를 u제곱한다"),
     _only("lr", a * (b - a) ** u)),
    ("uniform_draw", ("this is the plain uniform draw a + u(b - a): the log-uniform draw interpolates the logarithms "
                      "of a and b, not a and b",
                      "그냥 균등 분포로 뽑은 a + u(b - a)이다: 로그 균등 분포는 a와 b가 아니라 그 로그 사이를 나눈다"),
     _only("lr", a + u * (b - a))),
    ("reversed_ends", ("this is the draw for 1 - u: the draw is a at u = 0 and b at u = 1",
                       "1 - u에 대한 값이다: u = 0일 때 a, u = 1일 때 b가 나와야 한다"),
     _only("lr", b * (a / b) ** u)),
    ("mixed_log_bases", ("this is what you get with log10 in one place and ln in the other: the ratio of two "
                         "logarithms needs the same base above and below",
                         "한쪽은 log10, 다른 쪽은 ln으로 계산하면 나오는 값이다: 두 로그의 비는 위아래 밑이 같아야 한다"),
     _only("P", sp.log(d / c) / sp.log(10) / sp.log(b / a))),
    ("uniform_probability", ("this is the probability under a plain uniform draw on [a, b]: the draws are "
                             "log-uniform, so compare the interval's length on the log scale",
                             "[a, b]에서 그냥 균등 분포로 뽑을 때의 확률이다: 로그 균등 분포이므로 로그 눈금에서의 "
                             "길이를 비교한다"),
     _only("P", (d - c) / (b - a))),
    ("ln_decades", ("this is what you get counting decades with ln: a decade is a factor of 10, so count them with "
                    "log10",
                    "10배 구간의 수를 ln으로 세면 나오는 값이다: 10배 구간은 10배이므로 log10으로 센다"),
     _only("D", sp.log(b / a))),
    ("n_iter_plus_cv", ("this is what you get if you add n_iter and cv: every candidate is trained once per fold",
                        "n_iter와 cv를 더하면 나오는 값이다: 후보마다 폴드 수만큼 학습한다"),
     _only("F_search", sym("n_iter") + sym("k"))),
    ("no_refit", ("this is the number before the refit: with refit=True the best candidate is trained once more on "
                  "the whole training set",
                  "다시 학습하기 전의 수이다: refit=True이면 가장 좋은 후보를 전체 훈련 세트로 한 번 더 학습한다"),
     _only("F", sym("F_search"))),
    ("validation_of_rest", ("this is what you get if you take the validation share of what is left after the test "
                            "set: both shares are of all the samples",
                            "테스트 세트를 뺀 나머지에서 검증 비율을 취하면 나오는 값이다: 두 비율 모두 전체 샘플에 대한 것이다"),
     _only("n_val", sp.floor((N_ - sym("n_test")) * fv_))),
)
