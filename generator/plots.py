"""Plots of the families whose course notes teach with a picture.

A family puts a ``Plot`` in ``Problem.figure`` (network drawings stay dicts, drawn by
``generator.figures``). A Plot is plain data: building one costs nothing and imports no
plotting library, so ``chainrule check`` (which rebuilds problems) and ``grade`` never load
one.

Drawing a plot first records a *description* (``figure``: a ``Figure`` of ``Axes`` holding
lines, markers, spans, bars, texts, ticks, legend), with the axis limits and ticks decided
here (nice numbers, at most 5 steps an axis, fewer where long labels would touch). Labels of
points (the iterates x₁, x₂ ...) are placed once the scale is known (``place_labels``): each
beside its own point, on no marker and no other text, inside the axes. Two writers draw the
same description:

- ``to_svg`` (the Markdown and HTML sheets): a small SVG writer of this module, labels as
  ``<text>`` in a stated font stack (DejaVu Sans first, then common sans-serif fonts, Hangul
  fonts for Korean), about a millisecond a picture and no plotting library imported;
- ``to_pdf`` (the LaTeX sheets): matplotlib, replaying the description with the same limits,
  ticks and legend place, text drawn as paths (a PDF embeds no font).

Each plot has two faces: the student's (``key=False``) never marks what the problem asks
for, the key's (``key=True``) may (iterates, the stopping epoch, values at the asked
points). Text is in the sheet's language. The SVG states a font stack with Hangul fonts and lets
the reader's browser pick one, so its Korean labels do not depend on the generating
machine; the PDF draws its text as paths and needs a Hangul font installed for Korean
(``korean_font``): without one the PDF's labels fall back to English.

Bytes are deterministic: the SVG is written from the description with fixed number
formats; the PDF with a fixed ``svg.hashsalt``, no creation date and a fixed creator.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import math
from math import hypot
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from generator import korean
from generator.model import Text

SALT = "chainrule"
WIDTH, HEIGHT = 6.4, 3.4  # inches
PT_W, PT_H = WIDTH * 72, HEIGHT * 72  # the SVG's user units are points, as matplotlib's were
# the axes' box in the figure (fractions), and the space between two panels (of a panel's width)
LEFT, RIGHT, BOTTOM, TOP, WSPACE = 0.12, 0.97, 0.15, 0.9, 0.3
FONT = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, Helvetica, sans-serif"
FONT_KO = ("'DejaVu Sans', NanumGothic, 'Noto Sans CJK KR', 'Noto Sans KR', 'Apple SD Gothic Neo', "
           "'Malgun Gothic', UnDotum, sans-serif")
FONT_SIZE, LEGEND_SIZE = 9.0, 8.0
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass(frozen=True)
class Plot:
    """What to draw: ``kind`` names a drawing function below, ``data`` holds plain floats,
    ints, strings and tuples (never sympy objects)."""

    kind: str
    data: Dict[str, Any] = field(default_factory=dict)
    caption: Optional[Any] = None  # a generator.model.Text without slots, shown under the plot

    def svg(self, lang: str = "en", key: bool = False) -> str:
        return to_svg(self, lang, key)

    def pdf(self, lang: str = "en", key: bool = False) -> bytes:
        return to_pdf(self, lang, key)

    def embed(self, fmt: str, lang: str, name: str, key: bool) -> str:
        """What a sheet in ``fmt`` holds where the plot goes: HTML the SVG itself, LaTeX an
        \\includegraphics of the PDF written beside the sheet (``files``), Markdown a link to
        the SVG written beside it."""
        if fmt == "html":
            return inline_svg(self, lang, key)
        if fmt == "tex":
            return r"\includegraphics[width=0.9\linewidth]{%s}" % pdf_file(name)
        return svg_file(name)

    def files(self, formats, lang: str, name: str, key: bool) -> Dict[str, bytes]:
        """{path relative to the sheet: bytes} of the files the sheets in ``formats`` link."""
        out = {}
        if "md" in formats:
            out[svg_file(name)] = to_svg(self, lang, key).encode("utf-8")
        if "tex" in formats:
            out[pdf_file(name)] = to_pdf(self, lang, key)
        return out


def svg_file(name: str) -> str:
    """Where a Markdown sheet finds the plot of problem ``name`` (as for network drawings)."""
    return f"figures/{name}.svg"


def pdf_file(name: str) -> str:
    """Where a LaTeX sheet finds the plot of problem ``name``."""
    return f"figures/{name}.pdf"


# --- fonts -----------------------------------------------------------------------------------

# preferred first: (family name, its file)
KOREAN = (("NanumGothic", "NanumGothic.ttf"), ("Noto Sans CJK KR", "NotoSansCJK-Regular.ttc"),
          ("UnDotum", "UnDotum.ttf"), ("Baekmuk Gulim", "gulim.ttf"))


@functools.lru_cache(maxsize=None)
def korean_font() -> Optional[str]:
    """The name of the first installed font of KOREAN (it has Hangul), or None.

    The same fonts give the same choice whatever matplotlib's font cache holds: a font
    installed after the cache was built is found by its file name and added."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    files = None
    for name, filename in KOREAN:
        if name in known:
            return name
        if files is None:
            files = {}
            for path in sorted(font_manager.findSystemFonts()):
                files.setdefault(path.rsplit("/", 1)[-1], path)
        if filename in files:
            font_manager.fontManager.addfont(files[filename])
            return name
    return None


NO_KOREAN_FONT = ("no font with Hangul is installed, so the plots in the Korean LaTeX sheets (their PDF figures) "
                  "are labelled in English (install one, e.g. apt-get install fonts-nanum, and generate again).")


def text_language(lang: str) -> str:
    """The language the plot's labels are written in: Korean only with a Hangul font."""
    return "ko" if lang == "ko" and korean_font() else "en"


