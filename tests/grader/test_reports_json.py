"""The JSON reports' own writer gives exactly what ``json.dumps(indent=2)`` gives.

``grader.reports._dumps`` replaces ``json.dumps(_cleaned(doc), indent=2,
ensure_ascii=False)`` for speed; it must write the same bytes for every tree a report
makes, and hand anything else to ``json.dumps``.
"""

import json
import random

import numpy as np
import pytest

from grader import reports

STRINGS = ["", "passed", "a\nb\tc", "x\r\ny", "\x1b[31mred\x1b[0m", "lone \ud800 surrogate", "é ü 한국어 ∂",
           "quote \" and \\ backslash", "\x7f\x85\u2028\u2029", "/path/with spaces", "\ufffe"]
NUMBERS = [0, 1, -7, 2 ** 70, 0.0, -0.0, 1.5, 1e-300, 1e300, 0.1 + 0.2, float("nan"), float("inf"),
           float("-inf"), True, False, None]


def _tree(rng, depth):
    pick = rng.random()
    if depth == 0 or pick < 0.35:
        return rng.choice(STRINGS + NUMBERS)
    size = rng.choice([0, 1, 2, 4])
    if pick < 0.6:
        return [_tree(rng, depth - 1) for _ in range(size)]
    if pick < 0.7:
        return tuple(_tree(rng, depth - 1) for _ in range(size))
    return {rng.choice(STRINGS) + str(k % 3): _tree(rng, depth - 1) for k in range(size)}


def _reference(doc):
    return json.dumps(reports._cleaned(doc), indent=2, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(40))
def test_random_trees_are_written_as_json_dumps_writes_them(seed):
    doc = _tree(random.Random(seed), 5)
    assert reports._dumps(doc) == _reference(doc)


@pytest.mark.parametrize("doc", [
    {"score": np.float64(0.5), "tests": []},         # a float subclass
    {"b": [1, 2.0, -3e-05]},
    {"k\x1b": "v", "k\\x1b": "w"},                 # keys cleaned the same way
    {"nested": {"empty": {}, "list": [[], {}, ()]}},
])
def test_special_trees(doc):
    assert reports._dumps(doc) == _reference(doc)


def test_values_it_does_not_write_itself_go_to_json_dumps():
    doc = {"score": np.float64(2.25), "n": [True, 3], 7: "an int key"}
    assert reports._dumps(doc) == _reference(doc)
    with pytest.raises(TypeError):
        reports._dumps({"bad": np.int64(3)})     # as json.dumps refuses it


def test_a_whole_report_is_written_as_json_dumps_writes_it(tmp_path):
    from grader import grade_submission
    from tests.grader.conftest import make_submission

    sub = make_submission(tmp_path / "s", appended={"activations": '''
def relu(x):
    raise ValueError("\\x1b[2J odd message \\ud800 é")
'''})
    result = grade_submission(sub, only=["activations"])
    doc = result.to_dict()
    assert reports.render_json(result) == _reference(doc) + "\n"
    relu = [f for f in json.loads(reports.render_json(result))["functions"] if f["name"] == "activations.relu"]
    assert relu[0]["passed"] is False
