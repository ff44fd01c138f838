"""GitHub Classroom's reporter format: one runner with one test per contract function.

``classroom-resources/autograding-grading-reporter@v1`` reads, for each runner id, the
variable ``<ID>_RESULTS`` holding base64 of ``{"version": 1, "status", "max_score",
"tests": [{"name", "status", "score", "max_score", "line_no", "message"}]}``; it adds up
every test's ``score`` and every runner's ``max_score`` and sends those points to
Classroom. A test's ``status`` is ``pass`` only at full marks (the reporter's own table
counts passes), while its ``score`` carries the partial credit. The runner's ``status``
is ``pass`` when every function passes, ``fail`` otherwise (the reporter then marks the
job failed, as Classroom's stock graders do), ``error`` when grading could not run.

Every ``message`` holds text the submission controls (an exception's message, a file name)
and the reporter echoes it into the job's log: it is cleaned (``grader.escape.clean``) and
holds no workflow command (``grader.escape.workflow``).
"""

from __future__ import annotations

import base64
import json

from grader import escape
from grader.reports import DIAGNOSIS_LABELS, as_sentence, passed_line
from grader.results import counted


def _for_the_log(message):
    """``message`` as the reporter may print it in the job's log: no control character and no
    workflow command (``::warning::`` at a line's start, ``##[`` anywhere)."""
    return escape.workflow(escape.clean(message))


def _message(fr):
    if fr.passed:       # "All 5 cases passed, but warned: overflow encountered in exp (...)"
        return passed_line(fr)
    if fr.not_implemented:
        return "Not implemented yet."
    if fr.import_short:
        return fr.import_short
    text = f"{fr.n_passed} of {counted(len(fr.cases), 'case')} passed."
    first = [d for d in fr.diagnoses if d.kind == "dependency"]    # grader.calls
    if first:
        return f"{text} Note: {first[0].hint}"
    for d, _ in fr.hints():       # the sentences the text report gives, never a bare id
        text += f" {DIAGNOSIS_LABELS.get(d.kind, 'Found')}: {as_sentence(d.hint)}"
    return text


def reporter_result(result):
    """The reporter's JSON object for a ``GradeResult`` (never of a ``--case`` run: no grade)."""
    if result.one_case is not None:
        from grader.reports import NO_GRADE

        raise ValueError(NO_GRADE)
    shown = result.points  # adding up to the total grade shows (the reporter adds them up)
    tests = [{
        "name": fr.qualname,
        "status": "pass" if fr.passed else "fail",
        "score": shown[fr.qualname],
        "max_score": fr.max_score,
        "line_no": 0,
        "message": _for_the_log(_message(fr)),
    } for fr in result.functions.values()]
    return {"version": 1, "status": "pass" if result.passed else "fail",
            "max_score": result.max_score, "tests": tests}


def error_result(message, points):
    """The reporter's JSON object when grading could not run: every function 0 points.
    ``points``: ``{module.function: max_score}`` in contract order."""
    tests = [{"name": name, "status": "fail", "score": 0.0, "max_score": float(p), "line_no": 0,
              "message": _for_the_log(message)} for name, p in points.items()]
    return {"version": 1, "status": "error", "max_score": round(sum(points.values()), 2),
            "tests": tests}


def encode(doc):
    """``doc`` as the one line of base64 that ``result=`` takes."""
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode("utf-8")).decode("ascii")
