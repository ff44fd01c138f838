"""Grading notebooks: a ``.ipynb`` (or a folder of them) becomes a folder of modules.

``chainrule grade`` accepts a single notebook, or a folder holding ``<module>.ipynb``
notebooks instead of ``exercises/*.py``. The notebook is read here, in the parent, as JSON
(never with nbformat: the grade path keeps its import budget) and size-limited; its code
cells are written, in order, as files of a private temporary folder, beside one module
per contract module that runs them when the child imports it. That folder is then graded
by the ordinary engine, in the ordinary sandbox, so every confinement of a module
submission holds for a notebook too.

Running the cells, the module does what "Run all" does with one difference: a cell that
raises is reported ("hw.ipynb, cell 7, line 3: NameError: ...") and the cells after it
still run, so the functions defined before it (and after it) are graded. Each cell is compiled
with the ``__future__`` imports of the cells before it, as Jupyter compiles them. All cells together
may take ``CELLS_SHARE`` of the time limit: a cell still running then is stopped and
reported, and of the cells after it only the ``def``, ``class`` and ``import`` statements
run (a training loop left in a cell costs no function its grade). Check cells
(``check(...)``, ``from chainrule.notebook import check``) are left out; IPython syntax
(``%magic``, ``!shell``, ``%%cell magic``, ``name?``) is left out with a note (the
cell under ``%%time`` or ``%%capture`` still runs). Grading runs with NumPy and the standard
library only, so plotting is left out too, with one note per notebook (``Plotting``): the
imports of a plotting library (matplotlib, seaborn, ...), ``%matplotlib``, and the top-level
statements that use what they bound (``plt.plot(...)``, ``fig, ax = plt.subplots()``, a
call of a helper that plots); display code likewise (pandas' ``df.plot(...)``, IPython's
``display(...)``, ``from IPython.display import HTML`` and its uses), whatever else such a
statement does (while grading it would raise at the plotting name, stopping its cell); of an
``if``, ``for`` or ``with`` whose body only plots, a header that binds what code may need (an
``if`` test's ``:=``, a ``for`` or ``with`` name the cell reads later) still runs, the body made
``pass``, and any other goes with its body; of a loop, ``if``, ``with`` or ``try`` whose body
also does other work (a training loop that plots each epoch), the header and that work run and
each run of plotting statements in it becomes ``pass`` (nested statements likewise), unless its
header plots or it is a ``while`` whose test reads what the plotting left out binds (kept
whole: it fails at the plotting name, stopping its cell). Statements are judged in order: what
a statement left out binds (``fig, ax = plt.subplots()``) is plotting for the code after it
(``_shows_only``). A cell that imports another library missing there (scipy, pandas) is
reported as saying so. Cells are numbered from the top of the notebook, Markdown cells
included, from 1. That cleaning is done here, in the grading process, on at most
``MAX_ANALYSED_BYTES`` of a submission's cells (``Analysis``): a cell that no longer fits
runs as written, with a note, and the smaller cells after it are still cleaned while they fit.

A single notebook is run once and every contract module re-exports its names, so a
student may put any function in any cell of any notebook; grading defaults to the module
the notebook is for (its ``metadata.chainrule.module``, else its file name) when that is
a contract module. In a folder, ``<module>.ipynb`` (or a notebook whose metadata names the
module) is that module; other notebooks (``your_worksheet.ipynb``) are not graded.

A notebook's cell for a function of another notebook (``sigmoid`` in network.ipynb, where the
student pastes their own), left as built, raises NotImplementedError for every function that
calls it: those functions are written, so the report names the cell to paste into ("forward
calls sigmoid, whose cell (network.ipynb, cell 6) still raises NotImplementedError: paste your
sigmoid ...", ``grader.calls``) and they are not counted as "not implemented".

A percent script (``<module>.pct.py``, jupytext's percent format, VS Code's and Spyder's
cells) is graded by its cells as a notebook is: the cells between its ``# %%`` lines
(``percent_cells``; the code before the first one is a cell too, a ``# %% [markdown]`` cell is
text, a ``# %%`` line inside a string literal is none, a script without ``# %%`` lines is one cell) are cleaned and run as code cells are, a
cell that raises or runs forever costing only itself. The script is written as one file, each
cell in its place, and each cell is compiled as the script's lines, so frames, notes, a syntax
error's message and the parser's warnings name the line of the file the student edits ("activations.pct.py, line 74"; a note on a whole cell:
"activations.pct.py, the cell at lines 89-100").

Reports name the notebook, never the temporary folder: ``relabel`` rewrites the paths.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile

from chainrule_core.contract import CONTRACT
from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError
from grader import janitor
from grader.limits import DEFAULT_TIMEOUT, MAX_ANALYSED_BYTES, MAX_CLEAN_BYTES, MAX_NOTEBOOK_BYTES, mb
from grader.locate import NOT_SUBMITTED

CELLS_SHARE = 0.6       # of the import's time limit, for all the cells of a notebook

SUFFIX = ".ipynb"
#: a notebook as a ``# %%`` percent script (``chainrule notebook`` writes ``<module>.pct.py``):
#: graded by its ``# %%`` cells as a notebook's cells are (``percent_cells``), as ``check()``
#: grades it when run with python
SCRIPT_SUFFIX = ".pct.py"
SCRIPT_LABEL = "script"
# the converted folder's name: also importable in the child, so never a name a student imports
PACKAGE_DIR = "_chainrule_notebook"
RUNNER = "_notebook_runner"
SHARED = "_notebook"

#: what the runner's notes on the cells start with in the captured output, with a mark of the
#: run (``_mark``: never a line the student's code prints, review 15): ``relabel`` takes them out
#: of the graded functions' output into the result's ``notes`` (shown whatever passes)
NOTE_MARK = "[notebook "

#: Libraries that only draw. Grading runs with NumPy and the standard library only (by design:
#: the sandbox lets the child read nothing else), so what uses them is left out (``Plotting``).
PLOTTING = ("matplotlib", "pylab", "seaborn", "plotly", "bokeh", "altair", "plotnine")
#: Modules that only display in Jupyter (display, HTML, Markdown, Image, clear_output): what is
#: imported from them is left out as plotting is (``Plotting``), named "display code" in the note.
DISPLAY_MODULES = ("IPython.display", "IPython.core.display")
DISPLAY_LIBRARY = "IPython"
#: IPython's ``display()`` needs no import in a notebook (a builtin there): it is display code
#: from a notebook's first cell until the notebook binds the name itself
DISPLAY_BUILTINS = ("display",)
#: pandas' plotting accessor: ``df.plot(...)``, ``series.plot.hist()`` draw (pandas itself is
#: data, not plotting: its import is never left out)
PLOT_ACCESSOR = "plot"

# What the child runs to execute the cells (a module of the submission package; numpy-free).
RUNNER_SOURCE = '''\
"""Runs a notebook's code cells in order (written by chainrule's grader, not the student)."""

import errno as _errno
import os as _os
import signal as _signal
import sys as _sys
import time as _time


class _CellTimeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _CellTimeout()


def _line(exc, path):
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
            break
        tb = tb.tb_next
    return line


def _future_flags(code):
    """The ``__future__`` features ``code`` was compiled with (its cell's own ``from __future__
    import annotations``, or those of the cells before it): carried into the next cell's compile,
    as IPython's codeop carries them from cell to cell."""
    import __future__

    flags = 0
    for name in __future__.all_feature_names:
        flag = getattr(__future__, name).compiler_flag
        if code.co_flags & flag:
            flags |= flag
    return flags


def _parse(source, path, first=1):
    """The AST of ``source``, the lines of ``path`` from line ``first`` on, numbered as there: a
    SyntaxError names them in its message too ("expected an indented block after 'if'
    statement on line 12", "(detected at line 4)"), and so does a warning of the parser (3.12:
    an invalid escape sequence is its SyntaxWarning), raised again on the script's line."""
    import ast
    import warnings

    if first == 1:
        return ast.parse(source, path)
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = ast.parse(source, path)
        except SyntaxError as exc:
            error = exc
    for warning in caught:
        line = warning.lineno + first - 1 if warning.filename == path and warning.lineno else warning.lineno
        warnings.warn_explicit(warning.message, warning.category, warning.filename, line)
    if error is not None:
        import re

        if error.lineno:
            error.lineno += first - 1
        if getattr(error, "end_lineno", None):
            error.end_lineno += first - 1
        if isinstance(error.msg, str):
            error.msg = re.sub("(on line |detected at line )([0-9]+)",
                               lambda m: m.group(1) + str(int(m.group(2)) + first - 1), error.msg)
        raise error
    ast.increment_lineno(tree, first - 1)
    return tree


def _definitions(source, path, first=1, flags=0):
    import ast

    try:
        tree = _parse(source, path, first)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    tree.body = [node for node in tree.body if isinstance(node, kinds)]
    return compile(tree, path, "exec", flags=flags, dont_inherit=True) if tree.body else None


def _compile(source, path, first=1, flags=0):
    """``source`` compiled as the lines of ``path`` from line ``first`` on (a cell of a percent
    script: its frames and errors name the script's own lines, ``_parse``), with the
    ``__future__`` features ``flags`` of the cells before it."""
    if first == 1:
        return compile(source, path, "exec", flags=flags, dont_inherit=True)
    return compile(_parse(source, path, first), path, "exec", flags=flags, dont_inherit=True)


