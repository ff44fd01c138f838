"""The network drawings: SVG for HTML, TikZ for LaTeX, from Problem.figure."""

import shutil
import xml.etree.ElementTree as ET

import pytest
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


def _boxes(root):
    return [(float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
            for r in root.iter(SVG + "rect") if r.get("class") == "halo"]


def _overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("shape", [(2, 2, 2, False), (3, 2, 1, False), (3, 2, 2, True), (2, 3, 1, True), (3, 3, 2, True)])
def test_figure_svg_weight_labels_sit_on_their_edges_apart_from_each_other_and_the_units(shape):
    n_in, n_hidden, n_out, bias = shape
    net = bp.Net(n_in, n_hidden, n_out, bias=bias)
    values = {name: R((-1) ** i * (i + 1), 20) for i, name in enumerate(net.parameters())}
    values.update({f"x_{i}": R(i, 10) for i in range(1, n_in + 1)})
    values.update({f"t_{k}": R(k, 5) for k in range(1, n_out + 1)})
    figure = bp.figure(net, values)
    root = ET.fromstring(draw(figure, "html"))
    boxes = _boxes(root)
    lines = list(root.iter(SVG + "line"))
    assert len(boxes) == len(lines) == len(figure["edges"])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (a, b)
    circles = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(SVG + "circle")]
    for box in boxes:
        for cx, cy in circles:  # no box on a unit
            assert not _overlap(box, (cx - 22, cy - 22, 44, 44)), (box, cx, cy)
    for box, line in zip(boxes, lines):  # each box is centred on its own edge, 25% to 75% along it
        x1, y1, x2, y2 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        t = (cx - x1) / (x2 - x1)
        assert 0.25 <= t <= 0.75 and abs(y1 + t * (y2 - y1) - cy) < 0.1
    # every label is drawn after every white box, so no box hides a label
    kinds = [el.tag for el in root if el.tag in (SVG + "rect", SVG + "text")]
    assert kinds.index(SVG + "text") > max(i for i, k in enumerate(kinds) if k == SVG + "rect")


def test_figure_svg_is_deterministic_and_writes_minus_signs():
    _net, figure = spec(bias=True)
    figure["values"]["w_2"] = R(-3, 10)
    first = draw(figure, "html")
    assert first == draw(figure, "html")
    labels = texts(ET.fromstring(first))
    assert "w2 = \u22120.3" in labels and not any("-" in label for label in labels)


def test_figure_tex_draws_the_same_network():
    net, figure = spec(bias=True)
    tex = draw(figure, "tex", bp.display(net))
    assert tex.startswith(r"\begin{network}") and tex.endswith(r"\end{network}")
    assert "tikz" not in tex
    assert tex.count(r"\netunit{") == 3 + 2 + 1
    assert tex.count(r"\netedge{") == len(net.weights())
    # one white-boxed label per weight and per bias; the inputs' values and the target beside their units
    assert tex.count(r"\netlabel{") == len(net.weights()) + 3
    assert tex.count(r"\netside{l}") == 3 and tex.count(r"\netside{r}") == 1
    assert "{$w_{8} = 0.4$}" in tex and "{$b_{1} = 0.45$}" in tex and "{$t_{1} = 0.5$}" in tex
    assert r"\netside{l}" in tex and "{$0.3$}" in tex  # x_3's value


def test_figure_markdown_has_none():
    _net, figure = spec(bias=False)
    assert draw(figure, "md") == ""


def _crossings(lines):
    """Where two of the SVG's lines cross away from their ends (computed here, not by the
    module under test)."""
    segs = [tuple(float(line.get(k)) for k in ("x1", "y1", "x2", "y2")) for line in lines]
    points = []
    for i, (ax, ay, bx, by) in enumerate(segs):
        for cx, cy, dx, dy in segs[i + 1:]:
            den = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx)
            if den == 0:
                continue
            t = ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) / den
            u = ((cx - ax) * (by - ay) - (cy - ay) * (bx - ax)) / den
            if 1e-9 < t < 1 - 1e-9 and 1e-9 < u < 1 - 1e-9:
                points.append((ax + t * (bx - ax), ay + t * (by - ay)))
    return points


def _drawable_figures():
    """One figure per network structure (layer sizes, biases, label names) that the
    families can draw, found by sampling them."""
    import numpy as np

    from generator.families import forward_pass, hidden_update, initialization, output_update, training_step

    found = {}
    for module in (forward_pass, training_step, output_update, hidden_update, initialization):
        for seed in range(120):
            params = module.sample(np.random.default_rng(seed))
            structure = (module.__name__, repr(params.get("net")), params.get("hidden"), params.get("outputs"))
            if structure not in found:
                found[structure] = module.solve(params).figure
    return list(found.values())


