"""What a teacher notices on paper (session 8): a running head on every page, a step's note
kept with its formula, worked lines that continue indented, A4, givens kept together,
Korean lines broken between words.

The PDFs are read back with poppler (``pdftotext``, ``pdfinfo``) and a headless Chromium
prints the HTML sheets: the page count and every page's text come from the printed file,
never from the templates. Skips without TeX, poppler or Chromium.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import _chromium
from generator import pdf
from generator.render import css_string, render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

ENGINES = {lang: pdf.tex_engine(lang) for lang in ("en", "ko")}
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_tex = pytest.mark.skipif(None in ENGINES.values() or not POPPLER, reason="needs TeX and poppler-utils")
CHROMIUM = _chromium.find()
needs_chromium = pytest.mark.skipif(CHROMIUM is None or not POPPLER, reason="needs Chromium and poppler-utils")

SEED = 2026
# sigmoid notes (output_update, hidden_update), a sum broken after its "=" (hidden_update),
# long products and means (activations, batch_norm)
FAMILIES = ("output_update", "hidden_update", "activations", "batch_norm")
STUDENT = {"id": "s-07", "name": "Ann Lee"}
KIND_WORDS = {("en", "worksheet"): "Worksheet", ("en", "key"): "Answer key",
              ("ko", "worksheet"): "문제지", ("ko", "key"): "풀이 및 정답"}
TEXT_MARGIN_PT = 2.2 / 2.54 * 72  # the TeX sheets' left margin (geometry margin=2.2cm)


def _texts(fmt, lang, student=STUDENT, families=FAMILIES):
    sheet = build_sheet(Student(student["id"], student.get("name", "")), SEED, sheet_plan(families, None))
    return render_sheets(sheet.problems, sheet.keys, fmt, lang, student, SEED)


def _pages(path: Path) -> list:
    """The text of every page of a PDF, from pdftotext (pages split at form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _page_size(path: Path) -> tuple:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    return float(found.group(1)), float(found.group(2))


def _lines(path: Path):
    """(page, x of the line's left end, the line's words) of every line pdftotext finds."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    for number, page in enumerate(out.split("<page ")[1:], 1):
        for m in re.finditer(r'<line xMin="([\d.]+)"[^>]*>(.*?)</line>', page, re.S):
            yield number, float(m.group(1)), [html.unescape(w) for w in re.findall(r">([^<]*)</word>", m.group(2))]


def _words(path: Path):
    """(word, xMin, yMax) of every word, in pdftotext's reading order."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(html.unescape(m.group(3)), float(m.group(1)), float(m.group(2)))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', out)]


# --- the TeX sources --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_tex_sheet_sets_a_running_head_with_the_student_the_kind_and_the_page_count(lang):
    texts = _texts("tex", lang)
    for kind, source in texts.items():
        preamble, body = pdf.split_preamble(source)
        # the preamble is the class's (one cached format for all students): no student in it
        assert "s-07" not in preamble and "Ann Lee" not in preamble
        assert "\\usepackage{fancyhdr}" in preamble
        full, short, page = re.search(r"^\\runninghead\{(.*)\}\n\{(.*)\}\n\{(.*)\}$", body, re.M).groups()
        assert full == KIND_WORDS[lang, kind] + " \\textperiodcentered{} \\code{s-07} (Ann Lee)"
        assert short == KIND_WORDS[lang, kind] + " \\textperiodcentered{} \\code{s-07} "  # for a long name
        expected = "page \\thepage{} of \\sheetpages{}" if lang == "en" else "\\thepage{} / \\sheetpages{} 쪽"
        assert page == expected


def test_a_tex_keys_notes_are_set_whole_after_their_step():
    key = _texts("tex", "en")["key"]
    notes = re.findall(r"^\\workedstep .*\\stepnote\{(.*)\}$", key, re.M)
    # a note's words and its formula in one \stepnote (one box, beside or below the step)
    assert any(note.startswith("the derivative of the sigmoid: $") for note in notes)
    assert "\\quad {\\small" not in key  # the old side note, whose formula could start a line alone


# --- the TeX PDFs -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tex_pdfs(tmp_path_factory):
    """{(lang, kind): PDF path} of one student's worksheet and key, made as generate does."""
    if None in ENGINES.values() or not POPPLER:
        pytest.skip("needs TeX and poppler-utils")
    folder = tmp_path_factory.mktemp("paper-tex")
    out = {}
    for lang in ("en", "ko"):
        for kind, source in _texts("tex", lang).items():
            target = folder / f"{lang}-{kind}.pdf"
            pdf.compile_pdf(ENGINES[lang], source, target, _plot_files(lang, kind))
            out[lang, kind] = target
    return out


