"""Plots (generator/plots.py): every plot family's figure in every format and language,
byte-identical from run to run (also in a fresh interpreter with another hash seed), the
student's figure without the answers the key's shows, the SVG's markers at the student's
numbers, and no matplotlib in check, grade or an md/html class.

Oracles: the problems' own exact answers and givens (compared with every marker and text the
figure draws, and with the markers of the SVG read back through its own tick labels), XML and
PDF structure, and a second interpreter for the bytes.
"""

import hashlib
from html import unescape
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from chainrule.cli import cli
from generator import plots, worksheets
from generator.core import make_problem
from generator.render import render_sheets

PLOTTED = ["learning_rate", "optimizer_steps", "early_stopping", "activations", "hyperparameter_search", "batch_norm"]
# loss_values plots its cross-entropies (not the mean squared error): a student whose variant has one
LOSS_STUDENT = next(s for s in (f"s{i}" for i in range(50))
                    if make_problem("loss_values", 11, s).figure is not None)
HANGUL = re.compile("[\uac00-\ud7a3]")
SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args])


def _problem(family, student="alice", seed=11):
    return make_problem(family, seed, student)


CASES = [(family, "alice") for family in PLOTTED] + [("loss_values", LOSS_STUDENT)]


# --- every format and language ---------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("family, who", CASES)
def test_plots_every_family_shows_its_figure_in_every_format_and_language(family, who, lang):
    problem = _problem(family, who)
    assert isinstance(problem.figure, plots.Plot)
    student = {"id": "alice"}
    html = render_sheets([problem], ["p1"], "html", lang, student, 11)
    for kind, is_key in (("worksheet", False), ("key", True)):
        assert html[kind].count("<svg") == 1
        assert plots.inline_svg(problem.figure, lang, is_key) in html[kind]
        assert f"<figcaption>{problem.figure.caption.get(lang)}</figcaption>" in unescape(html[kind])
    assert plots.inline_svg(problem.figure, lang, True) not in html["worksheet"]
    md = render_sheets([problem], ["p1"], "md", lang, student, 11)
    for text in md.values():
        assert f"![{problem.figure.caption.get(lang)}](figures/p1.svg)" in text
    tex = render_sheets([problem], ["p1"], "tex", lang, student, 11)
    for text in tex.values():
        assert r"\includegraphics[width=0.9\linewidth]{figures/p1.pdf}" in text
    for is_key in (False, True):
        files = problem.figure.files(["md", "html", "tex"], lang, "p1", is_key)
        assert sorted(files) == ["figures/p1.pdf", "figures/p1.svg"]
        root = ET.fromstring(files["figures/p1.svg"])
        assert root.tag == SVG + "svg"
        # labels are text in a stated font stack, every text of the description among them
        assert root.find(f"{SVG}g").get("font-family").startswith("'DejaVu Sans'")
        shown = {t.text for t in root.iter(f"{SVG}text")}
        described = {t for ax in plots.figure(problem.figure, lang, is_key).axes for t in ax.all_texts()}
        assert described and described <= shown
        pdf = files["figures/p1.pdf"]
        assert pdf == plots._to_pdf(problem.figure, lang, is_key)  # drawn with the SVG or alone: same bytes
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert b"/CreationDate" not in pdf and b"Matplotlib" not in pdf
        assert b"<dc:date>" not in files["figures/p1.svg"] and b"Matplotlib" not in files["figures/p1.svg"]


def test_plots_generate_writes_the_figures_beside_every_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    out = tmp_path / "out"
    result = run("generate", "--out", out, "--count", "1", "--lang", "ko",
                 "--families", ",".join(PLOTTED + ["forward_pass"]))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = set(manifest["students"][0]["files"])
    for i, family in enumerate(PLOTTED, start=1):
        for ext in ("svg", "pdf"):
            student = f"students/student-001/figures/p{i}_{family}.{ext}"
            key = f"keys/student-001/figures/p{i}_{family}.{ext}"
            assert {student, key} <= files
            assert (out / student).read_bytes() != (out / key).read_bytes()
    # the network drawing keeps its one SVG, the same for both
    drawing = f"figures/p{len(PLOTTED) + 1}_forward_pass.svg"
    assert (out / "students/student-001" / drawing).read_bytes() == (out / "keys/student-001" / drawing).read_bytes()
    assert not (out / "students/student-001" / drawing.replace(".svg", ".pdf")).exists()
    sheet = (out / "students/student-001/worksheet.tex").read_text(encoding="utf-8")
    assert r"\includegraphics[width=0.9\linewidth]{figures/p1_learning_rate.pdf}" in sheet


