"""Symbolic helpers: exact evaluation, precision, printing."""

from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import given, settings, strategies as st

from generator import symbolic
from generator.notation import Partial, chain, sigma, terms
from generator.symbolic import as_float, evaluate, latex, mathml

R = sp.Rational
a, b, c = sp.symbols("a b c")


def test_symbolic_rational_formulas_stay_exact():
    assert evaluate((a + b + c) / 3, {"a": R(1, 10), "b": R(1, 5), "c": R(3, 10)}) == R(1, 5)
    assert evaluate(sp.sqrt(a) / 2, {"a": R(9, 4)}) == R(3, 4)
    assert evaluate(chain(R(1, 2), (a - b) ** 2), {"a": R(2, 5), "b": R(1, 10)}) == R(9, 200)


def test_symbolic_transcendental_values_carry_40_digits():
    value = evaluate(sigma(a), {"a": R(2, 25)})
    with mpmath.workdps(60):
        expected = 1 / (1 + mpmath.exp(-mpmath.mpf(2) / 25))
        assert abs(mpmath.mpf(str(value)) - expected) < mpmath.mpf("1e-38")
    assert str(value).startswith("0.519989340155")


def test_symbolic_evaluation_leaves_mpmath_global_precision_alone():
    before = mpmath.mp.dps
    evaluate(sp.exp(a) + sp.log(b), {"a": R(1, 3), "b": 7})
    assert mpmath.mp.dps == before


def test_symbolic_sigma_differentiates_and_evaluates_like_the_logistic_function():
    assert sp.diff(sigma(a), a) == sigma(a) * (1 - sigma(a))
    assert abs(sigma(R(1, 2)).evalf(30) - (1 / (1 + sp.exp(-R(1, 2)))).evalf(30)) < 1e-28


def test_symbolic_printing_keeps_chain_rule_order_and_partials():
    g = chain(Partial(sp.Symbol("E"), sp.Symbol("o_1")), Partial(sp.Symbol("o_1"), sp.Symbol("z_3")), sp.Symbol("h_1"))
    assert latex(g) == r"\frac{\partial E}{\partial o_{1}} \frac{\partial o_{1}}{\partial z_{3}} h_{1}"
    assert latex(terms(sp.Symbol("w_5"), -chain(sp.Symbol("eta"), sp.Symbol("g")))) == r"w_{5} - \eta g"
    assert mathml(sigma(sp.Symbol("z"))) == "<mrow><mi>&#963;</mi><mrow><mo>(</mo><mi>z</mi><mo>)</mo></mrow></mrow>"
    assert "&#x2202;" in mathml(Partial(sp.Symbol("E"), sp.Symbol("w")))


def test_symbolic_display_names_replace_symbols_when_printing():
    display = {"dE_dw_5": Partial(sp.Symbol("E"), sp.Symbol("w_5")), "w_5_new": sp.Symbol("w_5^+")}
    expr = terms(sp.Symbol("w_5"), -chain(sp.Symbol("eta"), sp.Symbol("dE_dw_5")))
    assert latex(expr, display) == r"w_{5} - \eta \frac{\partial E}{\partial w_{5}}"
    assert latex(sp.Symbol("w_5_new"), display) == r"w^{+}_{5}"


def test_symbolic_mathml_keeps_the_latex_term_order_in_every_family():
    import re

    from generator import registry
    from generator.core import make_problem

    lat = re.compile(r"(?<![\\a-zA-Z])([a-zA-Z])_\{(\d+)\}")
    mml = re.compile(r"<msub><mi>([a-zA-Z])</mi><mi>(\d+)</mi></msub>")
    compared = 0
    for family in registry.names():
        for sid in ("ann", "bo", "cy"):
            problem = make_problem(family, 1, sid)
            for step in problem.steps:
                if step.formula is None:
                    continue
                in_latex = lat.findall(symbolic.latex(step.formula, problem.display))
                assert mml.findall(symbolic.mathml(step.formula, problem.display)) == in_latex, (family, step.name)
                compared += bool(in_latex)
    assert compared > 100


