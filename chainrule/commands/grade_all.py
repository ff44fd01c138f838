"""``chainrule grade-all``: grade a whole class, resumably, on every core (numpy + click only)."""

from __future__ import annotations

import os
import signal
import sys

import click

from chainrule.commands import limit_options, out_folder
from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT


def _jobs_default():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@click.command("grade-all")
@click.argument("inputs", nargs=-1, metavar="SUBMISSIONS", type=click.Path())
@click.option("--out", "-o", "out", required=True, type=out_folder(),
              help="Output folder: results.jsonl, grades.csv, reports/, summary.md, summary.html "
                   "(and grades-by-student.csv from a Gradescope export's submission_metadata.yml).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once (default: every core).")
@click.option("--only", multiple=True, metavar="NAME",
              help="Grade only this module.function or module (repeatable, or comma-separated).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the cases' inputs, the same for the whole class. Without it: each "
                   "submission's own, derived from its content, with the live reference; the first "
                   "seed of the recording otherwise.")
@limit_options
@click.option("--shard", default=None, metavar="K/N",
              help="Grade only every N-th submission starting at the K-th (1 <= K <= N).")
@click.option("--merge", is_flag=True,
              help="Combine the output folders given as arguments (shards of one class) into --out.")
@click.option("--secret-file", type=click.Path(dir_okay=False), default=None,
              help="A file holding the course secret, mixed into each submission's seed (as for grade).")
@click.option("--release", "release", type=click.Path(), default=None, metavar="PATH",
              help="Grade the functions a release hands out, with its points: its --out folder, its "
                   "student/ folder or its release.json (what chainrule release wrote).")
@click.option("--require-isolation", is_flag=True,
              help="Refuse to grade the class when student code could read the reference (for scripts).")
@click.option("--force", is_flag=True, help="Start over: discard the results already in --out.")
def grade_all_command(inputs, out, jobs, only, seed, timeout, memory_mb, recorded, shard, merge, secret_file,
                      release, require_isolation, force):
    """Grade every submission in SUBMISSIONS (one folder or .zip per student) into --out.

    Each submission is graded as `chainrule grade` grades one, in its own confined child.
    Results are saved as they finish: run the same command again after an interruption
    and only what is missing or changed is graded. With --merge, the arguments are the
    --out folders of the shards of one class. With --release, the class is graded as that
    release hands the exercises out: its functions only, each worth the release's points.
    Where student code could read the reference (no Landlock, not root), the command and
    the summaries say so; with --require-isolation nothing is graded then. A Gradescope
    export's submission_metadata.yml in SUBMISSIONS gives grades-by-student.csv too: a row
    per student (id, name, e-mail), for a gradebook that knows students, not submissions.
    """
    from chainrule_core.errors import ChainruleUsageError

    if merge:
        given = [name for name, value in (("--only", only), ("--seed", seed), ("--timeout", timeout),
                                           ("--memory", memory_mb), ("--recorded", recorded),
                                           ("--shard", shard), ("--jobs", jobs),
                                           ("--secret-file", secret_file), ("--release", release),
                                           ("--require-isolation", require_isolation or None))
                 if value not in (None, ())]
        if given:
            raise ChainruleUsageError(f"{given[0]} cannot be used with --merge: the shards' own "
                                      "settings are merged.")
        if not inputs:
            raise ChainruleUsageError("--merge needs the output folders of the shards, e.g. "
                                      "chainrule grade-all --merge shard1 shard2 --out class.")
        return _merge(inputs, out, force)
    if len(inputs) != 1:
        raise ChainruleUsageError(
            "Give one SUBMISSIONS folder (one folder or .zip per student)"
            + (f", not {len(inputs)}" if inputs else "") + "; to combine shards use --merge.")
    from grader import release_settings

    settings = release_settings.read(release) if release is not None else None
    with release_settings.in_force(settings):    # the release's functions and points, for the workers too
        return _grade(inputs[0], out, jobs, only, seed, timeout, memory_mb, recorded, shard, force, secret_file,
                      settings, require_isolation)


