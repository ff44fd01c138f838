"""Korean particles after math: 은/는, 이/가, 을/를, 과/와, 으로/로 agree with how the
formula or number before them is read aloud.

A Korean sentence with a formula slot ("{w}를 업데이트하시오") needs the particle that fits
the last sound of the spoken form: w_5 is read "더블유 오" (를), x_1 "엑스 일" (을), 3
"삼" (은), eta "에타" (는), an equation by its right-hand side, a fraction b/a as "a 분의
b" (by the numerator), x^2 as "x 제곱". ``final_sound`` gives that last sound (None: ends
in a vowel, "ㄹ", or "C" for any other final consonant) and ``agree`` rewrites the particle
at the start of the text that follows a slot. Copulas after a formula (이다, 이고, 인, 이면)
are grammatical after any sound and are left as written.
"""

from __future__ import annotations

import re
from typing import Optional

import sympy as sp

VOWEL, RIEUL, CONSONANT = None, "ㄹ", "C"

# Sino-Korean digits: 영 일 이 삼 사 오 육 칠 팔 구
_DIGIT = {"0": CONSONANT, "1": RIEUL, "2": VOWEL, "3": CONSONANT, "4": VOWEL, "5": VOWEL,
          "6": CONSONANT, "7": RIEUL, "8": RIEUL, "9": VOWEL}
# 십 (10), 백 (100), 천 (1000), 만 (10^4): all end in a consonant
_POWER_OF_TEN = CONSONANT

# Latin letters as Korean readers say them (에이, 비, 씨, ..., 엘, 엠, 엔, ..., 알, ...)
_LETTER = {c: VOWEL for c in "abcdefghijkopqstuvwxyz"}
_LETTER.update({"l": RIEUL, "m": CONSONANT, "n": CONSONANT, "r": RIEUL})
# Greek letters and words that appear as names or subscripts
_WORD = {
    "alpha": VOWEL, "beta": VOWEL, "gamma": VOWEL, "delta": VOWEL, "epsilon": CONSONANT,
    "eta": VOWEL, "theta": VOWEL, "lambda": VOWEL, "mu": VOWEL, "rho": VOWEL, "sigma": VOWEL,
    "tau": VOWEL, "phi": VOWEL, "psi": VOWEL, "omega": VOWEL, "nu": VOWEL, "xi": VOWEL,
    "in": CONSONANT, "out": CONSONANT,  # 인, 아웃
    "batch": VOWEL, "sgd": VOWEL, "max": VOWEL, "min": CONSONANT,  # 배치, 에스지디, 맥스, 민
    "xavier": VOWEL, "he": VOWEL, "new": VOWEL,
}


def _hangul(char: str):
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return "none"
    final = code % 28
    return VOWEL if final == 0 else (RIEUL if final == 8 else CONSONANT)


def _number_text(digits: str):
    """The last sound of a number written in digits ("0.25", "-3", "2000", "1.5e-05")."""
    digits = digits.strip().lstrip("-−+")
    if "e" in digits.lower():  # 1.5e-05: "... 의 마이너스 5 제곱" -> 곱
        return CONSONANT
    if "." in digits:  # decimals are read digit by digit after 점
        return _DIGIT.get(digits[-1], VOWEL)
    if not digits.isdigit():
        return VOWEL
    if digits == "0":
        return CONSONANT  # 영
    stripped = digits.rstrip("0")
    if len(stripped) < len(digits):  # 10 십, 200 이백, 3000 삼천, 10000 만
        return _POWER_OF_TEN
    return _DIGIT[stripped[-1]]


def _word(text: str):
    low = text.lower()
    if low in _WORD:
        return _WORD[low]
    if low and low[-1].isdigit():
        return _number_text(re.findall(r"[0-9.]+$", low)[0])
    for char in reversed(low):
        if char.isalpha() and char.isascii():
            return _LETTER.get(char, VOWEL)
        if _hangul(char) != "none":
            return _hangul(char)
    return VOWEL


def _symbol_name(name: str):
    """w_5 -> by "5"; n_in -> by "in"; eta -> "eta"; x_t-1 -> by "1"; mhat_1 -> by "1"."""
    if "_" in name:
        sub = name.split("_", 1)[1]
        last = re.split(r"[^A-Za-z0-9.]+", sub)
        last = [part for part in last if part]
        if last:
            part = last[-1]
            if "," in sub or part.isdigit():
                return _number_text(part) if part.isdigit() else _word(part)
            return _word(part)
    return _word(name)