def _import_hint(exc, source, line):
    """For a cell that imports from the exercises as their .py files do (``from .activations
    import sigmoid``) and fails: what works in a notebook instead (``line``: of the cell)."""
    import ast

    if not isinstance(exc, ImportError) or not line or line < 1:
        return ""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return ""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.lineno <= line <= (node.end_lineno or node.lineno):
            parts = (node.module or "").split(".")
            if not (node.level or parts[0] in __MODULES__ + ("exercises",)):
                return ""
            names = " and ".join(a.name for a in node.names)
            module = parts[-1] if parts[-1] in __MODULES__ else None
            paste = f" (paste your own from {module}.ipynb)" if module and module != "_common" else ""
            return (f". In a notebook, define {names} in a cell{paste} instead of importing it: the "
                    "cells of a notebook share their names, and Jupyter cannot import from another notebook")
    return ""


def _missing_hint(exc, plotting):
    """For a cell that imports a library grading does not have (scipy, or matplotlib inside
    a function), or uses a name of the plotting left out: what grading runs with."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top == "numpy" or top in _sys.stdlib_module_names or top in __MODULES__ + ("exercises", "chainrule"):
            return ""
        if top in __PLOTTING__:
            return (f". Grading runs with NumPy and the standard library only: {top} is not available "
                    "while grading; keep plotting in cells of their own, which grading leaves out")
        if top == __DISPLAY_LIBRARY__:
            return (f". Grading runs with NumPy and the standard library only: {top} is not available "
                    "while grading; keep display code in cells of their own, which grading leaves out")
        return (f". Grading runs with NumPy and the standard library only: {top} is not available while "
                "grading, so the exercises may use only those")
    if isinstance(exc, NameError) and getattr(exc, "name", None) in plotting:
        if plotting[exc.name] == "display":
            return (f". {exc.name} is display code ({__DISPLAY_LIBRARY__}), which grading leaves out (it runs "
                    "with NumPy and the standard library only): keep display code in cells of their own")
        return (f". {exc.name} is plotting, which grading leaves out (it runs with NumPy and the standard "
                "library only): keep plotting in cells of their own")
    return ""


def run(namespace, label, cells, notes, shown, budget=None, plotting=None, mark=""):
    """Run ``cells`` in ``namespace``: each the name of a cell's file in the folder ``label``,
    or ``[file, first, last]``, a cell of a percent script: its lines ``first`` to ``last`` of
    the script ``file`` (frames and notes name the script's lines); ``notes``: the numbers of
    the grader's notes on them to say (their text stays with the grader); ``budget``: seconds
    all cells may take together (a cell still running then is stopped and reported; of the
    cells after it only the definitions run); ``plotting``: the names the plotting and display
    code left out had bound, each with its kind (``{"plt": "plotting", "HTML": "display"}``);
    ``mark``: what every note starts with (the grader takes only those lines as notes)."""
    def _say(text):
        _sys.stderr.write(mark + " " + text + "\\n")
        _sys.stderr.flush()

    plotting = plotting or {}
    here = _os.path.dirname(_os.path.abspath(__file__))
    for note in notes:
        _sys.stderr.write(f"{mark}={int(note)}\\n")
        _sys.stderr.flush()
    texts = {}      # a script's lines, read once for all its cells
    future = 0      # the __future__ features of the cells compiled so far (as in Jupyter)
    start = _time.monotonic()
    old = _signal.signal(_signal.SIGALRM, _alarm) if budget else None
    try:
        for cell in cells:
            if isinstance(cell, str):
                cell, first, last = cell, 1, None
            else:
                cell, first, last = cell
            path = _os.path.join(here, label, cell)
            if path not in texts:
                with open(path, encoding="utf-8") as fh:
                    texts[path] = fh.read() if last is None else fh.read().split("\\n")
            source = texts.pop(path) if last is None else "\\n".join(texts[path][first - 1:last])
            at = f"{shown}, {cell}" if shown else cell
            if last is None:
                name = at
            else:       # a cell of a script: named by its lines there
                name = at + (f", the cell at line {first}" if first == last else f", the cell at lines {first}-{last}")
            left = budget - (_time.monotonic() - start) if budget else None
            try:
                if left is not None and left <= 0:
                    # the time is used up: the cell's definitions only (they take no time)
                    code = _definitions(source, path, first, future)
                    _say(f"{name}: " + ("only its def, class and import statements ran" if code else "not run")
                         + f" (the {budget:g} s the cells may take were used up)")
                    if code is not None:
                        future |= _future_flags(code)
                        exec(code, namespace)
                    continue
                try:
                    code = _compile(source, path, first, future)
                except (MemoryError, RecursionError):
                    # a parser's limit, not the student's code failing: said as such
                    _say(f"{name}: does not parse (nested too deeply for Python's parser); "
                         "it did not run (the cells after it still ran)")
                    continue
                future |= _future_flags(code)
                try:
                    if left is not None:
                        _signal.setitimer(_signal.ITIMER_REAL, left)
                    exec(code, namespace)
                finally:
                    if left is not None:
                        _signal.setitimer(_signal.ITIMER_REAL, 0)
            except _CellTimeout as exc:
                line = _line(exc, path)
                where = (at if last is not None else name) + f", line {line}" if line else name
                _say(f"{where}: still running after {budget:g} s (the time all cells may take) "
                     "and stopped; the functions defined so far are graded")
            except (Exception, SystemExit) as exc:
                if isinstance(exc, OSError) and exc.errno == _errno.EFBIG:
                    raise           # the output limit: the grader reports it
                line = _line(exc, path)
                where = (at if last is not None else name) + f", line {line}" if line else name
                if isinstance(exc, SystemExit):
                    what = f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
                else:
                    what = f"raised {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
                    if isinstance(exc, EOFError) and str(exc) == "EOF when reading a line":
                        what += " (input() cannot read anything while grading: stdin is empty; remove the input() call)"
                hint = _import_hint(exc, source, line and line - first + 1) or _missing_hint(exc, plotting)
                _say(f"{where}: {what} (the cells after it still ran){hint}")
    finally:
        if budget:
            _signal.signal(_signal.SIGALRM, old)
'''.replace("__MODULES__", repr(tuple(CONTRACT) + ("_common",)))
RUNNER_SOURCE = RUNNER_SOURCE.replace("__PLOTTING__", repr(PLOTTING)).replace("__DISPLAY_LIBRARY__",
                                                                              repr(DISPLAY_LIBRARY))

# cell magics whose cell is plain Python run as it is (timing, capturing its output)
TRANSPARENT_CELL_MAGICS = ("%%time", "%%capture")
_MAGIC_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+\?\??\s*$|[\w.,\s\[\]()*]+=\s*[%!])")


#: the longest line tried as IPython syntax (``%timeit f(x)``, ``!pip install numpy``)
MAX_MAGIC_LINE = 500
#: code cells one notebook may have (each is a file of the converted folder)
MAX_CODE_CELLS = 1000
#: notes (IPython syntax left out) kept per notebook; the rest are counted in one more
MAX_NOTES = 20

_WARNING_LINE = re.compile(r"\b(cell \d+|In \[\d+\]):(\d+): ")


class NotebookError(ChainruleError):
    """A notebook of the submission cannot be graded (not JSON, too big, two notebooks for one
    module, ...): the hand-in's fault, never the grader's (grade-all's row says "ungradable")."""


class BadNotebook(NotebookError, BadSubmission):
    """A notebook (or script, or folder of them) that is not what it should be: for ``grade``
    a bad invocation (exit 2); a ``NotebookError`` that could not even be read stays a failed
    operation (exit 1)."""


def is_notebook_submission(path) -> bool:
    """Whether ``path`` is a notebook, or a folder of notebooks without contract modules."""
    path = os.fspath(path)
    if os.path.isfile(path):
        return path.endswith((SUFFIX, SCRIPT_SUFFIX))
    if not os.path.isdir(path):
        return False
    try:
        names = os.listdir(path)
    except OSError:
        return False
    if any(f"{m}.py" in names for m in CONTRACT):
        return False
    return any(n.endswith(SUFFIX) for n in names)


def read_notebook(path, follow_links=True) -> dict:
    """The notebook at ``path`` as a dict; ChainruleError (one line naming it) if it is too
    big, not JSON or not nbformat 4. ``follow_links=False`` for a file of a submitted folder:
    a symbolic link there is refused (the grader may read files its student may not)."""
    path = os.fspath(path)
    if not follow_links and os.path.islink(path):
        raise BadNotebook(f"Notebook '{path}' is a symbolic link; submit the notebook itself.")
    try:
        flags = os.O_RDONLY | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(os.open(path, flags), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_NOTEBOOK_BYTES:
                raise BadNotebook(f"Notebook '{path}' is {size / 2**20:.1f} MB; a notebook may be at most "
                                   f"{mb(MAX_NOTEBOOK_BYTES)} MB (clear its outputs to make it smaller).")
            raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        raise NotebookError(f"Cannot read notebook '{path}': {exc.strerror or exc}.") from None
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:   # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BadNotebook(f"Notebook '{path}' is not valid JSON ({str(exc).rstrip('.')}); save it "
                           "again from Jupyter.") from None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        version = nb.get("nbformat") if isinstance(nb, dict) else None
        raise BadNotebook(f"Notebook '{path}' is not an nbformat 4 notebook (nbformat "
                           f"{version!r}); save it from Jupyter 4 or later.")
    return nb


def read_script(path) -> str:
    """The text of the percent script ``path``, size-limited as a notebook is."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        raise NotebookError(f"Cannot read script '{path}': {exc.strerror or exc}.") from None
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise BadNotebook(f"Script '{path}' is over {mb(MAX_NOTEBOOK_BYTES)} MB; a script may be at most that.")
    return raw.decode("utf-8-sig", "replace")     # a BOM (Windows editors) is no character of the script


#: a cell marker of a percent script (jupytext's percent format; VS Code's and Spyder's cells): a
#: line that starts with ``# %%`` (or ``#%%``), then a space and the cell's title or metadata, or
#: nothing. ``# %%time`` is none (it is how jupytext comments out a cell magic).
CELL_MARKER = re.compile(r"^#[ \t]*%%+(?:[ \t][^\n]*)?$", re.MULTILINE)
#: a marker of a cell that is text, not code (``# %% [markdown]``, ``[md]``, ``[raw]``)
TEXT_CELL = re.compile(r"\[(?:markdown|md|raw)\]")
_BLANK_LINES = re.compile(r"(?:[ \t\f]*\n)*")
#: what ``_markers`` steps over: a comment, whole (one that is at column 0 may be a marker; the
#: rest of its line, quotes and ``#`` included, is comment: matched whole, a line of many ``#``
#: is one step, where a pattern that looked for a quote after each ``#`` took the square of the
#: line's length, review 16b), a string literal on one line (a backslash may continue it on the
#: next: ``\\.`` takes the line end too; unterminated, it ends at its line's end, where the
#: tokenizer gives up on it), or a triple-quoted one's opening quotes
_LEXEME = re.compile(r"""(?P<comment>#[^\n]*)|(?P<triple>'''|\"\"\")"""
                     r"""|'[^'\\\n]*(?:\\.[^'\\\n]*)*(?:'|(?=\n)|\Z)"""
                     r"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*(?:"|(?=\n)|\Z)""", re.DOTALL | re.MULTILINE)
#: the rest of a triple-quoted string literal after its opening quotes, up to its closing ones
#: (a backslash escapes the character after it, in a raw string too)
_TRIPLE_END = {quotes: re.compile(rf"[^{quotes[0]}\\]*(?:(?:\\.|{quotes[0]}(?!{quotes[:2]}))[^{quotes[0]}\\]*)*"
                                  rf"{quotes}", re.DOTALL)
               for quotes in ("'''", '"""')}


def _markers(text):
    """The cell markers of the percent script ``text`` (its line ends ``\\n``): the lines that
    ``CELL_MARKER`` matches and that are comments, never a line inside a string literal (a
    docstring's ``# %% starts a cell`` is no marker, as python, jupytext and the grading of a
    script as one cell keep the string whole; review 16). Python's tokenizer would say the
    same (a marker is a COMMENT token at column 0) but takes about 1 s a megabyte: here one
    pass of a regular expression (``_LEXEME``) steps from each comment or string literal to
    the next, so only their starts cost a step in Python (linear: each character is looked at
    once). After a triple-quoted string that is
    never closed (which does not tokenize), the rest is split by ``CELL_MARKER`` alone."""
    if '"""' not in text and "'''" not in text and "\\\n" not in text:
        return list(CELL_MARKER.finditer(text))     # no string literal spans lines: no line is inside one
    found, at = [], 0
    while True:
        lexeme = _LEXEME.search(text, at)
        if lexeme is None:
            return found
        at = lexeme.end()
        if lexeme.group("comment") is not None:
            start = lexeme.start()
            if start == 0 or text[start - 1] == "\n":
                marker = CELL_MARKER.match(text, start, at)
                if marker is not None and marker.end() == at:
                    found.append(marker)
        elif lexeme.group("triple") is not None:
            end = _TRIPLE_END[lexeme.group("triple")].match(text, at)
            if end is None:     # never closed: the rest as the regular expression splits it
                return found + list(CELL_MARKER.finditer(text, at))
            at = end.end()


def percent_cells(text):
    """``(text, cells)``: the percent script ``text`` with its line ends made ``\\n`` (as Python
    reads them), and its code cells in order, each ``(first, last, start, end)``: its lines
    ``first`` to ``last`` (numbered from 1, as the script's), ``text[start:end]``, without the
    blank lines around it. The code before the first marker is a cell too (a script without
    markers is one cell, the whole file); a text cell (``# %% [markdown]``) and a cell with
    nothing but blank lines are none; a marker-like line inside a string literal is no marker
    (``_markers``). Linear in the script's size (regular expressions find the markers; lines
    are counted between them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cells, at, line, code = [], 0, 1, True     # where the cell starts, its first line, its kind

    def add(end):
        blank = _BLANK_LINES.match(text, at, end)
        start = blank.end()
        stop = start + len(text[start:end].rstrip())
        if code and stop > start:
            first = line + text.count("\n", at, start)
            cells.append((first, first + text.count("\n", start, stop), start, stop))

    for marker in _markers(text):
        add(marker.start())
        line += text.count("\n", at, marker.start()) + 1
        code = not TEXT_CELL.search(marker.group())
        at = min(marker.end() + 1, len(text))
    add(len(text))
    return text, cells


def _source(cell):
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(str(s) for s in src)
    # JSON may hold lone surrogates, which no file can: each becomes "?"
    return str(src).encode("utf-8", "replace").decode("utf-8")


def code_cells(nb, shown="the notebook"):
    """``(number, source)`` of each code cell, numbered from 1 over every cell; a notebook of
    more than ``MAX_CODE_CELLS`` code cells is refused (ChainruleError naming ``shown``)."""
    cells = [(i, c) for i, c in enumerate(nb["cells"], 1) if isinstance(c, dict) and c.get("cell_type") == "code"]
    if len(cells) > MAX_CODE_CELLS:
        raise BadNotebook(f"Notebook '{shown}' has {len(cells)} code cells; a notebook may have at most "
                           f"{MAX_CODE_CELLS} (merge cells or leave out what is not the exercise).")
    return [(i, _source(c)) for i, c in cells]


def notebook_module(nb, filename):
    """The contract module a notebook is for (metadata, else file name), or None."""
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    own = meta.get("chainrule") if isinstance(meta.get("chainrule"), dict) else {}
    module = own.get("module")
    if isinstance(module, str) and module in CONTRACT:
        return module
    stem = os.path.basename(filename)[: -len(SUFFIX)] if filename.endswith(SUFFIX) else None
    return stem if stem in CONTRACT else None


# what ast.parse raises for a cell that does not parse: a syntax error, a NUL byte, and
# (a hostile cell: ``y = ---...---1`` 100000 deep) the parser's own limits
UNPARSABLE = (SyntaxError, ValueError, MemoryError, RecursionError)


def _parse(code):
    """The AST of ``code``, or None when it does not parse."""
    try:
        return ast.parse(code)
    except UNPARSABLE:
        return None


def _is_check_statement(node):
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "chainrule"
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] == "chainrule" for a in node.names)
    if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name == "check"
    return False


class Plotting:
    """A notebook's plotting and display code, left out of grading (``clean_cell``), across its
    cells: the names bound by it so far (plt, sns, fig, ax, a helper that plots; display, HTML),
    those of them that are display code, the libraries left out, what kinds of code were left
    out and where (cell and lines).

    What is left out (``_plotting_statements``): a top-level import of plotting libraries only
    (``PLOTTING``) or of IPython's display module (``DISPLAY_MODULES``); ``%matplotlib``; and a
    statement that uses a name they bound (or ``display``, IPython's builtin), or calls pandas'
    ``.plot`` accessor, at the top level or in the body of a loop, ``if``, ``with`` or ``try``
    (``_shows_only``); a name a comprehension's ``for`` or a lambda's parameter binds is its own
    there (``[w[i] for i in r]`` uses no ``i`` of the plotting), and a definition's body does not
    run with its statement (``_reads``)."""

    MAX_PLACES = 10     # places the note names; the rest are counted

    def __init__(self):
        self.names = set(DISPLAY_BUILTINS)
        self.display = set(DISPLAY_BUILTINS)    # of ``names``, the display code's (the rest: plotting)
        self.libraries = []
        self.kinds = []     # "plotting", "display": what was left out
        self._places = []   # (where, [line numbers]), in order
        self.pandas = False     # the notebook imports pandas (which its .plot calls are)

    def mark(self, names, kind):
        """``names`` are bound by left-out code of ``kind`` ("plotting" or "display")."""
        self.names |= names
        if kind == "display":
            self.display |= names
        else:
            self.display -= names

    def unmark(self, names):
        """``names`` are bound again by code that is not left out: no longer plotting nor display."""
        self.names -= names
        self.display -= names

    def kinds_of(self, node):
        """What ``node`` (a statement left out) is: ``{"plotting"}``, ``{"display"}`` or both."""
        used = {n.id for n in _reads(node) if isinstance(n, ast.Name)}
        kinds = set()
        # each name used is looked up (never a set of every name so far: ``names`` grows across
        # the notebook, and a hostile one of 40,000 statements would cost their square)
        if any(n in self.display for n in used):
            kinds.add("display")
        if any(n in self.names and n not in self.display for n in used) or _accessor_calls(node):
            kinds.add("plotting")
        return kinds

    def left_out(self, kinds, libraries):
        """Record what a statement blanked out was (its kinds, the libraries it used)."""
        for kind in ("plotting", "display"):
            if kind in kinds and kind not in self.kinds:
                self.kinds.append(kind)
        for library in libraries:
            if library not in self.libraries:
                self.libraries.append(library)

    def by_name(self):
        """``{name: kind}`` of the names bound by left-out code, for the runner's hints."""
        return {n: "display" if n in self.display else "plotting" for n in sorted(self.names)}

    def add_place(self, where, lines):
        """``lines`` of ``where`` were left out; those of the cells of one percent script (all
        named by the script) are said together."""
        if not lines:
            return
        if self._places and self._places[-1][0] == where:
            self._places[-1][1].extend(lines)
        else:
            self._places.append((where, list(lines)))

    @property
    def places(self):
        """``[(where, "lines 3-5 and 9")]``: where code was left out, in order."""
        return [(where, self._span(lines)) for where, lines in self._places]

    @staticmethod
    def _span(lines):
        runs, lines = [], sorted(set(lines))     # 1, 2, 3, 5 -> "lines 1-3 and 5"
        for n in lines:
            if runs and n == runs[-1][1] + 1:
                runs[-1][1] = n
            else:
                runs.append([n, n])
        parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
        words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return ("line " if len(lines) == 1 else "lines ") + words

    def note(self, shown):
        """The one note on what was left out, or None. ``shown``: the notebook ("" for a
        percent script, whose cells are all named by its file name)."""
        if not self._places:
            return None
        cells = {where for where, _lines in self._places}
        subject = shown or (next(iter(cells)) if len(cells) == 1 else "the notebook")
        prefix = f"{subject}, "
        places = "; ".join(span if where == subject else
                           f"{where[len(prefix):] if where.startswith(prefix) else where}, {span}"
                           for where, span in self.places[: self.MAX_PLACES])
        if len(self.places) > self.MAX_PLACES:
            places += f"; {len(self.places) - self.MAX_PLACES} more"
        libraries = " and ".join(self.libraries) or "plotting libraries"
        if "display" not in self.kinds:
            what, still = "the plotting", "the plots still show"
        elif "plotting" not in self.kinds:
            what, still = "the display code", "what it displays still shows"
        else:
            what, still = "the plotting and display code", "the plots and what it displays still show"
        return (f"{subject}: left out {what} ({places}): grading runs with NumPy and the standard library "
                f"only, without {libraries}; {still} when you run it yourself")


def _plotting_import(node):
    """The libraries a top-level import of only plotting libraries imports, else []."""
    if isinstance(node, ast.Import):
        tops = [a.name.split(".")[0] for a in node.names]
    elif isinstance(node, ast.ImportFrom) and not node.level:
        tops = [(node.module or "").split(".")[0]]
    else:
        return []
    return tops if tops and all(t in PLOTTING for t in tops) else []


def _display_module(name):
    return any(name == m or name.startswith(m + ".") for m in DISPLAY_MODULES)


def _display_import(node):
    """Whether ``node`` imports IPython's display module and nothing else: ``from IPython.display
    import display, HTML``, ``import IPython.display as ipd``, ``from IPython import display``."""
    if isinstance(node, ast.Import):
        return all(_display_module(a.name) for a in node.names)
    if isinstance(node, ast.ImportFrom) and not node.level and node.module:
        if node.module == DISPLAY_LIBRARY:
            return all(a.name == "display" for a in node.names)
        return _display_module(node.module) and all(a.name != "*" for a in node.names)
    return False


def _imports_pandas(node):
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == "pandas" for a in node.names)
    return isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "pandas"


def _is_accessor(func):
    """Whether the called ``func`` is pandas' plotting accessor: ``df.plot`` or ``df.plot.hist``."""
    return isinstance(func, ast.Attribute) and (
        func.attr == PLOT_ACCESSOR or isinstance(func.value, ast.Attribute) and func.value.attr == PLOT_ACCESSOR)


def _accessor_calls(node):
    """Whether ``node`` calls pandas' plotting accessor (``df.plot(...)``, ``s.plot.hist()``)."""
    return any(isinstance(n, ast.Call) and _is_accessor(n.func) for n in ast.walk(node))


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _reads(node):
    """The ``Name`` loads and the calls of pandas' .plot accessor that running ``node`` may do,
    in one pass: not the loads of a name that a comprehension's ``for`` or a lambda's parameter
    inside ``node`` binds, where it binds it (``[w[i] for i in r]``, ``key=lambda ax: ax[0]``:
    that ``i`` or ``ax`` is not the notebook's), nor what the body of a definition inside
    ``node`` does (it does not run with ``node``; its decorators, defaults and annotations
    do). Linear: what is bound around the node looked at is a count per name, raised when a
    comprehension or lambda is entered and lowered when it is left."""
    bound = {}      # name -> how many comprehensions and lambdas around here bind it
    stack = [(node, None, ())]
    while stack:
        n, step, names = stack.pop()
        if step is not None:        # entering (+1) or leaving (-1) the scope that binds ``names``
            for name in names:
                bound[name] = bound.get(name, 0) + step
            continue
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load) and not bound.get(n.id):
                yield n
            continue
        if isinstance(n, ast.Call) and _is_accessor(n.func):
            yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not node:
            a = n.args
            stack.extend((c, None, ()) for c in n.decorator_list + a.defaults + [d for d in a.kw_defaults if d]
                         + [arg.annotation for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                            if arg is not None and arg.annotation is not None]
                         + ([n.returns] if n.returns else []))
            continue
        if isinstance(n, ast.Lambda):
            a = n.args
            names = [arg.arg for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if arg is not None]
            outside, inside = a.defaults + [d for d in a.kw_defaults if d], [n.body]
        elif isinstance(n, _COMPREHENSIONS):
            gens = n.generators
            names = [t.id for g in gens for t in ast.walk(g.target) if isinstance(t, ast.Name)]
            # the first ``for``'s iterable is evaluated outside the comprehension
            outside = [gens[0].iter]
            inside = ([n.key, n.value] if isinstance(n, ast.DictComp) else [n.elt]) + [gens[0].target] + \
                gens[0].ifs + [part for g in gens[1:] for part in [g.target, g.iter] + g.ifs]
        else:
            stack.extend((c, None, ()) for c in ast.iter_child_nodes(n))
            continue
        # popped in this order: what is outside, then the names bound, what is inside, the names unbound
        stack.append((None, -1, names))
        stack.extend((c, None, ()) for c in inside)
        stack.append((None, 1, names))
        stack.extend((c, None, ()) for c in outside)


def _draws(node, names):
    """Whether ``node`` uses a name of the plotting or display code, or pandas' .plot accessor
    (``_reads``)."""
    return any(not isinstance(n, ast.Name) or n.id in names for n in _reads(node))


def _bound(node, left_out=False):
    """The names a top-level statement binds, for the plotting that follows: its targets, an
    import's names, a ``:=`` name, the names stored anywhere in a compound statement (not in
    a definition's body nor a comprehension's own variables, which stay there). With
    ``left_out`` (a statement blanked out) only those it would have bound afresh: not the
    base of an assignment into an object (``results["fig"] = fig``) nor the name of an
    augmented assignment (``n += len(ax.lines)``), which keep their values while grading."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    names, skip, stack = set(), set(), [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            names.add(n.name)
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, ast.comprehension):
            skip.update(id(t) for t in ast.walk(n.target))
        if isinstance(n, ast.AugAssign) and left_out:
            skip.add(id(n.target))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in skip:
            names.add(n.id)
        elif isinstance(n, ast.NamedExpr):
            names.add(n.target.id)      # binds in the enclosing scope, from a comprehension too
        stack.extend(ast.iter_child_nodes(n))
    return names


#: what ``_shows_only`` says of a statement: left out whole; its headers kept (an ``if``
#: test binding by ``:=``, a ``for`` or ``with`` binding what the cell reads later) and the
#: rest made ``pass``; or its headers and the statements of its bodies that do not plot kept,
#: each run of those that do made ``pass`` (a training loop that also plots)
DROP, HOLLOW, MIXED = "drop", "hollow", "mixed"
_SIMPLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)


def _header(node):
    """``(expressions, bodies)`` of a compound statement ``_shows_only`` looks into, else None."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.iter], [node.body, node.orelse]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in node.items], [node.body]
    if isinstance(node, (ast.If, ast.While)):
        return [node.test], [node.body, node.orelse]
    if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        return [], [node.body] + [h.body for h in node.handlers] + [node.orelse, node.finalbody]
    return None


def _header_needed(node, read_later, read_after=lambda node, names: False):
    """Whether the header of ``node`` (an ``if``, loop or ``with`` whose bodies only display) is
    kept: an ``if`` (or ``elif``) test that binds by ``:=`` (``if (LEAK := 0.0) >= 0``: a
    graded function may read LEAK, from any cell), or a ``for`` or ``with`` that binds a name
    (its target, ``as`` name or a ``:=``) that ``read_later`` (the cell's statements after it
    read) or, for one inside another statement, that ``read_after`` (code of that statement
    after it reads: ``w = w + k`` after ``for k in ks: plt.plot(k)`` in a loop's body). Else
    the header goes with its body, as before fix15c: a header kept that fails while grading
    (``with open("notes.txt") as fh``: the file is not beside the converted cells; a call that
    works only in Jupyter) stops its cell, the defs after it with it."""
    if isinstance(node, ast.If):
        return any(isinstance(n, ast.NamedExpr) for n in ast.walk(node.test))
    if isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
        names = _headers_bind([node])
        return read_later(names) or read_after(node, names)
    return False


def _read_after(tree):
    """``read_later(i, names)``: whether a top-level statement of ``tree`` after its ``i``-th
    reads one of ``names`` (a load anywhere in it, a definition's body too, or ``+=``). One
    pass over the cell: each name's last top-level statement that reads it."""
    last = {}
    for i, top in enumerate(tree.body):
        for n in ast.walk(top):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                last[n.id] = i
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                last[n.target.id] = i
    return lambda i, names: any(last.get(name, -1) > i for name in names)


def _shows_only(top, names, read_later=lambda names: False):
    """``(verdict, kept, verdicts, bound)`` for the top-level statement ``top``: what of it is
    left out because it plots or displays, judged from the AST alone (nothing is run). While
    grading, a statement using a name of the plotting left out raises a NameError at that name,
    before anything after it in the statement runs, and stops its cell (the defs after it with
    it): so

    - an expression or assignment that uses such a name or pandas' .plot accessor, or
      ``pass``, is ``DROP``: left out, whatever else it does (``figs.append(plt.figure())``,
      ``results["fig"] = fig``, ``n += len(ax.lines)``, ``display(k := 3)``: none of it could
      run while grading, and its cell's defs still run);
    - a loop, ``with``, ``if`` or ``try`` whose every statement is left out (a loop over
      plotting objects, ``for ax in axes.flat``, plots with its target) is ``HOLLOW`` when
      ``_header_needed`` keeps its header (an ``if`` test binding by ``:=``; a ``for`` or
      ``with`` binding a name the cell reads later, ``read_later(names)``, or that code of
      ``top`` after it reads) or a statement inside it is hollow and its header does not plot:
      the header runs as written and what it ran becomes ``pass`` (``if (k := f()) > 0:
      display(k)`` still binds k); else it is ``DROP``, header and all (``with open(f) as fh:
      display(fh.read())``, ``if init(p): display(p)``, a header that plots), as before
      fix15c; a ``while`` is never made hollow (its body may be what ends it) but left out
      whole;
    - a loop, ``with``, ``if`` or ``try`` whose bodies mix statements left out with others
      (a training loop that also plots: ``for epoch in range(3): w = step(w); plt.plot(w)``)
      is ``MIXED``: its header and the statements that do not plot run, each run of those
      left out becomes ``pass`` (nested statements likewise), so the loop does its work and
      the cell's defs after it run; unless its header plots (it would fail there while
      grading), or it is a ``while`` whose test reads a name a statement left out inside it
      binds or changes (``while not done: done = plt.waitforbuttonpress()``: without it the
      loop might run until the time limit): then it is kept whole (``None``), as before
      fix16b;
    - anything else (a definition, an import, an assignment of other values) keeps the
      whole statement (``None``).

    Within ``top``, statements are judged in the order they are written: the names a
    statement left out binds (``fig, ax = plt.subplots()`` in a loop's body) are plotting for
    the statements after it (``ax.plot(w)``), and a name bound again by code kept is not.

    ``kept``: the statements made hollow or mixed whose headers run (each reached from ``top``
    through such statements); ``verdicts``: ``{id(statement): verdict}``; ``bound``: ``{name:
    whether it is plotting}`` for the names ``top`` binds, as its statements left out and kept
    leave them for the code after it. Iterative, and linear in the size of ``top``: a chain of
    1000 ``elif``s is as deep as a tree gets and costs no recursion, and each statement and
    expression is looked at a bounded number of times however deep it is."""
    own = {}        # name -> whether it is plotting now (as the statements judged so far leave it)

    def draws(node):
        return any(not isinstance(n, ast.Name) or own.get(n.id, n.id in names) for n in _reads(node))

    last = None     # name -> where ``top`` reads it last (line, column): made when first asked

    def read_after(node, bound):
        nonlocal last
        if last is None:
            last = {}
            for n in ast.walk(top):
                target = n.target if isinstance(n, ast.AugAssign) else n
                if isinstance(target, ast.Name) and (target is not n or isinstance(n.ctx, ast.Load)):
                    at = (target.lineno, target.col_offset)
                    if at > last.get(target.id, (0, -1)):
                        last[target.id] = at
        end = (node.end_lineno, node.end_col_offset)
        return any(last.get(name, (0, -1)) > end for name in bound)

    watch, unsafe = {}, set()   # name -> the whiles open around here whose test reads it; whiles not to hollow

    def left_out(bound, node=None):
        """``bound`` are left unbound (or unchanged) by a statement left out: plotting from here on."""
        for name in bound:
            own[name] = True
        if watch:
            for name in bound if node is None else bound | _changes(node):
                whiles = watch.get(name)
                if whiles:
                    unsafe.update(whiles)
                    whiles.clear()

    verdict, frames = {}, {}
    pending = []    # the headers of hollow statements, bound unless a statement around them is left out
    stack = [(top, False)]
    while stack:                # each statement judged after those before it, those inside it before it
        node, leaving = stack.pop()
        if not leaving:
            if isinstance(node, ast.Pass):
                verdict[id(node)] = DROP
                continue
            parts = _header(node)
            if parts is None:
                if isinstance(node, _SIMPLE) and draws(node):
                    verdict[id(node)] = DROP
                    left_out(_bound(node, left_out=True), node)
                else:
                    verdict[id(node)] = None
                    for name in _binds(node):
                        own[name] = False
                continue
            heads, bodies = parts
            head_draws = any(draws(h) for h in heads)
            bound = _headers_bind([node])
            for name in bound:      # what a header that plots binds is plotting (``for ax in axes.flat``)
                own[name] = head_draws
            reads = set()
            if isinstance(node, ast.While):
                reads = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                for name in reads:
                    watch.setdefault(name, set()).add(id(node))
            frames[id(node)] = (head_draws, bound, reads, len(pending))
            stack.append((node, True))
            stack.extend((child, False) for body in reversed(bodies) for child in reversed(body))
            continue
        head_draws, bound, reads, start = frames.pop(id(node))
        for name in reads:
            watch[name].discard(id(node))
        children = [child for body in _header(node)[1] for child in body]
        inside = [verdict[id(child)] for child in children]
        work = None in inside or MIXED in inside
        if work:
            # what it leaves out (a ``pass`` of its own is left as it is)
            left = any(v is not None and not isinstance(child, ast.Pass) for v, child in zip(inside, children))
            if not left or head_draws or id(node) in unsafe:
                verdict[id(node)] = None        # nothing left out, or kept whole: it fails while grading
            else:
                verdict[id(node)] = MIXED
            del pending[start:]         # its headers and those inside it run (or fail) as written
        elif not head_draws and not isinstance(node, ast.While) and (
                HOLLOW in inside or _header_needed(node, read_later, read_after)):
            verdict[id(node)] = HOLLOW
            pending.append(bound)
        else:
            # its header plots, a loop its body may end, or a header nothing needs: left out
            verdict[id(node)] = DROP
            for names_bound in pending[start:]:
                left_out(names_bound)
            del pending[start:]
            left_out(bound)
    kept = []
    if verdict[id(top)] in (HOLLOW, MIXED):
        stack = [top]
        while stack:
            node = stack.pop()
            kept.append(node)
            stack.extend(child for body in _header(node)[1] for child in body
                         if verdict[id(child)] in (HOLLOW, MIXED))
    return verdict[id(top)], kept, verdict, own


def _binds(node):
    """The names a statement kept binds (a definition: its name only, never its body's)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    return _bound(node)


def _changes(node):
    """The names a statement may change: those it binds (``+=`` too), and those it assigns
    into or calls a method of (``hist["w"] = ...``, ``hist.append(...)``: their root name)."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.NamedExpr):
            names.add(n.target.id)
        elif (isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, (ast.Store, ast.Del))
              or isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            root = n.func.value if isinstance(n, ast.Call) else n.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name):
                names.add(root.id)
    return names


