"""The LaTeX sheets' page layout, as a teacher sees the PDF (sheet.tex.j2, render.Latex).

Oracles: TeX's own log (no overfull or underfull line: nothing sticks out, no line stretched
into gaps) and the PDF's text page by page (pdftotext): no heading alone at a page's foot,
a question's choices start on its page, a plot on the page of its problem's text, code
never split at a line's end. Whole classes of 3 students, English worksheets and Korean keys,
every family. Skips without pdflatex (with kotex) and pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import pdf, registry
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

ENGINE = pdf.tex_engine("ko")
pytestmark = pytest.mark.skipif(
    ENGINE is None or not shutil.which("pdftotext") or not pdf._has_tex_file(ENGINE, pdf.KOREAN_PACKAGE[Path(ENGINE).name]),
    reason="needs a TeX engine with kotex and pdftotext")

HEADINGS = {"en": ("Given", "Questions", "Worked solution", "Answers"), "ko": ("주어진 값", "질문", "풀이", "정답")}


def _typeset(tmp_path, sid, lang, kind):
    """(source, log, [page texts]) of one student's sheet, compiled in full in ``tmp_path``."""
    sheet = build_sheet(Student(sid, ""), 2026, sheet_plan(registry.names(), None))
    source = render_sheets(sheet.problems, sheet.keys, "tex", lang, {"id": sid, "name": ""}, 2026)[kind]
    folder = tmp_path / f"{sid}-{lang}-{kind}"
    folder.mkdir()
    for key, problem in zip(sheet.keys, sheet.problems):
        if problem.figure and not isinstance(problem.figure, dict):
            for name, data in problem.figure.files(("tex",), lang, key, kind == "key").items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
    (folder / "sheet.tex").write_text(source, encoding="utf-8")
    subprocess.run([ENGINE, "-interaction=batchmode", "-halt-on-error", "sheet.tex"], cwd=folder,
                   stdout=subprocess.DEVNULL, timeout=300)
    log = (folder / "sheet.log").read_text(encoding="utf-8", errors="replace")
    assert (folder / "sheet.pdf").is_file(), log[-2000:]
    text = subprocess.run(["pdftotext", "-layout", "sheet.pdf", "-"], cwd=folder, stdout=subprocess.PIPE).stdout
    pages = text.decode("utf-8").split("\f")[:-1]
    return source, log, pages


def _lines(page):
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[:-1] if lines and lines[-1].isdigit() else lines  # the page number


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("layout")
    return {(sid, lang, kind): _typeset(tmp, sid, lang, kind)
            for sid in ("s01", "s02", "s03") for lang, kind in (("en", "worksheet"), ("ko", "key"))}


def test_no_line_sticks_out_or_is_stretched(sheets):
    for name, (_source, log, _pages) in sheets.items():
        bad = [line for line in log.splitlines() if line.startswith(("Overfull \\hbox", "Underfull \\hbox"))]
        assert bad == [], name


def test_no_heading_is_left_alone_at_the_foot_of_a_page(sheets):
    for (sid, lang, kind), (_source, _log, pages) in sheets.items():
        for number, page in enumerate(pages[:-1], start=1):
            lines = _lines(page)
            assert lines and lines[-1] not in HEADINGS[lang], (sid, lang, kind, number, lines[-3:])
            assert not re.match(r"(Problem|문제) \d+\.", lines[-1]), (sid, lang, kind, number, lines[-3:])


def test_a_questions_choices_start_on_its_page(sheets):
    for (sid, lang, kind), (source, _log, pages) in sheets.items():
        if kind != "worksheet":
            continue
        assert "\\begin{choices}" in source
        for number, page in enumerate(pages, start=1):
            lines = _lines(page)
            if lines and lines[0].startswith("•"):  # a page opening with a list item ...
                previous = _lines(pages[number - 2])
                # ... is never the first choice below a question at the foot of the page before
                assert not re.match(r"[a-z]\) ", previous[-1]), (sid, number, previous[-2:], lines[:2])


def test_figures_are_not_floats_and_code_has_no_break_points(sheets):
    for (_sid, _lang, _kind), (source, _log, _pages) in sheets.items():
        assert "\\begin{figure}" not in source
        for code in re.findall(r"\\code\{((?:[^{}]|\{\})*)\}", source):
            assert "allowbreak" not in code and "-" not in code.replace("\\textquotesingle{}", ""), code


def test_code_is_never_split_at_a_line_end(sheets):
    for (sid, lang, kind), (source, _log, pages) in sheets.items():
        words = {re.sub(r"\\textquotesingle\{\}", "'", code).replace("\\_", "_")
                 for code in re.findall(r"\\code\{((?:[^{}]|\{\})*)\}", source)}
        pieces = {piece for word in words for piece in word.split(" ") if len(piece) > 3}
        assert "loss='categorical_crossentropy'" in pieces or "loss='binary_crossentropy'" in pieces
        text = "\n".join(line for page in pages for line in page.splitlines())
        for piece in pieces:
            assert piece in text.replace("’", "'"), (sid, lang, kind, piece)


def _shipped_page(log, name):
    """The page TeX shipped ``name`` (an included figure) on, from its log: "[13 <./figures/x.pdf>]"."""
    joined = "".join(log.splitlines())  # the log wraps its lines at 79 characters
    at = joined.find(name)
    assert at >= 0, name
    return int(re.findall(r"\[(\d+)", joined[:at])[-1])


def test_a_plot_is_on_a_page_before_its_problems_first_question(sheets):
    # the batch-norm plot (the brief: it landed between questions a and b on the next page)
    # and every other plot: typeset where the text refers to it, never after the questions start
    for (sid, lang, kind), (source, log, pages) in sheets.items():
        plots = re.findall(r"\\includegraphics\[[^]]*\]\{figures/(p(\d+)_\w+)\.pdf\}", source)
        assert any("batch_norm" in name for name, _n in plots)
        for name, number in plots:
            word = "Problem" if lang == "en" else "문제"
            whole = "\f".join(pages)
            start = re.search(rf"{word} {number}\.", whole).start()
            first = re.compile(r"^\s*a\) ", re.M).search(whole, start).start()
            heading, question = (whole.count("\f", 0, at) + 1 for at in (start, first))
            plot = _shipped_page(log, f"<./figures/{name}.pdf>")
            assert heading <= plot <= question, (sid, lang, kind, name, heading, plot, question)
