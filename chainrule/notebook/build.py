"""Build the exercise notebooks from the contract table and the ``exercises/`` modules.

One home for each fact: the functions, their order and points come from
``chainrule_core.contract``; what a function computes, its shapes and conventions from its
docstring; the skeleton (signature, docstring, the given lines, the ``TODO`` hint) is the
function's own source text in ``exercises/<module>.py``, cut out with ``ast``. Nothing of
it is written a second time here.

A notebook is: an introduction (the module's docstring and how to work), a first code cell
(``from chainrule.notebook import check`` and the module's imports), the given helpers
the module imports (``as_float``) as a code cell, the contract functions of other modules
it uses (``sigmoid`` in ``network``) as skeleton cells to paste one's own into, then per
function a Markdown cell, the skeleton cell and a one-line check cell, and at the end
``check()`` for the whole module. The same notebook is also written as a ``# %%``
percent-format script, ``<module>.pct.py`` (jupytext's ``ipynb,.pct.py:percent`` pairing;
not ``<module>.py``, which would read as an exercises module to ``chainrule grade``). ``nbformat`` is needed to build (the ``notebook`` extra); grading
never needs it.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import os
import re
from pathlib import Path

from chainrule_core import __version__
from chainrule_core import journal as journal_file
from chainrule_core.contract import BY_QUALNAME, CONTRACT, POINTS
from chainrule_core.errors import ChainruleError

NBFORMAT_MINOR = 5
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

HOW_TO = (
    "**How to work.** Fill in each function in its code cell (replace the `TODO` and the "
    "`raise NotImplementedError`), run it, then run the check cell below it: "
    "`check(\"{first}\")` grades the function as the notebook defines it now, on the same "
    "cases and with the same feedback as `chainrule grade`. Functions may be defined in any "
    "cell and in any order, with your own helpers and imports of libraries (a notebook cannot import "
    "another: paste what it uses of one into a cell); a check never stops "
    "*Run All*. Submit this notebook as it is: `chainrule grade {module}.ipynb` grades it "
    "like `exercises/{module}.py`. Grading (a check too) runs with NumPy and the standard library "
    "only: plot as you like, in cells of their own (`%matplotlib`, the matplotlib imports and the "
    "lines that plot are left out when grading, with a note, as are `display()`, the `IPython.display` "
    "imports and pandas' `.plot()`), and use no other library (scipy, pandas) in the functions."
)

#: what a student installs to run the notebooks (the student README says the same:
#: ``chainrule.release.NOTEBOOK_SETUP``)
SETUP = (
    "**Before you start.** Run this notebook in the Python environment of your copy of the course's "
    "exercises (where `pip install -e .` installed `chainrule` and NumPy), with Jupyter added to it: "
    "`pip install jupyterlab` (in VS Code, `pip install ipykernel` and choose that environment's "
    "kernel). In another environment the first cell stops with \"No module named 'chainrule'\". "
    "`{module}.pct.py` is this notebook as a `# %%` script, for editors that open those: "
    "`python {module}.pct.py` runs it and prints what its checks find, and "
    "`chainrule grade {module}.pct.py` grades it. Hand in the notebook, not the script: after working "
    "in the script, write the notebook from it (`pip install jupytext`, then `jupytext {module}.pct.py -o {module}.ipynb`)."
)


def need_nbformat():
    """``nbformat``, or a ChainruleError saying how to install it."""
    try:
        import nbformat
    except ImportError:
        raise ChainruleError("chainrule notebook needs nbformat: pip install 'chainrule[notebook]' "
                             "(or pip install nbformat).") from None
    return nbformat


def exercises_dir() -> Path:
    """The ``exercises/`` folder the skeletons are read from: the kit's own (beside its
    packages), else an importable ``exercises`` package."""
    here = Path(__file__).resolve().parents[2] / "exercises"
    if (here / "__init__.py").is_file():
        return here
    spec = importlib.util.find_spec("exercises")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    raise ChainruleError("The exercises/ folder (the skeletons the notebooks are made of) was not found; "
                         "run chainrule notebook from the chainrule repository.")


class _Source:
    """One module of ``exercises/``: its text, tree and top-level definitions."""

    def __init__(self, folder: Path, module: str):
        path = folder / f"{module}.py"
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ChainruleError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        self.tree = ast.parse(self.text)
        self.docstring = ast.get_docstring(self.tree) or ""
        self.defs = {n.name: n for n in self.tree.body
                     if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}

    def segment(self, node) -> str:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        lines = self.text.splitlines()[start - 1: node.end_lineno]
        return "\n".join(lines)


def _docstring_markdown(doc: str) -> str:
    """A CS231n docstring as Markdown: the description as text, ``Inputs:``/``Returns``
    sections bold, their ``- name: ...`` items as a list with the name in code."""
    doc = inspect.cleandoc(doc)
    out = []
    for line in doc.splitlines():
        if re.match(r"^(Inputs|Returns.*|Raises.*|Note.*):\s*$", line):
            out += ["", f"**{line.strip()}**", ""]
            continue
        item = re.match(r"^-\s+([\w, ]+):\s*(.*)$", line)
        if item:
            names = ", ".join(f"`{n.strip()}`" for n in item.group(1).split(","))
            out.append(f"- {names}: {item.group(2)}")
        elif line.startswith("  ") and out and out[-1].startswith("- "):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    text = "\n".join(out).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _signature(fn: str, node) -> str:
    args = [a.arg for a in node.args.args]
    return f"{fn}({', '.join(args)})"


class _Cells:
    """The cells of one notebook, with stable ids ``<module>-<n>``."""

    def __init__(self, nbformat, module):
        self.nbformat, self.module, self.cells = nbformat, module, []

    def _id(self):
        return f"{self.module}-{len(self.cells) + 1:02d}"

    def md(self, text):
        self.cells.append(self.nbformat.v4.new_markdown_cell(text.strip("\n"), id=self._id()))

    def code(self, text):
        self.cells.append(self.nbformat.v4.new_code_cell(text.strip("\n"), id=self._id()))


def _imports(src: _Source):
    """(plain import lines, [(module, [names])] of relative imports) of an exercises module."""
    plain, relative = [], []
    for node in src.tree.body:
        if isinstance(node, ast.Import):
            plain.append(ast.get_source_segment(src.text, node))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                relative.append((node.module, [a.name for a in node.names]))
            else:
                plain.append(ast.get_source_segment(src.text, node))
    return plain, relative


def notebook_cells(nbformat, module: str, folder: Path):
    """The cells of ``module``'s notebook (read from ``folder``, the exercises)."""
    src = _Source(folder, module)
    names = CONTRACT[module]
    cells = _Cells(nbformat, module)
    title, _, rest = src.docstring.partition("\n")
    title = title.rstrip(".")
    functions = ", ".join(f"`{n}`" for n in names)
    total = sum(POINTS[f"{module}.{n}"] for n in names)
    cells.md(f"# {module}: {title}\n\n{rest.strip()}\n\n"
             f"This notebook holds the {len(names)} functions of `{module}` ({functions}; "
             f"{total:g} points).\n\n" + SETUP.format(module=module)
             + "\n\n" + HOW_TO.format(first=f"{module}.{names[0]}", module=module))
    plain, relative = _imports(src)
    cells.code("\n".join(["from chainrule.notebook import check", ""] + plain))

    cache = {}
    for other, imported in relative:
        other_src = cache.setdefault(other, _Source(folder, other))
        given = [n for n in imported if f"{other}.{n}" not in BY_QUALNAME]
        theirs = [n for n in imported if f"{other}.{n}" in BY_QUALNAME]
        if given:
            cells.md(f"Given code (`{other.lstrip('_')}` helpers, not an exercise): "
                     + ", ".join(f"`{n}`" for n in given) + ". Run this cell.")
            body = "\n".join(l for l in _imports(other_src)[0] if l not in plain)
            segs = [other_src.segment(other_src.defs[n]) for n in given]
            cells.code("\n\n\n".join(([body] if body else []) + segs))
        for n in theirs:
            cells.md(f"`{module}` uses `{n}` from the `{other}` notebook: paste your "
                     f"implementation of it from there into this cell (it is not graded here).")
            cells.code(other_src.segment(other_src.defs[n]))

    graded = set(names)
    for node in src.tree.body[1 if src.docstring else 0:]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        name = getattr(node, "name", None)
        if name in graded:
            qual = f"{module}.{name}"
            points = POINTS[qual]
            cells.md(f"## `{_signature(name, node)}`\n\n{_docstring_markdown(ast.get_docstring(node) or '')}"
                     f"\n\n*{points:g} point{'s' if points != 1 else ''}.*")
            cells.code(src.segment(node))
            cells.code(f'check("{qual}")')
        else:
            label = f"`{name}`" if name else "this code"
            cells.md(f"Given code ({label}, not an exercise): run this cell.")
            cells.code(ast.get_source_segment(src.text, node) if name is None else src.segment(node))
    cells.md(f"## All of `{module}`\n\nEvery function of the notebook at once, as `chainrule grade` "
             "reports them.")
    cells.code("check()")
    return cells.cells


