"""Reference implementations of the chainrule exercise contract (docs: CONTRACT.md).

Same modules, names, signatures and docstrings as ``exercises/``; the grader's oracle and
the worksheet generator's float64 cross-check both come from here.
"""