def _plot_files(lang, kind):
    sheet = build_sheet(Student(STUDENT["id"], STUDENT["name"]), SEED, sheet_plan(FAMILIES, None))
    files = {}
    for key, problem in zip(sheet.keys, sheet.problems):
        if problem.figure and not isinstance(problem.figure, dict):
            files.update(problem.figure.files(("tex",), lang, key, kind == "key"))
    return files


@needs_tex
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("kind", ["worksheet", "key"])
def test_every_page_of_a_tex_pdf_names_the_student_the_sheet_and_page_x_of_y(tex_pdfs, lang, kind):
    path = tex_pdfs[lang, kind]
    pages = _pages(path)
    count = _page_count(path)
    assert len(pages) == count > 1
    for number, text in enumerate(pages, 1):
        first = text.strip().splitlines()[0]
        assert f"{KIND_WORDS[lang, kind]} · s-07 (Ann Lee)" in first, (number, first)
        page = f"page {number} of {count}" if lang == "en" else f"{number} / {count} 쪽"
        # (pdftotext guesses XeTeX's spaces from the gaps: compared without them)
        assert re.sub(r"\s", "", first).endswith(page.replace(" ", "")), (number, first)


@needs_tex
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_keys_note_stays_on_the_line_of_its_formula(tex_pdfs, lang):
    words = _words(tex_pdfs[lang, "key"])
    last = "sigmoid:" if lang == "en" else "미분:"
    found = 0
    for i, (word, x, y) in enumerate(words):
        if word == last and words[i - 1][0] in ("the", "of", "함수의"):
            # the formula's "=" (after the fraction dσ(z)/dz) is on the note's line
            equals = next(w for w in words[i + 1:i + 6] if w[0] == "=")
            assert abs(equals[2] - y) < 1, (word, y, equals)
            found += 1
    assert found >= 2


@needs_tex
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_worked_line_goes_on_flush_left(tex_pdfs, lang):
    # a worked line starts with its quantity (a letter, ∂ ...), never with a number: a line
    # of the worked solution that starts with a number continues the line before it, and is
    # indented (before session 8 it started at the margin, looking like another step)
    headings = ("Worked solution", "풀이"), ("Answers", "정답")
    inside, continued, flush = False, 0, []
    number_first = re.compile(r"[(\-−]*\d[\d.]*(\s+[^\w\s]|\s*$)")
    for page, x, words in _lines(tex_pdfs[lang, "key"]):
        text = " ".join(words)
        if text in headings[0]:
            inside = True
        elif text in headings[1]:
            inside = False
        elif inside and number_first.match(text):
            continued += 1
            if x < TEXT_MARGIN_PT + 2:
                flush.append((page, text[:60]))
    assert continued and not flush


@needs_tex
@pytest.mark.parametrize("engine", sorted({e for e in ENGINES.values() if e} | {shutil.which("lualatex")} - {None}))
def test_the_page_count_takes_one_tex_run_from_the_source_alone(tmp_path, monkeypatch, engine):
    # the pages are held back until the count is known: no second run, no .aux from before
    # (the .tex a teacher compiles by hand is right the first time too); LuaLaTeX: the
    # engine a machine without the others falls back to
    runs = []
    real = subprocess.run
    monkeypatch.setattr(pdf.subprocess, "run", lambda command, **kw: (runs.append(command), real(command, **kw))[1])
    source = _texts("tex", "en")["worksheet"]
    target = tmp_path / "worksheet.pdf"
    pdf.compile_pdf(engine, source, target, _plot_files("en", "worksheet"), cache=None)
    assert [Path(command[0]).name for command in runs] == [Path(engine).name]
    count = _page_count(target)
    pages = _pages(target)
    assert len(pages) == count > 1
    for number, text in enumerate(pages, 1):
        assert re.sub(r"\s", "", text.strip().splitlines()[0]).endswith(f"page{number}of{count}")


