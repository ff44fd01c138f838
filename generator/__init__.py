"""Worksheet problem families (sympy), rendering (jinja2) and the ``generate`` flow.

- ``generator.model``: the data a family produces (Problem, Given, Step, Question,
  Mistake, Text, Num).
- ``generator.registry``: FAMILIES, name -> (module, summary); ``did_you_mean``.
- ``generator.core``: variants from (course seed, student id, family) via SHA-256, or
  HMAC-SHA256 keyed by the course secret; ``make_problem`` samples, solves and
  cross-checks every answer against solutions/.
- ``generator.notation``: the display symbols (sigma, Partial, Hat, Below, chain, terms, ...).
- ``generator.symbolic``: the one formula evaluator (``evaluate``) and the LaTeX/MathML
  printers.
- ``generator.numbers``: how numbers are shown (the seed's 8 decimals / 8 significant digits).
- ``generator.render`` + ``generator/templates/``: Markdown, HTML (MathML, SVG) and LaTeX.
- ``generator.worksheets``: the class set (``build_sheet``, the files); the answers.toml
  and manifest.json formats belong to ``checker.answers_file``/``checker.manifest_file``.
- ``generator.presets``: fixed problem sets (``worked-example``).
- ``checker`` (its own package) is ``chainrule check``; it rebuilds a sheet through
  ``worksheets.build_sheet``.

docs/GENERATOR.md says where a new family, language or named mistake goes.
"""