def test_figure_svg_no_weight_label_sits_near_an_edge_crossing():
    # a label on a crossing could belong to either edge: its centre stays a label height
    # (18 px) from every crossing, in every network the families draw
    figures = _drawable_figures()
    shapes = {(tuple(len(layer) for layer in f["layers"]), bool(f.get("biases"))) for f in figures}
    assert {((2, 2, 3), True), ((3, 2, 1), False), ((3, 2, 1), True), ((2, 3, 2), True)} <= shapes
    assert len(shapes) >= 12
    crossed = 0
    for figure in figures:
        root = ET.fromstring(draw(figure, "html"))
        points = _crossings(list(root.iter(SVG + "line")))
        crossed += bool(points)
        for box in _boxes(root):
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            for px, py in points:
                assert ((cx - px) ** 2 + (cy - py) ** 2) ** 0.5 >= 18, (figure["layers"], (cx, cy), (px, py))
        boxes = _boxes(root)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not _overlap(a, b), (figure["layers"], a, b)
    assert crossed == len(figures)


def test_figure_label_of_the_2_2_3_network_leaves_the_crossing_of_h2_o1_and_h1_o2():
    # the reviewers' case: both edges' midpoints are the crossing, where w6 used to sit
    net = bp.Net(2, 2, 3, bias=True)
    values = {name: R(i + 1, 20) for i, name in enumerate(net.parameters())}
    values.update({"x_1": R(1, 10), "x_2": R(1, 5), "t_1": R(1, 5), "t_2": R(2, 5), "t_3": R(3, 5)})
    root = ET.fromstring(draw(bp.figure(net, values), "html"))
    lines = {("%s,%s" % (line.get("x1"), line.get("y1")), "%s,%s" % (line.get("x2"), line.get("y2"))): line
             for line in root.iter(SVG + "line")}
    assert len(lines) == 4 + 6
    points = _crossings(list(root.iter(SVG + "line")))
    assert (485.0, 120.0) in [(round(x, 6), round(y, 6)) for x, y in points]
    for box in _boxes(root):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        assert abs(cx - 485) + abs(cy - 120) > 18


def test_figures_no_edge_runs_through_a_bias_label_in_any_network_the_families_draw():
    # issue 8: with 3 hidden units the bias label under h_1 sat on the edge h_1 -> o_2 and
    # read as that edge's weight
    import itertools

    import sympy as sp

    from generator import figures as F
    from generator.families._backprop import Net, figure

    for n_in, n_hidden, n_out in itertools.product((2, 3), (2, 3), (1, 2, 3)):
        net = Net(n_in, n_hidden, n_out, True)
        names = [net.x(i) for i in net.inputs] + net.parameters() + [net.t(k) for k in net.outputs]
        spec = figure(net, {name: sp.Rational(-35, 100) for name in names})
        pos, _width, height = F._layout(spec)
        places = F.bias_places(spec, pos)
        assert set(places) == set(spec["biases"])
        for node, (x, y, half) in places.items():
            through = [w for a, b, w in spec["edges"] if F._cuts(x, y, half, pos[a], pos[b])]
            assert through == [], (n_in, n_hidden, n_out, node, through)
            assert 0 <= y - F.LABEL_HEIGHT / 2 and y + F.LABEL_HEIGHT / 2 <= height  # inside the drawing
            # and clear of every other unit
            for other, (ox, oy) in pos.items():
                if other != node:
                    assert F._box_gap(x, y, half, (ox, oy, F.RADIUS, F.RADIUS)) > 0, (node, other)
        svg = F.svg(spec)
        assert svg.count('class="bias"') == len(spec["biases"])


# --- the LaTeX drawing against TikZ ------------------------------------------------------------
#
# The sheets draw a network in picture mode (``figures.picture``, the ``network`` environment of
# the preamble); before, TikZ drew it (``figures.tikz``, kept as the reference). TikZ works out
# its node borders, label boxes and bounding box itself, so it is an independent oracle for
# the picture's geometry: both are compiled side by side, and the boxes must have the same
# size and the pages the same pixels.

