"""A worked step's side note in the HTML key ("the derivative of the sigmoid: dσ/dz = σ(1 − σ)")
keeps its words and its formula on one line: at 1200 px the formula alone wrapped onto the
next line, at the left in small grey type, where it looked like a chain step (session 6's
trial, finding 11). Measured in a headless Chromium (the tests skip without it)."""

from __future__ import annotations

import pytest

import _chromium
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

CHROMIUM = _chromium.find()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")

# every note with words and then a formula: where the words' last line and the formula sit
NOTES = r"""
(() => {
  const out = [];
  for (const note of document.querySelectorAll(".note")) {
    const math = note.querySelector("math");
    if (!math || note.firstChild.nodeType !== 3 || !note.firstChild.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(note.firstChild);
    const lines = range.getClientRects();
    const words = lines[lines.length - 1], formula = math.getBoundingClientRect();
    const step = note.parentElement.firstElementChild.getBoundingClientRect();
    out.push({text: note.textContent.trim().slice(0, 40), together: formula.top < words.bottom - 2,
              below: words.top >= step.bottom - 2, left: note.getBoundingClientRect().left, stepLeft: step.left});
  }
  return out;
})()
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notes")
    plan = sheet_plan(["output_update", "hidden_update", "training_step", "output_update"], None)
    paths = []
    for sid in ("s001", "s002", "s003"):
        sheet = build_sheet(Student(sid, ""), 2026, plan)
        for lang in ("en", "ko"):
            path = folder / f"{sid}-{lang}.html"
            path.write_text(render_sheets(sheet.problems, sheet.keys, "html", lang, {"id": sid}, 2026)["key"],
                            encoding="utf-8")
            paths.append(path)
    return paths


WIDTHS = (1200, 1000, 800)


@pytest.fixture(scope="module")
def measured(keys):
    """{width: [(sheet, note)]}, in one browser."""
    browser = _chromium.Browser(CHROMIUM)
    try:
        browser.call("Emulation.setEmulatedMedia", session=True, media="screen")
        found = {}
        for width in WIDTHS:
            browser.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=900,
                         deviceScaleFactor=1, mobile=False)
            found[width] = []
            for path in keys:
                browser.load(path)
                found[width] += [(path.stem, note) for note in browser.evaluate(NOTES)]
        return found
    finally:
        browser.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_notes_words_and_formula_stay_together(measured, width):
    notes = measured[width]
    assert len(notes) >= 12 and any("sigmoid" in note["text"] for _, note in notes)
    assert [(name, note["text"]) for name, note in notes if not note["together"]] == []
    # a note on a line of its own is set in from the step, never at the step's left edge
    assert [(name, note["text"]) for name, note in notes if note["below"] and note["left"] <= note["stepLeft"] + 4] == []
