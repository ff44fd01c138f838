"""Family: one output-layer weight update by the chain rule (the seed's dE/dw5 example).

dE/dw = dE/do * do/dz * dz/dw, then w^+ = w - eta dE/dw. Variants differ in the network
shape, biases or none, and which output-layer weight (or bias) is asked.
"""

from __future__ import annotations

import sympy as sp

from generator.families import _backprop as bp
from generator.model import Problem, Question, Text
from generator.symbolic import sym

SHAPES = ((2, 2, 2), (2, 3, 2), (3, 2, 1), (2, 2, 1), (3, 2, 2))


def sample(rng):
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    net = bp.Net(*shape, bias=bool(rng.integers(2)))
    k = int(rng.integers(1, net.n_out + 1))
    j = int(rng.integers(1, net.n_hidden + 1))
    asked = net.w_out(k, j)
    if net.bias and rng.random() < 0.25:
        asked = net.b_out(k)
    while True:
        values = bp.sample_values(rng, net)
        if bp.well_conditioned(net, values, asked=(asked,)):
            return {"net": net, "values": values, "asked": asked}


def _structure(net: bp.Net, asked: str):
    layer, index = net.position(asked)
    k = index[-1] + 1
    return k


def solve(params):
    net: bp.Net = params["net"]
    asked: str = params["asked"]
    values = dict(params["values"])
    k = _structure(net, asked)
    o, z = net.o(k), net.z_out(k)

    steps = [bp.heading("Forward pass", "순전파")]
    bp.run(bp.forward_formulas(net), values, steps)
    steps.append(bp.heading("Backward pass: the chain rule", "역전파: 연쇄 법칙"))
    deltas = bp.output_delta_formulas(net, k)
    bp.run(deltas[:2], values, steps)
    bp.run(bp.output_param_formulas(net, asked), values, steps)
    steps.append(bp.heading("Gradient-descent update", "경사 하강법 업데이트"))
    bp.run([bp.update_formula(asked)], values, steps)

    factor_o = bp.partial_name("E", o)
    factor_z = bp.partial_name(o, z)
    factor_w = bp.partial_name(z, asked)
    total = bp.partial_name("E", asked)
    updated = bp.new(asked)
    ref = _reference(net, params["values"], asked, k)

    def q(name, en, ko):
        return Question(
            key=name,
            prompt=Text(en=en + " {q}", ko=ko + " {q}", slots={"q": sym(name)}),
            answer=values[name],
            reference=ref[name],
        )

    kind_en = "bias" if asked.startswith("b_") else "weight"
    kind_ko = "편향" if asked.startswith("b_") else "가중치"
    questions = [
        q(factor_o, "The first chain-rule factor", "연쇄 법칙의 첫째 인수"),
        q(factor_z, "The second factor (derivative of the sigmoid)", "둘째 인수 (시그모이드 함수의 미분)"),
        q(factor_w, "The third factor", "셋째 인수"),
        q(total, "Their product, the gradient", "세 인수의 곱인 기울기"),
        q(updated, f"The updated {kind_en} after one gradient-descent step", f"경사 하강법 한 번 후의 새 {kind_ko}"),
    ]
    return Problem(
        family="",
        variant="",
        title=Text(en="Output-layer update by the chain rule", ko="출력층 가중치 업데이트 (연쇄 법칙)"),
        intro=bp.intro(net)
        + [
            Text(
                en="Do one step of backpropagation for {w}: write {g} as the product of three chain-rule factors, then update {w} with learning rate {eta}.",
                ko="{w}에 대해 오차 역전파를 한 단계 수행하시오: {g}를 연쇄 법칙의 세 인수의 곱으로 쓰고, 학습률 {eta}로 {w}를 업데이트하시오.",
                slots={"w": sym(asked), "g": sym(total), "eta": sym("eta")},
            )
        ],
        givens=bp.givens(net, params["values"]),
        questions=questions,
        steps=steps,
        display=bp.display(net),
        figure=bp.figure(net, params["values"]),
    )


def _reference(net, exact_values, asked, k):
    """The asked quantities in float64 through solutions/."""
    from solutions import activations, losses

    network = bp.reference_network()
    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    h, o = network.forward(x, W1, b1, W2, b2)
    z_out = h @ W2 + b2
    dW1, db1, dW2, db2 = network.backward(x, t, W1, b1, W2, b2)
    new = network.train_step(x, t, W1, b1, W2, b2, float(exact_values["eta"]))
    layer, index = net.position(asked)
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    updated = dict(zip(("W1", "b1", "W2", "b2"), new))
    local = h[0, index[0]] if layer == "W2" else 1.0
    return {
        bp.partial_name("E", net.o(k)): float(losses.sum_squared_error_grad(t, o)[0, k - 1]),
        bp.partial_name(net.o(k), net.z_out(k)): float(activations.sigmoid_derivative(z_out)[0, k - 1]),
        bp.partial_name(net.z_out(k), asked): float(local),
        bp.partial_name("E", asked): float(grads[layer][index]),
        bp.new(asked): float(updated[layer][index]),
    }