def test_plots_the_tex_engine_finds_the_figures(tmp_path):
    # a stand-in engine that fails unless the figure is where the sheet includes it
    engine = tmp_path / "fake-pdflatex"
    engine.write_text("#!/bin/sh\ntest -s figures/p1.pdf || exit 1\nprintf '%%PDF-1.5 fake' > sheet.pdf\n")
    engine.chmod(0o755)
    worksheets.compile_pdf(str(engine), "source", tmp_path / "sheet.pdf", {"figures/p1.pdf": b"%PDF-1.4 x"})
    assert (tmp_path / "sheet.pdf").read_bytes() == b"%PDF-1.5 fake"
    with pytest.raises(worksheets.PdfError):
        worksheets.compile_pdf(str(engine), "source", tmp_path / "other.pdf")


@pytest.mark.skipif(not shutil.which("pdflatex"),
                    reason="no pdflatex")
def test_plots_pdflatex_includes_the_plot(tmp_path):
    problem = _problem("hyperparameter_search")
    source = ("\\documentclass{article}\\usepackage{tikz}\\begin{document}\n"
              + problem.figure.embed("tex", "en", "p1", False) + "\n\\end{document}\n")
    worksheets.compile_pdf("pdflatex", source, tmp_path / "sheet.pdf", problem.figure.files(["tex"], "en", "p1", False))
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")


# --- the same bytes every time ------------------------------------------------------------------

DIGEST = """
import hashlib, json, sys
from generator import plots
from generator.core import make_problem
out = {}
for family, who in %r:
    figure = make_problem(family, 11, who).figure
    for lang in ("en", "ko"):
        for key in (False, True):
            out[f"{family} {lang} {key}"] = [hashlib.sha256(plots._to_svg(figure, lang, key).encode()).hexdigest(),
                                            hashlib.sha256(plots._to_pdf(figure, lang, key)).hexdigest()]
print(json.dumps(out))
""" % (CASES,)


def test_plots_same_bytes_in_every_run():
    here = {}
    for family, who in CASES:
        figure = _problem(family, who).figure
        for lang in ("en", "ko"):
            for key in (False, True):
                first = [plots._to_svg(figure, lang, key), plots._to_pdf(figure, lang, key)]
                second = [plots._to_svg(figure, lang, key), plots._to_pdf(figure, lang, key)]
                assert first == second, (family, lang, key)
                here[f"{family} {lang} {key}"] = [hashlib.sha256(first[0].encode()).hexdigest(),
                                                 hashlib.sha256(first[1]).hexdigest()]
    for hash_seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        proc = subprocess.run([sys.executable, "-c", DIGEST], capture_output=True, text=True, check=True,
                              cwd=ROOT, env=env)
        assert json.loads(proc.stdout) == here


# --- the student's figure does not show the answers ---------------------------------------------

def _marks(fig):
    """Every point drawn with a marker, and every note, title and legend label, of a figure's
    description (axis and tick labels name the axes: "feature 2: x")."""
    points, texts = [], []
    for ax in fig.axes:
        points.extend(ax.marked_points())
        texts.extend([note.text for note in ax.texts] + [ax.title] + [label for label, _a in ax.legend_entries()])
    return points, texts


def _svg_texts(svg):
    """The SVG's texts but its tick labels (a number or a name at a tick is a scale, not an answer)."""
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("text-anchor") != "end"
            and not NUMBER.fullmatch(t.text)]


# The answers each family's key figure draws (the iterates, the values at the asked inputs, the
# learning rate of the given u); the student's must show none of them.
DRAWN = {
    "learning_rate": re.compile(r"x_\d+$"),
    "optimizer_steps": re.compile(r"w_\d+$"),
    "activations": re.compile(r"d?f_\d$"),
    "hyperparameter_search": re.compile(r"lr$"),
    "loss_values": re.compile(r"l_1$"),
    "batch_norm": re.compile(r"(mu|y)_\d"),
}


