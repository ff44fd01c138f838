"""``chainrule generate``: a different worksheet for every student, with worked answer keys."""

from __future__ import annotations

import signal
import sys

import click
from click.core import ParameterSource

from chainrule.commands import course_seed, out_folder
from chainrule_core.progress import is_terminal
from generator import options as gen

DEFAULT_SEED = gen.DEFAULT_SEED  # the generator's own default (no second literal)


@click.command("generate")
@click.option("--out", "out", default=gen.DEFAULT_OUT, show_default=True, type=out_folder(),
              help="Folder to write into (refused when not empty, unless --force or --update; a class interrupted "
                   "there is finished by the same command).")
@click.option("--seed", type=course_seed(), default=gen.DEFAULT_SEED, show_default=True,
              help="Course seed: with a student id it fixes that student's variants.")
@click.option("--students", "roster", type=click.Path(dir_okay=False),
              help="Roster CSV with an 'id' column and an optional 'name' column.")
@click.option("--count", type=click.IntRange(min=1),
              help=f"Number of students, named student-001, student-002, ... (default {gen.DEFAULT_COUNT}).")
@click.option("--families", help="Comma-separated problem families (default: all; chainrule list shows them); a family "
                                   "named twice gives two different problems of it.")
@click.option("--problems", type=click.IntRange(min=1),
              help="Problems per sheet, taking the families in turn (default: one per family).")
@click.option("--format", "formats", default=",".join(gen.DEFAULT_FORMATS), show_default=True,
              help=f"Comma-separated formats: {', '.join(gen.FORMATS)} (a PDF too when a TeX engine is installed).")
@click.option("--lang", type=click.Choice(list(gen.LANGUAGES)), default=gen.DEFAULT_LANG, show_default=True,
              help="Language of the sheets (Korean uses the course notes' terms).")
@click.option("--preset", help="A fixed problem set instead of variants: worked-example (the course notes' backprop example).")
@click.option("--secret-file", "secret_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Graded sheets: derive every variant with HMAC-SHA256 keyed by the course secret in FILE (at least "
                   "16 random bytes), so that no student can rebuild a key. The secret is never written; the manifest "
                   "keeps its fingerprint. Check with chainrule check --secret-file FILE --manifest.")
@click.option("--practice", is_flag=True,
              help="Practice sheets: answers.toml carries salted hashes of the answers, so that chainrule check "
                   "answers.toml judges it alone (also without sympy), never holding an answer in clear.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes sharing the class (default: every core, one per 4 students at most); "
                   "the files are the same whatever the number.")
@click.option("--update", is_flag=True,
              help="Change the roster of the set in --out without losing anything: every other option comes from its "
                   "manifest.json (give --secret-file again for a set made with it); new students get their files, a "
                   "changed name new sheets and key (never a new answers.toml), students left off the roster keep "
                   "their files and stay in the manifest marked removed. Nothing else is touched.")
@click.option("--force", is_flag=True, help="Write into a non-empty --out folder, overwriting files; files an earlier set listed in its "
                   "manifest.json (or an interrupted one in its journal) and this run does not write are removed, "
                   "and the output names their students. A filled answers.toml is never lost: it is renamed "
                   "answers.filled-<n>.toml beside it. An interrupted class starts over.")
