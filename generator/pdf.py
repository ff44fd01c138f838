"""PDFs from the sheets' TeX sources: which engine, and running it fast.

Every sheet of a class starts with the same preamble (``generator/templates/sheet.tex.j2``:
the document class, fonts, kotex, amsmath, graphicx, pict2e ...), and loading it is a good part of a
TeX run. So the preamble is compiled once per (engine, preamble) into a TeX *format*
(``engine -ini "&engine" preamble \\dump``), kept in a cache folder for the run, and each
sheet is typeset from ``\\begin{document}`` on with ``-fmt``: the same PDF, byte for byte,
without reading the packages again (``tests/generator/test_pdf.py`` compares both ways).

A format keeps TeX's memory but not what the preamble had already put on the page: the
preamble's leftovers on the main vertical list (LaTeX's colour stack push and an empty
``\\write``) are read from ``\\showlists`` while dumping and put back before
``\\begin{document}``; a preamble that leaves anything else there, an engine that cannot
dump it (XeTeX with fonts loaded, LuaTeX), or a dump that fails for any reason: that
preamble is compiled in full for every sheet, as without a cache.

Students' names: an English sheet's preamble loads kotex when its student's name has letters
beyond pdfLaTeX's T1 ones (``needs_kotex``: Hangul, and with kotex's fonts also Hanja, kana,
Greek and Cyrillic; a second format then, keyed by that preamble). A name with characters no
font of the preamble has (accented Greek, Vietnamese, Chinese simplified, Arabic, emoji ...)
is found before TeX runs (``cannot_typeset``), and a run whose log says TeX left out a
character is refused too: no PDF silently without letters of a name. Such a student's sheets
are typeset by XeLaTeX or LuaLaTeX when one is installed that can typeset the preamble
(``name_engine``: Latin Modern in OpenType, LuaLaTeX's luaotfload, kotex's package for it
when the name still needs kotex there); their .tex then loads kotex only for letters
beyond Latin (``needs_kotex(name, unicode=True)``: a Vietnamese name needs none). When none
is installed, the warning says what to install.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Dict, Optional

from chainrule_core.fileio import write_atomic

#: the engines that can typeset each language, in the order they are tried
TEX_ENGINES = {"en": ("pdflatex", "xelatex", "lualatex"), "ko": ("xelatex", "lualatex", "pdflatex")}

#: the package kotex loads under each engine (Debian's texlive-lang-korean has only the
#: pdfLaTeX one, so a lualatex there cannot typeset Korean while pdflatex can)
KOREAN_PACKAGE = {"xelatex": "xetexko.sty", "lualatex": "luatexko.sty", "pdflatex": "cjkutf8-ko.sty"}

#: the engines that set any character their fonts hold (Unicode input, OpenType fonts), in
#: the order ``name_engine`` tries them, and the files each needs for the sheets' preamble
#: beyond kotex's: Latin Modern in OpenType (TeX Live's lm; Debian's fonts-lmodern) and, for
#: LuaLaTeX, luaotfload (without it LuaLaTeX falls back to 7-bit fonts)
UNICODE_ENGINES = {"xelatex": ("lmroman10-regular.otf",), "lualatex": ("lmroman10-regular.otf", "luaotfload-main.lua")}
#: where a missing file comes from, for the warning (TeX Live's package; Debian's)
TEX_FILE_SOURCE = {
    "lmroman10-regular.otf": ("lm", "fonts-lmodern"),
    "luaotfload-main.lua": ("luaotfload", "texlive-luatex"),
    "xetexko.sty": ("xetexko", "texlive-lang-korean"),
    "luatexko.sty": ("luatexko", "texlive-luatex"),
}

#: engines whose formats are cached (LuaLaTeX's Lua callbacks do not survive \dump)
FORMAT_ENGINES = ("pdflatex", "xelatex")

#: the environment of every TeX run: dates fixed (reproducible PDFs)
TEX_ENV = {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
#: ... and of a run with a cached format: a missing one is an error, never built by mktexfmt
FMT_ENV = dict(TEX_ENV, MKTEXFMT="0")

BEGIN_DOCUMENT = "\\begin{document}"
TIMEOUT = 120


class PdfError(Exception):
    """The TeX engine could not make a PDF (the .tex source is written all the same)."""


@functools.lru_cache(maxsize=None)
def _has_tex_file(engine_path: str, name: str) -> bool:
    """Whether the TeX installation of ``engine_path`` has the file ``name`` (kpsewhich), asked
    once a process: each student whose name needs another engine asks again (``name_engine``)."""
    kpsewhich = Path(engine_path).with_name("kpsewhich")
    if not kpsewhich.exists():
        return True  # cannot tell: let the engine try
    try:
        found = subprocess.run([str(kpsewhich), name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return bool(found.stdout.strip())


def tex_engine(lang: str = "en") -> Optional[str]:
    """The first TeX engine installed that can typeset ``lang`` (None: no PDF). Without
    kotex for any of them, the first one installed: its error then names the missing file."""
    installed = [(name, shutil.which(name)) for name in TEX_ENGINES[lang]]
    installed = [(name, path) for name, path in installed if path]
    if lang == "ko":
        for name, path in installed:
            if _has_tex_file(path, KOREAN_PACKAGE[name]):
                return path
    return installed[0][1] if installed else None


# --- what pdfLaTeX can typeset -------------------------------------------------------------

#: the characters beyond ASCII that pdfLaTeX sets with inputenc (utf8) and the T1 encoding of
#: the sheets' preamble (the ones LaTeX's t1enc.dfu declares): accented Latin letters
_T1_RANGES = (
    (0x00A0, 0x00A1), (0x00A3, 0x00A3), (0x00AB, 0x00AB), (0x00AD, 0x00AD), (0x00BB, 0x00BB),
    (0x00BF, 0x00D6), (0x00D8, 0x00F6), (0x00F8, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E),
    (0x0141, 0x0148), (0x014A, 0x0165), (0x0168, 0x017E), (0x01C4, 0x01D4), (0x01E2, 0x01E3),
    (0x01E6, 0x01EB), (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233),
    (0x0237, 0x0237), (0x02D9, 0x02D9), (0x02DB, 0x02DB), (0x1E02, 0x1E03), (0x1E0D, 0x1E0D),
    (0x1E1E, 0x1E21), (0x1E25, 0x1E25), (0x1E30, 0x1E31), (0x1E37, 0x1E37), (0x1E43, 0x1E43),
    (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B), (0x1E63, 0x1E63), (0x1E6D, 0x1E6D),
    (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3), (0x2010, 0x2015), (0x2018, 0x201A),
    (0x201C, 0x201E), (0x2030, 0x2031), (0x2039, 0x203A),
)
_T1 = frozenset(chr(c) for low, high in _T1_RANGES for c in range(low, high + 1))


def _latin(char: str) -> bool:
    return " " <= char <= "~" or char in _T1


def _korean_font(char: str) -> bool:
    """Whether kotex under pdfLaTeX sets ``char``: every Hangul syllable, and the rest of
    the Korean standard character set KS X 1001 (Hanja, kana, Greek and Cyrillic letters
    without accents, symbols), which its fonts hold."""
    if "\uac00" <= char <= "\ud7a3":
        return True
    try:
        char.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True


def _latin_script(char: str) -> bool:
    """A letter of the Latin script (Vietnamese ễ, ơ, ư ...), which Latin Modern has in OpenType."""
    return unicodedata.name(char, "").startswith("LATIN ")


def needs_kotex(text: str, unicode: bool = False) -> bool:
    """Whether ``text`` (a student's name on an English sheet) has characters only kotex's
    fonts set (Hangul, Hanja, kana, Greek, Cyrillic): the sheet's preamble loads kotex then.
    Read as the sheet prints it: composed (NFC), an accent typed apart joined to its letter.
    With ``unicode`` (the sheet is for XeLaTeX or LuaLaTeX, ``name_engine``), letters of the
    Latin script need no kotex: Latin Modern in OpenType has them."""
    latin = (lambda c: _latin(c) or _latin_script(c)) if unicode else _latin
    return any(not latin(char) for char in unicodedata.normalize("NFC", text))


def cannot_typeset(engine: Optional[str], text: str) -> list:
    """The characters of ``text`` (a student's name) that ``engine`` cannot set with the
    sheets' preamble, in order, each once: known for pdfLaTeX (ASCII, T1's accented
    letters and, with kotex, KS X 1001); XeLaTeX and LuaLaTeX take any character their fonts
    hold (not checked here: an empty list)."""
    if not engine or Path(engine).name != "pdflatex":
        return []
    out = []
    for char in unicodedata.normalize("NFC", text):     # as the sheet prints it (render_sheets)
        if not (_latin(char) or _korean_font(char)) and char not in out:
            out.append(char)
    return out


def name_engine(lang: str, text: str) -> tuple:
    """For a name pdfLaTeX cannot set (``cannot_typeset``): (the path of the first installed
    engine of ``TEX_ENGINES[lang]`` that sets any character its fonts hold and has every file
    the sheet's preamble needs there, ""), or (None, what to install, as the end of a
    sentence). The preamble needs ``UNICODE_ENGINES``' files, and kotex's package for that
    engine when the sheet loads kotex (a Korean sheet, or ``needs_kotex(text, unicode=True)``)."""
    kotex = lang == "ko" or needs_kotex(text, unicode=True)
    lacking = []
    for name in TEX_ENGINES[lang]:
        if name not in UNICODE_ENGINES:
            continue
        path = shutil.which(name)
        if not path:
            continue
        needs = UNICODE_ENGINES[name] + ((KOREAN_PACKAGE[name],) if kotex else ())
        missing = [f for f in needs if not _has_tex_file(path, f)]
        if not missing:
            return path, ""
        packages = [TEX_FILE_SOURCE.get(f, (f, None)) for f in missing]
        debian = list(dict.fromkeys(d for _tl, d in packages if d))
        lacking.append(f"{name} here lacks {' and '.join(missing)}: install TeX Live's "
                       f"{' and '.join(tl for tl, _d in packages)}"
                       + (f" (Debian: {' and '.join(debian)})" if debian else "")
                       + f" and compile the .tex files with {name}")
    if lacking:
        return None, "; or ".join(lacking)
    return None, ("install XeLaTeX or LuaLaTeX (Debian: texlive-xetex or texlive-luatex) and compile the .tex files "
                  "with it")


def describe_characters(chars) -> str:
    """"έ (U+03AD GREEK SMALL LETTER EPSILON WITH TONOS), ..." for a warning."""
    import unicodedata

    return ", ".join(f"{c} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')})" for c in chars)


# --- the preamble as a format ---------------------------------------------------------------

#: what a preamble may leave on the main vertical list, as \showlists prints it, and how
#: to put it back (anything else: no format for that preamble)
_LEFTOVERS = (
    (re.compile(r"\\write-\{\}$"), lambda m: "\\write-1{}"),
    (re.compile(r"\\pdfcolorstack (\d+) (push|set) \{([0-9A-Za-z .]*)\}$"),
     lambda m: f"\\pdfcolorstack{m.group(1)} {m.group(2)}{{{m.group(3)}}}"),
    (re.compile(r"\\special\{(color push [0-9A-Za-z .]*)\}$"), lambda m: f"\\special{{{m.group(1)}}}"),
)
_SHOW = "{\\showboxdepth=1 \\showboxbreadth=100000 \\showlists}"


def split_preamble(source: str):
    """(preamble, body) of a LaTeX source, split before the first ``\\begin{document}`` at
    the start of a line; None when there is none."""
    match = re.search(r"^\\begin\{document\}", source, re.MULTILINE)
    if not match:
        return None
    return source[:match.start()], source[match.start():]


def _restore(log: str) -> Optional[str]:
    """The TeX lines that put back what the preamble left on the main vertical list, read
    from the dump's ``\\showlists``; None when something there cannot be put back."""
    start = log.find("### vertical mode entered at line 0")
    end = log.find("\n! OK", start)
    if start < 0 or end < 0:
        return None
    lines = []
    for line in log[start:end].splitlines()[1:]:
        line = line.strip()
        if not line or line in ("### current page:", "### recent contributions:", "prevdepth ignored"):
            continue
        depth = re.fullmatch(r"prevdepth (-?[0-9.]+)(, prevgraf .*)?", line)
        if depth:
            lines.append(f"\\prevdepth={depth.group(1)}pt")
            continue
        for pattern, make in _LEFTOVERS:
            found = pattern.match(line)
            if found:
                lines.append(make(found))
                break
        else:
            return None
    return "".join(line + "\n" for line in lines)


class FormatCache:
    """Formats of preambles, dumped once into ``folder`` and reused by every compilation
    (a worker process forked after the first dump finds it there too)."""

    def __init__(self, folder: Optional[Path] = None):
        self._folder = Path(folder) if folder is not None else None
        self._made: Dict[str, Optional[tuple]] = {}  # key: (format path without .fmt, restore lines) or None
        self._owner = os.getpid()

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="chainrule-texfmt-"))
            self._owner = os.getpid()
            atexit.register(self.remove)
        self._folder.mkdir(parents=True, exist_ok=True)
        return self._folder

    def remove(self) -> None:
        """Delete the folder (only in the process that made it)."""
        if self._folder is not None and os.getpid() == self._owner:
            shutil.rmtree(self._folder, ignore_errors=True)

    @staticmethod
    def key(engine: str, preamble: str) -> str:
        stamp = ""
        try:
            stat = os.stat(engine)
            stamp = f"{stat.st_size}-{stat.st_mtime_ns}"
        except OSError:
            pass
        text = "\0".join((os.path.realpath(engine), stamp, preamble))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def get(self, engine: str, preamble: str) -> Optional[tuple]:
        """(format path without ``.fmt``, the lines to put before the body), dumping it on
        first use; None when this preamble cannot be a format (compile it in full)."""
        if Path(engine).name not in FORMAT_ENGINES:
            return None
        key = self.key(engine, preamble)
        if key in self._made:
            return self._made[key]
        base = self.folder / f"sheet-{key}"
        restore_file = base.with_suffix(".restore")
        made = None
        if base.with_suffix(".fmt").exists() and restore_file.exists():  # dumped by another process
            made = (str(base), restore_file.read_text(encoding="utf-8"))
        else:
            made = self._dump(engine, preamble, base)
        self._made[key] = made
        return made

    def _dump(self, engine: str, preamble: str, base: Path) -> Optional[tuple]:
        name = Path(engine).name
        with tempfile.TemporaryDirectory(prefix="chainrule-texini-", dir=self.folder) as scratch:
            (Path(scratch) / "preamble.tex").write_text(preamble + _SHOW + "\\dump\n", encoding="utf-8")
            try:
                subprocess.run(
                    [engine, "-ini", "-interaction=batchmode", "-jobname=sheet", f"&{name}", "preamble.tex"],
                    cwd=scratch, env=dict(os.environ, **FMT_ENV), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=TIMEOUT,
                )
            except (OSError, subprocess.TimeoutExpired):
                return None
            fmt, log = Path(scratch) / "sheet.fmt", Path(scratch) / "sheet.log"
            if not fmt.is_file() or not log.is_file():
                return None
            text = log.read_text(encoding="utf-8", errors="replace")
            errors = [line for line in text.splitlines() if line.startswith("! ") and line != "! OK."]
            restore = _restore(text)
            if errors or restore is None:
                return None
            write_atomic(base.with_suffix(".restore"), restore)
            os.replace(fmt, base.with_suffix(".fmt"))  # same file system: atomic
        return str(base), restore


