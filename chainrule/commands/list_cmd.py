"""``chainrule list``: the contract functions by module, and the problem families."""

from __future__ import annotations

import click

from chainrule_core.contract import CONTRACT


@click.command("list")
def list_command():
    """List every contract function (by module) and every worksheet problem family."""
    total = sum(len(names) for names in CONTRACT.values())
    click.echo(f"Contract functions ({total}), as module.function:")
    for module, names in CONTRACT.items():
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
