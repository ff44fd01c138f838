"""The known mistakes of every contract module, one module each (``known/optimizers.py``).

Each module lists the wrong versions students really write as functions named
``<function>__<what>`` and a ``KNOWN`` table of ``(function, kebab-case id, impl, hint)``
rows. Each impl has the contract signature of the function it gets wrong and is
self-contained (only ``np``: no helpers, no closures), so that the mutation test can
transplant its source into a copy of the reference and the diagnosis can run it in the
grader process. A hint says what is wrong and where, in words or maths, never the code.
Its first clause says what the student did ("You left out the learning rate; the step is
...", "Your dW is transposed: ...", "That is Glorot normal; ..."), never the rule: the
reports show that clause alone after "known mistake:" (``grader.reports.short_hint``).

This package is the reference with one thing changed per entry, so a student release
leaves it out (``chainrule release``) and records each mistake's outputs on the public
cases instead (``grader.recorded_mistakes``); ``grader.specs`` falls back to those when
this package is absent.
"""
