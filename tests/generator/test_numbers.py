"""The number display rule, against hand-written strings (including the seed's)."""

import sympy as sp

from generator.numbers import format_number, latex_number, mathml_number
from generator.notation import sigma

R = sp.Rational


def test_numbers_exact_short_decimals_are_shown_as_they_are():
    assert format_number(R(2, 25)) == "0.08"
    assert format_number(R(9, 20)) == "0.45"
    assert format_number(2000) == "2000"
    assert format_number(R(-1, 2)) == "-0.5"
    assert format_number(0) == "0"
    # the sheets' rule: "exactly a decimal of at most 8 significant digits is written as it is",
    # also with more than 8 places (the key printed B = 0.00097656250 for 1/1024)
    assert format_number(R(1, 1024)) == "0.0009765625"
    assert format_number(sp.Float(1) / 1024) == "0.0009765625"
    assert format_number(R(-3, 1024)) == "-0.0029296875"
    assert format_number(R(3, 2048)) == "0.0014648438"  # 9 significant digits: rounded
    assert format_number(R(1, 100000)) == "0.00001"
    assert latex_number(R(1, 1024)) == "0.0009765625"
    assert format_number(R(1, 2**20)) == "9.5367432e-07"  # 13 significant digits: rounded


def test_numbers_seed_strings_between_one_hundredth_and_one_keep_8_decimals():
    # h1 = sigma(0.08) and E of the seed's example (0.02397190: the trailing zero stays)
    assert format_number(sigma(R(2, 25))) == "0.51998934"
    assert format_number(sp.Float("0.023971900751712", 30)) == "0.02397190"
    assert format_number(sp.Float("0.609446004997", 30)) == "0.60944600"
    assert format_number(R(1, 3)) == "0.33333333"


def test_numbers_outside_the_decimal_range_get_8_significant_digits():
    assert format_number(sp.Float("0.00203808624", 30)) == "0.0020380862"
    assert format_number(R(123456789, 1000)) == "123456.79"
    assert format_number(R(10, 3)) == "3.3333333"
    assert format_number(R(1, 300000)) == "3.3333333e-06"
    assert format_number(sp.Integer(10) ** 9 / 3) == "3.3333333e+08"


def test_numbers_rounding_carries_into_the_next_digit():
    assert format_number(sp.Float("9.999999999", 30)) == "10.000000"
    assert format_number(sp.Float("-0.0123456785", 30)) == "-0.01234568"


def test_numbers_latex_and_mathml_forms():
    assert latex_number(R(1, 300000)) == r"3.3333333 \times 10^{-6}"
    assert mathml_number(R(-1, 2)) == "<mrow><mo>&#x2212;</mo><mn>0.5</mn></mrow>"
    assert mathml_number(R(9, 20)) == "<mn>0.45</mn>"


def test_numbers_a_computed_value_equal_to_a_short_decimal_is_shown_as_that_decimal():
    # issue 8: sigma(0) evaluated to 40 digits printed as 0.50000000 broke "exact decimals as they are"
    import sympy as sp

    from generator.i18n import WORDS

    assert format_number(sp.Float("0.5", 40)) == "0.5"
    assert format_number((1 / (1 + sp.exp(-sp.Integer(0)))).evalf(40)) == "0.5"
    assert format_number(sp.Float("2000", 40)) == "2000"
    # a binary float that is not 0.1 to 30 digits is not exact
    assert format_number(sp.Float(0.1)) == "0.10000000"
    # an exact decimal with 9 significant digits is rounded, as the stated rule says
    assert format_number(sp.Rational("1.96640768")) == "1.9664077"
    rule = WORDS["number_rule"][0]
    assert "at most 8 significant digits" in rule and "1.9664077" in rule and "e-05" in rule
    # ties away from zero, the same for a negative number
    assert format_number(sp.Rational("0.123456785")) == "0.12345679"
    assert format_number(sp.Rational("-0.123456785")) == "-0.12345679"
    assert "유한소수" in WORDS["number_rule"][1] and "정확한 소수" not in WORDS["number_rule"][1]


def test_numbers_computed_values_shown_from_their_digits_as_through_decimals(monkeypatch):
    """A computed value's shown form comes from one digit string (``_computed_parts``); the
    general way (two strings and Decimal arithmetic) must give the same, on random values and
    on values next to every rounding boundary of the rule."""
    import random

    from generator import numbers, symbolic

    mp = symbolic._MP
    rng = random.Random(11)
    values = []
    for _ in range(3000):
        x = mp.mpf(rng.random()) * mp.mpf(10) ** rng.randint(-12, 12) * rng.choice((1, -1))
        values.append(x * (1 + mp.mpf(rng.random()) / mp.mpf(10) ** rng.randint(0, 44)))
    bases = ("9.9999999", "0.0099999999", "0.99999999", "0.000099999999", "99999999.", "1.2345678", "0.12345678",
             "0.012345678", "0.5", "1", "1.0000000")
    tails = ("5", "49999999999", "50000000001", "4" + "9" * 40, "5" + "0" * 30 + "1", "0" * 30 + "1", "9" * 31, "")
    for base in bases:
        for tail in tails:
            for power in range(-3, 4):
                for sign in (1, -1):
                    values.append(mp.mpf(base + tail) * mp.mpf(10) ** power * sign)
    floats = [symbolic.to_sympy(x) for x in values]
    fast = [numbers._number_parts(v) for v in floats]
    assert sum(numbers._computed_parts(v._mpf_) is not None for v in floats) > 2000  # the fast way is taken
    monkeypatch.setattr(numbers, "_computed_parts", lambda mpf: None)
    assert fast == [numbers._number_parts(v) for v in floats]
    # and on the rule's own strings
    monkeypatch.undo()
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("0.5199893401555"))) == "0.51998934"
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("-9.99999996123"))) == "-10.000000"
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("0.0099999999512"))) == "0.010000000"  # below 0.01: rule 3
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("0.999999996123"))) == "1.0000000"
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("123456784.5123"))) == "1.2345678e+08"
    assert numbers.format_number(symbolic.to_sympy(mp.mpf("0.0000123456785123"))) == "1.2345679e-05"
