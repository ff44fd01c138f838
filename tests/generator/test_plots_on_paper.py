"""Three figures a teacher found wrong on paper (session 8), read back from the SVG a reader sees.

1. The learning-rate key (and the optimizer key on a quadratic): every iterate label sits next
   to its own point (its marker is the one nearest to the label's text), no two labels overlap,
   none is under the x-axis or outside the axes; only markers that touch share a label.
2. The optimizer's steps from given gradients: the parameter has a panel of its own, with its own
   scale (its markers span most of the panel's height) and a y label; the gradients have theirs.
3. The batch-norm key: a legend names the grey bars (the batch means), and the caption under
   both faces agrees with their titles.

Oracles: the problems' own answers and givens (placed through the SVG's tick labels, as a reader
reads the picture), the text's extent from the font's advance widths, hand-written texts.
"""

import math
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
import sympy as sp

from generator import plots
from generator.core import make_problem
from generator.render import render_sheets

SVG = "{http://www.w3.org/2000/svg}"
KEY, STUDENT, GREY = "#c0392b", "#1f5fa8", "#777777"
SIZE = 9.0
# DejaVu Sans: digits and capitals reach 0.73 em above the baseline, subscript digits about 0.2 em
# below it; a little more either way
UP, DOWN = 0.75, 0.25
LABEL = re.compile(r"^([xw])([₀-₉]+)(?:, \1[₀-₉]+)*$")
DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
SAMPLES = re.compile(r"^(?:sample (\d+)|samples (\d+(?:, \d+)+)|샘플 (\d+(?:, \d+)*))$")


def _subscripts(text):
    """The points an iterate label names (x₃ → [3], "x₃, x₄" → [3, 4]), or None."""
    if not LABEL.match(text):
        return None
    return sorted(int(part[1:].translate(DIGITS)) for part in text.split(", "))


def _sample_numbers(text):
    """The samples a loss-curve label names ("sample 2" → [2], "samples 1, 3" → [1, 3])."""
    m = SAMPLES.match(text)
    if not m:
        return None
    return sorted(int(n) for n in next(g for g in m.groups() if g).split(", "))


def _panels(svg):
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "axes"]


def _spines(panel):
    """(left, top, right, bottom) of the panel's axes, from its spines' path."""
    for path in panel.iter(f"{SVG}path"):
        m = re.fullmatch(r"M([\d.]+) ([\d.]+)V([\d.]+)H([\d.]+)", path.get("d"))
        if m:
            left, top, bottom, right = map(float, m.groups())
            return left, top, right, bottom
    raise AssertionError("no spines")


def _number(text):
    try:
        return float(text.replace("−", "-"))
    except (TypeError, ValueError):
        return None


def _scales(panel):
    """Data to SVG coordinates, from the panel's labelled ticks (x labels centred under the axis,
    y labels ending left of it)."""
    texts = list(panel.iter(f"{SVG}text"))
    xs = [(_number(t.text), float(t.get("x"))) for t in texts
          if t.get("text-anchor") == "middle" and _number(t.text) is not None]
    ys = [(_number(t.text), float(t.get("y")) - 0.36 * SIZE) for t in texts
          if t.get("text-anchor") == "end" and _number(t.text) is not None]

    def line(ticks):
        if len(ticks) < 2:  # words at the ticks (batch norm's rows)
            return None
        (v1, p1), (v2, p2) = ticks[0], ticks[-1]
        return lambda v: p1 + (v - v1) * (p2 - p1) / (v2 - v1)

    return line(xs), line(ys)


def _circles(panel):
    legend = {id(c) for g in panel.iter(f"{SVG}g") if g.get("class") == "legend" for c in g.iter(f"{SVG}circle")}
    return [(float(c.get("cx")), float(c.get("cy")), float(c.get("r"))) for c in panel.iter(f"{SVG}circle")
            if id(c) not in legend]