def final_sound(value, display=None):
    """The last sound (VOWEL, RIEUL or CONSONANT) of ``value`` read aloud in Korean."""
    from generator.model import Num
    from generator.notation import Hat, Partial

    display = display or {}
    if isinstance(value, Num):  # shown as a decimal
        from generator.numbers import format_number

        return _number_text(format_number(value.value))
    if isinstance(value, bool):
        return VOWEL
    if isinstance(value, int):
        return _number_text(str(value))
    if isinstance(value, str):
        return _word(value) if value else VOWEL
    expr = value
    if isinstance(expr, sp.Symbol):
        shown = display.get(expr.name)
        if shown is not None and shown != expr:
            return final_sound(shown, display)
        return _symbol_name(expr.name)
    if isinstance(expr, Hat):  # m-hat_1: the subscript is said last
        return final_sound(expr.args[1], display)
    if isinstance(expr, sp.Derivative) and isinstance(expr.expr, sp.Symbol):
        # printed d/dx h_5 (the operator, then what it differentiates): h_5 is said last
        return final_sound(expr.expr, display)
    if isinstance(expr, (Partial, sp.Derivative)):
        den = expr.args[1]
        if isinstance(den, sp.Tuple):  # Derivative stores (variable, count)
            den = den[0]
        return final_sound(den, display)
    if expr.is_Rational and not expr.is_Integer:  # a fraction in a formula: "4 분의 1"
        return _number_text(str(abs(expr.p)))
    if expr.is_Number:
        from generator.numbers import format_number

        return _number_text(format_number(expr))
    if isinstance(expr, sp.Abs):
        return CONSONANT  # "... 의 절댓값"
    if isinstance(expr, sp.exp) or (expr.is_Pow and expr.exp != sp.S.Half and expr.exp != -1):
        return CONSONANT  # "... 제곱"
    if expr.is_Pow and expr.exp == -1:
        return _DIGIT["1"]  # "x 분의 일"
    if expr.is_Pow:  # square root: "루트 x"
        return final_sound(expr.base, display)
    if isinstance(expr, sp.Equality) or isinstance(expr, sp.core.relational.Relational):
        return final_sound(expr.rhs, display)
    if expr.is_Mul:
        numer, denom = sp.fraction(expr)
        if denom != 1:  # "b 분의 a": the numerator is said last
            return final_sound(numer, display)
        return final_sound(expr.args[-1], display)
    if expr.is_Add:
        return final_sound(expr.args[-1], display)
    if isinstance(expr, sp.Sum):
        return final_sound(expr.args[0], display)
    if expr.args:  # a function applied to its arguments: the last argument is said last
        return final_sound(expr.args[-1], display)
    return VOWEL


# a particle at the start of the text after a slot -> (after a final consonant, after a vowel)
_PAIRS = {"을": ("을", "를"), "를": ("을", "를"), "은": ("은", "는"), "는": ("은", "는"),
          "과": ("과", "와"), "와": ("과", "와")}
_SUBJECT = re.compile(r"^(이|가)(?=$|[\s.,;:!?)\]])")
_DIRECTION = re.compile(r"^(으로|로)")


def code_sound(code: str):
    """The last sound of code read aloud: ``batch_size=1)`` by its last name or number
    ("일"), the closing brackets and quotes silent."""
    return _word(re.sub(r"[\s)\]}'\"]+$", "", code) or code)


def agree(sound, following: str) -> str:
    """``following`` (the prose right after a slot) with its leading particle fitting ``sound``."""
    if not following:
        return following
    batchim = sound is not None
    if following[0] in _PAIRS:
        after_consonant, after_vowel = _PAIRS[following[0]]
        return (after_consonant if batchim else after_vowel) + following[1:]
    match = _SUBJECT.match(following)
    if match:
        return ("이" if batchim else "가") + following[match.end():]
    match = _DIRECTION.match(following)
    if match:
        particle = "으로" if sound == CONSONANT else "로"
        return particle + following[match.end():]
    return following
