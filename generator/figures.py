"""Network drawings from ``Problem.figure``: inline SVG for HTML, a LaTeX picture for LaTeX.

The spec (see ``generator.model.Problem.figure``)::

    {"layers": [["x_1", "x_2"], ["h_1", "h_2"], ["o_1", "o_2"]],   # node names, left to right
     "edges": [("x_1", "h_1", "w_1"), ...],                         # (from, to, weight name)
     "values": {"w_1": Rational(3, 10), ...},                       # numbers to print
     "biases": {"h_1": "b_1"},                                       # optional: bias per node
     "targets": {"o_1": "t_1"}}                                      # optional: target per output

A weight's label "w_1 = 0.3" sits on its edge, on a white background so that no line runs
through it, away from every point where two edges cross (so it plainly belongs to one
line) and clear of the units, the bias labels and the other labels; the labels of the
edges entering one node prefer different places along their edges (from 25% to 75% of
the way), so they do not stack up at the node (see ``label_places``). The place depends
only on the spec (its structure, the bias labels and the labels' widths, each number taken as
at least PLACED_DIGITS characters), so it is the same on every run. Biases are
printed under their node, inputs' and targets' values beside it. Markdown cannot inline a
drawing, so the sheets link the same SVG written as a file.
"""

from __future__ import annotations

import functools
import html
import math
from typing import Dict, List, Tuple

from sympy.printing.conventions import split_super_sub

from generator import symbolic
from generator.prepared import prepared, text_key
from generator.numbers import format_number, latex_number

GAP_X = 250  # between layer columns
GAP_Y = 100  # between nodes of a layer
RADIUS = 22
MARGIN_X = 110
MARGIN_Y = 45
LABEL_FIRST, LABEL_LAST = 0.25, 0.75  # how far along its edge a label may sit
LABEL_SIZE = 12  # px, the weight labels' font size
CHAR_WIDTH = 0.5 * LABEL_SIZE  # a generous average advance of the serif font's glyphs
LABEL_HEIGHT = 18  # px, a label's white box
CLEAR = 10  # px between two label boxes that counts as clear
CROSS_CLEAR = LABEL_HEIGHT / 2  # px between a label box and a crossing of two edges


def _layout(spec) -> Tuple[Dict[str, Tuple[float, float]], float, float]:
    layers: List[List[str]] = spec["layers"]
    tallest = max(len(layer) for layer in layers)
    pos = {}
    for col, layer in enumerate(layers):
        offset = (tallest - len(layer)) * GAP_Y / 2
        for row, name in enumerate(layer):
            pos[name] = (MARGIN_X + col * GAP_X, MARGIN_Y + offset + row * GAP_Y)
    width = 2 * MARGIN_X + (len(layers) - 1) * GAP_X
    height = 2 * MARGIN_Y + (tallest - 1) * GAP_Y + 20
    return pos, width, height


def _along(a, b, t):
    return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])


def crossings(spec, pos) -> List[Tuple[float, float]]:
    """The points where two edges cross (edges that share a unit only meet at it), in the
    edges' order."""
    edges = [(pos[src], pos[dst], {src, dst}) for src, dst, _w in spec["edges"]]
    points = []
    for i, (p1, p2, ends1) in enumerate(edges):
        for p3, p4, ends2 in edges[i + 1:]:
            if ends1 & ends2:
                continue
            d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0])
            if d == 0:
                continue
            t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d
            u = ((p3[0] - p1[0]) * (p2[1] - p1[1]) - (p3[1] - p1[1]) * (p2[0] - p1[0])) / d
            if 0 < t < 1 and 0 < u < 1:
                points.append(_along(p1, p2, t))
    return points


def _box_gap(x, y, half, box) -> float:
    """How far a label box centred at (x, y) stays from ``box`` (x, y, half width, half
    height): negative when they overlap."""
    px, py, pw, ph = box
    return max(abs(x - px) - half - pw, abs(y - py) - LABEL_HEIGHT / 2 - ph)


