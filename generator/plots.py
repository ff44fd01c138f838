"""Plots of the families whose course notes teach with a picture, drawn with matplotlib.

A family puts a ``Plot`` in ``Problem.figure`` (network drawings stay dicts, drawn by
``generator.figures``). A Plot is plain data: building one costs nothing and imports no
plotting library, so ``chainrule check`` (which rebuilds problems) and ``grade`` never load
matplotlib; only drawing it (``svg``/``pdf``, on the ``generate`` path) does.

Each plot has two faces: the student's (``key=False``) never marks what the problem asks
for, the key's (``key=True``) may (iterates, the stopping epoch, values at the asked
points). Text is in the sheet's language; Korean needs a Hangul font (``korean_font``), and
without one the axis labels fall back to English.

Bytes are deterministic: matplotlib's SVG backend with a fixed ``svg.hashsalt`` and no date,
text drawn as paths in both backends (so the picture does not depend on a viewer's fonts and
a PDF embeds no font), and the PDF backend with no creation date and a fixed creator.
"""

from __future__ import annotations

import functools
import io
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from generator.model import Text

SALT = "chainrule"
WIDTH, HEIGHT = 6.4, 3.4  # inches


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
        svg, pdf = _render(self, lang, key, svg="md" in formats, pdf="tex" in formats)
        out = {}
        if svg is not None:
            out[svg_file(name)] = svg.encode("utf-8")
        if pdf is not None:
            out[pdf_file(name)] = pdf
        return out


def svg_file(name: str) -> str:
    """Where a Markdown sheet finds the plot of problem ``name`` (as for network drawings)."""
    return f"figures/{name}.svg"


def pdf_file(name: str) -> str:
    """Where a LaTeX sheet finds the plot of problem ``name``."""
    return f"figures/{name}.pdf"


# --- fonts and the rendering context -------------------------------------------------------

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


NO_KOREAN_FONT = ("no font with Hangul is installed, so the plots of the Korean sheets are labelled in English "
                  "(install one, e.g. apt-get install fonts-nanum, and generate again).")


def text_language(lang: str) -> str:
    """The language the plot's labels are written in: Korean only with a Hangul font."""
    return "ko" if lang == "ko" and korean_font() else "en"


def _rc(lang: str) -> Dict[str, Any]:
    families = ["DejaVu Sans"]
    if lang == "ko" and korean_font():
        families.append(korean_font())
    return {
        "svg.hashsalt": SALT,
        "svg.fonttype": "path",
        # the PDF's text is drawn as paths too (``_text_as_paths``); Type 42, never a
        # bitmap Type 3 font, should any text escape it
        "pdf.fonttype": 42,
        "pdf.compression": 6,
        "font.family": families,
        "mathtext.fontset": "dejavusans",
        "font.size": 9,
        "axes.titlesize": 9,
        "axes.titley": 1.02,  # a fixed place: no search around the tick labels (faster)
        "axes.labelsize": 9,
        "legend.fontsize": 8,
        "lines.linewidth": 1.4,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.bbox": None,
    }


def _figure(plot: Plot, lang: str, key: bool):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=72)
    DRAW[plot.kind](fig, plot.data, _Words(text_language(lang)), key)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9, wspace=0.3)
    return fig


def figure(plot: Plot, lang: str = "en", key: bool = False):
    """The plot's matplotlib Figure, to look at (``to_svg``/``to_pdf`` write it)."""
    import matplotlib

    with matplotlib.rc_context(_rc(lang)):
        return _figure(plot, lang, key)


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


def _memo(plot: Plot, lang: str, key: bool) -> tuple:
    hidden = () if key else KEY_ONLY.get(plot.kind, ())
    shown = sorted((name, value) for name, value in plot.data.items() if name not in hidden)
    return (plot.kind, repr(shown), text_language(lang), key)


def _cached(memo: tuple):
    if memo in _CACHE:
        _CACHE.move_to_end(memo)
        return _CACHE[memo]
    return None


def _keep(memo: tuple, value) -> None:
    _CACHE[memo] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