def build_notebook(module: str, folder: Path | None = None):
    """The notebook of ``module`` as an ``nbformat`` node (validated)."""
    nbformat = need_nbformat()
    folder = folder or exercises_dir()
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = NBFORMAT_MINOR
    nb.cells = notebook_cells(nbformat, module, folder)
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "chainrule": {"module": module, "version": __version__},
    }
    nbformat.validate(nb)
    return nb


def notebook_text(nb) -> str:
    """The notebook as the bytes Jupyter saves (sorted keys, one-space indent)."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def percent_script(nb) -> str:
    """The notebook as a ``# %%`` percent-format script (jupytext, VS Code, Spyder)."""
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out.append("# %% [markdown]")
            out.extend(("# " + line).rstrip() for line in cell.source.splitlines())
        else:
            out.append("# %%")
            out.extend(cell.source.splitlines())
        out.append("")
    return "\n".join(out)


def check_modules(modules):
    """``modules`` (names; None or empty for all) in contract order; a ChainruleUsageError
    with a suggestion for an unknown one."""
    from chainrule_core.suggest import did_you_mean
    from chainrule_core.errors import ChainruleUsageError

    if not modules:
        return list(CONTRACT)
    wanted = []
    for item in modules:
        for name in str(item).split(","):
            name = name.strip()
            if not name:
                continue
            if name not in CONTRACT:
                raise ChainruleUsageError(f"Unknown module '{name}'.{did_you_mean(name, CONTRACT)} "
                                          f"The modules are {', '.join(CONTRACT)}.")
            wanted.append(name)
    if not wanted:
        raise ChainruleUsageError(f"--modules is empty; give names such as {', '.join(list(CONTRACT)[:2])}.")
    return [m for m in CONTRACT if m in wanted]


