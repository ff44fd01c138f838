"""What a student trial (session 10) found wrong in the hints and the dtype checks.

A student implemented every exercise with typical mistakes in a released student copy;
each test grades one such function in process, exactly as ``grade`` judges it
(``grade_in_process``), and checks the hint shown, or the dtype rule the contract promises.
The last tests grade a few through the sandbox, end to end.
"""

import numpy as np
import pytest

from grader.engine import grade_in_process, in_dtypes_of
from grader.values import to_returned
from tests.grader.wrong_catalog import implementation

SEED = 2026


def graded(qualname, source, seed=SEED):
    return grade_in_process(qualname, implementation(qualname, source), seed)


def hint_names(fr):
    return [d.name for d, _ in fr.hints()]


def failing(fr):
    return [c for c in fr.cases if not c.passed]


# ------------------------------------------------------------ 1. a mistake named on a dtype
RELU_FLOAT64 = """
def relu_derivative(x):
    return (x > 0).astype(float)
"""


@pytest.mark.parametrize("seed", [SEED, 1, 356570634354363210])
def test_a_float64_relu_derivative_is_told_its_dtype_not_the_zero_mistake(seed):
    fr = graded("activations.relu_derivative", RELU_FLOAT64, seed)
    bad = failing(fr)
    # the values are right everywhere: only the float32 case fails, on its dtype
    assert [c.name for c in bad] == ["float32 (4, 3)"]
    assert "one-at-zero" not in hint_names(fr)
    assert hint_names(fr) == ["dtype-changed"]
    assert "returned dtype float64 for a float32 input" in bad[0].message


def test_the_zero_mistake_is_still_named_where_its_values_explain_the_output():
    fr = graded("activations.relu_derivative", """
def relu_derivative(x):
    return (x >= 0).astype(x.dtype)
""")
    assert hint_names(fr) == ["one-at-zero"]
    # named on the cases whose input holds a 0 (the first and the extremes), nowhere else
    assert [c.name for c in failing(fr)] == ["random non-square (3, 5), including 0", "extremes +-1000"]


def test_a_mistake_whose_values_are_the_references_is_never_named_on_any_function():
    """The general rule: over every function, the reference's outputs in another dtype
    (float64 for float32, a float for an int) are converted back and equal the expected
    ones, so no known mistake differing only in dtype is visible."""
    out = in_dtypes_of([to_returned(np.ones(3, np.float64)), to_returned(10.0), to_returned((np.float64(2.0), 3))],
                       [to_returned(np.ones(3, np.float32)), to_returned(10), to_returned((np.float32(2.0), 3))])
    assert out[0].value.dtype == np.float32
    assert out[1].kind == "int" and out[1].value == 10
    assert out[2].value[0].value.dtype == np.float32
    # a conversion that would change a value is not made: 10.5 stays a float
    assert in_dtypes_of([to_returned(10.5)], [to_returned(10)])[0].kind == "float"


def test_a_floored_float_count_gets_the_floor_mistake_where_the_value_is_wrong():
    fr = graded("training.iterations_per_epoch", """
def iterations_per_epoch(n_samples, batch_size):
    return np.floor(n_samples / batch_size)
""")
    by_case = {c.number: [d.name for d in c.diagnoses] for c in failing(fr)}
    assert by_case[2] == ["floor"]     # 2001 / 200: the value is wrong, the known mistake says why
    assert 1 not in by_case            # 2000 / 200: 10.0 is the right count (a float count is accepted)


# ------------------------------------------------------------ 2. the contract's dtype rules
def test_dropout_forward_keeps_the_dtype_of_x():
    fr = graded("layers.dropout_forward", """
def dropout_forward(x, mask, rate):
    return np.asarray(x, dtype=np.float64) * mask / (1.0 - rate)
""")
    bad = failing(fr)
    assert [c.name for c in bad] == ["float32 (3, 3), rate 0.4"]
    assert bad[0].message.endswith(
        "returned dtype float64 for a float32 input; the contract keeps x's float dtype (a float64 constant "
        "array or an explicit conversion to float changes it: convert the result back to x's dtype)")


