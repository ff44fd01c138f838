"""The one progress helper: a single status line on a terminal's stderr.

``Progress(label)`` is called as ``progress(done, total, item)`` (the callback that
``grader.grade_submission`` and batch loops take) and rewrites one line,
``"<label> <done>/<total> <item>"``, in place; ``clear()`` (or leaving a ``with`` block)
erases it. It writes nothing at all when stderr is not a terminal (logs, pipes, CI), so
reports and machine-readable output are never mixed with it. No dependency: it is used
below the CLI as well as by it.
"""

from __future__ import annotations

import sys


def is_terminal(stream) -> bool:
    """Whether ``stream`` (``sys.stdout``, ``sys.stderr``) is a terminal; False for a pipe, a
    file, and for None (the process was started with that descriptor closed)."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):       # a closed stream
        return False


class Progress:
    """A one-line progress indication on a terminal's stderr (nothing otherwise)."""

    def __init__(self, label: str, min_total: int = 1):
        self.label = label
        self.min_total = min_total      # fewer items than this: no line at all
        self.stream = sys.stderr
        self.enabled = is_terminal(self.stream)
        self.width = 0

    def __call__(self, done: int, total: int, item: str = "") -> None:
        if not self.enabled or total < self.min_total:
            return
        line = f"{self.label} {done}/{total}" + (f" {item}" if item else "")
        pad = max(0, self.width - len(line))
        self.width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.clear()
        return False