def _pass_spans(kept, verdict):
    """The runs of statements left out inside the ``kept`` (hollow or mixed) statements, each
    the list of the consecutive statements of a body left out (``run[0]`` to ``run[-1]``;
    a statement kept ends a run; a run of ``pass`` alone is none): each run becomes one
    ``pass``. Each statement is looked at once (a run keeps its own statements: looking them
    up again in every body cost the square of a cell's size, review15c)."""
    runs = []
    for node in kept:
        for body in _header(node)[1]:
            run = []
            for child in body + [None]:
                if child is not None and verdict[id(child)] == DROP:
                    run.append(child)
                    continue
                if run and not all(isinstance(n, ast.Pass) for n in run):   # a `pass` alone stays
                    runs.append(run)
                run = []
    return runs


# what may follow the last statement of a run on its line for the run to take the line's end:
# spaces, a `;` (`display(x);`) and a comment; anything else is code kept after it
_LINE_REST = re.compile(rb"[ \t\f]*(?:(;)[ \t\f]*)?(?:#[^\n]*)?\Z")


class _Edits:
    """The runs made ``pass`` in a cell's ``lines`` (numbered as ast numbers them): each
    recorded as byte spans of its lines (ast's columns count UTF-8 bytes) and made once per
    line by ``apply``, so that a line of many runs (``for i in r: plt.f(i); w = 1;
    plt.g(i)``) costs its length once, never once per run, and each run's columns hold."""

    def __init__(self, lines):
        self.lines, self._raw, self.spans = lines, {}, {}

    def raw(self, i):
        if i not in self._raw:
            self._raw[i] = self.lines[i].encode("utf-8")
        return self._raw[i]

    def replace(self, i, start, end, text):
        """Bytes ``start`` to ``end`` (None: the line's end) of line ``i`` become ``text``."""
        self.spans.setdefault(i, []).append((start, end, text))

    def apply(self):
        for i, spans in self.spans.items():
            raw, pieces, at = self.raw(i), [], 0
            for start, end, text in sorted(spans, key=lambda span: span[0]):
                pieces += [raw[at:start], text.encode("utf-8")]
                at = len(raw) if end is None else end
            pieces.append(raw[at:])
            self.lines[i] = b"".join(pieces).decode("utf-8", "replace")
        self.spans = {}


