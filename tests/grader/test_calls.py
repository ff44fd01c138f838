"""A failure traced to the failing function it calls (grader/calls.py).

Two layers: ``contract_calls`` read from source alone (which contract functions a
function calls, through which helper), and end to end through ``grade_submission``: a
wrong sigmoid makes the student's correct forward fail, and the reports say to fix
sigmoid first; never when forward has its own sigmoid, nor when sigmoid was not graded
or passed in the run.
"""

import json
import os
import textwrap

import pytest

from grader.calls import contract_calls
from grader.reports import render
from tests.grader.conftest import SOLUTIONS, make_submission


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


FORWARD = textwrap.dedent("""
    def forward(x, W1, b1, W2, b2):
        h = {f}(x @ W1 + b1)
        return h, {f}(h @ W2 + b2)
    """)


# ------------------------------------------------------------------ from source alone
@pytest.mark.parametrize("header, name", [
    ("from .activations import sigmoid", "sigmoid"),
    ("from .activations import sigmoid as s", "s"),
    ("from activations import sigmoid as act", "act"),            # flat import
    ("from exercises.activations import sigmoid", "sigmoid"),     # the package's name
    ("from sub.activations import sigmoid", "sigmoid"),           # the folder's own name
    ("from . import activations", "activations.sigmoid"),
    ("from . import activations as a", "a.sigmoid"),
    ("import exercises.activations as a", "a.sigmoid"),
    ("import exercises.activations", "exercises.activations.sigmoid"),
    ("from .activations import *", "sigmoid"),
    ("from .activations import sigmoid\ns = sigmoid", "s"),       # a module-level alias
])
def test_every_way_of_importing_the_callee_is_followed(tmp_path, header, name):
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    return x\n",
        "network.py": header + "\n" + FORWARD.format(f=name),
    })
    found = contract_calls(sub)
    assert found["network.forward"].callees == {"activations.sigmoid": ""}
    assert found["activations.sigmoid"].callees == {}


def test_calls_through_a_module_level_helper_and_a_helper_module(tmp_path):
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    return x\n\ndef relu(x):\n    return x\n",
        "_helpers.py": "from .activations import relu\n\ndef hidden(z):\n    return relu(z)\n",
        "network.py": """
            from .activations import sigmoid
            from ._helpers import hidden

            def _layer(x, W, b):
                return sigmoid(x @ W + b)

            def forward(x, W1, b1, W2, b2):
                return _layer(x, W1, b1), None

            def backward(x, t, W1, b1, W2, b2):
                return hidden(x), forward(x, W1, b1, W2, b2)
            """,
    })
    found = contract_calls(sub)
    assert found["network.forward"].callees == {"activations.sigmoid": "_layer"}
    assert found["network.backward"].callees == {"activations.relu": "hidden", "network.forward": ""}


@pytest.mark.parametrize("body", [
    # a local function of its own
    """
    def forward(x, W1, b1, W2, b2):
        def sigmoid(z):
            return 1 / (1 + np.exp(-z))
        h = sigmoid(x @ W1 + b1)
        return h, sigmoid(h @ W2 + b2)
    """,
    # a local lambda, assigned after use in the source order does not matter to Python
    """
    def forward(x, W1, b1, W2, b2):
        sigmoid = lambda z: 1 / (1 + np.exp(-z))
        return sigmoid(x), sigmoid(x)
    """,
    # a parameter of that name
    """
    def forward(x, W1, b1, W2, b2, sigmoid=np.tanh):
        return sigmoid(x), sigmoid(x)
    """,
    # its own module-level sigmoid replaces the imported one
    """
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(x, W1, b1, W2, b2):
        return sigmoid(x), sigmoid(x)
    """,
])
def test_a_sigmoid_of_its_own_is_not_the_contract_sigmoid(tmp_path, body):
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    return x\n",
        "network.py": "import numpy as np\nfrom .activations import sigmoid\n" + textwrap.dedent(body),
    })
    assert contract_calls(sub)["network.forward"].callees == {}


def test_nested_functions_and_comprehensions_read_the_enclosing_scopes(tmp_path):
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    return x\n\ndef tanh(x):\n    return x\n",
        "network.py": """
            from .activations import sigmoid, tanh

            def forward(x, W1, b1, W2, b2):
                def layer(z):
                    return sigmoid(z)
                return [layer(r) for r in x], None

            def backward(x, t, W1, b1, W2, b2):
                tanh = None
                def inner():
                    return tanh(x)      # the local tanh of backward, not the contract's
                return inner()
            """,
    })
    found = contract_calls(sub)
    assert found["network.forward"].callees == {"activations.sigmoid": ""}
    assert found["network.backward"].callees == {}