def _grade(submissions, out, jobs, only, seed, timeout, memory_mb, recorded, shard, force, secret_file=None,
           release=None, require_isolation=False):
    from chainrule_core.errors import ChainruleError, ChainruleUsageError
    from grader import batch, classreport, similarity
    from grader.engine import select_functions
    from grader.results import counted

    shard = batch.parse_shard(shard) if shard is not None else None
    real_out, real_subs = os.path.realpath(out), os.path.realpath(submissions)
    if real_out == real_subs or real_out.startswith(real_subs.rstrip(os.sep) + os.sep):
        raise ChainruleUsageError(f"--out '{out}' is inside the submissions folder '{submissions}'; "
                                  "it would be graded as a student's entry: choose a folder outside it.")
    from chainrule.commands import split_names

    only = split_names(only) or []
    names = select_functions(only or None)
    timeout = float(DEFAULT_TIMEOUT if timeout is None else timeout)
    memory_mb = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
    entries, ignored = batch.discover(submissions)
    if ignored:     # said here too, not only in summary.md: an archive the instructor meant to grade
        shown = "; ".join(f"{batch.printable(name)} ({why})" for name, why in ignored[:5])
        click.echo(f"Skipped {counted(len(ignored), 'entry', 'entries')} of {submissions} that "
                   f"{'are' if len(ignored) != 1 else 'is'} not a submission: {shown}"
                   + (" ..." if len(ignored) > 5 else "") + ".", err=True)
    from grader import gradescope

    metadata = gradescope.for_class(submissions)
    if metadata and metadata.get("unusable"):   # said now too: corrected meanwhile, a rerun grades nothing again
        click.echo(classreport.not_used(metadata["unusable"]), err=True)
    seed_given = seed is not None
    from grader.seeds import read_secret

    secret = read_secret(secret_file) if secret_file is not None else None
    oracle, seed, oracle_name, oracle_hash = batch.make_oracle(recorded, names, seed)
    # before the output folder is touched (--force empties it) and before any submission runs
    exposure = batch.reference_exposure(recorded)
    if exposure and require_isolation:
        raise ChainruleError(f"{exposure} Not grading any submission (--require-isolation).")
    if exposure:
        click.echo(f"WARNING: {exposure} Grading anyway (--require-isolation refuses instead); "
                   "summary.md says so too.", err=True)
    options = batch.Options(names=names, seed=seed, timeout=timeout, memory_mb=memory_mb,
                            oracle_name=oracle_name, oracle_hash=oracle_hash, only=list(only),
                            recorded=recorded, seed_given=seed_given, secret=secret, release=release,
                            require_isolation=require_isolation)
    skeleton_dir = similarity.default_skeleton()
    skeleton = similarity.skeleton_hashes(skeleton_dir)
    info = batch.class_info(submissions, entries, ignored, options, shard, exposure, metadata)
    info["skeleton"] = bool(skeleton)
    lock = batch.lock_out(out)        # held until this command ends
    try:
        done = batch.prepare_out(out, info, force)
    except BaseException:   # refused: free the folder now, not when a traceback is collected
        lock.close()
        raise
    selected = batch.select_shard(entries, shard)
    todo = batch.to_grade(selected, done)
    jobs = min(jobs or _jobs_default(), max(1, len(todo)))
    kept = len(selected) - len(todo)
    if kept and todo:
        click.echo(f"{kept} of {len(selected)} submissions already graded in {out}; grading the "
                   f"other {len(todo)}.", err=True)
    progress = batch.Progress(len(todo), kept, jobs)
    results = batch.ResultsFile(os.path.join(out, batch.RESULTS))

    def finished(record):
        results.append(record)
        done[record["id"]] = record
        progress(record)

    stopped_by = []

    def terminated(signum, frame):      # a batch system's stop: as clean as Ctrl-C
        stopped_by.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        batch.run_pool(todo, options, oracle, jobs, finished, skeleton=skeleton, tick=progress.tick)
    except KeyboardInterrupt:
        progress.clear()
        results.close()
        # count what a rerun will find: Ctrl-C may land between writing a record and noting it
        saved = batch.read_results(results.path)
        graded = sum(1 for e in selected if e.id in saved and saved[e.id].get("hash") == e.hash)
        how = f"Interrupted ({signal.Signals(stopped_by[0]).name})" if stopped_by else "Interrupted"
        # the same command with --force would throw the saved results away (as generate says)
        rest = ("run it again without --force to grade the rest (with --force it starts over)" if force else
                "run the same command again to grade the rest")
        click.echo(f"{how}: {graded} of {len(selected)} submissions are graded and saved in "
                   f"{os.path.join(out, batch.RESULTS)}; {rest}.", err=True)
        sys.exit(128 + (stopped_by[0] if stopped_by else signal.SIGINT))   # 143 for SIGTERM, 130 for Ctrl-C
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.clear()
    results.close()
    records = {e.id: done[e.id] for e in selected if e.id in done}
    summary = classreport.write_all(out, info, records)
    _report(summary, out, len(todo), kept, release)
    _fail_if_not_all_graded(summary, out)