_TEX = shutil.which("pdflatex")
_PPM = shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def tikz_and_picture(tmp_path_factory):
    import re
    import subprocess

    from generator.figures import picture, tikz
    from generator.render import render_sheets
    from generator.worksheets import Student, build_sheet, sheet_plan

    figures = _drawable_figures()
    sheet = build_sheet(Student("fig", ""), 2026, sheet_plan(["output_update"], None))
    source = render_sheets(sheet.problems, sheet.keys, "tex", "en", {"id": "fig"}, 2026)["key"]
    preamble = source[:source.index("\\begin{document}")]
    body = ["\\usepackage{tikz}\\usetikzlibrary{positioning}\\begin{document}\\pagestyle{empty}"]
    for i, figure in enumerate(figures):
        for kind, drawing in (("tikz", tikz(figure, {})), ("picture", picture(figure, {}))):
            # measured, then placed as the sheets place it (centred in a figure)
            body.append("\\clearpage\\sbox0{%s}\\typeout{BOX %d %s \\the\\wd0 \\space\\the\\ht0 \\space\\the\\dp0}"
                        "\\begin{figure}[h]\n\\centering\n%s\n\\end{figure}" % (drawing, i, kind, drawing))
    body.append("\\end{document}\n")
    folder = tmp_path_factory.mktemp("figures-tex")
    (folder / "both.tex").write_text(preamble + "\n".join(body), encoding="utf-8")
    subprocess.run([_TEX, "-interaction=batchmode", "-halt-on-error", "both.tex"], cwd=folder,
                   stdout=subprocess.DEVNULL, timeout=300, check=True)
    log = (folder / "both.log").read_text(encoding="utf-8", errors="replace")
    boxes = {}
    for i, kind, wd, ht, dp in re.findall(r"BOX (\d+) (\w+) ([-0-9.]+)pt ([-0-9.]+)pt ([-0-9.]+)pt", log):
        boxes.setdefault(int(i), {})[kind] = (float(wd), float(ht), float(dp))
    return figures, boxes, folder / "both.pdf"


needs_tex = pytest.mark.skipif(_TEX is None, reason="needs pdflatex (apt-get install texlive-latex-extra)")


@needs_tex
def test_figure_tex_picture_has_the_size_of_the_tikz_drawing(tikz_and_picture):
    figures, boxes, _pdf = tikz_and_picture
    assert len(boxes) == len(figures) >= 12
    for i, sizes in boxes.items():
        old, new = sizes["tikz"], sizes["picture"]
        assert old[0] > 300 and old[1] > 80  # a whole drawing, not an empty box
        assert all(abs(a - b) < 0.01 for a, b in zip(old, new)), (figures[i]["layers"], old, new)


@needs_tex
@pytest.mark.skipif(_PPM is None, reason="needs pdftoppm (apt-get install poppler-utils)")
def test_figure_tex_picture_looks_like_the_tikz_drawing(tikz_and_picture, tmp_path):
    # every circle, line and label at the same place: rendered at 100 dpi, hardly a pixel
    # differs by more than a quarter of the grey scale from the same pixel or a neighbour of
    # it in the other render (a glyph 0.001 pt from a pixel's edge may fall on either side;
    # a label a point away would differ in hundreds of pixels)
    import subprocess

    np = pytest.importorskip("numpy")
    figures, _boxes, pdf = tikz_and_picture
    subprocess.run([_PPM, "-r", "100", "-gray", str(pdf), str(tmp_path / "p")], check=True, timeout=300)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == 2 * len(figures)

    def read(path):
        data = path.read_bytes()
        magic, width, height, maxval, rest = data.split(maxsplit=4)
        assert magic == b"P5" and maxval == b"255"
        return np.frombuffer(rest[:int(width) * int(height)], dtype=np.uint8).reshape(int(height), int(width))

    for i in range(len(figures)):
        old, new = read(pages[2 * i]).astype(int), read(pages[2 * i + 1]).astype(int)
        ink = int((old < 128).sum())
        assert ink > 1000, i  # the drawing is on the page
        height, width = old.shape
        padded = np.pad(new, 1, constant_values=255)
        nearest = np.min([abs(old - padded[1 + dy:1 + dy + height, 1 + dx:1 + dx + width])
                          for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)
        differ = int((nearest > 64).sum())
        assert differ <= 0.002 * ink, (figures[i]["layers"], differ, ink)
        assert int((abs(old - new) > 64).sum()) <= 0.05 * ink, (figures[i]["layers"], ink)


@needs_tex
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")
def test_figure_tex_picture_labels_are_text(tikz_and_picture):
    # vector text a reader can select and search, not outlines: every weight's number is
    # in the page's text
    import subprocess

    from generator.numbers import format_number

    figures, _boxes, pdf = tikz_and_picture
    for i in (0, len(figures) - 1):
        page = str(2 * i + 2)
        text = subprocess.run(["pdftotext", "-f", page, "-l", page, str(pdf), "-"], stdout=subprocess.PIPE,
                              check=True).stdout.decode("utf-8")
        for _src, _dst, weight in figures[i]["edges"]:
            assert format_number(abs(figures[i]["values"][weight])) in text, (weight, text)
