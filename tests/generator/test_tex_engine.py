"""Which TeX engine typesets a Korean sheet (issue 8): Debian's texlive-lang-korean has
kotex for pdfLaTeX only, so a lualatex there fails on luatexko.sty while pdflatex works."""

import os
import stat

from generator import worksheets


def _fake_tex(folder, found):
    """Fake lualatex, pdflatex and a kpsewhich that finds only the files in ``found``."""
    for name in ("lualatex", "pdflatex"):
        path = folder / name
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    cases = "".join(f'  {f}) echo /texmf/{f} ;;\n' for f in found)
    kpse = folder / "kpsewhich"
    kpse.write_text(f'#!/bin/sh\ncase "$1" in\n{cases}  *) exit 1 ;;\nesac\n')
    kpse.chmod(kpse.stat().st_mode | stat.S_IEXEC)


def test_tex_engine_for_korean_skips_an_engine_without_its_korean_package(tmp_path, monkeypatch):
    _fake_tex(tmp_path, ["cjkutf8-ko.sty"])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert worksheets.tex_engine("ko") == os.path.join(str(tmp_path), "pdflatex")
    assert worksheets.tex_engine("en") == os.path.join(str(tmp_path), "pdflatex")


def test_tex_engine_for_korean_prefers_lualatex_when_luatexko_is_there(tmp_path, monkeypatch):
    _fake_tex(tmp_path, ["cjkutf8-ko.sty", "luatexko.sty"])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert worksheets.tex_engine("ko") == os.path.join(str(tmp_path), "lualatex")


def test_tex_engine_for_korean_without_kotex_is_the_first_installed(tmp_path, monkeypatch):
    # its error ("kotex.sty not found") then tells the teacher what to install
    _fake_tex(tmp_path, [])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert worksheets.tex_engine("ko") == os.path.join(str(tmp_path), "lualatex")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert worksheets.tex_engine("ko") is None and worksheets.tex_engine("en") is None