def _box(text):
    """(left, top, right, bottom) of a text element, by the font's advance widths."""
    x, y = float(text.get("x")), float(text.get("y"))
    width = plots.text_width(text.text, SIZE)
    anchor = text.get("text-anchor", "start")
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, y - UP * SIZE, left + width, y + DOWN * SIZE


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _distance(box, x, y):
    return math.hypot(max(box[0] - x, 0.0, x - box[2]), max(box[1] - y, 0.0, y - box[3]))


def _labels(panel, names):
    """The point labels (x₁, "x₃, x₄", w₀ ...: ``names`` reads the points one names) and every
    other text inside the axes (a grey note, the legend's entries)."""
    labels, notes = [], []
    legend = {id(t) for g in panel.iter(f"{SVG}g") if g.get("class") == "legend" for t in g.iter(f"{SVG}text")}
    for t in panel.iter(f"{SVG}text"):
        named = names(t.text) if t.get("fill") in (KEY, STUDENT) and t.text else None
        if named:
            labels.append((named, _box(t)))
        elif t.get("fill") == GREY or id(t) in legend:  # "minimum b", "close-up of the steps", the legend
            notes.append(_box(t) if id(t) not in legend else _box_small(t))
    return labels, notes


def _box_small(text):
    """A legend entry's box (its font size is the element's own)."""
    size = float(text.get("font-size", SIZE))
    x, y = float(text.get("x")), float(text.get("y"))
    return x, y - UP * size, x + plots.text_width(text.text, size), y + DOWN * size


def check_labels(svg, points, radius, family, who, names=_subscripts):
    """``points``: {t: (x, y)} in data of every labelled point (t = 0 the start)."""
    panel = _panels(svg)[0]
    left, top, right, bottom = _spines(panel)
    fx, fy = _scales(panel)
    where = {t: (fx(x), fy(y)) for t, (x, y) in points.items()}
    circles = _circles(panel)
    # every point is drawn: a marker at its place
    for t, (px, py) in where.items():
        assert any(math.hypot(cx - px, cy - py) < 0.6 for cx, cy, _r in circles), (family, who, t)
    labels, notes = _labels(panel, names)
    named = sorted(t for ts, _box in labels for t in ts)
    assert named == sorted(points), (family, who, named)
    for ts, box in labels:
        context = (family, who, ts, box)
        # inside the axes: never under the x-axis, never over the y-axis
        assert left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom, context
        # the label's own marker is the one nearest to it
        own = min(_distance(box, *where[t]) for t in ts)
        others = [(cx, cy) for cx, cy, _r in circles
                  if not any(math.hypot(cx - where[t][0], cy - where[t][1]) < 0.6 for t in ts)]
        assert all(_distance(box, cx, cy) > own for cx, cy in others), context
        # on no marker
        assert all(_distance(box, cx, cy) >= r for cx, cy, r in circles), context
        # one label for several points only where their markers touch (a chain of touching markers)
        if len(ts) > 1:
            reached = {ts[0]}
            while True:
                more = {t for t in ts if t not in reached and any(
                    math.dist(where[t], where[s]) <= 2 * radius + 2 for s in reached)}
                if not more:
                    break
                reached |= more
            assert reached == set(ts), context
    boxes = [box for _ts, box in labels] + notes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (family, who, a, b)
    return labels


def _given(problem):
    return {g.name: float(sp.sympify(g.value)) for g in problem.givens}


def _answers(problem, pattern):
    return {int(q.key.split("_")[1]): float(sp.sympify(q.answer)) for q in problem.questions
            if re.fullmatch(pattern, q.key)}


STUDENTS = [(seed, f"s{i}") for seed in (11, 2026) for i in range(40)] + \
    [(seed, f"student-{i:03d}") for seed in (0, 1, 11, 12345) for i in range(1, 9)]