def test_dropout_backward_keeps_the_dtype_of_dout():
    fr = graded("layers.dropout_backward", """
def dropout_backward(dout, mask, rate):
    return dout.astype(np.float64) * mask / (1.0 - rate)
""")
    bad = failing(fr)
    assert [c.name for c in bad] == ["float32 (3, 3), rate 0.4"]
    assert "returned dtype float64 for a float32 dout; the contract keeps dout's float dtype" in bad[0].message
    assert "convert the result back to dout's dtype" in bad[0].message


@pytest.mark.parametrize("qualname, source", [
    ("initializers.glorot_uniform", """
def glorot_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
"""),
    ("initializers.random_uniform", """
def random_uniform(shape, rng, minval=-0.05, maxval=0.05):
    return rng.uniform(minval, maxval, size=shape).astype(np.float32)
"""),
    ("initializers.random_normal", """
def random_normal(shape, rng, mean=0.0, stddev=0.05):
    return rng.normal(mean, stddev, size=shape).astype(np.float32)
"""),
    ("initializers.he_normal", """
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)).astype(np.float32)
"""),
])
def test_the_initializers_return_float64(qualname, source):
    fr = graded(qualname, source)
    assert fr.cases and all(not c.passed for c in fr.cases)
    assert hint_names(fr) == ["wrong-dtype"]
    hint = fr.hints()[0][0].hint
    assert hint == ("returned dtype float32; the contract's initializers give float64 arrays (the generator "
                    "draws float64: a conversion to float32 changes it)")


def test_a_count_may_be_a_float_of_the_right_whole_value():
    # the contract's general rules let a scalar result be a float: ceil's 10.0 is the count
    for source in ("def iterations_per_epoch(n_samples, batch_size):\n    return np.ceil(n_samples / batch_size)\n",
                   "def iterations_per_epoch(n_samples, batch_size):\n    return np.int64(-(-n_samples // batch_size))\n",
                   "import math\ndef iterations_per_epoch(n_samples, batch_size):\n    return math.ceil(n_samples / batch_size)\n"):
        assert graded("training.iterations_per_epoch", source).passed


# ------------------------------------------------------------ 3. missing or badly chosen hints
SIGMOID = """
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)
"""


def _backward(delta_o, delta_h):
    return SIGMOID + f"""
def backward(x, t, W1, b1, W2, b2):
    h = sigmoid(x @ W1 + b1)
    o = sigmoid(h @ W2 + b2)
    delta_o = {delta_o}
    delta_h = {delta_h}
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)
"""


@pytest.mark.parametrize("delta_o, delta_h, name", [
    ("(o - t) * sigmoid_derivative(o)", "(delta_o @ W2.T) * sigmoid_derivative(h)", "derivative-of-activation"),
    ("(o - t) * sigmoid_derivative(o)", "(delta_o @ W2.T) * h * (1 - h)", "output-derivative-of-activation"),
    ("(o - t) * o * (1 - o)", "(delta_o @ W2.T) * sigmoid_derivative(h)", "hidden-derivative-of-activation"),
])
def test_sigmoid_derivative_given_the_activation_in_backward_is_named(delta_o, delta_h, name):
    fr = graded("network.backward", _backward(delta_o, delta_h))
    assert failing(fr) and hint_names(fr) == [name]
    assert fr.hints()[0][0].hint.startswith("You gave sigmoid_derivative the ")


def test_the_right_backward_with_sigmoid_derivative_of_the_preactivation_passes():
    source = SIGMOID + """
def backward(x, t, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = sigmoid(z1)
    z2 = h @ W2 + b2
    o = sigmoid(z2)
    delta_o = (o - t) * sigmoid_derivative(z2)
    delta_h = (delta_o @ W2.T) * sigmoid_derivative(z1)
    return x.T @ delta_h, np.sum(delta_h, axis=0), h.T @ delta_o, np.sum(delta_o, axis=0)
"""
    assert graded("network.backward", source).passed


