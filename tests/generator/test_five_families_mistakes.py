"""Named mistakes of early stopping, regularization and initialization, through `chainrule check`
on generated answers files: the wrong value, computed here by hand from the sheet's givens, gets
the mistake's hint (English and Korean) and never the answer; the right value stays correct."""

import math
import re

import pytest
from click.testing import CliRunner

from chainrule.cli import cli
from generator import core
from generator.numbers import format_number

SEED = 2024
COUNT = 40
FAMILIES = ("early_stopping", "regularization", "initialization")
TABLES = {family: f"p{i}_{family}" for i, family in enumerate(FAMILIES, start=1)}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    root = tmp_path_factory.mktemp("five")
    made = {}
    for lang in ("en", "ko"):
        out = root / lang
        result = run("generate", "--families", ",".join(FAMILIES), "--count", COUNT, "--format", "md",
                     "--lang", lang, "--out", out, "-j", 1)
        assert result.exit_code == 0, result.output
        made[lang] = out
    return made


def _student(i):
    return f"student-{i:03d}"


def _givens(family, student):
    problem = core.make_problem(family, SEED, student, 0)
    return problem, {g.name: float(g.value) for g in problem.givens}


def _answer(problem, key):
    question = next(q for q in problem.questions if q.key == key)
    return str(int(question.answer)) if question.kind == "integer" else format_number(question.answer)


def _check(sheets, tmp_path, lang, student, family, key, written):
    """The report line of ``key`` after writing ``written`` into that blank, and the whole report."""
    text = (sheets[lang] / "students" / student / "answers.toml").read_text(encoding="utf-8")
    table = TABLES[family]
    start = text.index(f"\n[{table}]\n")
    blank = re.compile(rf'^{re.escape(key)} = ""$', re.M).search(text, start)
    assert blank, (student, key)
    path = tmp_path / f"{student}-{key}.toml"
    path.write_text(text[:blank.start()] + f'{key} = "{written}"' + text[blank.end():], encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if re.match(rf"^  \S [a-z]+\) {re.escape(key)}(:| =|$)", line)]
    assert len(lines) == 1, result.output
    return lines[0], result.output


def _assert_named(sheets, tmp_path, lang, student, family, key, wrong, hint):
    problem = core.make_problem(family, SEED, student, 0)
    right = _answer(problem, key)
    assert format_number(wrong) != right if not isinstance(wrong, int) else str(wrong) != right
    written = str(wrong) if isinstance(wrong, int) else format_number(wrong)
    line, report = _check(sheets, tmp_path, lang, student, family, key, written)
    assert line.lstrip().startswith("\u2717"), line
    assert hint in line, line
    if len(right) >= 3:
        assert right not in report.replace(f'"{written}"', ""), (right, line)
    good, _report = _check(sheets, tmp_path, lang, student, family, key, right)
    assert good.lstrip().startswith("\u2713"), good
    assert hint not in good


# --- early stopping -------------------------------------------------------------------

def _stops(losses, patience, min_delta):
    """(stop epoch, restored epoch), counted from 1, by hand: Keras' EarlyStopping rule."""
    best, best_epoch, wait = losses[0], 1, 0
    for epoch in range(2, len(losses) + 1):
        if losses[epoch - 1] < best - min_delta:
            best, best_epoch, wait = losses[epoch - 1], epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return len(losses), best_epoch


def _early(student):
    problem, g = _givens("early_stopping", student)
    losses = [g[f"L_{e}"] for e in range(1, 13) if f"L_{e}" in g]
    return problem, g, losses, int(g["p"]), g["delta"]


MIN_DELTA_EN = "this is what you get if you ignore min_delta"
MIN_DELTA_KO = "min_delta를 무시하면 나오는 값이다"


@pytest.mark.parametrize("lang, hint", [("en", MIN_DELTA_EN), ("ko", MIN_DELTA_KO)])
def test_ignoring_min_delta_is_named_for_the_stop_the_restored_epoch_and_its_loss(sheets, tmp_path, lang, hint):
    seen = set()
    for i in range(1, COUNT + 1):
        student = _student(i)
        _problem, _g, losses, patience, min_delta = _early(student)
        if min_delta == 0:
            continue
        stop, restored = _stops(losses, patience, min_delta)
        stop0, restored0 = _stops(losses, patience, 0.0)  # every decrease taken for an improvement
        if stop0 != stop and "stop_epoch" not in seen:
            _assert_named(sheets, tmp_path, lang, student, "early_stopping", "stop_epoch", stop0, hint)
            seen.add("stop_epoch")
        lowest = min(range(1, stop + 1), key=lambda e: losses[e - 1])  # the lowest loss before the stop
        if lowest != restored and "restored_epoch" not in seen:
            _assert_named(sheets, tmp_path, lang, student, "early_stopping", "restored_epoch", lowest, hint)
            _assert_named(sheets, tmp_path, lang, student, "early_stopping", "best_loss", losses[lowest - 1], hint)
            seen.add("restored_epoch")
        if restored0 != restored and "restored0" not in seen:
            _assert_named(sheets, tmp_path, lang, student, "early_stopping", "restored_epoch", restored0, hint)
            seen.add("restored0")
    assert seen == {"stop_epoch", "restored_epoch", "restored0"}


def test_ignoring_a_min_delta_of_0_changes_nothing_and_names_nothing():
    for i in range(1, COUNT + 1):
        problem, _g, _losses, _patience, min_delta = _early(_student(i))
        if min_delta == 0:
            assert "min_delta_ignored" not in {m.name for m in problem.mistakes}


