"""Gradescope's run_autograder, as shipped in a release's autograder.zip (``autograder.py``).

It runs from ``$AUTOGRADER_ROOT/source`` (default ``/autograder``), next to the ``grader``
and ``chainrule_core`` packages and ``autograder.json`` (written by ``chainrule release``),
and imports nothing else of the kit: no solutions (the expected values of every seed are
recorded in ``grader/data/recorded.npz``), no sympy, no jinja2.

1. As root, it makes the source folder and the results folder readable by root only; the
   grader then runs the student's code as an unprivileged user of its own.
2. It finds the modules as ``chainrule grade-all`` does (``grader.locate``):
   ``submission/exercises/`` (a linked GitHub repository, or an uploaded folder), else the
   top of ``submission/`` (uploaded files), else the one folder inside that holds them
   (``submission/*/exercises/`` or ``submission/*/``); links out are refused, and so are
   modules both at the top and in ``exercises/``, except in a whole repository (the kit's
   ``grader/`` and ``chainrule/`` beside them): that is graded from its ``exercises/``, as
   Classroom grades it, and the output names the modules at its top, not graded.
3. It grades the public seed (tests ``visible``) and every hidden seed (tests with the
   configured visibility, ``after_published`` by default); a function's points are split
   between its public and its hidden test by ``public_share``, and the hidden test counts
   only the cases whose inputs the public checks do not have (``build_results``). Nothing
   visible before the hidden tests are says the hidden score or the total.
4. Every command a test shows (a case's rerun) is written for the student's own repository
   (``chainrule grade --only ... --case K --seed S``), never the autograder's folders;
   a passing function that warned (an overflow, ...) says so in its test and at the top.
5. It writes ``results/results.json`` (atomically). A submission that cannot be graded
   (a link out of it, no modules) gets 0 points and the reason, not a failed run.
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from chainrule_core.contract import CONTRACT  # noqa: E402
from chainrule_core.errors import ChainruleError  # noqa: E402
from chainrule_core.fileio import write_atomic  # noqa: E402
from grader.locate import NotGradable, find_modules, find_notebooks, module_names  # noqa: E402


def _settings():
    with open(os.path.join(HERE, "autograder.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _private(path):
    if os.geteuid() == 0 and os.path.isdir(path):
        os.chmod(path, 0o700)


def _summary(fr):
    if fr.passed:
        return f"All {len(fr.cases)} cases passed."
    text = f"{fr.n_passed} of {len(fr.cases)} cases passed."
    if fr.import_short:
        text += "\n" + fr.import_short
    return text


#: a failing hidden case's status in words (a student never reads the internal ids)
STATUS_WORDS = {"failed": "wrong result", "error": "raised an error", "timeout": "timed out",
                "crashed": "crashed", "not-implemented": "not implemented yet", "skipped": "not run",
                "missing": "its module is missing"}


def _one_cause(results, qualname, cases):
    """The one sentence that says why every counted hidden case failed, when they all
    failed for one reason that has nothing to do with a case's inputs (its module did not
    import, the TODO is not filled in, it ran out of time or crashed and the rest were not
    run); "" otherwise (a case's name then says which failed)."""
    if any(result.functions[qualname].import_error for result in results):
        return "its module failed to import, so none of them ran (the public test says why)"
    statuses = {case.status for case in cases}
    if statuses == {"not-implemented"}:
        return "not implemented yet (the TODO still raises NotImplementedError)"
    if "timeout" in statuses and statuses <= {"timeout", "skipped"}:
        return ("it timed out (all of a function's cases share one time limit), and the cases after that "
                "were not run")
    if "crashed" in statuses and statuses <= {"crashed", "skipped"}:
        return "it crashed the process running it, and the cases after that were not run"
    return ""


def _hidden_output(results, qualname, counted):
    """What a hidden test says: how many of its counted cases passed (``counted``:
    ``{seed: case numbers}``, the cases whose inputs the public checks do not have), the
    known mistakes it recognised and which case names failed, each with its cause in words
    (or one sentence when one cause failed them all: ``_one_cause``); never the inputs,
    numbers or seeds of a hidden case."""
    from grader.reports import DIAGNOSIS_LABELS, WARNING_RULE, warning_note

    passed = total = 0
    failing, hints, counted_cases = [], {}, []
    if not any(qualname in result.functions for result in results):
        return ("Not run: this function timed out on the public checks, so the hidden checks were "
                "not tried (they count as failed)."), 0, sum(len(v) for v in counted.values())
    absent = next((r.functions[qualname].import_short for r in results
                   if getattr(r.functions.get(qualname), "missing_file", "")), "")
    if absent:
        return f"Not run: {absent} (the hidden checks count as failed).", 0, sum(len(v) for v in counted.values())
    for k, result in enumerate(results, 1):
        fr = result.functions[qualname]
        numbers = set(counted.get(result.seed, ()))
        for case in fr.cases:
            if case.number not in numbers:
                continue
            total += 1
            passed += bool(case.passed)
            counted_cases.append(case)
            if not case.passed:
                failing.append(f"{case.name} (hidden set {k}): {STATUS_WORDS.get(case.status, 'failed')}")
            for d in case.diagnoses:    # one line a mistake (its first case's wording)
                hints.setdefault(d.name, (d.kind, d.hint))
    lines = [f"{passed} of {total} hidden cases passed (inputs the public checks do not have)."]
    notes = [warning_note(result.functions[qualname]) for result in results]
    note = next((n for n in notes if n), "")
    if note and passed == total:    # right, but not as the contract asks (the points stay)
        lines[0] = lines[0][:-1] + f", but warned: {note}; {WARNING_RULE}."
    cause = _one_cause(results, qualname, counted_cases) if total and not passed else ""
    if cause:
        lines[0] = f"0 of {total} hidden cases passed: {cause}."
    elif failing:
        lines.append("Failing: " + "; ".join(failing[:8]) + (" ..." if len(failing) > 8 else ""))
    # labelled as the public test labels them (a generic reading is "likely", never "known"),
    # and never by the mistake's internal id
    lines.extend(f"{DIAGNOSIS_LABELS.get(kind, 'Found')}: {hint}" for kind, hint in hints.values())
    return "\n".join(lines), passed, total


def build_results(public, hidden, settings, folder_shown):
    """``results.json`` from the public ``GradeResult`` and the hidden ones.

    A function's points are split between its public test (``public_share``) and its
    hidden test, which counts only the hidden cases with inputs of their own
    (``grader.release_settings.new_inputs``); a function without any gets all its points
    in the public test. While the hidden tests are not visible, nothing visible states
    the total: Gradescope hides the total score while a test is hidden, and the top-level
    message names the public points only."""
    from grader.release_settings import new_inputs
    from grader.reports import WARNING_RULE, render, warning_note
    from grader.results import apportion

    share = float(settings.get("public_share", 0.2))
    visibility = settings.get("hidden_visibility", "after_published")
    seeds = [result.seed for result in hidden]
    public_doc = json.loads(render(public, "gradescope"))
    by_name = {t["name"]: t for t in public_doc["tests"]}
    tests = []
    public_max = 0.0
    n_hidden = 0
    for k, (qualname, fr) in enumerate(public.functions.items(), 1):
        counted = new_inputs(qualname, public.seed, seeds) if seeds else {}
        has_hidden = any(counted.values())
        part = share if has_hidden else 1.0
        test = dict(by_name[qualname])
        # maxima in hundredths, as every score is shown (a share of 0.333 made a public test
        # of 0.333 points, which a full score rounded to 0.33 and a partial one to 0.34)
        max_public = round(fr.max_score * part, 2)
        ratio = fr.exact_score / fr.max_score if fr.max_score else 0.0
        test.update(number=f"{k}.1", max_score=max_public, score=max_public * ratio,
                    tags=[fr.module, "public"], visibility="visible")
        tests.append(test)
        public_max += max_public
        if has_hidden:
            n_hidden += 1
            output, passed, total = _hidden_output(hidden, qualname, counted)
            max_hidden = round(fr.max_score - max_public, 2)
            score = max_hidden * passed / total if total else 0.0
            tests.append({
                "name": f"{qualname} (hidden checks)", "number": f"{k}.2", "score": score,
                "max_score": max_hidden, "status": "passed" if total and passed == total else "failed",
                "output": output, "output_format": "text", "tags": [fr.module, "hidden"],
                "visibility": visibility,
            })
    # each test's points in hundredths: the public ones adding up to the public points, then
    # the hidden ones to what the whole rounded once leaves (Gradescope shows the rows and
    # their sum, which is then the exact total rounded; a public row never depends on a
    # hidden result)
    public_tests = [t for t in tests if t["tags"][-1] == "public"]
    hidden_tests = [t for t in tests if t["tags"][-1] == "hidden"]
    exact_total = sum(t["score"] for t in tests)
    for test, shown in zip(public_tests, apportion([t["score"] for t in public_tests])):
        test["score"] = shown
    public_score = round(sum(t["score"] for t in public_tests), 2)
    if hidden_tests:
        left = exact_total - public_score
        for test, shown in zip(hidden_tests, apportion([t["score"] for t in hidden_tests], total=left)):
            test["score"] = shown
    score = round(sum(t["score"] for t in tests), 2)
    max_score = round(sum(t["max_score"] for t in tests), 2)
    where = f"Graded {folder_shown} (public checks: seed {public.seed})."
    if getattr(public, "not_graded", ""):     # modules at the repository's top (grader.locate)
        where += " " + public.not_graded
    if not n_hidden:
        output = f"{score:g} / {max_score:g} points. {where}"
    elif visibility == "visible":
        output = (f"{score:g} / {max_score:g} points. {where} Hidden checks on {len(seeds)} more "
                  f"seed{'s' if len(seeds) != 1 else ''} carry {max_score - public_max:g} of the points.")
    else:
        when = {"after_published": "when your instructor publishes the grades",
                "after_due_date": "after the due date"}.get(visibility, "")
        shown = ("their results are not shown to students" if visibility == "hidden"
                 else f"their results and your total are shown {when}")
        output = (f"Public checks: {public_score:g} / {public_max:g} points. {where} The hidden checks "
                  f"(other inputs, {max_score - public_max:g} more points) decide the rest of the grade; "
                  f"{shown}.")
    warned = [q for q, fr in public.functions.items() if warning_note(fr)]
    if warned:      # one line at the top: a passing test's own output is easily left unopened
        output += (f"\nPassed, but warned (an overflow, a division by zero or an invalid value; {WARNING_RULE}): "
                   f"{', '.join(warned)}.")
    return {
        "score": score,
        "execution_time": 0,
        "output": output,
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def without_options(result):
    """``result`` without the grader's command-line options in its messages: a Gradescope
    student runs no command there, so "timed out after 5 s (--timeout 5)" says "timed out
    after 5 s" (a rerun command, for the student's own repository, keeps its options)."""
    from grader.limits import DEFAULT_TIMEOUT
    from grader.results import replace_text

    option = f"--timeout {DEFAULT_TIMEOUT:g}"
    replace_text(result, f" ({option})", "")             # "importing losses.py timed out after 5 s"
    replace_text(result, f"({option}, ", "(")            # "(the time all cases of a function may take ...)"


class _NoHidden:
    """A hidden seed on which nothing was run (every function timed out publicly)."""

    def __init__(self, seed):
        self.seed, self.functions = seed, {}


def refused_results(message, settings):
    from grader.engine import select_functions
    from grader.release_settings import effective_points
    POINTS = effective_points()

    tests = []
    for k, qualname in enumerate(select_functions(None), 1):
        tests.append({"name": qualname, "number": f"{k}.1", "score": 0.0, "max_score": POINTS[qualname],
                      "status": "failed", "output": f"Not graded: {message}", "output_format": "text",
                      "visibility": "visible"})
    return {"score": 0.0, "execution_time": 0, "output": f"Not graded: {message}",
            "output_format": "text", "test_output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def main(argv=None):
    started = time.monotonic()
    root = os.environ.get("AUTOGRADER_ROOT") or "/autograder"
    results_dir = os.path.join(root, "results")
    os.makedirs(results_dir, exist_ok=True)
    _private(HERE)                  # the recording of the hidden checks lives here
    _private(results_dir)
    settings = _settings()
    submission = os.path.join(root, "submission")
    try:
        modules = settings.get("modules", CONTRACT)
        try:
            folder = find_modules(submission, modules)
        except NotGradable as exc:
            if exc.kind == "link":
                raise ChainruleError(f"Submission refused: {exc.note}.") from None
            if exc.kind != "none":
                raise
            folder = find_notebooks(submission)     # a notebook course: <module>.ipynb uploaded
            if folder is None:
                names = module_names(modules, most=len(modules))
                notebooks = ", ".join(f"{m}.ipynb" for m in list(modules)[:2])
                raise ChainruleError(f"No exercise modules found in the submission: upload {names} (or the "
                                     f"exercises/ folder, or link the repository that holds it; in a notebook "
                                     f"course the notebooks, {notebooks}, ...).") from None
        from grader import zygote

        zygote.start_early()    # the warm process imports NumPy while this one reads the recording
        from grader import grade_submission
        from grader.oracle import RecordedOracle

        oracle = RecordedOracle(os.path.join(HERE, "grader", "data", "recorded.npz"))
        # summative: refuse (one line in results.json) rather than grade where the submission
        # could read the recording of the hidden checks (grader.privileges.reference_exposure)
        public = grade_submission(folder, seed=settings["public_seed"], oracle=oracle, require_isolation=True)
        # a function that timed out on the public seed is not run again (a submission that
        # hangs everywhere must still finish within Gradescope's time limit)
        # nor is a function whose cases are the same on every seed (nothing hidden to check)
        from grader.release_settings import new_inputs

        seeds = settings["hidden_seeds"]
        again = [q for q, fr in public.functions.items() if not any(c.status == "timeout" for c in fr.cases)
                 and seeds and any(new_inputs(q, public.seed, seeds).values())]
        hidden = [grade_submission(folder, only=again, seed=s, oracle=oracle, require_isolation=True)
                  for s in settings["hidden_seeds"]] if again else []
        if settings["hidden_seeds"] and not again:
            hidden = [_NoHidden(s) for s in settings["hidden_seeds"]]
        shown = os.path.relpath(folder, root)
        # every command the student reads is for their own repository: the student has no
        # /autograder/submission (the public seed is the one their copy replays by default)
        from grader.engine import for_the_student
        from grader.results import replace_text

        for_the_student(public, folder)
        for prefix in {os.path.join(folder, ""), os.path.join(os.path.realpath(folder), "")}:
            replace_text(public, prefix, "")    # a notebook's "activations.ipynb, cell 12"
        for result in [public, *hidden]:
            if not isinstance(result, _NoHidden):
                without_options(result)
        doc = build_results(public, hidden, settings, shown)
    except ChainruleError as exc:
        doc = refused_results(str(exc), settings)
    except Exception as exc:    # noqa: BLE001 - a grader failure still leaves a results.json
        import traceback

        traceback.print_exc()   # to the autograder's log, for the instructor
        doc = refused_results(f"the grader failed on this submission ({type(exc).__name__}); this is the "
                              "grader's fault, not yours: tell your instructor, who sees the details in "
                              "the autograder's log", settings)
    doc["execution_time"] = int(round(time.monotonic() - started))
    write_atomic(os.path.join(results_dir, "results.json"), json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    if os.geteuid() == 0:
        os.chmod(os.path.join(results_dir, "results.json"), 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
