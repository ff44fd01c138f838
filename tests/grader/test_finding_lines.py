"""An input modified in place and a list returned for an array name the line of the
student's code that did it, as an exception's frame does ("at sub/activations.py, line 7,
in relu" and the line itself); trial 13 found both diagnoses without a line. The lines
expected are found in the submission's text by the test, independently of the grader."""

import ast
import json
import textwrap

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from grader.calls import _first_write, _list_return
from tests.grader.conftest import make_submission


def grade_json(path, *args):
    result = CliRunner().invoke(cli, ["grade", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def line_of(path, statement):
    """The 1-based number of the line of ``path`` holding ``statement`` (once)."""
    lines = path.read_text().splitlines()
    found = [i for i, line in enumerate(lines, 1) if line.strip() == statement]
    assert len(found) == 1, (statement, found)
    return found[0]


def first_failing(data):
    (function,) = data["functions"]
    return next(c for c in function["cases"] if not c["passed"] and c["diagnoses"])


RELU_IN_PLACE = """
    def relu(x):
        x = as_float(x)
        y = x.reshape(-1)
        y[y < 0] = 0
        return x
    """

RELU_LIST = """
    def relu(x):
        if x.ndim == 0:
            return np.maximum(x, 0)
        out = np.maximum(x, 0).tolist()
        return out
    """


def test_an_input_written_through_a_view_names_the_line_that_wrote(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations": RELU_IN_PLACE})
    line = line_of(sub / "activations.py", "y[y < 0] = 0")
    case = first_failing(grade_json(sub, "--only", "activations.relu"))
    assert [d["name"] for d in case["diagnoses"]] == ["modified-input"]
    message = case["message"].splitlines()
    at = next(i for i, text in enumerate(message) if text.startswith("modified its input `x` in place"))
    assert message[at + 1:at + 3] == [f"  at sub/activations.py, line {line}, in relu", "    y[y < 0] = 0"]


def test_a_list_returned_names_the_return_that_gave_it(tmp_path):
    sub = make_submission(tmp_path / "sub", {"activations": RELU_LIST})
    line = line_of(sub / "activations.py", "return out")
    case = first_failing(grade_json(sub, "--only", "activations.relu"))
    assert "returned-list" in [d["name"] for d in case["diagnoses"]]
    message = case["message"].splitlines()
    at = next(i for i, text in enumerate(message) if text.startswith("returned a list of"))
    assert message[at + 1:at + 3] == [f"  at sub/activations.py, line {line}, in relu", "    return out"]


def test_a_write_in_a_helper_names_no_line(tmp_path):
    """Code the function's own statements do not show is not followed: no line rather than
    a wrong one."""
    sub = make_submission(tmp_path / "sub", {"activations": """
        def _clip(a):
            a[a < 0] = 0
            return a

        def relu(x):
            return _clip(x)
        """})
    case = first_failing(grade_json(sub, "--only", "activations.relu"))
    assert [d["name"] for d in case["diagnoses"]] == ["modified-input"]
    assert "  at " not in case["message"]


def test_a_percent_script_names_its_own_line(tmp_path):
    script = tmp_path / "activations.pct.py"
    script.write_text("# %%\nimport numpy as np\n\n# %%\ndef relu(x):\n    out = x\n    out[out < 0] = 0\n"
                      "    return out\n")
    case = first_failing(grade_json(script, "--only", "activations.relu"))
    message = case["message"].splitlines()
    at = next(i for i, text in enumerate(message) if text.startswith("modified its input `x` in place"))
    # line 7 of the script as written above
    assert message[at + 1:at + 3] == ["  at activations.pct.py, line 7, in relu", "    out[out < 0] = 0"]


def _function(code):
    return ast.parse(textwrap.dedent(code)).body[0]


@pytest.mark.parametrize("code, line", [
    ("def f(x):\n    x[0] = 1\n", 2),
    ("def f(x):\n    z = 1\n    x += z\n", 3),                                  # += on an array
    ("def f(x):\n    x = np.asarray(x)\n    x.fill(0)\n", 3),                   # the same array
    ("def f(x):\n    a = x.T\n    b = a[1:]\n    b[0] = 2\n", 4),               # a view of a view
    ("def f(x):\n    np.maximum(x, 0, out=x)\n", 2),
    ("def f(x):\n    np.copyto(x, 0)\n", 2),
    ("def f(x):\n    if x.ndim:\n        for i in range(3):\n            x[i] *= 2\n", 4),
    ("def f(x):\n    x.shape = (-1,)\n", 2),
    ("def f(x):\n    x = x.copy()\n    x[0] = 1\n", None),                     # a copy: not the input
    ("def f(x):\n    y = x[[0, 1]]\n    y[0] = 1\n", None),                      # an index array copies
    ("def f(x):\n    def g(x):\n        x[0] = 1\n    return g(x.copy())\n", None),   # another scope
])
def test_the_first_write_into_an_input(code, line):
    assert _first_write(_function(code), "x") == line


@pytest.mark.parametrize("code, line", [
    ("def f(x):\n    return x.tolist()\n", 2),
    ("def f(x):\n    if x.ndim == 0:\n        return x\n    return [v for v in x]\n", 4),
    ("def f(x):\n    out = list(x)\n    if x.ndim == 0:\n        return x\n    return out\n", 5),
    ("def f(x):\n    if x.ndim == 0:\n        return x\n    return g(x)\n", None),     # cannot be told
])
def test_the_return_that_gives_a_list(code, line):
    assert _list_return(_function(code)) == line
