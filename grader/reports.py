"""Report writers: one ``GradeResult``, five formats.

``render(result, fmt, color=False) -> str`` with ``fmt`` in ``FORMATS`` (the keys of
``RENDERERS``, in the order ``chainrule grade --format`` shows them); ``write(text,
path, force=False)`` writes atomically (temp file + ``os.replace``) and refuses to
overwrite an existing file unless ``force``. Every format is deterministic for a given
result except where a format demands wall time (Gradescope ``execution_time``, JUnit
``time``); the text, JSON and Markdown reports contain no timing at all. Text from the
submission (messages, printed output, names) reaches every format through
``grader.escape`` only, so any string a submission makes gives a valid report.
"""

from __future__ import annotations

import json
import re

from chainrule_core.fileio import write_atomic
from grader import calls, escape
from grader.results import counted

MAX_CASES_SHOWN = 3         # a failing function's cases listed one line each (after the first)
MAX_MESSAGE_LINES = 10      # lines of the first failing case's explanation shown by default
MAX_PRINTED_LINES = 4       # lines of what the code printed shown by default
MIN_COLLAPSED = 3           # a module with this many functions, none started, is one row
#: how every report labels a diagnosis, by its kind: a generic reading is "likely", a mistake of
#: the catalogue "known" (never named by its internal id)
DIAGNOSIS_LABELS = {"known": "Known mistake", "finding": "Found", "generic": "Likely mistake"}


def _num(x):
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _fn_status(fr):
    if fr.passed:
        return "PASS"
    if fr.not_implemented:
        return "TODO"
    return "FAIL"


def _waits_for(fr, functions=None):
    """The not-implemented functions ``fr`` (itself "not implemented") only waits for: it
    calls them, directly or through functions that wait too, and raises no
    NotImplementedError of its own (``grader.calls``)."""
    if not fr.not_implemented or not any(d.kind == calls.KIND for c in fr.cases for d in c.diagnoses):
        return []
    return (calls.roots(fr.qualname, functions) if functions else []) or list(fr.depends_on)


def _traced(fr):
    """Whether every failing case of ``fr`` may be explained by a failing function it calls."""
    failing = [c for c in fr.cases if not c.passed and c.status != "skipped"]
    return bool(failing) and all(any(d.kind == calls.KIND for d in c.diagnoses) for c in failing)


def _after_verdict(fr, functions=None):
    """``_fn_summary`` of a function of which one case ran (``--case``) without its leading
    "case 2 of 5 fails" (said before it): "known mistake: ...", "not implemented yet", or ""."""
    note, verdict = _fn_summary(fr, functions), fr.case_verdict()
    return note[len(verdict):].lstrip("; ") if note.startswith(verdict) else note


def _fn_summary(fr, functions=None):
    """A few words after the points: why a function did not pass, or that it warned."""
    if fr.passed:
        note = warning_note(fr)
        note = f"warned: {note.split(' (')[0]}" if note else ""
        if fr.partial:
            return fr.case_verdict() + (f"; {note}" if note else "")
        return note
    waits = _waits_for(fr, functions)
    if waits:
        return f"waits for {calls.and_list(calls.shown_name(q, fr.module) for q in waits)} (not implemented yet)"
    if fr.not_implemented:
        return "not implemented yet"
    if fr.missing_file:     # "layers.py is not in your submission": nothing ran, nothing to rerun
        return fr.import_short
    if fr.import_error:
        how = "timed out" if fr.cases[0].status == "timeout" else "failed"
        return f"not graded: importing {fr.import_where} {how}"
    pastes = {calls.unpasted_summary(c.diagnoses[0].hint if c.diagnoses else "") for c in fr.cases if not c.passed}
    if len(pastes) == 1 and "" not in pastes:   # every failing case waits for a notebook's paste-in cell
        return pastes.pop()
    failing = [c for c in fr.cases if not c.passed]
    # the noun agrees with the total: "1 of 1 case failed", "1 of 3 cases failed"
    parts = [f"{len(fr.cases) - fr.n_passed} of {counted(len(fr.cases), 'case')} failed"]
    if fr.partial:      # --case: "case 2 of 5 fails", never "1 of 1 case failed"
        parts = [fr.case_verdict()]
    for word in ("timeout", "crashed", "error"):
        hit = [c.number for c in failing if c.status == word]
        if hit:
            what = {"timeout": "timed out", "crashed": "crashed", "error": "raised an error"}[word]
            if len(hit) < len(failing):     # the others gave values: say which one did this
                what = f"case {hit[0]} {what}" if len(hit) == 1 else f"{len(hit)} {what}"
            parts.append(what)
            break
    hints = fr.hints(limit=1)
    if hints:
        d, _ = hints[0]
        if d.kind == calls.KIND and fr.depends_on:
            first = (calls.roots(fr.qualname, functions) if functions else []) or fr.depends_on
            parts.append(f"fix {calls.and_list(calls.shown_name(q, fr.module) for q in first)} first")
        else:
            word = {"known": "known mistake", "finding": "found", "generic": "looks like"}.get(d.kind, "found")
            if " or " in d.name:        # mistakes that tie on every case: their sentences follow
                parts.append(f"{word}: one of {d.name.count(' or ') + 1} that give these results (below)")
            else:
                parts.append(f"{word}: {short_hint(d.hint) or d.name}")
    if functions and fix_first_line(fr, functions).startswith("Fix this first"):
        users = [c for c in _callers(fr, functions) if not c.not_implemented]
        parts.append(f"fix first: {counted(len(users), 'function')} {'calls' if len(users) == 1 else 'call'} it")
    return "; ".join(parts)


