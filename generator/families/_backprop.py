"""Shared pieces of the backprop families (forward pass, output/hidden update, training step).

The network is the seed notes' one, generalised: ``n_in`` inputs, one sigmoid hidden
layer of ``n_hidden`` units, ``n_out`` sigmoid outputs, optional per-unit biases, loss
E = 1/2 sum_k (t_k - o_k)**2. Names follow the seed (and CONTRACT.md):

- hidden weights first, grouped by hidden unit: w_1 = x_1 -> h_1, w_2 = x_2 -> h_1,
  w_3 = x_1 -> h_2, ...; then output weights grouped by output: w_5 = h_1 -> o_1,
  w_6 = h_2 -> o_1, w_7 = h_1 -> o_2, ... (exactly the seed's w1..w8 for 2-2-2);
- biases b_1..b_H of the hidden units, then b_{H+1}..b_{H+K} of the outputs;
- pre-activations z_1..z_H (hidden) and z_{H+1}..z_{H+K} (outputs: z3, z4 in the seed).

The symbolic forms (formulas of every step) are built once per network shape and cached;
a variant substitutes its exact numbers (``generator.symbolic.evaluate``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import sympy as sp

from generator.families._chain_mistakes import chain_mistakes
from generator.model import Given, Problem, Question, Step, Text
from generator.notation import Partial, chain, sigma, sym, terms
from generator.symbolic import as_float, evaluate

R = sp.Rational


@dataclass(frozen=True)
class Net:
    n_in: int
    n_hidden: int
    n_out: int
    bias: bool

    # --- names ---------------------------------------------------------------------
    def x(self, i):
        return f"x_{i}"

    def w_hidden(self, j, i):
        """Weight from input i to hidden unit j (1-based)."""
        return f"w_{(j - 1) * self.n_in + i}"

    def w_out(self, k, j):
        """Weight from hidden unit j to output k (1-based)."""
        return f"w_{self.n_in * self.n_hidden + (k - 1) * self.n_hidden + j}"

    def b_hidden(self, j):
        return f"b_{j}"

    def b_out(self, k):
        return f"b_{self.n_hidden + k}"

    def z_hidden(self, j):
        return f"z_{j}"

    def z_out(self, k):
        return f"z_{self.n_hidden + k}"

    def h(self, j):
        return f"h_{j}"

    def o(self, k):
        return f"o_{k}"

    def t(self, k):
        return f"t_{k}"

    @property
    def inputs(self):
        return range(1, self.n_in + 1)

    @property
    def hidden(self):
        return range(1, self.n_hidden + 1)

    @property
    def outputs(self):
        return range(1, self.n_out + 1)

    @property
    def label(self):
        return f"{self.n_in}-{self.n_hidden}-{self.n_out}"

    def weights(self) -> List[str]:
        return [self.w_hidden(j, i) for j in self.hidden for i in self.inputs] + [
            self.w_out(k, j) for k in self.outputs for j in self.hidden
        ]

    def biases(self) -> List[str]:
        if not self.bias:
            return []
        return [self.b_hidden(j) for j in self.hidden] + [self.b_out(k) for k in self.outputs]

    def parameters(self) -> List[str]:
        return self.weights() + self.biases()

    # --- matrices in the contract's layout (x @ W + b) -----------------------------
    def arrays(self, values: Dict[str, sp.Expr], new: str = ""):
        """(x, t, W1, b1, W2, b2) as float64 arrays; ``new`` appends a suffix to parameter names."""

        def f(name):
            return as_float(values[name])

        x = np.array([[f(self.x(i)) for i in self.inputs]])
        t = np.array([[f(self.t(k)) for k in self.outputs]])
        W1 = np.array([[f(self.w_hidden(j, i) + new) for j in self.hidden] for i in self.inputs])
        W2 = np.array([[f(self.w_out(k, j) + new) for k in self.outputs] for j in self.hidden])
        if self.bias:
            b1 = np.array([f(self.b_hidden(j) + new) for j in self.hidden])
            b2 = np.array([f(self.b_out(k) + new) for k in self.outputs])
        else:
            b1 = np.zeros(self.n_hidden)
            b2 = np.zeros(self.n_out)
        return x, t, W1, b1, W2, b2

    def position(self, name: str) -> Tuple[str, tuple]:
        """Where parameter ``name`` sits: ("W1", (i, j)), ("W2", (j, k)), ("b1", (j,)), ("b2", (k,))."""
        for j in self.hidden:
            for i in self.inputs:
                if self.w_hidden(j, i) == name:
                    return "W1", (i - 1, j - 1)
            if self.bias and self.b_hidden(j) == name:
                return "b1", (j - 1,)
        for k in self.outputs:
            for j in self.hidden:
                if self.w_out(k, j) == name:
                    return "W2", (j - 1, k - 1)
            if self.bias and self.b_out(k) == name:
                return "b2", (k - 1,)
        raise KeyError(name)


NEW = "_new"


def new(name: str) -> str:
    """The step name of a quantity after the update (w_5 -> w_5_new, shown w_5^+)."""
    return name + NEW


# --- display -------------------------------------------------------------------------

def _shown(name: str) -> sp.Basic:
    if name.endswith(NEW):
        base = name[: -len(NEW)]
        return sp.Symbol(base + "^+") if "^" not in base else sp.Symbol(base)
    return sp.Symbol(name)


def partial_name(num: str, den: str) -> str:
    """Step name of d num / d den, e.g. ("E", "w_5") -> "dE_dw_5"."""
    return f"d{num}_d{den}"


@functools.lru_cache(maxsize=None)
def display(net: Net) -> Dict[str, sp.Basic]:
    """Display forms of every derivative and updated quantity this network's steps use."""
    shown: Dict[str, sp.Basic] = {"eta": sp.Symbol("eta")}
    nodes = [net.z_hidden(j) for j in net.hidden] + [net.z_out(k) for k in net.outputs]
    nodes += [net.h(j) for j in net.hidden] + [net.o(k) for k in net.outputs]
    params = net.parameters()
    errors = ["E"] + [f"E_{k}" for k in net.outputs]
    for name in nodes + params + errors:
        shown[new(name)] = _shown(new(name))
    pairs = []
    for k in net.outputs:
        pairs += [("E", net.o(k)), (net.o(k), net.z_out(k)), ("E", net.z_out(k))]
        for j in net.hidden:
            pairs.append((net.z_out(k), net.w_out(k, j)))
        if net.bias:
            pairs.append((net.z_out(k), net.b_out(k)))
    for j in net.hidden:
        pairs.append(("E", net.h(j)))
        pairs.append((net.h(j), net.z_hidden(j)))
        pairs.append(("E", net.z_hidden(j)))
        for i in net.inputs:
            pairs.append((net.z_hidden(j), net.w_hidden(j, i)))
        if net.bias:
            pairs.append((net.z_hidden(j), net.b_hidden(j)))
    for p in params:
        pairs.append(("E", p))
    for num, den in pairs:
        shown[partial_name(num, den)] = Partial(sym(num), sym(den))
    return shown


