"""The ``chainrule`` command: one click group whose subcommands load lazily.

Each subcommand lives in its own module under ``chainrule.commands`` and is imported only
when it is invoked (or when ``--help`` lists it), so ``chainrule grade`` never pays for
sympy or jinja2. Commands parse options, call the library and format the result; library
code raises ``chainrule_core.errors`` exceptions and this module turns them into exit codes.

Importing this module imports nothing but the standard library's ``os`` and ``sys``:
click and the group (``cli``, ``LazyGroup``) are made on first use, so that ``main`` can
start ``chainrule grade``'s warm process (``grader.zygote``) before click is even loaded
(``_warm_start``: NumPy loads there while this process imports click and the grader).
"""

from __future__ import annotations

import os
import sys

# name -> "module:attribute"; adding a command is one line here plus its module.
COMMANDS = {
    "list": "chainrule.commands.list_cmd:list_command",
    "grade": "chainrule.commands.grade:grade_command",
    "generate": "chainrule.commands.generate:generate_command",
    "check": "chainrule.commands.check:check_command",
    "release": "chainrule.commands.release:release_command",
    "classroom": "chainrule.commands.classroom:classroom_command",
    "grade-all": "chainrule.commands.grade_all:grade_all_command",
    "notebook": "chainrule.commands.notebook:notebook_command",
}

#: the one line ``chainrule --help`` shows per command (click would cut the docstring's first
#: sentence at 45 characters, mid-phrase)
SHORT_HELP = {
    "list": "List the exercise functions with their points, and the families.",
    "grade": "Grade your exercises and explain every failure.",
    "generate": "Write a class's worksheets, answer keys and answers files.",
    "check": "Check worksheet answers (answers.toml files or a folder).",
    "release": "Build the student repository and the autograders.",
    "classroom": "Grade in GitHub Actions for GitHub Classroom.",
    "grade-all": "Grade a whole class of submissions on every core.",
    "notebook": "Write the exercises as Jupyter notebooks.",
}

#: what each command imports besides its own module: the kit's packages and the libraries
#: (a partial install lacks some: a student copy has no generator/, the Classroom workflow
#: installs chainrule, chainrule_core and grader alone). ``importlib.util.find_spec`` finds
#: them without importing them, so ``chainrule --help`` lists a command only where it can
#: run and stays quick; asked for by name, a command whose needs are missing says what to
#: install (``not_included``).
NEEDS = {
    "list": ("grader",),
    "grade": ("grader", "numpy"),
    "generate": ("generator", "checker", "sympy", "jinja2"),
    "check": ("checker",),
    "release": ("grader", "solutions", "numpy"),
    "classroom": ("grader", "numpy"),
    "grade-all": ("grader", "numpy"),
    "notebook": ("generator", "checker", "sympy", "jinja2"),
}

#: the kit's own packages (a folder each in its checkout and in a student copy)
KIT_PACKAGES = frozenset({"chainrule", "chainrule_core", "grader", "checker", "generator", "solutions"})


def lacking(name):
    """The first module command ``name`` needs that this install cannot find (its own
    module, then ``NEEDS``), or None when it has them all. Nothing is imported but the
    parent packages of a dotted name (``chainrule.commands``)."""
    import importlib.util

    for module in (COMMANDS[name].split(":")[0], *NEEDS.get(name, ())):
        try:
            if importlib.util.find_spec(module) is None:
                return module
        except (ImportError, ValueError):   # a parent package missing, or a module without a spec
            return module
    return None


def not_included(name, module):
    """The sentence for command ``name`` asked for in an install that lacks ``module``."""
    command_module = COMMANDS[name].split(":")[0]
    top = module.split(".")[0]
    if module == command_module:
        return (f"This install of chainrule does not include the {name} command, which comes with the full kit "
                "(pip install -e . in a checkout of it); chainrule --help lists the commands this one has.")
    if top in KIT_PACKAGES:
        return (f"This install of chainrule does not include the {name} command: it needs the {module} package, "
                f"which is not installed (install chainrule from a copy that holds the {top}/ folder: "
                "pip install -e . there).")
    return (f"This install of chainrule does not include the {name} command: it needs {module}, which is not "
            f"installed (pip install {top}).")