def _to_pass(edits, first, last):
    """Make the statements ``first`` to ``last`` of a body one ``pass`` (in ``edits``, an
    ``_Edits``), keeping every line and what is around them: code before them on their first
    line, and code after them on their last line (``plt.plot(x); w = 1`` in a loop's body
    becomes ``pass; w = 1``; after a run of several lines, the ``pass`` is continued to it by
    backslashes, so that it keeps its line)."""
    a, b = first.lineno - 1, last.end_lineno - 1
    end = last.end_col_offset
    rest = _LINE_REST.match(edits.raw(b), end)
    stop = rest.end(1) if rest is not None and rest.group(1) else end     # `display(x);`: the ; too
    if a == b:
        edits.replace(a, first.col_offset, stop, "pass")
        return
    follows = rest is None      # code after the run on its last line
    edits.replace(a, first.col_offset, None, "pass \\" if follows else "pass")
    for j in range(a + 1, b):
        edits.replace(j, 0, None, "\\" if follows else "")
    edits.replace(b, 0, stop, " " if follows else "")


def _plotting_statements(tree, plotting):
    """``[(statement, kinds, libraries, runs)]``: the top-level statements of ``tree`` that
    only plot or display: an import of plotting libraries only or of IPython's display module,
    and a statement that uses a name they bound (or ``display``) or pandas' .plot accessor and
    does nothing else, or a loop, ``if``, ``with`` or ``try`` whose bodies also plot
    (``_shows_only``). ``runs`` is None for a statement left out whole, else the runs of
    statements inside it (lists, ``_pass_spans``) that each become ``pass`` (its headers and
    the statements inside it that do not plot run). A definition is never left out, nor marks
    its name (a helper that plots only when asked must not take the code that calls it with
    it): calling one that does plot fails with a NameError, which the notes explain. The names
    a statement left out binds are plotting (display) from then on; bound again by other code,
    they are not (for a statement partly left out: as its statements, in order, leave them)."""
    out = []
    read_after = _read_after(tree)
    for i, node in enumerate(tree.body):
        libraries = _plotting_import(node)
        if libraries:
            out.append((node, {"plotting"}, libraries, None))
            plotting.mark(_bound(node), "plotting")
            continue
        if _display_import(node):
            out.append((node, {"display"}, [DISPLAY_LIBRARY], None))
            plotting.mark(_bound(node), "display")
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            plotting.unmark({node.name})
            continue
        verdict = None
        if _draws(node, plotting.names):
            verdict, kept, verdicts, bound = _shows_only(node, plotting.names,
                                                         lambda names, i=i: read_after(i, names))
        if verdict is None:         # a name bound again by code that does not plot is no longer plotting
            plotting.pandas = plotting.pandas or _imports_pandas(node)
            plotting.unmark(_bound(node))
            continue
        kinds = plotting.kinds_of(node)
        libraries = [DISPLAY_LIBRARY] if "display" in kinds else []
        if plotting.pandas and _accessor_calls(node):
            libraries.append("pandas")
        kind = "display" if kinds == {"display"} else "plotting"
        runs = None if verdict == DROP else _pass_spans(kept, verdicts)
        out.append((node, kinds, libraries, runs))
        # what the statements left out would have bound is plotting; what the headers and the
        # code kept bind is not (``_shows_only``: as the statement leaves them, in order)
        plotting.mark({name for name, drawn in bound.items() if drawn}, kind)
        plotting.unmark({name for name, drawn in bound.items() if not drawn})
    return out


