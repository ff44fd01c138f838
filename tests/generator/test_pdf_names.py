"""Students' names in the PDFs: an English sheet typesets a Hangul (Hanja, kana, Greek,
Cyrillic) name through kotex; a name pdfLaTeX cannot set gets a warning naming the student,
the other students their PDFs, and the summary claims no pdf.

Oracles: LaTeX's own t1enc.dfu (which characters inputenc sets in T1), the TeX engine
(the PDF is made, its text holds the name: pdftotext), Unicode's character names."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from generator import pdf
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan
from tests.generator.test_generate_cli import run

ENGINE = pdf.tex_engine("en")
needs_pdflatex = pytest.mark.skipif(ENGINE is None or Path(ENGINE).name != "pdflatex"
                                    or not pdf._has_tex_file(ENGINE, "kotex.sty"),
                                    reason="needs pdflatex with kotex")
FAMILIES = "forward_pass,learning_rate"


def test_which_names_need_kotex_and_which_pdflatex_cannot_set():
    assert not pdf.needs_kotex("Anna Müller-Łukasiewicz, Zoë O'Brien")
    for name in ("김민준", "金敏俊", "やまだ ヤマダ", "Ольга", "Ελενη", "Kim 민준"):
        assert pdf.needs_kotex(name), name
        assert pdf.cannot_typeset("/usr/bin/pdflatex", name) == [], name
    assert pdf.cannot_typeset("/usr/bin/pdflatex", "Ελένη Ελένη") == ["\u03ad"]
    assert pdf.cannot_typeset("/usr/bin/pdflatex", "Đặng Ngọc") == ["\u1eb7", "\u1ecd"]
    assert pdf.cannot_typeset("/usr/bin/pdflatex", "محمد")[0] == "\u0645"
    # XeLaTeX and LuaLaTeX set what their fonts hold: not judged here
    assert pdf.cannot_typeset("/usr/bin/xelatex", "Ελένη") == []
    assert pdf.describe_characters(["\u03ad"]) == "\u03ad (U+03AD GREEK SMALL LETTER EPSILON WITH TONOS)"
    # an accent typed apart (macOS exports decomposed names): read as printed, composed
    assert pdf.cannot_typeset("/usr/bin/pdflatex", "Rene\u0301 Dupont") == []
    assert not pdf.needs_kotex("Rene\u0301 Dupont")


def test_the_latin_letters_pdflatex_sets_are_those_latex_declares_for_t1():
    kpsewhich = shutil.which("kpsewhich")
    dfu = subprocess.run([kpsewhich, "t1enc.dfu"], stdout=subprocess.PIPE, text=True).stdout.strip() if kpsewhich else ""
    if not dfu:
        pytest.skip("needs LaTeX's t1enc.dfu")
    declared = {chr(int(code, 16)) for code in re.findall(r"DeclareUnicodeCharacter\{([0-9A-F]+)\}", Path(dfu).read_text())}
    assert pdf._T1 <= declared
    assert {"é", "ü", "ł", "ß", "ñ", "Ş", "ő"} <= pdf._T1


def test_an_english_tex_sheet_loads_kotex_only_for_a_name_that_needs_it():
    sheet = build_sheet(Student("s1", ""), 2026, sheet_plan(["forward_pass"], None))

    def source(name, lang="en"):
        return render_sheets(sheet.problems, sheet.keys, "tex", lang, {"id": "s1", "name": name}, 2026)["worksheet"]

    assert "\\usepackage{kotex}" not in source("Anna Müller")
    assert "\\usepackage{kotex}" in source("김민준")
    assert "\\usepackage{kotex}" in source("Anna", "ko")
    # a decomposed é (e + U+0301, as some systems save names) is composed for inputenc
    assert "(Ren\u00e9)" in source("Rene\u0301")


@needs_pdflatex
def test_english_pdfs_for_a_roster_of_names_in_many_scripts(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns01,김민준\ns02,Anna Müller\ns03,Ελένη\ns04,Ольга Иванова\ns05,金敏俊\n"
                      "s06,Ελένη\n", encoding="utf-8")
    out = tmp_path / "en"
    result = run("generate", "--students", str(roster), "--seed", "2026", "--out", str(out), "--format", "tex",
                 "--families", FAMILIES)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: no PDF for s03 (Ελένη), s06 (Ελένη): pdflatex cannot typeset the name's έ (U+03AD GREEK SMALL "
        "LETTER EPSILON WITH TONOS) with the sheets' fonts (the .tex files are written)."
    ]
    assert "(tex) to" in result.stdout  # not "(tex, pdf)": two students have none
    for sid, name in (("s01", "김민준"), ("s02", "Anna Müller"), ("s04", "Ольга Иванова"), ("s05", "金敏俊")):
        for sheet in (out / "students" / sid / "worksheet.pdf", out / "keys" / sid / "key.pdf"):
            assert sheet.is_file(), sheet
            if shutil.which("pdftotext"):
                text = subprocess.run(["pdftotext", str(sheet), "-"], stdout=subprocess.PIPE).stdout.decode()
                # (the Korean fonts' Hanja come out as CJK compatibility ideographs: NFKC)
                assert name in unicodedata.normalize("NFKC", text), (sheet, text[:200])
    for sid in ("s03", "s06"):
        assert (out / "students" / sid / "worksheet.tex").is_file()
        assert not list((out / "students" / sid).glob("*.pdf"))
        assert not list((out / "keys" / sid).glob("*.pdf"))


@needs_pdflatex
def test_a_hangul_name_in_the_first_row_leaves_the_engine_on_and_the_pdfs_are_deterministic(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns01,김민준\ns02,Bob\ns03,이서연\n", encoding="utf-8")
    trees = []
    for folder in ("a", "b"):
        result = run("generate", "--students", str(roster), "--seed", "2026", "--out", str(tmp_path / folder),
                     "--format", "tex", "--families", FAMILIES, "--jobs", "2")
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        assert "(tex, pdf) to" in result.stdout
        trees.append({p.relative_to(tmp_path / folder): p.read_bytes() for p in (tmp_path / folder).rglob("*.pdf")})
    assert len([p for p in trees[0] if p.name in ("worksheet.pdf", "key.pdf")]) == 6
    assert trees[0] == trees[1]


@needs_pdflatex
def test_the_kotex_english_preamble_from_the_cached_format_is_the_full_runs_pdf(tmp_path):
    sheet = build_sheet(Student("s1", ""), 2026, sheet_plan(["forward_pass"], None))
    source = render_sheets(sheet.problems, sheet.keys, "tex", "en", {"id": "s1", "name": "김민준"}, 2026)["key"]
    cache = pdf.FormatCache(tmp_path / "cache")
    pdf.compile_pdf(ENGINE, source, tmp_path / "full.pdf", cache=None)
    pdf.compile_pdf(ENGINE, source, tmp_path / "fmt.pdf", cache=cache)
    assert [made for made in cache._made.values() if made]  # the format was used
    assert (tmp_path / "fmt.pdf").read_bytes() == (tmp_path / "full.pdf").read_bytes()


def test_a_first_sheet_that_fails_only_through_its_names_kotex_leaves_the_engine_on(tmp_path, monkeypatch):
    # a pdflatex without kotex (no texlive-lang-korean): the Hangul name's sheet fails, the
    # other students still get their PDFs, and the warning names the student and the file
    import os
    import stat
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "pdflatex"
    engine.write_text(
        "#!%s\nimport sys\nsource = open('sheet.tex', encoding='utf-8').read()\n"
        "if 'usepackage{kotex}' in source:\n"
        "    print(\"! LaTeX Error: File `kotex.sty' not found.\")\n    sys.exit(1)\n"
        "open('sheet.pdf', 'wb').write(b'%%PDF-fake')\n" % sys.executable, encoding="utf-8")
    engine.chmod(engine.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns01,김민준\ns02,Bob\ns03,\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run("generate", "--students", str(roster), "--out", str(out), "--format", "tex", "--families",
                 "forward_pass", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: no PDF for s01 (김민준): pdflatex failed: LaTeX Error: File `kotex.sty' not found. "
        "(the .tex files are written)."
    ]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf")) == [
        "keys/s02/key.pdf", "keys/s03/key.pdf", "students/s02/worksheet.pdf", "students/s03/worksheet.pdf"]
    assert "(tex) to" in result.stdout


@needs_pdflatex
@pytest.mark.parametrize("cached", [False, True])
def test_a_pdf_that_would_leave_out_characters_is_not_made(tmp_path, cached):
    # 张 (a simplified Chinese character) is in no font kotex has under pdfLaTeX: TeX sets the
    # page without it and only logs "Missing character"; such a PDF is refused
    sheet = build_sheet(Student("s1", ""), 2026, sheet_plan(["forward_pass"], None))
    source = render_sheets(sheet.problems, sheet.keys, "tex", "en", {"id": "s1", "name": "张伟"}, 2026)["worksheet"]
    assert "\\usepackage{kotex}" in source
    cache = pdf.FormatCache(tmp_path / "cache") if cached else None
    # (8: the name is on the sheet twice and in the running head of both its pages)
    with pytest.raises(pdf.PdfError, match=r"^pdflatex left out 8 characters its fonts do not have \(font \w+(, \w+)*\)$"):
        pdf.compile_pdf(ENGINE, source, tmp_path / "sheet.pdf", cache=cache)
    assert not (tmp_path / "sheet.pdf").exists()
    assert pdf.cannot_typeset(ENGINE, "张伟") == ["张", "伟"]  # generate does not even run TeX for it