# --- symbolic steps (cached per shape) -----------------------------------------------

Formula = Tuple[str, sp.Expr]


@functools.lru_cache(maxsize=None)
def forward_formulas(net: Net, after: bool = False) -> Tuple[Formula, ...]:
    """z, h, z, o, E_k, E in the seed's order; ``after`` uses the updated parameters."""
    p = new if after else (lambda name: name)
    out: List[Formula] = []
    for j in net.hidden:
        addends = [chain(sym(p(net.w_hidden(j, i))), sym(net.x(i))) for i in net.inputs]
        if net.bias:
            addends.append(sym(p(net.b_hidden(j))))
        out.append((p(net.z_hidden(j)), terms(*addends)))
    for j in net.hidden:
        out.append((p(net.h(j)), sigma(sym(p(net.z_hidden(j))))))
    for k in net.outputs:
        addends = [chain(sym(p(net.w_out(k, j))), sym(p(net.h(j)))) for j in net.hidden]
        if net.bias:
            addends.append(sym(p(net.b_out(k))))
        out.append((p(net.z_out(k)), terms(*addends)))
    for k in net.outputs:
        out.append((p(net.o(k)), sigma(sym(p(net.z_out(k))))))
    def half_square(k):
        err = terms(sym(net.t(k)), -sym(p(net.o(k))))
        return chain(R(1, 2), sp.Pow(err, 2, evaluate=False))

    if net.n_out == 1:
        out.append((p("E"), half_square(1)))
    else:
        for k in net.outputs:
            out.append((p(f"E_{k}"), half_square(k)))
        out.append((p("E"), terms(*[sym(p(f"E_{k}")) for k in net.outputs])))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def output_delta_formulas(net: Net, k: int) -> Tuple[Formula, ...]:
    """dE/do_k, do_k/dz_k and their product dE/dz_k (the output delta)."""
    o, z = net.o(k), net.z_out(k)
    return (
        (partial_name("E", o), terms(sym(o), -sym(net.t(k)))),
        (partial_name(o, z), chain(sym(o), terms(1, -sym(o)))),
        (partial_name("E", z), chain(sym(partial_name("E", o)), sym(partial_name(o, z)))),
    )


