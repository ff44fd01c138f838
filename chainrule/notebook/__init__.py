"""``check``: grade a function of a notebook as the kernel defines it now.

In the first cell of every chainrule notebook::

    from chainrule.notebook import check

and below each function ``check("activations.sigmoid")``. ``check`` collects the code
the kernel has run (IPython's input history, in order, without check cells and IPython
syntax), writes it as a module folder exactly as ``chainrule grade`` writes a submitted
notebook (``grader.notebooks``), and grades it with ``grader.grade_submission`` in the
grader's sandbox: the same cases, comparison, diagnosis and report as ``chainrule grade``.
It returns a ``CheckResult`` (``passed``, ``score``, ``max_score``, ``result``) that Jupyter
shows as the grader's report (HTML, with a plain-text fallback); outside IPython (a
``# %%`` script run with ``python``) it prints the report, which names the script (what was
graded, never a notebook beside it that may be stale), and the commands it prints grade the
script (``chainrule grade activations.pct.py`` grades a percent script as ``check`` does); a
``mine.py`` names the ``mine.ipynb`` it is paired with when that holds the same code cells. A wrong answer never raises, so
*Run All* goes through a half-done notebook. ``check()`` with no argument checks every
function of the notebook's module (its file name when the kernel knows it, else the module
of the latest ``check("module.function")``, else every module with a function defined).

Building the notebooks (``chainrule notebook``) lives in ``chainrule.notebook.build`` and
needs ``nbformat``; this module does not.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile

from chainrule_core.contract import BY_QUALNAME, CONTRACT

__all__ = ["check", "CheckResult"]

KERNEL_LABEL = "kernel"


class CheckResult:
    """What ``check`` found: ``passed``, ``score``, ``max_score``, the grader's ``result``
    (a ``GradeResult``, None when nothing was graded) and the report ``text``."""

    def __init__(self, passed, score, max_score, text, result=None):
        self.passed, self.score, self.max_score = bool(passed), score, max_score
        self.text, self.result = text, result

    def __repr__(self):
        return self.text.rstrip("\n")

    def __bool__(self):
        return self.passed

    def _repr_html_(self):
        if self.result is None:
            return f"<p><b>chainrule check:</b> {html.escape(self.text.strip())}</p>"
        color, word = ("#1a7f37", "Passed") if self.passed else ("#cf222e", "Not passed yet")
        return (f'<div class="chainrule-check"><p style="color:{color};font-weight:bold">'
                f"{word}: {self.score:g} / {self.max_score:g} "
                f"point{'s' if self.max_score != 1 else ''}</p>"
                f'<pre style="white-space:pre-wrap">{html.escape(self.text.rstrip())}</pre></div>')


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def kernel_sources(shell):
    """``[(label, source)]`` of every input the kernel ran, in order (``In [n]``)."""
    hist = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if hist is None:
        hist = shell.user_ns.get("In", [])
    return [(f"In [{n}]", src) for n, src in enumerate(hist) if n and str(src).strip()]


def script_sources():
    """``[(label, source)]`` of the running script (a percent script run with python)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8-sig") as fh:
        return [(os.path.basename(path), fh.read())]


def _defined(namespace):
    return [q for q, f in BY_QUALNAME.items() if callable(namespace.get(f.name))]


def _unknown(name, namespace):
    from chainrule_core.suggest import closest, did_you_mean, suggestion

    module = name.split(".", 1)[0] if "." in name else None
    if module not in CONTRACT:
        defined = {q.split(".")[0] for q in _defined(namespace)}
        module = next(iter(defined), None) if len(defined) == 1 else None
    if module is None:
        return (f"Unknown function '{name}'.{did_you_mean(name, list(BY_QUALNAME))} Name it as "
                f"module.function; the modules are {', '.join(CONTRACT)}.")
    names = [f"{module}.{n}" for n in CONTRACT[module]]
    bare = closest(name.split(".")[-1], CONTRACT[module])
    hint = suggestion(f"{module}.{bare}") if bare else did_you_mean(name, names)
    return f"Unknown function '{name}'.{hint} The functions of {module} are {', '.join(names)}."