def generate_command(out, seed, roster, count, families, problems, formats, lang, preset, secret_file, practice, jobs,
                     update, force):
    """Write worksheets, answer keys and answers templates for a class.

    Every student's variant depends only on (course seed, student id, family), through
    SHA-256 (HMAC-SHA256 with --secret-file), so the same inputs give byte-identical
    files on any machine. With no options it writes a sample set for 3 students to
    ./worksheets. Interrupted (Ctrl-C), the same command again finishes the class.
    A student joined or left mid-term: --update --students NEW.csv --out SET.
    """
    stopped_by = []

    def terminated(signum, frame):  # a batch system's stop: as clean as Ctrl-C
        stopped_by.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    bar = None
    try:  # from the first import on: a Ctrl-C at any point is said in one line (exit 130)
        from chainrule_core import secret as course_secret
        from generator import worksheets

        if update and force:
            raise click.UsageError("--update never overwrites anything and --force starts the set over; use one of "
                                   "them.")
        if preset is not None and not update and click.get_current_context().get_parameter_source("seed") not in (
                ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None):
            raise click.UsageError(f"--preset {preset} fixes the problems whatever the seed; leave out --seed.")
        secret = course_secret.load(secret_file) if secret_file is not None else None
        roster_notes: list = []
        students = worksheets.read_roster(roster, roster_notes) if roster is not None else None
        for note in roster_notes:
            click.echo(f"Note: {note}", err=True)
        family_list = worksheets.parse_list(families, repeats=True) if families is not None else None
        if families is not None and not family_list:
            raise click.UsageError("--families is empty; give names such as forward_pass,output_update.")
        format_list = worksheets.parse_list(formats)
        if not format_list:
            raise click.UsageError(f"--format is empty; use {', '.join(gen.FORMATS)}.")

        def report(done, total, student):
            nonlocal bar
            if total < 2 or not is_terminal(sys.stderr):  # no bar in logs and pipes
                return
            if bar is None:
                bar = click.progressbar(length=total, label="Generating", file=sys.stderr, show_pos=True)
                bar.__enter__()
            bar.update(done - bar.pos)  # a resumed class starts where the interrupted run stopped

        if update:
            values = {"seed": seed, "families": family_list, "problems": problems, "formats": format_list,
                      "lang": lang, "preset": preset, "practice": practice}
            context = click.get_current_context()
            given = {key: value for key, value in values.items()
                     if context.get_parameter_source(key if key != "formats" else "formats")
                     not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None)}
            result = worksheets.update(out=out, students=students, count=count, given=given, secret=secret,
                                       report=report, jobs=jobs)
        else:
            result = worksheets.generate(
                out=out, seed=seed, students=students, count=count, families=family_list, problems=problems,
                formats=format_list, lang=lang, preset=preset, force=force, report=report, secret=secret,
                practice=practice, jobs=jobs,
            )
    except KeyboardInterrupt as exc:
        if bar is not None:
            bar.__exit__(None, None, None)  # ends the bar's line
            bar = None
        worksheets = sys.modules.get("generator.worksheets")     # None: Ctrl-C while it was imported
        if worksheets is not None and isinstance(exc, worksheets.Interrupted):
            done = f"after {exc.done} of {exc.total} sheets"
        else:  # before the class was started: nothing of it was written
            done = "before any sheet was made"
        how = ("run it again without --force to finish (with --force it starts over)" if force else
               "run the same command again to finish the update (manifest.json is updated once it is finished)"
               if update else "run the same command again to finish (or --force to start over)")
        by = f" ({signal.Signals(stopped_by[0]).name})" if stopped_by else ""
        click.echo(f"Interrupted{by} {done}; {how}.", err=True)
        sys.exit(128 + (stopped_by[0] if stopped_by else signal.SIGINT))   # 143 for SIGTERM, 130 for Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bar is not None:
            bar.__exit__(None, None, None)
    if result.change is not None:
        said_update(result)
        return
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)  # the wording: generator.worksheets._pdf_warnings
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    kinds = ", ".join(result.formats) + (", pdf" if result.pdf else "")
    noun = "student" if result.students == 1 else "students"
    what = {"graded": "graded ", "practice": "practice "}.get(result.mode, "")
    if result.kept:
        made = result.students - result.kept
        click.echo(f"Resumed: {made} sheet{'' if made == 1 else 's'} made, {result.kept} kept from the interrupted run.")
    click.echo(
        f"Wrote {what}worksheets, answer keys and answers templates for {result.students} {noun} "
        f"({kinds}) to {result.out}/ ({result.files} files; manifest.json lists them)."
    )
    for line in replaced(result):
        click.echo(line)


