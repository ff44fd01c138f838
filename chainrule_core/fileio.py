"""Writing files the way every chainrule command does: atomically, never clobbering.

A reader (a browser, CI, another ``chainrule`` process) never sees a half-written file:
data goes to a temporary file in the same folder, then ``os.replace`` swaps it in. The
result gets the permissions an ordinary ``open()`` would give (0666 less the umask), not
the 0600 of ``tempfile.mkstemp``, so worksheets copied to a course folder stay readable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from chainrule_core.errors import ChainruleError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_folder(path: Path) -> None:
    """Make ``path``'s folder and its missing parents; a file standing where a folder must be
    is named (mkdir alone says only "File exists")."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for folder in reversed((path.parent, *path.parent.parents)):
            if folder.exists() and not folder.is_dir():
                raise ChainruleError(f"Cannot write '{path}': '{folder}' is a file, not a folder.") from None
        raise


def write_atomic(path, data, *, force: bool = True, make_parents: bool = True) -> Path:
    """Write ``data`` (str as UTF-8 with "\\n" newlines, or bytes) to ``path`` atomically.

    With ``force=False`` an existing file is left alone and a ``ChainruleError`` says so.
    File-system failures (a parent that is a file, no permission, a full disk) become a
    ``ChainruleError`` naming the path and the reason.
    """
    path = Path(path)
    if path.exists() and not force:
        raise ChainruleError(f"Output file '{path}' already exists; pass --force to overwrite it.")
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = None
    try:
        if make_parents:
            _make_folder(path)
        elif not path.parent.is_dir():
            raise ChainruleError(f"Cannot write '{path}': the folder '{path.parent}' does not exist.")
        fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=str(path.parent))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ChainruleError(f"Cannot write '{path}': {exc.strerror or exc}.") from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path


#: the byte order mark that starts every CSV file the kit writes for a spreadsheet or an LMS
#: import: without it Excel reads a CSV in the system's code page (CP949 on Korean Windows,
#: CP1252 in Western Europe) and garbles every name that is not ASCII; Canvas, Moodle and
#: Python's ``utf-8-sig`` read it as UTF-8 and drop the mark.
CSV_BOM = "\ufeff"


def spreadsheet_csv(text: str) -> str:
    """The text of a CSV file for a spreadsheet: ``text`` with ``CSV_BOM`` in front (once).
    Only for files: a CSV printed to a terminal or a pipe stays without it."""
    return text if text.startswith(CSV_BOM) else CSV_BOM + text


#: what makes a spreadsheet read a CSV cell as a formula (OWASP's list: = + - @, tab, CR)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """A text cell of a CSV made for a spreadsheet or an LMS import (ids, names, file names,
    notes: text a student chose), never read as a formula: one starting with ``= + - @``, a tab
    or a carriage return gets a leading apostrophe, which spreadsheets show as text and hide
    (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``). Numbers are written as they are elsewhere."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