_CLAUSE_END = re.compile(r"(?:; |\. |, but |, while |, so |: |\.$)")
_PLAIN_FIRST = {"You", "Your", "This", "That", "These", "The", "It", "Both", "With", "A", "An",
                # the imperatives and plain words the known mistakes' hints start with (never a
                # name such as He, Glorot, Keras, Adam, E or W, which keep their capital)
                "Divide", "Return", "Only", "Gradient", "Binary", "At", "Indexing", "Update", "Add",
                "Inverted", "Multiplying", "Batch", "Take", "Clipping", "Adding", "Reset", "Operator",
                "Sample"}


def as_sentence(hint):
    """A hint as a sentence of its own: "your ..." capitalised, a full stop at the end."""
    text = str(hint or "")
    text = "Your" + text[4:] if text.startswith("your ") else text
    return text if text.endswith((".", "?", "!", ")")) else text + "."


def short_hint(hint, limit=64):
    """The first clause of a hint, for a one-line summary: "You applied s(1 − s) to x
    itself, but ..." -> "you applied s(1 − s) to x itself" (the whole sentence follows in
    the function's explanation); cut at a word with "…" past ``limit`` characters."""
    text = " ".join(str(hint or "").split())
    match = _CLAUSE_END.search(text)
    if match:
        text = text[:match.start()]
    if len(text) > limit:   # at a comma or a remark in parentheses when there is one, else at a word
        cuts = [m.start() for m in re.finditer(r", | \((?=[a-z]{2,} )", text[:limit])
                if text[:m.start()].count("(") == text[:m.start()].count(")")]    # never inside ( )
        cut = max(cuts, default=0)
        text = text[:cut] if cut >= 20 else text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    first = text.split(" ", 1)[0]
    if first in _PLAIN_FIRST:       # "You ..." -> "you ...": it follows "known mistake:" (not "He")
        text = first.lower() + text[len(first):]
    return text


def _callers(fr, functions):
    """The failing functions that call ``fr``, directly or through other failing ones."""
    out = []
    for other in functions.values():
        if other is fr or other.passed:
            continue
        seen, stack = set(), list(other.depends_on)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            if name == fr.qualname:
                out.append(other)
                break
            if name in functions:
                stack.extend(functions[name].depends_on)
    return out


def fix_first_line(fr, functions):
    """"Fix this first" for a failing function that failing functions call, or ""."""
    if fr.not_implemented:
        return ""
    callers = [c for c in _callers(fr, functions) if not c.not_implemented]
    if not callers:
        return ""
    names = calls.and_list(calls.shown_name(c.qualname, fr.module) for c in callers)
    one = len(callers) == 1
    text = (f"{names} {'calls' if one else 'call'} {fr.name}{'' if one else ', directly or not,'} and "
            f"{'fails' if one else 'fail'} too; {'it' if one else 'they'} may pass once {fr.name} does.")
    if any(d in functions for d in fr.depends_on):
        return text     # it waits for another fix itself: not the one to fix first
    return "Fix this first: " + text


def details_order(frs, functions):
    """``frs`` with every function after the failing functions it calls (else contract order)."""
    wanted = {fr.qualname for fr in frs}
    out, done = [], set()

    def visit(name, path):
        if name in done or name in path or name not in functions:
            return
        for below in functions[name].depends_on:
            visit(below, path | {name})
        done.add(name)
        if name in wanted:
            out.append(functions[name])

    for fr in frs:
        visit(fr.qualname, frozenset())
    return out


def _numbers(numbers):
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"case {numbers[0]}"
    return "cases " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def hint_lines(fr):
    """The function's hints, once each, with the cases they explain."""
    lines = []
    failing = [c.number for c in fr.cases if not c.passed]
    for d, numbers in fr.hints():
        if d.kind == calls.KIND:     # a sentence of its own: "forward calls sigmoid, which ..."
            text = d.hint      # starts with the function's name: never capitalised
            lines.append(text if numbers == failing else f"{text} ({_numbers(numbers)})")
            continue
        which = "every failing case" if numbers == failing and len(numbers) > 1 else _numbers(numbers)
        label = DIAGNOSIS_LABELS[d.kind]
        hint = "Your" + d.hint[4:] if d.hint.startswith("your ") else d.hint
        hint = hint if hint.endswith((".", "?", "!", ")")) else hint + "."
        lines.append(f"{label} ({which}): {hint}")
    return lines


