"""``chainrule grade``: grade an exercises folder and report (numpy + click only).

The choices and defaults come from the grader: report formats from ``grader.reports``,
the default timeout and memory from ``grader.limits``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chainrule.commands import for_the_log, limit_options, split_names
from chainrule_core.progress import Progress, is_terminal
from grader.limits import DEFAULT_SEED
from grader.reports import FORMATS


def student_copy():
    """Whether this is a student copy (``chainrule release``'s student/ folder): no
    ``generate`` command, as ``chainrule --help`` tells it (``chainrule.cli``), and so no
    reference solutions either; the expected values are the recorded public checks'."""
    import importlib.util

    return importlib.util.find_spec("chainrule.commands.generate") is None


#: options an instructor's checkout needs and a student copy does not: hidden from its --help
INSTRUCTOR_ONLY = ("secret_file", "release", "require_isolation", "recorded")
#: ``--seed`` as a student copy has it: the recording answers for its own seed only
STUDENT_SEED_HELP = ("Seed of the cases' inputs (printed in every report). This copy holds the expected "
                     "values of the public checks' seed only, the default; a report's rerun command names it.")


def _as_a_student_copy(command):
    """In a student copy, the instructor's options are hidden from ``--help`` and ``--seed`` is
    worded for a student (``--secret-file``, which a copy without the solutions would ignore,
    is refused when given: ``grade_command``)."""
    if student_copy():
        for param in command.params:
            if param.name in INSTRUCTOR_ONLY:
                param.hidden = True
            elif param.name == "seed":
                param.help = STUDENT_SEED_HELP
    return command


@_as_a_student_copy
@click.command("grade")
@click.argument("submission", default=None, required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format (gradescope: results.json; markdown: for $GITHUB_STEP_SUMMARY).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of stdout; missing folders of its path "
                   "are made, as for every --out.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--only", multiple=True, metavar="NAME",
              help="Grade only this module.function or module (repeatable, or comma-separated).")
@click.option("--case", "case", default=None, metavar="K",
              help="Run only case K (its number or name) of the one --only function: the report says "
                   "whether it passes, with no points (one case is not a grade).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the cases' inputs (printed in every report). Without it: derived from "
                   "the submission's content with the live reference, the first seed of the recording "
                   "(--recorded, or the one a student release ships) otherwise; default "
                   f"{DEFAULT_SEED} where neither applies.")
@click.option("--secret-file", type=click.Path(dir_okay=False), default=None,
              help="A file holding the course secret, mixed into the per-submission seed.")
@click.option("--release", "release", type=click.Path(), default=None, metavar="PATH",
              help="Grade as a release hands the exercises out (its functions, its points), as "
                   "grade-all --release grades the class: its --out folder, student/ folder or release.json.")
@click.option("--require-isolation", is_flag=True,
              help="Refuse to grade when student code could read the reference (autograders).")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Exit with status 1 when the score is below PERCENT (for CI).")
@limit_options
@click.option("--verbose", "-v", is_flag=True,
              help="Show every failing case in full (by default the first, and one line for each other).")
def grade_command(submission, fmt, output, force, only, case, seed, secret_file, release, require_isolation,
                  fail_under, timeout, memory_mb, recorded, verbose):
    """Grade the exercises in SUBMISSION (default ./exercises, or . when run from inside the
    exercises folder) and explain every failure.

    SUBMISSION may also be a repository (its exercises/ folder is graded), one module (exercises/activations.py: that module alone, in its
    folder), a notebook (.ipynb), a notebook's percent script (activations.pct.py), a folder of
    <module>.ipynb notebooks, or a .zip of any of these folders (graded as grade-all grades it).
    """
    from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError

    if secret_file is not None and student_copy():
        raise ChainruleUsageError("--secret-file changes the cases' seed only where the reference solutions are "
                                  "installed (an instructor's checkout); this student copy grades the recorded "
                                  "public checks: leave it out.")
    if case is not None and (fmt == "gradescope" or fail_under is not None):
        # one case is no grade: nothing Gradescope or a CI step takes for one may come of it
        what = "--format gradescope writes a grade" if fmt == "gradescope" else "--fail-under checks a grade"
        raise click.UsageError(f"--case runs one case of a function, which is not a grade, and {what}: "
                               "leave out --case.")
    _exists(submission)
    zipped = submission if submission is not None and _is_zip(submission) else None
    if zipped is None:
        submission, only = _one_module(_exercises_folder(submission), split_names(only))
    else:
        only = split_names(only)

    if output is not None and not force and Path(output).exists():   # before grading, not after
        raise ChainruleError(f"Output file '{output}' already exists; pass --force to overwrite it.")
    _one_blas_thread()
    from grader import zygote

    zygote.start_early()    # a fresh process imports NumPy while this one reads the reference
    from grader import grade_submission, release_settings
    from grader.reports import render, write
    from grader.seeds import read_secret
    progress = Progress("grading")
    try:
        secret = read_secret(secret_file) if secret_file is not None else None
        settings = release_settings.read(release) if release is not None else None
        unzipped = _unzipped(zipped)
        with release_settings.in_force(settings), unzipped as (folder, inner):
            # its functions and points, as grade-all --release; a zip's folder, as grade-all unpacks it
            if case is not None:
                _one_function(only)
            result = grade_submission(folder or submission, only=only, seed=seed, case=case,
                                      timeout=timeout, oracle=recorded, memory_mb=memory_mb,
                                      progress=progress, secret=secret,
                                      require_isolation=require_isolation)
            if zipped is not None:
                _as_the_zip(result, folder, zipped, inner)
                result.not_graded = result.not_graded or unzipped.not_graded   # a zipped repository's top
    except BadSubmission:       # the files are the problem, not the command: the reason alone (exit 2)
        raise
    except ChainruleUsageError as exc:  # shown with this command's usage line
        raise click.UsageError(str(exc)) from None
    finally:
        progress.clear()
    _say_start(verbose)
    if output is not None:
        write(render(result, fmt, color=False, verbose=verbose), output, force=force)
    else:
        color = fmt == "text" and is_terminal(sys.stdout)
        click.echo(for_the_log(render(result, fmt, color=color, verbose=verbose)), nl=False, color=color)
    if result.interrupted:
        raise ChainruleError(f"Grading was interrupted ({result.interrupted}); the report covers the "
                             "functions graded before, the others are marked not graded.")
    if fail_under is not None and result.percent < fail_under:
        raise ChainruleError(f"Score {result.percent:.1f}% is below --fail-under {fail_under:g}%.")


#: what SUBMISSION may be, for the sentence refusing one that is not there
VALID_SUBMISSIONS = ("a folder laid out like exercises/ (or the repository holding it), one of its modules "
                     "(exercises/activations.py), a notebook (.ipynb), a percent script (.pct.py), a folder of "
                     "notebooks or a .zip of one of these folders")


def _exists(submission):
    """A SUBMISSION given that does not exist is a bad invocation, said as such: not a
    "Submission folder" (it may have been meant as a module or a zip). A notebook or a
    percent script has its own sentence (``grader.notebooks.usage_error_if_missing``); the
    default, ./exercises, the grader's."""
    import os

    from grader.notebooks import SCRIPT_SUFFIX, SUFFIX

    if submission is None or os.path.exists(submission) or submission.endswith((SUFFIX, SCRIPT_SUFFIX)):
        return
    raise click.UsageError(f"Submission '{submission}' does not exist; give {VALID_SUBMISSIONS}.")


def _one_function(only):
    """``--case`` with ``--only`` naming one function (the release's functions in force, as
    the grader selects them), else a usage error in a sentence of its own."""
    from chainrule_core.errors import ChainruleUsageError
    from grader.engine import ONE_FUNCTION, select_functions

    if len(select_functions(only)) != 1:
        raise ChainruleUsageError(ONE_FUNCTION)


def _is_zip(path):
    import os

    return path.lower().endswith(".zip") and os.path.isfile(path)


class _unzipped:
    """``(folder, inner)`` of the zip ``path`` while grading it (``grader.batch.unpacked_zip``,
    what grade-all does with a student's zip), ``(None, None)`` for no zip; a zip that cannot
    be graded (not a zip, nothing to grade in it, a member out of it) is a submission that is
    not what it should be, a bad invocation (exit 2); one that cannot be unpacked here (the
    disk full) a failed operation (exit 1)."""

    def __init__(self, path):
        self.path, self.inner = path, None

    @property
    def not_graded(self):
        """The sentence on a zipped repository's top modules (``grader.batch.unpacked_zip``)."""
        return self.inner.not_graded if self.inner is not None else ""

    def __enter__(self):
        if self.path is None:
            return None, None
        from chainrule_core.errors import BadSubmission, ChainruleError
        from grader import batch

        self.inner = batch.unpacked_zip(self.path)
        try:
            return self.inner.__enter__()
        except batch.BadZip as exc:
            raise BadSubmission(f"Cannot grade the zip '{self.path}': {exc}.") from None
        except OSError as exc:
            raise ChainruleError(f"Cannot unpack the zip '{self.path}': {exc.strerror or exc}.") from None

    def __exit__(self, *exc):
        if self.inner is not None:
            self.inner.__exit__(*exc)
        return False


def _as_the_zip(result, folder, zipped, inner):
    """Show ``result``, graded from ``folder`` (a temporary folder), as the zip's: every command
    it prints grades the zip again (``chainrule grade SUB.zip ...``), and every other mention of
    the folder names its place in the zip (``SUB.zip/repo-main/exercises``, as grade-all's
    reports do)."""
    import os
    import shlex

    from grader.results import replace_text

    command = result.command
    if command:
        replace_text(result, command, command.replace(shlex.quote(folder), shlex.quote(zipped), 1))
    shown = zipped if inner == os.curdir else f"{zipped}/{inner}"
    for spelled in sorted({os.path.realpath(folder), os.path.abspath(folder), folder}, key=len, reverse=True):
        replace_text(result, spelled, shown)      # the longest first: the others are its tails
    result.submission = shown


def _holds_modules(folder):
    """Whether ``folder`` holds an exercise module (as .py or as a notebook)."""
    from grader.locate import holds_modules

    return bool(holds_modules(folder))


def _exercises_folder(submission):
    """The folder to grade: SUBMISSION as given, except that a repository given (or the
    default, ./exercises, asked for from inside the exercises folder itself) means the folder
    that holds the modules: ``REPO/exercises``, or ``.``. A whole repository
    (``grader.locate.is_repository``) is graded from its ``exercises/`` even when its top holds
    a module too (the report says it was not graded), as Classroom and Gradescope grade it."""
    import os

    from chainrule_core.errors import ChainruleUsageError
    from grader.locate import is_repository, two_places

    ambiguous = two_places("." if submission is None else submission)
    if ambiguous:   # grade-all and the Gradescope autograder refuse such a folder too
        raise ChainruleUsageError(f"'{submission or '.'}': {ambiguous}.")
    if submission is None:
        if not os.path.exists("exercises") and _holds_modules("."):
            return "."
        return "exercises"
    inner = os.path.join(submission, "exercises")
    if os.path.isdir(submission) and (is_repository(submission) or not _holds_modules(submission)) \
            and _holds_modules(inner):
        return inner
    return submission


def _one_module(submission, only):
    """A module file given as SUBMISSION: its folder, graded for that module only (``--only``
    may narrow it to some of its functions)."""
    import os

    from chainrule_core.contract import CONTRACT
    from chainrule_core.errors import ChainruleUsageError

    if not (submission.endswith(".py") and os.path.isfile(submission)) or submission.endswith(".pct.py"):
        return submission, only     # a percent script is graded as a notebook (grader.notebooks)
    module = os.path.basename(submission)[:-3]
    if module not in CONTRACT:
        raise ChainruleUsageError(f"'{submission}' is not one of the exercise modules "
                                  f"({', '.join(m + '.py' for m in CONTRACT)}); give one of them, a notebook "
                                  "(.ipynb), a percent script (.pct.py) or the folder that holds them.")
    names = []
    for name in only or ():
        if "." not in name and name in CONTRACT[module]:
            name = f"{module}.{name}"       # a function of the module given, named alone
        if name.split(".")[0] != module:
            raise ChainruleUsageError(f"--only {name} is not in {module}.py, the module given; name a "
                                      f"function of {module} or give the folder.")
        names.append(name)
    return os.path.dirname(submission) or ".", names or [module]


BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread():
    """One BLAS thread for this process unless the user chose otherwise, set before NumPy is
    imported: the grader's matrices are tiny, and starting OpenBLAS's thread pool costs about
    50 ms of CPU on every grade. The child computes with one thread already (grader.sandbox),
    so expected and returned values now come from the same BLAS code path."""
    import os

    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")


def _say_start(verbose):
    """With --debug, how the child started; with --verbose, only a fresh (slow) start."""
    from grader import zygote

    ctx = click.get_current_context(silent=True)
    debug = False
    while ctx is not None:
        debug = debug or (isinstance(ctx.obj, dict) and bool(ctx.obj.get("debug")))
        ctx = ctx.parent
    mode = zygote.last_start()
    if mode is None:
        return
    if debug:
        click.echo(f"debug: the grader's child process started {mode}"
                   + (" (forked from the warm process)" if mode == "warm" else ""), err=True)
    elif verbose and mode != "warm":
        click.echo(f"note: the grader's child process started {mode}; grading is slower so.", err=True)