# DejaVu Sans advance widths of " " .. "~" in 1/1000 em (from the font's metrics): the SVG
# writer's estimate of a text's width, for the legend's box and the y label's place
_ASCII = (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
          636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
          295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
          500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
          392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is at ``size`` points (DejaVu Sans; Hangul a full em)."""
    total = 0
    for ch in text:
        o = ord(ch)
        if 32 <= o < 127:
            total += _ASCII[o - 32]
        elif 0xAC00 <= o <= 0xD7A3:
            total += 920
        elif 0x2080 <= o <= 0x2089 or o in (0xB2, 0xB3, 0x2032):
            total += 401
        else:
            total += 640
    return total * size / 1000


# --- the description -------------------------------------------------------------------------

MARKERS = "os^v*|"


@dataclass
class Line:
    """A polyline and/or markers at data points (matplotlib's ``plot``)."""

    xs: List[float]
    ys: List[float]
    color: str
    linestyle: Optional[str]  # "-", "--", ":" or None (markers only)
    marker: Optional[str]  # one of MARKERS or None
    linewidth: float = 1.4
    markersize: float = 6.0
    markeredgewidth: float = 1.0
    alpha: float = 1.0
    label: Optional[str] = None

    def points(self):
        return list(zip(self.xs, self.ys))


@dataclass
class Rule:
    """A line across the axes at one x (``vertical``) or one y."""

    at: float
    vertical: bool
    color: str
    linestyle: str = "-"
    linewidth: float = 1.4
    label: Optional[str] = None


@dataclass
class Span:
    """A shaded band across the axes between x0 and x1 (matplotlib's ``axvspan``)."""

    x0: float
    x1: float
    color: str
    alpha: float
    label: Optional[str] = None


@dataclass
class Bar:
    x: float
    height: float
    width: float
    color: str
    label: Optional[str] = None


@dataclass
class Note:
    """A text at a point (data, or x in data and y as a fraction of the axes' height),
    moved by ``offset`` points."""

    text: str
    xy: Tuple[float, float]
    offset: Tuple[float, float]
    color: str = "#000000"
    ha: str = "left"
    y_fraction: bool = False


@dataclass
class PointLabel:
    """A label of a marked point (an iterate), placed when the panel's scale is known: beside
    its own point, never on a marker, another text or outside the axes (``place_labels``)."""

    text: str
    xy: Tuple[float, float]  # data
    color: str
    radius: float  # the marker's, in points
    index: int  # the subscript (x₃: 3) or number (sample 3): points too close to tell apart share one label
    plural: Optional[str] = None  # a numbered word's label of several points ("samples" 1, 3); None: subscripts


def _style(fmt: str) -> Tuple[Optional[str], Optional[str]]:
    marker = next((c for c in fmt if c in MARKERS), None)
    rest = fmt.replace(marker, "") if marker else fmt
    linestyle = rest if rest in ("-", "--", ":") else None
    if not fmt:
        linestyle = "-"
    return marker, linestyle


def _floats(values) -> List[float]:
    return [float(v) for v in values]


class Axes:
    """One panel: what a drawing function records (the subset of matplotlib's Axes the
    drawings use, with the same names)."""

    def __init__(self, figure: "Figure", index: int, ncols: int):
        self.figure, self.index, self.ncols = figure, index, ncols
        self.lines: List[Line] = []
        self.rules: List[Rule] = []
        self.spans: List[Span] = []
        self.bars: List[Bar] = []
        self.texts: List[Note] = []
        self.point_labels: List[PointLabel] = []  # become notes in self.texts (``place_labels``)
        self.frame: Optional["Frame"] = None  # ``frame(self)``, set once the drawing is done (``_figure``)
        self.order: List[Any] = []  # lines, rules, spans and bars as drawn (the legend's order)
        self.title = self.xlabel = self.ylabel = ""
        self.xticks: Optional[List[float]] = None
        self.xinteger = False  # whole-number ticks only (a step or epoch axis)
        self.yticks: Optional[List[float]] = None
        self.yticklabels: Optional[List[str]] = None
        self.xlim: Optional[Tuple[float, float]] = None
        self.ylim: Optional[Tuple[float, float]] = None
        self.xscale = "linear"
        self.xgrid: Optional[Tuple[str, float]] = None
        self.legend_args: Optional[Dict[str, Any]] = None
        self._cycle = 0

    def _next_color(self):
        color = CYCLE[self._cycle % len(CYCLE)]
        self._cycle += 1
        return color

    def plot(self, xs, ys, fmt: str = "", color=None, linestyle=None, linewidth=1.4, markersize=6.0,
             markeredgewidth=1.0, alpha=1.0, label=None):
        marker, style = _style(fmt)
        self._add(self.lines, Line(_floats(xs), _floats(ys), color or self._next_color(), linestyle or style, marker,
                                   linewidth, markersize, markeredgewidth, alpha, label))

    def _add(self, where, artist):
        where.append(artist)
        self.order.append(artist)

    def axhline(self, y, color="#000000", linestyle="-", linewidth=1.4, label=None):
        self._add(self.rules, Rule(float(y), False, color, linestyle, linewidth, label))

    def axvline(self, x, color="#000000", linestyle="-", linewidth=1.4, label=None):
        self._add(self.rules, Rule(float(x), True, color, linestyle, linewidth, label))

    def axvspan(self, x0, x1, color, alpha=1.0, linewidth=0, label=None):
        self._add(self.spans, Span(float(x0), float(x1), color, alpha, label))

    def bar(self, xs, heights, color, width=0.8, label=None):
        for i, (x, h) in enumerate(zip(xs, heights)):
            self._add(self.bars, Bar(float(x), float(h), width, color, label if i == 0 else None))

    def annotate(self, text, xy, xycoords="data", textcoords="offset points", xytext=(0, 0), color="#000000",
                 ha="left"):
        self.texts.append(Note(text, (float(xy[0]), float(xy[1])), (float(xytext[0]), float(xytext[1])), color, ha,
                               xycoords != "data"))

    def label_point(self, name: str, index: int, xy, color="#000000", markersize=6.0, plural=None):
        """Label the marked point ``xy`` "name with subscript index" (x₃), or with ``plural``
        given "name index" (sample 3; two points on one place: "samples 1, 3"), beside it where
        the picture has room: ``place_labels`` picks the place once the scale is known."""
        text = f"{name} {index}" if plural else f"{name}{sub(index)}"
        self.point_labels.append(PointLabel(text, (float(xy[0]), float(xy[1])), color, markersize / 2, index,
                                            plural))

    def set_title(self, text):
        self.title = text

    def set_xlabel(self, text):
        self.xlabel = text

    def set_ylabel(self, text):
        self.ylabel = text

    def set_xticks(self, ticks):
        self.xticks = _floats(ticks)

    def set_xinteger(self):
        """Ticks at whole numbers only (steps, epochs: matplotlib's MaxNLocator(integer=True))."""
        self.xinteger = True

    def set_yticks(self, ticks):
        self.yticks = _floats(ticks)

    def set_yticklabels(self, labels):
        self.yticklabels = list(labels)

    def set_xlim(self, lo, hi):
        self.xlim = (float(lo), float(hi))

    def set_ylim(self, lo, hi):
        self.ylim = (float(lo), float(hi))

    def set_xscale(self, scale):
        self.xscale = scale

    def grid_x(self, color, linewidth):
        """Vertical grid lines at the x ticks."""
        self.xgrid = (color, linewidth)

    def legend(self, frameon=False, fontsize=LEGEND_SIZE, loc="best", ncol=1, bbox_to_anchor=None):
        self.legend_args = {"fontsize": fontsize, "loc": loc, "ncol": ncol, "anchor": bbox_to_anchor}

    # what the figure shows, for readers and tests
    def marked_points(self):
        """Every point drawn with a marker."""
        return [p for line in self.lines if line.marker for p in line.points()]

    def all_texts(self):
        """Every text: notes, title, axis labels, tick labels, legend labels."""
        out = [n.text for n in self.texts] + [self.title, self.xlabel, self.ylabel]
        out += list(self.yticklabels or [])
        out += [label for label, _handle in self.legend_entries()]
        return [t for t in out if t]

    def legend_entries(self):
        """(label, artist) in drawing order, as matplotlib lists them."""
        if self.legend_args is None:
            return []
        return [(a.label, a) for a in self.order if a.label]


class Figure:
    """A plot's description: its panels, left to right."""

    def __init__(self):
        self.axes: List[Axes] = []

    def add_subplot(self, nrows: int, ncols: int, index: int) -> Axes:
        ax = Axes(self, index - 1, ncols)
        self.axes.append(ax)
        return ax


def _figure(plot: Plot, words: str, key: bool) -> Figure:
    """The description with its labels in the language ``words``."""
    fig = Figure()
    DRAW[plot.kind](fig, plot.data, _Words(words), key)
    for ax in fig.axes:
        # drawn: its frame is final (placing the labels adds notes, which the frame ignores),
        # worked out once for the labels and the writers
        ax.frame = frame(ax)
        if ax.point_labels:
            place_labels(ax, ax.frame)
    return fig


def figure(plot: Plot, lang: str = "en", key: bool = False, fmt: str = "svg") -> Figure:
    """The plot's description as ``fmt`` ("svg" or "pdf") draws it: ``to_svg`` writes the
    labels in the sheet's language on any machine (the reader's browser picks a font from
    the stated stack), ``to_pdf`` in Korean only where a Hangul font is installed."""
    return _figure(plot, lang if fmt == "svg" else text_language(lang), key)


# --- layout: limits and ticks ----------------------------------------------------------------

STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)  # matplotlib's MaxNLocator's


def nice_ticks(lo: float, hi: float, nbins: int = 5, integer: bool = False) -> List[float]:
    """At most ``nbins`` + 1 ticks in [lo, hi] at multiples of one of STEPS times a power of ten
    (matplotlib's MaxNLocator); ``integer``: whole-number multiples only (1, 2, 5, 10 ..., never
    1.5 or 2.5: a step or epoch axis)."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / nbins
    if integer:
        raw = max(raw, 1.0)
    scale = 10.0 ** math.floor(math.log10(raw))
    step = next(s * scale for s in STEPS + (20,)
                if s * scale >= raw * (1 - 1e-9) and (not integer or float(s * scale).is_integer()))
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(i * step, 12) + 0.0 for i in range(first, last + 1)]


def tick_labels(ticks: List[float]) -> List[str]:
    """Tick labels with as many decimals as the step needs, all alike, a true minus sign."""
    if len(ticks) < 2:
        decimals = 0 if all(float(t).is_integer() for t in ticks) else 2
    else:
        step = abs(ticks[1] - ticks[0])
        decimals = 0
        while decimals < 8 and abs(round(step, decimals) - step) > 1e-9 * max(step, 1e-300):
            decimals += 1
    return [f"{t:.{decimals}f}".replace("-", "−") if t != 0 else f"{0:.{decimals}f}" for t in ticks]


def log_ticks(lo: float, hi: float) -> List[float]:
    """Powers of ten in [lo, hi]; with fewer than two of them, 2 and 5 times them too."""
    first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    ticks = [10.0 ** k for k in range(first, last + 1)]
    if len(ticks) < 2:
        ticks = sorted(m * 10.0 ** k for k in range(first - 1, last + 1) for m in (1, 2, 5)
                       if lo <= m * 10.0 ** k <= hi)
    return [float(f"{t:.12g}") for t in ticks]


def _extent(values, margin=0.05, log=False):
    lo, hi = min(values), max(values)
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    if hi == lo:
        lo, hi = lo - 0.5 if not log else lo - 0.1, hi + 0.5 if not log else hi + 0.1
    pad = (hi - lo) * margin
    lo, hi = lo - pad, hi + pad
    return (10 ** lo, 10 ** hi) if log else (lo, hi)


@dataclass
class Frame:
    """Where one panel is drawn and how data maps into it."""

    x0: float
    y0: float  # top, in SVG coordinates
    width: float
    height: float
    xlim: Tuple[float, float]
    ylim: Tuple[float, float]
    log: bool
    xticks: List[float]
    xlabels: List[str]
    yticks: List[float]
    ylabels: List[str]

    def x(self, value: float) -> float:
        lo, hi = self.xlim
        if self.log:
            value, lo, hi = math.log10(value), math.log10(lo), math.log10(hi)
        return self.x0 + (value - lo) / (hi - lo) * self.width

    def y(self, value: float) -> float:
        lo, hi = self.ylim
        return self.y0 + self.height - (value - lo) / (hi - lo) * self.height

    def xs(self, values) -> List[float]:
        """``x`` of many values (a curve's 241 points)."""
        return [self.x(v) for v in values] if self.log else self._map(values, self.xlim, self.x0, self.width)

    def ys(self, values) -> List[float]:
        lo, hi = self.ylim
        scale = self.height / (hi - lo)
        bottom = self.y0 + self.height
        return [bottom - (v - lo) * scale for v in values]

    @staticmethod
    def _map(values, lim, start, size):
        lo, hi = lim
        scale = size / (hi - lo)
        return [start + (v - lo) * scale for v in values]


def frame(ax: Axes) -> Frame:
    """The panel's place, limits and ticks: limits from the data with a 5 % margin unless set."""
    total = (RIGHT - LEFT) * PT_W
    width = total / (ax.ncols + WSPACE * (ax.ncols - 1))
    x0 = LEFT * PT_W + ax.index * width * (1 + WSPACE)
    y0, height = (1 - TOP) * PT_H, (TOP - BOTTOM) * PT_H
    xs, ys = [], []
    for line in ax.lines:
        xs += line.xs
        ys += line.ys
    for bar in ax.bars:
        xs += [bar.x - bar.width / 2, bar.x + bar.width / 2]
        ys += [0.0, bar.height]
    for span in ax.spans:
        xs += [span.x0, span.x1]
    for rule in ax.rules:
        (xs if rule.vertical else ys).append(rule.at)
    log = ax.xscale == "log"
    xlim = ax.xlim or _extent(xs or [0.0, 1.0], log=log)
    ylim = ax.ylim or _extent(ys or [0.0, 1.0])
    if log:
        xticks = log_ticks(*xlim)
        xlabels = [num(t) for t in xticks]
    else:
        xticks = ax.xticks if ax.xticks is not None else nice_ticks(*xlim, integer=ax.xinteger)
        xlabels = tick_labels(xticks)
    yticks = ax.yticks if ax.yticks is not None else nice_ticks(*ylim)
    ylabels = ax.yticklabels if ax.yticklabels is not None else tick_labels(yticks)
    # long tick labels (words, many decimals) move the panel right, never off the picture nor
    # onto the panel on its left
    need = 7 + max([text_width(label, FONT_SIZE) for label in ylabels] or [0.0]) + 4
    need += FONT_SIZE + 4 if ax.ylabel else 0
    room = x0 if ax.index == 0 else width * WSPACE
    if need > room:
        width, x0 = width - (need - room), x0 + (need - room)
    nbins = 5
    while not log and ax.xticks is None and nbins > 2 and not _fits(xticks, xlabels, xlim, width):
        # long labels (many decimals) in a narrow panel: fewer ticks, never one on another
        nbins -= 1
        xticks = nice_ticks(*xlim, nbins=nbins, integer=ax.xinteger)
        xlabels = tick_labels(xticks)
    slack = 1e-9 * abs(xlim[1] - xlim[0])
    keep = [i for i, t in enumerate(xticks) if min(xlim) - slack <= t <= max(xlim) + slack]
    xticks, xlabels = [xticks[i] for i in keep], [xlabels[i] for i in keep]
    return Frame(x0, y0, width, height, xlim, ylim, log, xticks, xlabels, list(yticks), list(ylabels))


def _fits(ticks, labels, lim, width, gap=6.0) -> bool:
    """Whether x tick labels of a panel ``width`` points wide keep ``gap`` points apart."""
    if len(ticks) < 2:
        return True
    spacing = abs(ticks[1] - ticks[0]) / (lim[1] - lim[0]) * width
    return max(text_width(label, FONT_SIZE) for label in labels) + gap <= spacing


# the legend's places (matplotlib's names, its order for "best"), as fractions of the axes
LOCATIONS = {
    "upper right": (1.0, 1.0), "upper left": (0.0, 1.0), "lower left": (0.0, 0.0), "lower right": (1.0, 0.0),
    "right": (1.0, 0.5), "center left": (0.0, 0.5), "center right": (1.0, 0.5), "lower center": (0.5, 0.0),
    "upper center": (0.5, 1.0), "center": (0.5, 0.5),
}


@dataclass
class LegendBox:
    loc: str
    x: float  # left, SVG coordinates
    y: float  # top
    width: float
    height: float
    rows: List[List[Tuple[str, Any]]]  # per column
    size: float


def legend_box(ax: Axes, fr: Frame) -> Optional[LegendBox]:
    """The legend's box: its size from the labels, its place from ``loc`` (``"best"``: the
    first of matplotlib's places covering the fewest data points)."""
    entries = ax.legend_entries()
    if not entries:
        return None
    size, ncol = ax.legend_args["fontsize"], ax.legend_args["ncol"]
    per = -(-len(entries) // ncol)
    columns = [entries[i * per:(i + 1) * per] for i in range(ncol)]
    columns = [c for c in columns if c]
    handle, pad, spacing = 2.0 * size, 0.8 * size, 0.5 * size
    widths = [handle + pad + max(text_width(label, size) for label, _a in c) for c in columns]
    width = sum(widths) + 2.0 * size * (len(columns) - 1) + 0.8 * size
    height = per * size + (per - 1) * spacing + 0.8 * size
    border = 0.5 * size
    loc = ax.legend_args["loc"]
    anchor = ax.legend_args["anchor"]

    def place(name):
        fx, fy = LOCATIONS[name]
        if anchor is not None:
            ax_x, ax_y = fr.x0 + anchor[0] * fr.width, fr.y0 + (1 - anchor[1]) * fr.height
            return ax_x + border - fx * (width + 2 * border), ax_y + border - (1 - fy) * (height + 2 * border)
        left = fr.x0 + border + fx * (fr.width - 2 * border - width)
        top = fr.y0 + border + (1 - fy) * (fr.height - 2 * border - height)
        return left, top

    if loc == "best":
        paths = [[(fr.x(x), fr.y(y)) for x, y in line.points()] for line in ax.lines]
        boxes = [sorted((fr.x(s.x0), fr.x(s.x1))) + [fr.y0, fr.y0 + fr.height] for s in ax.spans]
        boxes += [sorted((fr.x(b.x - b.width / 2), fr.x(b.x + b.width / 2))) + sorted((fr.y(0.0), fr.y(b.height)))
                  for b in ax.bars]
        rules = [(r.vertical, fr.x(r.at) if r.vertical else fr.y(r.at)) for r in ax.rules]
        best = None
        for name in LOCATIONS:
            left, top = place(name)
            right, bottom = left + width, top + height
            # matplotlib's badness: data points inside, boxes overlapping, lines crossing
            bad = sum(1 for path in paths for px, py in path if left <= px <= right and top <= py <= bottom)
            bad += sum(1 for a, b, c, d in boxes if a < right and b > left and c < bottom and d > top)
            bad += sum(1 for path in paths if _crosses(path, left, top, right, bottom))
            bad += sum(1 for vertical, at in rules if (left <= at <= right if vertical else top <= at <= bottom))
            if best is None or bad < best[0]:
                best = (bad, name)
        loc = best[1]
    left, top = place(loc)
    return LegendBox(loc, left, top, width, height, columns, size)


def _crosses(path, left, top, right, bottom) -> bool:
    """Whether a polyline meets the box (a segment with an end inside, or crossing an edge)."""
    for (x1, y1), (x2, y2) in zip(path, path[1:]):
        # the segment's bounding box beside the box: no end inside it, no crossing
        if (x1 < left and x2 < left) or (x1 > right and x2 > right) or (y1 < top and y2 < top) \
                or (y1 > bottom and y2 > bottom):
            continue
        if (left <= x1 <= right and top <= y1 <= bottom) or (left <= x2 <= right and top <= y2 <= bottom):
            return True
        # the segment's bounding box meets the box: does the segment separate the box's corners?
        sides = {(x2 - x1) * (cy - y1) - (y2 - y1) * (cx - x1) > 0
                 for cx, cy in ((left, top), (right, top), (left, bottom), (right, bottom))}
        if len(sides) == 2:
            return True
    return False


# --- labels of marked points ------------------------------------------------------------------

# a text's box about its baseline (DejaVu Sans: digits and capitals reach 0.73 em up, the
# subscript digits 0.2 em down), in ems
ASCENT, DESCENT = 0.76, 0.24
LABEL_GAP = 2.5  # points between a marker and its label (and twice as far for the second ring)
TOUCHING = 1.5  # points: markers closer than their radii and this read as one point


def note_box(note: Note, fr: Frame, size: float = FONT_SIZE) -> Tuple[float, float, float, float]:
    """(left, top, right, bottom) of a note's text in the SVG's coordinates (as ``_axes_svg``
    places it)."""
    x = fr.x(note.xy[0]) + note.offset[0]
    y = (fr.y0 + (1 - note.xy[1]) * fr.height if note.y_fraction else fr.y(note.xy[1])) - note.offset[1]
    width = text_width(note.text, size)
    left = {"left": x, "center": x - width / 2, "right": x - width}[note.ha]
    return left, y - ASCENT * size, left + width, y + DESCENT * size


def _overlap(a, b, pad=0.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _box_distance(box, px, py) -> float:
    dx = max(box[0] - px, 0.0, px - box[2])
    dy = max(box[1] - py, 0.0, py - box[3])
    return math.hypot(dx, dy)


def _label_text(group: List[PointLabel]) -> str:
    """One label for points drawn on top of each other: x₃, x₄ (their name, their subscripts),
    samples 1, 3 (the plural, their numbers)."""
    if len(group) == 1:
        return group[0].text
    ordered = sorted(group, key=lambda p: p.index)
    if ordered[0].plural:
        return f"{ordered[0].plural} " + ", ".join(str(p.index) for p in ordered)
    name = ordered[0].text.rstrip("₀₁₂₃₄₅₆₇₈₉")
    return ", ".join(name + sub(p.index) for p in ordered)


def _candidates(rect, width, size):
    """Places of a label (baseline left x, baseline y) around ``rect`` (the markers' box), in
    order of preference: upper right first (as x₀ was always labelled), then the other
    corners, the sides, above and below; then the same a ring farther out."""
    left, top, right, bottom = rect
    ascent, descent = ASCENT * size, DESCENT * size
    out = []
    for gap in (LABEL_GAP, 3 * LABEL_GAP + 2):
        east, west = right + gap, left - gap - width
        middle = (left + right) / 2 - width / 2
        up, down = top - gap / 2 - descent, bottom + gap / 2 + ascent
        level = (top + bottom) / 2 + (ascent - descent) / 2
        out += [(east, top - 1 - (gap - LABEL_GAP)), (west, top - 1 - (gap - LABEL_GAP)),
                (east, bottom - 1 + ascent + (gap - LABEL_GAP)), (west, bottom - 1 + ascent + (gap - LABEL_GAP)),
                (east, level), (west, level), (middle, up - gap), (middle, down + gap),
                (left, down + gap), (right - width, down + gap), (left, up - gap), (right - width, up - gap)]
    return out


def place_labels(ax: Axes, fr: Frame, size: float = FONT_SIZE) -> None:
    """Turn the panel's point labels into notes: each beside its own point (the point nearest
    to its text), inside the axes, on no marker, no other text and not in the legend, off the
    curves where there is room. Points whose markers touch share one label (x₃, x₄); should no place fit every
    label, the two closest groups share one and the search starts again."""
    labels = ax.point_labels
    ax.point_labels = []
    pixel = {id(p): (fr.x(p.xy[0]), fr.y(p.xy[1])) for p in labels}
    markers = []  # (x, y, radius) of every marker drawn in the panel
    for line in ax.lines:
        if line.marker:
            markers += [(x, y, line.markersize / 2) for x, y in zip(fr.xs(line.xs), fr.ys(line.ys))]
    curves = [list(zip(fr.xs(line.xs), fr.ys(line.ys))) for line in ax.lines if line.linestyle]
    # a curve drawn through many points (a loss) is on a box when one of them is inside it; a
    # few joined points (a path) when a segment crosses it
    dense = sorted(point for curve in curves if len(curve) > 20 for point in curve)
    dense_x = [x for x, _y in dense]
    sparse = [curve for curve in curves if len(curve) <= 20]
    # each sparse curve with its bounding box: a box beside it cannot meet it (``_crosses``
    # would find no end inside and skip every segment)
    sparse = [(curve, min(x for x, _y in curve), min(y for _x, y in curve), max(x for x, _y in curve),
               max(y for _x, y in curve)) for curve in sparse if curve]
    vertical = [fr.x(r.at) for r in ax.rules if r.vertical]
    # the markers by x, for a label's box to look only at those near it in x: one farther
    # than its radius (plus a margin) to the left or right of the box cannot be too close
    markers.sort()
    marker_x = [x for x, _y, _r in markers]
    reach = max((r for _x, _y, r in markers), default=0.0) + 1.0
    fixed = [note_box(note, fr) for note in ax.texts]
    legend = legend_box(ax, fr)
    if legend is not None:
        fixed.append((legend.x, legend.y, legend.x + legend.width, legend.y + legend.height))
    inside = (fr.x0, fr.y0, fr.x0 + fr.width, fr.y0 + fr.height)

    # groups: points whose markers touch, joined transitively
    groups: List[List[PointLabel]] = []
    for p in sorted(labels, key=lambda p: p.index):
        px, py = pixel[id(p)]
        near = [g for g in groups if any(math.hypot(px - pixel[id(q)][0], py - pixel[id(q)][1])
                                         < p.radius + q.radius + TOUCHING for q in g)]
        merged = [p] + [q for g in near for q in g]
        groups = [g for g in groups if g not in near] + [merged]

    def options(group):
        """The group's admissible places (box, cost), best first."""
        xs = [pixel[id(p)][0] for p in group]
        ys = [pixel[id(p)][1] for p in group]
        r = max(p.radius for p in group)
        rect = (min(xs) - r, min(ys) - r, max(xs) + r, max(ys) + r)
        text = _label_text(group)
        width = text_width(text, size)
        own = {id(p) for p in group}
        others = [pixel[id(p)] for p in labels if id(p) not in own]
        others += [(x, y) for x, y, _r in markers if not any(abs(x - a) < 1e-6 and abs(y - b) < 1e-6
                                                             for a, b in zip(xs, ys))]
        others.sort()
        others_x = [x for x, _y in others]
        found = []
        for rank, (x, y) in enumerate(_candidates(rect, width, size)):
            box = (x, y - ASCENT * size, x + width, y + DESCENT * size)
            if not (box[0] >= inside[0] and box[2] <= inside[2] and box[1] >= inside[1] and box[3] <= inside[3]):
                continue
            # _box_distance(box, px, py), inlined (the same arithmetic): most of a plot's time
            b0, b1, b2, b3 = box
            # (only the markers and points within reach in x: a distance is at least its x part)
            if any(hypot(max(b0 - mx, 0.0, mx - b2), max(b1 - my, 0.0, my - b3)) < mr + 0.5
                   for mx, my, mr in markers[bisect.bisect_left(marker_x, b0 - reach):
                                             bisect.bisect_right(marker_x, b2 + reach)]):
                continue
            if any(_overlap(box, other, 1.0) for other in fixed):
                continue
            mine = min(hypot(max(b0 - a, 0.0, a - b2), max(b1 - b, 0.0, b - b3)) for a, b in zip(xs, ys))
            near = mine + 2.0
            if any(hypot(max(b0 - a, 0.0, a - b2), max(b1 - b, 0.0, b - b3)) < mine + 1.0
                   for a, b in others[bisect.bisect_left(others_x, b0 - near):
                                      bisect.bisect_right(others_x, b2 + near)]):
                continue
            cost = rank
            cost += 3 * sum(1 for _cx, cy in dense[bisect.bisect_left(dense_x, box[0]):
                                                   bisect.bisect_right(dense_x, box[2])]
                            if box[1] <= cy <= box[3])
            cost += 4 * sum(1 for curve, x0, y0, x1, y1 in sparse
                            if not (x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3]) and _crosses(curve, *box))
            cost += 6 * sum(1 for vx in vertical if box[0] <= vx <= box[2])
            found.append((cost, rank, box, text, group))
        found.sort(key=lambda f: (f[0], f[1]))
        return found

    while True:
        # the most crowded group first: fewest places left
        choices = sorted((options(g) for g in groups), key=lambda o: (len(o), o[0][1] if o else 0))
        chosen = _search(choices) if all(choices) else None
        if chosen is not None or len(groups) == 1:
            break
        # no room for every label: the two closest groups share one
        best = None
        for i, g in enumerate(groups):
            for h in groups[i + 1:]:
                d = min(math.hypot(pixel[id(p)][0] - pixel[id(q)][0], pixel[id(p)][1] - pixel[id(q)][1])
                        for p in g for q in h)
                if best is None or d < best[0]:
                    best = (d, g, h)
        _d, g, h = best
        groups = [x for x in groups if x is not g and x is not h] + [g + h]
    if chosen is None:  # one label for all, and no admissible place (a panel too small): upper right
        p = min(groups[0], key=lambda p: p.index)
        ax.texts.append(Note(_label_text(groups[0]), p.xy, (p.radius + LABEL_GAP, p.radius + 1), p.color))
        return
    for _cost, _rank, box, text, group in chosen:
        anchor = min(group, key=lambda p: p.index)
        ax_x, ax_y = pixel[id(anchor)]
        # the offset in points from the anchor point, the baseline's left end
        ax.texts.append(Note(text, anchor.xy, (box[0] - ax_x, ax_y - (box[3] - DESCENT * size)), anchor.color))


def _search(choices, limit=20000):
    """One admissible place per group, no two overlapping: depth first, each group's places
    best first (the first complete choice found), or None."""
    chosen: List[Any] = []
    budget = [limit]

    def go(i):
        if i == len(choices):
            return True
        for option in choices[i]:
            budget[0] -= 1
            if budget[0] < 0:
                return False
            if any(_overlap(option[2], other[2], 1.0) for other in chosen):
                continue
            chosen.append(option)
            if go(i + 1):
                return True
            chosen.pop()
        return False

    return list(chosen) if go(0) else None


# --- the SVG writer --------------------------------------------------------------------------

def _f(value: float) -> str:
    text = "%.2f" % value
    if text[-1] != "0":  # 12.34: nothing to strip
        return text
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65)}


def _stroke(color, width, style="-", alpha=1.0):
    out = f'stroke="{color}" stroke-width="{_f(width)}"'
    if style in DASHES:
        out += ' stroke-dasharray="%s"' % ",".join(_f(d * width) for d in DASHES[style])
    if alpha != 1.0:
        out += f' stroke-opacity="{_f(alpha)}"'
    return out


def _marker(kind: str, x: float, y: float, size: float, color: str, edge: float, alpha: float = 1.0) -> str:
    """One marker as SVG (matplotlib's shapes and sizes: ``size`` is the marker's height)."""
    r = size / 2
    fill = f'fill="{color}" stroke="{color}" stroke-width="{_f(edge)}"'
    if alpha != 1.0:
        fill += f' fill-opacity="{_f(alpha)}" stroke-opacity="{_f(alpha)}"'
    if kind == "o":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {fill}/>'
    if kind == "s":
        return f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(size)}" height="{_f(size)}" {fill}/>'
    if kind in "^v":
        s = 1 if kind == "^" else -1
        pts = [(x, y - s * r), (x - r, y + s * r), (x + r, y + s * r)]
    elif kind == "*":
        pts = []
        for i in range(10):
            radius = r if i % 2 == 0 else r * 0.381966
            angle = math.pi / 2 + i * math.pi / 5
            pts.append((x + radius * math.cos(angle), y - radius * math.sin(angle)))
    else:  # "|"
        return f'<line x1="{_f(x)}" y1="{_f(y - r)}" x2="{_f(x)}" y2="{_f(y + r)}" {_stroke(color, edge, "-", alpha)}/>'
    return '<polygon points="%s" %s/>' % (" ".join(f"{_f(a)},{_f(b)}" for a, b in pts), fill)