def function_lines(result, fr, verbose=False):
    """A failing function's explanation: its hint, the first failing case in full, the
    other failing cases one line each (every case in full with ``verbose``), the command
    that reruns it. About 25 lines by default, whatever the number of cases."""
    failing = [c for c in fr.cases if not c.passed]
    lines = [f"{fr.qualname}: {len(failing)} of {counted(len(fr.cases), 'case')} failed"]
    if fr.partial:
        lines = [f"{fr.qualname}: {fr.case_verdict()} (only this case was run)"]
    fix_first = fix_first_line(fr, result.functions) if result is not None else ""
    if fix_first:
        lines.append("  " + fix_first)
    lines.extend("  " + line for line in hint_lines(fr))
    # a failure a failing callee may explain: its values say little until that is fixed,
    # so one line per case (every case in full with --verbose)
    shown = failing if verbose else [] if _traced(fr) else failing[:1]
    for case in shown:
        lines.append(f"  Case {case.number} \"{case.name}\":")
        message = case.message.splitlines()
        if not verbose and len(message) > MAX_MESSAGE_LINES:
            message = message[:MAX_MESSAGE_LINES] + [f"... ({len(message) - MAX_MESSAGE_LINES} more lines "
                                                     "with --verbose)"]
        lines.extend("    " + line for line in message)
        if verbose and case.inputs:
            lines.append("    Its inputs in full (Python, with numpy as np):")
            lines.extend("      " + line for line in case.inputs.splitlines())
        if verbose and case.rerun:
            lines.append(f"    Rerun only this case: {case.rerun}")
    rest = [] if verbose else failing[len(shown):]
    for case in rest[:MAX_CASES_SHOWN + (1 - len(shown))]:
        first = _headline(case)
        lines.append(f"  Case {case.number} \"{case.name}\": {first}")
    listed = MAX_CASES_SHOWN + (1 - len(shown))
    if len(rest) > listed:
        lines.append(f"  ... and {len(rest) - listed} more failing case"
                     f"{'s' if len(rest) - listed > 1 else ''}")
    if getattr(result, "hidden_seed", False):
        lines.extend(_hidden_seed_lines(result, fr, failing, shown, verbose))
    elif not verbose:
        if failing and shown:
            lines.append(f"  Rerun case {failing[0].number}: {failing[0].rerun}")
        if len(failing) > 1 or not shown:
            lines.append(f"  Every case in full: {result.command_for(fr.qualname)} --verbose")
    else:
        lines.append(f"  Rerun this function: {result.command_for(fr.qualname)}")
    if fr.output.strip():
        printed = fr.output.rstrip("\n").splitlines()
        shown_lines = printed if verbose else printed[:MAX_PRINTED_LINES]
        lines.append(f"  Your code printed while {fr.qualname} was graded{_printed_where(fr)}:")
        lines.extend("  | " + line for line in shown_lines[:200])
        if len(printed) > len(shown_lines):
            lines.append(f"  | ... ({len(printed) - len(shown_lines)} more lines with --verbose)")
    return lines


def _printed_where(fr) -> str:
    """" (its warnings come from lines of activations.sigmoid)" when the warnings ``fr``
    printed point at other functions than ``fr`` itself (``FunctionResult.printed_in``, trial
    19b: sigmoid's overflow shown under sigmoid_derivative, which calls it), else ""."""
    others = [name for name in getattr(fr, "printed_in", None) or [] if name != fr.qualname]
    if not others:
        return ""
    named = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
    return f" (its warnings come from lines of {named})"


def import_printed(fr, verbose=False):
    """What ``fr``'s module printed while it was imported for ``fr`` (the first function graded
    of it), whether ``fr`` passes or not: ``(heading, lines)``, the lines cut to
    ``MAX_PRINTED_LINES`` (one more saying how many are left) unless ``verbose``; None when it
    printed nothing. A failed import's output is shown with its error instead."""
    if fr.import_error or not fr.import_output.strip():
        return None
    where = fr.import_where or f"{fr.module}.py"
    # a notebook's (relabelled: its cells ran as the module was imported)
    ran = f"{where} was imported" if where.endswith(f"{fr.module}.py") else f"the cells of {where} ran"
    printed = fr.import_output.rstrip("\n").splitlines()
    lines = printed[:200] if verbose else printed[:MAX_PRINTED_LINES]
    if len(printed) > len(lines):
        lines.append(f"... ({len(printed) - len(lines)} more lines"
                     f"{' not shown' if verbose else ' with --verbose'})")
    return f"Your code printed while {ran}:", lines


