"""PDFs through a cached format of the sheets' preamble (generator/pdf.py, issue 11's speed).

The oracle is the TeX engine itself, run on the whole source as a teacher would: a PDF
typeset from the dumped format must be the same file, byte for byte, in English and Korean,
worksheet and key, with the plots included. Skips without TeX.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pdf, worksheets
from generator.render import render_sheets
from generator.worksheets import Student, build_sheet, sheet_plan

ENGINES = {lang: pdf.tex_engine(lang) for lang in ("en", "ko")}
needs_tex = pytest.mark.skipif(None in ENGINES.values(), reason="needs TeX for English and Korean")
FAMILIES = ("output_update", "hidden_update", "activations", "learning_rate")


def _sources(lang, sid="pdf-a"):
    """{kind: (source, plot files)} of one student's worksheet and key, as generate writes them."""
    sheet = build_sheet(Student(sid, ""), 2026, sheet_plan(FAMILIES, None))
    texts = render_sheets(sheet.problems, sheet.keys, "tex", lang, {"id": sid, "name": ""}, 2026, "answers.toml")
    out = {}
    for kind, is_key in (("worksheet", False), ("key", True)):
        files = {}
        for key, problem in zip(sheet.keys, sheet.problems):
            if problem.figure and not isinstance(problem.figure, dict):
                files.update(problem.figure.files(("tex",), lang, key, is_key))
        out[kind] = (texts[kind], files)
    return out


@needs_tex
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pdf_from_the_cached_format_is_the_full_runs_pdf_byte_for_byte(tmp_path, lang):
    engine = ENGINES[lang]
    cache = pdf.FormatCache(tmp_path / "cache")
    sources = _sources(lang)
    assert any(files for _source, files in sources.values())  # the plots are part of it
    for kind, (source, files) in sources.items():
        pdf.compile_pdf(engine, source, tmp_path / f"{kind}-full.pdf", files, cache=None)
        pdf.compile_pdf(engine, source, tmp_path / f"{kind}-fmt.pdf", files, cache=cache)
        pdf.compile_pdf(engine, source, tmp_path / f"{kind}-fmt2.pdf", files, cache=cache)
        full = (tmp_path / f"{kind}-full.pdf").read_bytes()
        assert full.startswith(b"%PDF-")
        assert (tmp_path / f"{kind}-fmt.pdf").read_bytes() == full, kind
        assert (tmp_path / f"{kind}-fmt2.pdf").read_bytes() == full, kind
    # the format was really used: dumped once (worksheet and key share the preamble)
    if Path(engine).name in pdf.FORMAT_ENGINES:
        assert len(list((tmp_path / "cache").glob("*.fmt"))) == 1
        assert [made for made in cache._made.values() if made]


@needs_tex
def test_generate_writes_the_same_pdfs_with_and_without_the_format_cache(tmp_path, monkeypatch):
    # a class of 3 on 2 workers (forked after the first sheet dumped the format)
    worksheets.generate(out=tmp_path / "fmt", count=3, formats=["tex"], families=list(FAMILIES), jobs=2)
    monkeypatch.setattr(pdf.FormatCache, "get", lambda self, engine, preamble: None)
    worksheets.generate(out=tmp_path / "full", count=3, formats=["tex"], families=list(FAMILIES), jobs=2)
    made = sorted(p.relative_to(tmp_path / "full") for p in (tmp_path / "full").rglob("*.pdf"))
    sheets = [p for p in made if p.name in ("worksheet.pdf", "key.pdf")]
    assert len(sheets) == 6
    for name in made:
        assert (tmp_path / "fmt" / name).read_bytes() == (tmp_path / "full" / name).read_bytes(), name


@needs_tex
def test_a_preamble_that_leaves_material_on_the_page_is_compiled_in_full(tmp_path):
    # \vskip in the preamble puts glue on the main vertical list, which a format cannot keep
    source = ("\\documentclass{article}\n\\vskip 3cm\n\\begin{document}\nx\n\\end{document}\n")
    cache = pdf.FormatCache(tmp_path / "cache")
    assert cache.get(ENGINES["en"], pdf.split_preamble(source)[0]) is None
    pdf.compile_pdf(ENGINES["en"], source, tmp_path / "a.pdf", cache=cache)
    pdf.compile_pdf(ENGINES["en"], source, tmp_path / "b.pdf", cache=None)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@needs_tex