@functools.lru_cache(maxsize=None)
def output_param_formulas(net: Net, name: str) -> Tuple[Formula, ...]:
    """dz/dparam and dE/dparam = dE/do * do/dz * dz/dparam for an output-layer parameter."""
    layer, index = net.position(name)
    k = index[-1] + 1
    o, z = net.o(k), net.z_out(k)
    local = sym(net.h(index[0] + 1)) if layer == "W2" else sp.Integer(1)
    return (
        (partial_name(z, name), local),
        (
            partial_name("E", name),
            chain(sym(partial_name("E", o)), sym(partial_name(o, z)), sym(partial_name(z, name))),
        ),
    )


@functools.lru_cache(maxsize=None)
def hidden_unit_formulas(net: Net, j: int) -> Tuple[Formula, ...]:
    """dE/dh_j through every output, dh_j/dz_j, and dE/dz_j."""
    h, z = net.h(j), net.z_hidden(j)
    through = [chain(sym(partial_name("E", net.z_out(k))), sym(net.w_out(k, j))) for k in net.outputs]
    return (
        (partial_name("E", h), terms(*through) if len(through) > 1 else through[0]),
        (partial_name(h, z), chain(sym(h), terms(1, -sym(h)))),
        (partial_name("E", z), chain(sym(partial_name("E", h)), sym(partial_name(h, z)))),
    )


@functools.lru_cache(maxsize=None)
def hidden_param_formulas(net: Net, name: str) -> Tuple[Formula, ...]:
    layer, index = net.position(name)
    j = index[-1] + 1
    h, z = net.h(j), net.z_hidden(j)
    local = sym(net.x(index[0] + 1)) if layer == "W1" else sp.Integer(1)
    return (
        (partial_name(z, name), local),
        (
            partial_name("E", name),
            chain(sym(partial_name("E", h)), sym(partial_name(h, z)), sym(partial_name(z, name))),
        ),
    )


@functools.lru_cache(maxsize=None)
def update_formula(name: str) -> Formula:
    """w^+ = w - eta dE/dw."""
    return new(name), terms(sym(name), -chain(sym("eta"), sym(partial_name("E", name))))


# --- sampling ------------------------------------------------------------------------

def nice(rng: np.random.Generator, low: int, high: int, denominator: int = 20, nonzero=True) -> sp.Rational:
    """A Rational k/denominator with low <= k <= high (k != 0 when ``nonzero``)."""
    while True:
        k = int(rng.integers(low, high + 1))
        if k or not nonzero:
            return R(k, denominator)


LEARNING_RATES = (R(1, 10), R(1, 4), R(1, 2), R(1))


def sample_values(rng: np.random.Generator, net: Net) -> Dict[str, sp.Rational]:
    """Inputs, weights, biases, targets and learning rate as nice exact decimals."""
    values: Dict[str, sp.Rational] = {}
    for i in net.inputs:
        values[net.x(i)] = nice(rng, 1, 20)
    for name in net.weights():
        # mostly positive, as in the seed, with some negative weights for variety
        values[name] = nice(rng, -8, 16)
    for name in net.biases():
        values[name] = nice(rng, -10, 10)
    for k in net.outputs:
        values[net.t(k)] = nice(rng, 1, 19)
    values["eta"] = LEARNING_RATES[int(rng.integers(len(LEARNING_RATES)))]
    return values


def sample_update(rng: np.random.Generator, shapes, layer: str) -> Dict:
    """A variant asking for one parameter of ``layer`` ("hidden" or "output"): a random
    shape, biases or none, which weight (a bias one time in four when there are biases),
    and numbers redrawn until the asked gradient is well conditioned."""
    shape = shapes[int(rng.integers(len(shapes)))]
    net = Net(*shape, bias=bool(rng.integers(2)))
    if layer == "output":
        k = int(rng.integers(1, net.n_out + 1))
        j = int(rng.integers(1, net.n_hidden + 1))
        asked = net.b_out(k) if net.bias and rng.random() < 0.25 else net.w_out(k, j)
    else:
        j = int(rng.integers(1, net.n_hidden + 1))
        i = int(rng.integers(1, net.n_in + 1))
        asked = net.b_hidden(j) if net.bias and rng.random() < 0.25 else net.w_hidden(j, i)
    while True:
        values = sample_values(rng, net)
        if well_conditioned(net, values, asked=(asked,)):
            return {"net": net, "values": values, "asked": asked}


