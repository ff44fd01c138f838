"""Worksheets and keys as a teacher prints them from a browser (issue 8).

Every family, in English and Korean, is rendered to HTML and loaded into one headless
Chromium (Debian's ``chromium``; the tests skip without it): printed to an A4 PDF (the sheets' @page size), no
page but the last may be nearly blank (a problem pushed whole onto the next page), and
laid out for print at the printable width, no element may stick out of the page or scroll
(the browser would shrink the whole page to fit), and all text outside formulas is at
least 10 pt.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import _chromium
from generator import registry
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

CHROMIUM = _chromium.find()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")

# A4 paper (the sheet's @page size) less its margins (16 mm each side), in CSS px (96 per inch)
PRINT_WIDTH_PX = round((210 - 2 * 16) / 25.4 * 96)
MIN_TEXT_PX = 10 * 96 / 72  # 10 pt
SEED = 8

MEASURE = r"""
(() => {
  const width = document.documentElement.clientWidth;
  const wide = [], scrolling = [], small = [];
  const describe = e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? "." + e.className : "")
      + ": " + (e.textContent || "").trim().slice(0, 60);
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 1 || r.left < -1) wide.push(describe(e) + " [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible") scrolling.push(describe(e));
    if (e.closest("math") || e.closest("svg") || e.closest("footer")) continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && parseFloat(getComputedStyle(e).fontSize) < %(min)s) small.push(describe(e) + " " + getComputedStyle(e).fontSize);
  }
  return {width, page: document.documentElement.scrollWidth, wide, scrolling, small};
})()
""" % {"min": MIN_TEXT_PX - 0.01}


def _sheets(tmp_path_factory):
    """Both kinds of sheet with every family twice (two variants), in both
    languages: [(name, path)]."""
    folder = tmp_path_factory.mktemp("print-html")
    families = list(registry.names())
    plan = sheet_plan(families, 2 * len(families))
    out = []
    for sid in ("print-a",):
        sheet = build_sheet(Student(sid, ""), SEED, plan)
        for lang in ("en", "ko"):
            texts = render_sheets(sheet.problems, sheet.keys, "html", lang, {"id": sid}, SEED)
            for kind, text in texts.items():
                path = folder / f"{sid}-{lang}-{kind}.html"
                path.write_text(text, encoding="utf-8")
                out.append((path.stem, path))
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    sheets = _sheets(tmp_path_factory)
    browser = _chromium.Browser(CHROMIUM)
    try:
        results = {}
        for name, path in sheets:
            pdf = path.with_suffix(".pdf")
            pdf.write_bytes(browser.pdf(path))
            results[name] = (pdf, browser.measure(path, MEASURE, PRINT_WIDTH_PX))
        return results
    finally:
        browser.close()


def test_no_element_is_wider_than_the_page(printed):
    for name, (_pdf, found) in printed.items():
        assert found["wide"] == [] and found["page"] <= found["width"], (name, found["wide"][:5])


def test_no_formula_scrolls_on_paper(printed):
    for name, (_pdf, found) in printed.items():
        assert found["scrolling"] == [], (name, found["scrolling"][:5])


def test_text_is_at_least_10_pt(printed):
    for name, (_pdf, found) in printed.items():
        assert found["small"] == [], (name, found["small"][:5])


def _page_ink(pdf: Path):
    """[(lowest inked row / page height, inked fraction)] per page, from a coarse rendering."""
    folder = pdf.parent / (pdf.stem + "-pages")
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "24", "-gray", str(pdf), str(folder / "p")], check=True)
    pages = []
    for image in sorted(folder.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        data = image.read_bytes()
        header = data.split(maxsplit=4)  # P5 width height maxval pixels
        width, height = int(header[1]), int(header[2])
        pixels = data[len(data) - width * height:]
        rows = [pixels[r * width:(r + 1) * width] for r in range(height)]
        inked = [r for r, row in enumerate(rows) if min(row) < 160]
        pages.append(((inked[-1] + 1) / height if inked else 0.0, len(inked) / height))
    return pages


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (apt-get install poppler-utils)")
def test_no_near_blank_page(printed):
    for name, (pdf, _found) in printed.items():
        pages = _page_ink(pdf)
        assert len(pages) >= 2, name
        for number, (bottom, _share) in enumerate(pages[:-1], start=1):
            # a problem that would not split leaves the rest of the page empty (a figure
            # that does not fit below the text may leave up to its own height)
            assert bottom > 0.5, f"{name}: page {number} of {len(pages)} ends at {bottom:.0%} of its height"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")
def test_printed_text_is_not_shrunk_to_fit(printed):
    # a page wider than the paper is shrunk whole by the print dialog (issue 8: a key printed
    # at about 7 pt). A word's box in the PDF is about 1.16 times its font size in points
    # (Latin; Hangul a little more). The body is 11 pt, small print 10 pt, subscripts less:
    # on every page the larger words (the 90th percentile) must come from text of 10 pt or
    # more (a page shrunk to 85 % fails).
    import re
    import statistics

    for name, (pdf, _found) in printed.items():
        boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], stdout=subprocess.PIPE, check=True)
        pages = boxes.stdout.decode("utf-8", "replace").split("<page ")[1:]
        for number, page in enumerate(pages, start=1):
            heights = [float(b) - float(a) for a, b in re.findall(
                r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">[A-Za-z\uac00-\ud7a3]{2,}<', page)]
            if len(heights) < 10:
                continue  # a page of formulas and figures
            tall = statistics.quantiles(heights, n=10)[-1]
            assert tall >= 1.16 * 10, f"{name}: page {number}: {tall:.1f}"