def _text(x, y, text, size=FONT_SIZE, anchor="start", color="#000000", rotate=False) -> str:
    attrs = f'x="{_f(x)}" y="{_f(y)}"'
    if size != FONT_SIZE:
        attrs += f' font-size="{_f(size)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if color != "#000000":
        attrs += f' fill="{color}"'
    if rotate:
        attrs += f' transform="rotate(-90 {_f(x)} {_f(y)})"'
    return f"<text {attrs}>{_esc(text)}</text>"


def _line_svg(line: Line, fr: Frame, clip: str) -> List[str]:
    out = []
    points = list(zip(fr.xs(line.xs), fr.ys(line.ys)))
    if line.linestyle and len(points) > 1:
        out.append('<polyline points="%s" fill="none" %s stroke-linejoin="round" stroke-linecap="%s" '
                   'clip-path="url(#%s)"/>'
                   % (" ".join(["%.2f,%.2f" % point for point in points]),
                      _stroke(line.color, line.linewidth, line.linestyle, line.alpha),
                      "round" if line.linestyle == "-" else "butt", clip))
    if line.marker:
        out.extend(_marker(line.marker, a, b, line.markersize, line.color, line.markeredgewidth, line.alpha)
                   for a, b in points)
    return out


def _handle(artist, x: float, y: float, size: float) -> List[str]:
    """A legend entry's sample: a short line and/or a marker, a patch for a bar or span."""
    length = 2.0 * size
    if isinstance(artist, (Bar, Span)):
        alpha = artist.alpha if isinstance(artist, Span) else 1.0
        opacity = f' fill-opacity="{_f(alpha)}"' if alpha != 1.0 else ""
        return [f'<rect x="{_f(x)}" y="{_f(y - 0.35 * size)}" width="{_f(length)}" height="{_f(0.7 * size)}" '
                f'fill="{artist.color}"{opacity}/>']
    out = []
    style = artist.linestyle  # a Line's or a Rule's
    if style:
        out.append(f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + length)}" y2="{_f(y)}" '
                   f'{_stroke(artist.color, artist.linewidth, style, getattr(artist, "alpha", 1.0))}/>')
    if isinstance(artist, Line) and artist.marker:
        out.append(_marker(artist.marker, x + length / 2, y, artist.markersize, artist.color,
                           artist.markeredgewidth, artist.alpha))
    return out


