"""A hostile practice answers file: thousands of invented blanks (one blank's entry copied
under new question keys, every one answered) made ``chainrule check FILE`` hash for many
minutes (8 scrypt hashes of some 7 ms for each wrong number: a 2 MB file holds about 19 000
such blanks). A file's blanks now cost at most ``practice.HASH_BUDGET`` hashes besides the
short answers' ``SHORT_BUDGET``; the answers past it are ``not_judged`` (no credit, not
wrong), and a note says how many and why. A problem's table of more than ``MAX_BLANKS``
blanks is refused before anything is hashed. A real sheet (one problem of every family,
every answer wrong to 8 digits: the most it can cost) stays well inside the budget and is
judged as the class check judges it from the rebuilt problems.

Hashes are counted by wrapping ``hashlib.scrypt`` (the only thing ``practice`` hashes
with), never timed; the hostile files are judged with a cheap stand-in for scrypt (every
answer there is wrong whatever it is compared with), the real sheet with scrypt itself."""

import csv
import hashlib
import io
import json
import re
import tomllib

import pytest

from _check_helpers import fill, run

from checker import practice

NOT_JUDGED = "not judged: this file's hashing budget was spent before this answer (see the note below)"
NOT_JUDGED_KO = "판정하지 않았다: 이 답에 이르기 전에 파일의 해시 예산을 다 썼다 (아래 참고)"


def _spent(n, blanks, hashes, problems):
    return (f"Note: {n} answers not judged: checking this practice file of {problems} problems makes at most {hashes} "
            f"hashes, and its {blanks} blanks needed more; a sheet of that many problems from chainrule generate needs "
            "no more (unless it has over 60 problems), so its [chainrule.practice] tables were probably edited (blanks "
            "added): check the answers.toml that chainrule generate wrote")


def _small_budget(monkeypatch, hashes):
    """A budget of ``hashes`` whatever the file's problems (for short files)."""
    monkeypatch.setattr(practice, "HASH_BUDGET", hashes)
    monkeypatch.setattr(practice, "PROBLEM_BLANKS", 0)


#: the new hashes of one "agrees to 4 digits" probe of a wrong answer (``practice.agrees_short``:
#: its number and the neighbours are hashed already), and of a file's first ``AGREE_ANSWERS``
PROBE = practice.AGREE_TRIES - 3
PROBES = practice.AGREE_ANSWERS * PROBE

@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    root = tmp_path_factory.mktemp("budget")
    for name, extra in (("en", ()), ("ko", ("--lang", "ko")), ("all", ())):
        families = () if name == "all" else ("--families", "forward_pass")
        result = run("generate", "--out", root / name, "--count", "1", "--format", "md", "--practice", *families,
                     *extra)
        assert result.exit_code == 0, result.output
    return root


def _answers(sheets, name):
    return sheets / name / "students" / "student-001" / "answers.toml"


