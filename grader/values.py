"""Values that cross the process boundary, as plain data: no process code here.

``Rng`` is a call argument meaning ``numpy.random.default_rng(seed)`` (made where the call
runs). ``Returned`` is a value decoded from the child, or made from a value computed in
this process by ``to_returned`` (the reference, a known mistake), so that the student's
outputs and the expected ones are compared as the same kind of tree (``grader.compare``).
"""

from __future__ import annotations

import numpy as np


class Rng:
    """A call argument meaning ``numpy.random.default_rng(seed)``, made in the child."""

    __slots__ = ("seed",)

    def __init__(self, seed):
        self.seed = int(seed)

    def make(self):
        return np.random.default_rng(self.seed)

    def __repr__(self):
        return f"default_rng({self.seed})"


class FromOutput:
    """An argument of a chained step (``Sandbox.submit(chain=...)``): item ``index`` of the
    previous step's output (-1: the output itself), fed back by the child."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = int(index)

    def __repr__(self):
        return f"FromOutput({self.index})"


class Returned:
    """A value the child sent back, decoded: kind and plain data only.

    ``kind`` is one of ``array`` (``value`` an ndarray; ``cls`` the student's class name
    when it was an ndarray subclass), ``npscalar`` (``value`` a 0-d ndarray; ``cls`` its
    dtype), ``float``, ``int``, ``bool``, ``none``, ``tuple``, ``list`` (``value`` a list
    of Returned) and ``other`` (``cls`` the type name).
    """

    __slots__ = ("kind", "value", "cls")

    def __init__(self, kind, value=None, cls=""):
        self.kind, self.value, self.cls = kind, value, cls

    def __repr__(self):
        return f"Returned({self.kind}, {self.value!r})"


def to_returned(value) -> Returned:
    """The ``Returned`` tree of a value computed in this process (reference, mistake)."""
    if value is None:
        return Returned("none")
    if isinstance(value, np.ndarray):
        return Returned("array", np.array(value, copy=True, subok=False))
    if isinstance(value, np.generic):
        return Returned("npscalar", np.asarray(value), str(value.dtype))
    if isinstance(value, bool):
        return Returned("bool", value)
    if isinstance(value, int):
        return Returned("int", value)
    if isinstance(value, float):
        return Returned("float", value)
    if isinstance(value, tuple):
        return Returned("tuple", [to_returned(v) for v in value])
    if isinstance(value, list):
        return Returned("list", [to_returned(v) for v in value])
    return Returned("other", None, type(value).__name__)