def _axes_svg(ax: Axes, fr: Frame, clip: str) -> List[str]:
    out = [f'<clipPath id="{clip}"><rect x="{_f(fr.x0)}" y="{_f(fr.y0)}" width="{_f(fr.width)}" '
           f'height="{_f(fr.height)}"/></clipPath>']
    top, bottom, left, right = fr.y0, fr.y0 + fr.height, fr.x0, fr.x0 + fr.width
    for span in ax.spans:
        a, b = sorted((fr.x(span.x0), fr.x(span.x1)))
        out.append(f'<rect x="{_f(a)}" y="{_f(top)}" width="{_f(b - a)}" height="{_f(fr.height)}" '
                   f'fill="{span.color}" fill-opacity="{_f(span.alpha)}" clip-path="url(#{clip})"/>')
    for bar in ax.bars:
        a, b = fr.x(bar.x - bar.width / 2), fr.x(bar.x + bar.width / 2)
        y1, y2 = sorted((fr.y(0.0), fr.y(bar.height)))
        out.append(f'<rect x="{_f(a)}" y="{_f(y1)}" width="{_f(b - a)}" height="{_f(y2 - y1)}" fill="{bar.color}"/>')
    if ax.xgrid:
        color, width = ax.xgrid
        out.extend(f'<line x1="{_f(fr.x(t))}" y1="{_f(top)}" x2="{_f(fr.x(t))}" y2="{_f(bottom)}" '
                   f'{_stroke(color, width)}/>' for t in fr.xticks)
    for rule in ax.rules:
        if rule.vertical:
            x = fr.x(rule.at)
            a = (x, top, x, bottom)
        else:
            y = fr.y(rule.at)
            a = (left, y, right, y)
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>' % (*map(_f, a), _stroke(rule.color, rule.linewidth,
                                                                                           rule.linestyle)))
    for line in ax.lines:
        out.extend(_line_svg(line, fr, clip))
    # the frame: the left and bottom spines, ticks outward, tick labels
    out.append(f'<path d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}" fill="none" stroke="#000000" '
               f'stroke-width="0.8" stroke-linecap="square"/>')
    ticks = [f"M{_f(fr.x(t))} {_f(bottom)}v3.5" for t in fr.xticks]
    ticks += [f"M{_f(left)} {_f(fr.y(t))}h-3.5" for t in fr.yticks]
    if ticks:
        out.append(f'<path d="{"".join(ticks)}" stroke="#000000" stroke-width="0.8"/>')
    for t, label in zip(fr.xticks, fr.xlabels):
        out.append(_text(fr.x(t), bottom + 7 + 0.76 * FONT_SIZE, label, anchor="middle"))
    for t, label in zip(fr.yticks, fr.ylabels):
        out.append(_text(left - 7, fr.y(t) + 0.36 * FONT_SIZE, label, anchor="end"))
    if ax.xlabel:
        out.append(_text(left + fr.width / 2, bottom + 7 + FONT_SIZE + 4 + 0.76 * FONT_SIZE, ax.xlabel,
                         anchor="middle"))
    if ax.ylabel:
        widest = max([text_width(label, FONT_SIZE) for label in fr.ylabels] or [0.0])
        out.append(_text(left - 7 - widest - 4 - 0.24 * FONT_SIZE, top + fr.height / 2, ax.ylabel,
                         anchor="middle", rotate=True))
    if ax.title:
        out.append(_text(left + fr.width / 2, top - 0.02 * fr.height - 6, ax.title, anchor="middle"))
    for note in ax.texts:
        x = fr.x(note.xy[0]) + note.offset[0]
        y = (top + (1 - note.xy[1]) * fr.height if note.y_fraction else fr.y(note.xy[1])) - note.offset[1]
        out.append(_text(x, y, note.text, anchor={"left": "start", "center": "middle", "right": "end"}[note.ha],
                         color=note.color))
    box = legend_box(ax, fr)
    if box is not None:
        out.append('<g class="legend">')
        size, handle = box.size, 2.0 * box.size
        x = box.x + 0.4 * size
        for column in box.rows:
            y = box.y + 0.4 * size + 0.5 * size
            for label, artist in column:
                out.extend(_handle(artist, x, y, size))
                out.append(_text(x + handle + 0.8 * size, y + 0.36 * size, label, size=size))
                y += 1.5 * size
            x += handle + 0.8 * size + max(text_width(label, size) for label, _a in column) + 2.0 * size
        out.append("</g>")
    return out


