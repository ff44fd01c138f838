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
from grader.calls import _frame, _list_return, _only_write
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
    # review 14b: no line where which write ran, or what the name holds, cannot be told
    ("def f(x):\n    if x.ndim > 5:\n        x[...] = 0\n    np.maximum(x, 0, out=x)\n", None),  # two writes
    ("def f(x):\n    if (x := x.copy()) is not None:\n        x[0] = 1\n", None),    # walrus rebinds x
    ("def f(x):\n    with g() as x:\n        x[0] = 1\n", None),                    # with-as rebinds x
    ("def f(x):\n    try:\n        pass\n    except E as x:\n        x[0] = 1\n", None),  # except-as
    ("def f(x):\n    import x\n    x[0] = 1\n", None),                             # an import
    ("def f(x):\n    match x:\n        case y:\n            y[0] = 1\n", None),   # (a capture: not x)
    ("def f(x):\n    a = x\n    with g() as a:\n        a[0] = 1\n", None),       # an alias rebound
])
def test_the_one_write_into_an_input(code, line):
    assert _only_write(_function(code), "x") == line


def test_the_frame_shows_the_line_ast_numbers(tmp_path):
    # a form feed, U+2028 and \x1c end a line for str.splitlines, not for ast
    (tmp_path / "m.py").write_bytes("a = 1  # \x0c \u2028 \x1c\nb = 2\nx[0] = 1\n".encode())
    assert _frame(tmp_path, "sub", "m.py", 3, "f").endswith("\n    x[0] = 1")


@pytest.mark.parametrize("code, line", [
    ("def f(x):\n    return x.tolist()\n", 2),
    ("def f(x):\n    if x.ndim == 0:\n        return x\n    return [v for v in x]\n", 4),
    ("def f(x):\n    out = list(x)\n    if x.ndim == 0:\n        return x\n    return out\n", 5),
    ("def f(x):\n    if x.ndim == 0:\n        return x\n    return g(x)\n", None),     # cannot be told
])
def test_the_return_that_gives_a_list(code, line):
    assert _list_return(_function(code)) == line


@pytest.mark.parametrize("source, plain", [
    ("def relu(x):\n    x[0] = 1\n", True),
    ("def relu(x):\n    pass\ndef relu(x):\n    x[0] = 1\n", True),                  # the last def runs
    ("def relu(x):\n    x[0] = 1\nif False:\n    def relu(x):\n        x += 0\n", False),  # which runs?
    ("try:\n    def relu(x):\n        x[0] = 1\nexcept E:\n    pass\n", False),
    ("@wraps\ndef relu(x):\n    x[0] = 1\n", False),                                # a decorator
    ("def relu(x):\n    x[0] = 1\nrelu = other\n", False),                           # rebound
    ("def relu(x):\n    x[0] = 1\nexec('def relu(x): return x')\n", False),
    ("def relu(x):\n    x[0] = 1\nglobals()['relu'] = other\n", False),
])
def test_a_line_is_named_only_for_a_function_plainly_defined(tmp_path, source, plain):
    from grader.calls import _plainly_defined

    tree = ast.parse(source)
    node = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)][-1 if plain else 0]
    assert _plainly_defined(tree, node, tmp_path) is plain


def test_a_package_that_rebinds_the_function_names_no_line(tmp_path):
    from grader.calls import _plainly_defined

    tree = ast.parse("def relu(x):\n    x[0] = 1\n")
    (tmp_path / "__init__.py").write_text("from . import activations\nactivations.relu = lambda x: x\n")
    assert not _plainly_defined(tree, tree.body[0], tmp_path)


@pytest.mark.parametrize("source, own", [
    ("def relu(x): pass", "x"), ("def relu(z): pass", "z"), ("def relu(*args): pass", None),
    ("def relu(a, /, x): pass", "a"),
])
def test_the_input_is_the_parameter_in_the_contract_s_position(source, own):
    from grader.calls import _own_parameter

    assert _own_parameter(_function(source), ("x",), "x") == own