#: the cache of this run (a temporary folder, removed when the process that made it exits)
FORMATS = FormatCache()


# --- compiling -------------------------------------------------------------------------------

def _first_error(scratch: Path, output: bytes) -> str:
    log = scratch / "sheet.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    text += "\n" + output.decode("utf-8", "replace")
    first = next((line for line in text.splitlines() if line.startswith("!")), "see its log")
    return first.lstrip("! ").strip()


def compile_pdf(engine: str, source: str, target: Path, files=None, cache: Optional[FormatCache] = FORMATS) -> None:
    """Run the TeX engine on ``source`` in a scratch folder holding ``files`` ({relative
    path: bytes}, the figures the sheet includes); write ``target`` atomically. With a
    ``cache`` (default: this run's), the preamble comes from its format (see the module
    docstring); ``cache=None`` compiles the whole source. A run from the format that fails
    is run again in full: the error reported is always the whole source's."""
    parts = split_preamble(source) if cache is not None else None
    made = cache.get(engine, parts[0]) if parts else None
    if made:
        try:
            return _compile(engine, source, target, files, made, parts[1])
        except PdfError:
            pass
    _compile(engine, source, target, files)


def _compile(engine, source, target, files, made=None, body=None) -> None:
    with tempfile.TemporaryDirectory(prefix="chainrule-tex-") as scratch:
        scratch = Path(scratch)
        for name, data in (files or {}).items():
            (scratch / name).parent.mkdir(parents=True, exist_ok=True)
            (scratch / name).write_bytes(data)
        command, env = [engine, "-interaction=batchmode", "-halt-on-error"], TEX_ENV
        if made:
            fmt, restore = made
            (scratch / "sheet-body.tex").write_text(restore + body, encoding="utf-8")
            command, env = command + [f"-fmt={fmt}", "-jobname=sheet", "sheet-body.tex"], FMT_ENV
        else:
            (scratch / "sheet.tex").write_text(source, encoding="utf-8")
            command += ["sheet.tex"]
        try:
            result = subprocess.run(command, cwd=scratch, env=dict(os.environ, **env),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"{Path(engine).name} could not run: {exc}") from None
        pdf = scratch / "sheet.pdf"
        if result.returncode != 0 or not pdf.exists():
            raise PdfError(f"{Path(engine).name} failed: {_first_error(scratch, result.stdout)}")
        lost = _lost_characters(scratch)
        if lost:  # a PDF that silently leaves out letters (of a name, say) is no sheet to hand out
            raise PdfError(f"{Path(engine).name} left out {lost}")
        write_atomic(target, pdf.read_bytes())


def _lost_characters(scratch: Path) -> str:
    """What TeX's "Missing character: There is no ... in font ...!" lines say (it sets the page
    without them and only logs them): "2 characters its fonts do not have (font uwmj5f)", or ""."""
    log = scratch / "sheet.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    lines = [line for line in text.splitlines() if line.startswith("Missing character: ")]
    if not lines:
        return ""
    fonts = sorted({m.group(1) for m in (re.search(r" in font (\S+?)!?$", line) for line in lines) if m})
    count = f"{len(lines)} characters" if len(lines) > 1 else "a character"
    return f"{count} its fonts do not have" + (f" (font {', '.join(fonts)})" if fonts else "")