def test_symbolic_mathml_prints_sums_and_products_in_the_given_order():
    w9, h1, w10, h2, b4 = (sp.Symbol(n) for n in ("w_9", "h_1", "w_10", "h_2", "b_4"))
    expr = terms(chain(w9, h1), chain(w10, h2), b4)
    assert symbolic.latex(expr) == "w_{9} h_{1} + w_{10} h_{2} + b_{4}"
    shown = symbolic.mathml(expr)
    order = [shown.index(f"<mi>{a}</mi><mi>{b}</mi>") for a, b in (("w", 9), ("h", 1), ("w", 10), ("h", 2), ("b", 4))]
    assert order == sorted(order)


def test_symbolic_mathml_puts_hat_bar_and_tilde_suffixes_over_the_letter():
    assert mathml(sp.Symbol("mhat_1")) == (
        '<msub><mover accent="true"><mi>m</mi><mo>^</mo></mover><mi>1</mi></msub>'
    )
    assert mathml(sp.Symbol("ytilde_2")) == (
        '<msub><mover accent="true"><mi>y</mi><mo>~</mo></mover><mi>2</mi></msub>'
    )
    assert mathml(sp.Symbol("xbar")) == '<mover accent="true"><mi>x</mi><mo>&#175;</mo></mover>'
    assert latex(sp.Symbol("mhat_1")) == r"\hat{m}_{1}"  # the same reading as sympy's LaTeX
    assert mathml(sp.Symbol("w_1")) == "<msub><mi>w</mi><mi>1</mi></msub>"


def test_symbolic_no_family_prints_an_accent_name_as_letters_in_html():
    import re

    from generator import registry
    from generator.core import make_problem
    from generator.render import render_sheets

    spelled = re.compile(r"<mi>[A-Za-z&#;0-9]*(hat|bar|tilde)</mi>")
    for family in registry.names():
        for sid in ("ann", "bo", "cy", "di"):
            problem = make_problem(family, 3, sid)
            text = render_sheets([problem], ["p1"], "html", "en", {"id": sid}, 3)["key"]
            assert not spelled.search(text), (family, spelled.search(text).group(0))


def test_symbolic_mathml_writes_minus_signs_not_hyphens():
    shown = mathml(1 - sp.Symbol("beta_1"))
    assert "<mo>&#x2212;</mo>" in shown and "<mo>-</mo>" not in shown


def test_fast_conversions_equal_sympy_and_mpmath_own():
    """to_sympy builds the Float as sp.Float(decimal string, PRECISION) does, and _mp a
    Fraction's mpf as mpf(p) / q does (one rounding), on many values and the special ones."""
    import random
    from fractions import Fraction

    import mpmath
    import sympy as sp

    from generator import symbolic

    rng = random.Random(7)
    values = [symbolic._MP.mpf(rng.uniform(-1e3, 1e3)) * symbolic._MP.exp(rng.uniform(-40, 40)) / rng.randint(1, 99)
              for _ in range(2000)]
    values += [symbolic._MP.mpf(0), symbolic._MP.mpf("inf"), symbolic._MP.mpf("-inf")]
    # where the decimal rounding carries (0.999...95 -> 1.0) and around the powers of ten where
    # to_sympy leaves its digit path for the strings (10^+-300) and mpmath's parser changes its own
    nines = symbolic._MP.mpf("0." + "9" * 47)
    values += [nines, -nines, nines * 10 ** 7, symbolic._MP.mpf("0." + "9" * 44 + "5"), symbolic._MP.mpf("0.5") + 1e-46]
    values += [symbolic._MP.mpf(rng.choice((1, -1)) * rng.uniform(1, 9.999)) * symbolic._MP.mpf(10) ** k
               for k in range(-420, 421, 3)]
    for value in values:
        fast = symbolic.to_sympy(value)
        slow = sp.Float(mpmath.libmp.to_str(value._mpf_, symbolic.PRECISION + 5), symbolic.PRECISION)
        assert type(fast) is type(slow) and fast == slow
        if isinstance(slow, sp.Float):
            assert (fast._mpf_, fast._prec) == (slow._mpf_, slow._prec)
    for _ in range(2000):
        big = 10 ** rng.randint(1, 80)
        fraction = Fraction(rng.randint(-big, big), rng.randint(1, 10 ** rng.randint(1, 80)))
        for _again in range(2):  # computed, then remembered
            assert symbolic._mp(fraction)._mpf_ == (symbolic._MP.mpf(fraction.numerator) / fraction.denominator)._mpf_


