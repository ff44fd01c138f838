"""Exercises: implement the chainrule contract here (docs: CONTRACT.md).

Every module has the functions of its topic with their signatures and docstrings; each
body ends in ``raise NotImplementedError`` after a ``# TODO:`` with a hint. Replace the
TODO with your code, keeping the given lines around it, and run ``chainrule grade`` to
check your work: it explains every failing case and the command that reruns it.
"""