def check_out(out: Path, force: bool) -> None:
    """Refuse a file, or a non-empty folder without ``force`` (nothing is touched)."""
    if out.exists() and not out.is_dir():
        raise ChainruleError(f"Output path '{out}' is a file, not a folder; choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ChainruleError(f"Output folder '{out}' is not empty; use --force to overwrite it or "
                             "choose another --out.")


def notebook_files(modules, folder: Path | None = None):
    """``{relative path: text}`` of the notebooks of ``modules`` and their scripts."""
    files = {}
    for module in modules:
        nb = build_notebook(module, folder)
        files[f"{module}.ipynb"] = notebook_text(nb)
        files[f"{module}.pct.py"] = percent_script(nb)
    return files


def write_files(out: Path, files) -> list:
    from chainrule_core.fileio import write_atomic

    written = []
    for rel, text in files.items():
        written.append(write_atomic(out / rel, text, force=True))
    return written


# --- finishing an interrupted run ------------------------------------------------------------
#
# As ``chainrule generate`` does it (both through ``chainrule_core.journal``): until the last file is
# written the output folder holds a journal (``JOURNAL``, hidden), a first line with the
# options that decide the files, then one line per student (or, without --students, per
# notebook) appended with one ``write`` once all of its files are written. The same command
# in that folder keeps what is complete and writes the rest; the journal goes last, so a
# finished folder is byte for byte what an uninterrupted run writes. Files are written
# atomically: a student interrupted between two files has only whole files, rewritten with
# the same bytes. A torn last line (a crash mid-write) does not parse and is dropped.
# One run at a time writes a folder (``hold``); ``--force`` over an interrupted run removes the
# files it wrote that this run does not write (``interrupted_files``, ``remove_interrupted``).

JOURNAL = ".chainrule-notebook.journal"
_JOURNAL_FORMAT = 1


def run_options(modules, students, seed, secret, practice, worksheet, lang) -> dict:
    """What decides the files of ``chainrule notebook`` in a folder: a run with other options
    does not finish an interrupted one. ``secret`` is kept as its fingerprint only."""
    from chainrule_core.secret import fingerprint

    return {"kit_version": __version__, "modules": list(modules),
            "students": None if students is None else [[s.id, s.name] for s in students],
            "seed": seed, "secret": fingerprint(secret) if secret is not None else None,
            "practice": bool(practice), "worksheet": bool(worksheet), "lang": lang}