MAX_SEARCHED = 50   # notebooks of the kernel's folder read to find where its code came from


def _kernel_file():
    """The notebook file Jupyter runs this kernel for, when it says (``JPY_SESSION_NAME``,
    VS Code's ``__vsc_ipynb_file__``), as a path from the kernel's folder; else None."""
    shell = _shell()
    vscode = getattr(shell, "user_ns", {}).get("__vsc_ipynb_file__") if shell is not None else None
    for value in (os.environ.get("JPY_SESSION_NAME"), vscode):
        value = str(value or "")
        if not value.endswith(".ipynb"):
            continue
        for path in (value, os.path.basename(value)):
            if os.path.isfile(path):
                relative = os.path.relpath(path)
                return relative if not relative.startswith(os.pardir) else os.path.abspath(path)
    return None


def _source_file(module, sources):
    """The ``.ipynb`` of the kernel's folder whose code cells the kernel ran (the most
    cells found among its inputs; a tie goes to ``<module>.ipynb``, then to the first by
    name); None when no notebook there holds any of them."""
    from grader.notebooks import code_cells, read_notebook
    from chainrule_core.errors import ChainruleError

    ran = {str(src).strip() for _label, src in sources if str(src).strip()}
    if not ran:
        return None
    try:
        names = sorted(n for n in os.listdir(".") if n.endswith(".ipynb") and os.path.isfile(n))
    except OSError:
        return None
    best, best_score = None, 0
    for name in names[:MAX_SEARCHED]:
        try:
            cells = code_cells(read_notebook(name))
        except (ChainruleError, OSError, ValueError, KeyError, TypeError):
            continue
        score = sum(1 for _number, src in cells if src.strip() in ran)
        if score > best_score or (score == best_score and score and name == f"{module}.ipynb"):
            best, best_score = name, score
    return best