def _define():
    """Import click and make ``LazyGroup`` and the group ``cli`` (module attributes)."""
    if "cli" in globals():
        return globals()["cli"]
    import importlib

    import click

    from chainrule_core import __version__
    from chainrule_core.errors import BadSubmission, ChainruleError, ChainruleUsageError

    class NotGradable(click.ClickException):
        """A submission that exists but cannot be graded (``BadSubmission``): the reason alone,
        exit 2, without the usage lines: the command was typed right, the files are the problem."""

        exit_code = 2

    def _usage_error(exc, ctx):
        if isinstance(exc, BadSubmission):
            return NotGradable(str(exc))
        return click.UsageError(str(exc), ctx)

    def _debug_enabled(ctx: click.Context | None) -> bool:
        if os.environ.get("CHAINRULE_DEBUG"):
            return True
        while ctx is not None:
            if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
                return True
            ctx = ctx.parent
        return False

    def _report_usage_errors_in(command):
        """Make a ChainruleUsageError from ``command`` a click.UsageError in *its* context, so
        the message comes with the subcommand's usage line (exit 2), not the group's."""
        if getattr(command, "_chainrule_wrapped", False):
            return
        original = command.invoke

        def invoke(ctx):
            ctx.meta[STARTED] = True     # shared with the group's context: see ``interrupted``
            try:
                return original(ctx)
            except ChainruleUsageError as exc:
                if _debug_enabled(ctx):
                    raise
                raise _usage_error(exc, ctx) from None

        original_parse = command.parse_args

        def parse_args(ctx, args):
            try:
                return original_parse(ctx, args)
            except click.NoSuchOption as exc:
                if exc.option_name != "--debug":
                    raise
                # the group's option given after the command: say where it goes
                raise click.UsageError(
                    f"No such option '--debug' for {ctx.info_name}: --debug is chainrule's own and goes before the "
                    f"command (chainrule --debug {ctx.info_name} ...), or set CHAINRULE_DEBUG=1.", ctx) from None

        command.invoke = invoke
        command.parse_args = parse_args
        command._chainrule_wrapped = True

    class LazyGroup(click.Group):
        """A group that imports a subcommand's module only when the subcommand is needed."""

        #: command -> the module its import did not find (``NEEDS`` missed it): asked for by
        #: name, the command says so (``resolve_command``); in ``--help`` it is left out
        failed_imports = {}

        def list_commands(self, ctx):
            return sorted(name for name in COMMANDS if self._available(name))

        @staticmethod
        def _available(name):
            return lacking(name) is None

        def format_help_text(self, ctx, formatter):
            if not self._available("generate"):  # a student copy (chainrule release): what it does
                self.help = STUDENT_HELP if self._available("check") else GRADER_HELP
            super().format_help_text(ctx, formatter)

        def get_command(self, ctx, name):
            if name not in COMMANDS or not self._available(name):
                return None
            module_name, attr = COMMANDS[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:  # something its module imports is not installed
                self.failed_imports[name] = exc.name or module_name
                return None
            self.failed_imports.pop(name, None)
            command = getattr(module, attr)
            if not command.short_help and name in SHORT_HELP:
                command.short_help = SHORT_HELP[name]
            _report_usage_errors_in(command)
            return command

        def resolve_command(self, ctx, args):
            try:
                return super().resolve_command(ctx, args)
            except click.UsageError as exc:
                name = args[0] if args else ""
                if name in COMMANDS and (name in self.failed_imports or not self._available(name)):
                    missing = self.failed_imports.get(name) or lacking(name) or COMMANDS[name].split(":")[0]
                    raise click.UsageError(not_included(name, missing), ctx) from exc
                if name and not name.startswith("-") and name not in COMMANDS:
                    from chainrule_core.suggest import did_you_mean    # difflib: only on this error

                    hint = did_you_mean(name, self.list_commands(ctx))
                    raise click.UsageError(
                        f"Unknown command '{name}'.{hint} (chainrule --help lists the commands)",
                        ctx,
                    ) from exc
                raise

        def invoke(self, ctx):
            try:
                return super().invoke(ctx)
            except ChainruleUsageError as exc:  # raised outside a subcommand's own invoke
                if _debug_enabled(ctx):
                    raise
                raise _usage_error(exc, ctx) from None
            except ChainruleError as exc:
                if _debug_enabled(ctx):
                    raise
                raise click.ClickException(str(exc)) from None
            except KeyboardInterrupt:   # one the command did not say itself (click would say "Aborted!", exit 1)
                interrupted(ctx.invoked_subcommand, ctx.meta.get(STARTED, False))
            except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
                raise
            except OSError as exc:  # the file system said no: a failed operation, not a kit bug
                if _debug_enabled(ctx):
                    raise
                where = f" '{exc.filename}'" if exc.filename else ""
                raise click.ClickException(f"Cannot access{where}: {exc.strerror or exc}.") from None
            except Exception as exc:  # a bug in the kit: one line unless --debug
                if _debug_enabled(ctx):
                    raise
                raise click.ClickException(
                    f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
                ) from None

    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, "--version", prog_name="chainrule")
    @click.option("--debug", is_flag=True,
                  help="Show full tracebacks on errors (before the command: chainrule --debug grade; "
                       "or set CHAINRULE_DEBUG=1).")
    @click.pass_context
    def cli(ctx, debug):
        """chainrule: worksheets and autograding for the mathematics of neural-network training.

        Instructors generate a different worksheet for every student (chainrule generate);
        students grade their NumPy exercises (chainrule grade) and check their worksheet
        answers (chainrule check).
        """
        ctx.ensure_object(dict)
        ctx.obj["debug"] = debug

    globals().update(LazyGroup=LazyGroup, cli=cli)
    return cli