def _fail_if_not_all_graded(summary, out, rerun="run the same command again, which grades them"):
    """A failed operation (exit 1) when the grader failed on a submission of the run (a record of
    status "error": the grader's fault, not the submission's, graded again by a rerun), whether or
    not others were graded, so that a shard and the merge of its class say the same (review 15b).
    The files are written first. Entries not gradable by their own fault ("ungradable": no
    exercise module, an unreadable zip) make a valid run, even a run of nothing else (each row 0
    with its note), as does an empty selection (a shard of nothing)."""
    from chainrule_core.errors import ChainruleError
    from grader.results import counted

    rows = summary.rows
    failed = [r for r in rows if r.status == "error"]
    if failed:
        graded = sum(1 for r in rows if r.graded)
        raise ChainruleError(f"The grader failed on {counted(len(failed), 'submission')} (the first with "
                             f"\"{failed[0].note}\"; {graded} of {len(rows)} graded): grades.csv in {out} gives "
                             f"them 0; fix the cause and {rerun} (summary.md names each reason).")


def _report(summary, out, graded_now, kept, release=None):
    from grader import classreport

    rows = summary.rows
    bad = [r for r in rows if not r.graded]
    totals = summary.totals()
    what = f"{len(rows)} submissions" if len(rows) != 1 else "1 submission"
    if bad:
        what = f"{len(rows) - len(bad)} of {what}"
    line = f"Graded {what} into {out}"
    if kept:
        line += f" ({graded_now} now, {kept} from an earlier run)"
    if totals:
        line += f": mean {totals[0]:.1f}%, median {totals[1]:.1f}%"
    if bad:
        nothing = sum(1 for r in bad if r.status == "ungradable")
        words = ([f"{nothing} with nothing to grade"] if nothing else []) + \
                ([f"{len(bad) - nothing} the grader failed on"] if len(bad) > nothing else [])
        line += f"; {' and '.join(words)} (see summary.md)"
    if summary.missing:
        line += f"; {len(summary.missing)} missing"
    click.echo(line + ".")
    if release:
        modules = list(dict.fromkeys(q.split(".", 1)[0] for q in summary.names))
        click.echo(f"Graded with the functions and points of the release '{release.get('given') or release.get('file')}': "
                   f"{', '.join(modules)}, {_points(summary.max)} points in all.")
    students = summary.students
    written = "grades.csv"
    if students is not None and not students.unusable:
        written += f", {classreport.BY_STUDENT} ({students.short()})"
    click.echo(f"Wrote {written}, reports/, summary.md and summary.html in {out}.")
    if students is not None and students.unusable:
        click.echo(classreport.not_used(students.unusable, bool(summary.info.get("merged"))))
    if summary.removed_by_student:
        click.echo(f"Removed the {classreport.BY_STUDENT} of an earlier run: this one read no {classreport.METADATA}.")
    stale = summary.stale_reports
    if stale:
        shown = ", ".join(stale[:5]) + (", ..." if len(stale) > 5 else "")
        click.echo(f"Removed {len(stale)} report{'s' if len(stale) != 1 else ''} of submissions no longer in the "
                   f"class: {shown}.")