def script_name():
    """How reports name the script run with python: its path from the current folder (where
    the commands they print are run), else its absolute path; None outside a script."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not os.path.isfile(path):
        return None
    relative = os.path.relpath(path)
    return relative if not relative.startswith(os.pardir) else os.path.abspath(path)


SCRIPT_SUFFIX = ".pct.py"      # what chainrule grade grades as a script (grader.notebooks)


def script_cells(text):
    """The code cells of a ``# %%`` script, stripped, empty ones left out: its cells as
    ``chainrule grade`` runs them (``grader.notebooks.percent_cells``: the chunks between
    ``# %%`` lines, without text ones such as ``# %% [markdown]``), but for a leading header
    of comments only (jupytext's metadata)."""
    from grader.notebooks import CELL_MARKER, percent_cells

    text, cells = percent_cells(text)
    chunks = [text[start:end].strip() for _first, _last, start, end in cells]
    if cells and not CELL_MARKER.search(text, 0, cells[0][2]) and all(
            not ln.strip() or ln.lstrip().startswith("#") for ln in chunks[0].splitlines()):
        chunks = chunks[1:]
    return [code for code in chunks if code]


def _synced_notebook(script, text):
    """For a ``# %%`` script not named ``*.pct.py`` (``mine.py``, as jupytext's ``py:percent``
    pairs it with ``mine.ipynb``), that notebook when it holds the script's code cells, which
    chainrule grade then grades alike; else None."""
    if script.endswith(SCRIPT_SUFFIX) or not script.endswith(".py"):
        return None
    paired = script[: -len(".py")] + ".ipynb"
    if not os.path.isfile(paired):
        return None
    from grader.notebooks import code_cells, read_notebook
    from chainrule_core.errors import ChainruleError

    try:
        cells = [src.strip() for _number, src in code_cells(read_notebook(paired)) if src.strip()]
    except (ChainruleError, OSError, ValueError, KeyError, TypeError):
        return None
    return paired if cells == script_cells(text) else None


def notebook_name(module, sources=()):
    """How reports and the commands they print name the notebook the kernel runs: the file
    its code came from (the one Jupyter names, else the notebook of the kernel's folder whose
    cells the kernel ran), else ``<module>.ipynb``."""
    return _kernel_file() or _source_file(module, sources) or f"{module}.ipynb"


_LAST = [None]      # the module of the latest check("module.function") in this kernel


def _notebook_module(namespace, sources=()):
    """The modules ``check()`` grades: the notebook's (its file name when the kernel knows
    it, else the module the notebook the kernel's code came from is for, else the module of
    the latest named check), else every module with a function defined."""
    for value in (os.environ.get("JPY_SESSION_NAME"), namespace.get("__vsc_ipynb_file__")):
        stem = os.path.basename(str(value or ""))[: -len(".ipynb")]
        if str(value or "").endswith(".ipynb") and stem in CONTRACT:
            return [stem]
    script = script_name() if _shell() is None else None
    for suffix in (".pct.py", ".py"):       # activations.pct.py run with python
        stem = os.path.basename(script or "")[: -len(suffix)]
        if (script or "").endswith(suffix) and stem in CONTRACT:
            return [stem]
    found = _kernel_file() or _source_file(None, sources)
    if found:
        from grader.notebooks import notebook_module, read_notebook
        from chainrule_core.errors import ChainruleError

        try:
            module = notebook_module(read_notebook(found), found)
        except (ChainruleError, OSError, ValueError):
            module = None
        if module in CONTRACT:
            return [module]
    if _LAST[0] in CONTRACT:
        return [_LAST[0]]
    return sorted({q.split(".")[0] for q in _defined(namespace)}, key=list(CONTRACT).index)


_HEADER = [None]    # the report's header (its lines before the first blank one) printed last


def _show(res):
    """Outside IPython print the report (inside, Jupyter shows the returned value). A script
    that checks function after function gets the report's header ("chainrule grade: ...
    (seed ...)", the sandbox line) once, and again only when it changes (another seed);
    ``res.text`` keeps it."""
    if _shell() is None:
        text = res.text
        if res.result is not None:
            header, blank, rest = text.partition("\n\n")
            if blank and header.startswith("chainrule grade: "):
                if header == _HEADER[0]:
                    text = rest
                _HEADER[0] = header
        print(text, end="" if text.endswith("\n") else "\n")
    return res


def check(name=None, *, seed=None, timeout=None):
    """Grade ``name`` (``"activations.sigmoid"``, ``"sigmoid"`` or a module) as the kernel
    defines it now; ``check()`` grades the notebook's module. Never raises for a wrong answer,
    an unknown name or a grading that could not run: the report says so."""
    shell = _shell()
    if shell is not None:
        namespace, sources, quiet = shell.user_ns, kernel_sources(shell), True
    else:
        main = sys.modules.get("__main__")
        namespace, sources, quiet = vars(main) if main else {}, script_sources(), False
    if name is None:
        only = _notebook_module(namespace, sources)
        if not only:
            return _show(CheckResult(False, 0.0, 0.0, "No function of the contract is defined yet; run "
                                     "the cells that define them first.\n"))
    else:
        name = str(name).strip()
        bare = [q for q, f in BY_QUALNAME.items() if f.name == name]
        if name not in BY_QUALNAME and name not in CONTRACT and len(bare) == 1:
            name = bare[0]          # check("sigmoid") is check("activations.sigmoid")
        if name not in BY_QUALNAME and name not in CONTRACT:
            return _show(CheckResult(False, 0.0, 0.0, _unknown(name, namespace) + "\n"))
        only = [name]
        _LAST[0] = name.split(".")[0]
    module = only[0].split(".")[0]
    from chainrule_core.errors import ChainruleError

    try:
        # a script run with python is what was graded, never a notebook beside it that may be
        # stale: reports name it (chainrule grade grades a *.pct.py as check does), or the
        # notebook a mine.py is paired with when it holds the same code
        script = script_name() if shell is None else None
        shown = (_synced_notebook(script, sources[0][1]) or script) if script and sources else None
        res = grade_sources(sources, only, shown or notebook_name(module, sources), seed=seed,
                            timeout=timeout, quiet_magics=quiet, script=shell is None)
        commands = "chainrule grade " in res.text.partition("\n")[2]
        if commands and shown and shown == script and not script.endswith(SCRIPT_SUFFIX):
            stem = os.path.basename(script)[: -len(".py")] if script.endswith(".py") else os.path.basename(script)
            res.text += (f"(chainrule grade grades a script as check does when its name ends in {SCRIPT_SUFFIX}: "
                         f"save {os.path.basename(script)} as {stem}{SCRIPT_SUFFIX} to run these commands.)\n")
    except ChainruleError as exc:   # no child process, a bad seed: one line, Run All goes on
        res = CheckResult(False, 0.0, 0.0, f"check could not grade {', '.join(only)}: {exc}\n")
    return _show(res)


def grade_sources(sources, only, shown, seed=None, timeout=None, quiet_magics=True, script=False):
    """Grade ``only`` in the code ``sources`` (``[(label, source)]``, run in order; with
    ``script``, the one script run with python, run by its ``# %%`` cells as ``chainrule
    grade`` runs a percent script); reports name the notebook ``shown``."""
    from grader import grade_submission
    from grader.engine import checked_timeout
    from grader.notebooks import PACKAGE_DIR, relabel, write_shared
    from grader.reports import render

    timeout = checked_timeout(timeout)      # refused before the cells' budget is written
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="chainrule-check-"))
    try:
        folder = os.path.join(tmp, PACKAGE_DIR)
        os.mkdir(folder)
        write_shared(folder, KERNEL_LABEL, sources, quiet_magics=quiet_magics, timeout=timeout,
                     script=script and len(sources) == 1)
        result = grade_submission(folder, only=only, seed=seed, timeout=timeout)
        # the seed came from the kernel's code, which the notebook file need not hold
        # byte for byte: every command the report prints names it (--seed)
        result.seed_given = True
        relabel(result, folder, {KERNEL_LABEL: ""}, shown, {m: shown for m in CONTRACT})
        for fr in result.functions.values():
            # what the cells printed as they ran again in the child: the student saw it when
            # they ran them (their failures are in the notes, kept)
            fr.import_output = ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = render(result, "text")
    return CheckResult(result.passed, result.score, result.max_score, text, result)