def _svg_document(plot: Plot, lang: str, key: bool) -> str:
    fig = _figure(plot, lang, key)
    font = FONT_KO if lang == "ko" else FONT
    body: List[str] = []
    # ids unique to what the picture shows (many plots share one HTML page), the same for
    # every plot showing it (the cache hands one drawing to all of them)
    tag = hashlib.sha256(repr(_memo(plot, lang, key)).encode()).hexdigest()[:12]
    for ax in fig.axes:
        body.append('<g class="axes">')
        body.extend(_axes_svg(ax, ax.frame or frame(ax), f"clip-{tag}-{ax.index}"))
        body.append("</g>")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(PT_W)}pt" height="{_f(PT_H)}pt" '
            f'viewBox="0 0 {_f(PT_W)} {_f(PT_H)}" version="1.1">\n'
            f'<g font-family="{_esc(font).replace(chr(34), "&quot;")}" font-size="{_f(FONT_SIZE)}" fill="#000000">\n'
            f'<rect width="100%" height="100%" fill="#ffffff"/>\n')
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + head + "\n".join(body) + "\n</g>\n</svg>\n"


# --- the PDF: matplotlib replays the description ----------------------------------------------

def _rc(lang: str) -> Dict[str, Any]:
    families = ["DejaVu Sans"]
    if lang == "ko" and korean_font():
        families.append(korean_font())
    return {
        "svg.hashsalt": SALT,
        # text is drawn as paths (``_text_as_paths``); Type 42, never a bitmap Type 3 font,
        # should any text escape it
        "pdf.fonttype": 42,
        "pdf.compression": 6,
        "font.family": families,
        "mathtext.fontset": "dejavusans",
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE,
        "axes.titley": 1.02,
        "axes.labelsize": FONT_SIZE,
        "legend.fontsize": LEGEND_SIZE,
        "lines.linewidth": 1.4,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.bbox": None,
    }


