"""``chainrule notebook``: the exercises as Jupyter notebooks with inline checks."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("notebook")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write into (refused when not empty, unless --force).")
@click.option("--modules", multiple=True, metavar="NAME[,NAME...]",
              help="Only these contract modules (repeatable or comma-separated; default: all; "
                   "chainrule list shows them).")
@click.option("--force", is_flag=True, help="Write into a non-empty --out folder, overwriting files.")
def notebook_command(out, modules, force):
    """Write one notebook per contract module, OUT/<module>.ipynb, and its percent script.

    Each notebook has, per function, what it computes (from its docstring), the skeleton
    from exercises/ and a check cell: check("activations.sigmoid") grades the function as
    the kernel defines it, with chainrule grade's feedback. Submitted notebooks are graded
    with chainrule grade OUT/activations.ipynb (or the folder). Needs nbformat.
    """
    from chainrule.notebook import build

    names = build.check_modules(modules)
    out = Path(out)
    build.check_out(out, force)
    build.need_nbformat()
    files = build.notebook_files(names)
    build.write_files(out, files)
    noun = "notebook" if len(names) == 1 else "notebooks"
    click.echo(f"Wrote {len(names)} {noun} and {'its percent script' if len(names) == 1 else 'their percent scripts'} to {out}/ "
               f"({', '.join(n + '.ipynb' for n in names)}).")