# ---------------------------------------------------------------- your_worksheet.ipynb
class Loaded:
    """The definitions of a notebook's code cells (``load_notebook``), as attributes."""

    def __init__(self, path, namespace):
        self._path, self._ns = path, namespace

    def __getattr__(self, name):
        ns = self.__dict__.get("_ns", {})
        if name in ns:
            return ns[name]
        raise AttributeError(f"{self.__dict__.get('_path')} does not define {name}; define it there "
                             "and run this cell again")

    def __dir__(self):
        return sorted(self._ns)


def load_notebook(path):
    """Run the code cells of the notebook ``path`` (without check cells and IPython syntax)
    in a fresh namespace, as ``chainrule grade`` does, and return its definitions. A cell
    that raises is reported on stderr and the others still run."""
    import traceback

    from grader.notebooks import clean_cell, code_cells, read_notebook

    path = os.fspath(path)
    namespace = {"__name__": "__notebook__"}
    for number, source in code_cells(read_notebook(path)):
        code, _notes = clean_cell(source, "")
        if code is None:
            continue
        try:
            exec(compile(code, f"{path}, cell {number}", "exec"), namespace)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, the others still run
            last = traceback.extract_tb(exc.__traceback__)
            line = next((f.lineno for f in last if f.filename == f"{path}, cell {number}"), None)
            where = f"{path}, cell {number}" + (f", line {line}" if line else "")
            print(f"{where}: raised {type(exc).__name__}: {exc} (the cells after it still ran)",
                  file=sys.stderr)
    return Loaded(path, namespace)


