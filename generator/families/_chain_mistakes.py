"""The classic hand mistakes of the backprop chain, as alternative formulas.

``chain_mistakes(net, givens, questions)`` returns a ``generator.model.Mistake`` for every
asked quantity a known mistake changes: forgetting the 1/2 of E, o - t written t - o,
dropping the sigmoid derivative o(1 - o) (or h(1 - h)), z(1 - z) for o(1 - o), the
sigmoid derivative applied twice, adding the gradient instead of subtracting it,
forgetting the learning rate, using the updated output weight w^+ for the hidden layer,
following only one output's path, forgetting the activation in the forward pass. Each
value is the formula evaluated at the variant's exact givens and forward pass by the one
evaluator (``generator.symbolic.evaluate_numbers``); each hint names the mistake, never
the value.
"""

from __future__ import annotations

import functools
from typing import Dict, List

import sympy as sp

from generator.model import Mistake
from generator.notation import sym
from generator.symbolic import evaluate_numbers, inexact, to_sympy


def chain_mistakes(net, givens: Dict[str, sp.Expr], questions) -> List[Mistake]:
    """The mistakes of the asked questions, evaluated at this variant's givens."""
    from generator.families._backprop import forward_formulas

    env = {name: inexact(value) for name, value in givens.items()}  # 45 digits are plenty here
    for name, formula in forward_formulas(net):  # z, h, o: the formulas below are in these
        env[name] = evaluate_numbers(formula, env)
    asked = {q.key for q in questions}
    return [Mistake(key, name, hint, to_sympy(evaluate_numbers(formula, env)))
            for key, name, hint, formula in _catalogue(net) if key in asked]