def _drawn_answers(family, problem):
    """Those answers, less any that equals a given (the sheet states it anyway: SGD's w_2 = w_0
    when the two gradients cancel)."""
    givens = [float(sp.sympify(g.value)) for g in problem.givens]
    values = [float(sp.sympify(q.answer)) for q in problem.questions if DRAWN[family].match(q.key)]
    return [v for v in values if not any(abs(v - g) <= 1e-12 * max(1.0, abs(g)) for g in givens)]


NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?")


def _shows(points, texts, value):
    """Whether a marker sits at ``value`` or a text prints it (to 4 significant digits)."""
    if any(abs(c - value) <= 1e-9 * max(1.0, abs(value)) for p in points for c in p):
        return True
    printed = [float(n.replace("−", "-")) for t in texts for n in NUMBER.findall(t)]
    return any(abs(n - value) <= 5e-4 * abs(value) for n in printed)


@pytest.mark.parametrize("family", ["learning_rate", "optimizer_steps", "activations", "hyperparameter_search",
                                    "loss_values", "batch_norm"])
def test_plots_student_figure_carries_no_answer_and_the_key_figure_does(family):
    plotted = 0
    for student in (f"s{i}" for i in range(16)):
        problem = _problem(family, student)
        if problem.figure is None:  # the mean squared error has no plot
            assert family == "loss_values"
            continue
        plotted += 1
        asked = _drawn_answers(family, problem)
        assert asked
        points, texts = _marks(plots.figure(problem.figure, "en", key=False))
        shown = [v for v in asked if _shows(points, texts, v)]
        assert not shown, (family, student, shown)
        points, texts = _marks(plots.figure(problem.figure, "en", key=True))
        assert all(_shows(points, texts, v) for v in asked), (family, student)
        # and the SVG itself prints none of them on the student's face
        student_svg, key_svg = (plots.to_svg(problem.figure, "en", k) for k in (False, True))
        assert not [v for v in asked if _shows([], _svg_texts(student_svg), v)], (family, student)
        assert student_svg != key_svg
    assert plotted >= 8


def test_plots_early_stopping_student_figure_marks_no_epoch():
    for student in (f"s{i}" for i in range(12)):
        problem = _problem("early_stopping", student)
        answers = {q.key: q.answer for q in problem.questions}
        student_fig = plots.figure(problem.figure, "en", key=False)
        (ax,) = student_fig.axes
        assert len(ax.lines) == 1 and not ax.rules and not ax.spans  # the losses only: no line, span or star
        _points, texts = _marks(student_fig)
        assert not any("stop" in t or "restored" in t for t in texts)
        key_fig = plots.figure(problem.figure, "en", key=True)
        points, texts = _marks(key_fig)
        best, stop = answers["restored_epoch"], answers["stop_epoch"]
        assert (float(best), float(answers["best_loss"])) in points
        assert f"best, restored: epoch {best}" in texts and f"stop after epoch {stop}" in texts


def _svg_markers(svg, panel=0):
    """The circles of an SVG's panel in data coordinates, read back through the panel's own
    labelled ticks (two tick labels an axis give the scale): what a reader of the picture sees."""
    root = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "axes"][panel]
    texts = list(root.iter(f"{SVG}text"))

    def scale(ticks):
        (p1, v1), (p2, v2) = ticks[0], ticks[-1]
        return lambda p: v1 + (p - p1) * (v2 - v1) / (p2 - p1)

    def number(t):
        try:
            return float(t.text.replace("−", "-"))
        except ValueError:
            return None

    # x tick labels are centred under the axis, y tick labels end left of it
    xs = [(float(t.get("x")), number(t)) for t in texts if t.get("text-anchor") == "middle" and number(t) is not None]
    ys = [(float(t.get("y")) - 0.36 * plots.FONT_SIZE, number(t)) for t in texts
          if t.get("text-anchor") == "end" and number(t) is not None]
    fx, fy = scale(xs), scale(ys)
    legend = {id(c) for g in root.iter(f"{SVG}g") if g.get("class") == "legend" for c in g.iter(f"{SVG}circle")}
    return [(fx(float(c.get("cx"))), fy(float(c.get("cy")))) for c in root.iter(f"{SVG}circle") if id(c) not in legend]