@pytest.mark.parametrize("fixed", ["1", "-1"])
def test_softmax_ignoring_its_axis_argument_is_named(fixed):
    fr = graded("activations.softmax", f"""
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis={fixed}, keepdims=True))
    return e / np.sum(e, axis={fixed}, keepdims=True)
""")
    bad = failing(fr)
    assert bad[0].name == "axis=0 on (5, 3)"
    assert [d.name for d in bad[0].diagnoses] == ["axis-ignored"]
    if fixed == "1":    # a 1-D input has no axis 1: that case raised, and the hint says why
        assert [c.status for c in bad] == ["failed", "error"]
        assert "a 1-D input has only axis 0" in fr.hints()[0][0].hint


def test_a_summary_line_says_which_case_raised_when_the_others_gave_values():
    from grader.reports import _fn_summary

    fr = graded("activations.softmax", """
def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
""")
    raised = [c.number for c in failing(fr) if c.status == "error"]
    assert len(raised) == 1 and len(failing(fr)) == 2
    summary = _fn_summary(fr)
    assert summary.startswith(f"2 of {len(fr.cases)} cases failed; case {raised[0]} raised an error; known mistake: ")
    # every failing case raising: the plain words, as before
    fr = graded("activations.softmax", "def softmax(z, axis=-1):\n    raise ValueError('no')\n")
    assert _fn_summary(fr).startswith(f"{len(fr.cases)} of {len(fr.cases)} cases failed; raised an error")


def test_softmax_over_axis_0_without_the_max_shift_names_the_axis_first():
    """Two mistakes at once: the one that explains the most failing cases comes first (the
    axis: cases 1, 3 and 5), and the shift is still named where it shows (case 4)."""
    fr = graded("activations.softmax", """
def softmax(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=0, keepdims=True)
""")
    hints = [(d.name, cases) for d, cases in fr.hints()]
    assert hints == [("axis-zero", [1, 3, 5]), ("no-max-shift", [4])]


@pytest.mark.parametrize("body, name", [
    ("float(np.mean(-np.sum(y_true * np.log(p), axis=0)))", "classes-averaged"),
    ("-np.sum(y_true * np.log(p), axis=0)", "per-class-sums"),
])
def test_categorical_crossentropy_summed_over_axis_0_is_named(body, name):
    fr = graded("losses.categorical_crossentropy", f"""
def categorical_crossentropy(y_true, y_pred, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return {body}
""")
    assert failing(fr) and hint_names(fr) == [name]
    assert fr.hints()[0][0].hint.startswith("You summed over axis 0, the samples")


def test_rmsprop_averaging_grad_instead_of_its_square_is_named():
    fr = graded("optimizers.rmsprop_step", """
def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
    s = rho * sq_avg + (1 - rho) * grad
    return w - lr * grad / (np.sqrt(s) + eps), s
""")
    assert failing(fr) and hint_names(fr) == ["gradient-not-squared"]
    assert "the square root of a negative number is NaN" in fr.hints()[0][0].hint


def test_a_nan_cause_follows_the_warning_numpy_printed():
    from grader.compare import nan_cause

    sqrt = "/x/optimizers.py:9: RuntimeWarning: invalid value encountered in sqrt\n  return w\n"
    assert nan_cause(sqrt) == ("a square root of a negative number? (your code warned: invalid value "
                               "encountered in sqrt)")
    softmax = ("a.py:3: RuntimeWarning: overflow encountered in exp\n  e = ...\n"
               "a.py:4: RuntimeWarning: invalid value encountered in divide\n  return ...\n"
               "a.py:3: RuntimeWarning: overflow encountered in exp\n")
    assert nan_cause(softmax) == ("an overflow in exp, then 0 / 0 or inf / inf in a division? (your code "
                                  "warned: overflow encountered in exp; invalid value encountered in divide)")
    assert nan_cause("l.py:5: RuntimeWarning: divide by zero encountered in log\n").startswith("a log of 0?")
    assert nan_cause("l.py:5: RuntimeWarning: invalid value encountered in log\n").startswith(
        "a log of a negative number?")
    assert nan_cause("printed 3 lines\n") is None
    assert nan_cause("") is None


