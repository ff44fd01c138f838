"""The subcommands of ``chainrule`` (one module each, registered in ``chainrule.cli.COMMANDS``)."""


def split_names(values):
    """``--only a --only b,c`` as ``["a", "b", "c"]`` (None when nothing was given): a repeated
    option, or one comma-separated value as ``release --modules`` takes it."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def limit_options(command):
    """``--timeout``, ``--memory`` and ``--recorded``: how ``grade`` and ``grade-all`` run the
    student code and where its expected values come from (one definition for both)."""
    import click

    from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

    for option in reversed((
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     help=f"Seconds each function may run in total (default {DEFAULT_TIMEOUT:g})."),
        click.option("--memory", "memory_mb", type=click.IntRange(min=16), default=None, metavar="MB",
                     help=f"Memory the student code may use beyond NumPy's own (default {DEFAULT_MEMORY_MB})."),
        click.option("--recorded", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="Take expected values from this recording (grader.record) instead of solutions/."),
    )):
        command = option(command)
    return command


def out_folder():
    """click's type of an ``--out`` folder: any path but a file (the folder is made if it is
    missing). A file given is refused in words naming it (click's own: "Directory 'x' is a file.")."""
    import os

    import click

    class OutFolder(click.Path):
        def convert(self, value, param, ctx):
            if isinstance(value, (str, os.PathLike)) and os.path.isfile(value):
                self.fail(f"'{os.fspath(value)}' is a file, not a folder; give a folder (it is made if it does "
                          "not exist).", param, ctx)
            return super().convert(value, param, ctx)

    return OutFolder(file_okay=False)
