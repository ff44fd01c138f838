"""Family: one output-layer weight update by the chain rule (the seed's dE/dw5 example).

dE/dw = dE/do * do/dz * dz/dw, then w^+ = w - eta dE/dw. Variants differ in the network
shape, biases or none, and which output-layer weight (or bias) is asked.
"""

from __future__ import annotations

from generator.families import _backprop as bp
from generator.model import Text
from generator.notation import sym

SHAPES = ((2, 2, 2), (2, 3, 2), (3, 2, 1), (2, 2, 1), (3, 2, 2))


def sample(rng):
    return bp.sample_update(rng, SHAPES, "output")


def solve(params):
    net: bp.Net = params["net"]
    asked: str = params["asked"]
    values = dict(params["values"])
    k = net.position(asked)[1][-1] + 1
    o, z = net.o(k), net.z_out(k)

    steps = [bp.heading("Forward pass", "순전파")]
    bp.run(bp.forward_formulas(net), values, steps)
    steps.append(bp.heading("Backward pass: the chain rule", "역전파: 연쇄법칙"))
    bp.run(bp.output_delta_formulas(net, k)[:2], values, steps)
    bp.run(bp.output_param_formulas(net, asked), values, steps)
    steps.append(bp.heading("Gradient-descent update", "경사 하강법 업데이트"))
    bp.run([bp.update_formula(asked)], values, steps)

    total = bp.partial_name("E", asked)
    ref = _reference(net, params["values"], asked, k)
    kind_en, kind_ko = bp.parameter_kind(asked)

    def q(name, en, ko):
        return bp.question(name, en, ko, values, ref)

    questions = [
        q(bp.partial_name("E", o), "The first chain-rule factor", "연쇄법칙의 첫째 인수"),
        q(bp.partial_name(o, z), "The second factor (derivative of the sigmoid)", "둘째 인수 (시그모이드 함수의 미분)"),
        q(bp.partial_name(z, asked), "The third factor", "셋째 인수"),
        q(total, "Their product, the gradient", "세 인수의 곱인 기울기"),
        q(bp.new(asked), f"The updated {kind_en} after one gradient-descent step", f"경사 하강법 한 번 후의 새 {kind_ko}"),
    ]
    task = Text(
        en="Do one step of backpropagation for {w}: write {g} as the product of three chain-rule factors, then update {w} with learning rate {eta}.",
        ko="{w}에 대해 오차 역전파를 한 단계 수행하시오: {g}를 연쇄법칙의 세 인수의 곱으로 쓰고, 학습률 {eta}로 {w}를 업데이트하시오.",
        slots={"w": sym(asked), "g": sym(total), "eta": sym("eta")},
    )
    title = Text(en="Output-layer update by the chain rule", ko="출력층 가중치 업데이트 (연쇄법칙)")
    return bp.problem(net, params, title, task, questions, steps)


def _reference(net, exact_values, asked, k):
    """The asked quantities in float64 through solutions/."""
    from solutions import activations, losses

    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    h, o = bp.reference_network().forward(x, W1, b1, W2, b2)
    layer, index = net.position(asked)
    ref = bp.reference_update(net, exact_values)
    ref[bp.partial_name("E", net.o(k))] = float(losses.sum_squared_error_grad(t, o)[0, k - 1])
    ref[bp.partial_name(net.o(k), net.z_out(k))] = float(activations.sigmoid_derivative(h @ W2 + b2)[0, k - 1])
    # dz/dw is the hidden output the weight multiplies; dz/db is exactly 1
    ref[bp.partial_name(net.z_out(k), asked)] = float(h[0, index[0]]) if layer == "W2" else 1.0
    return ref
