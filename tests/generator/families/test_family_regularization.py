import sympy as sp

from _family_checks import build, close
from generator.families import regularization as family

R = sp.Rational


def _params(penalty="l2", part="dropout", **extra):
    params = {"penalty": penalty, "W": [[R("0.5"), R("-1")], [R("0.2"), R("1.5")]], "entry": (1, 2),
              "lambda": R("0.01"), "eta": R("0.1"), "g": R("0.3"), "part": part}
    if part == "dropout":
        params.update(mask=[1, 0, 1, 1], activations=[R("0.4"), R("1.2"), R("0.9"), R("0.3")], rate=R("0.25"))
    else:
        params.update(c=R(1), V=[[R("0.6"), R("0.2")], [R("0.8"), R("-0.4")], [R("1.2"), R("0.4")]])
    params.update(extra)
    return params


def _answers(**kw):
    return {q.key: q.answer for q in family.solve(_params(**kw)).questions}


def test_regularization_variants_differ_in_structure():
    params = [build(family, s)[0] for s in range(200)]
    assert {p["penalty"] for p in params} == {"l1", "l2"}
    assert {p["part"] for p in params} == {"dropout", "max_norm"}
    assert {(len(p["W"]), len(p["W"][0])) for p in params} == set(family.SHAPES)


def test_regularization_l2_matches_hand_computation():
    # P = 0.01 (0.25 + 1 + 0.04 + 2.25) = 0.0354; R = 2 * 0.01 * (-1) = -0.02
    # w' = -1 - 0.1 (0.3 - 0.02) = -1.028
    answers = _answers(penalty="l2")
    assert (answers["P"], answers["R"], answers["w_new"]) == (R("0.0354"), R("-0.02"), R("-1.028"))


def test_regularization_l1_matches_hand_computation():
    # P = 0.01 (0.5 + 1 + 0.2 + 1.5) = 0.032; R = 0.01 sign(-1) = -0.01; w' = -1 - 0.1 * 0.29 = -1.029
    answers = _answers(penalty="l1")
    assert (answers["P"], answers["R"], answers["w_new"]) == (R("0.032"), R("-0.01"), R("-1.029"))


def test_regularization_inverted_dropout_scales_kept_units():
    answers = _answers(part="dropout")
    assert answers["s"] == R(4, 3)
    assert [answers[f"y_{i}"] for i in (1, 2, 3, 4)] == [R("0.4") * R(4, 3), 0, R("1.2"), R("0.4")]


def test_regularization_max_norm_rescales_only_the_long_column():
    # column 1 = (0.6, 0.8, 1.2): norm sqrt(2.44) > 1; column 2 = (0.2, -0.4, 0.4): norm 0.6
    answers = _answers(part="max_norm")
    assert close(answers["n_1"], sp.sqrt(R("2.44"))) and close(answers["n_2"], R("0.6"))
    assert "v_1_2" not in answers
    for i, x in ((1, R("0.6")), (2, R("0.8")), (3, R("1.2"))):
        assert close(answers[f"v_{i}_1"], x / sp.sqrt(R("2.44")))
    scaled = sp.sqrt(sum(sp.N(answers[f"v_{i}_1"], 40) ** 2 for i in (1, 2, 3)))
    assert abs(scaled - 1) < 1e-30


def test_regularization_max_norm_columns_stay_clear_of_the_limit():
    for seed in range(200):
        params, _ = build(family, seed)
        if params["part"] == "max_norm":
            norms = sorted(sum(row[j] ** 2 for row in params["V"]) for j in range(2))
            assert norms[0] < (params["c"] - R("0.1")) ** 2 and norms[1] > (params["c"] + R("0.1")) ** 2


def test_regularization_dropout_masks_drop_as_many_units_as_the_rate_says():
    """A teacher's reading (session 8): rate 0.25 with mask 0, 0, 0, 0, 1 (a fair coin per
    unit, whatever the rate): the mask now drops round(rate * n) units, at least one, never all."""
    seen = set()
    for seed in range(300):
        params, _ = build(family, seed)
        if params["part"] != "dropout":
            continue
        n, dropped = len(params["mask"]), params["mask"].count(0)
        expected = int(sp.floor(params["rate"] * n + R(1, 2)))
        assert dropped == max(1, min(n - 1, expected)), params
        seen.add(tuple(params["mask"]))
    assert len(seen) > 8        # the dropped units' places vary
