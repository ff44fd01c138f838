"""Session 17's trial: identical code earned different points because the seed decided whether
a case tested a branch. relu's "0-d input" drew uniform(-2, 2), so for half of the class its
negative value (and an input written in place, x[x < 0] = 0) was never tested, and the (1, 4)
batch was all positive for one seed in 16. Every case that probes a sign or a branch with
random values now holds that branch whatever the seed."""

import numpy as np
import pytest

from grader.specs import cases_for

SEEDS = range(400)
ELEMENTWISE = ["activations.sigmoid", "activations.tanh", "activations.relu", "activations.softplus",
               "activations.sigmoid_derivative", "activations.tanh_derivative",
               "activations.relu_derivative", "activations.softplus_derivative"]


def _both_signs(x):
    x = np.asarray(x)
    return bool((x < 0).any() and (x > 0).any())


def _by_name(qualname, seed):
    return {case.name: case for case in cases_for(qualname, seed)}


@pytest.mark.parametrize("qualname", ELEMENTWISE)
def test_every_random_elementwise_case_holds_both_signs_for_every_seed(qualname):
    names = None
    for seed in SEEDS:
        cases = cases_for(qualname, seed)
        names = names or [c.name for c in cases]
        assert [c.name for c in cases] == names          # the same cases, in the same order
        assert len(cases) == (6 if qualname.endswith("_derivative") else 5)
        for case in cases:
            if case.name.startswith("0-d input"):
                # one case, two calls: a negative 0-d value, then a positive one
                values = [call.args[0] for call in case.calls]
                assert [v.shape for v in values] == [(), ()]
                assert values[0] < 0 < values[1], (seed, values)
            else:
                [call] = case.calls
                assert _both_signs(call.args[0]), (seed, case.name)
            if case.kind == "fd":
                assert np.abs(case.calls[0].args[0]).min() >= 0.05       # away from relu's kink


@pytest.mark.parametrize("qualname", ["regularization.l1_penalty", "regularization.l1_grad",
                                      "regularization.l2_penalty", "regularization.l2_grad"])
def test_the_penalties_weights_hold_both_signs_for_every_seed(qualname):
    for seed in SEEDS:
        for case in cases_for(qualname, seed):
            W = case.calls[0].args[0]       # "lam 0, then lam 2.5" too: the same weights twice
            assert _both_signs(W), (seed, case.name)
            if case.kind == "fd":
                assert np.abs(W).min() >= 0.05


def test_max_norm_clips_a_slice_and_keeps_another_for_every_seed():
    for seed in SEEDS:
        first, second = cases_for("regularization.max_norm", seed)[:2]
        W, limit, axis = first.calls[0].args
        norms = np.linalg.norm(W, axis=axis)
        assert norms.max() > limit and norms.min() < limit, seed
        W2, limit2, axis2 = second.calls[0].args
        norms = np.linalg.norm(W2, axis=axis2)
        assert (axis2, W2.shape[0]) == (1, 3) and norms.max() > limit2 and norms.min() < limit2, seed


@pytest.mark.parametrize("qualname", ["losses.binary_crossentropy", "losses.binary_crossentropy_grad"])
def test_binary_targets_hold_both_classes_for_every_seed(qualname):
    for seed in SEEDS:
        for case in cases_for(qualname, seed):
            if case.name.startswith(("random", "float32", "finite")):
                t = case.calls[0].args[0]
                assert set(np.unique(t)) == {0.0, 1.0}, (seed, case.name)


@pytest.mark.parametrize("qualname", ["layers.dropout_forward", "layers.dropout_backward"])
def test_dropout_masks_keep_and_drop_for_every_seed(qualname):
    for seed in SEEDS:
        for case in cases_for(qualname, seed):
            if case.name == "rate 0 keeps everything":
                continue
            mask = case.calls[0].args[1]
            assert mask.dtype == bool and mask.any() and not mask.all(), (seed, case.name)


def test_a_failure_on_the_positive_0d_call_shows_that_calls_inputs(tmp_path):
    """The 0-d case is two calls: when only the second (the positive value) is wrong, the
    message and the inputs to paste are that call's, not the first's."""
    from grader import grade_submission
    from tests.grader.conftest import make_submission

    wrong = {"activations": """
        def relu(x):
            x = np.asarray(x)
            if x.ndim == 0 and x > 0:
                return 2 * x
            return np.maximum(0, x).astype(x.dtype)
        """}
    raises = {"activations": """
        def relu(x):
            x = np.asarray(x)
            if x.ndim == 0 and x > 0:
                raise ValueError("no positive 0-d")
            return np.maximum(0, x).astype(x.dtype)
        """}
    for name, code in (("wrong", wrong), ("raises", raises)):
        make_submission(tmp_path / name, code)
        result = grade_submission(str(tmp_path / name), only=["activations.relu"], seed=7)
        failed = [c for c in result.functions["activations.relu"].cases if not c.passed]
        assert [c.name for c in failed] == ["0-d input, negative and positive"], name
        [case] = [c for c in cases_for("activations.relu", 7) if c.number == failed[0].number]
        positive = float(case.calls[1].args[0])
        assert positive > 0
        assert failed[0].inputs == f"x = np.array({positive!r})\n# call 2 of 2, the one that failed", name
        if name == "raises":
            assert f"Inputs: x={positive:.6f} (float64) (call 2 of 2)" in failed[0].message
        else:
            assert f"relu(x={positive:.6f} (float64)) returned" in failed[0].message