@needs_tex
def test_a_tex_sheets_givens_are_not_split_across_pages():
    # the givens are one list no page break may enter: TeX's source says so (what TeX does
    # with it is seen on paper: the teacher's "learning rate alone at a page top")
    source = _texts("tex", "en")["worksheet"]
    assert re.search(r"\\newenvironment\{givens\}\{\\begin\{compactitems\}\\@beginparpenalty=\\@M"
                     r"\\@itempenalty=\\@M\\interlinepenalty=\\@M\}", source)
    assert source.count("\\begin{givens}") == len(FAMILIES)


# --- the HTML sheets -------------------------------------------------------------------------------

def test_the_sheets_css_prints_a4_and_breaks_korean_between_words():
    css = Path(__file__).resolve().parents[2].joinpath("generator", "templates", "sheet.css").read_text()
    assert re.search(r"@page \{ size: A4;", css)
    assert "size: auto" not in css
    assert "body:lang(ko) { word-break: keep-all; overflow-wrap: break-word; }" in css
    printed = css[css.index("@media print"):]
    assert "dl.givens { break-inside: avoid; }" in printed


def test_css_string_escapes_what_would_end_the_string_or_the_style_element():
    assert css_string('Ann "A" \\ </style>') == '"Ann \\22 A\\22  \\5c  \\3c /style\\3e "'
    assert css_string("a\nb") == '"a\\a b"'
    assert css_string("김민준") == '"김민준"'


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_html_sheet_puts_its_running_head_in_the_page_margin_boxes(lang):
    texts = _texts("html", lang, {"id": "s-07", "name": 'Ann "Q" <b>'})
    for kind, text in texts.items():
        style = text[text.index("<style>"):text.index("</style>")]
        rule = re.search(r"^@page \{ @top-left \{ content: (.*); \} @top-right \{ content: (.*); \} \}$", style, re.M)
        assert rule, kind
        assert rule.group(1) == f'"{KIND_WORDS[lang, kind]} · s-07 (Ann \\22 Q\\22  \\3c b\\3e )"'
        expected = ('"page " counter(page) " of " counter(pages)' if lang == "en"
                    else 'counter(page) " / " counter(pages) " 쪽"')
        assert rule.group(2) == expected


@pytest.fixture(scope="module")
def html_pdfs(tmp_path_factory):
    if CHROMIUM is None or not POPPLER:
        pytest.skip("needs Chromium and poppler-utils")
    folder = tmp_path_factory.mktemp("paper-html")
    browser = _chromium.Browser(CHROMIUM)
    out = {}
    try:
        for lang in ("en", "ko"):
            for kind, text in _texts("html", lang).items():
                page = folder / f"{lang}-{kind}.html"
                page.write_text(text, encoding="utf-8")
                target = page.with_suffix(".pdf")
                target.write_bytes(browser.pdf(page))  # asks for Letter, as a US print dialog
                out[lang, kind] = target
    finally:
        browser.close()
    return out


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("kind", ["worksheet", "key"])
def test_a_printed_html_sheet_is_a4_with_the_running_head_on_every_page(html_pdfs, lang, kind):
    path = html_pdfs[lang, kind]
    width, height = _page_size(path)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points, not Letter's 612 x 792
    pages = _pages(path)
    count = _page_count(path)
    assert len(pages) == count > 1
    for number, text in enumerate(pages, 1):
        first = text.strip().splitlines()[0]
        assert first.startswith(f"{KIND_WORDS[lang, kind]} · s-07 (Ann Lee)"), (number, first)
        page = f"page {number} of {count}" if lang == "en" else f"{number} / {count} 쪽"
        assert re.sub(r"\s", "", first).endswith(page.replace(" ", "")), (number, first)


@needs_tex
def test_a_note_wider_than_a_line_goes_below_its_step_indented(tmp_path):
    # no family's note is that long yet: the sheets' own preamble, with one step and a note
    # of many words (it breaks inside itself, every one of its lines indented)
    preamble, _body = pdf.split_preamble(_texts("tex", "en")["key"])
    words = " ".join(f"word{i}" for i in range(60))
    body = ("\\begin{document}\n\\pagestyle{empty}\n\\workedstep $a = b + c = 1 + 2 = 3$\\stepnote{" + words + " $d = e$}\n\n"
            "\\workedstep $f = 4$\n\\end{document}\n")
    pdf.compile_pdf(ENGINES["en"], preamble + body, tmp_path / "note.pdf", cache=None)
    lines = [(x, " ".join(w)) for _page, x, w in _lines(tmp_path / "note.pdf")]
    steps = [x for x, text in lines if text.startswith(("a =", "f ="))]
    note = [x for x, text in lines if "word" in text]
    assert len(steps) == 2 and all(x < TEXT_MARGIN_PT + 1 for x in steps)
    assert len(note) >= 2 and all(x > TEXT_MARGIN_PT + 10 for x in note)
    assert lines[-1][1].startswith("f =") and "d =" in lines[-2][1]  # the note whole, before the next step


