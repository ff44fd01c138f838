"""An answer key gives a choice answer by the key answers.toml wants, then its words
(session 6's trial: key.md said "`regime`: diverges: the error grows at every step" where the
answers file needs `diverging`). Checked through ``chainrule check``: the keys a key shows,
written into the student's answers.toml, are judged correct."""

import html
import json
import re

import pytest

from generator import worksheets

from tests.generator.test_generate_cli import run

CHOICE_FAMILIES = "loss_values,activations,batch_arithmetic,learning_rate,initialization,hyperparameter_search"
#: "<question key>: <answer key> (" in each format's answers list
ANSWER = {
    "md": re.compile(r"^- [a-z]\) `(\w+)`: `(\w+)` \((.+)\)$", re.M),
    "html": re.compile(r"<td><code>(\w+)</code></td><td><code>(\w+)</code> \((.+?)\)</td></tr>"),
    "tex": re.compile(r"^\\item \\code\{([\w\\]+)\}: \\code\{([\w\\]+)\} \((.+)\)$", re.M),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    worksheets_engine = worksheets.tex_engine
    worksheets.tex_engine = lambda lang="en": None
    try:
        out = tmp_path_factory.mktemp("keys") / "class"
        result = run("generate", "--out", str(out), "--count", "2", "--seed", "2026", "--format", "md,html,tex",
                     "--families", CHOICE_FAMILIES, "--lang", "en")
        assert result.exit_code == 0, result.output
        out_ko = out.parent / "class_ko"
        result = run("generate", "--out", str(out_ko), "--count", "1", "--seed", "2026", "--format", "md,html,tex",
                     "--families", CHOICE_FAMILIES, "--lang", "ko")
        assert result.exit_code == 0, result.output
    finally:
        worksheets.tex_engine = worksheets_engine
    return out, out_ko


def shown_choices(folder, fmt):
    text = (folder / f"key.{fmt}").read_text(encoding="utf-8")
    found = {q.replace("\\_", "_"): (a.replace("\\_", "_"), html.unescape(words))
             for q, a, words in ANSWER[fmt].findall(text)}
    return found


@pytest.mark.parametrize("student", ["student-001", "student-002"])
def test_the_keys_choice_answers_are_what_chainrule_check_accepts(made, student, tmp_path):
    out, _ = made
    shown = {fmt: shown_choices(out / "keys" / student, fmt) for fmt in ("md", "html", "tex")}
    answers = (out / "students" / student / "answers.toml").read_text(encoding="utf-8")
    # every choice question of the sheet (answers.toml says which: "[choice: one of ...]")
    choices = {name for _, name in re.findall(r'\[choice: one of ([^]]+)\]\n(\w+) = ""', answers)}
    assert len(choices) >= 7 and set(shown["md"]) == choices
    assert shown["md"].keys() == shown["html"].keys() == shown["tex"].keys()
    for name in shown["md"]:
        assert shown["md"][name][0] == shown["html"][name][0] == shown["tex"][name][0]
    for name, (key, _words) in shown["md"].items():
        answers, n = re.subn(rf'^{name} = ""', f'{name} = "{key}"', answers, count=1, flags=re.M)
        assert n == 1, name
    filled = tmp_path / "answers.toml"
    filled.write_text(answers, encoding="utf-8")
    result = run("check", str(filled), "--format", "json")
    assert result.exit_code == 0, result.output
    verdicts = {blank["key"]: blank["status"] for problem in json.loads(result.stdout)["files"][0]["problems"]
                for blank in problem["questions"]}
    assert {name: verdicts[name] for name in shown["md"]} == {name: "correct" for name in shown["md"]}


def test_the_key_names_the_choice_by_its_words_too(made):
    out, out_ko = made
    md = shown_choices(out / "keys" / "student-001", "md")
    assert len(md) >= 7
    # the words are the worksheet's own for that key ("- `diverging`: diverges: ...")
    sheet = (out / "students" / "student-001" / "worksheet.md").read_text(encoding="utf-8")
    for name, (key, words) in md.items():
        assert f"    - `{key}`: {words}\n" in sheet, name
    ko = shown_choices(out_ko / "keys" / "student-001", "md")
    assert ko.keys() == md.keys() and all(ko[name][0] == md[name][0] for name in md)
    sheet_ko = (out_ko / "students" / "student-001" / "worksheet.md").read_text(encoding="utf-8")
    for name, (key, words) in ko.items():
        assert f"    - `{key}`: {words}\n" in sheet_ko, name