#: ``chainrule --help`` in a student copy, which has no generate (``chainrule release``)
STUDENT_HELP = """chainrule: grade your NumPy exercises and check your worksheet answers.

Grade the exercises in exercises/ (chainrule grade) and check a practice worksheet's
answers (chainrule check answers.toml); chainrule list shows the functions to write.
"""

#: ``chainrule --help`` where neither generate nor check is installed (the grader alone, as the
#: Classroom workflow installs it from a student's repository)
GRADER_HELP = """chainrule: grade your NumPy exercises.

Grade the exercises in exercises/ (chainrule grade); chainrule list shows the functions
to write.
"""


def __getattr__(name):
    """``cli`` and ``LazyGroup``, made (click imported) on first use."""
    if name in ("cli", "LazyGroup"):
        _define()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv=None):
    """The command line ``argv`` (``sys.argv[1:]`` when None); ends with ``SystemExit``, as
    click's ``main`` does. The ``chainrule`` command itself is ``run``."""
    args = sys.argv[1:] if argv is None else argv
    token = _stop_workflow_commands(args)
    early = None
    try:
        early = _warm_start(args)
        _ENDING["quick"] = early is not None
        return _define().main(args=argv, prog_name="chainrule")
    except KeyboardInterrupt:   # while click and the kit were imported, before any command ran
        interrupted(_command(args) if _command(args) in COMMANDS else None, False)
    except BrokenPipeError:  # `chainrule list | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    finally:
        if early is not None:   # used or not (a bad invocation, --help): ended now
            early.shutdown()
        if token is not None:
            _resume_workflow_commands(token)
        # The process ends next: spare its last garbage collection over every object the
        # command made (about 20 ms of a grade's exit); memory is returned all the same.
        import gc

        gc.freeze()


#: ``click.Context.meta`` key: the subcommand's own code has started (its arguments were read)
STARTED = "chainrule.started"


def interrupted(command, started):
    """Ctrl-C that no command said itself (one that did, ``generate``, ``notebook``,
    ``grade-all``, exits with its own line): one line and exit status 130, as the README
    promises for every command, not click's bare "Aborted!" with status 1. Before the
    command started (the kit's imports, its arguments read: almost a second for ``generate``)
    nothing was written."""
    name = f"chainrule {command}" if command else "chainrule"
    if started:
        line = f"Interrupted before {name} finished."
    else:
        line = f"Interrupted before {name} started; nothing was written."
    if sys.stderr is not None:
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    sys.exit(130)   # 128 + SIGINT, the shell's convention


_ENDING = {"quick": False}      # whether ``run`` may end the process without its teardown


