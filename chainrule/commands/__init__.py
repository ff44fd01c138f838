"""The subcommands of ``chainrule`` (one module each, registered in ``chainrule.cli.COMMANDS``)."""


def for_the_log(text):
    """``text`` as a command prints it to standard output: unchanged, except in a GitHub
    Actions job, where that is the job's log and no line of it may be taken for a workflow
    command (``grader.escape.workflow``: a report quotes what the submission wrote;
    ``chainrule.cli`` also stops the runner's commands around the whole command)."""
    from chainrule.cli import in_github_actions

    if not in_github_actions():
        return text
    from grader.escape import workflow

    return workflow(text)


def split_names(values):
    """``--only a --only b,c`` as ``["a", "b", "c"]`` (None when nothing was given): a repeated
    option, or one comma-separated value as ``release --modules`` takes it."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def limit_options(command):
    """``--timeout``, ``--memory`` and ``--recorded``: how ``grade`` and ``grade-all`` run the
    student code and where its expected values come from (one definition for both)."""
    import click

    from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, MAX_TIMEOUT

    for option in reversed((
        click.option("--timeout", type=seconds(), default=None, metavar="SECONDS",
                     help=f"Seconds each function may run in total, at most {MAX_TIMEOUT:g} "
                          f"(default {DEFAULT_TIMEOUT:g})."),
        click.option("--memory", "memory_mb", type=click.IntRange(min=16), default=None, metavar="MB",
                     help=f"Memory the student code may use beyond NumPy's own (default {DEFAULT_MEMORY_MB})."),
        click.option("--recorded", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="Take expected values from this recording (grader.record) instead of solutions/."),
    )):
        command = option(command)
    return command


def seconds():
    """click's type of ``--timeout``: a finite number of seconds above 0 and at most
    ``grader.limits.MAX_TIMEOUT`` (``valid_timeout``, which the library's ``grade`` asks
    too). ``inf``, ``nan`` and ``1e300`` parse as floats and are refused in the words of the
    rule, naming the value as given: a time limit that never ends would let a hanging
    submission stop the whole run, and JSON (batch.json) has no Infinity to write it in."""
    import click

    from grader.limits import TIMEOUT_RULE, valid_timeout

    class Seconds(click.ParamType):
        name = "seconds"

        def convert(self, value, param, ctx):
            if isinstance(value, float):
                number = value
            else:
                try:
                    number = float(str(value).strip())
                except ValueError:
                    self.fail(f"'{value}' is not a number; {TIMEOUT_RULE}.", param, ctx)
            if not valid_timeout(number):
                self.fail(f"{value} is not valid; {TIMEOUT_RULE}.", param, ctx)
            return number

    return Seconds()


def course_seed():
    """click's type of a course seed (``generate --seed``, ``notebook --seed``): a whole number
    from 0 to ``checker.answers_file.MAX_COURSE_SEED`` (2**63 - 1), since answers.toml keeps it
    as a TOML integer, which must fit in 64 bits. (``grade --seed`` is no course seed: a
    submission's own seed is any of 2**64, so it keeps click's ``IntRange(min=0)``.)"""
    import click

    from checker.answers_file import MAX_COURSE_SEED

    return click.IntRange(min=0, max=MAX_COURSE_SEED)


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