def _render(plot: Plot, lang: str, key: bool, svg: bool = True, pdf: bool = False):
    """(SVG text or None, PDF bytes or None), drawing the figure once for both and only for
    the formats asked; a picture drawn before is reused."""
    import matplotlib

    memo = _memo(plot, lang, key)
    svg_text = _cached(memo + ("svg",)) if svg else None
    pdf_bytes = _cached(memo + ("pdf",)) if pdf else None
    svg, pdf = svg and svg_text is None, pdf and pdf_bytes is None
    if not (svg or pdf):
        return svg_text, pdf_bytes
    with matplotlib.rc_context(_rc(lang)):
        fig = _figure(plot, lang, key)
        if svg:
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
            svg_text = out.getvalue()
            _keep(memo + ("svg",), svg_text)
        if pdf:
            _text_as_paths(fig)
            out = io.BytesIO()
            fig.savefig(out, format="pdf", metadata={"CreationDate": None, "Creator": "chainrule", "Producer": None})
            pdf_bytes = out.getvalue()
            _keep(memo + ("pdf",), pdf_bytes)
    return svg_text, pdf_bytes


def _text_as_paths(fig) -> None:
    """Every text of ``fig`` drawn as paths by any backend (a path effect draws text through
    the renderer's text-to-path): a PDF then holds no font at all, never a bitmap Type 3
    one, and is faster to write than one embedding a font subset. (The SVG backend draws
    text as paths by itself, each glyph defined once and reused, which is smaller.)"""
    from matplotlib import patheffects
    from matplotlib.text import Text as MplText

    for text in fig.findobj(MplText):
        text.set_path_effects([patheffects.Normal()])


def to_svg(plot: Plot, lang: str = "en", key: bool = False) -> str:
    """The plot as a standalone SVG document (text drawn as paths, no date)."""
    return _render(plot, lang, key)[0]


def _to_svg(plot: Plot, lang: str, key: bool) -> str:
    """A fresh drawing, past the cache (for tests of determinism)."""
    _CACHE.pop(_memo(plot, lang, key) + ("svg",), None)
    return _render(plot, lang, key)[0]


def _to_pdf(plot: Plot, lang: str, key: bool) -> bytes:
    """A fresh PDF, past the cache (for tests of determinism)."""
    _CACHE.pop(_memo(plot, lang, key) + ("pdf",), None)
    return _render(plot, lang, key, svg=False, pdf=True)[1]


def inline_svg(plot: Plot, lang: str = "en", key: bool = False) -> str:
    """The SVG without its XML prologue and doctype, for an HTML page."""
    document = to_svg(plot, lang, key)
    svg = document[document.index("<svg"):].strip()
    # as wide as the page allows, never wider (the viewBox keeps the proportions); the
    # sheet's CSS gives class "plot" its print size
    return svg.replace("<svg ", '<svg class="plot" style="max-width: 100%; height: auto" ', 1)


def to_pdf(plot: Plot, lang: str = "en", key: bool = False) -> bytes:
    """The plot as a PDF (text drawn as paths, no fonts; no creation date, fixed creator)."""
    return _render(plot, lang, key, svg=False, pdf=True)[1]


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


