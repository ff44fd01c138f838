"""Report writers: one ``GradeResult``, five formats.

``render(result, fmt, color=False) -> str`` with ``fmt`` in ``FORMATS`` (the keys of
``RENDERERS``, in the order ``chainrule grade --format`` shows them); ``write(text,
path, force=False)`` writes atomically (temp file + ``os.replace``) and refuses to
overwrite an existing file unless ``force``. Every format is deterministic for a given
result except where a format demands wall time (Gradescope ``execution_time``, JUnit
``time``); the text, JSON and Markdown reports contain no timing at all.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from chainrule_core.fileio import write_atomic
from grader.results import counted

MAX_CASES_SHOWN = 3

_STATUS_WORD = {"passed": "PASS", "not-implemented": "TODO"}


def _num(x):
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _fn_status(fr):
    if fr.passed:
        return "PASS"
    if fr.not_implemented:
        return "TODO"
    return "FAIL"


def _fn_summary(fr):
    """A few words after the points: why a function did not pass."""
    if fr.passed:
        return ""
    if fr.not_implemented:
        return "not implemented yet"
    if fr.import_error:
        how = "timed out" if fr.cases[0].status == "timeout" else "failed"
        return f"not graded: importing {fr.import_where} {how}"
    statuses = {c.status for c in fr.cases if not c.passed}
    # the noun agrees with the total: "1 of 1 case failed", "1 of 3 cases failed"
    parts = [f"{len(fr.cases) - fr.n_passed} of {counted(len(fr.cases), 'case')} failed"]
    for word in ("timeout", "crashed", "error"):
        if word in statuses:
            parts.append({"timeout": "timed out", "crashed": "crashed", "error": "raised an error"}[word])
            break
    if fr.diagnoses:
        groups = []         # each case's diagnosis once: "a", or "one of a, b" when undecided
        for case in fr.cases:
            names = [d.name for d in case.diagnoses]
            label = names[0] if len(names) == 1 else "one of: " + ", ".join(names)
            if names and label not in groups:
                groups.append(label)
        if len(groups) == 1 and groups[0].startswith("one of: "):
            parts.append("known mistake, " + groups[0])
        else:
            parts.append(f"known mistake{'s' if len(groups) > 1 else ''}: " + "; ".join(groups))
    return "; ".join(parts)


def _failing_cases(fr, limit):
    failing = [c for c in fr.cases if not c.passed]
    return failing if limit is None else failing[:limit], max(0, len(failing) - (limit or len(failing)))


def _case_heading(fr, case):
    return f"{fr.qualname}, case {case.number} \"{case.name}\""


def _import_failures(result):
    """``[(file, [FunctionResult, ...]), ...]``: functions not graded because an import failed."""
    groups = {}
    for fr in result.functions.values():
        if fr.import_error:
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


def summary_line(result):
    n_pass = sum(1 for f in result.functions.values() if f.passed)
    n_fns = len(result.functions)
    points = "point" if result.max_score == 1 else "points"
    return (f"Total: {_num(result.score)} / {_num(result.max_score)} {points} ({result.percent:.1f}%), "
            f"{n_pass} of {counted(n_fns, 'function')} {'passes' if n_fns == 1 else 'pass'}")


def render_text(result, color=False, limit=MAX_CASES_SHOWN):
    if len(result.functions) == 1:
        limit = None            # grading one function: show every failing case
    def style(text, **kw):
        if not color:
            return text
        import click
        return click.style(text, **kw)

    colors = {"PASS": "green", "FAIL": "red", "TODO": "yellow"}
    out = [f"chainrule grade: {result.submission} (seed {result.seed}, expected values from {result.oracle})", ""]
    out[1:1] = [result.confinement] if result.confinement else []
    width = max([len(f.name) for f in result.functions.values()] + [10])
    module = None
    for fr in result.functions.values():
        if fr.module != module:
            module = fr.module
            out.append(module)
        word = _fn_status(fr)
        pts = f"{_num(fr.score)}/{_num(fr.max_score)}"
        note = _fn_summary(fr)
        line = f"  {style(word, fg=colors[word], bold=True)}  {fr.name:<{width}}  {pts:>7}"
        out.append(line + (f"  {note}" if note else ""))
    out.append("")
    out.append(style(summary_line(result), bold=True))
    failures = [f for f in result.functions.values() if not f.passed]
    todo = [f.qualname for f in failures if f.not_implemented]
    details = [f for f in failures if not f.not_implemented and not f.import_error]
    if todo:
        import textwrap

        out.append("")
        out.append(f"Not implemented yet ({counted(len(todo), 'function')}; the TODO is "
                   "not filled in yet, the function still raises NotImplementedError):")
        by_module = {}
        for qualname in todo:
            module_name, name = qualname.split(".", 1)
            by_module.setdefault(module_name, []).append(name)
        for module_name, names in by_module.items():
            out.extend(textwrap.wrap(", ".join(names), width=88, initial_indent=f"  {module_name}: ",
                                     subsequent_indent="    "))
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
    for fr in details:
        shown, more = _failing_cases(fr, limit)
        for case in shown:
            out.append("")
            out.append(style(_case_heading(fr, case), bold=True))
            out.extend("  " + line for line in case.message.splitlines())
        if more:
            out.append("")
            out.append(f"  ... and {more} more failing case{'s' if more > 1 else ''} of {fr.qualname} "
                       f"({result.command_for(fr.qualname)} shows them all)")
        if fr.output.strip():
            out.append(f"  Your code printed while {fr.qualname} was graded:")
            out.extend("  | " + line for line in fr.output.rstrip("\n").splitlines()[:20])
    return "\n".join(out) + "\n"


def render_json(result):
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _function_output(fr):
    if fr.passed:
        return "Its one case passed." if len(fr.cases) == 1 else f"All {len(fr.cases)} cases passed."
    if fr.import_error:
        text = f"Not graded ({counted(len(fr.cases), 'case')} not run): {fr.import_error}"
        if fr.output.strip():
            text += "\n\nYour code printed:\n" + fr.output.rstrip("\n")
        return text
    parts = []
    for case in fr.cases:
        if not case.passed:
            parts.append(f"Case {case.number} \"{case.name}\":\n{case.message}")
    if fr.output.strip():
        parts.append("Your code printed:\n" + fr.output.rstrip("\n"))
    return "\n\n".join(parts)


def render_gradescope(result):
    tests = []
    for number, fr in enumerate(result.functions.values(), 1):
        tests.append({
            "name": fr.qualname,
            "number": str(number),
            "score": fr.score,
            "max_score": fr.max_score,
            "status": "passed" if fr.passed else "failed",
            "output": _function_output(fr),
            "output_format": "text",
            "tags": [fr.module],
            "visibility": "visible",
        })
    doc = {
        "score": result.score,
        "execution_time": int(round(result.elapsed)),
        "output": summary_line(result) + f" (seed {result.seed})" + (f"\n{result.confinement}" if result.confinement else ""),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(result):
    failures = sum(1 for f in result.functions.values()
                   if not f.passed and not _is_error(f))
    errors = sum(1 for f in result.functions.values() if not f.passed and _is_error(f))
    root = ET.Element("testsuites", name="chainrule grade", tests=str(len(result.functions)),
                      failures=str(failures), errors=str(errors), time=f"{result.elapsed:.3f}")
    suite = ET.SubElement(root, "testsuite", name="chainrule.grade", tests=str(len(result.functions)),
                          failures=str(failures), errors=str(errors), time=f"{result.elapsed:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("seed", result.seed), ("score", _num(result.score)),
                       ("max_score", _num(result.max_score)), ("oracle", result.oracle),
                       ("confinement", result.confinement)):
        ET.SubElement(props, "property", name=key, value=str(value))
    for fr in result.functions.values():
        case = ET.SubElement(suite, "testcase", classname=fr.module, name=fr.qualname, time="0")
        if not fr.passed:
            tag = "error" if _is_error(fr) else "failure"
            first = next(c for c in fr.cases if not c.passed)
            headline = first.message.splitlines()[1] if len(first.message.splitlines()) > 1 else first.message
            if fr.not_implemented:
                headline = "not implemented yet"
            el = ET.SubElement(case, tag, message=f"{_num(fr.score)}/{_num(fr.max_score)} points: {headline}"[:300])
            el.text = _function_output(fr)
        if fr.output.strip():
            ET.SubElement(case, "system-out").text = fr.output
    ET.indent(root) if hasattr(ET, "indent") else None
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _is_error(fr):
    return any(c.status in ("error", "timeout", "crashed") for c in fr.cases)


def _md_escape(text):
    return text.replace("|", "\\|")


def render_markdown(result):
    points = "point" if result.max_score == 1 else "points"
    out = [f"## chainrule grade: {_num(result.score)} / {_num(result.max_score)} {points} ({result.percent:.1f}%)",
           ""]
    out.append(f"Submission `{result.submission}`, seed {result.seed}, expected values from {result.oracle}.")
    out[-1:] = [out[-1], "", result.confinement] if result.confinement else out[-1:]
    out.append("")
    out.append("| Function | Result | Points | Notes |")
    out.append("|---|---|---|---|")
    icons = {"PASS": "✅ pass", "FAIL": "❌ fail", "TODO": "⏳ not implemented"}
    for fr in result.functions.values():
        out.append(f"| `{fr.qualname}` | {icons[_fn_status(fr)]} | {_num(fr.score)}/{_num(fr.max_score)} | "
                   f"{_md_escape(_fn_summary(fr))} |")
    out.append("")
    out.append(f"**{summary_line(result)}**")
    failed_imports = _import_failures(result)
    shown = {where for where, _ in failed_imports}
    for where, frs in failed_imports:
        lines = _import_failure_lines(result, where, frs, shown)
        out.append("")
        out.append(f"<details><summary>{_md_escape(lines[0])}</summary>")
        out.append("")
        out.append("```text")
        out.extend(line.replace("```", "'''") for line in lines)
        out.append("```")
        out.append("")
        out.append("</details>")
    for fr in result.functions.values():
        if fr.passed or fr.not_implemented or fr.import_error:
            continue
        out.append("")
        out.append(f"<details><summary><code>{fr.qualname}</code>: {_md_escape(_fn_summary(fr))}</summary>")
        out.append("")
        out.append("```text")
        out.append(_function_output(fr).replace("```", "'''"))
        out.append("```")
        out.append("")
        out.append("</details>")
    return "\n".join(out) + "\n"


# format name -> writer ``(result, color) -> str``; ``chainrule grade --format`` offers
# exactly these, in this order. Adding a format is a writer above plus one line here.
RENDERERS = {
    "text": lambda result, color: render_text(result, color=color),
    "json": lambda result, color: render_json(result),
    "gradescope": lambda result, color: render_gradescope(result),
    "junit": lambda result, color: render_junit(result),
    "markdown": lambda result, color: render_markdown(result),
}
FORMATS = tuple(RENDERERS)


def render(result, fmt="text", color=False):
    """The report of ``result`` in format ``fmt`` (one of ``FORMATS``); ``color`` (ANSI)
    applies to the text format only."""
    try:
        writer = RENDERERS[fmt]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {fmt!r}; the formats are {', '.join(FORMATS)}") from None
    return writer(result, color)


def write(text, path, force=False):
    """Write ``text`` to ``path`` atomically; refuse to overwrite unless ``force``."""
    write_atomic(path, text, force=force, make_parents=False)
