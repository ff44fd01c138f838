"""``chainrule release``: a student repository, a Gradescope autograder and instructor notes."""

from __future__ import annotations

import click

from chainrule.commands import out_folder
from chainrule.release import DEFAULT_HIDDEN_SEEDS, DEFAULT_PUBLIC_SHARE, DEFAULT_VISIBILITY, VISIBILITIES


@click.command("release")
@click.option("--out", required=True, type=out_folder(),
              help="Folder to write the release into (refused when not empty, unless --force).")
@click.option("--modules", default=None, metavar="LIST",
              help="Comma-separated modules to hand out (default: the whole contract).")
@click.option("--points", "points_file", default=None, type=click.Path(exists=True, dir_okay=False),
              metavar="FILE", help='TOML file of "module.function" = points overriding the defaults '
                                   "(chainrule list shows them).")
@click.option("--hidden-seeds", default=DEFAULT_HIDDEN_SEEDS, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="How many extra seeds the hidden checks use (in autograder.zip only).")
@click.option("--hidden-visibility", default=DEFAULT_VISIBILITY, show_default=True,
              type=click.Choice(VISIBILITIES),
              help="When Gradescope shows the hidden checks' tests to students.")
@click.option("--public-share", default=DEFAULT_PUBLIC_SHARE, show_default=True, metavar="FRACTION",
              help="Share of each function's points its public test carries on Gradescope (0 to 1); "
                   "the hidden checks carry the rest (at 1 there are none). Edge and stability cases that "
                   "are the same on every seed count only in the public test, so with a small share they "
                   "weigh little (nothing at 0): give a larger share for them to weigh more.")
@click.option("--secret-file", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Course secret the hidden seeds are derived from (default: random bytes drawn now, "
                   "kept only in autograder.zip).")
@click.option("--force", is_flag=True,
              help="Replace the release in a non-empty --out folder: only files a release wrote there and "
                   "that still hold what it wrote.")
@click.option("--discard-changes", is_flag=True,
              help="With --force: also replace or remove files edited since the release wrote them, and "
                   "write over files no release wrote (their content is lost).")
def release_command(out, modules, points_file, hidden_seeds, hidden_visibility, public_share, secret_file, force,
                    discard_changes):
    """Build what a class gets: OUT/student/ (the template repository, no solutions),
    OUT/autograder.zip (Gradescope, with hidden checks) and OUT/instructor/README.md.

    The same inputs give byte-identical files. A rebuild (--force) never replaces or removes
    a file edited since the release wrote it, unless --discard-changes; it prints what
    changed in student/ and the git commands that hand the change to students.
    """
    import sys

    from chainrule.release import build, check_public_share, percent
    from chainrule_core.progress import is_terminal
    from chainrule_core.errors import ChainruleUsageError

    def progress(text):
        if is_terminal(sys.stderr):
            click.echo(f"writing {text} ...", err=True)

    if discard_changes and not force:
        raise ChainruleUsageError("--discard-changes only works with --force (it lets --force replace files edited "
                                  "since the release wrote them); add --force.")
    share = check_public_share(public_share)
    ctx = click.get_current_context()
    given = lambda name: ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)  # noqa: E731
    if share >= 1.0 and hidden_seeds > 0 and given("hidden_seeds"):
        raise ChainruleUsageError(f"--hidden-seeds {hidden_seeds} with --public-share 1 adds hidden checks worth 0 "
                                  "points; give a --public-share below 1 for hidden checks that count, or leave out "
                                  "--hidden-seeds (--public-share 1 releases none).")
    if hidden_seeds == 0 and given("public_share") and share < 1.0:
        click.echo(f"Warning: --public-share {float(public_share):g} has no effect with --hidden-seeds 0: without hidden "
                   "checks every point comes from the public checks.", err=True)
    info = build(out, modules=modules, points_file=points_file, hidden=hidden_seeds,
                 hidden_visibility=hidden_visibility, force=force, progress=progress,
                 public_share=public_share, secret_file=secret_file, discard_changes=discard_changes)
    count = len(info["hidden_seeds"])
    if count:
        origin = "from the course secret" if info["seeds_from"] == "secret" else "drawn at random"
        hidden = (f"{count} hidden seed{'s' if count != 1 else ''} ({origin}, kept only in autograder.zip), "
                  f"public tests carry {percent(info['public_share'])} of the points")
    elif hidden_seeds and share >= 1.0:
        hidden = "no hidden checks (--public-share 1 gives every point to the public tests)"
    else:
        hidden = "no hidden checks"
    count_modules = len(info["modules"])
    click.echo(f"Release written to {info['out']}: {info['functions']} function{'s' if info['functions'] != 1 else ''} "
               f"in {count_modules} module{'s' if count_modules != 1 else ''}, {info['max_score']:g} points; public seed "
               f"{info['public_seed']}, {hidden}.")
    click.echo(f"  {info['out']}/student/           the template repository (GitHub Classroom)")
    click.echo(f"  {info['out']}/autograder.zip     upload to Gradescope")
    click.echo(f"  {info['out']}/instructor/README.md  how to deploy both")
    _report_install(info)


def _report_install(info):
    """After a rebuild: what was discarded or could not be checked (stderr), and how the
    change in ``student/`` reaches the students' repositories (stdout)."""
    from chainrule.release import shown, student_update_steps

    out = info["out"]
    if info["discarded"]:
        click.echo("Discarded your changes (--discard-changes): "
                   + shown([f"{rel} ({what})" for rel, what in info["discarded"]], limit=20) + ".", err=True)
    unchecked = info["unchecked"]
    if unchecked:
        why = (f"'{out}/.chainrule-release' comes from an older chainrule and records no file contents"
               if info["listing"] == "old" else f"'{out}' has no .chainrule-release listing")
        n = len(unchecked)
        click.echo(f"Warning: {why}, so {n} file{'s' if n != 1 else ''} replaced or removed could not be checked for "
                   f"changes: {shown(unchecked)}. From now on the listing records them.", err=True)
    if info["listing"] is None:
        return                                  # a first release: nothing to hand out again
    update = info["student_update"]
    click.echo("")
    click.echo(f"Gradescope: upload the new {out}/autograder.zip (Configure Autograder) and set the assignment's "
               f"total to {info['max_score']:g} points; grade a class with grade-all --release {out} into a new "
               "--out (a folder graded with the earlier release refuses this one).")
    if update is None:
        click.echo("What changed in student/ cannot be told (the earlier listing records no file contents); "
                   "`git status` in your template repository's copy shows it.")
        return
    for line in student_update_steps(update):
        click.echo(line)