def _points(x):
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _merge(folders, out, force):
    from chainrule_core.errors import ChainruleError
    from grader import batch, classreport, release_settings

    info, records, lock, unfinished, completed = batch.merge(folders, out, force)
    try:
        if completed:       # said, since no --force was asked for: nothing it held is lost
            click.echo(f"Replaced the incomplete merge in {out} (of {_sources(completed)}) with this one, which "
                       "holds every submission it graded.", err=True)
        release = info.get("release")       # the shards' --release: its points make the totals
        with release_settings.in_force(release):
            summary = classreport.write_all(out, info, records)
    finally:
        # the folder is written: free it now, not when a failure's traceback is collected (a
        # merge run again in this process, as its failure says to, would be refused meanwhile)
        lock.close()
    _report(summary, out, len(records), 0, release)
    _fail_if_not_all_graded(summary, out, "run the shards again (each grades its failed submissions again), "
                                          "then merge again")
    if summary.missing:  # written as far as it goes, and said as a failure: a gradebook would lack them
        raise ChainruleError(_unfinished_message(summary.missing, unfinished, info["submissions"], folders))


def _sources(sources):
    """The folders an earlier merge took (``batch.incomplete_merge``), in words: "shard 1/2",
    "shards 1/3 and 2/3", or for whole runs their folders."""
    shards = [s["shard"] for s in sources if s.get("shard")]
    if shards:
        shown = [f"{k}/{n}" for k, n in shards]
        return f"shard {shown[0]}" if len(shown) == 1 else "shards " + ", ".join(shown[:-1]) + " and " + shown[-1]
    folders = [f"'{s['folder']}'" for s in sources]
    return ("the run in " if len(folders) == 1 else "the runs in ") + ", ".join(folders)


def _names(ids, most=5):
    from grader import batch

    return ", ".join(batch.printable(i) for i in ids[:most]) + (", ..." if len(ids) > most else "")


def _unfinished_message(missing, unfinished, submissions, folders):
    """The merge's failure: which submissions no shard holds, and which shard (K/N, its --out
    folder, the submissions it grades) to run again or to add to the merge."""
    from grader.results import counted

    n = len(missing)
    them = "them" if n != 1 else "it"
    some = f"{counted(n, 'submission')} {'are' if n != 1 else 'is'} in none of the shards' results ({_names(missing)})"
    several = len(unfinished) > 1
    clauses, absent, rerun = [], [], []
    for shard, folder, ids in unfinished:
        whose = f" ({_names(ids, 3)})" if several else ""
        if shard is None:       # whole runs merged: none of them finished these
            shown = ", ".join(f"'{f}'" for f in folders)
            clauses.append((f"none of the runs in {shown} finished " if len(folders) > 1 else
                            f"the run in {shown} did not finish ") + f"{'these' if several else them}{whose}")
            rerun.append(f"chainrule grade-all '{submissions}' --out '{folders[0]}'")
        elif folder is None:
            clauses.append(f"shard {shard[0]}/{shard[1]}{whose} is not among the folders merged")
            absent.append(shard)
        else:
            clauses.append(f"shard {shard[0]}/{shard[1]} (--out '{folder}') did not finish "
                           f"{'these' if several else them}{whose}")
            rerun.append(f"chainrule grade-all '{submissions}' --shard {shard[0]}/{shard[1]} --out '{folder}'")
    todo = []
    if rerun:
        what = "that run" if any(shard is None for shard, _, _ in unfinished) else "that shard"
        todo.append((f"run {what} again (" if len(rerun) == 1 else "run each again (")
                    + "; ".join(rerun) + (", with the options it had)" if len(rerun) == 1 else
                                          ", each with the options it had)"))
    if absent:
        todo.append("merge again with every shard's --out folder")
    elif rerun:
        todo.append("merge again")
    if not clauses:     # the class's files and the shards' records disagree: no shard to name
        clauses, todo = [f"a shard did not finish {them}"], ["run that shard's command again", "merge again"]
    return f"{some}: {'; '.join(clauses)}; {', then '.join(todo)} (grades.csv has no row for {them} yet)."