# ------------------------------------------------------------ 4. wording for the case
def test_a_reshaped_gradient_is_told_it_must_keep_the_inputs_shape():
    fr = graded("losses.sum_squared_error_grad", """
def sum_squared_error_grad(y_true, y_pred):
    return (y_pred - y_true).reshape(-1, 1)
""")
    reshaped = [d for d, _ in fr.hints() if d.name == "reshaped"]
    assert reshaped, fr.hints()
    text = reshaped[0].hint
    assert "reduced axis" not in text and "keepdims" not in text
    assert text == ("your result has the right values in another shape: it must have the shape of y_pred "
                    "(the values are in order)")


def test_an_axis_of_length_1_too_many_or_missing_is_told_so():
    from grader.diagnose import _Fit, output_findings

    e = np.arange(1.0, 5.0)
    more = output_findings(e.reshape(4, 1), e, _Fit(1e-6, 1e-9), ("x",), (np.ones((4, 3)),), "your result")
    assert [f.hint for f in more] == ["your result has the right values with an axis of length 1 too many: "
                                      "keep or drop the reduced axis (keepdims), or check a reshape"]
    less = output_findings(e, e.reshape(4, 1), _Fit(1e-6, 1e-9), ("x",), (np.ones((4, 3)),), "your result")
    assert "an axis of length 1 missing" in less[0].hint


def test_a_split_drawn_with_replacement_says_the_arrays_repeat_indices():
    fr = graded("training.train_val_test_split", """
def train_val_test_split(n_samples, val_fraction, test_fraction, rng):
    order = rng.integers(0, n_samples, n_samples)
    n_test = int(n_samples * test_fraction)
    n_val = int(n_samples * val_fraction)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
""")
    first = failing(fr)[0].message
    assert "not disjoint or do not cover" not in first
    assert "the three index arrays are not disjoint: " in first
    assert "indices repeated in all), so " in first and "of range(1000) are in none of them" in first
    assert hint_names(fr) == ["not-disjoint"]


def test_a_split_with_an_index_outside_the_range_says_so():
    from grader.stats import judge_split

    judge = judge_split(10, 0.2, 0.2)
    parts = (np.array([0, 1, 2, 3, 4, 10]), np.array([6, 7]), np.array([8, 9]))
    problem = judge([to_returned(parts)], None)
    assert problem.text == "train_idx holds 10, outside range(10): every index must be one of 0 .. 9"


# ------------------------------------------------------------ end to end, through the sandbox
def test_the_trials_mistakes_through_the_sandbox(tmp_path):
    from grader import grade_submission
    from tests.grader.conftest import make_submission

    sub = make_submission(tmp_path / "sub", {
        "activations": """
            def relu_derivative(x):
                return (x > 0).astype(float)
            """,
        "optimizers": """
            def rmsprop_step(w, grad, sq_avg, lr=0.001, rho=0.9, eps=1e-7):
                s = rho * sq_avg + (1 - rho) * grad
                return w - lr * grad / (np.sqrt(s) + eps), s
            """,
        "initializers": """
            def glorot_uniform(fan_in, fan_out, rng):
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)
            """,
    })
    only = ["activations.relu_derivative", "optimizers.rmsprop_step", "initializers.glorot_uniform"]
    result = grade_submission(str(sub), only=only, seed=SEED)
    relu = result.functions["activations.relu_derivative"]
    assert [d.name for d, _ in relu.hints()] == ["dtype-changed"]
    rms = result.functions["optimizers.rmsprop_step"]
    assert [d.name for d, _ in rms.hints()] == ["gradient-not-squared"]
    assert ("where the expected values are finite (first at [") in rms.cases[0].message
    assert ("]): a square root of a negative number? (your code warned: invalid value encountered in "
            "sqrt)") in rms.cases[0].message
    assert "an overflow in exp, a log of 0" not in "".join(c.message for c in rms.cases)
    glorot = result.functions["initializers.glorot_uniform"]
    assert [d.name for d, _ in glorot.hints()] == ["wrong-dtype"]


def test_early_stopping_epochs_may_be_floats_of_the_right_value():
    fr = graded("training.early_stopping_epoch", """
def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return float(epoch), float(best_epoch)
    return float(len(val_losses) - 1), float(best_epoch)
""")
    assert fr.cases and fr.passed
