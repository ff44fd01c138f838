"""Helpers of the notebook tests: the reference pasted into a notebook's skeleton cells."""

import ast
import copy
import importlib
import inspect


def reference_source(name):
    """The reference ``solutions`` source of function ``name`` (any module), via inspect."""
    for module in ("activations", "losses", "layers", "network", "optimizers", "regularization",
                   "initializers", "training", "_common"):
        mod = importlib.import_module(f"solutions.{module}")
        fn = getattr(mod, name, None)
        if fn is not None and getattr(fn, "__module__", "") == mod.__name__:
            return inspect.getsource(fn)
    return None


def filled(nb):
    """``nb`` with every cell that defines one function replaced by the reference's."""
    nb = copy.deepcopy(nb)
    replaced = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:
            continue
        if len(body) == 1 and isinstance(body[0], ast.FunctionDef):
            source = reference_source(body[0].name)
            if source is not None and "raise NotImplementedError" in cell.source:
                cell.source = source.rstrip("\n")
                replaced += 1
    assert replaced, "no skeleton cell found"
    return nb