@functools.lru_cache(maxsize=None)
def _catalogue(net):
    """(question, mistake, hint, formula in the givens) for every quantity of one network
    shape: built once per shape, evaluated per variant."""
    from generator.families._backprop import new, partial_name

    out = []

    def add(key, name, en, ko, formula):
        out.append((key, name, (en, ko), formula))

    S, eta = sym, sym("eta")
    # the forward pass by name (chain_mistakes evaluates it first): small formulas, fast
    z_val = {net.z_hidden(j): S(net.z_hidden(j)) for j in net.hidden}
    h = {j: S(net.h(j)) for j in net.hidden}
    z_out = {k: S(net.z_out(k)) for k in net.outputs}
    o = {k: S(net.o(k)) for k in net.outputs}
    t = {k: S(net.t(k)) for k in net.outputs}

    # --- forward pass
    for j in net.hidden:
        hj = net.h(j)
        add(hj, "no_activation", f"this is what you get if you leave out the sigmoid: {hj} = sigma({net.z_hidden(j)})",
            f"시그모이드 함수를 빠뜨리면 나오는 값이다: {hj} = sigma({net.z_hidden(j)})", z_val[net.z_hidden(j)])
    for k in net.outputs:
        ok = net.o(k)
        add(ok, "no_activation", f"this is what you get if you leave out the sigmoid: {ok} = sigma({net.z_out(k)})",
            f"시그모이드 함수를 빠뜨리면 나오는 값이다: {ok} = sigma({net.z_out(k)})", z_out[k])
    squares = sp.Add(*[(t[k] - o[k]) ** 2 for k in net.outputs])
    add("E", "no_half", "this is what you get if you forget the 1/2 in E = 1/2 sum (t_k - o_k)^2",
        "오차 E = 1/2 sum (t_k - o_k)^2에서 1/2을 빠뜨리면 나오는 값이다", squares)

    # --- output layer
    half = ("this is what you get if you forget the 1/2 of E: dE/do_{k} is o_{k} - t_{k}, not 2(o_{k} - t_{k})",
            "E의 1/2을 빠뜨리면 나오는 값이다: 출력에 대한 미분 dE/do_{k} = o_{k} - t_{k}에는 2가 곱해지지 않는다")
    flipped = ("this is what you get with t_{k} - o_{k} for dE/do_{k}: the derivative of 1/2 (t_{k} - o_{k})^2 "
               "with respect to o_{k} is o_{k} - t_{k}",
               "뺄셈을 t_{k} - o_{k}처럼 거꾸로 쓰면 나오는 값이다: 1/2 (t_{k} - o_{k})^2을 o_{k}에 대해 미분하면 o_{k} - t_{k}이다")
    no_sig = ("this is what you get if you leave out the sigmoid derivative o_{k}(1 - o_{k})",
              "시그모이드 함수의 미분(o_{k}(1 - o_{k}))을 빠뜨리면 나오는 값이다")
    z_for_o = ("this is what you get with z(1 - z) for the sigmoid derivative: it is o_{k}(1 - o_{k}), with the "
               "output o_{k}, not the weighted input",
               "시그모이드 함수의 미분을 z(1 - z)로 쓰면 나오는 값이다: 가중합이 아니라 출력(o_{k})을 넣은 o_{k}(1 - o_{k})이다")
    twice = ("this is what you get if you apply the sigmoid derivative o_{k}(1 - o_{k}) twice",
             "시그모이드 함수의 미분(o_{k}(1 - o_{k}))을 두 번 곱하면 나오는 값이다")
    added = ("this is what you get if you add the gradient: gradient descent subtracts eta times the gradient",
             "기울기를 더하면 나오는 값이다: 경사 하강법은 학습률 곱하기 기울기를 뺀다")
    no_eta = ("this is what you get if you forget the learning rate eta in the update",
              "업데이트에서 학습률(eta)을 빠뜨리면 나오는 값이다")

    def fmt(pair, **slots):
        return pair[0].format(**slots), pair[1].format(**slots)

    delta = {}
    for k in net.outputs:
        ok, zk = net.o(k), net.z_out(k)
        d_sig = o[k] * (1 - o[k])
        delta[k] = (o[k] - t[k]) * d_sig
        add(partial_name("E", ok), "no_half", *fmt(half, k=k), 2 * (o[k] - t[k]))
        add(partial_name("E", ok), "t_minus_o", *fmt(flipped, k=k), t[k] - o[k])
        add(partial_name(ok, zk), "z_for_o", *fmt(z_for_o, k=k), z_out[k] * (1 - z_out[k]))
        params = [(net.w_out(k, j), h[j]) for j in net.hidden] + ([(net.b_out(k), sp.Integer(1))] if net.bias else [])
        for p, local in params:
            g = delta[k] * local
            wrong = {
                "no_half": (fmt(half, k=k), 2 * g),
                "t_minus_o": (fmt(flipped, k=k), -g),
                "no_sigmoid_derivative": (fmt(no_sig, k=k), (o[k] - t[k]) * local),
                "z_for_o": (fmt(z_for_o, k=k), (o[k] - t[k]) * z_out[k] * (1 - z_out[k]) * local),
                "sigmoid_derivative_twice": (fmt(twice, k=k), (o[k] - t[k]) * d_sig ** 2 * local),
            }
            for name, (hint, value) in wrong.items():
                add(partial_name("E", p), name, *hint, value)
                add(new(p), name, *hint, S(p) - eta * value)
            add(new(p), "added_gradient", *added, S(p) + eta * g)
            add(new(p), "no_eta", *no_eta, S(p) - g)

    # --- hidden layer
    one_path = ("this is what you get from the path through o_{k} alone: dE/dh_{j} adds one term per output",
                "한 출력(o_{k})을 거치는 경로만 계산하면 나오는 값이다: 은닉층 출력에 대한 미분(dE/dh_{j})은 출력마다 한 항씩 더한 값이다")
    updated = ("this is what you get with the updated output weights (w^+): backpropagate with the weights from "
               "before the update",
               "업데이트된 출력층 가중치(w^+)를 쓰면 나오는 값이다: 업데이트 전의 가중치로 역전파하시오")
    no_out_sig = ("this is what you get if you leave out the output sigmoid derivatives o_k(1 - o_k) in dE/dh_{j}",
                  "은닉층 출력에 대한 미분(dE/dh_{j})에서 출력층 시그모이드 함수의 미분(o_k(1 - o_k))을 빠뜨리면 나오는 값이다")
    no_hid_sig = ("this is what you get if you leave out the sigmoid derivative h_{j}(1 - h_{j})",
                  "시그모이드 함수의 미분(h_{j}(1 - h_{j}))을 빠뜨리면 나오는 값이다")
    z_for_h = ("this is what you get with z(1 - z) for the sigmoid derivative: it is h_{j}(1 - h_{j}), with the "
               "hidden output h_{j}",
               "시그모이드 함수의 미분을 z(1 - z)로 쓰면 나오는 값이다: 은닉층 출력(h_{j})을 넣은 h_{j}(1 - h_{j})이다")
    hid_twice = ("this is what you get if you apply the sigmoid derivative h_{j}(1 - h_{j}) twice",
                 "시그모이드 함수의 미분(h_{j}(1 - h_{j}))을 두 번 곱하면 나오는 값이다")
    half_h = ("this is what you get if you forget the 1/2 of E: every output delta doubles",
              "E의 1/2을 빠뜨리면 나오는 값이다: 출력층의 델타가 모두 두 배가 된다")
    for j in net.hidden:
        hj, zj = net.h(j), net.z_hidden(j)
        dEdh = sp.Add(*[delta[k] * S(net.w_out(k, j)) for k in net.outputs])
        d_sig = h[j] * (1 - h[j])
        zval = z_val[zj]
        alternatives = {
            "updated_output_weights": (fmt(updated), sp.Add(*[delta[k] * (S(net.w_out(k, j)) - eta * delta[k] * h[j])
                                                               for k in net.outputs])),
            "no_output_sigmoid_derivative": (fmt(no_out_sig, j=j),
                                             sp.Add(*[(o[k] - t[k]) * S(net.w_out(k, j)) for k in net.outputs])),
            "no_half": (fmt(half_h), 2 * dEdh),
        }
        if net.n_out > 1:
            for k in net.outputs:
                alternatives[f"one_output_path@{k}"] = (fmt(one_path, k=k, j=j), delta[k] * S(net.w_out(k, j)))
        for name, (hint, value) in alternatives.items():
            add(partial_name("E", hj), name.split("@")[0], *hint, value)
        add(partial_name(hj, zj), "z_for_h", *fmt(z_for_h, j=j), zval * (1 - zval))
        params = [(net.w_hidden(j, i), S(net.x(i))) for i in net.inputs]
        params += [(net.b_hidden(j), sp.Integer(1))] if net.bias else []
        for p, local in params:
            g = dEdh * d_sig * local
            wrong = {name: (hint, value * d_sig * local) for name, (hint, value) in alternatives.items()}
            wrong["no_hidden_sigmoid_derivative"] = (fmt(no_hid_sig, j=j), dEdh * local)
            wrong["z_for_h"] = (fmt(z_for_h, j=j), dEdh * zval * (1 - zval) * local)
            wrong["sigmoid_derivative_twice"] = (fmt(hid_twice, j=j), dEdh * d_sig ** 2 * local)
            for name, (hint, value) in wrong.items():
                add(partial_name("E", p), name.split("@")[0], *hint, value)
                add(new(p), name.split("@")[0], *hint, S(p) - eta * value)
            add(new(p), "added_gradient", *added, S(p) + eta * g)
            add(new(p), "no_eta", *no_eta, S(p) - g)
    return tuple(out)
