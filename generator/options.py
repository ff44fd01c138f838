"""The choices and defaults of ``chainrule generate``, in one place and without sympy.

The CLI takes its choices and defaults from here (so ``chainrule generate --help`` costs
no sympy), and ``generator.worksheets`` validates with the same tuples.
"""

from __future__ import annotations

from generator.i18n import LANGUAGES  # noqa: F401 - re-exported: the languages a sheet can be in

#: The course seed used when none is given (the sample set); the worksheets' only default.
DEFAULT_SEED = 2024
FORMATS = ("md", "html", "tex")
DEFAULT_FORMATS = FORMATS
DEFAULT_COUNT = 3
DEFAULT_OUT = "worksheets"
DEFAULT_LANG = "en"
