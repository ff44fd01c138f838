"""``chainrule classroom``: grade in a GitHub Actions step for GitHub Classroom's reporter."""

from __future__ import annotations

import os

import click


@click.command("classroom")
@click.argument("submission", default="exercises", required=False, type=click.Path())
def classroom_command(submission):
    """Grade SUBMISSION (default ./exercises) in a GitHub Actions step.

    Writes result=<base64 of the reporter's JSON> to $GITHUB_OUTPUT (one test per
    function, with its own score, so a half-right function earns half its points), the
    Markdown report to $GITHUB_STEP_SUMMARY (the job's summary page) and the text report
    to stdout (the step's log, where no line of the submission's text can be taken for a
    workflow command: chainrule.cli, grader.escape.workflow). Exits 0 whenever it wrote the result, even for 0 points:
    the autograding reporter step that reads it decides what fails. A SUBMISSION folder that does not
    exist (the workflow names it: the repository lost it) is 0 points with the reason, as an empty one.
    """
    from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError
    from grader import grade_submission
    from grader.classroom_report import encode, error_result, reporter_result
    from grader.reports import render

    output = os.environ.get("GITHUB_OUTPUT")
    if not output:
        raise ChainruleUsageError("GITHUB_OUTPUT is not set: chainrule classroom writes a GitHub Actions "
                                  "step output; run it in a workflow step (chainrule grade grades anywhere).")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    result = None
    # the workflow names the folder: one that is missing is the student's repository (renamed,
    # deleted, the modules uploaded at its top), graded as an empty folder is, not a bad invocation
    message = _missing(submission)
    if message is None:
        try:
            result = grade_submission(submission)
        except ChainruleError as exc:       # e.g. a refused submission: 0 points, and why
            if isinstance(exc, ChainruleUsageError) and not isinstance(exc, BadSubmission):
                raise click.UsageError(str(exc)) from None
            message = str(exc)
    if result is None:
        from grader.engine import select_functions
        from grader.release_settings import effective_points
        POINTS = effective_points()

        doc = error_result(message, {name: POINTS[name] for name in select_functions(None)})
        markdown = f"## chainrule grade: not graded\n\n{message}\n"
        text = f"Not graded: {message}\n"
    else:
        doc = reporter_result(result)
        markdown = render(result, "markdown")
        text = render(result, "text")
    from chainrule.commands import for_the_log

    click.echo(for_the_log(text), nl=False)   # the step's log: holds no workflow command
    _append(output, f"result={encode(doc)}\n")
    if summary:
        _append(summary, markdown)


def _missing(submission):
    """The reason for the result when SUBMISSION does not exist, or None when it does. Names the
    exercise modules (or notebooks) the folder above it holds, which belong in it: uploaded at
    the top of the repository through GitHub's web page, say."""
    if os.path.exists(submission):
        return None
    from grader.engine import select_functions
    from grader.locate import holds_modules, module_names

    modules = list(dict.fromkeys(name.split(".")[0] for name in select_functions(None)))
    name = os.path.basename(os.path.normpath(submission))
    above = os.path.dirname(os.path.abspath(submission))
    there = ("the top of the repository" if above == os.getcwd()
             else f"'{os.path.dirname(os.path.normpath(submission))}'")
    found = [f for f in holds_modules(above) if f.rsplit(".", 1)[0] in modules]
    if found:
        listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
        return (f"Submission folder '{submission}' does not exist, and {listed} {'is' if len(found) == 1 else 'are'} "
                f"at {there}: move {'it' if len(found) == 1 else 'them'} into a folder named {name}/ there, "
                "which is what is graded.")
    return (f"Submission folder '{submission}' does not exist: the exercise modules ({module_names(modules)}) "
            f"are graded from it; put it back as the template repository has it ({name}/ at {there}), "
            "with your modules in it.")


def _append(path, text):
    from chainrule_core.errors import ChainruleError

    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ChainruleError(f"Cannot write '{path}': {exc.strerror or exc}.") from None
