"""``chainrule list``: the contract functions by module with their points, and the problem families."""

from __future__ import annotations

import click

from chainrule_core.contract import CONTRACT


def _points(value):
    return f"{value:g} point{'s' if value != 1 else ''}"


@click.command("list")
def list_command():
    """List every contract function (by module) with its points, and the worksheet problem families where
    the full kit is installed."""
    from grader.release_settings import effective_points
    from grader.release_settings import functions as released   # a student release's subset

    chosen = released()
    points = effective_points()
    table = {m: [n for n in names if chosen is None or f"{m}.{n}" in chosen] for m, names in CONTRACT.items()}
    table = {m: names for m, names in table.items() if names}
    total = sum(len(names) for names in table.values())
    total_points = sum(points[f"{m}.{n}"] for m, names in table.items() for n in names)
    what = ("Contract functions" if chosen is None else "Functions of this release") + f" ({total})"
    whose = "default points" if chosen is None else "points"
    click.echo(f"{what} with their {whose} ({total_points:g} in all), as module.function:")
    width = max(len(f"{m}.{n}") for m, names in table.items() for n in names)
    for module, names in table.items():
        module_points = sum(points[f"{module}.{n}"] for n in names)
        click.echo(f"  {module:<{width + 2}}  {_points(module_points)}")
        for name in names:
            click.echo(f"    {f'{module}.{name}':<{width}}  {points[f'{module}.{name}']:g}")
    if chosen is None:
        click.echo("A release gives other points with chainrule release --points FILE "
                   '(a TOML file of "module.function" = points).')
    try:
        from generator.registry import FAMILIES
    except ImportError:  # a student release ships without the generator
        return
    if FAMILIES:
        click.echo("")
        click.echo(f"Problem families ({len(FAMILIES)}):")
        width = max(len(name) for name in FAMILIES)
        for name, (_module, summary) in FAMILIES.items():
            click.echo(f"  {name:<{width}}  {summary}")