def test_plots_every_learning_rate_iterate_label_is_beside_its_own_point():
    merged = 0
    for seed, who in STUDENTS:
        problem = make_problem("learning_rate", seed, who)
        given = _given(problem)
        a, b = given["a"], given["b"]
        xs = {0: given["x_0"], **_answers(problem, r"x_\d+")}
        points = {t: (x, a * (x - b) ** 2) for t, x in xs.items()}
        for lang in ("en", "ko"):
            labels = check_labels(plots._to_svg(problem.figure, lang, True), points, 2.0, "learning_rate", who)
            merged += lang == "en" and any(len(ts) > 1 for ts, _b in labels)
        # the student's face: x₀ alone, beside its point
        check_labels(plots._to_svg(problem.figure, "en", False), {0: points[0]}, 3.0, "learning_rate", who)
    assert 0 < merged < len(STUDENTS)  # both kinds were seen: touching markers sharing a label, and not


def test_plots_every_optimizer_iterate_label_is_beside_its_own_point():
    checked = 0
    for seed, who in STUDENTS:
        problem = make_problem("optimizer_steps", seed, who)
        if problem.figure.data["source"] != "quadratic":
            continue
        checked += 1
        given = _given(problem)
        a, b = given["a"], given["b"]
        ws = {0: given["w_0"], **_answers(problem, r"w_\d+")}
        points = {t: (w, a * (w - b) ** 2) for t, w in ws.items()}
        check_labels(plots._to_svg(problem.figure, "en", True), points, 2.0, "optimizer_steps", who)
    assert checked >= 10


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plots_every_sample_label_of_the_loss_curve_is_beside_its_own_point(lang):
    shared = checked = 0
    for seed, who in STUDENTS:
        problem = make_problem("loss_values", seed, who)
        if problem.figure is None:  # the mean squared error has no plot
            continue
        checked += 1
        # the samples' predicted probabilities and losses, from the givens and the answers
        points = {i: (p, loss) for i, (p, _label, loss) in enumerate(problem.figure.data["points"], start=1)}
        answers = {int(q.key.split("_")[1]): float(sp.sympify(q.answer)) for q in problem.questions
                   if re.fullmatch(r"l_\d+", q.key)}
        assert answers and all(abs(answers[i] - points[i][1]) < 1e-9 for i in answers)
        labels = check_labels(plots._to_svg(problem.figure, lang, True), points, 2.5, "loss_values", who,
                              names=_sample_numbers)
        shared += any(len(ns) > 1 for ns, _b in labels)
    assert checked >= 20 and shared  # two samples at one place share a label: "samples 1, 3"


def test_plots_the_teachers_learning_rate_key_labels_x1_x3_x4_apart():
    """The teacher's student-001: x₁'s point (1.25, 0.0625) carries "x₁", x₃ and x₄ one each."""
    problem = make_problem("learning_rate", 0, "s")  # any problem: the teacher's numbers replace its data
    data = dict(problem.figure.data, a=1.0, b=1.5, x0=2.0, eta=0.75, path=(2.0, 1.25, 1.625, 1.4375, 1.53125))
    figure = plots.Plot("quadratic", data, problem.figure.caption)
    points = {t: (x, (x - 1.5) ** 2) for t, x in enumerate(data["path"])}
    labels = check_labels(plots._to_svg(figure, "en", True), points, 2.0, "learning_rate", "teacher")
    assert sorted(ts for ts, _b in labels) == [[0], [1], [2], [3], [4]]


# --- the optimizer's steps ------------------------------------------------------------------------

def _ylabel(panel):
    rotated = [t.text for t in panel.iter(f"{SVG}text") if (t.get("transform") or "").startswith("rotate(-90")]
    return rotated[0] if rotated else None


def _bars(panel):
    return [r for r in panel.iter(f"{SVG}rect") if r.get("fill") == STUDENT]


def _gradient_problems(n=8):
    out = []
    for seed, who in STUDENTS:
        problem = make_problem("optimizer_steps", seed, who)
        if problem.figure.data["source"] == "gradients":
            out.append((who, problem))
        if len(out) == n:
            return out
    raise AssertionError("too few optimizer problems with given gradients")


