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
    warnings = result.stderr.splitlines()
    made = ["s01", "s02", "s04", "s05"]
    if pdf.name_engine("en", "Ελένη")[0] is None or warnings:
        # no XeLaTeX or LuaLaTeX here that can set it (what to install depends on the engines here:
        # test_a_name_no_engine_here_can_set_...), or one that left the έ out
        assert len(warnings) == 1
        assert warnings[0].startswith(
            "Warning: no PDF for s03 (Ελένη), s06 (Ελένη): pdflatex cannot typeset the name's έ (U+03AD GREEK "
            "SMALL LETTER EPSILON WITH TONOS)"), warnings
        assert warnings[0].endswith(" (the .tex files are written).")
        assert "(tex) to" in result.stdout  # not "(tex, pdf)": two students have none
        for sid in ("s03", "s06"):
            assert (out / "students" / sid / "worksheet.tex").is_file()
            assert not list((out / "students" / sid).glob("*.pdf"))
            assert not list((out / "keys" / sid).glob("*.pdf"))
    else:  # LuaLaTeX (or XeLaTeX) with luatexko here set it
        made += ["s03", "s06"]
    names = dict(s01="김민준", s02="Anna Müller", s03="Ελένη", s04="Ольга Иванова", s05="金敏俊", s06="Ελένη")
    for sid in made:
        name = names[sid]
        for sheet in (out / "students" / sid / "worksheet.pdf", out / "keys" / sid / "key.pdf"):
            assert sheet.is_file(), sheet
            if shutil.which("pdftotext"):
                text = subprocess.run(["pdftotext", str(sheet), "-"], stdout=subprocess.PIPE).stdout.decode()
                # (the Korean fonts' Hanja come out as CJK compatibility ideographs: NFKC)
                assert name in unicodedata.normalize("NFKC", text), (sheet, text[:200])


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


# --- a name pdfLaTeX cannot set: XeLaTeX or LuaLaTeX for that student (trial 17a, finding 3) ---

VIETNAMESE = "Nguyễn Văn An"


def test_a_latin_name_needs_no_kotex_for_xelatex_or_lualatex():
    assert pdf.needs_kotex(VIETNAMESE) and not pdf.needs_kotex(VIETNAMESE, unicode=True)
    for name in ("김민준", "Ελένη", "Ольга", "Nguyễn 민준"):
        assert pdf.needs_kotex(name, unicode=True), name


def _fake_engines(folder, engines, found):
    """Fake TeX engines that write a PDF naming themselves (and fail on kotex when its package
    is not in ``found``), and a kpsewhich that finds only the files in ``found``."""
    import stat
    import sys

    folder.mkdir(exist_ok=True)
    for name in engines:
        package = pdf.KOREAN_PACKAGE[name]
        engine = folder / name
        engine.write_text(
            "#!%s\nimport sys\nsource = open('sheet.tex', encoding='utf-8').read()\n"
            "if 'usepackage{kotex}' in source and %r not in %r:\n"
            "    print(\"! LaTeX Error: File `%s' not found.\")\n    sys.exit(1)\n"
            "open('sheet.pdf', 'w', encoding='utf-8').write('%%PDF-fake %s ' + source)\n"
            % (sys.executable, package, list(found), package, name), encoding="utf-8")
        engine.chmod(engine.stat().st_mode | stat.S_IEXEC)
    cases = "".join(f'  {f}) echo /texmf/{f} ;;\n' for f in found)
    kpse = folder / "kpsewhich"
    kpse.write_text(f'#!/bin/sh\ncase "$1" in\n{cases}  *) exit 1 ;;\nesac\n')
    kpse.chmod(kpse.stat().st_mode | stat.S_IEXEC)
    return folder


def test_which_engine_sets_a_name_pdflatex_cannot(tmp_path, monkeypatch):
    fonts = ["lmroman10-regular.otf", "luaotfload-main.lua"]
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "a", ("pdflatex", "lualatex"), fonts)))
    assert pdf.name_engine("en", VIETNAMESE) == (str(tmp_path / "a" / "lualatex"), "")
    # a name that still needs kotex there needs its package
    engine, remedy = pdf.name_engine("en", "Nguyễn 민준")
    assert engine is None and remedy == (
        "lualatex here lacks luatexko.sty: install TeX Live's luatexko (Debian: texlive-luatex) and compile the .tex "
        "files with lualatex")
    # Debian's lualatex without texlive-luatex: no luaotfload
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "b", ("pdflatex", "lualatex"), fonts[:1])))
    assert pdf.name_engine("en", VIETNAMESE) == (None, (
        "lualatex here lacks luaotfload-main.lua: install TeX Live's luaotfload (Debian: texlive-luatex) and compile "
        "the .tex files with lualatex"))
    # XeLaTeX is tried first
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "c", ("pdflatex", "xelatex", "lualatex"), fonts)))
    assert pdf.name_engine("en", VIETNAMESE) == (str(tmp_path / "c" / "xelatex"), "")
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "d", ("pdflatex",), fonts)))
    assert pdf.name_engine("en", VIETNAMESE) == (None, (
        "install XeLaTeX or LuaLaTeX (Debian: texlive-xetex or texlive-luatex) and compile the .tex files with it"))


