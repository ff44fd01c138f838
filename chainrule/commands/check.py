"""``chainrule check``: check worksheet answers (choices and defaults from ``checker``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from chainrule_core.progress import is_terminal
from checker.answers_file import set_aside
from checker.judge import CARRY_FORWARD
from checker.report import DEFAULT_FORMAT, FORMATS

#: Files from which a class check shows a progress bar (on a terminal only).
PROGRESS_FROM = 20


def _stdout_is_unicode() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding in ("utf8", "utf8sig", "utf16", "utf32")


def _printable(text):
    """``text`` with a file name that is not UTF-8 (its bytes kept as surrogates) written with
    backslash escapes: a report or gradebook is UTF-8 (session 9's attack: one such name lost
    the class's whole report, "UnicodeEncodeError ... surrogates not allowed")."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _missing(name: str, lang: str = "en") -> str:
    """The sentence for a FILE argument that does not exist: a folder (written with a trailing
    slash), an answers file (.toml) or a path that may have been either."""
    from checker.messages import message

    folder, toml = name.endswith(("/", os.sep)), name.lower().endswith(".toml")
    what = message(lang, "path_folder" if folder else "path_file" if toml else "path_other")
    return message(lang, "no_such_path", what=what, path=name)


def _lang(name, manifest) -> str:
    """What to say that the FILE argument ``name`` cannot be checked in: the language of the
    --manifest given (``manifest``, its path), else of the generated set ``name`` lies in (its
    manifest.json), else English."""
    from chainrule_core.errors import ChainruleError
    from checker import check, manifest_file

    loaded = None
    if manifest is not None:
        try:
            loaded = manifest_file.load(manifest)
        except ChainruleError:      # said when it is loaded for the check
            pass
    return "ko" if check.reading_lang(name, loaded) == "ko" else "en"


def _expand(files, manifest=None):
    """FILE arguments with each folder replaced by the ``.toml`` files below it (a class's
    hand-ins as an LMS download unpacks them, or a generated set's students/), in sorted
    order; hidden entries are skipped. A folder without one, or a zip, is a usage error
    (in the language of the --manifest ``manifest`` or of the set it lies in)."""
    import os

    from chainrule_core.errors import ChainruleUsageError
    from checker.messages import message

    out = []
    for name in files:
        if os.path.isdir(name):
            found = []
            root = os.path.realpath(name)
            for base, dirs, names in os.walk(name):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    path = os.path.join(base, n)
                    if not n.endswith(".toml") or n.startswith(".") or set_aside(n):
                        continue    # (a filled answers file generate --force set aside is not a hand-in)
                    real = os.path.realpath(path)
                    if os.path.islink(path) and not real.startswith(root.rstrip(os.sep) + os.sep):
                        click.echo(_printable(message(_lang(os.path.join(name, ""), manifest), "link_outside",
                                                      path=path, real=real, folder=name)), err=True)
                        continue
                    found.append(path)
            if not found:
                raise ChainruleUsageError(message(_lang(os.path.join(name, ""), manifest), "empty_folder", path=name))
            out += found
        elif name.lower().endswith(".zip") and os.path.isfile(name):
            raise ChainruleUsageError(message(_lang(name, manifest), "zip_file", path=name))
        else:
            out.append(name)
    return out


class _FilePath(click.Path):
    """A FILE argument: click's own checks, but a file that cannot be read (click: "... is not
    readable") said in Korean for a Korean set (the --manifest's language when it was read
    before this argument, else the set's, ``_lang``)."""

    def convert(self, value, param, ctx):
        if os.path.lexists(value) and not os.access(value, os.R_OK) and not os.path.isdir(value):
            if _lang(value, (ctx.params.get("manifest") if ctx is not None else None)) == "ko":
                from checker.messages import message

                raise click.UsageError(message("ko", "not_readable", path=value), ctx)
        return super().convert(value, param, ctx)


@click.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=_FilePath())
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="The manifest.json that chainrule generate wrote: how an instructor checks a class. Every FILE "
                   "must then be a student's of that manifest, with its course seed, preset and exactly its "
                   "problems and variants (a file with problems removed or another sheet's tables is refused).")
@click.option("--secret-file", "secret_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="The course secret the graded sheets (or practice sheets made with it) were made with "
                   "(chainrule generate --secret-file). A sheet made without one needs none: given for it, a "
                   "warning says it was not used.")
@click.option("--tolerance", metavar="SPEC",
              help="How close a number must be: rel:0.1% (or rel:0.001), abs:1e-4 or sig:4 (default: each family's "
                   "own, stated in the report; practice sheets: sig:6 only).")
@click.option("--carry-forward", "carry", type=click.Choice(list(CARRY_FORWARD)), default=CARRY_FORWARD[0],
              show_default=True,
              help="Credit for an answer that is wrong but right given the student's own earlier answers in the chain.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=DEFAULT_FORMAT, show_default=True,
              help="Report format; csv gives one row per answers file (for a class).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of the terminal (missing folders of its path are made, "
                   "as for every --out).")
