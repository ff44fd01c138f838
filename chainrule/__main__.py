"""``python -m chainrule``: the CLI, never importing anything from the current folder.

``python -m`` puts the current folder first on ``sys.path``; in a student's folder a
``click.py``, ``numpy.py`` or ``solutions/`` there would then be imported by the grader
itself, with its privileges. It is removed before anything else is imported (the
``chainrule`` package itself imports nothing), unless the current folder is the kit's
own checkout, where ``chainrule`` itself was found (a developer running it in place).
"""

import os
import sys

_KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if (sys.path and sys.path[0] in ("", os.curdir, os.getcwd())
        and os.path.realpath(sys.path[0] or os.curdir) != os.path.realpath(_KIT)):
    del sys.path[0]

from chainrule.cli import run  # noqa: E402

run()