def _generate(tmp_path, out):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,name\ns01,{VIETNAMESE}\ns02,Anna Müller\n", encoding="utf-8")
    result = run("generate", "--students", str(roster), "--seed", "2026", "--out", str(out), "--format", "tex",
                 "--families", "forward_pass", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return result


def test_a_name_pdflatex_cannot_set_is_typeset_by_lualatex_when_it_can(tmp_path, monkeypatch):
    fonts = ["lmroman10-regular.otf", "luaotfload-main.lua", "cjkutf8-ko.sty"]
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "bin", ("pdflatex", "lualatex"), fonts)))
    out = tmp_path / "o"
    result = _generate(tmp_path, out)
    assert result.stderr == ""
    assert "(tex, pdf) to" in result.stdout
    for sid, engine in (("s01", "lualatex"), ("s02", "pdflatex")):
        for made in (out / "students" / sid / "worksheet.pdf", out / "keys" / sid / "key.pdf"):
            assert made.read_text(encoding="utf-8").startswith(f"%PDF-fake {engine} "), made
    # the .tex written is the one typeset: no kotex for a Latin name under LuaLaTeX
    tex = (out / "students" / "s01" / "worksheet.tex").read_text(encoding="utf-8")
    assert VIETNAMESE in tex and "\\usepackage{kotex}" not in tex
    assert (out / "students" / "s01" / "worksheet.pdf").read_text(encoding="utf-8").endswith(tex)


def test_a_name_no_engine_here_can_set_gets_a_warning_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(_fake_engines(tmp_path / "bin", ("pdflatex", "lualatex"), ["lmroman10-regular.otf"])))
    out = tmp_path / "o"
    result = _generate(tmp_path, out)
    assert result.stderr.splitlines() == [
        f"Warning: no PDF for s01 ({VIETNAMESE}): pdflatex cannot typeset the name's ễ (U+1EC5 LATIN SMALL LETTER E "
        "WITH CIRCUMFLEX AND TILDE) with the sheets' fonts, and no other TeX engine here can: lualatex here lacks "
        "luaotfload-main.lua: install TeX Live's luaotfload (Debian: texlive-luatex) and compile the .tex files with "
        "lualatex (the .tex files are written)."]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf")) == ["keys/s02/key.pdf",
                                                                          "students/s02/worksheet.pdf"]
    # the .tex is the one that engine would typeset
    assert "\\usepackage{kotex}" not in (out / "students" / "s01" / "worksheet.tex").read_text(encoding="utf-8")


LUALATEX = shutil.which("lualatex")
needs_unicode_lualatex = pytest.mark.skipif(
    LUALATEX is None or not all(pdf._has_tex_file(LUALATEX, f) for f in pdf.UNICODE_ENGINES["lualatex"])
    or not shutil.which("pdftotext"), reason="needs lualatex with luaotfload and Latin Modern in OpenType, and pdftotext")


@needs_unicode_lualatex
def test_a_vietnamese_name_gets_real_pdfs_from_lualatex(tmp_path):
    if shutil.which("xelatex"):
        pytest.skip("xelatex would be tried first")
    out = tmp_path / "o"
    result = _generate(tmp_path, out)
    assert result.stderr == "", result.stderr
    for made in (out / "students" / "s01" / "worksheet.pdf", out / "keys" / "s01" / "key.pdf"):
        text = subprocess.run(["pdftotext", str(made), "-"], stdout=subprocess.PIPE).stdout.decode()
        assert f"Worksheet: {VIETNAMESE}" in text or f"Answer key: {VIETNAMESE}" in text, text[:300]


def test_the_tex_of_a_name_pdflatex_cannot_set_is_the_same_with_or_without_a_tex_engine(tmp_path, monkeypatch):
    """Review 17: the .tex of such a name loaded kotex when no TeX engine was installed and not
    when one was: the same seed and roster gave other files on another machine."""
    texts = {}
    for engines in ((), ("pdflatex",), ("pdflatex", "lualatex")):
        folder = tmp_path / ("bin-" + "-".join(engines))
        monkeypatch.setenv("PATH", str(_fake_engines(folder, engines, ["lmroman10-regular.otf"])))
        out = tmp_path / ("o-" + "-".join(engines))
        _generate(tmp_path, out)
        texts[engines] = {name: (out / "students" / "s01" / name).read_bytes()
                          for name in ("worksheet.tex",)} | {"key.tex": (out / "keys" / "s01" / "key.tex").read_bytes()}
    assert texts[()] == texts[("pdflatex",)] == texts[("pdflatex", "lualatex")]
    assert b"\\usepackage{kotex}" not in texts[()]["worksheet.tex"]