def test_plots_svg_markers_are_the_students_numbers():
    """The early-stopping curve's markers sit at the epochs and the validation losses the sheet
    gives, and the learning-rate key's iterates at x_t and f(x_t) of its answers."""
    for student in ("alice", "s1", "s2"):
        problem = _problem("early_stopping", student)
        given = {int(g.name[2:]): float(sp.sympify(g.value)) for g in problem.givens if re.match(r"L_\d+$", g.name)}
        losses = [given[epoch] for epoch in sorted(given)]
        markers = _svg_markers(plots.to_svg(problem.figure, "en", False))
        assert len(markers) == len(losses) >= 3
        step = max(losses) - min(losses)
        for (x, y), (epoch, loss) in zip(markers, enumerate(losses, start=1)):
            assert abs(x - epoch) < 0.01 and abs(y - loss) < 0.002 * step, (student, epoch, x, y, loss)
    problem = _problem("learning_rate", "alice")
    given = {g.name: float(sp.sympify(g.value)) for g in problem.givens}
    a, b = given["a"], given["b"]
    iterates = [float(sp.sympify(q.answer)) for q in problem.questions if re.match(r"x_\d+$", q.key)]
    assert len(iterates) >= 2
    markers = _svg_markers(plots.to_svg(problem.figure, "en", True))
    for x in iterates:
        assert any(abs(mx - x) < 0.01 and abs(my - a * (x - b) ** 2) < 0.05 for mx, my in markers), (x, markers)


# --- languages and fonts -------------------------------------------------------------------------

def test_plots_korean_svg_labels_on_any_machine_pdf_labels_only_with_a_korean_font(monkeypatch):
    problem = _problem("early_stopping")
    if plots.korean_font():
        _points, texts = _marks(plots.figure(problem.figure, "ko", key=True, fmt="pdf"))
        assert any(HANGUL.search(t) for t in texts)
    monkeypatch.setattr(plots, "korean_font", lambda: None)
    plots._CACHE.clear()
    assert plots.text_language("ko") == "en"
    # the SVG (md, html) is the same with or without a Hangul font here: the browser picks one
    svg_texts = _svg_texts(plots.to_svg(problem.figure, "ko", True))
    assert any(HANGUL.search(t) for t in svg_texts), svg_texts
    assert "NanumGothic" in plots.to_svg(problem.figure, "ko", True)
    _points, texts = _marks(plots.figure(problem.figure, "ko", key=True, fmt="pdf"))
    assert not any(HANGUL.search(t) for t in texts)
    assert any("stop after epoch" in t for t in texts)
    plots._CACHE.clear()


def test_plots_korean_svg_does_not_depend_on_the_installed_fonts(monkeypatch):
    problem = _problem("learning_rate")
    plots._CACHE.clear()
    monkeypatch.setattr(plots, "korean_font", lambda: "NanumGothic")
    with_font = plots._to_svg(problem.figure, "ko", True)
    monkeypatch.setattr(plots, "korean_font", lambda: None)
    assert plots._to_svg(problem.figure, "ko", True) == with_font
    plots._CACHE.clear()


def test_plots_generate_says_when_korean_pdf_plots_fall_back_to_english(tmp_path, monkeypatch):
    monkeypatch.setattr(worksheets, "tex_engine", lambda lang="en": None)
    monkeypatch.setattr(plots, "korean_font", lambda: None)
    plots._CACHE.clear()
    result = run("generate", "--out", tmp_path / "ko", "--count", "1", "--lang", "ko", "--format", "md,tex",
                 "--families", "learning_rate")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Note: no font with Hangul is installed, so the plots in the Korean LaTeX sheets (their PDF figures) "
        "are labelled in English (install one, e.g. apt-get install fonts-nanum, and generate again)."]
    for args in (["--format", "md,tex", "--lang", "en", "--families", "learning_rate"],
                 ["--format", "md,tex", "--lang", "ko", "--families", "forward_pass"],
                 ["--format", "md,html", "--lang", "ko", "--families", "learning_rate"]):
        result = run("generate", "--out", tmp_path / args[3] / args[5] / args[1].replace(",", "-"), "--count", "1",
                     *args)
        assert result.exit_code == 0 and result.stderr == "", (args, result.stderr)
    plots._CACHE.clear()


def test_plots_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown plot kind .pie.; valid: activation, batch_norm, log_draws, loss_curve, optimizer, quadratic, val_curve$"):
        plots.plot("pie", {})


# --- import budget ---------------------------------------------------------------------------------

