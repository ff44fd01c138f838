"""What a TA trial (session 13) found wrong in ``chainrule grade``'s feedback.

1. ``--case K`` reported the whole function as PASS with full points (and a total of 100%).
2. What a module printed while it was imported was shown only when the first function graded
   of it failed.
3. ``input()`` (at the top level or in a function) got a bare EOFError, without saying why.

Every expectation is the rendered report's text (or the JSON a CI step reads), written here.
"""

import json

from click.testing import CliRunner

from chainrule.cli import cli
from grader import grade_submission
from grader.reports import render
from tests.grader.conftest import make_submission

INPUT_HINT = "(input() cannot read anything while grading: stdin is empty; remove the input() call)"


# ------------------------------------------------------------ 3. input() while grading
def test_input_at_the_top_level_or_in_a_function_is_told_why_it_fails(tmp_path):
    sub = make_submission(tmp_path / "sub", {
        "optimizers": "LR = input('learning rate? ')\n",
        "activations": """
            def relu(x):
                answer = input('press enter')
                return np.maximum(x, 0)
            """})
    result = grade_submission(str(sub), only=["optimizers.sgd_step", "activations.relu"], seed=1)
    sgd = result.functions["optimizers.sgd_step"]
    assert sgd.import_short == f"importing optimizers.py failed: raised EOFError: EOF when reading a line {INPUT_HINT}"
    relu = result.functions["activations.relu"]
    assert all(c.status == "error" for c in relu.cases)
    text = render(result, "text")
    assert f"Importing optimizers.py failed: raised EOFError: EOF when reading a line {INPUT_HINT}\n" in text
    assert f"    raised EOFError: EOF when reading a line {INPUT_HINT}\n" in text
    assert "in relu\n        answer = input('press enter')\n" in text


def test_an_eoferror_of_its_own_gets_no_input_hint(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations": """
        def relu(x):
            raise EOFError("the stream ended")
        """})
    result = grade_submission(str(sub), only=["activations.relu"], seed=1)
    message = result.functions["activations.relu"].cases[0].message
    assert "raised EOFError: the stream ended\n" in message and "input()" not in message


def test_input_in_a_notebook_cell_is_told_why_it_fails(tmp_path):
    from tests.notebook.test_grade_notebooks import AS_FLOAT, RELU, notebook

    nb = notebook(tmp_path / "activations.ipynb", AS_FLOAT, "name = input('your name? ')\n", RELU)
    result = grade_submission(str(nb), only=["activations.relu"], seed=1)
    assert result.functions["activations.relu"].passed
    assert (f"{nb}, cell 3, line 1: raised EOFError: EOF when reading a line {INPUT_HINT} "
            "(the cells after it still ran)") in result.notes, result.notes
