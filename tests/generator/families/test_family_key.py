import pytest
import sympy as sp

from generator.families._key import Key, fill, grid
from generator.notation import Hat, hats, mean, sym
from generator.model import Text
from generator.symbolic import latex, mathml


def test_key_step_values_are_the_formula_substituted():
    key = Key()
    key.given("a", sp.Rational(1, 10))
    key.given("b", sp.Rational(2, 10))
    key.step("m", mean([sym("a"), sym("b"), sym("a")]))
    assert key["m"] == sp.Rational(2, 15)  # exact: the 1/3 of the mean stays a Rational
    key.step("r", sp.sqrt(sym("m")))
    assert isinstance(key["r"], sp.Float) and abs(key["r"] - sp.sqrt(sp.Rational(2, 15))) < sp.Float("1e-39")


def test_key_rejects_duplicate_and_unknown_names():
    key = Key()
    key.given("a", 1)
    with pytest.raises(ValueError, match="duplicate name 'a'"):
        key.given("a", 2)
    with pytest.raises(ValueError, match=r"step 'c' uses unknown names \['b'\]"):
        key.step("c", sym("a") + sym("b"))


def test_key_grid_is_exact_and_leaves_out_zero():
    assert grid("-0.2", "0.2", "0.1") == tuple(sp.Rational(x) for x in ("-0.2", "-0.1", "0.1", "0.2"))
    assert sp.Integer(0) in grid("-0.2", "0.2", "0.1", nonzero=False)


def test_key_fill_puts_words_in_each_language():
    text = fill(Text("Train with [opt] for {k} steps", "[opt] 방법으로 {k} 스텝 학습", {"k": 3}),
                opt=Text("Adam", "아담"))
    assert (text.en, text.ko, text.slots) == ("Train with Adam for {k} steps", "아담 방법으로 {k} 스텝 학습", {"k": 3})


def test_key_hat_prints_in_latex_and_mathml():
    display = hats(["mhat_2", "xhat_1,3"])
    assert display["mhat_2"] == Hat("m", "2")
    assert latex(sym("mhat_2") + sym("xhat_1,3"), display) == r"\hat{m}_{2} + \hat{x}_{1,3}"
    assert mathml(sym("mhat_2"), display) == (
        '<msub><mover accent="true"><mi>m</mi><mo>^</mo></mover><mi>2</mi></msub>')