#: what ``beside`` says, (English, Korean): ``chainrule notebook --lang`` writes
#: ``beside(..., lang="ko")`` into a Korean your_worksheet.ipynb
BESIDE_WORDS = {
    "title": ("{family} ({variant_word} {variant}): your code beside your hand answers",
              "{family} ({variant_word} {variant}): 코드가 계산한 값과 손으로 계산한 답"),
    "columns": (("quantity", "your code", "by hand"), ("값", "내 코드", "손 계산")),
    "no_file": ("No {answers} next to this notebook: only your code's values are shown.",
                "이 노트북 옆에 {answers} 파일이 없다. 코드가 계산한 값만 보인다."),
    "unreadable": ("{answers} cannot be read ({error}); only your code's values are shown.",
                   "{answers} 파일을 읽을 수 없다({error}). 코드가 계산한 값만 보인다."),
    "from": ("Hand answers from {answers}, problem {key}.", "손 계산 답: {answers}의 {key} 문제."),
    "no_problem": ("{answers} has no {family} problem of {variant_word} {variant} (it is not on your sheet, "
                   "or the file is of another {course_seed}): only your code's values are shown.",
                   "{answers}에 {variant_word} {variant}인 {family} 문제가 없다(문제지에 없는 문제이거나 다른 "
                   "{course_seed}의 파일이다). 코드가 계산한 값만 보인다."),
    "not_number": ("'{text}' is not a number", "'{text}': 수가 아니다"),
    "agree_to": ("agree (to the {decimals} decimals you wrote)", "일치 (적은 대로 소수점 아래 {decimals}자리까지)"),
    "agree": ("agree", "일치"),
    "signs": ("the signs differ", "부호가 다르다"),
    "before_point": ("they differ before the decimal point", "소수점 앞부터 다르다"),
    "from_place": ("they differ from the {nth} decimal place", "소수점 아래 {nth_ko} 자리부터 다르다"),
    "differ": ("they differ", "다르다"),
}


#: the languages of ``beside`` (generate's, ``generator.i18n.LANGUAGES``) and the two words
#: it shares with the worksheets (``generator.i18n.WORDS``), copied here: a student copy ships
#: this package without the generator (a test holds them equal to the generator's)
LANGUAGES = ("en", "ko")
SHEET_WORDS = {"variant_word": ("variant", "변형"), "course_seed": ("course seed", "과정 시드")}


def _words(lang):
    """``BESIDE_WORDS`` in ``lang``, with the worksheets' words for a variant and the course
    seed filled in (``SHEET_WORDS``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"Language '{lang}' is not valid; use {' or '.join(LANGUAGES)}.")
    index = LANGUAGES.index(lang)
    slots = {slot: pair[index] for slot, pair in SHEET_WORDS.items()}
    out = {}
    for key, pair in BESIDE_WORDS.items():
        text = pair[index]
        if isinstance(text, str):
            for slot, value in slots.items():
                text = text.replace("{" + slot + "}", value)
        out[key] = text
    return out


def _hand_answers(family, variant, answers, lang="en"):
    """``(section dict or None, note)``: the hand answers of the ``family`` problem of
    variant ``variant`` in the answers file ``answers``."""
    w = _words(lang)
    if not os.path.isfile(answers):
        return None, w["no_file"].format(answers=answers)
    try:
        try:
            import tomllib
        except ImportError:  # Python < 3.11
            import tomli as tomllib
        with open(answers, "rb") as fh:
            data = tomllib.load(fh)
    except Exception as exc:  # noqa: BLE001 - a broken file is reported, not raised
        return None, w["unreadable"].format(answers=answers, error=exc)
    variants = data.get("chainrule", {}).get("variants", {})
    for key, info in variants.items():
        if isinstance(info, dict) and info.get("family") == family and info.get("variant") == variant:
            return data.get(key, {}), w["from"].format(answers=answers, key=key)
    return None, w["no_problem"].format(answers=answers, family=family, variant=variant)


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


_KO_UNITS = ("", "첫", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉")


def _ordinal_ko(n):
    """A Korean ordinal in native words, as a decimal place is said: 첫째, 둘째, ..., 열째, 열한째,
    열두째, ..., 스무째 (not "1째", trial 18a); past 20 "21번째"."""
    if n == 20:
        return "스무째"
    if not 1 <= n < 20:
        return f"{n}번째"
    tens, unit = divmod(n, 10)
    if not tens:
        return f"{_KO_UNITS[unit]}째"
    return "열" + {0: "", 1: "한", 2: "두"}.get(unit, _KO_UNITS[unit]) + "째"


def compare_numbers(code, hand_text, lang="en"):
    """How the hand answer ``hand_text`` (as written) stands beside the code's ``code``."""
    w = _words(lang)
    text = str(hand_text).strip()
    if not text:
        return ""
    try:
        hand = float(text)
    except ValueError:
        return w["not_number"].format(text=text)
    decimals = len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0
    if abs(code - hand) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12 * abs(code):
        return w["agree_to"].format(decimals=decimals) if decimals else w["agree"]
    if hand != 0 and abs(code + hand) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12 * abs(code):
        return w["signs"]
    for place in range(-6, 17):
        if round(code, place) != round(hand, place):
            if place <= 0:
                return w["before_point"]
            return w["from_place"].format(nth=_ordinal(place), nth_ko=_ordinal_ko(place))
    return w["differ"]


