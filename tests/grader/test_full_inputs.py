"""`chainrule grade --verbose` shows a failing case's inputs in full, as Python that rebuilds
them exactly (a new user's trial, session 8: only "z=array(4, 6) float64" was shown, so a
student could not rebuild the case to debug it)."""

import numpy as np

from grader.framework import python_literal
from grader.specs import cases_for


def rebuilt(text):
    namespace = {"np": np}
    exec(text, namespace)   # noqa: S102 - the test's own output, run to check it rebuilds the inputs
    return namespace


def test_every_case_of_some_functions_is_rebuilt_exactly_from_what_is_shown():
    for qualname in ("activations.softmax", "layers.dense_backward", "optimizers.adam_step",
                     "losses.categorical_crossentropy", "network.forward"):
        for case in cases_for(qualname, 2026):
            text = case.full_inputs()
            assert text, (qualname, case.name)
            space = rebuilt(text)
            for name, value in zip(case.arg_names(), case.calls[0].args):
                shown = space[name]
                if isinstance(value, np.ndarray) and value.size <= 400:
                    assert shown.dtype == value.dtype and shown.shape == value.shape, (qualname, name)
                    assert np.array_equal(shown, value, equal_nan=True), (qualname, case.name, name)
                elif not isinstance(value, np.ndarray):
                    assert shown == value or repr(shown) == repr(value), (qualname, name)


def test_a_large_array_is_described_not_printed():
    text = python_literal(np.zeros((30, 30)))
    assert text.startswith("...  # array(30, 30) float64: 900 numbers")
    assert python_literal(np.array([1.5, 2.0], dtype=np.float32)) == "np.array([1.5, 2. ], dtype=np.float32)"


def test_verbose_reports_show_them_and_the_default_report_does_not(tmp_path):
    import shutil
    from pathlib import Path

    from grader import grade_submission
    from grader.reports import render

    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "exercises"
    shutil.copytree(root / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    source = (folder / "activations.py").read_text().replace("def softmax(", "def _softmax_ok(", 1)
    (folder / "activations.py").write_text(source + "\n\ndef softmax(z, axis=-1):\n    return _softmax_ok(z, axis=0)\n")
    result = grade_submission(str(folder), only=["activations.softmax"])
    loud, quiet = render(result, "text", verbose=True), render(result, "text")
    assert "Its inputs in full (Python, with numpy as np):" in loud and "      z = np.array([[" in loud
    assert "Its inputs in full" not in quiet
