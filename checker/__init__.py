"""``chainrule check``: judge a student's answers.toml, with or without sympy.

The package imports neither sympy nor jinja2 at module level, so the student release
(numpy and click only) can check a practice sheet. Only the path that rebuilds a
problem (an open or a graded sheet) imports the generator, and with it sympy.

- ``checker.answers_file``: the answers.toml format (``FORMAT``), written by
  ``generator.worksheets`` through ``dumps`` and read back by ``read``/``parse``.
- ``checker.manifest_file``: the manifest.json format (``FORMAT``), written and read here.
- ``checker.reading``: numbers as a student writes them (``0.437``, ``437/1000``), bounded.
- ``checker.tolerance``: ``rel:0.1%``, ``abs:1e-4``, ``sig:4``.
- ``checker.practice``: salted hashes that judge a practice sheet without its answers.
- the instructor's course secret (HMAC variants, fingerprint) is ``chainrule_core.secret``.
- ``checker.judge``: the verdict on one blank (named mistakes, carried-forward credit).
- ``checker.messages``: every message, English and Korean.
- ``checker.report``: results and the text/json/csv reports, gradebook, class summary.
- ``checker.check``: checking files and classes (the ``chainrule check`` flow).
"""
