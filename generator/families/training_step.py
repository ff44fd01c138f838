"""Family: one full training step of the seed's network: every updated weight (and bias),
and the error before and after (the seed's 결과 확인: the error went down).

Each parameter's gradient is its unit's delta dE/dz times the input the parameter
multiplies (dz/dw = h or x, dz/db = 1). Variants differ in the network shape, biases or
none, and the learning rate.
"""

from __future__ import annotations

from generator.families import _backprop as bp
from generator.model import Num, Text
from generator.notation import chain, sym

SHAPES = ((2, 2, 2), (2, 2, 1), (3, 2, 1), (2, 3, 1))


def sample(rng):
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    net = bp.Net(*shape, bias=bool(rng.integers(2)))
    while True:
        values = bp.sample_values(rng, net)
        if bp.well_conditioned(net, values, asked=tuple(net.parameters()), min_grad=1e-4) and _improves(net, values):
            return {"net": net, "values": values}


def _improves(net, values) -> bool:
    """The step lowers the error visibly (as in the seed), so 'after' is worth computing."""
    grads = bp.float_gradients(net, values)
    eta = float(values["eta"])
    after = dict(values)
    for name, grad in grads.items():
        after[name] = float(values[name]) - eta * grad
    _h, o = bp.float_forward(net, values)
    _h, o_after = bp.float_forward(net, after)
    t = [float(values[net.t(k)]) for k in net.outputs]
    before = sum((tk - ok) ** 2 for tk, ok in zip(t, o)) / 2
    later = sum((tk - ok) ** 2 for tk, ok in zip(t, o_after)) / 2
    return later < before * (1 - 1e-3)


def _local(net: bp.Net, name: str):
    """(delta step name, the input the parameter multiplies or 1)."""
    layer, index = net.position(name)
    if layer == "W2":
        return bp.partial_name("E", net.z_out(index[1] + 1)), sym(net.h(index[0] + 1))
    if layer == "b2":
        return bp.partial_name("E", net.z_out(index[0] + 1)), 1
    if layer == "W1":
        return bp.partial_name("E", net.z_hidden(index[1] + 1)), sym(net.x(index[0] + 1))
    return bp.partial_name("E", net.z_hidden(index[0] + 1)), 1


def solve(params):
    net: bp.Net = params["net"]
    values = dict(params["values"])
    steps = [bp.heading("Forward pass", "순전파")]
    bp.run(bp.forward_formulas(net), values, steps)
    steps.append(bp.heading("Output deltas", "출력층의 델타"))
    for k in net.outputs:
        bp.run(bp.output_delta_formulas(net, k), values, steps)
    steps.append(bp.heading("Hidden deltas", "은닉층의 델타"))
    for j in net.hidden:
        bp.run(bp.hidden_unit_formulas(net, j), values, steps)
    steps.append(bp.heading("Gradients: delta times the unit's input", "기울기: 델타 × 입력"))
    for name in net.parameters():
        delta, local = _local(net, name)
        formula = chain(sym(delta), local) if local != 1 else sym(delta)
        bp.run([(bp.partial_name("E", name), formula)], values, steps)
    steps.append(bp.heading("Gradient-descent updates", "경사 하강법 업데이트"))
    bp.run([bp.update_formula(name) for name in net.parameters()], values, steps)
    steps.append(bp.heading("Forward pass with the updated weights", "업데이트된 가중치로 순전파"))
    bp.run(bp.forward_formulas(net, after=True), values, steps)

    ref = _reference(net, params["values"])
    questions = [bp.question("E", "The error before the step", "학습 전의 오차", values, ref)]
    for name in net.parameters():
        en, ko = bp.parameter_kind(name)
        questions.append(bp.question(bp.new(name), f"The updated {en}", f"업데이트된 {ko}", values, ref))
    questions.append(bp.question(bp.new("E"), "The error after the step", "학습 후의 오차", values, ref))
    task = Text(
        en=(
            "Do one training step: the forward pass, backpropagation of the error, and a "
            f"gradient-descent update of every weight{' and bias' if net.bias else ''} with "
            "learning rate {eta}. Every gradient is computed with the weights before the step "
            "(all of them are updated at once, none uses another's new value). Then run the forward "
            "pass again and compare the error before and after."
        ),
        ko=(
            "학습을 한 단계 수행하시오: 순전파, 오차 역전파, 그리고 학습률 {eta}로 모든 "
            f"{'가중치와 편향을' if net.bias else '가중치를'} 경사 하강법으로 업데이트한다. 모든 기울기는 "
            "업데이트하기 전의 가중치로 계산한다(모두 한꺼번에 업데이트하며, 다른 가중치의 새 값을 쓰지 않는다). "
            "그 뒤 다시 순전파를 하여 학습 전과 후의 오차를 비교하시오."
        ),
        slots={"eta": sym("eta")},
    )
    title = Text(en="One full training step", ko="학습 한 단계 (순전파와 오차 역전파)")
    problem = bp.problem(net, params, title, task, questions, steps)
    if values[bp.new("E")] < values["E"]:
        problem.remarks.append(
            Text(
                en="One step of backpropagation lowered the error from {E} to {En}. Training repeats forward and backward passes to find the weights that minimise the error.",
                ko="한 번의 역전파로 전체 오차가 {E}에서 {En}로 감소했다. 인공 신경망의 학습은 오차를 최소화하는 가중치를 찾기 위해 순전파와 역전파를 반복하는 것이다.",
                slots={"E": Num(values["E"]), "En": Num(values[bp.new("E")])},
            )
        )
    return problem


def _reference(net, exact_values):
    """The asked quantities in float64 through solutions/."""
    from solutions import losses

    network = bp.reference_network()
    ref = bp.reference_update(net, exact_values)
    after = dict(exact_values)
    after.update({name + bp.NEW: ref[bp.new(name)] for name in net.parameters()})
    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    _h, o = network.forward(x, W1, b1, W2, b2)
    # a network without biases keeps none after the step (train_step would move its zeros)
    _x, _t, W1n, b1n, W2n, b2n = net.arrays(after, new=bp.NEW)
    _h, o_after = network.forward(x, W1n, b1n, W2n, b2n)
    ref["E"] = float(losses.sum_squared_error(t, o))
    ref[bp.new("E")] = float(losses.sum_squared_error(t, o_after))
    return ref