def _hidden_seed_lines(result, fr, failing, shown, verbose):
    """Instead of the rerun commands, in a student's report of cases graded on a seed their
    copy has not (``GradeResult.hidden_seed``): which cases can be rerun there (those with
    the public seed's inputs keep their command), and the command that runs the same checks
    on the public seed."""
    lines = []
    first = failing[0] if failing and shown and not verbose else None
    if first is not None and first.rerun:
        lines.append(f"  Rerun case {first.number}: {first.rerun}")
    hidden = [c for c in failing if not c.rerun]
    if hidden:
        if first is not None and not first.rerun:
            told, one = [first], True
            which = f"Case {first.number}"
        elif len(hidden) < len(failing):    # some have the public seed's inputs: say which do not
            told, one = hidden, len(hidden) == 1
            which = f"{'Case' if one else 'Cases'} {calls.and_list(str(c.number) for c in hidden)}"
        else:
            told, one = hidden, len(failing) == 1
            which = "This case" if one else "These cases"
        it = "it" if one else "they"
        # a case that was not run (an earlier one ended the function) was graded on nothing
        verb = (("was" if one else "were") + " graded on" if all(c.status != "skipped" for c in told)
                else ("uses" if one else "use"))
        lines.append(f"  {which} {verb} a hidden seed that only the course's grader has, so {it} cannot be "
                     "rerun in your repository.")
    lines.append(f"  The same checks on the public seed: {result.command_for(fr.qualname)}"
                 f"{'' if verbose else ' --verbose'}")
    return lines


def _headline(case):
    """The line of a case's message that says what is wrong (not the inputs line)."""
    lines = [line for line in case.message.splitlines() if not line.startswith("Inputs: ")]
    text = lines[0] if lines else case.message
    return text if len(text) <= 150 else text[:147] + "..."


def _import_failures(result):
    """``[(file, [FunctionResult, ...]), ...]``: functions not graded because an import failed
    (not those whose module the submission does not have: their rows say so, and no rerun
    helps before the file is there)."""
    groups = {}
    for fr in result.functions.values():
        if fr.import_error and not fr.missing_file:
            groups.setdefault(fr.import_where, []).append(fr)
    return list(groups.items())


def _import_failure_lines(result, where, frs, shown):
    """A failed import, once: its error (or, when the error is in a module it imports
    whose failure is ``shown`` too, one line saying so) and the functions not graded."""
    import textwrap

    first = frs[0]
    error = first.import_short if first.import_cause in shown else first.import_error
    lines = error.splitlines()
    lines = [lines[0][:1].upper() + lines[0][1:]] + lines[1:]
    lines.extend(textwrap.wrap(", ".join(fr.name for fr in frs), width=88,
                               initial_indent=f"  Not graded ({counted(len(frs), 'function')}): ",
                               subsequent_indent="    "))
    modules = list(dict.fromkeys(fr.module for fr in frs))
    command = result.command_for(*modules)
    lines.append(f"  Rerun: {command}")
    return lines


#: the heading of what running a notebook's cells said (``GradeResult.notes``)
NOTES_HEADING = "Running your notebook's cells:"


def _hidden_note(result):
    """After the seed in a Markdown report's heading: that the student's copy has not its cases."""
    if not getattr(result, "hidden_seed", False):
        return ""
    return " (hidden: chainrule grade in your repository runs the same checks on the public seed)"


def summary_line(result):
    if result.one_case is not None:     # --case: no total, no points (not a grade)
        return result.one_case_sentence()
    n_pass = sum(1 for f in result.functions.values() if f.passed)
    n_fns = len(result.functions)
    points = "point" if result.max_score == 1 else "points"
    return (f"Total: {_num(result.score)} / {_num(result.max_score)} {points} ({result.percent:.1f}%), "
            f"{n_pass} of {counted(n_fns, 'function')} {'passes' if n_fns == 1 else 'pass'}")


