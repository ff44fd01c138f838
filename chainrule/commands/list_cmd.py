"""``chainrule list``: the contract functions by module, and the problem families."""

from __future__ import annotations

import click

from chainrule_core.contract import CONTRACT


@click.command("list")
def list_command():
    """List every contract function (by module), and the worksheet problem families where the full kit is installed."""
    from grader.release_settings import functions as released   # a student release's subset

    chosen = released()
    table = {m: [n for n in names if chosen is None or f"{m}.{n}" in chosen] for m, names in CONTRACT.items()}
    table = {m: names for m, names in table.items() if names}
    total = sum(len(names) for names in table.values())
    what = "Contract functions" if chosen is None else "Functions of this release"
    click.echo(f"{what} ({total}), as module.function:")
    for module, names in table.items():
        click.echo(f"  {module}")
        for name in names:
            click.echo(f"    {module}.{name}")
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