@needs_tex
@pytest.mark.parametrize("student, left", [
    ({"id": "s-long", "name": "Maximiliane Alexandra Konstantinopoulou-Wolfeschlegelsteinhausen Bergerdorff"},
     "Answer key · s-long"),  # the name left out, the id kept
    ({"id": "s-" + "x" * 90, "name": ""}, None),  # too long even alone: shrunk to fit
])
def test_a_long_name_never_runs_into_the_page_number(tmp_path, student, left):
    source = _texts("tex", "en", student, ("forward_pass",))["key"]
    pdf.compile_pdf(ENGINES["en"], source, tmp_path / "key.pdf")
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "key.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = [(html.unescape(m.group(4)), float(m.group(1)), float(m.group(2)), float(m.group(3)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]
    top = min(y for _w, _x, _r, y in words)
    head = [(w, x, r) for w, x, r, y in words if abs(y - top) < 3]
    page = next(i for i, (w, _x, _r) in enumerate(head) if w == "page")
    assert [w for w, _x, _r in head[page:]] == ["page", "1", "of", str(_page_count(tmp_path / "key.pdf"))]
    words_left = " ".join(w for w, _x, _r in head[:page])
    if left:
        assert words_left == left
    else:
        assert words_left.startswith("Answer key · s-xxx") and words_left.endswith("x")
    # the left head ends at least 1.5 em (at 10 pt) before the page number starts
    assert max(r for _w, _x, r in head[:page]) < head[page][1] - 15


@needs_tex
def test_a_sheet_of_more_than_100_pages_is_held_and_shipped_whole(tmp_path):
    # TeX stops after 100 runs of the output routine that ship nothing out ("dead cycles"):
    # holding the pages back must not count as such
    preamble, _body = pdf.split_preamble(_texts("tex", "en")["key"])
    body = ("\\begin{document}\n\\pagestyle{fancy}\n\\runninghead{Answer key}{Answer key}{page \\thepage{} of \\sheetpages{}}\n"
            + "".join(f"text {i}\\clearpage\n" for i in range(1, 131)) + "\\end{document}\n")
    pdf.compile_pdf(ENGINES["en"], preamble + body, tmp_path / "long.pdf")
    pages = _pages(tmp_path / "long.pdf")
    assert _page_count(tmp_path / "long.pdf") == len(pages) == 130
    for number in (1, 100, 101, 130):
        assert re.sub(r"\s+", " ", pages[number - 1]).strip() == f"Answer key page {number} of 130 text {number}"


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_printed_html_keys_wrapped_worked_line_continues_indented(tmp_path, lang):
    """A teacher's reading (session 8): in printed HTML keys a worked line that wraps went on at
    the step's left edge, looking like a step of its own, as the TeX keys did before. The
    sheet: generate's default seed and first student, whose hidden-layer problem has a sum of
    three products that wraps on A4."""
    student = {"id": "student-001", "name": ""}
    sheet = build_sheet(Student(student["id"], ""), 2024, sheet_plan(["hidden_update"], None))
    page = tmp_path / "key.html"
    page.write_text(render_sheets(sheet.problems, sheet.keys, "html", lang, student, 2024)["key"], encoding="utf-8")
    browser = _chromium.Browser(CHROMIUM)
    try:
        pdf = tmp_path / "key.pdf"
        pdf.write_bytes(browser.pdf(page))
    finally:
        browser.close()
    lines = list(_lines(pdf))
    left = min(x for _page, x, words in lines if words and words[0].startswith("∂"))   # a derivative's step
    # a sum's next term at a line's start, with its value: the rest of a wrapped worked line
    # (a lone "+" is w⁺'s superscript, a "+" without "=" a fraction's numerator)
    continued = [(x, " ".join(words)[:50]) for _page, x, words in lines
                 if len(words) > 1 and words[0] == "+" and "=" in words]
    assert continued, "no wrapped worked line in this key: the test shows nothing"
    assert all(x > left + 12 for x, _text in continued), (left, continued)