@pytest.mark.parametrize("lang, gradient, parameter", [("en", "gradient gₜ", "parameter wₜ"),
                                                        ("ko", "기울기 gₜ", "매개변수 wₜ")])
def test_plots_optimizer_parameter_has_its_own_scale_and_label(lang, gradient, parameter):
    for who, problem in _gradient_problems():
        given = _given(problem)
        path = [given["w_0"]] + [w for _t, w in sorted(_answers(problem, r"w_\d+").items())]
        gradients = [g for _t, g in sorted(_answers_given(problem).items())]
        key = _panels(plots._to_svg(problem.figure, lang, True))
        assert [_ylabel(p) for p in key] == [gradient, parameter], who
        bars_panel, w_panel = key
        # the gradients: one bar a step, no marker of the parameter on their axis
        assert len(_bars(bars_panel)) == len(gradients) and not _circles(bars_panel), who
        # the parameter: no bar, a marker a step, at its values read through its own ticks ...
        assert not _bars(w_panel)
        fx, fy = _scales(w_panel)
        circles = _circles(w_panel)
        assert len(circles) == len(path), who
        for (cx, cy, _r), (t, w) in zip(sorted(circles), enumerate(path)):
            assert abs(cx - fx(t)) < 0.6 and abs(cy - fy(w)) < 0.6, (who, t, w)
        # ... spanning most of the panel's height: every step visible
        _left, top, _right, bottom = _spines(w_panel)
        ys = [cy for _cx, cy, _r in circles]
        assert max(ys) - min(ys) >= 0.6 * (bottom - top), (who, path)
        # the student's face: the gradients alone, labelled (w₀ is no point on their axis)
        (student,) = _panels(plots._to_svg(problem.figure, lang, False))
        assert _ylabel(student) == gradient and not _circles(student), who
        assert len(_bars(student)) == len(gradients)


def _answers_given(problem):
    return {int(g.name.split("_")[1]): float(sp.sympify(g.value)) for g in problem.givens
            if re.fullmatch(r"g_\d+", g.name)}


# --- batch normalization ---------------------------------------------------------------------------

LEGEND = {"en": ["x: the batch (input)", "y: the output", "batch mean μ of the feature"],
          "ko": ["x: 배치(입력)", "y: 출력", "특성의 배치 평균 μ"]}
