"""Worksheet problem families (sympy), rendering (jinja2) and the ``generate`` flow.

- ``generator.model``: the data a family produces (Problem, Given, Step, Question, Text, Num).
- ``generator.registry``: FAMILIES, name -> (module, summary).
- ``generator.core``: variants from (course seed, student id, family) via SHA-256;
  ``make_problem`` samples, solves and cross-checks every answer against solutions/.
- ``generator.symbolic``: sigma, Partial, order-keeping ``chain``/``terms``, high-precision
  ``evaluate``, the LaTeX/MathML printers.
- ``generator.numbers``: how numbers are shown (the seed's 8 decimals / 8 significant digits).
- ``generator.render`` + ``generator/templates/``: Markdown, HTML (MathML, SVG) and LaTeX.
- ``generator.worksheets``: the class set (files, answers.toml, manifest.json).
- ``generator.answers``: ``chainrule check`` (regenerate a student's problems from
  answers.toml, judge every blank, text/json/csv reports).
- ``generator.presets``: fixed problem sets (``worked-example``).
"""