def render_text(result, color=False, verbose=False):
    out, marks = [], []     # marks: (line index, text within it, click.style options)

    def style(text, **kw):  # styled after escaping, so student text never carries ANSI codes
        marks.append((len(out), text, kw))
        return text

    colors = {"PASS": "green", "FAIL": "red", "TODO": "yellow"}
    hidden = ", hidden from your repository;" if getattr(result, "hidden_seed", False) else ","
    out.append(f"chainrule grade: {result.submission} (seed {result.seed}{hidden} expected values from "
               f"{result.oracle})")
    if result.confinement:
        out.append(result.confinement)
    if getattr(result, "not_graded", ""):    # modules at a repository's top (grader.locate)
        out.append(result.not_graded)
    out.append("")
    by_module = {}
    for fr in result.functions.values():
        by_module.setdefault(fr.module, []).append(fr)
    # a module not started at all is one row, not one per function
    untouched = {m for m, frs in by_module.items()
                 if len(frs) >= MIN_COLLAPSED and all(f.not_implemented and not _waits_for(f) for f in frs)}
    # so is a module whose file the submission does not have
    absent = {m for m, frs in by_module.items() if len(frs) >= MIN_COLLAPSED and all(f.missing_file for f in frs)}
    rows = [f.name if m not in untouched | absent else f"all {len(frs)} functions"
            for m, frs in by_module.items() for f in frs]
    width = max([len(name) for name in rows] + [10])
    shown = result.points
    for module, frs in by_module.items():
        out.append(module)
        if module in untouched:
            pts = f"0/{_num(sum(f.max_score for f in frs))}"
            label = f"all {len(frs)} functions"
            out.append(f"  {style('TODO', fg=colors['TODO'], bold=True)}  {label:<{width}}  {pts:>7}  "
                       "not implemented yet")
            continue
        if module in absent:
            pts = f"0/{_num(sum(f.max_score for f in frs))}"
            label = f"all {len(frs)} functions"
            out.append(f"  {style('FAIL', fg=colors['FAIL'], bold=True)}  {label:<{width}}  {pts:>7}  "
                       f"{frs[0].import_short}")
            continue
        for fr in frs:
            if fr.partial:      # --case: what the case did, no PASS and no points
                note = _after_verdict(fr, result.functions)
                styled = style(fr.case_verdict(), fg="green" if fr.passed else "red", bold=True)
                out.append(f"  {fr.name:<{width}}  {styled}" + (f"; {note}" if note else ""))
                continue
            word = _fn_status(fr)
            pts = f"{_num(shown[fr.qualname])}/{_num(fr.max_score)}"
            note = _fn_summary(fr, result.functions)
            line = f"  {style(word, fg=colors[word], bold=True)}  {fr.name:<{width}}  {pts:>7}"
            out.append(line + (f"  {note}" if note else ""))
    out.append("")
    out.append(style(summary_line(result), bold=True))
    if result.notes:
        out.append("")
        out.append(NOTES_HEADING)
        out.extend("  " + note for note in result.notes)
    for fr in result.functions.values():
        printed = import_printed(fr, verbose)
        if printed:
            out.append("")
            out.append(printed[0])
            out.extend("  | " + line for line in printed[1])
    failures = [f for f in result.functions.values() if not f.passed]
    todo = [f for f in failures if f.not_implemented and not _waits_for(f)]
    waiting = [f for f in failures if _waits_for(f)]
    details = [f for f in failures if not f.not_implemented and not f.import_error]
    if todo:
        import textwrap

        out.append("")
        out.append(f"Not implemented yet ({counted(len(todo), 'function')}; the TODO is "
                   "not filled in yet, the function still raises NotImplementedError):")
        todo_by_module = {}
        for fr in todo:
            todo_by_module.setdefault(fr.module, []).append(fr.name)
        for module_name, names in todo_by_module.items():
            if module_name not in untouched:
                out.extend(textwrap.wrap(", ".join(names), width=88, initial_indent=f"  {module_name}: ",
                                         subsequent_indent="    "))
        modules = [m for m in todo_by_module if m in untouched]
        if modules:
            out.extend(textwrap.wrap(calls.and_list(modules), width=88, subsequent_indent="    ",
                                     initial_indent=f"  every function of {'this module' if len(modules) == 1 else 'these modules'}: "))
    for module_name, fr in _todo_printed(todo + waiting):
        out.append(f"  {module_name} printed while graded (a cell or line that failed there can leave the TODO "
                   "in place):")
        out.extend("  | " + line for line in fr.output.rstrip("\n").splitlines()[:TODO_PRINTED_LINES])
    if waiting:
        out.append("")
        out.append(f"Written but not graded yet ({counted(len(waiting), 'function')}; each calls a function "
                   "that is not implemented yet, whose NotImplementedError stops it too):")
        for fr in waiting:
            names = calls.and_list(calls.shown_name(q, fr.module) for q in _waits_for(fr, result.functions))
            out.append(f"  {fr.qualname}: implement {names} first")
    cautions = [(fr, warned(fr)) for fr in result.functions.values() if warned(fr)]
    if cautions:
        out.append("")
        which = "the case run" if result.one_case is not None else counted(len(cautions), 'function')
        out.append(f"Passed, but warned ({which}; the results were right, yet "
                   "the computation warned on the way: an overflow, a division by zero or an invalid value):")
        for fr, lines in cautions:
            out.append(f"  {fr.qualname}{_printed_where(fr)}:")
            out.extend("  | " + line for line in lines)
    failed_imports = _import_failures(result)
    shown = {where for where, _ in failed_imports}
    for where, frs in failed_imports:
        out.append("")
        lines = _import_failure_lines(result, where, frs, shown)
        out.append(style(lines[0], bold=True))
        out.extend(lines[1:])
        printed = [fr for fr in frs if fr.output.strip()]
        if printed:
            out.append(f"  Your code printed while {where} was imported:")
            out.extend("  | " + line for line in printed[0].output.rstrip("\n").splitlines()[:20])
    for fr in details_order(details, result.functions):
        lines = function_lines(result, fr, verbose)
        out.append("")
        out.append(style(lines[0], bold=True))
        out.extend(lines[1:])
    text = [escape.clean(line) for line in out]
    if color:
        import click

        for index, part, kw in marks:
            part = escape.clean(part)
            text[index] = text[index].replace(part, click.style(part, **kw), 1)
    return "\n".join(text) + "\n"


def _clean(text):
    """``escape.clean(text)``; printable ASCII (most of a report) is already clean."""
    if text.isascii() and text.isprintable():
        return text
    return escape.clean(text)