def _cuts(x, y, half, a, b) -> bool:
    """Whether the segment a-b passes through the label box centred at (x, y)."""
    left, right, top, bottom = x - half, x + half, y - LABEL_HEIGHT / 2, y + LABEL_HEIGHT / 2
    t0, t1 = 0.0, 1.0
    for p, q in ((-(b[0] - a[0]), a[0] - left), (b[0] - a[0], right - a[0]),
                 (-(b[1] - a[1]), a[1] - top), (b[1] - a[1], bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
        if t0 > t1:
            return False
    return True


#: the weight labels are placed as if each number were at least this many characters long
#: (most are 3 to 5): the places then depend on the network and its bias labels, not on
#: each student's numbers, and are worked out once for a class's sheets, not per sheet; a
#: shorter label only keeps more room
PLACED_DIGITS = 5


def label_places(spec, pos) -> Dict[Tuple[str, str, str], float]:
    """{edge: fraction of the way along it where its label sits} (see ``_label_places``),
    remembered per structure, bias labels and (padded) label widths: a class's sheets draw
    the same few networks."""
    values = spec.get("values", {})
    halves = {tuple(edge): _plain_width(edge[2], values, PLACED_DIGITS) / 2 for edge in spec["edges"]}
    # each bias label's box at its place, padded the same way: it grows away from its unit
    # (or both ways when centred under it), so it holds the label as drawn
    biases = {}
    for node, (x, y, half) in bias_places(spec, pos).items():
        ux = pos[node][0]
        padded = max(half, _plain_width(spec["biases"][node], values, PLACED_DIGITS) / 2)
        biases[node] = (ux + (padded + 4) * (1 if x > ux else -1) if x != ux else x, y, padded)
    key = (tuple(tuple(layer) for layer in spec["layers"]), tuple(tuple(edge) for edge in spec["edges"]),
           tuple(sorted(biases.items())), tuple(halves.values()),
           tuple((name, pos[name]) for layer in spec["layers"] for name in layer))
    if key not in _PLACES:
        if len(_PLACES) > 512:
            _PLACES.clear()
        _PLACES[key] = _places(key, spec, pos, halves, biases)
    return dict(_PLACES[key])


_PLACES: Dict[tuple, tuple] = {}


def _places_decoded(stored) -> tuple:
    return tuple((tuple(edge), t) for edge, t in stored)


@prepared("places", lambda key, *_rest: text_key(repr(key)), decode=_places_decoded)
def _places(key, spec, pos, halves, biases) -> tuple:
    """``_label_places`` as ((edge, t), ...), for the structure ``key`` (which determines it)."""
    return tuple(_label_places(spec, pos, halves, biases).items())


def _label_places(spec, pos, halves, biases) -> Dict[Tuple[str, str, str], float]:
    """{edge: fraction of the way along it where its label sits}, between LABEL_FIRST and
    LABEL_LAST. A place is good when the label's box keeps CROSS_CLEAR px from every point
    where two edges cross (so that the label plainly belongs to one line; its centre is
    then at least a label height from the crossing) and CLEAR px from the units, the bias
    labels and the labels already placed. Among the good places of an edge the one wins
    that no other edge runs through, then the one nearest its preferred spread (the edges
    into one node, and the edges out of one node, at different places). The edges are
    placed in their order, searching back when an edge has no good place left; when no
    arrangement is good, each edge takes its least bad place. ``halves``: each edge's label's
    half width; ``biases``: the bias labels' boxes (``bias_places``). Deterministic: the
    result depends only on the arguments."""
    sources = {}
    targets = {}
    for src, dst, _w in spec["edges"]:
        sources.setdefault(dst, [])
        if src not in sources[dst]:
            sources[dst].append(src)
        targets.setdefault(src, [])
        if dst not in targets[src]:
            targets[src].append(dst)
    steps = 40
    candidates = [LABEL_FIRST + (LABEL_LAST - LABEL_FIRST) * k / steps for k in range(steps + 1)]
    cross = crossings(spec, pos)
    # boxes to keep clear of, (x, y, half width, half height): the nodes, the bias labels
    fixed: List[Tuple[float, float, float, float]] = [(x, y, RADIUS + 2, RADIUS + 2) for x, y in pos.values()]
    for node, (x, y, half) in biases.items():
        fixed.append((x, y, half, LABEL_HEIGHT / 2))

    # every edge's candidate places, best first: (t, x, y, half, clear of crossings, score);
    # the gaps and cuts are _box_gap's and _cuts' sums, inlined (the same arithmetic, in the
    # same order: this is most of a class's drawing time)
    h2 = LABEL_HEIGHT / 2
    segments = [((a, b), pos[a], pos[b]) for a, b, _w in spec["edges"]]
    options = []
    for edge in spec["edges"]:
        src, dst, weight = edge
        i, j = sources[dst].index(src), targets[src].index(dst)
        spread = max(len(sources[dst]), len(targets[src]))
        preferred = 0.5 if spread == 1 else LABEL_FIRST + (LABEL_LAST - LABEL_FIRST) * ((i + j) % spread) / (spread - 1)
        half = halves[tuple(edge)]
        mine = []
        for t in candidates:
            x, y = _along(pos[src], pos[dst], t)
            cross_gap = min((max(abs(x - cx) - half - 0, abs(y - cy) - h2 - 0) for cx, cy in cross),
                            default=CROSS_CLEAR)
            fixed_gap = min(max(abs(x - px) - half - pw, abs(y - py) - h2 - ph) for px, py, pw, ph in fixed)
            left, right, top, bottom = x - half, x + half, y - h2, y + h2
            # a segment whose bounding box lies wholly beside the label's box cannot cut it
            through = sum(1 for ends, pa, pb in segments
                          if ends != (src, dst)
                          and not (max(pa[0], pb[0]) < left or min(pa[0], pb[0]) > right
                                   or max(pa[1], pb[1]) < top or min(pa[1], pb[1]) > bottom)
                          and _cuts(x, y, half, pa, pb))
            good = cross_gap >= CROSS_CLEAR and fixed_gap >= CLEAR
            mine.append((t, x, y, half, good,
                         (good, min(cross_gap, CROSS_CLEAR) + min(fixed_gap, CLEAR), -through, -abs(t - preferred), -t)))
        mine.sort(key=lambda option: option[5], reverse=True)
        options.append(mine)

    def apart(option, chosen):
        _t, x, y, half = option[:4]
        for _ot, ox, oy, oh in chosen:  # _box_gap(...) < CLEAR: both of its terms are
            if abs(x - ox) - half - oh < CLEAR and abs(y - oy) - h2 - h2 < CLEAR:
                return False
        return True

    budget = [20000]  # candidate checks before giving up on a fully good arrangement

    def search(k, chosen):
        if k == len(options):
            return chosen
        for option in options[k]:
            if not option[4]:
                break  # the rest are not good either
            budget[0] -= 1
            if budget[0] < 0:
                return None
            if apart(option, chosen):
                found = search(k + 1, chosen + [option[:4]])
                if found is not None:
                    return found
        return None

    chosen = search(0, [])
    if chosen is None:  # no fully good arrangement: greedily the least bad place for each edge
        chosen = []
        for mine in options:
            def score(option):
                _t, x, y, half = option[:4]
                gap = min((_box_gap(x, y, half, (ox, oy, oh, LABEL_HEIGHT / 2)) for _ot, ox, oy, oh in chosen),
                          default=CLEAR)
                return (min(gap, CLEAR) >= CLEAR and option[4], min(gap, CLEAR), option[5])
            chosen.append(max(mine, key=score)[:4])
    return {edge: option[0] for edge, option in zip(spec["edges"], chosen)}


#: where a bias label may sit around its unit, as (dx, dy) of the label's centre from the
#: unit's centre, in order of preference: below, then above, right or left of the unit
_BIAS_OFFSETS = (
    (1, RADIUS + 12), (-1, RADIUS + 12), (1, -RADIUS - 12), (-1, -RADIUS - 12), (0, RADIUS + 12), (0, -RADIUS - 12),
)


def bias_places(spec, pos) -> Dict[str, Tuple[float, float, float]]:
    """{unit: (x, y, half width)}: the centre of each bias label's box, next to its unit
    where no edge runs through the label (so that it cannot be read as a weight) and clear
    of the other units and bias labels; the first such place in ``_BIAS_OFFSETS``, else
    the one cut by the fewest edges."""
    values = spec.get("values", {})
    placed: Dict[str, Tuple[float, float, float]] = {}
    for node, bias in spec.get("biases", {}).items():
        ux, uy = pos[node]
        half = _plain_width(bias, values) / 2
        best = None
        for sign, dy in _BIAS_OFFSETS:
            x = ux + sign * (half + 4) if sign else ux
            y = uy + dy
            cut = sum(1 for a, b, _w in spec["edges"] if _cuts(x, y, half, pos[a], pos[b]))
            near = sum(1 for other, (ox, oy) in pos.items()
                       if other != node and _box_gap(x, y, half, (ox, oy, RADIUS + 2, RADIUS + 2)) < CLEAR / 2)
            near += sum(1 for ox, oy, oh in placed.values() if _box_gap(x, y, half, (ox, oy, oh, LABEL_HEIGHT / 2)) < CLEAR)
            score = (cut + near, 0)
            if best is None or score < best[0]:
                best = (score, (x, y, half))
            if cut + near == 0:
                break
        placed[node] = best[1]
    return placed


@functools.lru_cache(maxsize=4096)
def _name_chars(name: str) -> float:
    """How many characters wide a symbol's name is set (its sub/superscripts at 0.8)."""
    base, sups, subs = split_super_sub(name)
    return len(base if base not in _GREEK else "x") + 0.8 * len(",".join(subs) + "".join(sups))


def _plain_width(name: str, values, digits: int = 0) -> float:
    """About how wide the label of ``name`` is (for its white background), its number taken
    as at least ``digits`` characters long."""
    chars = _name_chars(name)
    if name in values:
        chars += 3 + max(digits, len(format_number(values[name])))
    return chars * CHAR_WIDTH + 6


def draw(spec, fmt: str, display=None) -> str:
    """The drawing in format ``fmt``: inline SVG (html), a picture (tex); Markdown links a
    separate .svg file instead (see ``standalone_svg``), so "" here."""
    if not spec:
        return ""
    if fmt == "html":
        return svg(spec)
    if fmt == "tex":
        return picture(spec, display or {})
    return ""


def standalone_svg(spec) -> str:
    """An .svg file of the drawing (for Markdown, which cannot inline one)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg(spec) + "\n"


# --- SVG ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _svg_name(name: str) -> str:
    """A symbol name as SVG text with sub/superscripts (x_1 -> x<tspan ...>1</tspan>)."""
    base, sups, subs = split_super_sub(name)
    out = html.escape(_GREEK.get(base, base))
    if subs:
        out += '<tspan class="sub" dy="4">%s</tspan>' % html.escape(",".join(subs))
        if not sups:
            out += '<tspan dy="-4"></tspan>'
    if sups:
        out += '<tspan class="sub" dy="%d">%s</tspan><tspan dy="%d"></tspan>' % (
            -9 if subs else -5,
            html.escape("".join(sups)),
            5,
        )
    return out


_GREEK = {"eta": "\u03b7", "delta": "\u03b4", "sigma": "\u03c3"}


def _svg_number(value) -> str:
    return html.escape(format_number(value).replace("-", "\u2212"))  # a minus sign, not a hyphen


def _svg_label(name: str, values) -> str:
    text = '<tspan class="var">%s</tspan>' % _svg_name(name)
    if name in values:
        text += " = " + _svg_number(values[name])
    return text


#: The drawing's own style, inside every SVG so that it also stands alone (Markdown links
#: the .svg file); scoped to svg.network, so repeating it in a page is harmless.
SVG_STYLE = (
    "svg.network .edge { stroke: #7a8ca8; stroke-width: 1.4; }"
    " svg.network .node { fill: #fff; stroke: #3b5b8c; stroke-width: 2; }"
    " svg.network text { font-family: 'Noto Serif', 'Times New Roman', serif; font-size: 14px; fill: #1b1b1b; }"
    " svg.network .name { text-anchor: middle; font-style: italic; font-size: 16px; }"
    " svg.network .weight { text-anchor: middle; font-size: %dpx; paint-order: stroke; stroke: #fff;"
    " stroke-width: 4px; stroke-linejoin: round; }"
    " svg.network .halo { fill: #fff; stroke: none; }"
    " svg.network .bias { text-anchor: start; font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 4px; }"
    " svg.network .var { font-style: italic; }"
    " svg.network .sub { font-size: 10px; font-style: normal; }" % LABEL_SIZE
)


_SVGS: dict = {}  # {id(spec): (spec, svg)}: a sheet's drawing is inlined (html) and linked (md)


def svg(spec) -> str:
    """The drawing as an SVG element (remembered for the same ``spec`` object, which the
    entry keeps alive; a spec is not changed once a problem holds it)."""
    hit = _SVGS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    if len(_SVGS) > 256:
        _SVGS.clear()
    text = _svg(spec)
    _SVGS[id(spec)] = (spec, text)
    return text


def _svg(spec) -> str:
    pos, width, height = _layout(spec)
    values = spec.get("values", {})
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 %d %d" width="%d" '
        'height="%d" role="img">' % (width, height, width, height),
        "<style>%s</style>" % SVG_STYLE,
    ]
    out.append("<title>%s</title>" % html.escape(", ".join(
        "%s = %s" % (n, format_number(v)) for n, v in values.items()
    )))
    for src, dst, weight in spec["edges"]:
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        out.append('<line x1="%g" y1="%g" x2="%g" y2="%g" class="edge"/>' % (x1, y1, x2, y2))
    places = label_places(spec, pos)
    labels = []
    for edge in spec["edges"]:  # every white box first, then the labels: no box covers a label
        src, dst, weight = edge
        x, y = _along(pos[src], pos[dst], places[edge])
        half = _plain_width(weight, values) / 2
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%g" rx="3" class="halo"/>' % (
            x - half, y - LABEL_HEIGHT / 2, 2 * half, LABEL_HEIGHT))
        labels.append('<text x="%.1f" y="%.1f" class="weight">%s</text>' % (x, y + 4, _svg_label(weight, values)))
    out.extend(labels)
    for name, (x, y) in pos.items():
        out.append('<circle cx="%g" cy="%g" r="%d" class="node"/>' % (x, y, RADIUS))
        out.append('<text x="%g" y="%g" class="name">%s</text>' % (x, y + 5, _svg_name(name)))
    first = spec["layers"][0]
    for name in first:
        if name in values:
            x, y = pos[name]
            out.append('<text x="%g" y="%g" class="side" text-anchor="end">%s</text>' % (
                x - RADIUS - 8, y + 5, _svg_number(values[name])))
    for node, target in spec.get("targets", {}).items():
        x, y = pos[node]
        out.append('<text x="%g" y="%g" class="side" text-anchor="start">%s</text>' % (
            x + RADIUS + 8, y + 5, _svg_label(target, values)))
    for node, (x, y, half) in bias_places(spec, pos).items():
        # next to its node, where no edge runs through it
        out.append('<text x="%.1f" y="%.1f" class="bias">%s</text>' % (
            x - half + 3, y + 4, _svg_label(spec["biases"][node], values)))
    out.append("</svg>")
    return "".join(out)


# --- TikZ --------------------------------------------------------------------------

_CM = 1 / 40.0  # cm per SVG unit: the labels (\scriptsize, with TeX's wider math spacing) keep the room
# they have in the SVG


def _tex_label(name: str, values, display) -> str:
    text = symbolic.latex(symbolic.sym(name), display)
    if name in values:
        text += " = " + latex_number(values[name])
    return "$" + text + "$"


def tikz(spec, display) -> str:
    """The drawing as TikZ, as the sheets drew it before ``picture``: kept as the reference
    that ``tests/generator/test_figures.py`` compiles beside the picture (same size, same
    pixels); the sheets' preamble no longer loads TikZ."""
    pos, _width, _height = _layout(spec)
    values = spec.get("values", {})

    def at(name):
        x, y = pos[name]
        return "(%.2f,%.2f)" % (x * _CM, -y * _CM)

    ids = {name: "n%d" % i for i, name in enumerate(pos)}
    out = [r"\begin{tikzpicture}[every node/.style={font=\small}]"]
    for name in pos:
        out.append(r"\node[draw,circle,minimum size=0.85cm,inner sep=0pt] (%s) at %s {%s};" % (
            ids[name], at(name), _tex_label(name, {}, display)))
    places = label_places(spec, pos)
    for edge in spec["edges"]:
        src, dst, weight = edge
        out.append(r"\draw (%s) -- node[pos=%.2f,fill=white,inner sep=1pt,font=\scriptsize] {%s} (%s);" % (
            ids[src], places[edge], _tex_label(weight, values, display), ids[dst]))
    for name in spec["layers"][0]:
        if name in values:
            out.append(r"\node[left=2pt of %s] {$%s$};" % (ids[name], latex_number(values[name])))
    for node, target in spec.get("targets", {}).items():
        out.append(r"\node[right=2pt of %s] {%s};" % (ids[node], _tex_label(target, values, display)))
    for node, (x, y, _half) in bias_places(spec, pos).items():
        out.append(r"\node[font=\scriptsize,fill=white,inner sep=1pt] at (%.2f,%.2f) {%s};" % (
            x * _CM, -y * _CM, _tex_label(spec["biases"][node], values, display)))
    out.append(r"\end{tikzpicture}")
    return "\n".join(out)


# --- LaTeX picture -------------------------------------------------------------------
#
# What ``tikz`` draws, drawn in LaTeX's ``picture`` mode (lines and circles by pict2e)
# through the ``network`` environment and the \netunit, \netedge, \netlabel and \netside
# commands of the sheets' preamble (``templates/sheet.tex.j2``): the same circles, lines
# and labels at the same places, in the same order (a later line runs over an earlier
# label, as in TikZ), and a box of the same size (TeX measures each label as it places it,
# and the box grows to hold it, as TikZ's bounding box does), at a fraction of TikZ's
# cost: a TikZ drawing took 30-40 ms of a sheet's TeX run, this one about 1.5 ms. The
# geometry below is TikZ's for the nodes ``tikz`` writes.

_PT_PER_CM = 72.27 / 2.54
_UNIT_RADIUS = 0.425 * _PT_PER_CM  # a unit's circle: minimum size=0.85cm
_OUTER_SEP = 0.2  # pt: TikZ's outer sep, half the 0.4pt line, around every node
_SIDE_GAP = 2.0  # pt: left=2pt of / right=2pt of


def _pt(value: float) -> str:
    text = "%.3f" % value
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def picture(spec, display) -> str:
    """The drawing as a ``network`` environment (see the comment above)."""
    pos, _width, _height = _layout(spec)
    values = spec.get("values", {})

    def at(name):  # the centre in pt, from the rounded cm that tikz() writes
        x, y = pos[name]
        return round(x * _CM, 2) * _PT_PER_CM, round(-y * _CM, 2) * _PT_PER_CM

    out = [r"\begin{network}"]
    for name in pos:
        x, y = at(name)
        out.append(r"\netunit{%s}{%s}{%s}{%s}" % (_pt(x), _pt(y), _pt(2 * _UNIT_RADIUS), _tex_label(name, {}, display)))
    places = label_places(spec, pos)
    border = _UNIT_RADIUS + _OUTER_SEP  # an edge runs between the units' borders
    for edge in spec["edges"]:
        src, dst, weight = edge
        (x1, y1), (x2, y2) = at(src), at(dst)
        length = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        ax, ay, bx, by = x1 + border * ux, y1 + border * uy, x2 - border * ux, y2 - border * uy
        t = round(places[edge], 2)
        out.append(r"\netedge{%s}{%s}{%s}{%s}" % (_pt(ax), _pt(ay), _pt(bx), _pt(by)))
        out.append(r"\netlabel{%s}{%s}{%s}" % (_pt(ax + t * (bx - ax)), _pt(ay + t * (by - ay)),
                                              _tex_label(weight, values, display)))
    for name in spec["layers"][0]:
        if name in values:
            x, y = at(name)
            out.append(r"\netside{l}{%s}{%s}{$%s$}" % (_pt(x - border - _SIDE_GAP), _pt(y), latex_number(values[name])))
    for node, target in spec.get("targets", {}).items():
        x, y = at(node)
        out.append(r"\netside{r}{%s}{%s}{%s}" % (_pt(x + border + _SIDE_GAP), _pt(y), _tex_label(target, values, display)))
    for node, (x, y, _half) in bias_places(spec, pos).items():
        out.append(r"\netlabel{%s}{%s}{%s}" % (_pt(round(x * _CM, 2) * _PT_PER_CM), _pt(round(-y * _CM, 2) * _PT_PER_CM),
                                              _tex_label(spec["biases"][node], values, display)))
    out.append(r"\end{network}")
    return "\n".join(out)