@pytest.mark.parametrize("cached", [True, False])
def test_a_tex_error_is_named_from_the_log(tmp_path, cached):
    source = "\\documentclass{article}\n\\begin{document}\n\\nosuchmacro\n\\end{document}\n"
    cache = pdf.FormatCache(tmp_path / "cache") if cached else None
    with pytest.raises(pdf.PdfError) as error:
        pdf.compile_pdf(ENGINES["en"], source, tmp_path / "a.pdf", cache=cache)
    assert str(error.value) == f"{Path(ENGINES['en']).name} failed: Undefined control sequence."
    assert not (tmp_path / "a.pdf").exists()


def test_a_second_process_finds_the_dumped_format_on_disk(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    engine = str(tmp_path / "pdflatex")
    key = pdf.FormatCache.key(engine, "PREAMBLE")
    (folder / f"sheet-{key}.fmt").write_bytes(b"fmt")
    (folder / f"sheet-{key}.restore").write_text("\\write-1{}\n", encoding="utf-8")
    cache = pdf.FormatCache(folder)
    monkeypatch.setattr(cache, "_dump", lambda *args: pytest.fail("dumped again"))
    assert cache.get(engine, "PREAMBLE") == (str(folder / f"sheet-{key}"), "\\write-1{}\n")
    assert pdf.FormatCache(folder).get(str(tmp_path / "lualatex"), "PREAMBLE") is None  # never for LuaLaTeX


def test_restore_reads_what_showlists_printed():
    log = ("junk\n### vertical mode entered at line 0\n### current page:\n\\write-{}\n"
           "\\pdfcolorstack 0 push {0 g 0 G}\n\nprevdepth 0.0\n\n! OK.\nl.30 ...\n")
    assert pdf._restore(log) == "\\write-1{}\n\\pdfcolorstack0 push{0 g 0 G}\n\\prevdepth=0.0pt\n"
    assert pdf._restore(log.replace("\\write-{}", "\\glue 10.0")) is None
    assert pdf._restore("no showlists here") is None


def test_split_preamble_only_at_a_line_start():
    source = "% \\begin{document} in a comment\n\\documentclass{article}\n\\begin{document}\nx\n"
    preamble, body = pdf.split_preamble(source)
    assert preamble.endswith("\\documentclass{article}\n") and body == "\\begin{document}\nx\n"
    assert pdf.split_preamble("no document") is None


def test_the_cache_folder_is_removed_by_the_process_that_made_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "made"))
    monkeypatch.setattr(pdf.atexit, "register", lambda fn: None)
    (tmp_path / "made").mkdir()
    cache = pdf.FormatCache()
    assert cache.folder == tmp_path / "made"
    cache.remove()
    assert not (tmp_path / "made").exists()


def test_worksheets_keeps_its_names_for_the_pdf_helpers():
    assert worksheets.compile_pdf is pdf.compile_pdf and worksheets.PdfError is pdf.PdfError
    assert worksheets.tex_engine is pdf.tex_engine


@needs_tex
def test_a_format_that_went_missing_falls_back_to_the_full_run(tmp_path):
    source = "\\documentclass{article}\n\\begin{document}\nx\n\\end{document}\n"
    cache = pdf.FormatCache(tmp_path / "cache")
    made = cache.get(ENGINES["en"], pdf.split_preamble(source)[0])
    assert made and Path(made[0] + ".fmt").is_file()
    Path(made[0] + ".fmt").unlink()        # e.g. a cleaner emptied /tmp during the run
    pdf.compile_pdf(ENGINES["en"], source, tmp_path / "a.pdf", cache=cache)
    pdf.compile_pdf(ENGINES["en"], source, tmp_path / "b.pdf", cache=None)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
