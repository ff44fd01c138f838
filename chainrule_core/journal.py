"""The journal a writing command keeps in its output folder, and the folder's lock.

``chainrule generate`` and ``chainrule notebook`` write a class one unit (a student, a
notebook) at a time. Until the last file is written the output folder holds a journal
(hidden): a first line, a JSON object with the format and the options that decide the files,
then one JSON line per unit, appended with one ``write`` once all of that unit's files are
written. The same command in that folder keeps what is complete and writes the rest; the
journal goes last. A torn last line (a crash mid-write) does not parse and is dropped.

What each command writes in its lines, and how it checks them, is its own; the file's shape,
its reading and appending, and the lock on the folder are here (stdlib only: importing this
loads neither sympy nor jinja2 nor nbformat).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

from chainrule_core.errors import ChainruleError
from chainrule_core.fileio import write_atomic

#: ``write_atomic``'s (and ``generate``'s writer's) temporary files: ``.NAME.XXXX.tmp``
TEMPORARY = re.compile(r"^\..+\.tmp$")


def read(path: Path, version: int) -> Optional[Tuple[dict, List[object]]]:
    """``(header, entries)`` of the journal ``path``: its first line (a JSON object whose
    "journal" is ``version`` and whose "options" is an object) and its other complete lines,
    each parsed (a line that does not parse is left out; the callers check each entry's
    fields). None when there is no journal this kit can read."""
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except OSError:
        return None
    try:
        header = json.loads(lines[0])
        if header.get("journal") != version or not isinstance(header.get("options"), dict):
            return None
    except (ValueError, AttributeError, TypeError):
        return None
    entries = []
    for line in lines[1:-1]:  # the last piece follows the last "\n": empty, or a torn line
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return header, entries


def plain(name) -> bool:
    """A plain relative path inside the output folder (no "..", no absolute or drive path)."""
    if not isinstance(name, str) or "\\" in name or name.startswith("/"):
        return False
    parts = name.split("/")
    return not any(part in ("", ".", "..") for part in parts) and ":" not in parts[0]


def there(out, name: str) -> bool:
    """``out/name`` is a file and not empty (none the kit writes is): a file removed since, or
    emptied by a machine's crash before it reached the disk (nothing is synced), is not."""
    try:
        return os.stat(os.path.join(out, name)).st_size > 0
    except OSError:
        return False


class Journal:
    """The journal being written: the header and the lines of the units kept, then a line
    per unit whose files are all written (``add``), appended with one ``write`` each;
    ``remove`` once the run is finished (``close`` leaves it for the next run)."""

    def __init__(self, path: Path, header: dict, kept: Iterable[Tuple[str, dict]]):
        self.path = Path(path)
        kept = list(kept)
        self.ids = {unit for unit, _ in kept}
        head = json.dumps(header, sort_keys=True, ensure_ascii=False)
        write_atomic(self.path, "".join([head + "\n"] + [self._line(entry) for _, entry in kept]))
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))

    @staticmethod
    def _line(entry: dict) -> str:
        return json.dumps(entry, ensure_ascii=False) + "\n"

    @property
    def count(self) -> int:
        return len(self.ids)

    def add(self, unit: str, entry: dict) -> None:
        if unit not in self.ids:
            os.write(self.fd, self._line(entry).encode("utf-8"))
            self.ids.add(unit)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def remove(self) -> None:
        self.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def remove(out: Path, path: Path) -> None:
    """Remove a file a run wrote below ``out``, then the folders it leaves empty (never ``out``
    itself); a one-line error when the file system refuses."""
    try:
        path.unlink()
    except OSError as exc:
        raise ChainruleError(f"Cannot remove the old file '{path}': {exc.strerror or exc}.") from exc
    folder = path.parent
    while folder != out:
        try:
            folder.rmdir()  # only when empty
        except OSError:
            break
        folder = folder.parent


def hold(out: Path, busy: str) -> Optional[int]:
    """Lock ``out`` (made if missing; ``flock`` on the folder itself, so nothing is written
    in it) for this run; the descriptor to close at the end, or None where there are no
    such locks. Another run holding it: a ChainruleError saying ``busy``."""
    try:
        import fcntl
    except ImportError:  # not on POSIX
        return None
    if out.exists() and not out.is_dir():
        return None  # check_out says so
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # the first file written says why
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise ChainruleError(busy) from None
    return fd