def test_own_not_implemented_error_is_seen(tmp_path):
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    raise NotImplementedError\n",
        "network.py": """
            from .activations import sigmoid

            def forward(x, W1, b1, W2, b2):
                return sigmoid(x), sigmoid(x)

            def backward(x, t, W1, b1, W2, b2):
                h, o = forward(x, W1, b1, W2, b2)
                raise NotImplementedError()
            """,
    })
    found = contract_calls(sub)
    assert found["activations.sigmoid"].raises_todo
    assert not found["network.forward"].raises_todo
    assert found["network.backward"].raises_todo


def test_unreadable_or_broken_files_mean_no_tracing_through_them(tmp_path):
    outside = write(tmp_path / "outside", {"network.py": "from .activations import sigmoid\n"
                                                         + FORWARD.format(f="sigmoid")})
    sub = write(tmp_path / "sub", {
        "activations.py": "def sigmoid(x):\n    return x\n",
        "layers.py": "def dense_forward(:\n",                          # not Python
        "losses.py": "x = " + "(" * 200 + ")" * 200 + "\n",            # too deep to parse
    })
    os.symlink(outside / "network.py", sub / "network.py")             # a link is not followed
    if hasattr(os, "mkfifo"):
        os.mkfifo(sub / "optimizers.py")                                # and a FIFO never opened
    found = contract_calls(sub)
    assert set(found) == {"activations.sigmoid"}


def test_the_reference_calls_what_its_source_says():
    found = {q: c.callees for q, c in contract_calls(SOLUTIONS).items() if c.callees}
    assert found == {
        "activations.sigmoid_derivative": {"activations.sigmoid": ""},
        "activations.softplus_derivative": {"activations.sigmoid": ""},
        "losses.softmax_crossentropy_grad": {"activations.softmax": ""},
        "layers.dropout_backward": {"layers.dropout_forward": ""},
        "network.forward": {"activations.sigmoid": ""},
        "network.backward": {"network.forward": ""},
        "network.train_step": {"network.backward": ""},
    }


# ------------------------------------------------------------------ end to end
WRONG_SIGMOID = """
    def sigmoid(x):
        x = as_float(x)
        return 1.0 / (1.0 + np.exp(-2.0 * x))
    """
ONLY = ["activations.sigmoid", "network.forward"]


def grade(tmp_path, appended, only=ONLY, name="sub"):
    from grader import grade_submission

    root = make_submission(tmp_path / name, appended)
    return grade_submission(str(root), only=only, seed=7)


def dependency(fr):
    return [d for c in fr.cases for d in c.diagnoses if d.kind == "dependency"]


def test_wrong_sigmoid_and_a_correct_forward(tmp_path):
    result = grade(tmp_path, {"activations": WRONG_SIGMOID})
    sigmoid, forward = result.functions["activations.sigmoid"], result.functions["network.forward"]
    assert not sigmoid.passed and not forward.passed     # forward is right, but sigmoid is not
    assert forward.depends_on == ["activations.sigmoid"]
    failing = [c for c in forward.cases if not c.passed]
    assert all(c.diagnoses[0].kind == "dependency" for c in failing)
    hint = failing[0].diagnoses[0].hint
    assert hint == ("forward calls activations.sigmoid, which fails its own checks: fix "
                    "activations.sigmoid first; forward may then pass too.")
    assert sigmoid.depends_on == [] and not dependency(sigmoid)

    text = render(result, "text")
    assert "FAIL  forward" in text and "fix activations.sigmoid first" in text
    assert "5 of 5 cases failed; fix first: 1 function calls it\n" in text      # sigmoid's row
    # the helper is listed first and marked; the caller's section is short
    assert text.index("activations.sigmoid: ") < text.index("network.forward: ")
    assert ("Fix this first: network.forward calls sigmoid and fails too; it may pass once sigmoid does."
            in text)
    section = text[text.index("network.forward: "):]
    assert hint in section
    assert len(section.strip().splitlines()) <= 8
    assert "yours" not in section       # no value dump of a failure sigmoid may explain
    # verbose still shows everything
    assert "yours" in render(result, "text", verbose=True).split("network.forward: ")[1]

    # every format carries it
    doc = json.loads(render(result, "json"))
    fdoc = next(f for f in doc["functions"] if f["name"] == "network.forward")
    assert fdoc["depends_on"] == ["activations.sigmoid"]
    assert fdoc["hints"][0]["kind"] == "dependency" and fdoc["hints"][0]["hint"] == hint
    gradescope = json.loads(render(result, "gradescope"))
    assert hint in next(t for t in gradescope["tests"] if t["name"] == "network.forward")["output"]
    assert hint in render(result, "junit").replace("&#10;", "\n")
    markdown = render(result, "markdown")
    assert "fix activations.sigmoid first" in markdown and hint in markdown

    # GitHub Classroom's reporter says it too (and calls it no known mistake)
    from grader.classroom_report import reporter_result

    message = next(t for t in reporter_result(result)["tests"] if t["name"] == "network.forward")["message"]
    assert message == f"0 of 3 cases passed. Note: {hint}"

    # the model round-trips through grade-all's results.jsonl (batch.result_from_json)
    from grader.batch import result_from_json, result_to_json

    again = result_from_json(json.loads(json.dumps(result_to_json(result))))
    assert render(again, "text") == text

    # an independent check of the claim: with sigmoid fixed the same forward passes
    fixed = grade(tmp_path, {}, name="fixed")
    assert fixed.functions["network.forward"].passed


