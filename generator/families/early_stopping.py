"""Family 13: early stopping on a validation-loss sequence, and balanced class weights.

Part (a) follows Keras ``EarlyStopping(monitor="val_loss", patience, min_delta,
restore_best_weights=True)`` as the contract's ``early_stopping_epoch`` does: an epoch improves
when its loss is below best - min_delta (the first epoch always improves); training stops at
the epoch where ``patience`` epochs in a row have not improved, and the weights of the last
improving epoch are restored. Epochs are numbered from 1 as Keras prints them
(``Epoch 1/100``); the contract function numbers them from 0. Part (b): the "balanced" class
weights N / (K n_k) for label counts n_k, for ``fit(class_weight=...)`` on imbalanced data.
Structure: the number of epochs, the patience, min_delta zero or not, whether training stops
early or runs to the end, and the number of classes.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, choose, dec
from generator.notation import Below, sym
from generator.model import Problem, Question, Text
from generator.plots import plot
from solutions import losses as ref_losses
from solutions import training as ref_training

delta = sym("delta")
STEP = dec("0.002")  # losses are multiples of 0.002 and min_delta is not, so no comparison ties


@lru_cache(maxsize=None)
def _epoch_template(epoch):
    """Improved?, best and wait after epoch e (e >= 2) from those after epoch e - 1."""
    loss, best, wait = sym(f"L_{epoch}"), sym(f"best_{epoch - 1}"), sym(f"wait_{epoch - 1}")
    improved = sym(f"i_{epoch}")
    return ((f"i_{epoch}", Below(loss, best - delta)),
            (f"best_{epoch}", improved * loss + (1 - improved) * best),
            (f"wait_{epoch}", (1 - improved) * (wait + 1)))


@lru_cache(maxsize=None)
def _weights_template(k):
    total = sp.Add(*[sym(f"n_{c}") for c in range(k)])
    return (("N", total),) + tuple((f"cw_{c}", sym("N") / (k * sym(f"n_{c}"))) for c in range(k))


def _losses(rng, n):
    """A validation curve: a few epochs of decrease, then a noisy plateau."""
    value = int(rng.integers(400, 600))  # in units of STEP
    out = [value]
    falling = int(rng.integers(2, 6))
    for epoch in range(1, n):
        if epoch < falling:
            value -= int(rng.integers(10, 60))
        else:
            value += int(rng.integers(-12, 16))
        out.append(max(value, 50))
    return out


def sample(rng) -> dict:
    stops = bool(rng.integers(4))  # most curves stop early, some run to the end
    patience = choose(rng, (2, 3, 4))
    min_delta = choose(rng, (sp.Integer(0), dec("0.005"), dec("0.015")))
    n = choose(rng, (8, 9, 10, 11, 12))
    while True:
        units = _losses(rng, n)
        if len(set(units)) != n:
            continue
        stop, _best = ref_training.early_stopping_epoch([u * float(STEP) for u in units], patience, float(min_delta))
        if (stop < n - 1) == stops:
            break
    k = choose(rng, (2, 3, 4))
    while True:
        counts = [int(c) * 10 for c in rng.integers(2, 60, size=k)]
        if len(set(counts)) == k:
            break
    return {"losses": [u * STEP for u in units], "patience": patience, "min_delta": min_delta, "counts": counts}


def solve(params) -> Problem:
    losses, patience, counts = params["losses"], params["patience"], params["counts"]
    n, k = len(losses), len(counts)
    key = Key()
    for epoch, loss in enumerate(losses, start=1):
        key.given(f"L_{epoch}", loss, Text("validation loss (`val_loss`) of each epoch", "에포크별 검증 손실(`val_loss`)"))
    key.given("p", patience, Text("`patience`", "`patience`(인내 에포크 수)"))
    key.given("delta", params["min_delta"], Text("`min_delta`", "`min_delta`(최소 개선폭)"))
    for c, count in enumerate(counts):
        key.given(f"n_{c}", count, Text("number of samples of each class", "클래스별 샘플 수"))

    key.statement("part_a", Text("(a) early stopping, epoch by epoch", "(a) 에포크별 조기 종료 판단"))
    key.step("best_1", sym("L_1"), Text("the first epoch always improves", "첫 에포크는 항상 개선으로 본다"))
    key.step("wait_1", sp.Integer(0), Text("epochs since the last improvement", "마지막 개선 이후 지난 에포크 수"))
    notes = {"i": Text("1 if this epoch's loss is below the best value by more than `min_delta`, else 0",
                       "이 에포크의 검증 손실이 기준값보다 `min_delta` 넘게 작으면 1, 아니면 0")}
    best_epoch, stop = 1, n
    for epoch in range(2, n + 1):
        for name, formula in _epoch_template(epoch):
            key.step(name, formula, notes.pop(name[0], None) if name.startswith("i_") else None)
        if key[f"wait_{epoch}"] == 0:
            best_epoch = epoch
        elif key[f"wait_{epoch}"] == patience:
            stop = epoch
            break
    if stop < n:
        key.statement("stop", Text(
            "{p} epochs in a row without improvement: training stops after epoch {s} and restores the weights of "
            "epoch {b}, the last one that improved.",
            "{p} 에포크 연속으로 개선이 없으므로 에포크 {s} 후에 학습을 멈추고, 마지막으로 개선된 에포크 {b}의 가중치를 "
            "복원한다.", {"p": patience, "s": stop, "b": best_epoch}))
    else:
        key.statement("stop", Text(
            "Never {p} epochs in a row without improvement: training runs to the last epoch, {s}, and then "
            "restores the weights of epoch {b}, the last one that improved.",
            "개선 없는 에포크가 {p}번 연속된 적이 없으므로 마지막 에포크 {s}까지 학습하고, 그 뒤 마지막으로 개선된 "
            "에포크 {b}의 가중치를 복원한다.", {"p": patience, "s": stop, "b": best_epoch}))
    key.statement("part_b", Text("(b) balanced class weights", "(b) 균형 클래스 가중치"))
    for name, formula in _weights_template(k):
        key.step(name, formula)

    stop0, best0 = ref_training.early_stopping_epoch([float(x) for x in losses], patience, float(params["min_delta"]))
    weights = ref_losses.class_weights_balanced(np.repeat(np.arange(k), counts), k)
    questions = [
        Question(key="stop_epoch", kind="integer", answer=stop, reference=int(stop0) + 1,
                 prompt=Text("the epoch after which training stops (epochs counted from 1)",
                             "학습이 멈추는 에포크(1부터 센다)")),
        Question(key="restored_epoch", kind="integer", answer=best_epoch, reference=int(best0) + 1,
                 prompt=Text("the epoch whose weights `restore_best_weights=True` brings back",
                             "`restore_best_weights=True`가 복원하는 가중치의 에포크")),
        Question(key="best_loss", answer=key[f"L_{best_epoch}"], reference=float(losses[int(best0)]),
                 prompt=Text("the validation loss of the restored weights", "복원된 가중치의 검증 손실")),
    ]
    for c in range(k):
        questions.append(Question(key=f"cw_{c}", answer=key[f"cw_{c}"], reference=float(weights[c]),
                                  prompt=Text("the weight {w} of class {c}", "클래스 {c}의 가중치 {w}",
                                              {"w": sym(f"cw_{c}"), "c": c})))

    # alpha_k: w is a network's weight everywhere else on the sheet, and c_e counts the epochs without improvement
    display = {f"cw_{c}": sym(f"alpha_{c}") for c in range(k)}
    display.update({f"wait_{e}": sym(f"c_{e}") for e in range(1, n + 1)})
    intro = [
        Text("(a) A model is trained with `EarlyStopping(monitor='val_loss', patience={p}, min_delta={d}, "
             "restore_best_weights=True)`. The callback keeps a best value: the validation loss of epoch 1, then "
             "that of each epoch that improves. An epoch improves when its validation loss is below the best value "
             "minus `min_delta` (a smaller decrease leaves the best value as it is); training stops once {p} epochs "
             "in a row have not improved. The validation losses of epochs 1, 2, ... below are all of training: if "
             "the callback never stops it, training ends after the last of them, and the weights of the best epoch "
             "are restored then too (as Keras 3 does).",
             "(a) 모델을 `EarlyStopping(monitor='val_loss', patience={p}, min_delta={d}, restore_best_weights=True)`로 "
             "학습시킨다. 콜백은 기준값을 기억한다: 처음에는 에포크 1의 검증 손실이고, 그 뒤로는 개선된 에포크가 "
             "나올 때마다 그 에포크의 검증 손실이 된다. 검증 손실이 기준값에서 `min_delta`를 뺀 값보다 작으면 개선된 "
             "것이다(그보다 적게 줄면 기준값은 그대로이다). {p} 에포크 연속으로 개선되지 않으면 학습을 멈춘다(조기 "
             "종료). 아래 에포크 1, 2, ...의 검증 손실이 학습의 전부이다: 조기 종료가 일어나지 않으면 마지막 에포크 "
             "뒤에 학습이 끝나고, 그때에도 가장 좋았던 에포크의 가중치를 복원한다(케라스 3의 동작).",
             {"p": patience, "d": str(params["min_delta"]) if params["min_delta"] == 0 else
              format(float(params["min_delta"]), "g")}),
        Text("(b) The training set is imbalanced. Compute the balanced class weights {w} for `fit(class_weight=...)`, "
             "where {N} is the number of samples and {K} the number of classes.",
             "(b) 훈련 데이터의 클래스가 불균형하다. `fit(class_weight=...)`에 줄 균형 클래스 가중치 {w}를 구하시오. {N}은 "
             "샘플 수, {K}는 클래스 수이다.",
             {"w": sp.Eq(sym("alpha_k"), sym("N") / (sym("K") * sym("n_k")), evaluate=False), "N": sym("N"),
              "K": sp.Eq(sym("K"), k, evaluate=False)}),
    ]
    remarks = [Text(
        "Balanced weights make every class contribute the same total weight {NK} to the loss, so a rare class is "
        "not ignored. Early stopping with `restore_best_weights` keeps the weights of the best validation loss, so "
        "the saved model need not be reloaded.",
        "균형 가중치를 쓰면 모든 클래스가 손실에 같은 총 가중치 {NK}를 기여하므로 적은 클래스가 무시되지 않는다. "
        "`restore_best_weights`를 쓴 조기 종료는 검증 손실이 가장 좋았던 가중치를 복원하므로 저장된 모델을 따로 복원할 "
        "필요가 없다.", {"NK": sym("N") / sym("K")})]
    return Problem(family="", variant="", title=Text("Early stopping and class weights", "조기 종료와 클래스 가중치"),
                   intro=intro, givens=key.givens, questions=questions, steps=key.steps, display=display,
                   remarks=remarks, make_mistakes=lambda: _mistakes(stop, best_epoch, n) + _min_delta_ignored(params, stop, best_epoch)
                   + _class_share(key, k),
                   figure=plot("val_curve", {"losses": tuple(float(x) for x in losses), "patience": patience,
                                             "min_delta": float(params["min_delta"]), "best": best_epoch, "stop": stop}))


def _mistakes(stop, best, n):
    """Patience counted from the wrong epoch (one early, one late); the last epoch restored."""
    from generator.model import Mistake

    out = []
    wrong_start = ("this is what you get if you count the patience from the wrong epoch: it counts the epochs "
                   "after the last improvement",
                   "patience를 잘못된 에포크부터 세면 나오는 값이다: 마지막 개선 다음 에포크부터 센다")
    if stop - 1 > best:
        out.append(Mistake("stop_epoch", "patience_from_wrong_epoch", wrong_start, stop - 1))
    if stop < n:
        out.append(Mistake("stop_epoch", "patience_from_wrong_epoch", wrong_start, stop + 1))
    if stop != best:
        out.append(Mistake("restored_epoch", "restored_last_epoch",
                           ("this is what you get if you restore the last epoch: restore_best_weights brings back the "
                            "best one",
                            "마지막 에포크를 복원하면 나오는 값이다: restore_best_weights는 가장 좋은 에포크를 복원한다"),
                           stop))
    return out


def _min_delta_ignored(params, stop, best):
    """Every decrease counted as an improvement (min_delta taken as 0): the run with
    min_delta = 0 (its stop, restored epoch and loss), and the lowest loss's epoch up to the
    true stop (the best loss read off the curve)."""
    from generator.model import Mistake

    losses, patience = params["losses"], params["patience"]
    if params["min_delta"] == 0:
        return []
    hint = ("this is what you get if you ignore min_delta: an epoch improves only when its loss is below the best "
            "value minus min_delta, so a smaller decrease does not count",
            "min_delta를 무시하면 나오는 값이다: 검증 손실이 기준값에서 min_delta를 뺀 값보다 작아야 개선이므로, 그보다 "
            "적게 줄어든 것은 개선이 아니다")
    stop0, best0 = ref_training.early_stopping_epoch([float(x) for x in losses], patience, 0.0)
    lowest = min(range(stop), key=lambda e: losses[e]) + 1
    out = []
    if stop0 + 1 != stop:
        out.append(Mistake("stop_epoch", "min_delta_ignored", hint, stop0 + 1))
    for epoch in sorted({best0 + 1, lowest} - {best}):
        out.append(Mistake("restored_epoch", "min_delta_ignored", hint, epoch))
        out.append(Mistake("best_loss", "min_delta_ignored", hint, losses[epoch - 1]))
    return out


def _class_share(key, k):
    """n_k / N, the class's share of the samples, for the balanced weight N / (K n_k)."""
    from generator.model import Mistake

    hint = ("this is what you get with the class's share of the samples n_k/N: a balanced weight is larger for a "
            "rarer class, N/(K n_k)",
            "클래스가 차지하는 비율 n_k/N을 쓰면 나오는 값이다: 균형 가중치는 샘플이 적은 클래스일수록 큰 N/(K n_k)이다")
    out = []
    for c in range(k):
        share = key[f"n_{c}"] / key["N"]
        if share != key[f"cw_{c}"]:
            out.append(Mistake(f"cw_{c}", "class_share", hint, share))
    return out