#: students or files named in one line of the summary (the rest are counted)
SHOWN = 10


def listing(items) -> str:
    """"a, b, c" (the first ``SHOWN``, then "and N more")."""
    items = list(items)
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def who(row) -> str:
    """"s001 (Kim Minji)" or "s001"."""
    sid, name = row[0], row[1] if len(row) > 1 else ""
    return f"{sid} ({name})" if name else sid


def replaced(result) -> list:
    """What --force did to the earlier set besides writing this one: the students whose files it
    removed, the filled answers files it moved aside, a change of sheet kind or course secret."""
    lines = []
    dropped = result.before.get("students") or []
    if dropped:
        lines.append(f"Removed the files of {len(dropped)} student{'' if len(dropped) == 1 else 's'} no longer on "
                     f"the roster: {listing(who(row) for row in dropped)}.")
    if result.filled:
        n = len(result.filled)
        lines.append(f"Kept {n} filled answers file{'' if n == 1 else 's'} aside (renamed, never overwritten): "
                     f"{listing(result.filled)}.")
    earlier = result.before.get("mode")
    if earlier and earlier != result.mode:
        kinds = {"graded": "graded sheets (--secret-file)", "practice": "practice sheets (--practice)",
                 "open": "open sheets"}
        lines.append(f"Note: the earlier set was {kinds.get(earlier, earlier)}; this one is {kinds.get(result.mode)}, "
                     "so answers files handed in from the earlier sheets no longer match its manifest.")
    elif earlier and result.before.get("secret") != result.fingerprint and result.mode != "open":
        lines.append("Note: the earlier set was made with another course secret; answers files handed in from its "
                     "sheets no longer match this manifest.")
    return lines


def said_update(result) -> None:
    """The summary of ``--update``: who was added, renamed, back or removed (and kept)."""
    change = result.change
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if change.kit_version:
        click.echo(f"Note: the set was made with chainrule {change.kit_version}; the sheets written now are this "
                   "kit's.", err=True)
    if change.nothing:
        noun = "student" if result.students == 1 else "students"
        click.echo(f"Nothing to update: the roster lists the {result.students} {noun} of {result.out}/manifest.json, "
                   "with the same names; no file was written.")
        return

    def count(n):
        return f"{n} student{'' if n == 1 else 's'}"

    if result.kept:
        made = len(change.added) + len(change.renamed) - result.kept
        click.echo(f"Resumed: {made} sheet{'' if made == 1 else 's'} made, {result.kept} kept from the interrupted "
                   "update.")
    if change.added:
        click.echo(f"Added {count(len(change.added))}: {listing(who((s.id, s.name)) for s in change.added)}.")
    if change.renamed:
        renamed = listing(f"{s.id} ({s.name or 'no name'}, was {before or 'no name'})" for s, before in change.renamed)
        click.echo(f"Renamed {count(len(change.renamed))}: {renamed}; new sheets and keys, their answers.toml left "
                   "as it was (it keeps the name it had).")
    if change.back:
        click.echo(f"Back on the roster with the files they had: "
                   f"{listing(who((s.id, s.name)) for s in change.back)}.")
    if change.removed:
        click.echo(f"No longer on the roster, files kept: {listing(who((s.id, s.name)) for s in change.removed)} "
                   "(marked removed in manifest.json; chainrule check --manifest still checks their answers).")
    what = {"graded": "graded ", "practice": "practice "}.get(result.mode, "")
    off = len(change.removed) + change.still_removed
    kept = f", {off} removed kept" if off else ""
    click.echo(f"Updated the {what}set in {result.out}/: {count(result.students)} on the roster{kept}; "
               f"{change.unchanged} unchanged, their files untouched (manifest.json lists them all).")