CAPTION = {"en": "Batch normalization, feature by feature", "ko": "특성별로 본 배치 정규화"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plots_batch_norm_key_legend_names_the_grey_bars_and_keeps_off_the_points(lang):
    for i in range(12):
        problem = make_problem("batch_norm", 11, f"s{i}")
        x = [[float(v) for v in row] for row in problem.figure.data["x"]]
        (panel,) = _panels(plots._to_svg(problem.figure, lang, True))
        (legend,) = [g for g in panel.iter(f"{SVG}g") if g.get("class") == "legend"]
        assert [t.text for t in legend.iter(f"{SVG}text")] == LEGEND[lang]
        # the entry of the means shows the grey bar drawn at every feature's mean
        handles = [line for line in legend.iter(f"{SVG}line") if line.get("stroke") == GREY]
        assert len(handles) == 1
        means = [line for line in panel.iter(f"{SVG}line") if line.get("stroke") == GREY and line not in handles]
        fx, _fy = _scales(panel)
        drawn = sorted(float(m.get("x1")) for m in means)
        expected = sorted(fx(sum(col) / len(col)) for col in zip(*x))
        assert len(drawn) == len(expected) and all(abs(a - b) < 0.3 for a, b in zip(drawn, expected))
        # the legend is above every mark of the data
        legend_bottom = max(_box(t)[3] for t in legend.iter(f"{SVG}text"))
        assert all(cy - r > legend_bottom for _cx, cy, r in _circles(panel))
        assert all(min(float(m.get("y1")), float(m.get("y2"))) > legend_bottom for m in means)
        # the student's face has neither means nor legend
        (student,) = _panels(plots._to_svg(problem.figure, lang, False))
        assert not [g for g in student.iter(f"{SVG}g") if g.get("class") == "legend"]
        assert not [line for line in student.iter(f"{SVG}line") if line.get("stroke") == GREY
                    and line.get("x1") != line.get("x2")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plots_batch_norm_caption_agrees_with_both_titles(lang):
    problem = make_problem("batch_norm", 11, "alice")
    assert problem.figure.caption.get(lang) == CAPTION[lang]
    subject = {"en": "batch normalization", "ko": "배치 정규화"}[lang]
    html = render_sheets([problem], ["p1"], "html", lang, {"id": "alice"}, 11)
    for sheet, is_key in (("worksheet", False), ("key", True)):
        page = unescape(html[sheet])
        figure = page[page.index("<figure>"):page.index("</figure>")]
        assert f"<figcaption>{CAPTION[lang]}</figcaption>" in figure
        (title,) = [t.text for t in _panels(plots.to_svg(problem.figure, lang, is_key))[0].iter(f"{SVG}text")
                    if t.get("text-anchor") == "middle" and subject in (t.text or "")]
        # the caption says what both titles show: batch normalization, and no more than that
        assert subject in title.lower() and subject in CAPTION[lang].lower()
    # the old caption promised the batch alone, under a figure of the batch before and after
    assert "The batch, feature by feature" not in unescape(html["key"])


# --- steps too short to see on the whole loss; tick labels -------------------------------------------

@pytest.mark.parametrize("lang, note", [("en", "close-up of the steps"), ("ko", "스텝 부분 확대")])
def test_plots_optimizer_steps_on_a_quadratic_are_visible_in_the_key(lang, note):
    close = whole = 0
    for seed, who in STUDENTS:
        problem = make_problem("optimizer_steps", seed, who)
        if problem.figure.data["source"] != "quadratic":
            continue
        given = _given(problem)
        ws = [given["w_0"]] + [w for _t, w in sorted(_answers(problem, r"w_\d+").items())]
        panel = _panels(plots._to_svg(problem.figure, lang, True))[0]
        left, _top, right, _bottom = _spines(panel)
        fx, _fy = _scales(panel)
        # the steps take a fair part of the panel's width, however small the learning rate
        assert fx(max(ws)) - fx(min(ws)) >= 0.25 * (right - left), (who, ws)
        said = note in [t.text for t in panel.iter(f"{SVG}text")]
        # a picture that is no close-up (it says so) shows the whole loss, its minimum b in it
        assert said or left < fx(given["b"]) < right, who
        close += said
        whole += not said
        # the student's face: the whole loss, whatever the steps (it must not hint at them)
        student = _panels(plots._to_svg(problem.figure, lang, False))[0]
        assert note not in [t.text for t in student.iter(f"{SVG}text")]
        sx, _sy = _scales(student)
        s_left, _t, s_right, _b = _spines(student)
        assert s_left < sx(given["b"]) < s_right
    assert close and whole


PLOTTED = ["learning_rate", "optimizer_steps", "early_stopping", "activations", "hyperparameter_search",
           "batch_norm", "loss_values"]


def test_plots_no_tick_label_touches_another():
    for family in PLOTTED:
        for i in range(40):
            problem = make_problem(family, 2026, f"s{i}")
            if problem.figure is None:
                continue
            for key in (False, True):
                for panel in _panels(plots._to_svg(problem.figure, "en", key)):
                    _left, _top, _right, bottom = _spines(panel)
                    ticks = sorted(_box(t) for t in panel.iter(f"{SVG}text")
                                   if t.get("text-anchor") == "middle" and _number(t.text) is not None
                                   and float(t.get("y")) < bottom + 20)
                    for a, b in zip(ticks, ticks[1:]):
                        assert a[2] + 2 <= b[0], (family, i, key, a, b)
