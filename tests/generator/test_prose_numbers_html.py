"""A negative number in the prose of an HTML sheet (not inside <math>) must not break between
its minus and its digits: a teacher found "-" at the end of a printed line and "0.5" on the
next. ``render.Html.prose`` sets such a number whole (<span class="num">, ``white-space:
nowrap`` in sheet.css) and leaves its text as typed; Markdown and LaTeX are unchanged.
The layout is measured in a headless Chromium (those tests skip without it)."""

from __future__ import annotations

import re

import pytest

import _chromium
from generator import i18n
from generator.model import Text
from generator.render import Html, Latex, Markdown, page_words, render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan
from generator import registry

CHROMIUM = _chromium.find()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")

SPAN = '<span class="num">%s</span>'


def _prose(html_text: str) -> str:
    """The page's prose: without <style>, <math>, <svg> and <code> (numbers there are set
    by other rules)."""
    for tag in ("style", "math", "svg", "code"):
        html_text = re.sub(r"<%s\b.*?</%s>" % (tag, tag), " ", html_text, flags=re.S)
    return html_text


def _loose_numbers(prose: str):
    """Every minus directly before a digit that is not inside a span.num (a hyphen after a
    letter or a digit, as in top-10 or 0-9, is not a sign)."""
    outside = re.sub(r'<span class="num">[^<]*</span>', " ", prose)
    return re.findall(r"(?<![\w.])[-\u2212]\d[\d.]*|\d+(?:\.\d+)?e-\d+", outside)


def test_a_negative_slot_value_in_prose_is_set_whole_in_html_only():
    text = Text("the loss moved by {d} after step {k}; x went to {x}", "스텝 {k} 후 손실이 {d}만큼, x는 {x}로",
                {"d": -3, "k": 2, "x": "-0.25"})
    assert Html().text(text, "en") == "the loss moved by %s after step 2; x went to %s" % (SPAN % "-3", SPAN % "-0.25")
    assert Html().text(text, "ko") == "스텝 2 후 손실이 %s만큼, x는 %s로" % (SPAN % "-3", SPAN % "-0.25")
    # the other formats: exactly as written
    assert Markdown().text(text, "en") == "the loss moved by -3 after step 2; x went to -0.25"
    assert Latex().text(text, "en") == "the loss moved by -3 after step 2; x went to -0.25"


@pytest.mark.parametrize("wording, expected", [
    ("a value such as -0.5, or (-0.123456785).", "a value such as %s, or (%s)." % (SPAN % "-0.5", SPAN % "-0.123456785")),
    ("below 0.0001 (1.2345678e-05)", "below 0.0001 (%s)" % (SPAN % "1.2345678e-05")),
    ("a minus sign \u22122.5 too", "a minus sign %s too" % (SPAN % "\u22122.5")),
    # not signs: a range, a hyphenated word, a subtraction written with spaces, plain numbers
    ("digits 0-9, the top-10 list, n - 1, 0.08 and 2000", "digits 0-9, the top-10 list, n - 1, 0.08 and 2000"),
])
def test_which_numbers_are_set_whole(wording, expected):
    assert Html().text(Text(wording, wording), "en") == expected


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_number_rule_keeps_its_negative_examples_whole(lang):
    rule = page_words(Html(), lang, "answers.toml")["number_rule"]
    assert rule.count('<span class="num">-') == 3 and _loose_numbers(rule) == []
    assert SPAN % "1.2345678e-05" in rule
    # the words themselves are the rule's, character for character
    assert re.sub(r"</?span[^>]*>", "", rule) == i18n.words(lang)["number_rule"].replace("&", "&amp;")
    assert page_words(Markdown(), lang, "answers.toml")["number_rule"].count("-0.") == 3
    assert "span" not in page_words(Latex(), lang, "answers.toml")["number_rule"]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """A default sheet (every family) for two students, worksheet and key, in both languages."""
    folder = tmp_path_factory.mktemp("prose_numbers")
    plan = sheet_plan(registry.names(), None)
    paths = []
    for sid in ("student-001", "student-004"):
        sheet = build_sheet(Student(sid, ""), 2024, plan)
        for lang in i18n.LANGUAGES:
            pages = render_sheets(sheet.problems, sheet.keys, "html", lang, {"id": sid}, 2024)
            for kind, page in pages.items():
                path = folder / f"{sid}-{lang}-{kind}.html"
                path.write_text(page, encoding="utf-8")
                paths.append(path)
    return paths


