"""The given code of the exercises: what every skeleton module imports but no student writes.

``exercises/_common.py`` (``as_float``) is handed out with the skeleton, and every module
imports it (``from ._common import as_float``). A student who uploads only the module files
(the Gradescope autograder's own message lists them) or a class folder that lost the file
would otherwise fail every import with "No module named 'exercises._common'" and score
nothing for work that is right. The grader's private copy of a submission without the file
gets this one (``supply``); a student's own ``_common.py`` is graded as it is.

The text is the skeleton's, byte for byte (a test compares them); it is kept here because
the Gradescope autograder ships the grader, not the skeleton.
"""

from __future__ import annotations

import os

COMMON = '''"""Small helpers shared by the modules (given code, not part of any exercise)."""

import numpy as np


def as_float(x):
    """Return ``x`` as a NumPy array of a floating dtype.

    float32 and float64 input keep their dtype; integers, booleans and Python scalars
    become float64. The input array is never modified (a new array is made when the
    dtype changes, and callers never write into the result).
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return x
'''

#: {file name: text} of the given modules
FILES = {"_common.py": COMMON}


def supply(copy, ids=None):
    """Write each given module that the submission's private ``copy`` (its modules' folder)
    lacks; ``ids`` (uid, gid): the file becomes that user's alone, as ``private_copy``
    makes the rest. Returns the names written."""
    written = []
    for name, text in FILES.items():
        path = os.path.join(copy, name)
        if os.path.lexists(path) or os.path.lexists(path[:-3]):  # theirs (or a package of that name) wins
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600 if ids else 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
            if ids:
                os.fchown(fd, *ids)
        finally:
            os.close(fd)
        written.append(name)
    return written