def _few_ticks(ax, x=True, y=True):
    """At most 5 labelled ticks an axis: easier to read, and ticks are most of a plot's
    drawing time."""
    from matplotlib.ticker import MaxNLocator

    if x:
        ax.xaxis.set_major_locator(MaxNLocator(5))
    if y:
        ax.yaxis.set_major_locator(MaxNLocator(5))


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
    ax.annotate("x₀", (x0, a * (x0 - b) ** 2), textcoords="offset points", xytext=(6, 4), color=STUDENT)
    ax.axvline(b, color=GREY, linestyle=":", linewidth=1)
    ax.annotate(w("minimum b", "최소점 b"), (b, 1.0), xycoords=("data", "axes fraction"), textcoords="offset points",
                xytext=(4, -10), color=GREY)
    if key:
        points = [(x, a * (x - b) ** 2) for x in path]
        ax.plot([p[0] for p in points], [p[1] for p in points], "-", color=KEY, linewidth=0.9, alpha=0.7)
        ax.plot([p[0] for p in points[1:]], [p[1] for p in points[1:]], "o", color=KEY, markersize=4)
        for t, (x, y) in enumerate(points[1:], start=1):
            ax.annotate(f"x{sub(t)}", (x, y), textcoords="offset points", xytext=(5, -11), color=KEY)
        ax.set_title(w(f"η = {num(data['eta'])}: x − b is multiplied by r = {num(1 - 2 * a * data['eta'])}",
                       f"η = {num(data['eta'])}: x − b에 매번 r = {num(1 - 2 * a * data['eta'])}이 곱해진다"))
        right = fig.add_subplot(1, 2, 2)
        steps = list(range(0, 7))
        for (r, en, ko), style in zip(REGIMES, ("o-", "s-", "^-")):
            eta = (1 - r) / (2 * a)
            right.plot(steps, [(x0 - b) * r ** t for t in steps], style, markersize=3, linewidth=1,
                       label=w(f"η = {num(eta, 3)}: {en}", f"η = {num(eta, 3)}: {ko}"))
        right.axhline(0, color=GREY, linewidth=0.6)
        right.set_xlabel(w("step t", "스텝 t"))
        right.set_ylabel("xₜ − b")
        right.set_title(w(f"critical learning rate 1/a = {num(1 / a, 4)}", f"임계 학습률 1/a = {num(1 / a, 4)}"))
        right.legend(frameon=False, fontsize=7)
        _few_ticks(right)
    else:
        ax.set_title(w(f"f(x) = {num(a)}(x − b)², learning rate η = {num(data['eta'])}",
                       f"f(x) = {num(a)}(x − b)², 학습률 η = {num(data['eta'])}"))
    ax.set_xlabel("x")
    ax.set_ylabel(w("loss f(x)", "손실 f(x)"))
    _few_ticks(ax)


def _optimizer(fig, data, w, key):
    """k optimizer steps on one parameter. Student: the given gradients per step, or the
    quadratic loss with the start. Key: the parameter's path per step, and for a quadratic loss
    every optimizer's path from the same start side by side."""
    k, w0 = data["k"], data["w0"]
    compare = key and data.get("compare")
    ax = fig.add_subplot(1, 2 if compare else 1, 1)
    if data["source"] == "gradients":
        steps = list(range(1, k + 1))
        ax.bar(steps, data["gradients"], color=STUDENT, width=0.5, label=w("gradient gₜ", "기울기 gₜ"))
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_xticks(range(0, k + 1))
        ax.set_xlabel(w("step t", "스텝 t"))
        if key:
            ax.plot(range(0, k + 1), data["path"], "o-", color=KEY, label=w("parameter wₜ", "매개변수 wₜ"))
        else:
            ax.plot([0], [w0], "o", color=KEY, label="w₀")
        ax.legend(frameon=False)
        ax.set_title(w(data["name_en"], data["name_ko"]))
        _few_ticks(ax, x=False)
    else:
        a, b = data["a"], data["b"]
        span = max(abs(w0 - b), 0.5) * 1.6
        xs = _linspace(b - span, b + span)
        ax.plot(xs, [a * (x - b) ** 2 for x in xs], color=GREY)
        ax.plot([w0], [a * (w0 - b) ** 2], "o", color=STUDENT)
        ax.annotate("w₀", (w0, a * (w0 - b) ** 2), textcoords="offset points", xytext=(6, 4), color=STUDENT)
        if key:
            path = data["path"]
            ax.plot(path, [a * (x - b) ** 2 for x in path], "o-", color=KEY, markersize=4, linewidth=0.9)
            for t, x in enumerate(path[1:], start=1):
                ax.annotate(f"w{sub(t)}", (x, a * (x - b) ** 2), textcoords="offset points", xytext=(4, -11),
                            color=KEY)
        ax.set_xlabel("w")
        ax.set_ylabel(w("loss", "손실"))
        _few_ticks(ax)
        ax.set_title(w(f"{data['name_en']} on L(w) = {num(a)}(w − b)²", f"L(w) = {num(a)}(w − b)²에서 {data['name_ko']}"))
    if compare:
        right = fig.add_subplot(1, 2, 2)
        for name, path in data["compare"]:
            right.plot(range(len(path)), path, "-", linewidth=1.1, label=name)
        right.axhline(data["b"], color=GREY, linestyle=":", linewidth=1)
        right.set_xlabel(w("step t", "스텝 t"))
        right.set_ylabel("wₜ")
        right.set_title(w(f"every optimizer from w₀ with η = {num(data['eta'])}",
                          f"같은 w₀, η = {num(data['eta'])}에서 옵티마이저 비교"))
        right.legend(frameon=False, fontsize=7, ncol=2)
        _few_ticks(right)


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
    _few_ticks(ax, x=False)
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
    _few_ticks(ax)
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
    from matplotlib.ticker import FuncFormatter, NullLocator

    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: num(value)))
    ax.xaxis.set_minor_locator(NullLocator())
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
    ax.grid(True, axis="x", which="major", color="#dddddd", linewidth=0.8)
    ax.set_xlabel(w("learning rate (log scale)", "학습률 (로그 눈금)"))
    ax.set_title(w(f"{len(draws)} draws from reciprocal({low:g}, {high:g})",
                   f"reciprocal({low:g}, {high:g})에서 뽑은 {len(draws)}개"))
    if key:
        lr = data["lr"]
        ax.plot([lr], [1.0], "v", color=KEY, markersize=8)
        ax.annotate(f"u = {num(data['u'])}: η = {num(lr, 4)}", (lr, 1.0), textcoords="offset points", xytext=(0, 12),
                    ha="center", color=KEY)