def test_values_are_rounded_to_binary_as_mpmath_rounds_them():
    """``to_sympy`` rounds a value's 45 decimal digits to its binary float by integer
    arithmetic (``_nearest``): mpmath's own division must give the same raw mpf, also for
    exact ties (which go to the even mantissa) and for carries into a new power of two."""
    import random

    from mpmath.libmp import from_rational, round_nearest

    from generator import symbolic

    rng = random.Random(3)
    prec = symbolic._FLOAT_PREC
    cases = [(rng.randint(1, 10 ** rng.randint(1, 50)) * rng.choice((1, -1)), 10 ** rng.randint(1, 80))
             for _ in range(20000)]
    for _ in range(3000):
        k = rng.randint(1, 60)
        cases.append((rng.randrange(1, 2 ** (prec + 2), 2) * 5 ** k * rng.choice((1, -1)), 10 ** k))  # ties
        cases.append(((2 ** (prec + 1) - rng.randint(1, 3)) * 5 ** k, 10 ** k))  # rounds up to 2**(prec + 1)
    for man, den in cases:
        assert symbolic._nearest(man, den, prec) == tuple(from_rational(man, den, prec, round_nearest)), (man, den)


def test_two_term_sums_and_products_are_what_the_general_ones_give():
    """``_add2``/``_mul2`` (a formula's two-term sums and products) give the value and the type
    ``_add``/``_mul`` give, for Fractions, ints among them (exact: a Fraction) and mpfs."""
    from fractions import Fraction

    from generator import symbolic

    mp = symbolic._MP
    values = [Fraction(7, 20), Fraction(-3, 4), 2, 0, mp.mpf("0.51998934"), mp.mpf(-1) / 3]
    for a in values:
        for b in values:
            for pair, general in ((symbolic._add2, symbolic._add), (symbolic._mul2, symbolic._mul)):
                got, want = pair(a, b), general([a, b])
                assert type(got) is type(want) and got == want, (pair.__name__, a, b, got, want)


# --- as_float: the float64 cross-checks' conversion ---------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.integers(-10**40, 10**40), st.integers(1, 10**40))
def test_as_float_is_sympys_float_of_a_rational(p, q):
    # the same double as sympy's own float (its 53-bit mpf rounded to nearest): Python's
    # integer division must not differ in a last bit anywhere in the normal range
    value = sp.Rational(p, q)
    assert as_float(value) == float(value)
    assert str(as_float(value)) == str(float(value))  # and the same sign of zero


def test_as_float_at_the_edges_is_sympys_float():
    tiny = sp.Rational(1, 2**1074)       # the smallest subnormal: sympy's float there
    huge = sp.Integer(2) ** 1100          # beyond the largest double
    for value in (sp.Integer(0), sp.Integer(-3), sp.Rational(1, 3), sp.Rational(-2, 7), sp.Rational(3, 2**1040),
                  tiny, -tiny, sp.Rational(10**400 + 1, 10**400), sp.Float("0.1", 40), sp.Float("-1e-300", 40)):
        assert as_float(value) == float(value), value
    for value in (huge, -huge):
        try:
            expected = float(value)
        except OverflowError:
            expected = OverflowError
        try:
            got = as_float(value)
        except OverflowError:
            got = OverflowError
        assert got == expected
    assert as_float(Fraction(1, 3)) == 1 / 3 and as_float(2) == 2.0 and as_float(0.25) == 0.25
