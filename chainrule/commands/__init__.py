"""The subcommands of ``chainrule`` (one module each, registered in ``chainrule.cli.COMMANDS``)."""


def split_names(values):
    """``--only a --only b,c`` as ``["a", "b", "c"]`` (None when nothing was given): a repeated
    option, or one comma-separated value as ``release --modules`` takes it."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None