def _headers_bind(kept):
    """The names the headers of hollow statements bind (a loop's target, ``with ... as``, ``:=``)."""
    names = set()
    for node in kept:
        parts = [node.target] if isinstance(node, (ast.For, ast.AsyncFor)) else []
        if isinstance(node, (ast.With, ast.AsyncWith)):
            parts += [item.optional_vars for item in node.items if item.optional_vars is not None]
        for part in parts + _header(node)[0]:
            names |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            names |= {n.target.id for n in ast.walk(part) if isinstance(n, ast.NamedExpr)}
    return names


# the line ends Python's tokenizer (and so ast's line numbers) knows; str.splitlines also
# splits at a form feed, U+2028 and others, which are no line end to Python
_LINE_END = re.compile(r"\r\n|\r|\n")


def clean_cell(source, where, plotting=None, start=None, analyse=True):
    """``(code, notes)`` of ``_clean_cell``; never an exception for any cell text: a cell the
    analysis fails on runs as written, with a note (the child reports what it does)."""
    try:
        return _clean_cell(source, where, plotting, start, analyse)
    except Exception as exc:    # not expected: a grader's bug must not make the cell (or the run) an error
        return source, [f"{_whole(where, start, source)}: not checked for IPython syntax, plotting and display code "
                        f"(the grader could not read it: {type(exc).__name__}); it ran as written"]