def float_forward(net: Net, values) -> Tuple[np.ndarray, np.ndarray]:
    """Plain float forward pass used only to reject badly conditioned draws."""
    x, t, W1, b1, W2, b2 = net.arrays(values)
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    return h[0], o[0]


def float_gradients(net: Net, values) -> Dict[str, float]:
    x, t, W1, b1, W2, b2 = net.arrays(values)
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    d2 = (o - t) * o * (1 - o)
    d1 = (d2 @ W2.T) * h * (1 - h)
    grads = {"W1": x.T @ d1, "W2": h.T @ d2, "b1": d1[0], "b2": d2[0]}
    out = {}
    for name in net.parameters():
        layer, index = net.position(name)
        out[name] = float(grads[layer][index])
    return out


def well_conditioned(net: Net, values, asked=(), min_error=0.05, min_grad=1e-3) -> bool:
    """No output at its target, no vanishing asked gradient, no saturated unit."""
    h, o = float_forward(net, values)
    t = np.array([float(values[net.t(k)]) for k in net.outputs])
    if np.any(np.abs(o - t) < min_error) or np.any((o < 0.02) | (o > 0.98)) or np.any((h < 0.02) | (h > 0.98)):
        return False
    if asked:
        grads = float_gradients(net, values)
        if any(abs(grads[name]) < min_grad for name in asked):
            return False
    return True


# --- solving -------------------------------------------------------------------------

_Z = sp.Symbol("z")

#: Notes printed after a key line, by the kind of step (the seed notes' remarks).
SIGMOID_NOTE = Text(
    en="the derivative of the sigmoid: {d}",
    ko="시그모이드 함수의 미분: {d}",
    slots={"d": sp.Eq(Partial(sigma(_Z), _Z), chain(sigma(_Z), terms(1, -sigma(_Z))), evaluate=False)},
)


def _note(name: str) -> Optional[Text]:
    # d o_k / d z and d h_j / d z steps are sigmoid derivatives
    if name.startswith(("do_", "dh_")) and "_dz_" in name:
        return SIGMOID_NOTE
    return None


def run(formulas, values: Dict[str, sp.Expr], steps: Optional[List[Step]] = None):
    """Evaluate ``(name, formula)`` in order into ``values``; append a Step for each."""
    for name, formula in formulas:
        value = evaluate(formula, values)
        values[name] = value
        if steps is not None:
            steps.append(Step(name=name, formula=formula, value=value, note=_note(name)))
    return values


def heading(en: str, ko: str) -> Step:
    """A key section title (a Step with no formula and no value)."""
    return Step(name="section:" + en, formula=None, value=None, note=Text(en=en, ko=ko))


def givens(net: Net, values) -> List[Given]:
    out = [Given(net.x(i), values[net.x(i)], Text("input", "입력")) for i in net.inputs]
    for name in net.weights():
        out.append(Given(name, values[name], Text("weight", "가중치")))
    for name in net.biases():
        out.append(Given(name, values[name], Text("bias", "편향")))
    for k in net.outputs:
        out.append(Given(net.t(k), values[net.t(k)], Text("target", "목푯값")))
    out.append(Given("eta", values["eta"], Text("learning rate", "학습률")))
    return out


def figure(net: Net, values) -> Dict:
    """The drawing spec of ``generator.model.Problem.figure`` for this network."""
    layers = [
        [net.x(i) for i in net.inputs],
        [net.h(j) for j in net.hidden],
        [net.o(k) for k in net.outputs],
    ]
    edges = [(net.x(i), net.h(j), net.w_hidden(j, i)) for j in net.hidden for i in net.inputs]
    edges += [(net.h(j), net.o(k), net.w_out(k, j)) for k in net.outputs for j in net.hidden]
    biases = {}
    if net.bias:
        biases = {net.h(j): net.b_hidden(j) for j in net.hidden}
        biases.update({net.o(k): net.b_out(k) for k in net.outputs})
    names = [net.x(i) for i in net.inputs] + net.parameters() + [net.t(k) for k in net.outputs]
    shown = {name: values[name] for name in names}
    targets = {net.o(k): net.t(k) for k in net.outputs}
    return {"layers": layers, "edges": edges, "values": shown, "biases": biases, "targets": targets}