@pytest.mark.parametrize("lang, hint", [
    ("en", "this is what you get with the class's share of the samples n_k/N"),
    ("ko", "클래스가 차지하는 비율 n_k/N을 쓰면 나오는 값이다"),
])
def test_class_share_for_the_balanced_class_weight_is_named(sheets, tmp_path, lang, hint):
    for i in (1, 2, 3):
        student = _student(i)
        _problem, g = _givens("early_stopping", student)
        counts = [g[f"n_{c}"] for c in range(4) if f"n_{c}" in g]
        c = i % len(counts)
        _assert_named(sheets, tmp_path, lang, student, "early_stopping", f"cw_{c}", counts[c] / sum(counts), hint)


# --- regularization -------------------------------------------------------------------

@pytest.mark.parametrize("lang, hint", [
    ("en", "this is what you get if you leave out the penalty's gradient"),
    ("ko", "규제 항의 기울기를 빠뜨리면 나오는 값이다"),
])
def test_update_without_the_penalty_gradient_is_named(sheets, tmp_path, lang, hint):
    for i in (1, 2, 3, 4):
        student = _student(i)
        problem, g = _givens("regularization", student)
        entry = next(s.name for s in problem.steps if s.name.endswith("^+"))[: -2]  # "w_i,j"
        _assert_named(sheets, tmp_path, lang, student, "regularization", "w_new", g[entry] - g["eta"] * g["g"], hint)


@pytest.mark.parametrize("lang, hint", [
    ("en", "this is what you get if you forget the learning rate eta in the update"),
    ("ko", "업데이트에서 학습률(eta)을 빠뜨리면 나오는 값이다"),
])
def test_update_without_the_learning_rate_is_named(sheets, tmp_path, lang, hint):
    # trial 17a: w - (g + R) got only "not the right value" (output_update names the same slip)
    for i in (1, 2, 3, 4):
        student = _student(i)
        problem, g = _givens("regularization", student)
        entry = next(s.name for s in problem.steps if s.name.endswith("^+"))[: -2]  # "w_i,j"
        w, lam = g[entry], g["lambda"]
        l2 = "**2" in str(next(s for s in problem.steps if s.name == "P").formula)   # L1: lambda sum |w|
        grad = 2 * lam * w if l2 else lam * math.copysign(1, w)
        _assert_named(sheets, tmp_path, lang, student, "regularization", "w_new", w - (g["g"] + grad), hint)


@pytest.mark.parametrize("lang, hint", [
    ("en", "this is what you get with the keep probability 1 - p as the scale"),
    ("ko", "보존 확률 1 - p를 배율로 쓰면 나오는 값이다"),
])
def test_dropout_scale_written_as_the_keep_probability_is_named(sheets, tmp_path, lang, hint):
    done = 0
    for i in range(1, COUNT + 1):
        student = _student(i)
        _problem, g = _givens("regularization", student)
        if "p" not in g:
            continue  # max-norm
        keep = 1 - g["p"]
        _assert_named(sheets, tmp_path, lang, student, "regularization", "s", keep, hint)
        kept = next(j for j in range(1, 6) if g.get(f"m_{j}") == 1)
        _assert_named(sheets, tmp_path, lang, student, "regularization", f"y_{kept}", g[f"a_{kept}"] * keep, hint)
        done += 1
        if done == 2:
            break
    assert done == 2


# --- initialization -------------------------------------------------------------------

def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("lang, hint", [
    ("en", "this is what you get if you leave out the sigmoid derivative h_j(1 - h_j) of the hidden unit"),
    ("ko", "은닉 뉴런의 시그모이드 함수 미분 h_j(1 - h_j)를 빠뜨리면 나오는 값이다"),
])
def test_hidden_gradient_without_the_sigmoid_derivative_is_named(sheets, tmp_path, lang, hint):
    shapes = set()
    for i in range(1, COUNT + 1):
        student = _student(i)
        _problem, g = _givens("initialization", student)
        hidden = sum(1 for name in g if name.startswith("w_1,"))
        outputs = sum(1 for name in g if name.startswith("t_"))
        if (hidden, outputs) in shapes:
            continue
        shapes.add((hidden, outputs))
        x1, x2 = g["x_1"], g["x_2"]
        h = _sigmoid(g["w_1,1"] * x1 + g["w_2,1"] * x2)  # every hidden unit alike
        back = 0.0
        for k in range(1, outputs + 1):
            o = _sigmoid(sum(g[f"v_{j},{k}"] * h for j in range(1, hidden + 1)))
            back += (o - g[f"t_{k}"]) * o * (1 - o) * g[f"v_1,{k}"]
        _assert_named(sheets, tmp_path, lang, student, "initialization", "dE_dw_1_1", back * x1, hint)
        _assert_named(sheets, tmp_path, lang, student, "initialization", "dE_dw_1_2", back * x1, hint)
    assert {(2, 1), (2, 2)} <= shapes


def test_hidden_sigmoid_derivative_mistake_leaves_the_output_layer_gradient_alone():
    for i in range(1, COUNT + 1):
        problem = core.make_problem("initialization", SEED, _student(i), 0)
        named = {m.question for m in problem.mistakes if m.name == "no_hidden_sigmoid_derivative"}
        assert named == {"dE_dw_1_1", "dE_dw_1_2"}, named