def script_cell(where, first, last):
    """A cell of a percent script by its lines: "activations.pct.py, the cell at lines 12-20"
    ("at line 12" for a cell of one line), as the runner's notes name one."""
    return f"{where}, the cell at line {first}" if first == last else f"{where}, the cell at lines {first}-{last}"


def _whole(where, start, source=""):
    """How a note on a whole cell names it: ``where``, or for a cell of a percent script (from
    line ``start``, its text ``source``) by its lines (``script_cell``)."""
    if start is None:
        return where
    return script_cell(where, start, start + source.rstrip("\n").count("\n"))


def _clean_cell(source, where, plotting=None, start=None, analyse=True):
    """``(code, notes)``: the cell with IPython syntax and check statements blanked out
    (line numbers kept), and one note per line of IPython syntax left out. With
    ``plotting`` (a ``Plotting``, shared by the cells of a notebook), ``%matplotlib`` and
    the plotting statements are blanked out too, and said once for the notebook
    (``Plotting.note``), not here. ``start``: for a cell of a percent script, the line of the
    script it starts at (notes name the script's lines); None for a notebook's cell. Without
    ``analyse`` (a cell past the submission's ``MAX_ANALYSED_BYTES``), or for a cell over
    ``MAX_CLEAN_BYTES``, only a cell magic on its first line is looked at: the cell is never
    parsed here and runs as written.

    ``code`` is None when nothing of the cell is left to run (a check cell, a cell magic).
    """
    plotted = set()
    shift = (start or 1) - 1    # a script's cell: its lines are numbered as the script's

    def place():
        if plotting is not None:
            plotting.add_place(where, {n + shift for n in plotted})

    # numbered as ast numbers them (a cell may end its lines with "\r"); joined with "\n",
    # which is how Python reads every line end anyway
    lines = _LINE_END.split(source)
    notes = []
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    magic = lines[first].strip() if first is not None else ""
    if magic.startswith("%%"):
        if magic.split()[0] not in TRANSPARENT_CELL_MAGICS:
            return None, [f"{_whole(where, start, source)}: skipped the cell magic {magic[:60]} (IPython syntax)"]
        notes.append(f"{where}, line {first + 1 + shift}: ran the cell without {magic[:60]} (IPython syntax)")
        lines[first] = ""
    if not analyse or len(source) > MAX_CLEAN_BYTES:
        # not parsed in this unconfined process: the child runs it, within its limits
        return ("\n".join(lines) if notes else source), notes
    code = "\n".join(lines)
    tree = _parse(code)
    if tree is None:        # plain Python is never IPython syntax
        original, i = list(lines), 0
        while i < len(lines):
            # a magic line is short: a long one is never matched (the pattern's time grows
            # with the square of a line's length)
            if len(original[i]) <= MAX_MAGIC_LINE and _MAGIC_LINE.match(original[i]):
                if plotting is not None and re.match(r"\s*%matplotlib\b", original[i]):
                    plotted.add(i + 1)     # said with the plotting (``Plotting.note``)
                    plotting.left_out({"plotting"}, ["matplotlib"])
                else:
                    notes.append(f"{where}, line {i + 1 + shift}: skipped {original[i].strip()[:60]} "
                                 "(IPython syntax)")
                lines[i] = ""
                # a continued magic line takes its continuation lines with it
                while original[i].rstrip().endswith("\\") and i + 1 < len(lines):
                    i += 1
                    lines[i] = ""
            i += 1
        code = "\n".join(lines)
        tree = _parse(code)
    if tree is None:
        place()
        return code, notes          # reported when the cell runs, with its line
    dropped = [n for n in tree.body if _is_check_statement(n)]
    if dropped and len(dropped) == len(tree.body):
        place()
        return None, notes
    if any(node.col_offset for node in dropped):    # `x = 1; check("a.b")` shares its line: keep it whole
        place()
        return code, notes
    if plotting is not None:
        try:
            drawn = _plotting_statements(tree, plotting)
        except RecursionError:      # not expected (the analysis is iterative): the cell runs as written
            drawn = []
            notes.append(f"{_whole(where, start, source)}: not checked for plotting and display code (nested too "
                         "deeply); it ran as written")
        shown = {id(node) for node, _kinds, _libraries, _runs in drawn}
        kept = {j for n in tree.body if id(n) not in shown for j in range(n.lineno, n.end_lineno + 1)}
        edits = _Edits(lines)
        for node, kinds, libraries, runs in drawn:
            span = set(range(node.lineno, node.end_lineno + 1))
            if span & kept:         # `x = f(1); plt.plot(x)` shares its line: run, reported if it fails
                continue
            plotting.left_out(kinds, libraries)
            if runs is None:
                dropped.append(node)
                plotted |= span
                continue
            for run in runs:    # its headers run; what they ran is `pass`
                _to_pass(edits, run[0], run[-1])
                plotted |= set(range(run[0].lineno, run[-1].end_lineno + 1))
        edits.apply()
        place()
    if dropped and len(dropped) == len(tree.body):
        return None, notes
    for node in dropped:
        for j in range(node.lineno - 1, node.end_lineno):
            lines[j] = ""
    code = "\n".join(lines)
    return (code if code.strip() else None), notes


