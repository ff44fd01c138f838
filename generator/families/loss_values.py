"""Family 6: loss values on a small batch, and which loss suits which task and label
encoding.

Structure: the loss (mean squared error, binary, categorical or sparse categorical
cross-entropy), the batch size, the number of outputs or classes, and the task of the choice
question. Conventions are the contract's (``exercises/losses.py``): the batch loss is the
mean of the per-sample losses, a per-sample MSE is the mean over that sample's outputs, and
log is the natural logarithm. Probabilities lie in [0.05, 0.95], so the eps clipping of the
reference never acts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, choose, fill, grid
from generator.notation import mean, sym
from generator.model import Problem, Question, Text
from generator.plots import plot
from solutions import losses as ref

LOSSES = ("mse", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")

CHOICES = {
    "mse": Text("mean squared error, `loss='mse'`", "평균 제곱 오차(MSE), `loss='mse'`"),
    "binary_crossentropy": Text("binary cross-entropy, `loss='binary_crossentropy'`",
                                "이진 크로스 엔트로피(이진 교차 엔트로피), `loss='binary_crossentropy'`"),
    "categorical_crossentropy": Text("categorical cross-entropy, `loss='categorical_crossentropy'`",
                                     "카테고리칼 크로스 엔트로피(범주형 교차 엔트로피), `loss='categorical_crossentropy'`"),
    "sparse_categorical_crossentropy": Text(
        "sparse categorical cross-entropy, `loss='sparse_categorical_crossentropy'`",
        "희소 카테고리칼 크로스 엔트로피(희소 범주형 교차 엔트로피), `loss='sparse_categorical_crossentropy'`"),
}

# (task, the loss that suits it): the seed notes' rule — regression: MSE; binary
# classification with a sigmoid output: binary cross-entropy; several classes with a softmax
# output: categorical cross-entropy for one-hot labels, the sparse version for integer labels.
TASKS = (
    (Text("predict the price of a house (a real number) from its size and location",
          "집의 크기와 위치로 집값(실수)을 예측하는 문제"), "mse"),
    (Text("predict tomorrow's temperature from today's weather measurements",
          "오늘의 기상 측정값으로 내일의 기온을 예측하는 문제"), "mse"),
    (Text("decide whether an e-mail is spam; the output layer is one sigmoid unit and the labels are 0 or 1",
          "출력층이 시그모이드 뉴런 하나이고 레이블이 0 또는 1일 때 이메일이 스팸인지 판별하는 문제"),
     "binary_crossentropy"),
    (Text("predict whether a patient has a disease (yes/no) with a sigmoid output unit",
          "환자가 병에 걸렸는지(예/아니오)를 시그모이드 출력 뉴런 하나로 예측하는 문제"),
     "binary_crossentropy"),
    (Text("classify handwritten digits 0-9 with a softmax output of 10 units; each label is a one-hot "
          "vector of length 10",
          "레이블이 길이 10의 원-핫 인코딩 벡터일 때 손글씨 숫자 0~9를 10개 뉴런의 소프트맥스 "
          "출력층으로 분류하는 문제"), "categorical_crossentropy"),
    (Text("sort news articles into 4 topics with a softmax output; the labels are one-hot encoded",
          "레이블이 원-핫 인코딩되어 있을 때 뉴스 기사를 소프트맥스 출력층으로 4개의 주제로 분류하는 문제"),
     "categorical_crossentropy"),
    (Text("classify handwritten digits 0-9 with a softmax output of 10 units; each label is the integer "
          "0, 1, ..., 9 (no one-hot encoding)",
          "레이블이 원-핫 인코딩 없이 정수 0, 1, ..., 9로 되어 있을 때 손글씨 숫자 0~9를 10개 뉴런의 "
          "소프트맥스 출력층으로 분류하는 문제"), "sparse_categorical_crossentropy"),
    (Text("recognise 3 kinds of flowers in photos with a softmax output; the labels are stored as the "
          "integers 0, 1, 2",
          "레이블이 정수 0, 1, 2로 저장되어 있을 때 사진 속 꽃 3종류를 소프트맥스 출력층으로 분류하는 문제"),
     "sparse_categorical_crossentropy"),
)

NAMES = {k: Text(v.en.split(",")[0], v.ko.split(",")[0]) for k, v in CHOICES.items()}


def _probability_row(rng, k):
    """k probabilities, multiples of 0.05, each at least 0.05, summing to 1, all different."""
    while True:
        cuts = np.sort(rng.choice(np.arange(1, 20), size=k - 1, replace=False))
        parts = np.diff(np.concatenate(([0], cuts, [20])))
        if len(set(parts.tolist())) == k:
            return [sp.Rational(int(p), 20) for p in parts]


def sample(rng) -> dict:
    loss = choose(rng, LOSSES)
    params = {"loss": loss, "task": int(rng.integers(len(TASKS)))}
    if loss == "mse":
        n, d = choose(rng, ((2, 2), (3, 1), (4, 1), (3, 2)))
        values = grid("-1", "2", "0.1", nonzero=False)
        params["y_true"] = [[choose(rng, values) for _ in range(d)] for _ in range(n)]
    elif loss == "binary_crossentropy":
        n = choose(rng, (2, 3, 4))
        labels = [0, 1] + [int(rng.integers(2)) for _ in range(n - 2)]
        params["y_true"] = [labels[int(i)] for i in rng.permutation(n)]
    else:
        n, k = choose(rng, ((2, 3), (3, 3), (2, 4)))
        params["labels"] = [int(rng.integers(k)) for _ in range(n)]
    while True:     # predictions whose samples' losses are not all equal (else L = l_1, one answer twice)
        if loss == "mse":
            params["y_pred"] = [[t + choose(rng, grid("-0.8", "0.8", "0.1")) for t in row] for row in params["y_true"]]
        elif loss == "binary_crossentropy":
            params["y_pred"] = [choose(rng, grid("0.05", "0.95", "0.05")) for _ in range(n)]
        else:
            params["y_pred"] = [_probability_row(rng, k) for _ in range(n)]
        if len(set(_sample_losses(params))) > 1:
            return params


def _sample_losses(params):
    """Each sample's loss, exactly (sympy), for ``sample``'s check."""
    loss, y_pred = params["loss"], params["y_pred"]
    if loss == "mse":
        return [sum((t - p) ** 2 for t, p in zip(trow, prow)) / len(prow) for trow, prow in zip(params["y_true"], y_pred)]
    if loss == "binary_crossentropy":     # -log of the probability given to the label
        return [p if t == 1 else 1 - p for t, p in zip(params["y_true"], y_pred)]
    return [row[label] for row, label in zip(y_pred, params["labels"])]


@lru_cache(maxsize=None)
def _template(loss, n, d):
    """[(name, formula)] of the per-sample losses l_i and the batch loss L."""
    out = []
    for i in range(1, n + 1):
        if loss == "mse":
            terms = [(sym(f"t_{i},{j}") - sym(f"p_{i},{j}")) ** 2 for j in range(1, d + 1)]
            out.append((f"l_{i}", mean(terms) if d > 1 else terms[0]))
        elif loss == "binary_crossentropy":
            t, p = sym(f"t_{i}"), sym(f"p_{i}")
            out.append((f"l_{i}", -(t * sp.log(p) + (1 - t) * sp.log(1 - p))))
        elif loss == "categorical_crossentropy":
            out.append((f"l_{i}", -sp.Add(*[sym(f"t_{i},{j}") * sp.log(sym(f"p_{i},{j}")) for j in range(d)])))
    if loss != "sparse_categorical_crossentropy":
        out.append(("L", mean(sym(f"l_{i}") for i in range(1, n + 1))))
    return tuple(out)


def _one_hot(label, k):
    return [1 if j == label else 0 for j in range(k)]


def solve(params) -> Problem:
    loss = params["loss"]
    key = Key()
    y_pred = params["y_pred"]
    n = len(y_pred)
    targets = Text("targets", "정답(타깃)")
    if loss == "mse":
        d = len(y_pred[0])
        for i, row in enumerate(params["y_true"], start=1):
            for j, t in enumerate(row, start=1):
                key.given(f"t_{i},{j}", t, targets)
        for i, row in enumerate(y_pred, start=1):
            for j, p in enumerate(row, start=1):
                key.given(f"p_{i},{j}", p, Text("predictions", "예측값"))
    elif loss == "binary_crossentropy":
        d = 1
        for i, t in enumerate(params["y_true"], start=1):
            key.given(f"t_{i}", t, Text("labels (0 or 1)", "레이블(0 또는 1)"))
        for i, p in enumerate(y_pred, start=1):
            key.given(f"p_{i}", p, Text("predicted probabilities of class 1", "클래스 1일 예측 확률"))
    else:
        d = len(y_pred[0])
        for i, label in enumerate(params["labels"], start=1):
            if loss == "categorical_crossentropy":
                for j, t in enumerate(_one_hot(label, d)):
                    key.given(f"t_{i},{j}", t, Text("one-hot labels (sample i, class j)",
                                                    "원-핫 레이블(샘플 i, 클래스 j)"))
            else:
                key.given(f"y_{i}", label, Text("integer labels", "정수 레이블"))
        for i, row in enumerate(y_pred, start=1):
            for j, p in enumerate(row):
                key.given(f"p_{i},{j}", p, Text("softmax probabilities (sample i, class j)",
                                                "소프트맥스 확률(샘플 i, 클래스 j)"))

    for name, formula in _template(loss, n, d):
        key.step(name, formula)
    if loss == "sparse_categorical_crossentropy":
        # The formula picks the probability of the labelled class, so it depends on the labels.
        for i, label in enumerate(params["labels"], start=1):
            key.step(f"l_{i}", -sp.log(sym(f"p_{i},{label}")),
                     Text("the probability the model gives to the true class {y}",
                          "정답 클래스 {y}에 모델이 준 확률", {"y": label}) if i == 1 else None)
        key.step("L", mean(sym(f"l_{i}") for i in range(1, n + 1)))

    ref_loss = getattr(ref, "mean_squared_error" if loss == "mse" else loss)
    if loss == "mse":
        y_true = np.array(params["y_true"], dtype=float)
    elif loss == "binary_crossentropy":
        y_true = np.array(params["y_true"], dtype=float)
    elif loss == "categorical_crossentropy":
        y_true = np.array([_one_hot(y, d) for y in params["labels"]], dtype=float)
    else:
        y_true = np.array(params["labels"], dtype=int)
    p = np.array(y_pred, dtype=float)
    task, right = TASKS[params["task"]]
    questions = [
        Question(key="l_1", answer=key["l_1"], reference=float(ref_loss(y_true[:1], p[:1])),
                 prompt=Text("the loss {l} of sample 1", "샘플 1의 손실 {l}", {"l": sym("l_1")})),
        Question(key="L", answer=key["L"], reference=float(ref_loss(y_true, p)),
                 prompt=Text("the loss {L} of the batch (the mean over its samples)",
                             "배치의 손실 {L}(샘플 손실의 평균)", {"L": sym("L")})),
        Question(key="loss_choice", kind="choice", answer=right, choices=dict(CHOICES),
                 prompt=fill(Text("Which loss suits this task: [task]?",
                                  "[task]에 알맞은 손실 함수는 무엇인가?"), task=task)),
    ]

    rule = {
        "mse": Text("The model is trained with the mean squared error; the loss of a sample is the mean of its "
                    "squared errors over the outputs.",
                    "모델은 평균 제곱 오차(MSE)로 학습한다. 한 샘플의 손실은 출력별 제곱 오차의 평균이다."),
        "binary_crossentropy": Text(
            "The model has one sigmoid output p (the probability of class 1) and is trained with the binary "
            "cross-entropy.",
            "모델의 출력층은 시그모이드 뉴런 하나(클래스 1일 확률 p)이고, 이진 크로스 엔트로피로 학습한다."),
        "categorical_crossentropy": Text(
            "The model has a softmax output over the classes 0, 1, ...; the labels are one-hot encoded and the "
            "model is trained with the categorical cross-entropy.",
            "모델의 출력층은 클래스 0, 1, ...에 대한 소프트맥스이고, 레이블은 원-핫 인코딩되어 있으며 카테고리칼 "
            "크로스 엔트로피로 학습한다."),
        "sparse_categorical_crossentropy": Text(
            "The model has a softmax output over the classes 0, 1, ...; the labels are integers and the model is "
            "trained with the sparse categorical cross-entropy.",
            "모델의 출력층은 클래스 0, 1, ...에 대한 소프트맥스이고, 레이블은 정수이며 희소 카테고리칼 크로스 "
            "엔트로피로 학습한다."),
    }[loss]
    log_en, log_ko = ("", "") if loss == "mse" else (" (log is the natural logarithm)", "(log는 자연로그)")
    intro = [rule, Text(
        "For the batch of {n} samples below, compute the loss of sample 1 and the loss of the batch"
        + log_en + ". Then answer the question about choosing a loss.",
        "아래 {n}개 샘플로 된 배치에 대해 샘플 1의 손실과 배치의 손실을 구하시오" + log_ko + ". 그리고 손실 "
        "함수 선택에 관한 질문에 답하시오.", {"n": n})]
    remarks = [Text(
        "Regression uses the mean squared error; binary classification with a sigmoid output uses the binary "
        "cross-entropy; several classes with a softmax output use the categorical cross-entropy for one-hot "
        "labels and the sparse categorical cross-entropy for integer labels (the two give the same value).",
        "회귀에는 평균 제곱 오차, 시그모이드 출력의 이진 분류에는 이진 크로스 엔트로피, 소프트맥스 출력의 다중 클래스 "
        "분류에는 원-핫 레이블이면 카테고리칼 크로스 엔트로피, 정수 레이블이면 희소 카테고리칼 크로스 엔트로피를 "
        "쓴다(두 값은 같다).")]
    return Problem(family="", variant="", title=fill(Text("Loss values: [loss]", "손실 함수 값: [loss]"),
                                                      loss=NAMES[loss]),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps, remarks=remarks,
                   make_mistakes=lambda: alternatives(key, questions, _mistakes(n)),
                   figure=_figure(params))


def _figure(params):
    """For a cross-entropy: each sample's loss against the probability the model gives (the
    curves -ln p and -ln(1 - p)); none for the mean squared error."""
    loss = params["loss"]
    if loss == "mse":
        return None
    if loss == "binary_crossentropy":
        points = tuple((float(p), int(t), float(-np.log(float(p) if t == 1 else 1 - float(p))))
                       for p, t in zip(params["y_pred"], params["y_true"]))
        return plot("loss_curve", {"binary": True, "points": points})
    points = tuple((float(row[label]), label, float(-np.log(float(row[label]))))
                   for row, label in zip(params["y_pred"], params["labels"]))
    return plot("loss_curve", {"binary": False, "points": points})


def _mistakes(n):
    """log10 for ln; the sum of the sample losses for their mean."""
    return (
        ("log10_for_ln", ("this is what you get with log base 10: the losses use the natural logarithm ln",
                          "상용로그(밑 10)를 쓰면 나오는 값이다: 손실 함수는 자연로그(ln)를 쓴다"),
         lambda name, f: f.replace(sp.log, lambda x: sp.log(x) / sp.log(10))),
        ("sum_for_mean", ("this is what you get with the sum of the sample losses: the batch loss is their mean",
                          "샘플 손실의 합을 쓰면 나오는 값이다: 배치의 손실은 평균이다"),
         lambda name, f: f * n if name == "L" else f),
    )
