"""``chainrule notebook``: the exercises as Jupyter notebooks with inline checks."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from chainrule.commands import course_seed, out_folder
from generator.options import DEFAULT_LANG, LANGUAGES


@click.command("notebook")
@click.option("--out", "out", required=True, type=out_folder(),
              help="Folder to write into (refused when not empty, unless --force; a class interrupted there is "
                   "finished by the same command).")
@click.option("--modules", multiple=True, metavar="NAME[,NAME...]",
              help="Only these contract modules (repeatable or comma-separated; default: all; "
                   "chainrule list shows them).")
@click.option("--students", "roster", type=click.Path(dir_okay=False),
              help="Roster CSV (an 'id' column, an optional 'name'): write OUT/students/<id>/ per student.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False), metavar="PATH",
              help="With --students, the manifest.json of the class's worksheets (chainrule generate): their "
                   "course seed, language and kind (graded, practice) are taken from it, so --seed and --lang "
                   "need not be given, and a --seed, --secret-file or --practice that does not fit the set, or a "
                   "roster id that is not one of its students, is refused.")
@click.option("--seed", type=course_seed(), default=None,
              help="Course seed of the worksheets (required with --students unless --manifest gives it: the "
                   "seed the class's worksheets were generated with): fixes each student's own network.")
@click.option("--secret-file", type=click.Path(dir_okay=False), default=None,
              help="The course secret the graded worksheets were generated with (with --students).")
@click.option("--practice", is_flag=True,
              help="The worksheets are practice sheets (chainrule generate --practice): with --secret-file, "
                   "their own networks (drawn with a key derived from the secret, never the graded "
                   "sheets'), and your_worksheet.ipynb by default.")
@click.option("--with-worksheet/--without-worksheet", "worksheet", default=None,
              help="With --students, add your_worksheet.ipynb: the student's own backprop network "
                   "run through their code (default: with it for practice sheets, without it for "
                   "graded sheets, --secret-file).")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None,
              help="Language of your_worksheet.ipynb (with --students), as chainrule generate's: the "
                   "problems' titles and statements are the worksheet's own (default: the language of "
                   f"--manifest's set, else {DEFAULT_LANG}). The exercise notebooks are in English.")
@click.option("--force", is_flag=True, help="Write into a non-empty --out folder, overwriting files (an "
                                            "interrupted run there starts over: its files this run does not "
                                            "write are removed).")
def notebook_command(out, modules, roster, manifest, seed, secret_file, practice, worksheet, lang, force):
    """Write one notebook per contract module, OUT/<module>.ipynb, and its percent script.

    Each notebook has, per function, what it computes (from its docstring), the skeleton
    from exercises/ and a check cell: check("activations.sigmoid") grades the function as
    the kernel defines it, with chainrule grade's feedback. Submitted notebooks are graded
    with chainrule grade OUT/activations.ipynb (or the folder), a percent script with
    chainrule grade OUT/activations.pct.py. Students run them in the environment of their
    student copy (chainrule release) with Jupyter added; each notebook's first cell says so.
    Needs nbformat. Interrupted (Ctrl-C), the same command again finishes the class.
    """
    stopped_by = []

    def terminated(signum, frame):  # a batch system's stop: as clean as Ctrl-C
        stopped_by.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    run = {"journal": None, "total": None, "unit": "notebook", "kept": None, "finished": False}
    try:
        _notebooks(out, modules, roster, manifest, seed, secret_file, practice, worksheet, lang, force, run)
    except KeyboardInterrupt:
        journal, total = run["journal"], run["total"]
        unit = run["unit"] + ("" if total == 1 else "s")
        # what is there: the notebooks of this run and those kept from an interrupted one
        count = journal.count if journal is not None else run["kept"]
        if run["finished"]:     # the journal is gone: the class is complete, nothing is left to finish
            done, how = f"after the last {run['unit']} was written", "the folder is complete"
        else:
            if journal is not None or count:
                done = f"after {count} of {total} {unit}"
            elif count is None and (Path(out) / _JOURNAL).is_file():     # not read yet
                done = "before this run wrote any notebook"
            else:
                done = "before any notebook was written"
            how = ("run it again without --force to finish (with --force it starts over)" if force else
                   "run the same command again to finish (or --force to start over)")
        by = f" ({signal.Signals(stopped_by[0]).name})" if stopped_by else ""
        click.echo(f"Interrupted{by} {done}; {how}.", err=True)
        sys.exit(128 + (stopped_by[0] if stopped_by else signal.SIGINT))   # 143 for SIGTERM, 130 for Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, previous)
        if run["journal"] is not None:
            run["journal"].close()      # left on disk unless the run is finished
        if run.get("held") is not None:
            os.close(run["held"])       # the lock (hold) ends with it


#: chainrule.notebook.build.JOURNAL (not imported here: build loads the contract table)
_JOURNAL = ".chainrule-notebook.journal"


def _notebooks(out, modules, roster, manifest, seed, secret_file, practice, worksheet, lang, force, run):
    """The command's work; ``run`` gets its journal and the number of students (or
    notebooks) as soon as they are known, for the line an interrupt prints."""
    from chainrule.notebook import build

    names = build.check_modules(modules)
    out = Path(out)
    if roster is None and seed is not None:
        raise click.UsageError("--seed goes with --students (it fixes each student's own network).")
    if roster is None and manifest is not None:
        raise click.UsageError("--manifest goes with --students (it gives the seed and language of the "
                               "students' worksheets).")
    lang_given = lang is not None
    set_students = None
    if manifest is not None:
        seed, lang, practice, set_students = _from_manifest(manifest, seed, lang, secret_file, practice)
    lang = lang or DEFAULT_LANG
    if roster is not None and seed is None:
        raise click.UsageError("--students needs --seed S, the course seed the worksheets were "
                               "generated with (or --manifest, the set's manifest.json, which gives it).")
    if roster is None and secret_file is not None:
        raise click.UsageError("--secret-file goes with --students (it fixes each student's graded network).")
    if practice and roster is None:
        raise click.UsageError("--practice goes with --students (it fixes each student's practice network).")
    if worksheet is None:   # a graded sheet's own network is the instructor's choice to hand out
        worksheet = secret_file is None or practice
    if lang_given and lang != DEFAULT_LANG and (roster is None or not worksheet):
        raise click.UsageError(f"--lang {lang} translates your_worksheet.ipynb, which comes with --students "
                               "(and not with --without-worksheet); the exercise notebooks are in English.")
    if roster is not None and worksheet and "network" not in names:
        raise click.UsageError("your_worksheet.ipynb runs the student's network.ipynb: add network to "
                               "--modules, or pass --without-worksheet.")
    from chainrule_core.secret import load as load_secret

    # read before the output folder is looked at: a missing secret file is said as every command says it
    secret = load_secret(secret_file) if secret_file is not None else None
    students = None
    if roster is not None:
        from generator.worksheets import read_roster

        roster_notes: list = []
        students = read_roster(roster, roster_notes)
        if set_students is not None:
            _on_the_set(roster, students, manifest, set_students)
        for note in roster_notes:
            click.echo(f"Note: {note}", err=True)
    # an interrupted run of the same command in --out: what it completed is kept
    options = build.run_options(names, students, seed if roster is not None else None, secret, practice,
                                worksheet if roster is not None else False, lang)
    if roster is None:
        run["total"] = len(names)
    else:
        run["total"], run["unit"] = len(students), "student"
    made = not out.exists()
    run["held"] = build.hold(out)   # one chainrule notebook at a time in a folder
    try:
        kept = build.resume_out(out, force, options)
        run["kept"] = len(kept)
        build.need_nbformat()
        files = build.notebook_files(names)
    except BaseException:
        if made:
            _remove_if_empty(out)  # made by hold, for its lock: a refused or stopped run leaves no folder
        raise
    units = names if roster is None else [student.id for student in students]
    # --force starts over: what an earlier run wrote there and this one does not write goes (an
    # interrupted run's files, as its journal lists them; a finished run's, as its record does)
    for earlier, written in (("interrupted", build.interrupted_files(out) if force else {}),
                             ("earlier", build.finished_files(out) if force else {})):
        if not written:
            continue
        removed = build.remove_interrupted(out, written, [rel for unit in units
                                                        for rel in build.unit_files(options, unit)])
        if removed:
            n, what = sum(len(rels) for rels in removed.values()), list(removed)
            click.echo(f"Removed {n} file{'' if n == 1 else 's'} of the {earlier} run that this run does not "
                       f"write ({len(what)} {run['unit']}{'' if len(what) == 1 else 's'}: {_listing(what)}).")
    if force:   # until this run finishes, the folder records no finished run
        build.remove_record(out)
    if roster is None:
        journal = run["journal"] = build.Journal(out, options, kept)
        for name in names:
            if name in kept:
                continue
            own = {rel: text for rel, text in files.items() if rel in (f"{name}.ipynb", f"{name}.pct.py")}
            build.write_files(out, own)
            journal.add(name, list(own))
        journal.remove()    # the run is finished (no record: this folder is what students get)
        run["journal"], run["finished"] = None, True
        _resumed(len(names) - len(kept), len(kept), "notebook")
        noun = "notebook" if len(names) == 1 else "notebooks"
        click.echo(f"Wrote {len(names)} {noun} and {'its percent script' if len(names) == 1 else 'their percent scripts'} "
                   f"to {out}/ ({', '.join(n + '.ipynb' for n in names)}).")
        return
    from chainrule.notebook.worksheet import NOTEBOOK, student_items, worksheet_notebook

    if secret is not None and practice:     # as chainrule generate --practice --secret-file draws them
        from chainrule_core.secret import practice_key

        secret = practice_key(secret)
    journal = run["journal"] = build.Journal(out, options, kept)
    for student in students:
        if student.id in kept:
            continue
        folder = out / "students" / student.id
        own = dict(files)
        if worksheet:
            nb = worksheet_notebook(student.id, student.name, seed,
                                    student_items(seed, student.id, secret=secret), lang)
            own.update({NOTEBOOK: build.notebook_text(nb), NOTEBOOK.replace(".ipynb", ".pct.py"): build.percent_script(nb)})
        build.write_files(folder, own)
        journal.add(student.id, [f"students/{student.id}/{rel}" for rel in own])
    build.write_record(out, options)
    journal.remove()    # the class is finished
    run["journal"], run["finished"] = None, True
    _resumed(len(students) - len(kept), len(kept), "student")
    extra = f" and {NOTEBOOK}" if worksheet else ""
    noun = "student" if len(students) == 1 else "students"
    click.echo(f"Wrote the notebooks ({', '.join(n + '.ipynb' for n in names)}){extra} for "
               f"{len(students)} {noun} to {out}/students/<id>/.")


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only when empty
    except OSError:
        pass


def _resumed(made, kept, unit) -> None:
    """"Resumed: ..." before the summary, when an interrupted run's work was kept."""
    if kept:
        click.echo(f"Resumed: {made} {unit}{'' if made == 1 else 's'} written, {kept} kept from the interrupted run.")