def _width(text):
    """Columns ``text`` takes in a monospace font (Hangul and other wide characters: 2)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width, align=">"):
    space = " " * max(0, width - _width(text))
    return text + space if align == "<" else space + text


class Beside:
    """The table ``beside`` shows: quantity, your code, your hand answer, how they compare."""

    def __init__(self, title, rows, note, columns=BESIDE_WORDS["columns"][0]):
        self.title, self.rows, self.note, self.columns = title, rows, note, columns

    def __repr__(self):
        quantity, code, hand = self.columns
        width = max([_width(quantity)] + [len(r[0]) for r in self.rows])
        lines = [self.title, self.note, f"{_pad(quantity, width, '<')}  {_pad(code, 16)}  {_pad(hand, 12)}  "]
        for name, code, hand, verdict in self.rows:
            lines.append(f"{name:<{width}}  {code:>16}  {hand:>12}  {verdict}".rstrip())
        return "\n".join(lines)

    def _repr_html_(self):
        esc = html.escape
        body = "".join(f"<tr><td><code>{esc(n)}</code></td><td>{esc(c)}</td><td>{esc(h)}</td><td>{esc(v)}</td></tr>"
                       for n, c, h, v in self.rows)
        head = "".join(f"<th>{esc(c)}</th>" for c in self.columns)
        return (f"<p><b>{esc(self.title)}</b><br>{esc(self.note)}</p><table><tr>{head}"
                f"<th></th></tr>{body}</table>")


def beside(family, variant, values, answers="answers.toml", lang="en"):
    """Your code's ``values`` (``{answers.toml name: number}``) beside your hand answers
    for the ``family`` problem of ``variant`` in ``answers`` (when it is there); the words
    in ``lang`` (``en`` or ``ko``)."""
    w = _words(lang)
    section, note = _hand_answers(family, variant, answers, lang)
    rows = []
    names = list(values)
    if section:
        names = [n for n in section if n in values] + [n for n in names if n not in section]
    for name in names:
        try:
            code = float(values[name])
            shown = f"{code:.10g}"
        except (TypeError, ValueError):
            code, shown = None, str(values[name])
        hand = section.get(name, "") if section else ""
        hand = "" if hand is None else str(hand)
        verdict = compare_numbers(code, hand, lang) if code is not None else ""
        rows.append((name, shown, hand, verdict))
    res = Beside(w["title"].format(family=family, variant=variant), rows, note, w["columns"])
    if _shell() is None:
        print(repr(res))
    return res