def test_no_loose_negative_number_in_the_prose_of_a_sheet(sheets):
    for path in sheets:
        prose = _prose(path.read_text(encoding="utf-8"))
        assert _loose_numbers(prose) == [], path.name
        assert prose.count('<span class="num">') >= 4, path.name  # the number rule's, at least


# For each text node outside <math>/<code>: every signed or scientific number, and whether its
# characters sit on more than one line (the minus at a line's end, its digits on the next).
BROKEN = r"""
(() => {
  const pattern = /(?<![\w.])[-\u2212]\d[\d.]*|\d+(?:\.\d+)?e-\d+/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0; const broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("math, code, style, svg")) continue;
    for (const match of node.data.matchAll(pattern)) {
      seen += 1;
      const tops = new Set();
      for (let i = match.index; i < match.index + match[0].length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (rects.length) tops.add(Math.round(rects[0].top));
      }
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return {seen, broken};
})()
"""

# The kit's own prose where a browser may break after a minus: a number after a word's letter
# or an opening quote (Chromium ends a line after "x-" or "“-"), at every offset in a narrow
# column, through Html.text, in a page with the sheet's stylesheet.
RISKY = [Text("{pad}\u201c-0.123456785\u201d", "{pad}\u201c-0.123456785\u201d 이다"),
         Text("{pad} (1.2345678e-05) and -0.5", "{pad}(1.2345678e-05)와 -0.5")]


@pytest.fixture(scope="module")
def risky_page(tmp_path_factory):
    from generator.render import TEMPLATES

    css = (TEMPLATES / "sheet.css").read_text(encoding="utf-8")
    paragraphs = []
    for lang in i18n.LANGUAGES:
        for text in RISKY:
            for n in range(40):
                pad = ("x" if lang == "en" else "가") * n
                wording = Text(text.en, text.ko, {"pad": pad})
                paragraphs.append('<p lang="%s">%s</p>' % (lang, Html().text(wording, lang)))
    path = tmp_path_factory.mktemp("risky") / "risky.html"
    path.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><style>%s</style></head>'
                    '<body style="max-width: 12em">%s</body></html>' % (css, "\n".join(paragraphs)),
                    encoding="utf-8")
    return path


def _measure(paths, widths):
    browser = _chromium.Browser(CHROMIUM)
    try:
        browser.call("Emulation.setEmulatedMedia", session=True, media="screen")
        out = {}
        for width in widths:
            browser.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=900,
                         deviceScaleFactor=1, mobile=False)
            for path in paths:
                browser.load(path)
                out[path.name, width] = browser.evaluate(BROKEN)
        return out
    finally:
        browser.close()


@needs_chromium
def test_a_minus_never_ends_a_line_in_the_kits_prose(risky_page):
    result = _measure([risky_page], (380,))[risky_page.name, 380]
    assert result["seen"] == 2 * 40 * (1 + 2)  # two languages, 40 offsets, three numbers
    assert result["broken"] == []


@needs_chromium
def test_a_minus_never_ends_a_line_on_a_narrow_sheet(sheets):
    # 320-420 px, a phone's width: the number rule's examples fall at many places in a line
    found = _measure(sheets[:4], range(320, 421, 20))
    assert all(result["seen"] >= 4 for result in found.values()), found
    assert {key: result["broken"] for key, result in found.items() if result["broken"]} == {}