@click.option("--gradebook", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write a gradebook CSV: id, name, points per problem, total, out of, percent, file, "
                   "error, note (a file that cannot be checked gets a row with the reason; with --manifest, a "
                   "student without a file gets an empty row). UTF-8 with a byte order mark, as every CSV file the "
                   "kit writes, so that Excel shows Hangul names as written.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output or --gradebook file.")
@click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), metavar="PERCENT",
              help="Exit with status 1 when a file scores below PERCENT (0-100).")
@click.pass_context
def check_command(ctx, files, manifest, secret_file, tolerance, carry, fmt, output, gradebook, force, fail_under):
    """Check the answers in FILE (an answers.toml from chainrule generate, or a folder of them).

    An open sheet's problems are rebuilt from its course seed, student id and variants; a
    graded sheet's only with the instructor's --secret-file; a practice sheet is judged
    from the hashes in the file alone. Every blank gets a verdict: correct, consistent with
    the student's own earlier answers (credit by --carry-forward), wrong (with a hint
    that names a classic mistake but never gives the answer away), too few digits (the
    answer at fewer digits than asked, or too short to judge: no credit, not counted as
    wrong), not answered, invalid (not readable as an answer; costs nothing more than
    an empty blank), or on a practice sheet edited to hold far more blanks than a sheet
    has, not judged (past the file's hashing budget: no credit, not wrong). Give
    several files to check a class (--format csv: one row each; --gradebook; a class
    summary ends the text report); a file that cannot be checked is reported and the
    others are checked all the same.

    An instructor checks a class with --manifest worksheets/manifest.json, so that a file
    whose [chainrule] table was edited (problems removed, the public worked example
    answered under a student's id) is refused; without it the file is checked as it
    stands, and the report names the problems it checked.
    """
    from chainrule_core.errors import ChainruleError, ChainruleUsageError
    from chainrule_core import secret as course_secret
    from checker import check, manifest_file, report, tolerance as tolerances
    from checker.messages import message

    files = _expand(files, manifest)
    files = list(dict.fromkeys(files))  # a file named twice (a shell pattern and its name) is checked once
    if len(files) == 1:  # one file: a missing one is a bad invocation (exit 2), as for any command
        if not os.path.lexists(files[0]):
            raise ChainruleUsageError(_missing(files[0], _lang(files[0], manifest)))
        param = next(p for p in ctx.command.params if p.name == "files")
        click.Path(exists=True, dir_okay=False).convert(files[0], param, ctx)
    options = check.Options(
        manifest=manifest_file.load(manifest) if manifest is not None else None,
        secret=course_secret.load(secret_file) if secret_file is not None else None,
        tolerance=tolerances.parse(tolerance) if tolerance is not None else None,
        carry=carry,
    )
    for target in (output, gradebook):
        if target is None:
            continue
        if any(os.path.exists(f) and os.path.exists(target) and os.path.samefile(f, target)
               for f in files + ([manifest] if manifest else [])):
            raise ChainruleUsageError(f"Output file '{target}' is one of the files being checked; "
                                      "write the report to another file.")
        if not force and os.path.exists(target):
            raise ChainruleError(f"Output file '{target}' already exists; pass --force to overwrite it.")
    bar = None
    if len(files) >= PROGRESS_FROM and is_terminal(sys.stderr):
        bar = click.progressbar(length=len(files), label="Checking", file=sys.stderr, show_pos=True)
        bar.__enter__()
    try:
        outcomes = check.check_all(files, progress=(lambda _path: bar.update(1)) if bar else None, options=options)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    reports = [o for o in outcomes if isinstance(o, report.Report)]
    failures = [o for o in outcomes if isinstance(o, report.Failure)]
    if len(files) == 1 and failures:  # one student: a file that cannot be checked is the whole answer
        raise (ChainruleUsageError if failures[0].usage else ChainruleError)(failures[0].reason)
    secret = [f for f in failures if f.cause == "secret"]   # made with the course secret, given without it
    lang = check.class_lang(outcomes, options.manifest)   # the class's own lines in its sheets' language
    # the reason once, with the count, not the same line for each file of a class; when it is every
    # file's, that one line is all (said as the error at the end, after any report or gradebook)
    only_secret = len(secret) > 1 and len(secret) == len(failures) and not reports
    if len(secret) > 1 and not only_secret:
        click.echo(_printable(f"Error: {check.needs_secret_summary(len(secret), len(files), lang)}"), err=True)
    for failure in failures:
        if len(secret) <= 1 or failure.cause != "secret":
            click.echo(_printable(f"Error: {failure.reason}"), err=True)
    trusted = [r for r in reports if getattr(r, "mode", "") == "practice"]
    if trusted and options.manifest is None and (len(files) > 1 or gradebook is not None):
        one = len(trusted) == 1
        click.echo(message(lang, "practice_trusted", n=len(trusted), sheets="sheet" if one else "sheets",
                           verb="was" if one else "were", its="its" if one else "their"), err=True)
    if secret_file is not None:
        _say_secret_unused(reports, lang)
    for sid, paths in report.duplicate_ids(outcomes).items():
        click.echo(message(lang, "duplicate_id", n=len(paths), student=report.one_line(sid),
                           paths=", ".join(report.one_line(p) for p in paths)), err=True)
    missing = []
    if options.manifest is not None and len(files) > 1:
        _attribute_by_folder(failures, options.manifest.students)
        given = {o.student_id for o in outcomes if o.student_id}
        missing = [(sid, options.manifest.names.get(sid, "")) for sid in options.manifest.students
                   if sid not in given and sid not in options.manifest.removed]   # off the roster: not missing
        if missing:
            shown = ", ".join(sid for sid, _ in missing[:8]) + (", ..." if len(missing) > 8 else "")
            one = len(missing) == 1
            active = len(options.manifest.students) - len(options.manifest.removed)
            end = message(lang, "missing_row" if one else "missing_rows") if gradebook else "."
            click.echo(message(lang, "missing_students", n=len(missing), active=active, verb="has" if one else "have",
                               shown=shown, end=end), err=True)
    from chainrule_core.fileio import spreadsheet_csv, write_atomic

    if gradebook is not None:
        names = options.manifest.names if options.manifest is not None else {}
        write_atomic(gradebook, spreadsheet_csv(_printable(report.gradebook(outcomes, missing, names))), force=True)
        click.echo(message(lang, "wrote_gradebook", n=len(outcomes), path=gradebook,
                           files="answers file" if len(outcomes) == 1 else "answers files"), err=output is None)
    if reports or (fmt == "csv" and failures):  # the class CSV has a row for a file it could not check
        unicode = output is not None or _stdout_is_unicode()
        text = _printable(report.render(outcomes, fmt, unicode=unicode))
        if output is not None:     # a CSV file opens in a spreadsheet (a printed one stays as it is)
            write_atomic(output, spreadsheet_csv(text) if fmt == "csv" else text, force=True)
            shown = len(outcomes) if fmt == "csv" else len(reports)
            click.echo(message(lang, "wrote_report", fmt=fmt, n=shown, path=output,
                               files="answers file" if shown == 1 else "answers files"))
        else:
            if not unicode:  # a terminal that cannot show every character gets '?' for them
                encoding = getattr(sys.stdout, "encoding", None) or "ascii"
                text = text.encode(encoding, "replace").decode(encoding)
            click.echo(text, nl=False)
    if only_secret:
        raise ChainruleError(check.needs_secret_summary(len(secret), len(files), lang))
    if failures:
        covered = ("covered_csv_report" if reports else "covered_csv") if fmt == "csv" else (
            "covered_report" if reports else "covered_none")
        raise ChainruleError(message(lang, "class_failures", failed=len(failures), total=len(files),
                                     covered=message(lang, covered)))
    if fail_under is not None:
        failing = report.below(reports, fail_under)
        if failing:
            shown = ", ".join(f"{r.student_id} {r.percent:.1f}%" for r in failing)
            click.echo(message(lang, "below_fail_under", percent=f"{fail_under:g}", shown=shown), err=True)
            ctx.exit(1)


