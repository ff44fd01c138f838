"""A derivative that returns the function itself is named (session 9: sigmoid_derivative
written as `return sigmoid(x)` got only "all 15 values differ")."""

import pytest

from grader import grade_submission
from tests.grader.conftest import make_submission


@pytest.mark.parametrize("function, body, hint", [
    ("sigmoid_derivative", "return 1.0 / (1.0 + np.exp(-x))",
     "That is σ(x) itself, not its derivative: multiply it by (1 − σ(x))."),
    ("tanh_derivative", "return np.tanh(x)",
     "That is tanh(x) itself, not its derivative: the derivative is 1 − tanh(x)²."),
])
def test_a_derivative_that_returns_its_function_is_named(tmp_path, function, body, hint):
    sub = make_submission(tmp_path / "sub", appended={"activations": f"""
        import numpy as np

        def {function}(x):
            x = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
            {body}
        """})
    result = grade_submission(str(sub), only=[f"activations.{function}"], seed=5)
    fr = result.functions[f"activations.{function}"]
    assert not fr.passed
    assert [d.hint for d in fr.diagnoses] == [hint], [(d.name, d.hint) for d in fr.diagnoses]
