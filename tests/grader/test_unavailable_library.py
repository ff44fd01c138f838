"""Session 17's trial (17b finding 3): `import scipy` inside a graded function failed with a
bare "No module named 'scipy'". A student whose Python has scipy sees the function work and
then fail in the grader; the explanation, "Grading runs with NumPy and the standard library
only", was given only for a notebook cell's error. Now a case's error and a module's import
error say it too, in a notebook and in a .py submission alike."""

import json

from grader import grade_submission
from grader.engine import unavailable_hint
from tests.grader.conftest import make_submission

HINT = ("No module named 'scipy'. Grading runs with NumPy and the standard library only: scipy is "
        "not available while grading, so the exercises may use only those")


def _case_messages(result, qualname):
    return [c.message for c in result.functions[qualname].cases if not c.passed]


def test_a_library_imported_inside_a_function_is_explained_in_a_py_submission(tmp_path):
    sub = make_submission(tmp_path / "exercises", {"activations": """
        def tanh(x):
            import scipy.special
            return np.tanh(x)
        """})
    result = grade_submission(str(sub), only=["activations.tanh"], seed=3)
    messages = _case_messages(result, "activations.tanh")
    assert messages and all(f"raised ModuleNotFoundError: {HINT}" in m for m in messages), messages[0]


def test_a_library_imported_at_the_top_of_a_module_is_explained(tmp_path):
    sub = make_submission(tmp_path / "exercises", prepended={"losses": "import scipy.stats\n"})
    result = grade_submission(str(sub), only=["losses.mean_squared_error"], seed=3)
    fr = result.functions["losses.mean_squared_error"]
    assert fr.import_error.startswith(f"importing losses.py failed: raised ModuleNotFoundError: "
                                      "No module named 'scipy'. Grading runs with NumPy and the standard "
                                      "library only: scipy is not available while grading"), fr.import_error


def test_a_library_imported_inside_a_notebooks_function_is_explained(tmp_path):
    cells = ["import numpy as np\n",
             "def tanh(x):\n    import scipy.special\n    return np.tanh(x)\n"]
    nb = tmp_path / "activations.ipynb"
    nb.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
        for i, s in enumerate(cells)]}))
    result = grade_submission(str(nb), only=["activations.tanh"], seed=3)
    messages = _case_messages(result, "activations.tanh")
    assert messages and f"raised ModuleNotFoundError: {HINT}" in messages[0], messages[0]


def test_the_hint_is_only_for_a_library_grading_never_has(tmp_path):
    def hint(message, folder=""):
        return unavailable_hint({"type": "ModuleNotFoundError", "message": message}, folder)

    assert hint("No module named 'scipy'").startswith(". Grading runs with NumPy and the standard library only")
    assert "keep plotting out of the functions graded" in hint("No module named 'matplotlib.pyplot'")
    for own in ("No module named 'numpy.linalg.nope'", "No module named 'json.nope'",
                "No module named 'exercises.helpers'", "No module named 'activations'"):
        assert hint(own) == "", own
    (tmp_path / "helpers.py").write_text("X = 1\n")     # the student's own module, imported as it cannot be
    assert hint("No module named 'helpers'", str(tmp_path)) == ""
    assert hint("No module named 'helpers'") != ""
    assert unavailable_hint({"type": "ImportError", "message": "No module named 'scipy'"}) == ""
