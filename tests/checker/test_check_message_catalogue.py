"""``chainrule check`` says each of its messages once per language, in the catalogue
(``checker.messages``): the checking code and the command hold no Korean text of their own,
so that no English line is changed without its Korean twin (or left English on a Korean
sheet), and every catalogue message has both languages with the same slots."""

import ast
import re
import string
from pathlib import Path

import pytest

from checker.messages import MESSAGES

ROOT = Path(__file__).parents[2]
#: the modules whose messages all come from the catalogue
CATALOGUED = ("checker/check.py", "chainrule/commands/check.py")
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
#: English slots for the plural nouns, verbs and pronouns Korean does not inflect
ENGLISH_INFLECTIONS = {"digits", "answers", "problems", "files", "sheets", "verb", "them", "its"}
#: messages whose English another sentence says (click's own, ``answers_file.meta_error``'s)
ENGLISH_ELSEWHERE = {"not_readable", "no_chainrule_table"}
#: an English slot whose only value the Korean writes out
FIXED_IN_KOREAN = {"manifest_given": {"what"}}


def _slots(text):
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def _same_slot(name):
    """A slot as the other language names it: "kind_ko" is "kind" said in Korean, and "These"
    is "these" beginning an English sentence."""
    return (name[:-3] if name.endswith("_ko") else name).lower()


def test_every_message_has_both_languages_with_the_same_slots():
    for name, (english, korean) in MESSAGES.items():
        assert korean, name
        assert (english == "") == (name in ENGLISH_ELSEWHERE), name
        if not english:
            continue
        en = {_same_slot(s) for s in _slots(english)}
        ko = {_same_slot(s) for s in _slots(korean)}
        assert ko <= en, (name, ko - en)
        assert en - ko <= ENGLISH_INFLECTIONS | FIXED_IN_KOREAN.get(name, set()), (name, en - ko)


def _tree(module):
    return ast.parse((ROOT / module).read_text(encoding="utf-8"), module)


@pytest.mark.parametrize("module", CATALOGUED)
def test_no_korean_text_outside_the_catalogue(module):
    """A Korean string in the checking code is an inline translation: its place is a
    catalogue entry next to its English."""
    korean = [(node.lineno, node.value) for node in ast.walk(_tree(module))
              if isinstance(node, ast.Constant) and isinstance(node.value, str) and HANGUL.search(node.value)]
    assert korean == []


def _picked(node):
    """The message names an argument can be: a string, or either arm of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)]
    if isinstance(node, ast.IfExp):
        return _picked(node.body) + _picked(node.orelse)
    return []


@pytest.mark.parametrize("module", CATALOGUED)
def test_every_message_named_is_in_the_catalogue(module):
    """``message(lang, "name", ...)``: every name a call can pick is a catalogue entry, so
    that no rare path ends in a KeyError."""
    named = []
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "message" and len(node.args) >= 2:
            named += _picked(node.args[1])
    assert named, module
    assert [(line, name) for line, name in named if name not in MESSAGES] == []