def _write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


class Converted:
    """A notebook submission written as a folder of modules (see ``convert``)."""

    def __init__(self, tmp, folder, labels, default_module, files):
        self.tmp = tmp                      # the private temporary folder (removed by cleanup)
        self.folder = folder                # the package folder to grade
        self.labels = labels                # cell-folder label -> how reports show it
        self.default_module = default_module
        self.files = files                  # contract module -> the notebook shown for it

    def cleanup(self):
        _RUNS.pop(os.path.realpath(self.folder), None)
        shutil.rmtree(self.tmp, ignore_errors=True)
        janitor.release(self.tmp)


class _Run:
    """The grader's side of a converted folder's notes: the marks its runners start their
    notes with (``_mark``) and the text of the notes made here (``write_cells``), which the
    runner says by number only: a note is never text the child sends that the grader takes on
    trust beyond its mark."""

    def __init__(self):
        self.marks = set()
        self.notes = []


# converted folder (real path) -> its _Run, from ``write_cells`` until ``relabel`` (or cleanup)
_RUNS = {}


def _mark(label, cells):
    """What the runner's notes start with for the cells ``cells`` of ``label``: ``NOTE_MARK``
    and a digest of the cells as written (review 15: a student's printed "[notebook] ..." was
    taken for a note). Derived from the cells, never random, so the converted folder, which the
    seed may be drawn from (``check()``), is the same from run to run; a cell cannot print it
    from what it holds (it would hold its own digest), only by reading the grader's files while
    it runs, which is tampering, not output."""
    digest = hashlib.sha256(b"chainrule notebook notes v1\0" + label.encode("utf-8", "replace") + b"\0")
    for name, source in cells:
        digest.update(name.encode("utf-8", "replace") + b"\0" + source.encode("utf-8", "replace") + b"\0")
    return f"{NOTE_MARK}{digest.hexdigest()[:24]}]"


class Analysis:
    """What is left of a submission's ``MAX_ANALYSED_BYTES``: the cells of all its notebooks
    (or its script, or a kernel's inputs) parsed and analysed here, in the unconfined parent,
    in order (a cell over ``MAX_CLEAN_BYTES``, never parsed here, costs nothing). A cell that
    does not fit in what is left runs as written, with a note (``write_cells``); a smaller one
    after it is still analysed while it fits, so that data cells spending the budget (honest:
    five cells of 250 KB of numbers) do not leave the plotting cells after them uncleaned
    (review 16b). What is analysed is at most the limit, whatever the cells' sizes."""

    def __init__(self, limit=None):
        self.left = MAX_ANALYSED_BYTES if limit is None else limit

    def take(self, source):
        """Whether ``source`` is analysed (and its size spent)."""
        if len(source) > MAX_CLEAN_BYTES:
            return True     # not parsed anyway (``_clean_cell``)
        if len(source) > self.left:
            return False
        self.left -= len(source)
        return True


def write_cells(folder, label, cells, shown, quiet_magics=False, script=False, analysis=None):
    """Write ``cells`` (``[(name, source)]``) to ``folder/label/``; return ``(names, notes,
    plotting, mark)`` of the cells to run: ``notes`` the numbers of the notes made here (kept,
    with ``mark``, for ``relabel``: the runner says them by number), ``plotting`` the names the
    plotting and display code left out bound, ``{name: kind}`` (``Plotting.by_name``).
    ``shown``: how notes name the notebook ("" for the cell alone); ``quiet_magics``: no
    note for IPython syntax nor for the plotting (in a kernel's history they are expected).

    ``script``: ``cells`` is ``[(name, text)]``, a percent script (``script`` is True or the
    path a refusal names, one of more than ``MAX_CODE_CELLS`` code cells), whose ``# %%`` cells
    (``percent_cells``) are cleaned and run as a notebook's are: the script is written as one
    file, ``name``, each cell cleaned in its place (every line where it was), and each cell to
    run is ``[name, first, last]``, its lines there (the runner compiles them as the script's
    lines, so frames and notes name the line of the file the student edits).

    ``analysis``: the ``Analysis`` of the submission (shared by its notebooks); a new one by
    default. The cells past it are not analysed: they run as written, said in one note."""
    os.makedirs(os.path.join(folder, label), exist_ok=True)
    names, notes = [], []
    left_out = 0
    plotting = Plotting()
    analysis = Analysis() if analysis is None else analysis
    unchecked = []      # how notes name the cells not analysed (past the submission's budget)

    def clean(source, where, start=None):
        nonlocal left_out, unchecked
        analyse = analysis.take(source)
        if not analyse:
            unchecked.append(_whole(where, start, source))
        code, cell_notes = clean_cell(source, where, plotting, start, analyse)
        if not quiet_magics:
            room = max(0, MAX_NOTES - len(notes))
            notes.extend(cell_notes[:room])
            left_out += len(cell_notes) - len(cell_notes[:room])
        return code

    if script:
        (name, text), = cells
        text, found = percent_cells(text)
        if len(found) > MAX_CODE_CELLS:
            shown_script = script if isinstance(script, str) else shown or name
            raise BadNotebook(f"Script '{shown_script}' has {len(found)} code cells; a script may have at most "
                               f"{MAX_CODE_CELLS} (merge cells or leave out what is not the exercise).")
        pieces, at = [], 0
        for first, last, start, end in found:
            code = clean(text[start:end], f"{shown}, {name}" if shown else name, first)
            # the cell in its place; one left out whole keeps its lines, blank
            pieces += [text[at:start], "\n" * (last - first) if code is None else code]
            at = end
            if code is not None:
                names.append([name, first, last])
        pieces.append(text[at:])
        _write(os.path.join(folder, label, name), "".join(pieces))
    else:
        for name, source in cells:
            code = clean(source, f"{shown}, {name}" if shown else name)
            if code is None:
                continue
            _write(os.path.join(folder, label, name), code)
            names.append(name)
    if unchecked:
        others = len(unchecked) - 1
        notes.append(f"{unchecked[0]}{f' and {others} other cell' + ('s' if others != 1 else '') if others else ''}: "
                     f"not checked for IPython syntax, plotting and display code (the grader checks at most "
                     f"{mb(MAX_ANALYSED_BYTES)} MB of a submission's code cells, and "
                     f"{'these' if others else 'this one'} did not fit); "
                     f"{'they' if others else 'it'} ran as written")
    if left_out:
        subject = shown or (cells[0][0] if script else "the notebook")
        notes.append(f"{subject}: {left_out} more line{'s' if left_out != 1 else ''} of IPython "
                     "syntax skipped")
    drawn = plotting.note(shown)
    if drawn and not quiet_magics:
        notes.append(drawn)
    run = _RUNS.setdefault(os.path.realpath(folder), _Run())
    mark = _mark(label, cells)
    run.marks.add(mark)
    numbers = list(range(len(run.notes), len(run.notes) + len(notes)))
    run.notes.extend(notes)
    return names, numbers, plotting.by_name(), mark


# A module file imported flat rather than as part of the graded package: a cell's
# ``from activations import sigmoid`` (the submission folder is on sys.path for flat imports
# between modules). It takes the graded module's names, so the cells run once and the
# function imported is the one graded (a relative import would fail there).
_FLAT = (
    "else:  # imported flat by a cell (from activations import sigmoid): the graded module's names\n"
    "    import importlib as _il, os as _os, sys as _sys\n"
    "    _here = _os.path.dirname(_os.path.abspath(__file__))\n"
    "    _pkg = next(n for n, m in list(_sys.modules.items())\n"
    "                if _here in list(getattr(m, '__path__', None) or ()))\n"
    "    globals().update({k: v for k, v in vars(_il.import_module(_pkg + '.' + __name__)).items()\n"
    "                      if not k.startswith('__')})\n"
    "    del _il, _os, _sys, _here, _pkg\n")


def _runner_call(label, names, notes, shown, budget, plotting=None, mark=""):
    return ('"""Runs the code cells of a notebook (written by chainrule\'s grader)."""\n\n'
            "if __package__:\n"
            f"    from .{RUNNER} import run as _run\n\n"
            f"    _run(globals(), {label!r}, {names!r}, {notes!r}, {shown!r}, {budget!r}, {dict(plotting or {})!r}, "
            f"{mark!r})\n"
            "    del _run\n" + _FLAT)


def _reexport():
    return ("if __package__:\n"
            f"    from . import {SHARED} as _nb\n\n"
            "    globals().update({k: v for k, v in vars(_nb).items() if not k.startswith('__')})\n"
            "    del _nb\n" + _FLAT)


def write_shared(folder, label, cells, shown="", quiet_magics=False, timeout=None, script=False):
    """One namespace for every module: ``cells`` run once in ``_notebook.py`` and each
    contract module re-exports its names (``script``: ``cells`` is one percent script, run by
    its ``# %%`` cells, ``write_cells``). Returns nothing; the folder is ready to grade."""
    names, notes, plotting, mark = write_cells(folder, label, cells, shown, quiet_magics, script)
    _write(os.path.join(folder, f"{RUNNER}.py"), RUNNER_SOURCE)
    _write(os.path.join(folder, f"{SHARED}.py"),
           _runner_call(label, names, notes, shown, cell_budget(timeout), plotting, mark))
    for module in CONTRACT:
        _write(os.path.join(folder, f"{module}.py"), _reexport())


