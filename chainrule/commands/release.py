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
              metavar="FILE", help='TOML file of "module.function" = points overriding the defaults.')
@click.option("--hidden-seeds", default=DEFAULT_HIDDEN_SEEDS, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="How many extra seeds the hidden checks use (in autograder.zip only).")
@click.option("--hidden-visibility", default=DEFAULT_VISIBILITY, show_default=True,
              type=click.Choice(VISIBILITIES),
              help="When Gradescope shows the hidden checks' tests to students.")
@click.option("--public-share", default=DEFAULT_PUBLIC_SHARE, show_default=True, metavar="FRACTION",
              help="Share of each function's points its public test carries on Gradescope (0 to 1); "
                   "the hidden checks carry the rest.")
@click.option("--secret-file", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Course secret the hidden seeds are derived from (default: random bytes drawn now, "
                   "kept only in autograder.zip).")
@click.option("--force", is_flag=True, help="Replace the release in a non-empty --out folder.")
def release_command(out, modules, points_file, hidden_seeds, hidden_visibility, public_share, secret_file, force):
    """Build what a class gets: OUT/student/ (the template repository, no solutions),
    OUT/autograder.zip (Gradescope, with hidden checks) and OUT/instructor/README.md.

    The same inputs give byte-identical files.
    """
    import sys

    from chainrule.release import build

    def progress(text):
        if sys.stderr.isatty():
            click.echo(f"writing {text} ...", err=True)

    from chainrule.release import check_public_share

    check_public_share(public_share)
    source = click.get_current_context().get_parameter_source("public_share")
    if hidden_seeds == 0 and source not in (None, click.core.ParameterSource.DEFAULT):
        click.echo(f"Warning: --public-share {float(public_share):g} has no effect with --hidden-seeds 0: without hidden "
                   "checks every point comes from the public checks.", err=True)
    info = build(out, modules=modules, points_file=points_file, hidden=hidden_seeds,
                 hidden_visibility=hidden_visibility, force=force, progress=progress,
                 public_share=public_share, secret_file=secret_file)
    count = len(info["hidden_seeds"])
    if count:
        origin = "from the course secret" if info["seeds_from"] == "secret" else "drawn at random"
        hidden = (f"{count} hidden seed{'s' if count != 1 else ''} ({origin}, kept only in autograder.zip), "
                  f"public tests carry {info['public_share']:g} of the points")
    else:
        hidden = "no hidden checks"
    count_modules = len(info["modules"])
    click.echo(f"Release written to {info['out']}: {info['functions']} function{'s' if info['functions'] != 1 else ''} "
               f"in {count_modules} module{'s' if count_modules != 1 else ''}, {info['max_score']:g} points; public seed "
               f"{info['public_seed']}, {hidden}.")
    click.echo(f"  {info['out']}/student/           the template repository (GitHub Classroom)")
    click.echo(f"  {info['out']}/autograder.zip     upload to Gradescope")
    click.echo(f"  {info['out']}/instructor/README.md  how to deploy both")
