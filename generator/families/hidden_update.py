"""Family: a hidden-layer weight update, dE/dw1 through both outputs.

dE/dh = sum over outputs k of dE/dz_k * w_kh (each output's delta carried back through
its weight), then dE/dw = dE/dh * dh/dz * dz/dw and w^+ = w - eta dE/dw. Variants differ
in the network shape, biases or none, and which hidden-layer weight (or bias) is asked.
"""

from __future__ import annotations

from generator.families import _backprop as bp
from generator.model import Text
from generator.notation import sym

# two or more outputs, so that the gradient really flows back "through both outputs"
SHAPES = ((2, 2, 2), (2, 3, 2), (3, 2, 2), (2, 2, 3))


def sample(rng):
    return bp.sample_update(rng, SHAPES, "hidden")


def solve(params):
    net: bp.Net = params["net"]
    asked: str = params["asked"]
    values = dict(params["values"])
    _layer, index = net.position(asked)
    j = index[-1] + 1
    h, z = net.h(j), net.z_hidden(j)

    steps = [bp.heading("Forward pass", "순전파")]
    bp.run(bp.forward_formulas(net), values, steps)
    steps.append(bp.heading("Output deltas", "출력층의 델타"))
    for k in net.outputs:
        bp.run(bp.output_delta_formulas(net, k), values, steps)
    steps.append(bp.heading("Back to the hidden layer: the chain rule", "은닉층으로 역전파: 연쇄법칙"))
    bp.run(bp.hidden_unit_formulas(net, j)[:2], values, steps)
    bp.run(bp.hidden_param_formulas(net, asked), values, steps)
    steps.append(bp.heading("Gradient-descent update", "경사 하강법 업데이트"))
    bp.run([bp.update_formula(asked)], values, steps)

    ref = _reference(net, params["values"], j)
    kind_en, kind_ko = bp.parameter_kind(asked)
    outputs_en = "both outputs" if net.n_out == 2 else f"all {net.n_out} outputs"
    outputs_ko = "두 출력을" if net.n_out == 2 else f"출력 {net.n_out}개를 모두"

    def q(name, en, ko):
        return bp.question(name, en, ko, values, ref, h=sym(h))

    questions = [
        q(bp.partial_name("E", h), f"The derivative of the error with respect to {{h}}, through {outputs_en},", f"{outputs_ko} 거친 {{h}}에 대한 오차의 미분"),
        q(bp.partial_name(h, z), "The derivative of the hidden sigmoid", "은닉층 시그모이드 함수의 미분"),
        q(bp.partial_name("E", asked), "The gradient", "기울기"),
        q(bp.new(asked), f"The updated {kind_en} after one gradient-descent step", f"경사 하강법 한 번 후의 새 {kind_ko}"),
    ]
    task = Text(
        en="Backpropagate to the hidden layer and update {w} with learning rate {eta}: {w} reaches the error through every output, so {dh} collects one term per output.",
        ko="은닉층까지 오차 역전파를 하여 학습률 {eta}로 {w}를 업데이트하시오. {w}는 모든 출력을 거쳐 오차에 영향을 주므로 {dh}는 출력마다 한 항씩 더한 값이다.",
        slots={"w": sym(asked), "eta": sym("eta"), "dh": sym(bp.partial_name("E", h))},
    )
    title = Text(en="Hidden-layer update through every output", ko="은닉층 가중치 업데이트")
    return bp.problem(net, params, title, task, questions, steps)


def _reference(net, exact_values, j):
    """The asked quantities in float64 through solutions/."""
    from solutions import activations, layers, losses

    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    h, o = bp.reference_network().forward(x, W1, b1, W2, b2)
    # dE/dh is the input gradient of the output layer: dense_backward of the output deltas
    delta_out = losses.sum_squared_error_grad(t, o) * activations.sigmoid_derivative(h @ W2 + b2)
    dh, _dW, _db = layers.dense_backward(delta_out, h, W2)
    ref = bp.reference_update(net, exact_values)
    ref[bp.partial_name("E", net.h(j))] = float(dh[0, j - 1])
    z_hidden = layers.dense_forward(x, W1, b1)
    ref[bp.partial_name(net.h(j), net.z_hidden(j))] = float(activations.sigmoid_derivative(z_hidden)[0, j - 1])
    return ref
