"""Worksheet problem families (sympy), rendering (jinja2) and the ``generate`` flow."""