def run():
    """The ``chainrule`` command (its console script and ``python -m chainrule``): ``main``,
    and after ``chainrule grade`` an exit that skips the interpreter's teardown.

    Tearing down every module of a process that loaded NumPy and the grader takes about
    15 ms, some 5 % of a whole grade, for nothing: the command's files are written and
    closed by then. ``_end`` does what the exit needs (the exit handlers, the streams
    flushed) and ends the process. ``main`` called from Python ends as usual."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if _ENDING["quick"]:
        _end(code)
    sys.exit(code)


def _end(code):
    """``sys.exit(code)`` without the teardown: the ``atexit`` handlers run (the warm
    process's end, finalizers of temporary folders, a coverage tool's report), the standard
    streams are flushed, then ``os._exit`` with the status ``sys.exit`` gives. Where another
    thread still runs, a plain ``sys.exit``, which waits for it."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        if sys.stderr is not None:      # None: started with its standard error closed
            print(code, file=sys.stderr)
        status = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):     # a reader gone, a closed stream: as an exit would
            pass
    os._exit(status & 0xFF)


#: the commands whose output quotes what a submission wrote (its exception messages, its
#: printed output, its file and folder names, a worksheet's answers)
QUOTING_COMMANDS = frozenset({"grade", "classroom", "grade-all", "check"})


def _command(args):
    """The subcommand named in ``args`` (after the group's ``--debug``), or None."""
    words = [str(w) for w in args]
    while words and words[0] == "--debug":
        words.pop(0)
    return words[0] if words else None


def in_github_actions():
    """Whether this runs in a GitHub Actions job (the runner sets ``GITHUB_ACTIONS=true``)."""
    return os.environ.get("GITHUB_ACTIONS", "").strip().lower() not in ("", "0", "false")


def _stop_workflow_commands(args):
    """In a GitHub Actions job, for a command in ``QUOTING_COMMANDS``: write
    ``::stop-commands::TOKEN`` (a random token) to standard error and return TOKEN; else None.

    The runner takes a log line that starts with ``::`` (after blanks) or holds ``##[`` for a
    workflow command: an annotation ("All tests passed"), ``add-mask``, ``set-output``... Text
    a submission wrote reaches the log through the report, so until ``::TOKEN::``
    (``_resume_workflow_commands``) the runner runs none. Both go to standard error, which is
    always the log (standard output may be a file: ``--format json > out.json``) and is
    written in order; what the commands print to standard output in the job is also
    neutralised line by line (``grader.escape.workflow``), whichever of the two streams the
    runner reads first."""
    if not in_github_actions() or _command(args) not in QUOTING_COMMANDS:
        return None
    import secrets

    token = secrets.token_hex(16)
    _say_to_the_runner(f"::stop-commands::{token}")
    return token


def _resume_workflow_commands(token):
    """``::TOKEN::`` on standard error, after everything the command printed (both streams
    flushed first): the runner takes workflow commands again, from the workflow's own steps."""
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):   # a reader gone, a closed stream
            pass
    _say_to_the_runner(f"::{token}::")


def _say_to_the_runner(line):
    if sys.stderr is None:      # started with its standard error closed: no log to protect
        return
    try:
        sys.stderr.flush()
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _warm_start(args):
    """For ``chainrule grade``: start its warm process first thing, before click and the
    grader are imported, so that NumPy loads there meanwhile (the grade command's own
    ``zygote.start_early()`` then finds it running). Only when the command is ``grade``
    (after the group's ``--debug``) without ``--help``; the process started is a fresh
    ``python -I -S`` that holds nothing of the grader (``grader.zygote``). Returns the
    ``grader.zygote`` module when it tried (``main`` ends the process when the command
    ends), None otherwise."""
    words = [str(w) for w in args]
    while words and words[0] == "--debug":
        words.pop(0)
    if not words or words[0] != "grade" or "--help" in words or "-h" in words:
        return None
    try:
        from grader import janitor
    except ImportError:     # pragma: no cover - a kit without the grader: nothing to start
        return None
    janitor.start()         # a fork of this process, cheapest while it is this small
    from grader import zygote

    zygote.start_early()
    return zygote


if __name__ == "__main__":  # pragma: no cover
    run()