def _differences(old: dict, new: dict) -> list:
    """What differs between an interrupted run's options and this run's, one phrase each."""
    said = []
    if old.get("kit_version") != new["kit_version"]:
        said.append(f"chainrule {old.get('kit_version')} there, {new['kit_version']} here")
    if old.get("modules") != new["modules"]:
        said.append(f"--modules {','.join(old.get('modules') or [])} there, {','.join(new['modules'])} here")
    before, now = old.get("students"), new["students"]
    if (before is None) != (now is None):
        said.append("--students there, none here" if now is None else "no --students there, --students here")
    elif before != now:
        if [row[0] for row in before] == [row[0] for row in now]:
            said.append("the same student ids with other names")
        else:
            said.append(f"another roster ({len(before)} students there, {len(now)} here)")
    if old.get("seed") != new["seed"]:
        said.append(f"course seed {old.get('seed')} there, {new['seed']} here")
    if old.get("secret") != new["secret"]:
        said.append("another course secret (--secret-file)" if old.get("secret") and new["secret"] else
                    "--secret-file there, none here" if old.get("secret") else "no --secret-file there, one here")
    if old.get("practice") != new["practice"]:
        said.append("practice sheets there, not here" if old.get("practice") else "practice sheets here, not there")
    if old.get("worksheet") != new["worksheet"]:
        said.append("--without-worksheet there, --with-worksheet here" if new["worksheet"] else
                    "--with-worksheet there, --without-worksheet here")
    if old.get("lang") != new["lang"]:
        said.append(f"--lang {old.get('lang')} there, {new['lang']} here")
    return said


def _read_journal(out: Path):
    """``(options, {unit: [files]})`` of ``out``'s journal, or None when it has none this kit
    can read (the folder is then refused as any non-empty folder is)."""
    record = journal_file.read(out / JOURNAL, _JOURNAL_FORMAT)
    if record is None:
        return None
    header, entries = record
    done = {}
    for entry in entries:
        try:
            unit, files = entry["id"], entry["files"]
            if isinstance(unit, str) and isinstance(files, list) and all(journal_file.plain(f) for f in files):
                done[unit] = [str(f) for f in files]
        except (KeyError, TypeError):
            continue
    return header["options"], done


def resume_out(out: Path, force: bool, options: dict) -> dict:
    """``check_out`` for a run that may finish an interrupted one: ``{unit: [files]}`` of the
    students (or notebooks) that run completed, every file still there, to keep; an empty
    dict for a new run (or ``force``, which starts over: ``remove_interrupted``). An
    interrupted run with other ``options`` is refused with one sentence naming what differs;
    any other non-empty folder as before."""
    if out.exists() and not out.is_dir():
        check_out(out, force)
    if force or not out.is_dir():
        return {}
    record = _read_journal(out)
    if record is None:
        check_out(out, force)
        return {}
    old, done = record
    differs = _differences(old, options)
    if differs:
        raise ChainruleError(
            f"Output folder '{out}' holds an interrupted chainrule notebook run with other options "
            f"({'; '.join(differs)}); run that command again to finish it, or use --force to start over.")
    _sweep(out)
    return {unit: files for unit, files in done.items()
            if files and all(journal_file.there(out, name) for name in files)}


def _units(options: dict) -> list:
    """The units of a run with ``options``, in the order it writes them: its students' ids, or
    without --students its modules (only names that are one plain path part)."""
    rows = options.get("students")
    if rows is None:
        units = options.get("modules") or []
    else:
        units = [row[0] if isinstance(row, list) and row else None for row in rows]
    return [unit for unit in units if isinstance(unit, str) and "/" not in unit and journal_file.plain(unit)]


def unit_files(options: dict, unit: str) -> list:
    """The files a run with ``options`` writes for ``unit`` (relative to ``--out``): a module's
    notebook and percent script, or a student's notebooks (and your_worksheet.ipynb)."""
    from chainrule.notebook.worksheet import NOTEBOOK

    if options.get("students") is None:
        return [f"{unit}.ipynb", f"{unit}.pct.py"]
    names = [f"{module}{ext}" for module in options.get("modules") or [] if isinstance(module, str)
             for ext in (".ipynb", ".pct.py")]
    if options.get("worksheet"):
        names += [NOTEBOOK, NOTEBOOK.replace(".ipynb", ".pct.py")]
    return [f"students/{unit}/{name}" for name in names]