def _replay(fig: Figure):
    """The description drawn on a matplotlib Figure, with the SVG's limits, ticks and legend
    place (what ``to_pdf`` writes; call it inside ``matplotlib.rc_context(_rc(lang))``)."""
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.ticker import NullLocator

    out = MplFigure(figsize=(WIDTH, HEIGHT), dpi=72)
    for ax in fig.axes:
        fr = ax.frame or frame(ax)
        m = out.add_axes([fr.x0 / PT_W, 1 - (fr.y0 + fr.height) / PT_H, fr.width / PT_W, fr.height / PT_H])
        if ax.xgrid:
            for t in fr.xticks:
                m.axvline(t, color=ax.xgrid[0], linewidth=ax.xgrid[1], zorder=0.5)
        for artist in ax.order:  # in the order drawn: the legend lists them so
            if isinstance(artist, Span):
                m.axvspan(artist.x0, artist.x1, color=artist.color, alpha=artist.alpha, linewidth=0,
                          label=artist.label)
            elif isinstance(artist, Bar):
                m.bar([artist.x], [artist.height], color=artist.color, width=artist.width, label=artist.label)
            elif isinstance(artist, Rule):
                draw = m.axvline if artist.vertical else m.axhline
                draw(artist.at, color=artist.color, linestyle=artist.linestyle, linewidth=artist.linewidth,
                     label=artist.label)
            else:
                m.plot(artist.xs, artist.ys, color=artist.color, linestyle=artist.linestyle or "None",
                       marker=artist.marker or "None", linewidth=artist.linewidth, markersize=artist.markersize,
                       markeredgewidth=artist.markeredgewidth, alpha=artist.alpha, label=artist.label)
        for note in ax.texts:
            m.annotate(note.text, note.xy, xycoords=("data", "axes fraction") if note.y_fraction else "data",
                       textcoords="offset points", xytext=note.offset, color=note.color, ha=note.ha)
        if fr.log:
            m.set_xscale("log")
            m.xaxis.set_minor_locator(NullLocator())
        m.set_xlim(*fr.xlim)
        m.set_ylim(*fr.ylim)
        m.set_xticks(fr.xticks)
        m.set_xticklabels(fr.xlabels)
        m.set_yticks(fr.yticks)
        m.set_yticklabels(fr.ylabels)
        m.set_title(ax.title)
        m.set_xlabel(ax.xlabel)
        m.set_ylabel(ax.ylabel)
        box = legend_box(ax, fr)
        if box is not None:
            kwargs = dict(frameon=False, fontsize=ax.legend_args["fontsize"], loc=box.loc, ncol=ax.legend_args["ncol"])
            if ax.legend_args["anchor"] is not None:
                kwargs["bbox_to_anchor"] = ax.legend_args["anchor"]
            m.legend(**kwargs)
    return out


#: the data each kind's student face does not show (the key's markers): two students whose
#: plots differ only there get the same student picture, drawn once
KEY_ONLY = {
    "quadratic": ("path",),
    "optimizer": ("path", "compare"),
    "val_curve": ("best", "stop"),
    "activation": ("points",),
    "log_draws": ("lr", "u"),
    "loss_curve": ("points",),
    "batch_norm": ("y",),
}

# Drawn pictures by what they show: the Markdown file and the HTML page of one sheet show
# the same SVG, and faces that do not depend on the student (an activation's curves, a
# loss's curve) are shared by the whole class. Least recently used out first.
_CACHE: "OrderedDict[tuple, Any]" = OrderedDict()
_CACHE_SIZE = 128


def _memo(plot: Plot, words: str, key: bool) -> tuple:
    """What a drawing shows: the kind, the data its face shows, the labels' language. Worked
    out once a plot and face (a sheet asks for each face's drawing from its Markdown file, its
    HTML page and the drawing's ids; the repr of a curve's floats is the cost), kept on the
    plot (a frozen dataclass, whose data is never changed once drawn)."""
    memos = plot.__dict__.setdefault("_memos", {})
    hit = memos.get((words, key))
    if hit is None:
        hidden = () if key else KEY_ONLY.get(plot.kind, ())
        shown = sorted((name, value) for name, value in plot.data.items() if name not in hidden)
        hit = memos[(words, key)] = (plot.kind, repr(shown), words, key)
    return hit


def _cached(memo: tuple, make):
    if memo in _CACHE:
        _CACHE.move_to_end(memo)
        return _CACHE[memo]
    value = make()
    _CACHE[memo] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def _pdf_bytes(plot: Plot, lang: str, key: bool) -> bytes:
    import matplotlib

    with matplotlib.rc_context(_rc(lang)):
        fig = _replay(_figure(plot, text_language(lang), key))
        _text_as_paths(fig)
        out = io.BytesIO()
        fig.savefig(out, format="pdf", metadata={"CreationDate": None, "Creator": "chainrule", "Producer": None})
    return out.getvalue()


def _text_as_paths(fig) -> None:
    """Every text of ``fig`` drawn as paths (a path effect draws text through the renderer's
    text-to-path): a PDF then holds no font at all, never a bitmap Type 3 one, and is faster
    to write than one embedding a font subset."""
    from matplotlib import patheffects
    from matplotlib.text import Text as MplText

    for text in fig.findobj(MplText):
        text.set_path_effects([patheffects.Normal()])


def to_svg(plot: Plot, lang: str = "en", key: bool = False) -> str:
    """The plot as a standalone SVG document (labels as text in a stated font stack)."""
    return _cached(_memo(plot, lang, key) + ("svg",), lambda: _svg_document(plot, lang, key))


def _to_svg(plot: Plot, lang: str, key: bool) -> str:
    """A fresh drawing, past the cache (for tests of determinism)."""
    return _svg_document(plot, lang, key)


def _to_pdf(plot: Plot, lang: str, key: bool) -> bytes:
    """A fresh PDF, past the cache (for tests of determinism)."""
    return _pdf_bytes(plot, lang, key)


def inline_svg(plot: Plot, lang: str = "en", key: bool = False) -> str:
    """The SVG without its XML prologue, for an HTML page."""
    document = to_svg(plot, lang, key)
    svg = document[document.index("<svg"):].strip()
    # as wide as the page allows, never wider (the viewBox keeps the proportions); the
    # sheet's CSS gives class "plot" its print size
    return svg.replace("<svg ", '<svg class="plot" style="max-width: 100%; height: auto" ', 1)


def to_pdf(plot: Plot, lang: str = "en", key: bool = False) -> bytes:
    """The plot as a PDF (text drawn as paths, no fonts; no creation date, fixed creator)."""
    return _cached(_memo(plot, text_language(lang), key) + ("pdf",), lambda: _pdf_bytes(plot, lang, key))


class _Words:
    """Picks the English or the Korean of a label."""

    def __init__(self, lang):
        self.lang = lang

    def __call__(self, en: str, ko: str) -> str:
        return ko if self.lang == "ko" else en


# --- the drawings ---------------------------------------------------------------------------

STUDENT, KEY, GREY = "#1f5fa8", "#c0392b", "#777777"


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(n: int) -> str:
    """``n`` in subscript digits (x₁₂): plain text, no mathtext to parse."""
    return str(n).translate(SUBSCRIPTS)


def num(x: float, digits: int = 6) -> str:
    """A number as printed on a plot: up to ``digits`` significant digits, a true minus sign."""
    return f"{x:.{digits}g}".replace("-", "−")


def times(a: float, factor: str) -> str:
    """``a`` times ``factor`` as a teacher writes it: (x − b)² for a = 1, 0.5(x − b)², −(x − b)²."""
    if a == 1:
        return factor
    if a == -1:
        return "−" + factor
    return num(a) + factor


def shifted(x: str, b: float) -> str:
    """``(x − b)²`` with the number ``b`` written in: (x − 0.5)², (x + 1)², x² for b = 0."""
    if b == 0:
        return f"{x}²"
    return f"({x} − {num(b)})²" if b > 0 else f"({x} + {num(-b)})²"


