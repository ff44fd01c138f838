"""The LaTeX sheets compiled as a teacher compiles them (issue 8).

A sample of 20 sheets (worksheets and keys, English and Korean, every family at least
twice) is compiled with the engine ``chainrule generate`` picks: no overfull box (nothing
sticks out into the margin), and only vector fonts in the PDFs (no bitmap Type 3 fonts).
Skips on a machine without TeX (``.ci/run`` installs Debian's TeX Live when it can).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from generator import registry, worksheets
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

ENGINES = {lang: worksheets.tex_engine(lang) for lang in ("en", "ko")}
pytestmark = pytest.mark.skipif(
    None in ENGINES.values(), reason="needs TeX for English and Korean (apt-get install texlive-lang-korean ...)"
)
SEED = 2026
STUDENTS = ("tex-a", "tex-b", "tex-c", "tex-d", "tex-e")  # 5 students x 2 languages x 2 kinds = 20 sheets


def _compile(job):
    name, engine, folder = job
    result = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", name + ".tex"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
    )
    log = (folder / (name + ".log")).read_text(encoding="utf-8", errors="replace")
    return name, result.returncode, log, folder / (name + ".pdf")


def _plot_files(sheet, lang, is_key):
    """The plots' files the sheet includes, as ``worksheets.write_sheet`` writes them beside
    it for ``chainrule generate --format tex`` ({path relative to the sheet: bytes})."""
    files = {}
    for key, problem in zip(sheet.keys, sheet.problems):
        if problem.figure and not isinstance(problem.figure, dict):  # a plot (generator/plots.py)
            files.update(problem.figure.files(("tex",), lang, key, is_key))
    return files


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print-tex")
    families = list(registry.names())
    jobs = []
    for i, sid in enumerate(STUDENTS):
        # every student has every family; from the second on, in a rotated order and with
        # the second occurrence's variants, so that the sample covers more structures
        order = families[i:] + families[:i]
        plan = sheet_plan(order, len(families) * (1 + (i > 0)))[-len(families):]
        sheet = build_sheet(Student(sid, ""), SEED, plan)
        for lang in ("en", "ko"):
            texts = render_sheets(sheet.problems, sheet.keys, "tex", lang, {"id": sid}, SEED)
            for kind, text in texts.items():
                name = f"{sid}-{lang}-{kind}"
                # each sheet in its own folder with its figures/, as the sheets of one student
                # are in students/<id>/ and keys/<id>/
                here = folder / name
                for relative, data in _plot_files(sheet, lang, kind == "key").items():
                    (here / relative).parent.mkdir(parents=True, exist_ok=True)
                    (here / relative).write_bytes(data)
                here.mkdir(exist_ok=True)
                (here / (name + ".tex")).write_text(text, encoding="utf-8")
                jobs.append((name, ENGINES[lang], here))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_compile, jobs))
    return folder, results


def test_the_sample_is_twenty_sheets_and_every_one_compiles(compiled):
    _folder, results = compiled
    assert len(results) == 20
    for name, code, log, _pdf in results:
        first_error = next((line for line in log.splitlines() if line.startswith("!")), "")
        assert code == 0, f"{name}: {first_error}"


def test_no_overfull_box(compiled):
    _folder, results = compiled
    overfull = []
    for name, _code, log, _pdf in results:
        lines = log.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Overfull \\hbox") or line.startswith("Overfull \\vbox"):
                overfull.append(f"{name}: {line} {' '.join(lines[i + 1:i + 3])[:160]}")
    assert overfull == [], "\n".join(overfull[:10]) + f"\n({len(overfull)} in all)"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs pdffonts (apt-get install poppler-utils)")
def test_pdfs_use_vector_fonts_only(compiled):
    folder, results = compiled
    # the fonts are those of the template and the language: two students' sheets show them
    # all (pdffonts is slow on the Korean PDFs, which hold hundreds of subset fonts)
    for name, _code, _log, pdf in results[:8]:
        fonts = subprocess.run(["pdffonts", str(pdf)], stdout=subprocess.PIPE, check=True)
        rows = fonts.stdout.decode().splitlines()[2:]
        assert rows, name
        bitmap = [row for row in rows if re.search(r"\bType 3\b", row)]
        assert bitmap == [], (name, bitmap)