def interrupted_files(out: Path) -> dict:
    """``{unit: [files]}`` an interrupted run in ``out`` wrote, for ``--force`` to remove what
    this run does not write again: the units its journal lists as complete, and the one it
    was writing when it stopped (the first of its units not listed; of its files, those there
    were written by that run, or by the run it resumed). Empty when ``out`` has no journal."""
    record = _read_journal(out) if out.is_dir() else None
    if record is None:
        return {}
    old, done = record
    written = dict(done)
    pending = next((unit for unit in _units(old) if unit not in done), None)
    if pending is not None:
        written[pending] = unit_files(old, pending)
    return written


# --- what a finished run wrote ------------------------------------------------------------------
#
# A finished class (``--students``) leaves a record (``RECORD``, hidden, in the instructor's
# output folder, where the journal was) with its options: the files it wrote follow from
# them (``unit_files``). ``--force`` over a finished class removes those this run does not
# write again (a student dropped from the roster, a module left out), as ``generate --force``
# removes what an earlier set's manifest lists. A run without ``--students`` writes no record:
# its folder is the notebooks handed out as they are.

RECORD = ".chainrule-notebook.json"
_RECORD_FORMAT = 1


def write_record(out: Path, options: dict) -> None:
    """Note that the run with ``options`` finished in ``out`` (written atomically): what
    decides its files alone (``unit_files``), the students by id (no name: review 19)."""
    from chainrule_core.fileio import write_atomic

    rows = options.get("students")
    kept = {"modules": options.get("modules"), "worksheet": options.get("worksheet"),
            "students": None if rows is None else [[row[0]] for row in rows]}
    text = json.dumps({"kit": "chainrule", "notebook_record": _RECORD_FORMAT, "options": kept},
                      sort_keys=True, ensure_ascii=False)
    write_atomic(out / RECORD, text + "\n", force=True)


def remove_record(out: Path) -> None:
    try:
        (out / RECORD).unlink()
    except FileNotFoundError:
        pass


def finished_files(out: Path) -> dict:
    """``{unit: [files]}`` the finished run recorded in ``out`` wrote (``write_record``); empty
    when there is no record this kit can read."""
    try:
        data = json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(data, dict) or data.get("kit") != "chainrule" or data.get("notebook_record") != _RECORD_FORMAT
            or not isinstance(data.get("options"), dict)):
        return {}
    options = data["options"]
    return {unit: unit_files(options, unit) for unit in _units(options)}


def remove_interrupted(out: Path, written: dict, kept) -> dict:
    """Remove the files of ``written`` (``interrupted_files``) that are not in ``kept`` (this
    run's), then the folders that leaves empty (never ``out`` itself), and the temporary files
    a killed run left; ``{unit: [files removed]}``. Only regular files are removed (a link or
    a folder in their place is left alone)."""
    keep = set(kept)
    removed: dict = {}
    for unit, files in written.items():
        for name in files:
            path = out / name
            if name in keep or not journal_file.plain(name) or path.is_symlink() or not path.is_file():
                continue
            journal_file.remove(out, path)
            removed.setdefault(unit, []).append(name)
    if written:
        _sweep(out)
    return removed


def _sweep(out: Path) -> None:
    """Remove the temporary files a killed run may have left: in ``out`` and in its
    students' folders (``students/<id>/``), where it writes."""
    folders = [out] + sorted(p for p in (out / "students").glob("*") if p.is_dir() and not p.is_symlink())
    for folder in folders:
        for path in folder.iterdir():
            if journal_file.TEMPORARY.match(path.name) and path.is_file() and not path.is_symlink():
                try:
                    path.unlink()
                except OSError:
                    pass


class Journal(journal_file.Journal):
    """The journal being written: the header and the units kept, then a line per unit whose
    files are all written (``add``), appended with one ``write`` each; ``remove`` once the
    run is finished."""

    def __init__(self, out: Path, options: dict, kept: dict):
        head = {"journal": _JOURNAL_FORMAT, "kit": "chainrule", "options": options}
        super().__init__(out / JOURNAL, head, [(unit, self._entry(unit, files)) for unit, files in kept.items()])

    @staticmethod
    def _entry(unit: str, files) -> dict:
        return {"id": unit, "files": list(files)}

    def add(self, unit: str, files) -> None:  # type: ignore[override]
        super().add(unit, self._entry(unit, files))


def hold(out: Path):
    """Lock ``out`` for this run (``chainrule_core.journal.hold``): the descriptor to close at
    the end, or None. Another chainrule notebook writing there: one sentence, exit 1."""
    return journal_file.hold(out, f"Output folder '{out}' is in use by another chainrule notebook; wait for it to "
                                  "finish or choose another --out.")