def test_plots_building_problems_imports_no_matplotlib():
    code = ("import sys\nfrom generator.core import make_problem\n"
            f"for family in {PLOTTED!r}:\n    make_problem(family, 1, 'alice')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_plots_a_class_in_md_and_html_imports_no_matplotlib(tmp_path):
    code = ("import sys\nfrom chainrule.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')))\n")
    proc = subprocess.run([sys.executable, "-c", code, "generate", "--out", str(tmp_path / "out"), "--count", "2",
                           "--jobs", "1", "--format", "md,html", "--families", ",".join(PLOTTED)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.stderr.endswith("[]"), proc.stderr[-2000:]
    assert len(list((tmp_path / "out").rglob("*.svg"))) == 2 * 2 * len(PLOTTED)


def test_plots_check_and_grade_import_no_matplotlib(tmp_path):
    out = tmp_path / "out"
    result = run("generate", "--out", out, "--count", "1", "--format", "md", "--families", ",".join(PLOTTED))
    assert result.exit_code == 0, result.output
    answers = out / "students" / "student-001" / "answers.toml"
    solutions = ROOT / "solutions"
    code = (
        "import sys\n"
        "from chainrule.cli import main\n"
        "for args in (['check', sys.argv[1]], ['grade', sys.argv[2], '--only', 'network']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(answers), str(solutions)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.stderr.endswith("[]"), proc.stderr[-2000:]
    assert f"Checked {len(PLOTTED)} problems" in proc.stdout
    assert "network" in proc.stdout  # the grade report ran too


def test_plots_a_step_or_epoch_axis_has_whole_number_ticks_only():
    # the brief: the Korean learning-rate key's step axis had ticks at 1.5 and 4.5
    words = ("step", "epoch", "iteration", "스텝", "에포크", "반복")
    seen = set()
    for family in ("learning_rate", "optimizer_steps", "early_stopping"):
        for i in range(30):
            problem = make_problem(family, 2026, f"s{i}")
            if not problem.figure or isinstance(problem.figure, dict):
                continue
            for lang in ("en", "ko"):
                for key in (False, True):
                    for ax in plots.figure(problem.figure, lang, key).axes:
                        if any(word in ax.xlabel for word in words):
                            ticks = plots.frame(ax).xticks
                            seen.add((family, ax.xlabel))
                            assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), (family, i, ticks)
    assert ("learning_rate", "스텝 t") in seen and ("optimizer_steps", "step t") in seen and \
        ("early_stopping", "epoch") in seen
    # the rule itself: MaxNLocator's steps without 1.5 and 2.5
    assert plots.nice_ticks(-0.3, 6.3) == [0.0, 1.5, 3.0, 4.5, 6.0]
    assert plots.nice_ticks(-0.3, 6.3, integer=True) == [0.0, 2.0, 4.0, 6.0]
    assert plots.nice_ticks(-0.15, 3.15, integer=True) == [0.0, 1.0, 2.0, 3.0]


# --- titles as a teacher writes them (session 6's trial, findings 9 and 10) -------------------

def _title(problem, lang, key):
    return [ax.title for ax in plots.figure(problem.figure, lang, key=key).axes][0]


def _by_curvature(family, wanted):
    """A student (of s0..s199) whose problem's figure is a quadratic with curvature ``wanted``."""
    for i in range(200):
        problem = _problem(family, f"s{i}")
        data = problem.figure.data if problem.figure is not None else {}
        if data.get("a") == wanted and (family == "learning_rate" or data.get("source") != "gradients"):
            return problem
    raise AssertionError(f"no {family} variant with a = {wanted}")


def test_plots_a_curvature_of_1_is_not_printed_and_another_is():
    """optimizer_steps' quadratic loss in its title with the variant's own numbers (session 9's
    reading: "L(w) = 1.5(w − b)²" mixed a number and a symbol); learning_rate:
    test_five_families_wording.py."""
    one, half = _by_curvature("optimizer_steps", 1.0), _by_curvature("optimizer_steps", 0.5)
    for problem, coefficient in ((one, ""), (half, "0.5")):
        b = float(problem.figure.data["b"])
        shifted = "w²" if b == 0 else (f"(w − {b:g})²" if b > 0 else f"(w + {-b:g})²")
        for lang in ("en", "ko"):
            title = _title(problem, lang, key=False)
            assert f"L(w) = {coefficient}{shifted}" in title, title
            assert not re.search(r"\b1\(", title) and "b)" not in title
    # the SVG prints what the description says
    svg = unescape(plots.to_svg(one.figure, "en", False))
    b = float(one.figure.data["b"])
    assert ("L(w) = " + ("w²" if b == 0 else f"(w {'−' if b > 0 else '+'} {abs(b):g})²")).replace(" ", "") \
        in svg.replace(" ", "")


def test_plots_times_writes_a_coefficient_as_a_teacher_does():
    assert plots.times(1.0, "(x − b)²") == "(x − b)²"
    assert plots.times(-1.0, "(x − b)²") == "−(x − b)²"
    assert plots.times(0.5, "(x − b)²") == "0.5(x − b)²"
    assert plots.times(1.5, "(w − b)²") == "1.5(w − b)²"
    assert plots.times(2.0, "(w − b)²") == "2(w − b)²"


def test_plots_batch_norm_student_title_promises_only_the_inputs():
    problem = _problem("batch_norm")
    student = {lang: _title(problem, lang, key=False) for lang in ("en", "ko")}
    key = {lang: _title(problem, lang, key=True) for lang in ("en", "ko")}
    assert student == {"en": "The batch x, feature by feature, before batch normalization",
                       "ko": "배치 정규화 전의 배치 x (특성별)"}
    assert key == {"en": "The batch before (x) and after (y) batch normalization", "ko": "배치 정규화 전(x)과 후(y)의 배치"}
    # and the student's figure draws no y at all: its row labels name x only
    texts = [t.text for t in ET.fromstring(plots.to_svg(problem.figure, "en", False)).iter(f"{SVG}text")]
    labels = [t for t in texts if t.startswith("feature")]
    assert labels and all(t.endswith(": x") for t in labels)
    assert "The batch x, feature by feature, before batch normalization" in texts


def test_optimizer_quadratic_calls_a_the_coefficient_not_the_curvature():
    """L = a(w − b)²'s curvature is 2a: the given a is its coefficient (as learning_rate says)."""
    problem = _by_curvature("optimizer_steps", 0.5)
    label = next(g.label for g in problem.givens if g.name == "a")
    assert (label.en, label.ko) == ("coefficient of the loss", "손실 함수의 계수")


def _meets_by_clipping(path, left, top, right, bottom):
    """Whether a polyline meets the closed box, by Liang-Barsky clipping of each segment: an
    independent way of saying what ``plots._crosses`` decides (for its label places)."""
    for (x1, y1), (x2, y2) in zip(path, path[1:]):
        t0, t1 = 0.0, 1.0
        dx, dy = x2 - x1, y2 - y1
        for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
            if p == 0:
                if q < 0:
                    break
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
        else:
            if t0 <= t1:
                return True
    return False


def test_whether_a_curve_meets_a_label_box_agrees_with_clipping():
    import random

    rng = random.Random(11)
    met = 0
    for _ in range(20000):
        path = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(rng.randint(2, 6))]
        left, top = rng.uniform(0, 90), rng.uniform(0, 90)
        box = (left, top, left + rng.uniform(1, 30), top + rng.uniform(1, 10))
        want = _meets_by_clipping(path, *box)
        assert plots._crosses(path, *box) == want, (path, box)
        met += want
    assert 2000 < met < 18000       # both answers were asked often


def test_plots_learning_rate_title_particle_fits_how_r_is_read():
    """"x − b에 매번 r = −0.29가 곱해진다": 가 after a number read with a final vowel (구), 이 after
    one read with a final consonant (−0.6, 육), not "−0.29이" (trial 18a)."""
    vowel_digits = set("2459")        # 이 사 오 구; 영 일 삼 육 칠 팔 end in a consonant
    seen = set()
    for student in [f"s{i}" for i in range(40)]:
        problem = _problem("learning_rate", student)
        titles = [t for t in _svg_texts(plots.to_svg(problem.figure, "ko", True)) if "곱해진다" in t]
        assert len(titles) == 1, titles
        r, particle = re.search(r"r = ([−0-9.]+)(이|가) 곱해진다$", titles[0]).groups()
        assert particle == ("가" if r[-1] in vowel_digits else "이"), titles[0]
        seen.add(particle)
    assert seen == {"이", "가"}