def test_forward_also_wrong_on_its_own_is_traced_but_never_promised_to_pass(tmp_path):
    wrong_forward = """
        def forward(x, W1, b1, W2, b2):
            h = sigmoid(x @ W1 + b1)
            return h, sigmoid(h @ W2)       # the output bias is missing
        """
    result = grade(tmp_path, {"activations": WRONG_SIGMOID, "network": wrong_forward})
    forward = result.functions["network.forward"]
    assert forward.depends_on == ["activations.sigmoid"]
    hint = forward.hints()[0][0].hint
    assert "may then pass" in hint and "will" not in hint
    # and indeed it does not pass once sigmoid is right
    alone = grade(tmp_path, {"network": wrong_forward}, name="alone")
    assert not alone.functions["network.forward"].passed
    assert alone.functions["network.forward"].depends_on == []


def test_a_forward_with_its_own_sigmoid_is_not_traced(tmp_path):
    own = """
        def forward(x, W1, b1, W2, b2):
            def sigmoid(z):
                return 1.0 / (1.0 + np.exp(-3.0 * z))      # wrong, and its own
            h = sigmoid(x @ W1 + b1)
            return h, sigmoid(h @ W2 + b2)
        """
    result = grade(tmp_path, {"activations": WRONG_SIGMOID, "network": own})
    forward = result.functions["network.forward"]
    assert not forward.passed and forward.depends_on == [] and not dependency(forward)
    assert "fix activations.sigmoid first" not in render(result, "text")


def test_an_aliased_import_is_traced(tmp_path):
    aliased = """
        from .activations import sigmoid as s

        def forward(x, W1, b1, W2, b2):
            h = s(as_float(x) @ W1 + b1)
            return h, s(h @ W2 + b2)
        """
    result = grade(tmp_path, {"activations": WRONG_SIGMOID, "network": aliased})
    assert result.functions["network.forward"].depends_on == ["activations.sigmoid"]


def test_only_when_the_callee_failed_in_this_run(tmp_path):
    # sigmoid not graded: nothing is said about it
    result = grade(tmp_path, {"activations": WRONG_SIGMOID}, only=["network.forward"])
    assert not result.functions["network.forward"].passed
    assert result.functions["network.forward"].depends_on == []
    # sigmoid right, forward wrong: forward's own mistake, no trace
    result = grade(tmp_path, {"network": """
        def forward(x, W1, b1, W2, b2):
            h = sigmoid(x @ W1 + b1)
            return h, sigmoid(h @ W2)
        """}, name="own")
    assert result.functions["activations.sigmoid"].passed
    assert result.functions["network.forward"].depends_on == []


def test_a_written_function_waiting_for_an_unimplemented_one(tmp_path):
    result = grade(tmp_path, {"activations": """
        def sigmoid(x):
            raise NotImplementedError
        """}, only=["activations.sigmoid", "network.forward", "network.backward"])
    forward, backward = result.functions["network.forward"], result.functions["network.backward"]
    assert forward.not_implemented and forward.depends_on == ["activations.sigmoid"]
    assert backward.depends_on == ["network.forward"]
    text = render(result, "text")
    assert "TODO  forward" in text and "waits for activations.sigmoid (not implemented yet)" in text
    assert "  network.forward: implement activations.sigmoid first" in text
    assert "  network.backward: implement activations.sigmoid first" in text
    gradescope = json.loads(render(result, "gradescope"))
    output = next(t for t in gradescope["tests"] if t["name"] == "network.forward")["output"]
    assert output == "Not graded yet: " + forward.hints()[0][0].hint
    assert backward.hints()[0][0].hint == (
        "backward calls forward, which cannot run until activations.sigmoid is implemented (it still "
        "raises NotImplementedError): implement activations.sigmoid first, then backward can be graded.")


def test_the_skeleton_is_not_traced(skeleton_result):
    # the skeleton's backward calls forward before its own raise NotImplementedError
    assert all(fr.depends_on == [] for fr in skeleton_result.functions.values())
    text = render(skeleton_result, "text")
    assert "waits for" not in text and "fix " not in text