#: ids named in one refusal (the rest are counted)
SHOWN = 5


def _listing(ids) -> str:
    """"a, b, c" (the first ``SHOWN``, then "and N more")."""
    ids = list(ids)
    return ", ".join(ids[:SHOWN]) + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def _on_the_set(roster, students, manifest, set_students) -> None:
    """Refuse (before anything is written) a roster with ids that are not students of the
    manifest's set: their notebooks' networks would be on no worksheet. A student the manifest
    marks removed (``generate --update``) is one of the set: their sheet was written and kept."""
    known = set(set_students)
    strangers = [s.id for s in students if s.id not in known]
    if not strangers:
        return
    one = len(strangers) == 1
    who = (f"{strangers[0]}, who is not a student" if one
           else f"{len(strangers)} ids that are not students")
    raise click.UsageError(
        f"--students '{roster}' lists {who} of the set '{manifest}'{'' if one else f' ({_listing(strangers)})'}: "
        "their notebooks would match no worksheet; give a roster of the set's "
        f"students (the ids its manifest lists: {_listing(set_students)}).")


_SHEETS = {"open": "open sheets", "graded": "graded sheets", "practice": "practice sheets"}


def _from_manifest(path, seed, lang, secret_file, practice):
    """``(seed, lang, practice, ids)`` for the set of the manifest ``path``: its course seed, its
    language unless --lang was given, practice for a practice set, its students' ids; a --seed, --secret-file or
    --practice that would draw other networks than the students' worksheets is refused (a
    graded set's networks need its secret, an open set's none)."""
    from checker import manifest_file
    from chainrule_core import secret as course_secret

    m = manifest_file.load(path)
    if seed is not None and seed != m.course_seed:
        raise click.UsageError(f"--seed {seed} is not the course seed of '{path}' ({m.course_seed}); leave "
                               "--seed out, the manifest gives it.")
    if lang is None:
        lang = m.lang
        if lang not in LANGUAGES:
            raise click.UsageError(f"'{path}' gives the language '{lang}', which this chainrule does not write "
                                   f"({', '.join(LANGUAGES)}); give --lang.")
    kind = _SHEETS.get(m.mode, f"'{m.mode}' sheets")
    if practice and m.mode != "practice":
        raise click.UsageError(f"--practice: '{path}' lists {kind}, not practice sheets; leave --practice out.")
    if m.secret and secret_file is None:
        raise click.UsageError(f"'{path}' lists {kind} made with the course secret, which draws their networks: "
                               "give it with --secret-file.")
    if not m.secret and secret_file is not None:
        raise click.UsageError(f"'{path}' lists {kind} made without a course secret: leave --secret-file out "
                               "(with it the networks would not be the students').")
    if m.secret and course_secret.fingerprint(course_secret.load(secret_file)) != m.secret:
        raise click.UsageError(f"--secret-file '{secret_file}' is not the course secret '{path}' was made with "
                               "(fingerprints differ); give that one.")
    return m.course_seed, lang, practice or m.mode == "practice", tuple(m.students)