def intro(net: Net) -> List[Text]:
    return list(_intro(net))


@functools.lru_cache(maxsize=None)
def _intro(net: Net) -> tuple:
    """``intro``'s paragraphs, built once per network shape (the same for every student with it)."""
    bias_en = "Every hidden and output unit has a bias." if net.bias else "There are no biases."
    bias_ko = "은닉층과 출력층의 모든 뉴런에 편향이 있다." if net.bias else "편향은 없다."
    return (
        Text(
            en=(
                f"A network with {net.n_in} inputs, {net.n_hidden} hidden units and "
                f"{net.n_out} output unit{'s' if net.n_out > 1 else ''}; every hidden and output "
                f"unit uses the sigmoid activation {{sig}}. {bias_en} The error is {{E}}."
            ),
            ko=(
                f"입력 {net.n_in}개, 은닉층 뉴런 {net.n_hidden}개, 출력층 뉴런 {net.n_out}개인 "
                f"인공 신경망이다. 은닉층과 출력층의 모든 뉴런은 활성화 함수로 시그모이드 함수를 "
                f"사용한다: {{sig}}. {bias_ko} 오차 함수는 {{E}}이다."
            ),
            slots={
                "sig": sp.Eq(sigma(sp.Symbol("z")), 1 / (1 + sp.exp(-sp.Symbol("z"))), evaluate=False),
                "E": sp.Eq(sp.Symbol("E"), _error_formula(net), evaluate=False),
            },
        ),
    )


def _error_formula(net: Net) -> sp.Expr:
    return _error_of(net.n_out, net.t(1), net.o(1))


@functools.lru_cache(maxsize=None)
def _error_of(n_out: int, t1: str, o1: str) -> sp.Expr:
    """E's formula for ``n_out`` outputs (the same object for every student's network of that
    shape: a sympy expression never changes)."""
    if n_out == 1:
        square = sp.Pow(terms(sym(t1), -sym(o1)), 2, evaluate=False)
    else:
        k = sp.Symbol("k")
        square = sp.Sum(
            sp.Pow(terms(sp.Symbol("t_k"), -sp.Symbol("o_k")), 2, evaluate=False), (k, 1, n_out)
        )
    return chain(R(1, 2), square)


def reference_network():
    """solutions.network, imported lazily (the float64 oracle of these families)."""
    from solutions import network

    return network


def reference_update(net: Net, exact_values) -> Dict[str, float]:
    """float64 through solutions.network: dE/dp and p^+ for every parameter p."""
    network = reference_network()
    x, t, W1, b1, W2, b2 = net.arrays(exact_values)
    grads = dict(zip(("W1", "b1", "W2", "b2"), network.backward(x, t, W1, b1, W2, b2)))
    updated = dict(zip(("W1", "b1", "W2", "b2"), network.train_step(x, t, W1, b1, W2, b2, float(exact_values["eta"]))))
    out = {}
    for name in net.parameters():
        layer, index = net.position(name)
        out[partial_name("E", name)] = float(grads[layer][index])
        out[new(name)] = float(updated[layer][index])
    return out


def question(name: str, en: str, ko: str, values, reference, **slots) -> Question:
    """A number question on step ``name``: the prompt ends with the quantity's symbol."""
    return Question(
        key=name,
        prompt=Text(en=en + " {q}", ko=ko + " {q}", slots=dict(slots, q=sym(name))),
        answer=values[name],
        reference=reference[name],
    )


def problem(net: Net, params, title: Text, task: Text, questions, steps, with_eta=True) -> Problem:
    """The Problem of a backprop family: shared intro, givens, display and drawing."""
    givens_list = givens(net, params["values"])
    if not with_eta:
        givens_list = [g for g in givens_list if g.name != "eta"]
    return Problem(
        family="",
        variant="",
        title=title,
        intro=intro(net) + [task],
        givens=givens_list,
        questions=questions,
        steps=steps,
        display=display(net),
        figure=figure(net, params["values"]),
        make_mistakes=lambda: chain_mistakes(net, params["values"], questions),
    )


def parameter_kind(name: str) -> Tuple[str, str]:
    """("weight", "가중치") or ("bias", "편향")."""
    return ("bias", "편향") if name.startswith("b_") else ("weight", "가중치")