def _cleaned(value):
    """Every string in a JSON-able tree made valid Unicode (``escape.clean``)."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


class _NotPlain(Exception):
    """A value ``_dumps`` leaves to ``json.dumps``."""


def _dumps(doc):
    """``json.dumps(_cleaned(doc), indent=2, ensure_ascii=False)``, byte for byte, in one pass.

    ``json.dumps`` with an indent runs its pure-Python encoder (the C one knows no indent),
    about 8 ms for a whole grade's report; this writes the same text for the trees the
    reports make (dicts with string keys, lists and tuples, strings, numbers, booleans,
    None) and hands anything else to ``json.dumps``."""
    from json.encoder import encode_basestring

    out = []
    add = out.append

    def scalar(value):
        if isinstance(value, str):
            return encode_basestring(_clean(value))
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if type(value) is int:
            return int.__repr__(value)
        if type(value) is float:
            if value != value:
                return "NaN"
            if value == float("inf"):
                return "Infinity"
            if value == -float("inf"):
                return "-Infinity"
            return float.__repr__(value)
        raise _NotPlain

    def walk(value, pad):
        if isinstance(value, dict):
            if not value:
                add("{}")
                return
            inner = pad + "  "
            items = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _NotPlain
                items[_clean(key)] = item
            first = True
            for key, item in items.items():
                add(("{\n" if first else ",\n") + inner + encode_basestring(key) + ": ")
                first = False
                walk(item, inner)
            add("\n" + pad + "}")
        elif isinstance(value, (list, tuple)):
            if not value:
                add("[]")
                return
            inner = pad + "  "
            first = True
            for item in value:
                add(("[\n" if first else ",\n") + inner)
                first = False
                walk(item, inner)
            add("\n" + pad + "]")
        else:
            add(scalar(value))

    try:
        walk(doc, "")
    except _NotPlain:
        return json.dumps(_cleaned(doc), indent=2, ensure_ascii=False)
    return "".join(out)


#: A warning line as Python's warnings module prints it ("file.py:31: RuntimeWarning: ..."), or
#: as a notebook's report relabels it ("activations.ipynb, cell 5, line 3: RuntimeWarning: ...").
_WARNING = re.compile(r"(?::\d+|, line \d+): RuntimeWarning: ")
_WARNING_PARTS = re.compile(r"(?P<where>.*?)(?::(?P<line>\d+)|, line (?P<nbline>\d+)): RuntimeWarning: (?P<what>.*)")
#: what a passing function that warned is told, after the warning itself
WARNING_RULE = "the contract asks for no such warnings"
#: Lines shown of what a passing function's warnings said (the warning and its source line).
WARNING_LINES = 4


def warned(fr):
    """The first lines of the warnings a passing function printed (NumPy's overflow or
    invalid-value RuntimeWarning: right results this time, a fragile computation), or []."""
    if not fr.passed or "RuntimeWarning: " not in fr.output:
        return []
    lines = fr.output.rstrip("\n").splitlines()
    first = next((i for i, line in enumerate(lines) if _WARNING.search(line)), None)
    return [] if first is None else lines[first:first + WARNING_LINES]


def warning_note(fr):
    """A passing function's first warning in a few words: "overflow encountered in exp
    (activations.py, line 5)", or "" when it did not warn."""
    lines = warned(fr)
    match = _WARNING_PARTS.fullmatch(lines[0].strip()) if lines else None
    if match is None:
        return ""
    where = match.group("where").replace("\\", "/").rsplit("/", 1)[-1][:80]
    what = match.group("what").strip()
    what = what if len(what) <= 100 else what[:99] + "…"     # printed text: never a wall of it
    return f"{what} ({where}, line {match.group('line') or match.group('nbline')})"


def passed_line(fr):
    """The one line a passing function gets where a result is shown in a line or two (the
    Classroom message, a Gradescope test): its cases passed, and how it warned if it did."""
    text = "Its one case passed" if len(fr.cases) == 1 else f"All {len(fr.cases)} cases passed"
    if fr.partial:      # --case: "Case 3 of 5 passes", never "its one case"
        text = fr.case_verdict()[:1].upper() + fr.case_verdict()[1:]
    note = warning_note(fr)
    return f"{text}, but warned: {note}; {WARNING_RULE}." if note else text + "."


#: Lines of what a module printed shown beside its not-implemented functions.
TODO_PRINTED_LINES = 10


def _todo_printed(frs):
    """(module, the first function with output) per module of the not-implemented ``frs``
    that printed something while graded: a notebook cell that raised, a warning."""
    seen = {}
    for fr in frs:
        if fr.output.strip() and fr.module not in seen:
            seen[fr.module] = fr
    return list(seen.items())


def render_json(result):
    return _dumps(result.to_dict()) + "\n"


def _function_output(fr, result=None, verbose=False):
    if fr.passed:
        text = passed_line(fr)
        if warned(fr):
            text += ("\n\nThe results were right, yet the computation warned on the way (an overflow, a "
                     "division by zero or an invalid value):\n" + "\n".join(warned(fr)))
        return text
    if fr.missing_file:
        return f"Not graded: {fr.import_error}, so this function scores 0."
    if fr.import_error:
        text = f"Not graded ({counted(len(fr.cases), 'case')} not run): {fr.import_error}"
        if fr.output.strip():
            text += "\n\nYour code printed:\n" + fr.output.rstrip("\n")
        return text
    if fr.not_implemented:
        waiting = [d for d, _ in fr.hints(limit=1) if d.kind == calls.KIND]
        if waiting and _waits_for(fr, result.functions if result is not None else None):
            text = f"Not graded yet: {waiting[0].hint}"
        else:
            text = "Not implemented yet: the TODO is not filled in yet (it still raises NotImplementedError)."
        if fr.output.strip():
            text += "\n\nYour code printed:\n" + fr.output.rstrip("\n")
        return text
    lines = function_lines(result, fr, verbose)[1:]
    return "\n".join(line[2:] if line.startswith("  ") else line for line in lines)