def cell_budget(timeout):
    """Seconds all code cells of a notebook may take together: a share of the time its
    import may take, so that a cell that runs forever is stopped and reported and the
    functions defined before it are still graded (the child is killed at ``timeout``)."""
    return round(CELLS_SHARE * float(DEFAULT_TIMEOUT if timeout is None else timeout), 3)


def convert(path, timeout=None) -> Converted:
    """Write the notebook submission ``path`` as a module folder in a private temporary
    folder (the caller calls ``cleanup()``); ``timeout`` as in ``grade_submission``."""
    path = os.fspath(path)
    shown = path.rstrip(os.sep) or path
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="chainrule-notebook-"))
    janitor.watch(tmp)      # removed even if this process is SIGKILLed
    try:
        if os.path.isfile(path) and path.endswith(SCRIPT_SUFFIX):
            base = os.path.basename(path)
            folder = os.path.join(tmp, PACKAGE_DIR)
            os.mkdir(folder)
            write_shared(folder, SCRIPT_LABEL, [(base, read_script(path))], timeout=timeout, script=shown)
            module = base[: -len(SCRIPT_SUFFIX)]
            return Converted(tmp, folder, {SCRIPT_LABEL: ""}, module if module in CONTRACT else None,
                             {m: shown for m in CONTRACT})
        if os.path.isfile(path):
            nb = read_notebook(path)
            base = os.path.basename(path)
            folder = os.path.join(tmp, PACKAGE_DIR)
            os.mkdir(folder)
            write_shared(folder, base, [(f"cell {n}", s) for n, s in code_cells(nb, shown)], shown,
                         timeout=timeout)
            return Converted(tmp, folder, {base: shown}, notebook_module(nb, base),
                             {m: shown for m in CONTRACT})
        folder = os.path.join(tmp, PACKAGE_DIR)
        os.mkdir(folder)
        found, labels = {}, {}
        analysis = Analysis()       # one for all the notebooks of the folder
        for name in sorted(os.listdir(path)):
            entry = os.path.join(path, name)
            if not name.endswith(SUFFIX):
                continue
            if not (os.path.isfile(entry) or os.path.islink(entry)):
                if name[: -len(SUFFIX)] in CONTRACT and not os.path.isdir(entry):   # a FIFO, a device
                    raise BadNotebook(f"'{os.path.join(shown, name)}' is not a file (a FIFO or a device); a "
                                      "submission may hold only regular files and folders.")
                continue
            nb = read_notebook(os.path.join(path, name), follow_links=False)
            module = notebook_module(nb, name)
            if module is None:
                continue
            if module in found:
                raise BadNotebook(f"Both {found[module]} and {name} in '{path}' are the {module} "
                                   "notebook; keep one.")
            found[module] = name
            cells = [(f"cell {n}", s) for n, s in code_cells(nb, os.path.join(shown, name))]
            labels[name] = os.path.join(shown, name)
            names, notes, plotting, mark = write_cells(folder, name, cells, labels[name], analysis=analysis)
            _write(os.path.join(folder, f"{module}.py"),
                   _runner_call(name, names, notes, labels[name], cell_budget(timeout), plotting, mark))
        if not found:
            raise BadNotebook(f"Folder '{path}' has no notebook of a contract module ("
                               f"{', '.join(m + SUFFIX for m in CONTRACT)}); is it the notebooks folder?")
        _write(os.path.join(folder, f"{RUNNER}.py"), RUNNER_SOURCE)
        return Converted(tmp, folder, labels, None, {m: labels[n] for m, n in found.items()})
    except BaseException:
        _RUNS.pop(os.path.realpath(os.path.join(tmp, PACKAGE_DIR)), None)   # keyed as write_cells keys it
        shutil.rmtree(tmp, ignore_errors=True)
        janitor.release(tmp)
        raise


def relabel(result, folder, labels, submission, module_files=None):
    """Show ``result`` (graded from ``folder``) as the notebook submission's: paths of the
    temporary folder become the notebooks' names, ``cell 7`` frames read "hw.ipynb, cell 7".

    ``labels``: cell-folder label -> shown name ("" to show the cell alone);
    ``module_files``: module -> shown notebook, for "not defined in ..." and imports.
    """
    base = os.path.basename(folder)
    # (old, new, whether old names the converted folder): the most specific first, a cell's
    # path, a module's, then the folder's. What the student's code printed is relabelled by
    # the folder's paths only (a warning's frame): "activations.py" it printed itself, or a
    # path of its own, stays as printed.
    pairs = []
    for label, shown in labels.items():
        for prefix, own in ((os.path.join(folder, label) + os.sep, True), (f"{base}/{label}/", True),
                            (f"{label}/", False)):
            pairs.append((prefix, f"{shown}, " if shown else "", own))
    for module, shown in (module_files or {}).items():
        pairs.append((os.path.join(folder, f"{module}.py"), shown, True))
        pairs.append((f"{base}/{module}.py", shown, True))
        pairs.append((f"importing {module}.py", f"running the cells of {shown}", False))
        pairs.append((f"{module}.py", shown, False))
    pairs += [(shlex.quote(folder), shlex.quote(submission), True), (folder, submission, True)]

    def fix(text, printed=False):
        if not text:
            return text
        for old, new, own in pairs:
            if own or not printed:
                text = text.replace(old, new)
        # a warning's "file:line:" of a cell reads "cell 5, line 5:"
        return _WARNING_LINE.sub(r"\1, line \2: ", text)

    run = _RUNS.pop(os.path.realpath(folder), None) or _Run()
    result.submission = submission
    result.command = fix(result.command)
    for fr in result.functions.values():
        if fr.missing_file and module_files is not None and fr.module not in module_files:
            # a folder of notebooks without this one: the notebook is what is missing
            notebook = fr.module + SUFFIX
            fr.import_error = fr.import_short = f"{notebook} {NOT_SUBMITTED}"
            fr.import_where = fr.missing_file = notebook
            for case in fr.cases:
                case.message = f"not graded: {notebook} {NOT_SUBMITTED}"
            continue
        # the runner's notes (the cells run while the module is imported): fix
        fr.import_output = fix(_take_notes(fr.import_output, result.notes, fix, run), printed=True)
        fr.output = fix(_take_notes(fr.output, result.notes, fix, run), printed=True)
        fr.import_error, fr.import_short = fix(fr.import_error), fix(fr.import_short)
        fr.import_where, fr.import_cause = fix(fr.import_where), fix(fr.import_cause)
        for case in fr.cases:
            case.message, case.rerun = fix(case.message), fix(case.rerun)
            for d in case.diagnoses:
                if d.kind == "dependency":      # a paste-in cell's "network.ipynb/cell 6" (grader.calls)
                    d.hint = fix(d.hint)
    return result


def _take_notes(output, notes, fix, run):
    """``output`` without the runner's notes (lines starting with a mark of ``run``, a ``_Run``),
    which go to ``notes`` (each once, in order, relabelled by ``fix``): what the cells did is said
    whether the function whose grading ran them passes or not. A note made by the grader is said
    by its number (``mark=3``) and taken from ``run``; any other line, "[notebook] ..." printed
    by a cell included, is the code's own output and stays there."""
    if not run.marks or NOTE_MARK not in (output or ""):
        return output
    kept = []
    for line in output.splitlines(keepends=True):
        at, mark = min(((line.find(m), m) for m in run.marks if m in line), default=(-1, ""))
        rest = line[at + len(mark):].rstrip("\n") if mark else None
        number = rest[1:] if rest is not None and rest.startswith("=") else ""
        if number.isascii() and number.isdigit() and int(number) < len(run.notes):
            note = fix(run.notes[int(number)])
        elif rest is not None and rest.startswith(" "):
            note = fix(rest[1:])
        else:
            kept.append(line)
            continue
        if at > 0:      # after a prompt printed without a newline (input("name? ")): the code's own
            kept.append(line[:at] + "\n")
        if note not in notes:
            notes.append(note)
    return "".join(kept)


def grade_notebooks(path, only=None, **options):
    """Grade the notebook (or folder of notebooks) ``path`` like a module folder."""
    from grader.engine import checked_timeout, grade

    path = os.fspath(path)
    options["timeout"] = checked_timeout(options.get("timeout"))    # refused before the cells' budget is written
    converted = convert(path, options["timeout"])
    try:
        if only is None and converted.default_module is not None:
            only = [converted.default_module]
        # the seed follows the notebooks as handed in, never the converted folder (which names
        # the path it was given and the cells' time budget)
        result = grade(converted.folder, only=only, seed_path=path, **options)
        return relabel(result, converted.folder, converted.labels, path, converted.files)
    finally:
        converted.cleanup()


def usage_error_if_missing(path):
    """A ChainruleUsageError for a ``.ipynb`` path that does not exist (exit 2)."""
    if os.fspath(path).endswith(SCRIPT_SUFFIX) and not os.path.exists(path):
        raise ChainruleUsageError(f"Script '{path}' does not exist; pass a percent script (.pct.py), a "
                                  "notebook, a folder of notebooks or a folder laid out like exercises/.")
    if os.fspath(path).endswith(SUFFIX) and not os.path.exists(path):
        raise ChainruleUsageError(f"Notebook '{path}' does not exist; pass a notebook, a folder of "
                                  "notebooks or a folder laid out like exercises/.")