def _say_secret_unused(reports, lang: str = "en") -> None:
    """One warning when --secret-file was given for sheets made without a course secret (open
    sheets, practice sheets made without one): the secret changed nothing for them. A
    warning, as check's other notes on what it was given, not a refusal: their verdicts are
    right all the same, and a class may hand in both kinds (a graded sheet, and the public
    worked example or an open practice sheet)."""
    unused = [r.source for r in reports if not r.with_secret]
    if not unused:
        return
    from checker.messages import MODES_EN, MODES_KO, message

    if len(reports) == 1:
        kind = (MODES_KO if lang == "ko" else MODES_EN).get(reports[0].mode) or message(lang, "a_sheet")
        click.echo(_printable(message(lang, "secret_unused_one", source=unused[0], kind=kind)), err=True)
        return
    shown = ", ".join(unused[:5]) + (", ..." if len(unused) > 5 else "")
    every = len(unused) == len(reports)
    click.echo(_printable(message(
        lang, "secret_unused_some", shown=shown, verb="was" if len(unused) == 1 else "were",
        them="it" if len(unused) == 1 else "them",
        some=message(lang, "unused_all" if every else "unused_some", count=len(unused), total=len(reports)))),
        err=True)


def _attribute_by_folder(failures, students) -> None:
    """A file that could not be read far enough to give its student id, in a folder named
    after one of the manifest's students (handin/s007/answers.toml): the failure is that
    student's (an error row of theirs), not a student who handed nothing in."""
    known = set(students)
    for failure in failures:
        if failure.student_id:
            continue
        for part in reversed(Path(failure.source).parent.parts):
            if part in known:
                failure.student_id = part
                break