def test_an_error_is_traced_only_when_raised_inside_the_failing_callee(tmp_path):
    raising = """
        def sigmoid(x):
            raise ValueError("not like this")
        """
    result = grade(tmp_path, {"activations": raising})
    forward = result.functions["network.forward"]
    assert {c.status for c in forward.cases} == {"error"}
    assert forward.depends_on == ["activations.sigmoid"]        # "raised ... in sigmoid"
    # forward's own error (a name it never defined) is forward's, even though sigmoid fails
    own_error = """
        def forward(x, W1, b1, W2, b2):
            h = sigmoid(x @ W1 + b1)
            return h, sigmoid(h @ W2 + b2) + undefined_name
        """
    result = grade(tmp_path, {"activations": WRONG_SIGMOID, "network": own_error}, name="own")
    forward = result.functions["network.forward"]
    assert {c.status for c in forward.cases} == {"error"} and forward.depends_on == []


def test_a_notebook_is_traced_through_its_cells(tmp_path):
    from grader import grade_submission

    cells = [
        "import numpy as np",
        "def sigmoid(x):\n    x = np.asarray(x)\n    x = x if x.dtype.kind == 'f' else x.astype(float)\n"
        "    return 1 / (1 + np.exp(-2 * x))",
        "def forward(x, W1, b1, W2, b2):\n    h = sigmoid(np.asarray(x, dtype=float) @ W1 + b1)\n"
        "    return h, sigmoid(h @ W2 + b2)",
    ]
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": c}
                    for c in cells],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    result = grade_submission(str(path), only=ONLY, seed=7)
    assert result.functions["network.forward"].depends_on == ["activations.sigmoid"]
    assert "fix activations.sigmoid first" in render(result, "text")


# ------------------------------------------------------------------ whose code printed (trial 19b)
def test_a_warning_printed_while_a_function_was_graded_is_traced_to_the_function_whose_line_it_is(tmp_path):
    # sigmoid_derivative calls the student's sigmoid (its result unused): the overflow
    # warning printed while sigmoid_derivative was graded is sigmoid's line, not its own
    from grader import grade_submission

    sub = make_submission(tmp_path / "sub", appended={"activations": """
        import numpy as np

        def sigmoid(x):
            x = np.asarray(x)
            x = x if x.dtype.kind == "f" else x.astype(float)
            return 1 / (1 + np.exp(-x))

        def sigmoid_derivative(x):
            s = sigmoid(x)
            return x * (1 - x)

        def tanh(x):
            with np.errstate(all="warn"):
                np.float64(1.0) / np.float64(0.0)
            return np.tanh(x)
        """})
    result = grade_submission(str(sub), only=["activations.sigmoid_derivative", "activations.tanh"], seed=5)
    fr = result.functions["activations.sigmoid_derivative"]
    assert "RuntimeWarning: overflow encountered in exp" in fr.output
    assert fr.printed_in == ["activations.sigmoid"]
    assert result.functions["activations.tanh"].printed_in == ["activations.tanh"]   # its own line
    # the report says whose lines they are (and nothing more for a function's own warning)
    text = render(result, verbose=True)
    assert ("Your code printed while activations.sigmoid_derivative was graded (its warnings come from lines of "
            "activations.sigmoid):") in text
    assert "\n  activations.tanh:\n  | " in text      # passed, but warned: its own line, said as before


def test_whose_code_printed_is_read_from_the_files_alone(tmp_path):
    from grader.calls import printed_in
    from grader.results import FunctionResult, GradeResult

    sub = write(tmp_path / "sub", {"activations.py": """\
        import numpy as np
        LIMIT = np.float64(1) / 0

        def sigmoid(x):
            return 1 / (1 + np.exp(-x))
        """})
    fr = FunctionResult("activations.sigmoid_derivative", 1.0)
    fr.output = ("sub/activations.py:5: RuntimeWarning: overflow encountered in exp\n"
                 "  return 1 / (1 + np.exp(-x))\n"
                 "sub/activations.py:2: RuntimeWarning: divide by zero encountered in divide\n"
                 "sub/layers.py:3: RuntimeWarning: not a file of the submission\n"
                 "activations.py:5: RuntimeWarning: again\n")
    quiet = FunctionResult("activations.relu", 1.0)
    quiet.output = "a print of the student's: activations.py:5: nothing\n"
    result = GradeResult.__new__(GradeResult)
    result.functions = {fr.qualname: fr, quiet.qualname: quiet}
    printed_in(result, str(sub))
    assert fr.printed_in == ["activations.sigmoid", "activations"]
    assert quiet.printed_in == []