#: why a --case run has no Gradescope (or Classroom) report: they take its scores for the grade
NO_GRADE = ("--case runs one case of a function, which is not a grade; a Gradescope or Classroom report "
            "is one: grade without --case")


def _import_printed_text(fr, verbose=False):
    """``import_printed`` as a paragraph after a test's own output, or ""."""
    printed = import_printed(fr, verbose)
    return "" if printed is None else "\n\n" + "\n".join([printed[0], *printed[1]])


def render_gradescope(result, verbose=False):
    if result.one_case is not None:
        raise ValueError(NO_GRADE)
    tests = []
    shown = result.points
    for number, fr in enumerate(result.functions.values(), 1):
        tests.append({
            "name": fr.qualname,
            "number": str(number),
            "score": shown[fr.qualname],
            "max_score": fr.max_score,
            "status": "passed" if fr.passed else "failed",
            "output": _function_output(fr, result, verbose) + _import_printed_text(fr, verbose),
            "output_format": "text",
            "tags": [fr.module],
            "visibility": "visible",
        })
    doc = {
        "score": result.score,
        "execution_time": int(round(result.elapsed)),
        "output": summary_line(result) + f" (seed {result.seed})" + (f"\n{result.confinement}" if result.confinement else "")
                  + (f"\n{result.not_graded}" if getattr(result, "not_graded", "") else "")
                  + (f"\n\n{NOTES_HEADING}\n" + "\n".join(result.notes) if result.notes else ""),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return _dumps(doc) + "\n"


def render_junit(result, verbose=False):
    import xml.etree.ElementTree as ET     # only for this format

    x = escape.xml      # every text and attribute: always well-formed XML 1.0
    failures = sum(1 for f in result.functions.values()
                   if not f.passed and not _is_error(f))
    errors = sum(1 for f in result.functions.values() if not f.passed and _is_error(f))
    root = ET.Element("testsuites", name="chainrule grade", tests=str(len(result.functions)),
                      failures=str(failures), errors=str(errors), time=f"{result.elapsed:.3f}")
    suite = ET.SubElement(root, "testsuite", name="chainrule.grade", tests=str(len(result.functions)),
                          failures=str(failures), errors=str(errors), time=f"{result.elapsed:.3f}")
    props = ET.SubElement(suite, "properties")
    graded = (("score", _num(result.score)), ("max_score", _num(result.max_score))) if result.one_case is None \
        else (("not_a_grade", result.one_case_sentence()),)     # --case: no score a CI step could take
    left = (("not_graded", result.not_graded),) if getattr(result, "not_graded", "") else ()
    for key, value in (("seed", result.seed), *graded, ("oracle", result.oracle),
                       ("confinement", result.confinement), *left):
        ET.SubElement(props, "property", name=key, value=x(value))
    shown = result.points
    for fr in result.functions.values():
        name = fr.qualname + (f" {fr.cases_run()}" if fr.partial else "")
        case = ET.SubElement(suite, "testcase", classname=fr.module, name=name, time=f"{fr.elapsed:.3f}")
        if not fr.passed:
            tag = "error" if _is_error(fr) else "failure"
            first = next(c for c in fr.cases if not c.passed)
            headline = _headline(first)
            if fr.not_implemented:
                headline = "not implemented yet"
            points = fr.cases_run() if fr.partial else f"{_num(shown[fr.qualname])}/{_num(fr.max_score)} points"
            el = ET.SubElement(case, tag, message=x(f"{points}: {headline}"[:300]))
            el.text = x(_function_output(fr, result, verbose))
        printed = fr.import_output if import_printed(fr) else ""
        if printed.strip() or fr.output.strip():     # its module's import first: it ran first
            ET.SubElement(case, "system-out").text = x(printed + fr.output)
    if result.notes:
        ET.SubElement(suite, "system-out").text = x(NOTES_HEADING + "\n" + "\n".join(result.notes))
    ET.indent(root) if hasattr(ET, "indent") else None
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _is_error(fr):
    return any(c.status in ("error", "timeout", "crashed") for c in fr.cases)


def render_markdown(result, verbose=False):
    """Markdown for a CI step summary. Text from the submission only ever appears inside
    an HTML element (escaped), a code fence it cannot close, or escaped running text: it
    makes no HTML, link or formatting of its own (``grader.escape``)."""
    points = "point" if result.max_score == 1 else "points"
    one = result.one_case
    if one is not None:     # --case: what the case did, no total (not a grade)
        out = [f"## chainrule grade: {one.qualname}, {one.case_verdict()} (not a grade)", ""]
    else:
        out = [f"## chainrule grade: {_num(result.score)} / {_num(result.max_score)} {points} "
               f"({result.percent:.1f}%)", ""]
    out.append(f"Submission {escape.md_code(result.submission)}, seed {result.seed}{_hidden_note(result)}, "
               f"expected values from {escape.md_inline(result.oracle)}.")
    if result.confinement:
        out.extend(["", result.confinement])   # the grader's own words, not student text
    if getattr(result, "not_graded", ""):      # the grader's words and contract file names
        out.extend(["", escape.md_inline(result.not_graded)])
    out.append("")
    out.append("| Function | Result | Points | Notes |")
    out.append("|---|---|---|---|")
    icons = {"PASS": "✅ pass", "FAIL": "❌ fail", "TODO": "⏳ not implemented"}
    shown = result.points
    for fr in result.functions.values():
        if fr.partial:
            mark = "⏳" if fr.not_implemented else "✅" if fr.passed else "❌"
            out.append(f"| `{fr.qualname}` | {mark} {fr.case_verdict()} | not a grade | "
                       f"{escape.md_inline_spans(_after_verdict(fr, result.functions))} |")
            continue
        out.append(f"| `{fr.qualname}` | {icons[_fn_status(fr)]} | {_num(shown[fr.qualname])}/{_num(fr.max_score)} | "
                   f"{escape.md_inline_spans(_fn_summary(fr, result.functions))} |")
    out.append("")
    out.append(f"**{summary_line(result)}**")
    if result.notes:
        out.extend(["", NOTES_HEADING, "", escape.md_fence("\n".join(result.notes))])
    for fr in result.functions.values():
        printed = import_printed(fr, verbose)
        if printed:
            out.append("")
            out.append(f"<details><summary>{escape.html_text(printed[0].rstrip(':'))}</summary>")
            out.append("")
            out.append(escape.md_fence("\n".join(printed[1])))
            out.append("")
            out.append("</details>")
    failed_imports = _import_failures(result)
    shown = {where for where, _ in failed_imports}
    for where, frs in failed_imports:
        lines = _import_failure_lines(result, where, frs, shown)
        out.append("")
        out.append(f"<details><summary>{escape.html_text(lines[0])}</summary>")
        out.append("")
        out.append(escape.md_fence("\n".join(lines)))
        out.append("")
        out.append("</details>")
    for fr in result.functions.values():
        if warned(fr):
            out.append("")
            verdict = fr.case_verdict() if fr.partial else "passed"
            out.append(f"<details><summary><code>{fr.qualname}</code>{': ' if fr.partial else ' '}{verdict}, but "
                       "warned</summary>")
            out.append("")
            out.append(escape.md_fence(_function_output(fr, result, verbose)))
            out.append("")
            out.append("</details>")
    todo = [fr for fr in result.functions.values() if fr.not_implemented]
    for module_name, fr in _todo_printed(todo):
        out.append("")
        out.append(f"<details><summary><code>{module_name}</code> printed while graded (a cell or line that "
                   "failed there can leave the TODO in place)</summary>")
        out.append("")
        out.append(escape.md_fence("\n".join(fr.output.rstrip("\n").splitlines()[:TODO_PRINTED_LINES])))
        out.append("")
        out.append("</details>")
    for fr in details_order(list(result.functions.values()), result.functions):
        if fr.passed or fr.not_implemented or fr.import_error:
            continue
        out.append("")
        out.append(f"<details><summary><code>{fr.qualname}</code>: "
                   f"{escape.html_text_spans(_fn_summary(fr, result.functions))}</summary>")
        out.append("")
        out.append(escape.md_fence(_function_output(fr, result, verbose)))
        out.append("")
        out.append("</details>")
    return "\n".join(out) + "\n"


# format name -> writer ``(result, color) -> str``; ``chainrule grade --format`` offers
# exactly these, in this order. Adding a format is a writer above plus one line here.
RENDERERS = {
    "text": lambda result, color, verbose=False: render_text(result, color=color, verbose=verbose),
    "json": lambda result, color, verbose=False: render_json(result),
    "gradescope": lambda result, color, verbose=False: render_gradescope(result, verbose),
    "junit": lambda result, color, verbose=False: render_junit(result, verbose),
    "markdown": lambda result, color, verbose=False: render_markdown(result, verbose),
}
FORMATS = tuple(RENDERERS)


def render(result, fmt="text", color=False, verbose=False):
    """The report of ``result`` in format ``fmt`` (one of ``FORMATS``); ``color`` (ANSI)
    applies to the text format only; ``verbose`` shows every failing case in full (by
    default a failing function shows its first failing case and one line per other)."""
    try:
        writer = RENDERERS[fmt]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {fmt!r}; the formats are {', '.join(FORMATS)}") from None
    return writer(result, color, verbose)


def write(text, path, force=False):
    """Write ``text`` to ``path`` atomically (missing folders made, as `chainrule check -o`
    and `generate --out` make them: CI writes `-o reports/grade.json`); refuse to overwrite
    unless ``force``."""
    write_atomic(path, text, force=force)
