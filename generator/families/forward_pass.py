"""Family: the forward pass of a small sigmoid network (z, h, o, E), as in the seed notes.

Variants differ in the network shape, biases or none, and which hidden unit is asked.
"""

from __future__ import annotations

from generator.families import _backprop as bp
from generator.model import Text
from generator.notation import sym

SHAPES = ((2, 2, 2), (2, 3, 2), (3, 2, 1), (2, 2, 1), (3, 2, 2), (2, 3, 1))


def sample(rng):
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    net = bp.Net(*shape, bias=bool(rng.integers(2)))
    j = int(rng.integers(1, net.n_hidden + 1))
    while True:
        values = bp.sample_values(rng, net)
        if bp.well_conditioned(net, values):
            return {"net": net, "values": values, "unit": j}


def solve(params):
    net: bp.Net = params["net"]
    j: int = params["unit"]
    values = dict(params["values"])
    steps = [bp.heading("Forward pass", "순전파")]
    bp.run(bp.forward_formulas(net), values, steps)
    ref = _reference(net, params["values"])

    def q(name, en, ko):
        return bp.question(name, en, ko, values, ref)

    questions = [
        q(net.z_hidden(j), f"The weighted input of hidden unit {j}", f"은닉층 뉴런 {j}의 가중합"),
        q(net.h(j), f"The output of hidden unit {j}", f"은닉층 뉴런 {j}의 출력"),
    ]
    questions += [q(net.o(k), f"The output of output unit {k}", f"출력층 뉴런 {k}의 출력") for k in net.outputs]
    questions.append(q("E", "The error", "오차"))
    task = Text(
        en="Compute the forward pass for the given input and weights up to the error {E}; the questions ask "
           "for some of its values (the others are needed on the way).",
        ko="주어진 입력과 가중치로 오차 {E}까지 순전파를 계산하고 아래 질문에 답하시오(질문에 없는 값도 계산 "
           "과정에 필요하다).",
        slots={"E": sym("E")},
    )
    title = Text(en="Forward pass", ko="순전파")
    return bp.problem(net, params, title, task, questions, steps, with_eta=False)


def _reference(net, exact_values):
    """The asked quantities in float64 through solutions/."""
    from solutions import layers, losses

    network = bp.reference_network()
    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    z = layers.dense_forward(x, W1, b1)
    h, o = network.forward(x, W1, b1, W2, b2)
    ref = {net.z_hidden(j): float(z[0, j - 1]) for j in net.hidden}
    ref.update({net.h(j): float(h[0, j - 1]) for j in net.hidden})
    ref.update({net.o(k): float(o[0, k - 1]) for k in net.outputs})
    ref["E"] = float(losses.sum_squared_error(t, o))
    return ref
