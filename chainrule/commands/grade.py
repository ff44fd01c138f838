"""``chainrule grade``: grade an exercises folder and report (numpy + click only)."""

from __future__ import annotations

import sys

import click

FORMATS = ("text", "json", "gradescope", "junit", "markdown")


class _Progress:
    """A one-line progress indication on a terminal's stderr (nothing otherwise)."""

    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self.width = 0

    def __call__(self, done, total, qualname):
        if not self.enabled:
            return
        line = f"grading {done}/{total} {qualname}"
        pad = max(0, self.width - len(line))
        self.width = len(line)
        sys.stderr.write("\r" + line + " " * pad)
        sys.stderr.flush()

    def clear(self):
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


@click.command("grade")
@click.argument("submission", default="exercises", required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format (gradescope: results.json; markdown: for $GITHUB_STEP_SUMMARY).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--only", multiple=True, metavar="NAME",
              help="Grade only this module.function or module (repeatable).")
@click.option("--case", "case", default=None, metavar="K",
              help="Run only case K (its number or name) of the one --only function.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the cases' inputs (printed in every report).")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Exit with status 1 when the score is below PERCENT (for CI).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds each function may run in total (default 5).")
@click.option("--memory", "memory_mb", type=click.IntRange(min=16), default=None, metavar="MB",
              help="Memory the student code may use beyond NumPy's own (default 1024).")
@click.option("--recorded", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Take expected values from this recording (grader.record) instead of solutions/.")
def grade_command(submission, fmt, output, force, only, case, seed, fail_under, timeout, memory_mb,
                  recorded):
    """Grade the exercises in SUBMISSION (default ./exercises) and explain every failure."""
    from chainrule_core.errors import ChainruleError, ChainruleUsageError
    from grader import grade_submission
    from grader.reports import render, write

    progress = _Progress()
    try:
        result = grade_submission(submission, only=list(only) or None, seed=seed, case=case,
                                  timeout=timeout, oracle=recorded, memory_mb=memory_mb,
                                  progress=progress)
    except ChainruleUsageError as exc:  # shown with this command's usage line
        raise click.UsageError(str(exc)) from None
    finally:
        progress.clear()
    if output is not None:
        write(render(result, fmt, color=False), output, force=force)
    else:
        color = fmt == "text" and sys.stdout.isatty()
        click.echo(render(result, fmt, color=color), nl=False, color=color)
    if fail_under is not None and result.percent < fail_under:
        raise ChainruleError(f"Score {result.percent:.1f}% is below --fail-under {fail_under:g}%.")
