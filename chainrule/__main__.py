"""``python -m chainrule``: the CLI, never importing anything from the current folder.

``python -m`` puts the current folder first on ``sys.path``; in a student's folder a
``click.py``, ``numpy.py`` or ``solutions/`` there would then be imported by the grader
itself, with its privileges. It is removed before anything else is imported (the
``chainrule`` package itself imports nothing).
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.curdir, os.getcwd()):
    del sys.path[0]

from chainrule.cli import main  # noqa: E402

main()
