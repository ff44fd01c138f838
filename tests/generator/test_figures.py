"""The network drawings: SVG for HTML, TikZ for LaTeX, from Problem.figure."""

import xml.etree.ElementTree as ET

import sympy as sp

from generator.families import _backprop as bp
from generator.figures import draw

SVG = "{http://www.w3.org/2000/svg}"
R = sp.Rational


def spec(bias):
    net = bp.Net(3, 2, 1, bias=bias)
    values = {name: R(i + 1, 20) for i, name in enumerate(net.parameters())}
    values.update({"x_1": R(1, 10), "x_2": R(1, 5), "x_3": R(3, 10), "t_1": R(1, 2)})
    return net, bp.figure(net, values)


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def test_figure_svg_labels_every_weight_with_its_value():
    net, figure = spec(bias=False)
    root = ET.fromstring(draw(figure, "html"))
    assert root.tag == SVG + "svg"
    labels = texts(root)
    for i, name in enumerate(net.weights()):
        assert f"w{name[2:]} = {float(R(i + 1, 20)):g}" in labels
    assert len(list(root.iter(SVG + "line"))) == len(net.weights())
    assert len(list(root.iter(SVG + "circle"))) == 3 + 2 + 1
    assert "t1 = 0.5" in labels and "0.1" in labels


def test_figure_svg_prints_biases_under_their_units():
    net, figure = spec(bias=True)
    labels = texts(ET.fromstring(draw(figure, "html")))
    assert "b1 = 0.45" in labels and "b3 = 0.55" in labels


def test_figure_svg_labels_of_one_unit_do_not_overlap():
    _net, figure = spec(bias=False)
    root = ET.fromstring(draw(figure, "html"))
    weights = [t for t in root.iter(SVG + "text") if t.get("class") == "weight"]
    by_column = {}
    for t in weights:
        by_column.setdefault(t.get("x"), []).append(float(t.get("y")))
    for ys in by_column.values():
        ys.sort()
        assert all(b - a >= 14 for a, b in zip(ys, ys[1:])), ys  # 12 px text


def test_figure_tikz_draws_the_same_network():
    net, figure = spec(bias=True)
    tikz = draw(figure, "tex", bp.display(net))
    assert tikz.startswith(r"\begin{tikzpicture}") and tikz.endswith(r"\end{tikzpicture}")
    assert tikz.count(r"\draw") == len(net.weights())
    assert "$w_{8} = 0.4$" in tikz and "$b_{1} = 0.45$" in tikz


def test_figure_markdown_has_none():
    _net, figure = spec(bias=False)
    assert draw(figure, "md") == ""