def hostile(source, path, blanks, per=40, answer=lambda i: f'"1.2345678e{i % 7 - 3}"', salts=True):
    """A copy of the real ``source`` whose problems are replaced by invented ones of ``per``
    blanks each (``blanks`` in all), every blank the first number blank's entry under a new
    key, with a salt of its own per problem (``salts``: nothing is shared between blanks),
    each answered with ``answer(i)`` (a TOML value)."""
    text = source.read_text(encoding="utf-8")
    meta = tomllib.loads(text)["chainrule"]
    first = meta["problems"][0]
    table = meta["practice"][first]
    question = next(k for k, v in table.items() if k != "salt" and v["kind"] == "number")
    entry = re.search(rf"^{question} = (\{{.*\}})$", text, re.M).group(1)
    variant = meta["variants"][first]
    keys, variants, answers, tables = [], [], [], []
    for p in range((blanks + per - 1) // per):
        key = f"x{p + 1}"
        keys.append(key)
        n = min(per, blanks - p * per)
        variants.append(f'\n[chainrule.variants.{key}]\nfamily = "{variant["family"]}"\noccurrence = 0\n'
                        f'variant = "{variant["variant"]}"\ntitle = "t"\n')
        answers.append(f"\n[{key}]\n" + "".join(f"q{i} = {answer(p * per + i)}\n" for i in range(n)))
        salt = f"{p + 1:032x}" if salts else table["salt"]
        tables.append(f'\n[chainrule.practice.{key}]\nsalt = "{salt}"\n' + "".join(f"q{i} = {entry}\n"
                                                                                 for i in range(n)))
    head = text[: text.index("problems = [")]
    path.write_text(head + "problems = [" + ", ".join(f'"{k}"' for k in keys) + "]\n" + "".join(variants)
                    + "".join(answers) + "".join(tables), encoding="utf-8")
    return path


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every scrypt ``practice`` makes, counted, from a cold cache."""
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    practice._hash.cache_clear()
    yield calls
    practice._hash.cache_clear()


@pytest.fixture
def cheap_calls(monkeypatch):
    """As ``scrypt_calls``, with a cheap stand-in for scrypt (for files whose every answer is
    wrong whatever it is compared with)."""
    calls = []

    def cheap(password, *, salt, dklen, **_cost):
        calls.append(1)
        return hashlib.sha256(salt + b"\x1f" + password).digest()[:dklen]

    monkeypatch.setattr(hashlib, "scrypt", cheap)
    practice._hash.cache_clear()
    yield calls
    practice._hash.cache_clear()


def _statuses(result):
    data = json.loads(result.stdout)
    return [q["status"] for f in data["files"] for p in f["problems"] for q in p["questions"]]


def test_a_hostile_file_costs_the_budget_and_no_more(sheets, tmp_path, cheap_calls, monkeypatch):
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 2000)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    # 50 invented problems of 40 blanks: the budget of a real sheet of 50 problems (15 blanks
    # at most each, every answer wrong to 8 digits), not of 2000 blanks
    budget = practice.hash_budget(50)
    assert budget == 8 * 15 * 50 and practice.BLANK_COST["number"] == 8
    judged = budget // 8                     # each answer is wrong: 8 hashes
    assert len(cheap_calls) <= budget + practice.AGREE_BUDGET
    assert len(cheap_calls) == judged * 8 + PROBES
    lines = result.stdout.splitlines()
    assert lines[-1] == f"0 of 2000 correct ({judged} wrong, 0 not answered, 0 invalid, {2000 - judged} not judged)"
    assert _spent(2000 - judged, 2000, budget, 50) in lines
    marked = [line for line in lines if line.startswith("  \u25cb ")]
    assert len(marked) == 2000 - judged
    assert marked[0] == f'  \u25cb ae) q30 = "1.2345678e-2": {NOT_JUDGED}'   # blank 751: problem x19's 31st
    assert all(line.endswith(f": {NOT_JUDGED}") for line in marked)
    assert '  \u2717 ad) q29 = "1.2345678e-3": not the right value' in result.stdout   # the 750th, judged
    # unbounded, the same file made 8 hashes a blank: 16 000, minutes of scrypt (and the first
    # wrong answers' agreement probes, their own small budget)
    cheap_calls.clear()
    practice._hash.cache_clear()
    monkeypatch.setattr(practice, "HASH_BUDGET", 10 ** 9)
    assert run("check", path).stdout.splitlines()[-1] == "0 of 2000 correct (2000 wrong, 0 not answered, 0 invalid)"
    assert len(cheap_calls) == 16000 + PROBES


def test_the_unjudged_answers_in_the_json_and_csv_reports(sheets, tmp_path, cheap_calls, monkeypatch):
    _small_budget(monkeypatch, 20)                         # two wrong answers, then none
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 6)
    fill(path, {("x1", "q4"): '""', ("x1", "q5"): '"abc"'})  # cost nothing: said all the same
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 4
    assert _statuses(result) == ["wrong", "wrong", "not_judged", "not_judged", "unanswered", "invalid"]
    (item,) = data["files"]
    assert (item["wrong"], item["not_judged"], item["unanswered"], item["invalid"], item["points"]) == (2, 2, 1, 1, 0)
    assert data["totals"]["not_judged"] == 2
    question = item["problems"][0]["questions"][2]
    assert (question["key"], question["given"], question["message"], question["credit"]) == (
        "q2", "1.2345678e-1", NOT_JUDGED, 0.0)
    assert item["notes"] == [_spent(2, 6, 20, 1)[len("Note: "):]]
    assert len(cheap_calls) == 16 + 2 * PROBE
    rows = list(csv.DictReader(io.StringIO(run("check", path, "--format", "csv").stdout)))
    assert [rows[0][f"x1.{c}"] for c in "abcdef"] == ["0", "0", "n/j", "n/j", "", "?"]
    text = run("check", path).stdout
    assert text.splitlines()[-1] == "0 of 6 correct (2 wrong, 1 not answered, 1 invalid, 2 not judged)"
    # a copy checked after it (its hashes already made in this process) costs its own budget: the same verdicts
    other = tmp_path / "other.toml"
    other.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    both = run("check", path, other)
    assert "All 2 files: 0 of 12 correct (4 wrong, 2 not answered, 2 invalid, 4 not judged)" in both.stdout.splitlines()


def test_short_answers_add_at_most_their_own_budget(sheets, tmp_path, cheap_calls):
    """Short answers (4 digits) each cost up to 152 more tries: from ``SHORT_BUDGET``, so that
    a file costs at most the two budgets together."""
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 2000, answer=lambda i: f'"1.235e{i % 7 - 3}"')
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert len(cheap_calls) <= practice.hash_budget(50) + practice.SHORT_BUDGET
    assert len(cheap_calls) > practice.hash_budget(50)      # both were spent
    assert "could not be compared at the digits given" in result.stdout
    assert re.search(r"^Note: \d+ answers not judged: checking this practice file of 50 problems makes at most 6000 "
                     r"hashes", result.stdout, re.M)


def test_blanks_that_share_their_hashes_cost_them_once(sheets, tmp_path, cheap_calls):
    """Copies under the same salt and keys with the same answers ask for the same hashes:
    counted (and made) once, so every blank is judged."""
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 1000, salts=False,
                   answer=lambda i: f'"1.2345678e{i % 40 % 7 - 3}"')
    result = run("check", path)
    assert result.stdout.splitlines()[-1] == "0 of 1000 correct (1000 wrong, 0 not answered, 0 invalid)"
    assert len(cheap_calls) == 40 * 8 + PROBES


def test_the_note_and_message_in_korean(sheets, tmp_path, cheap_calls, monkeypatch):
    _small_budget(monkeypatch, 20)
    path = hostile(_answers(sheets, "ko"), tmp_path / "answers.toml", 5)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f'  \u25cb c) q2 = "1.2345678e-1": {NOT_JUDGED_KO}' in lines
    assert ("참고: 답 3개는 판정하지 않았다: 문제 1개의 이 연습 문제지를 확인할 때 해시는 최대 20번까지만 계산하는데 항목 "
            "5개에는 그보다 많이 필요했다; chainrule generate가 만든 그만한 문제지에는 (문제가 60개를 넘지 않으면) 그보다 많이 "
            "들지 않으므로 [chainrule.practice] 섹션이 고쳐졌을 것이다(항목 추가): chainrule generate가 쓴 answers.toml을 "
            "확인하시오") in lines
    assert lines[-1] == "5문항 중 0문항 정답 (오답 2, 답하지 않음 0, 형식 오류 0, 판정하지 않음 3)"


def test_the_ascii_marker(sheets, tmp_path, cheap_calls, monkeypatch):
    from checker import check, report

    _small_budget(monkeypatch, 20)
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 3)
    text = report.text_report([check.check_file(path)], unicode=False)
    assert f'  o c) q2 = "1.2345678e-1": {NOT_JUDGED}' in text.splitlines()


def test_a_problem_of_more_blanks_than_any_family_has_is_refused(sheets, tmp_path, cheap_calls):
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 41, per=41)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: '{path}' has 41 practice blanks for problem 'x1' in its [chainrule.practice.x1] table (a problem has "
        "at most 40; nothing was judged); check the answers.toml that chainrule generate wrote (its [chainrule] tables "
        "must stay as they were).\n")
    assert cheap_calls == []
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 40, per=40)
    assert run("check", path).exit_code == 0
    path = hostile(_answers(sheets, "ko"), tmp_path / "ko.toml", 300, per=300)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: '{path}'에 문제 'x1'의 연습 항목이 300개 있다([chainrule.practice.x1] 섹션; 문제 하나에는 최대 40개, "
        "아무것도 채점하지 않았다): chainrule generate가 쓴 answers.toml을 확인하시오")


def test_no_family_has_near_the_blanks_refused(sheets):
    """The largest problem has 15 blanks (training_step, 2-3-1 or 2-2-2 with biases): well
    under ``MAX_BLANKS``."""
    table = tomllib.loads(_answers(sheets, "all").read_text(encoding="utf-8"))["chainrule"]["practice"]
    most = max(len(t) - 1 for t in table.values())
    assert 8 <= most <= 15 and 2 * 15 < practice.MAX_BLANKS
    assert most <= practice.PROBLEM_BLANKS       # the budget of a file grows by this a problem


def _key_numbers(folder):
    """{(problem number, question key): printed answer} from the Markdown key, by section."""
    text = (folder / "keys" / "student-001" / "key.md").read_text(encoding="utf-8")
    out, number = {}, 0
    for line in text.splitlines():
        head = re.match(r"^## Problem (\d+)\. ", line)
        if head:
            number = int(head.group(1))
        found = re.match(r"^- [a-z]\) `(\w+)`: \$([-0-9.e+]+)\$$", line)
        if found:
            out[(number, found.group(1))] = found.group(2)
    return out


def test_a_real_sheet_is_judged_whole_and_as_the_class_check_judges_it(sheets, tmp_path, scrypt_calls):
    """The largest sheet (one problem of every family), every number answered wrong to 8
    digits (the most a blank costs) but every third from the key, every integer wrong,
    every choice the first: all judged, with scrypt itself, within half the budget; the
    verdicts are the class check's (``--manifest``: the rebuilt problems, no hash read)."""
    folder = sheets / "all"
    path = tmp_path / "answers.toml"
    path.write_text(_answers(sheets, "all").read_text(encoding="utf-8"), encoding="utf-8")
    meta = tomllib.loads(path.read_text(encoding="utf-8"))["chainrule"]
    key = _key_numbers(folder)
    values, cost, n = {}, 0, 0
    for number, problem in enumerate(meta["problems"], start=1):
        for question, spec in meta["practice"][problem].items():
            if question == "salt":
                continue
            n += 1
            if spec["kind"] == "choice":
                values[(problem, question)] = f'"{spec["choices"][0]}"'
            elif spec["kind"] == "integer":
                values[(problem, question)] = '"987654321"'
            elif n % 3 == 0 and (number, question) in key:
                values[(problem, question)] = f'"{key[(number, question)]}"'
                continue
            else:
                values[(problem, question)] = f'"-1.2345678e{n % 5 - 2}"'
            cost += practice.BLANK_COST[spec["kind"]]
    fill(path, values)
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0, result.output
    statuses = _statuses(result)
    assert len(statuses) == n >= 84 and "not_judged" not in statuses
    assert statuses.count("correct") >= n // 5
    wrong_cost = len(scrypt_calls)
    assert cost <= wrong_cost <= cost + 3 * (n // 3) + PROBES    # a right answer: 1 to 3 hashes
    assert 2 * wrong_cost <= practice.HASH_BUDGET
    rebuilt = run("check", path, "--format", "json", "--manifest", folder / "manifest.json")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert _statuses(rebuilt) == statuses


def test_a_sheet_of_many_problems_answered_wrong_throughout_is_judged_whole(tmp_path, cheap_calls):
    """``generate --problems 45`` (289 blanks here): every number answered wrong to 8 digits
    needs more than 1500 hashes; the budget grows with the file's problems, so nothing is
    left unjudged (this session's review: 42 answers were, with a note saying the file was
    edited)."""
    result = run("generate", "--out", tmp_path / "ws", "--count", "1", "--format", "md", "--practice",
                 "--problems", "45")
    assert result.exit_code == 0, result.output
    path = tmp_path / "ws" / "students" / "student-001" / "answers.toml"
    text = path.read_text(encoding="utf-8")
    meta = tomllib.loads(text)["chainrule"]
    assert len(meta["problems"]) == 45
    path.write_text(re.sub(r'^(\w+) = ""$', r'\1 = "1.2345678"', text, flags=re.M), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert "not judged" not in result.stdout
    assert len(cheap_calls) > practice.HASH_BUDGET          # more than the old fixed budget
    assert len(cheap_calls) <= practice.hash_budget(45)


def test_the_budget_grows_with_the_problems_up_to_a_cap(sheets, tmp_path, cheap_calls):
    """A hostile file listing 200 invented problems costs at most the budget of 60."""
    assert practice.hash_budget(1) == practice.HASH_BUDGET
    assert practice.hash_budget(200) == practice.hash_budget(60) == 8 * 15 * 60
    path = hostile(_answers(sheets, "en"), tmp_path / "answers.toml", 2000, per=10)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert len(cheap_calls) == 8 * 15 * 60 + PROBES
    assert result.stdout.splitlines()[-1] == "0 of 2000 correct (900 wrong, 0 not answered, 0 invalid, 1100 not judged)"