def _linspace(lo, hi, n=241):
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


# the course notes' three pictures: x_t - b is multiplied by r = 1 - 2 a eta at every step
REGIMES = ((0.5, "converges", "수렴"), (-0.6, "oscillates", "진동하며 수렴"), (-1.25, "diverges", "발산"))


def _quadratic(fig, data, w, key):
    """Gradient descent on f(x) = a (x - b)^2: the student sees the loss, the start and the
    minimum; the key adds the iterates x_1..x_k joined in order and, beside them, the notes'
    three pictures (a converging, an oscillating and a diverging learning rate on this loss)."""
    a, b, x0, path = data["a"], data["b"], data["x0"], data["path"]
    ax = fig.add_subplot(1, 2 if key else 1, 1)
    span = max(abs(x0 - b), 0.5) * 1.5
    lo, hi = b - span, b + span
    if key:
        lo, hi = min(lo, *path) - 0.2, max(hi, *path) + 0.2
    xs = _linspace(lo, hi)
    ax.plot(xs, [a * (x - b) ** 2 for x in xs], color=GREY)
    ax.plot([x0], [a * (x0 - b) ** 2], "o", color=STUDENT)
    ax.label_point("x", 0, (x0, a * (x0 - b) ** 2), color=STUDENT)
    ax.axvline(b, color=GREY, linestyle=":", linewidth=1)
    ax.annotate(w("minimum b", "최소점 b"), (b, 1.0), xycoords=("data", "axes fraction"), textcoords="offset points",
                xytext=(4, -10), color=GREY)
    if key:
        points = [(x, a * (x - b) ** 2) for x in path]
        ax.plot([p[0] for p in points], [p[1] for p in points], "-", color=KEY, linewidth=0.9, alpha=0.7)
        ax.plot([p[0] for p in points[1:]], [p[1] for p in points[1:]], "o", color=KEY, markersize=4)
        for t, (x, y) in enumerate(points[1:], start=1):
            ax.label_point("x", t, (x, y), color=KEY, markersize=4)
        # room under the minimum for the labels of the points that gather there
        top = max(a * (lo - b) ** 2, a * (hi - b) ** 2)
        if min(p[1] for p in points) < 0.08 * top:
            ax.set_ylim(-0.16 * top, 1.05 * top)
        r = num(1 - 2 * a * data['eta'])
        # the particle fits how r is read: "−0.29가" (구), "0.5가" (오), "−0.6이" (육)
        ax.set_title(w(f"η = {num(data['eta'])}: x − b is multiplied by r = {r}",
                       f"η = {num(data['eta'])}: x − b에 매번 r = {r}{korean.agree(korean.final_sound(r), '이 곱해진다')}"))
        right = fig.add_subplot(1, 2, 2)
        steps = list(range(0, 7))
        for (r, en, ko), style in zip(REGIMES, ("o-", "s-", "^-")):
            eta = (1 - r) / (2 * a)
            right.plot(steps, [(x0 - b) * r ** t for t in steps], style, markersize=3, linewidth=1,
                       label=w(f"η = {num(eta, 3)}: {en}", f"η = {num(eta, 3)}: {ko}"))
        right.axhline(0, color=GREY, linewidth=0.6)
        right.set_xlabel(w("step t", "스텝 t"))
        right.set_xinteger()
        right.set_ylabel("xₜ − b")
        right.set_title(w(f"critical learning rate 1/a = {num(1 / a, 4)}", f"임계 학습률 1/a = {num(1 / a, 4)}"))
        right.legend(frameon=False, fontsize=7)
    else:
        loss = f"f(x) = {times(a, shifted('x', b))}"  # the variant's numbers, as the givens state them
        ax.set_title(w(f"{loss}, learning rate η = {num(data['eta'])}", f"{loss}, 학습률 η = {num(data['eta'])}"))
    ax.set_xlabel("x")
    ax.set_ylabel(w("loss f(x)", "손실 f(x)"))


def _optimizer(fig, data, w, key):
    """k optimizer steps on one parameter. Student: the given gradients per step, or the
    quadratic loss with the start. Key: beside the gradients, the parameter per step on a panel
    and scale of its own (a step is often a hundredth of a gradient); on a quadratic loss the
    path on the loss (close up when the steps are short) and every optimizer's path from the
    same start side by side."""
    k, w0 = data["k"], data["w0"]
    compare = key and data.get("compare")
    ax = fig.add_subplot(1, 2 if compare or (key and data["source"] == "gradients") else 1, 1)
    if data["source"] == "gradients":
        # the gradients and the parameter each on its own axis: a step of the parameter is
        # often a hundredth of a gradient, flat on the gradients' scale
        steps = list(range(1, k + 1))
        ax.bar(steps, data["gradients"], color=STUDENT, width=0.5)
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_xticks(range(0, k + 1))
        ax.set_xlabel(w("step t", "스텝 t"))
        ax.set_ylabel(w("gradient gₜ", "기울기 gₜ"))
        ax.set_title(w(data["name_en"], data["name_ko"]))
        if key:
            right = fig.add_subplot(1, 2, 2)
            right.plot(range(0, k + 1), data["path"], "o-", color=KEY, markersize=5)
            right.set_xticks(range(0, k + 1))
            right.set_xlabel(w("step t", "스텝 t"))
            right.set_ylabel(w("parameter wₜ", "매개변수 wₜ"))
            right.set_title(w(f"the parameter from w₀ = {num(w0)}", f"w₀ = {num(w0)}에서 시작한 매개변수"))
    else:
        a, b = data["a"], data["b"]
        span = max(abs(w0 - b), 0.5) * 1.6
        lo, hi = b - span, b + span
        path = data["path"]
        extent = max(path) - min(path)
        # steps too short to see on the whole loss (a small learning rate): the key shows the
        # loss close up where they are
        close = key and 0 < extent < 0.3 * (hi - lo)
        if close:
            lo, hi = min(path) - 0.2 * extent, max(path) + 0.2 * extent
        xs = _linspace(lo, hi)
        ax.plot(xs, [a * (x - b) ** 2 for x in xs], color=GREY)
        if key:
            ax.plot(path, [a * (x - b) ** 2 for x in path], "-", color=KEY, linewidth=0.9)
            ax.plot(path[1:], [a * (x - b) ** 2 for x in path[1:]], "o", color=KEY, markersize=4)
            for t, x in enumerate(path[1:], start=1):
                ax.label_point("w", t, (x, a * (x - b) ** 2), color=KEY, markersize=4)
        ax.plot([w0], [a * (w0 - b) ** 2], "o", color=STUDENT)
        ax.label_point("w", 0, (w0, a * (w0 - b) ** 2), color=STUDENT)
        if close:  # said in the corner the loss leaves free (its low end)
            high_left = a * (lo - b) ** 2 > a * (hi - b) ** 2
            ax.annotate(w("close-up of the steps", "스텝 부분 확대"), (hi if high_left else lo, 1.0),
                        xycoords=("data", "axes fraction"), textcoords="offset points",
                        xytext=(-4 if high_left else 4, -10), color=GREY, ha="right" if high_left else "left")
        ax.set_xlabel("w")
        ax.set_ylabel(w("loss", "손실"))
        loss = f"L(w) = {times(a, shifted('w', b))}"   # the variant's numbers, as the givens state them
        ax.set_title(w(f"{data['name_en']} on {loss}", f"{loss}에서 {data['name_ko']}"))
    if compare:
        right = fig.add_subplot(1, 2, 2)
        for name, path in data["compare"]:
            right.plot(range(len(path)), path, "-", linewidth=1.1, label=name)
        right.axhline(data["b"], color=GREY, linestyle=":", linewidth=1)
        right.set_xlabel(w("step t", "스텝 t"))
        right.set_xinteger()
        right.set_ylabel("wₜ")
        right.set_title(w(f"every optimizer from w₀ with η = {num(data['eta'])}",
                          f"같은 w₀, η = {num(data['eta'])}에서 옵티마이저 비교"))
        right.legend(frameon=False, fontsize=7, ncol=2)


def _val_curve(fig, data, w, key):
    """Validation loss per epoch; the key marks the restored (best) epoch, the patience
    window and the stop."""
    losses = data["losses"]
    epochs = list(range(1, len(losses) + 1))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(epochs, losses, "o-", color=STUDENT, markersize=4, label=w("validation loss", "검증 손실(val_loss)"))
    ax.set_xticks(epochs)
    ax.set_xlabel(w("epoch", "에포크"))
    ax.set_ylabel(w("validation loss", "검증 손실"))
    ax.set_title(w(f"EarlyStopping(patience={data['patience']}, min_delta={num(data['min_delta'])})",
                   f"EarlyStopping(patience={data['patience']}, min_delta={num(data['min_delta'])})"))
    if key:
        best, stop = data["best"], data["stop"]
        ax.axvspan(best + 0.5, stop + 0.5, color=KEY, alpha=0.08, linewidth=0,
                   label=w("epochs without improvement", "개선 없는 에포크"))
        ax.plot([best], [losses[best - 1]], "*", color=KEY, markersize=11,
                label=w(f"best, restored: epoch {best}", f"최적, 복원: 에포크 {best}"))
        ax.axvline(stop, color=KEY, linestyle="--", linewidth=1, label=w(f"stop after epoch {stop}", f"에포크 {stop} 후 멈춤"))
    ax.legend(frameon=False)


