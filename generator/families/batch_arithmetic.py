"""Family 8: batch arithmetic — iterations per epoch, parameter updates over several epochs,
and batch vs mini-batch vs stochastic gradient descent.

Structure: whether the batch size divides the number of samples (so whether the last batch
is smaller), and which ``batch_size`` setting the choice question describes. The seed notes'
example is one of the sizes: 2000 samples in batches of 200 give 10 iterations per epoch.

The number of epochs is shown as n_epochs (Keras's ``epochs=``), never E: every backprop
problem of the same sheet calls the error E.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from generator.families._key import Key, alternatives, apart, choose
from generator.notation import chain, sym
from generator.model import Problem, Question, Text
from solutions import training as ref

SAMPLES = (1000, 1200, 2000, 2500, 3000, 4500, 5000, 6000, 10000, 50000, 60000)
BATCHES = (16, 32, 50, 64, 100, 128, 200, 250, 256, 500)
EPOCHS = (5, 10, 20, 30, 50, 100)
KINDS = {
    "batch": Text("batch gradient descent", "배치 경사 하강법"),
    "mini_batch": Text("mini-batch gradient descent", "미니 배치 경사 하강법"),
    "stochastic": Text("stochastic gradient descent, SGD", "확률적 경사 하강법, SGD"),  # keys show it in parentheses
}
N, B, n_epochs = sym("N"), sym("B"), sym("n_epochs")


@lru_cache(maxsize=None)
def _template():
    # n_epochs first in a product: "n_epochs I", never "I n_epochs" (read "In" in MathML)
    I = sym("I")
    return (
        ("I", sp.ceiling(N / B), Text("one update per batch; a last, smaller batch still counts",
                                      "배치마다 한 번 갱신하며, 마지막의 작은 배치도 한 번으로 센다")),
        ("r", N - B * sp.Add(I, -1, evaluate=False), Text("samples left for the last batch", "마지막 배치에 남는 샘플 수")),
        ("U", chain(n_epochs, I), Text("epochs × updates per epoch", "에포크 수 × 에포크당 갱신 횟수")),
        ("U_batch", n_epochs, Text("batch gradient descent: the whole data set is one batch, one update per epoch",
                            "배치 경사 하강법: 전체 데이터가 하나의 배치이므로 에포크마다 한 번 갱신")),
        ("U_sgd", chain(n_epochs, N), Text("stochastic gradient descent: batch size 1, one update per sample",
                              "확률적 경사 하강법: 배치 크기 1, 샘플마다 한 번 갱신")),
    )


def sample(rng) -> dict:
    divides = bool(rng.integers(2))
    while True:
        n, b = choose(rng, SAMPLES), choose(rng, BATCHES)
        if (n % b == 0) == divides and n // b >= 2:
            break
    return {"N": n, "B": b, "n_epochs": choose(rng, EPOCHS), "fit_kind": choose(rng, tuple(KINDS)),
            "fit_batch": choose(rng, (16, 32, 64, 128))}


def solve(params) -> Problem:
    n, b, epochs = params["N"], params["B"], params["n_epochs"]
    key = Key()
    key.given("N", n, Text("number of training samples", "훈련 샘플 수"))
    key.given("B", b, Text("batch size", "배치 크기"))
    key.given("n_epochs", epochs, Text("number of epochs", "에포크 수"))
    for name, formula, note in _template():
        key.step(name, formula, note)

    batches = ref.minibatch_indices(n, b, np.random.default_rng(0), shuffle=False)
    per_epoch = int(ref.iterations_per_epoch(n, b))
    reference = {"I": per_epoch, "r": len(batches[-1]), "U": epochs * per_epoch,
                 "U_batch": epochs * int(ref.iterations_per_epoch(n, n)),
                 "U_sgd": epochs * int(ref.iterations_per_epoch(n, 1))}
    prompts = {
        "I": Text("the number of iterations (batches, parameter updates) per epoch {I}",
                  "한 에포크의 이터레이션 수(배치 수, 매개변수 갱신 횟수) {I}"),
        "r": Text("the number of samples {r} in the last batch of an epoch", "한 에포크의 마지막 배치의 샘플 수 {r}"),
        "U": Text("the number of parameter updates {U} in {n_epochs} epochs", "{n_epochs} 에포크 동안의 매개변수 갱신 횟수 {U}"),
        "U_batch": Text("the number of updates {U_batch} in {n_epochs} epochs with batch gradient descent",
                        "배치 경사 하강법으로 {n_epochs} 에포크 동안의 갱신 횟수 {U_batch}"),
        "U_sgd": Text("the number of updates {U_sgd} in {n_epochs} epochs with stochastic gradient descent (batch size 1)",
                      "확률적 경사 하강법(배치 크기 1)으로 {n_epochs} 에포크 동안의 갱신 횟수 {U_sgd}"),
    }
    questions = []
    for name, prompt in prompts.items():
        slots = {name: sym(name)}
        if "{n_epochs}" in prompt.en:
            slots["n_epochs"] = n_epochs
        questions.append(Question(key=name, kind="integer", answer=int(key[name]), reference=reference[name],
                                  prompt=Text(prompt.en, prompt.ko, slots)))

    fit_kind = params["fit_kind"]
    setting = {"batch": "len(X_train)", "stochastic": "1", "mini_batch": str(params["fit_batch"])}[fit_kind]
    questions.append(Question(
        key="fit_kind", kind="choice", answer=fit_kind, choices=dict(KINDS),
        prompt=Text("Training a Keras model with `model.fit(X_train, y_train, batch_size={setting})` is which kind "
                    "of gradient descent?",
                    "케라스 모델을 `model.fit(X_train, y_train, batch_size={setting})`로 학습시키는 것은 어떤 경사 "
                    "하강법인가?", {"setting": setting})))

    intro = [Text(
        "A network is trained on {N} samples with batch size {B} for {n_epochs} epochs; the parameters are updated once "
        "per batch. When {B} does not divide {N}, the last batch of an epoch is smaller and is kept (as Keras "
        "does): it is a batch and an update like the others.",
        "신경망을 샘플 {N}개로 배치 크기 {B}를 써서 {n_epochs} 에포크 동안 학습시킨다. 매개변수는 배치마다 한 번 갱신된다. "
        "{N}이 {B}로 나누어떨어지지 않으면 에포크의 마지막 배치는 더 작으며, 버리지 않고 그대로 쓴다(케라스와 같다): "
        "다른 배치처럼 한 번의 갱신이 된다.",
        {"N": N, "B": B, "n_epochs": n_epochs})]
    remarks = [Text(
        "An epoch is one pass over the whole training set; the batch size is how many samples are used for one "
        "update; the iterations (steps) are the number of batches, and so of updates, in one epoch.",
        "에포크는 전체 훈련 데이터를 한 번 모두 학습한 것이고, 배치 크기는 한 번의 갱신에 쓰는 샘플 수이며, "
        "이터레이션(스텝)은 한 에포크의 배치 수, 곧 매개변수 갱신 횟수이다.")]
    title = Text("Batch size, epochs and iterations", "배치 크기, 에포크와 이터레이션")
    return Problem(family="", variant="", title=title, intro=intro, givens=key.givens, questions=questions,
                   steps=key.steps, remarks=remarks, make_mistakes=lambda: apart(alternatives(key, questions, MISTAKES),
                                                                   ("remainder_as_last_batch",)))


def _floor(name, formula):
    return formula.replace(sp.ceiling, sp.floor)


def _remainder(name, formula):
    """The last batch as the remainder N mod B = N - B floor(N/B): right when B does not divide
    N, 0 when it does (the last batch is then a full one)."""
    return N - chain(B, sp.floor(N / B)) if name == "r" else formula


#: floor for ceiling, and the partial last batch dropped: one formula, two ways to say it;
#: the remainder taken as the last batch (named only where B divides N: elsewhere it is right)
MISTAKES = (
    ("floor_for_ceiling", ("this is what you get if you round N/B down: the iterations per epoch are N/B rounded up",
                           "나눗셈(N/B)을 내림하면 나오는 값이다: 에포크당 반복 횟수는 N/B의 올림이다"), _floor),
    ("partial_batch_dropped", ("this is what you get if you drop the last, smaller batch: it is still one iteration",
                               "마지막의 작은 배치를 빼면 나오는 값이다: 그 배치도 한 번의 반복이다"), _floor),
    ("remainder_as_last_batch",
     ("this is what you get if you take the remainder N mod B as the size of the last batch: when B divides N "
      "there is no smaller batch, and the last batch is as full as the others",
      "마지막 배치의 크기를 나머지(N mod B)로 구하면 나오는 값이다: N이 B로 나누어떨어지면 더 작은 배치는 없고, "
      "마지막 배치도 다른 배치처럼 가득 찬다"), _remainder),
)