CAPTIONS = {
    "batch_norm": Text("The batch, feature by feature", "특성별로 본 배치"),
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
    _few_ticks(ax)
    ax.set_title(w("A confident wrong prediction costs the most", "틀린 예측을 확신할수록 손실이 커진다"))
    if key:
        for i, (p, _label, loss) in enumerate(data["points"], start=1):
            ax.plot([p], [loss], "o", color=KEY, markersize=5)
            ax.annotate(w(f"sample {i}", f"샘플 {i}"), (p, loss), textcoords="offset points", xytext=(5, 4), color=KEY)
    ax.legend(frameon=False, loc="upper center")


def _batch_norm(fig, data, w, key):
    """The batch, feature by feature, on one axis; the key adds the outputs after
    normalization (joined to their inputs) and each feature's mean."""
    x, y = data["x"], data["y"]
    d = len(x[0])
    ax = fig.add_subplot(1, 1, 1)
    rows = []
    for j in range(d):
        column = [row[j] for row in x]
        top = 2 * (d - 1 - j) + 1
        ax.plot(column, [top] * len(column), "o", color=STUDENT, markersize=6)
        rows.append((top, w(f"feature {j + 1}: x", f"특성 {j + 1}: x")))
        if key:
            out = [row[j] for row in y]
            mean = sum(column) / len(column)
            ax.plot(out, [top - 1] * len(out), "o", color=KEY, markersize=6)
            for a, b in zip(column, out):
                ax.plot([a, b], [top, top - 1], color=KEY, linewidth=0.6, alpha=0.6)
            ax.plot([mean], [top], "|", color=GREY, markersize=16, markeredgewidth=1.5)
            rows.append((top - 1, w(f"feature {j + 1}: y", f"특성 {j + 1}: y")))
    ax.set_yticks([r[0] for r in rows])
    ax.set_yticklabels([r[1] for r in rows])
    ax.set_ylim(-0.6 if key else 0.4, 2 * d - 0.4)
    ax.axvline(0, color=GREY, linewidth=0.6)
    ax.set_xlabel(w("value", "값"))
    _few_ticks(ax, y=False)
    ax.set_title(w("The batch before (x) and after (y) batch normalization",
                   "배치 정규화 전(x)과 후(y)의 배치"))


DRAW = {"batch_norm": _batch_norm, "loss_curve": _loss_curve, "quadratic": _quadratic, "optimizer": _optimizer, "val_curve": _val_curve, "activation": _activation,
        "log_draws": _log_draws}