def _activation(fig, data, w, key):
    """The activation and its derivative; the sigmoid's derivative with its bound 1/4. The
    key marks the values at the asked inputs."""
    from solutions import activations as act

    name = data["name"]
    f, df = getattr(act, name), getattr(act, f"{name}_derivative")
    xs = _linspace(-4.0, 4.0)
    import numpy as np

    grid = np.array(xs)
    ax = fig.add_subplot(1, 1, 1)
    label = data["label"]
    ax.plot(xs, f(grid), color=STUDENT, label=f"{label}(x)")
    ax.plot(xs, df(grid), color=STUDENT, linestyle="--", label=f"{label}′(x)")
    if name != "sigmoid":
        ax.plot(xs, act.sigmoid_derivative(grid), color=GREY, linestyle="--", linewidth=1, label="σ′(x)")
    ax.axhline(0.25, color=GREY, linestyle=":", linewidth=1)
    ax.annotate("σ′(x) ≤ 1/4", (-4.0, 0.25), textcoords="offset points",
                xytext=(2, 3), color=GREY)
    ax.axhline(0, color=GREY, linewidth=0.6)
    if key:
        for x in data["points"]:
            y, dy = float(f(np.float64(x))), float(df(np.float64(x)))
            ax.plot([x, x], [y, dy], "o", color=KEY, markersize=4)
    ax.set_xlabel("x")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0.0, 0.92))
    ax.set_title(w(f"{data['name_en']} and its derivative", f"{data['name_ko']}와 그 도함수"))


def _log_draws(fig, data, w, key):
    """Where n_iter log-uniform draws fall on a log axis (and the same quantiles drawn
    uniformly, for comparison); the interval [c, d] shaded. The key adds the draw for the
    given u."""
    low, high, c, d = data["low"], data["high"], data["c"], data["d"]
    draws = data["draws"]
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xscale("log")
    ax.set_xlim(low / 1.3, high * 1.3)
    quantiles = [math.log(x / low) / math.log(high / low) for x in draws]
    uniform = [low + q * (high - low) for q in quantiles]
    ax.axvspan(c, d, color=STUDENT, alpha=0.1, linewidth=0)
    ax.annotate("[c, d]", (math.sqrt(c * d), 1.55), ha="center", color=STUDENT)
    ax.plot(draws, [1.0] * len(draws), "|", color=STUDENT, markersize=18, markeredgewidth=1.6)
    ax.plot(uniform, [0.0] * len(uniform), "|", color=GREY, markersize=18, markeredgewidth=1.6)
    for edge in (low, high):
        ax.axvline(edge, color=GREY, linewidth=0.8)
    ax.set_yticks([0.0, 1.0])
    ax.set_yticklabels([w("uniform", "균등 분포"), w("log-uniform", "로그 균등")])
    ax.set_ylim(-0.7, 1.9)
    ax.grid_x(color="#dddddd", linewidth=0.8)
    ax.set_xlabel(w("learning rate (log scale)", "학습률 (로그 눈금)"))
    ax.set_title(w(f"{len(draws)} draws from reciprocal({low:g}, {high:g})",
                   f"reciprocal({low:g}, {high:g})에서 뽑은 {len(draws)}개"))
    if key:
        lr = data["lr"]
        ax.plot([lr], [1.0], "v", color=KEY, markersize=8)
        ax.annotate(f"u = {num(data['u'])}: η = {num(lr, 4)}", (lr, 1.0), textcoords="offset points", xytext=(0, 12),
                    ha="center", color=KEY)


CAPTIONS = {
    # one caption under both faces: the student's (x) and the key's (x and y) titles
    "batch_norm": Text("Batch normalization, feature by feature", "특성별로 본 배치 정규화"),
    "loss_curve": Text("The loss of one sample against the predicted probability",
                       "예측 확률에 따른 샘플 하나의 손실"),
    "quadratic": Text("Gradient descent on the quadratic loss", "이차 손실 함수에서의 경사 하강법"),
    "optimizer": Text("The optimizer's steps", "옵티마이저의 스텝"),
    "val_curve": Text("Validation loss per epoch", "에포크별 검증 손실"),
    "activation": Text("The activation and its derivative; a sigmoid's derivative is at most 1/4",
                       "활성화 함수와 그 도함수; 시그모이드 함수의 미분은 최대 1/4"),
    "log_draws": Text("Where the random search's learning rates fall, on a log scale",
                      "랜덤 탐색이 뽑은 학습률의 위치(로그 눈금)"),
}


def plot(kind: str, data: Dict[str, Any]) -> Plot:
    """A Plot of ``kind`` with its usual caption."""
    if kind not in DRAW:
        raise ValueError(f"unknown plot kind {kind!r}; valid: {', '.join(sorted(DRAW))}")
    return Plot(kind, data, CAPTIONS[kind])


def _loss_curve(fig, data, w, key):
    """A cross-entropy's loss of one sample against the predicted probability: -ln p for the
    true class (and -ln(1 - p) for label 0 of a binary one). The key marks the batch's samples
    at their losses."""
    import numpy as np

    ax = fig.add_subplot(1, 1, 1)
    grid = np.array(_linspace(0.01, 0.99))
    if data["binary"]:
        ax.plot(grid, -np.log(grid), color=STUDENT, label=w("label 1: −ln p", "레이블 1: −ln p"))
        ax.plot(grid, -np.log(1 - grid), color=STUDENT, linestyle="--", label=w("label 0: −ln(1 − p)", "레이블 0: −ln(1 − p)"))
        ax.set_xlabel(w("predicted probability p of class 1", "클래스 1의 예측 확률 p"))
    else:
        ax.plot(grid, -np.log(grid), color=STUDENT, label="−ln p")
        ax.set_xlabel(w("predicted probability p of the true class", "정답 클래스의 예측 확률 p"))
    ax.set_ylabel(w("loss of the sample", "샘플의 손실"))
    ax.set_ylim(0, 4.8)
    ax.set_title(w("A confident wrong prediction costs the most", "틀린 예측을 확신할수록 손실이 커진다"))
    if key:
        for i, (p, _label, loss) in enumerate(data["points"], start=1):
            ax.plot([p], [loss], "o", color=KEY, markersize=5)
            ax.label_point(w("sample", "샘플"), i, (p, loss), color=KEY, markersize=5, plural=w("samples", "샘플"))
    ax.legend(frameon=False, loc="upper center")


def _batch_norm(fig, data, w, key):
    """The batch, feature by feature, on one axis; the key adds the outputs after
    normalization (joined to their inputs) and each feature's mean (a grey bar), with a legend
    in a strip of its own above the rows."""
    x, y = data["x"], data["y"]
    d = len(x[0])
    ax = fig.add_subplot(1, 1, 1)
    rows = []
    for j in range(d):
        column = [row[j] for row in x]
        top = 2 * (d - 1 - j) + 1
        first = j == 0  # the legend names each kind of mark once
        ax.plot(column, [top] * len(column), "o", color=STUDENT, markersize=6,
                label=w("x: the batch (input)", "x: 배치(입력)") if key and first else None)
        rows.append((top, w(f"feature {j + 1}: x", f"특성 {j + 1}: x")))
        if key:
            out = [row[j] for row in y]
            mean = sum(column) / len(column)
            ax.plot(out, [top - 1] * len(out), "o", color=KEY, markersize=6,
                    label=w("y: the output", "y: 출력") if first else None)
            for a, b in zip(column, out):
                ax.plot([a, b], [top, top - 1], color=KEY, linewidth=0.6, alpha=0.6)
            ax.plot([mean], [top], "|", color=GREY, markersize=16, markeredgewidth=1.5,
                    label=w("batch mean μ of the feature", "특성의 배치 평균 μ") if first else None)
            rows.append((top - 1, w(f"feature {j + 1}: y", f"특성 {j + 1}: y")))
    ax.set_yticks([r[0] for r in rows])
    ax.set_yticklabels([r[1] for r in rows])
    # the key's legend in a strip of its own above the rows
    bottom, top = (-0.6 if key else 0.4), 2 * d - 0.4
    ax.set_ylim(bottom, top + (0.16 * (top - bottom) if key else 0))  # about 25 points
    if key:
        ax.legend(frameon=False, loc="upper center", ncol=3)
    ax.plot([0, 0], [bottom, top], color=GREY, linewidth=0.6)  # zero, up to the legend's strip
    ax.set_xlabel(w("value", "값"))
    if key:
        ax.set_title(w("The batch before (x) and after (y) batch normalization",
                       "배치 정규화 전(x)과 후(y)의 배치"))
    else:  # the outputs y are the questions: the student's figure shows the inputs only
        ax.set_title(w("The batch x, feature by feature, before batch normalization",
                       "배치 정규화 전의 배치 x (특성별)"))


DRAW = {"batch_norm": _batch_norm, "loss_curve": _loss_curve, "quadratic": _quadratic, "optimizer": _optimizer, "val_curve": _val_curve, "activation": _activation,
        "log_draws": _log_draws}
