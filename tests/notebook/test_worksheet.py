"""``your_worksheet.ipynb``: the student's own network, through their own code, beside their
hand answers. Checked against the generator's exact (sympy) answers and the course notes'
printed w5 = 0.43703857; the notebook itself never holds a key value."""

import shutil
import subprocess
import sys

import pytest

from nb_helpers import filled

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


@pytest.fixture(scope="module")
def student(nbformat, tmp_path_factory):
    """OUT/students/s001 for course seed 7, with the reference pasted into network.ipynb."""
    base = tmp_path_factory.mktemp("class")
    (base / "roster.csv").write_text("id,name\ns001,Kim\n")
    out = base / "out"
    proc = subprocess.run([sys.executable, "-m", "chainrule", "notebook", "--out", str(out), "--modules",
                           "network", "--students", str(base / "roster.csv"), "--seed", "7"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"Wrote the notebooks (network.ipynb) and your_worksheet.ipynb for 1 student "
                           f"to {out}/students/<id>/.\n")
    folder = out / "students" / "s001"
    nb = nbformat.read(str(folder / "network.ipynb"), as_version=4)
    nbformat.write(filled(nb), str(folder / "network.ipynb"))
    return folder


def run_worksheet(nbformat, folder):
    nb = nbformat.read(str(folder / "your_worksheet.ipynb"), as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    tables = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "execute_result" and "beside" in cell.source:
                tables.append(out.data["text/plain"])
    return tables


def rows(table):
    """name -> (code value, hand answer text, verdict) of a printed table."""
    found = {}
    for line in table.splitlines()[3:]:
        parts = line.split(None, 2)
        rest = parts[2] if len(parts) > 2 else ""
        found[parts[0]] = (float(parts[1]), rest)
    return found


def computed_rows(text, problem):
    """``rows(text)``, each value the code computed checked against the problem's exact answer."""
    got = rows(text)
    for q in problem.questions:
        if q.key in got:
            assert got[q.key][0] == pytest.approx(float(q.answer), rel=1e-9, abs=1e-12), q.key
    return got

def test_worksheet_reproduces_the_students_key_values(student, nbformat):
    from generator.core import make_problem

    text = (student / "your_worksheet.ipynb").read_text()
    output = make_problem("output_update", 7, "s001")
    hidden = make_problem("hidden_update", 7, "s001")
    # no key value is written in the notebook
    for q in output.questions[-2:] + hidden.questions[-2:]:
        assert f"{float(q.answer):.8f}" not in text
    # an answers file with one right and one wrong hand answer
    grad = next(q for q in output.questions if q.key.startswith("dE_dw"))
    new = next(q for q in output.questions if q.key.endswith("_new"))
    (student / "answers.toml").write_text(
        "[chainrule]\nstudent_id = \"s001\"\ncourse_seed = 7\n"
        f"[chainrule.variants.p1_output_update]\nfamily = \"output_update\"\noccurrence = 0\n"
        f"variant = \"{output.variant}\"\n"
        f"[p1_output_update]\n{grad.key} = \"{float(grad.answer):.8f}\"\n"
        f"{new.key} = \"{float(new.answer) + 0.0004:.8f}\"\n")
    try:
        first, second = run_worksheet(nbformat, student)
    finally:
        (student / "answers.toml").unlink()
    got = computed_rows(first, output)
    assert got[grad.key][1].endswith("agree (to the 8 decimals you wrote)")
    assert got[new.key][1].endswith("they differ from the 4th decimal place")
    assert list(got)[:2] == [grad.key, new.key]           # the sheet's own questions first
    assert "Hand answers from answers.toml, problem p1_output_update." in first
    got = rows(second)
    assert (f"answers.toml has no hidden_update problem of variant {hidden.variant} (it is not on your "
            "sheet, or the file is of another course seed): only your code's values are shown.") in second
    checked = [q for q in hidden.questions if q.key in got]
    assert len(checked) >= 2
    for q in checked:
        assert got[q.key][0] == pytest.approx(float(q.answer), rel=1e-9, abs=1e-12), q.key


def test_worked_example_gives_the_course_notes_w5(student, nbformat, tmp_path):
    from chainrule.notebook.build import notebook_text
    from chainrule.notebook.worksheet import worksheet_notebook
    from generator.presets import load

    params = dict(load("worked-example"))["output_update"]
    nb = worksheet_notebook("demo", "", 0, [("output_update", params, "preset")])
    shutil.copy(student / "network.ipynb", tmp_path / "network.ipynb")
    (tmp_path / "your_worksheet.ipynb").write_text(notebook_text(nb))
    (table,) = run_worksheet(nbformat, tmp_path)
    assert "No answers.toml next to this notebook: only your code's values are shown." in table
    assert f"{rows(table)['w_5_new'][0]:.8f}" == "0.43703857"


def test_without_worksheet_and_seed_rules(tmp_path):
    from click.testing import CliRunner
    from chainrule.cli import cli

    (tmp_path / "r.csv").write_text("id\na1\n")
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "o"), "--modules", "network",
                                      "--students", str(tmp_path / "r.csv"), "--seed", "1",
                                      "--without-worksheet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o" / "students" / "a1").iterdir()) == [
        "network.ipynb", "network.pct.py"]
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "p"), "--students",
                                      str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert ("--students needs --seed S, the course seed the worksheets were generated with (or --manifest, "
            "the set's manifest.json, which gives it).") in result.output
    assert not (tmp_path / "p").exists()


def test_worksheet_needs_the_network_notebook_and_is_reproducible(tmp_path):
    from click.testing import CliRunner
    from chainrule.cli import cli
    from chainrule.notebook.build import notebook_text
    from chainrule.notebook.worksheet import student_items, worksheet_notebook

    (tmp_path / "r.csv").write_text("id\na1\n")
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "o"), "--modules", "losses",
                                      "--students", str(tmp_path / "r.csv"), "--seed", "1"])
    assert result.exit_code == 2
    assert ("your_worksheet.ipynb runs the student's network.ipynb: add network to --modules, or pass "
            "--without-worksheet.") in result.output
    one = notebook_text(worksheet_notebook("a1", "", 1, student_items(1, "a1")))
    two = notebook_text(worksheet_notebook("a1", "", 1, student_items(1, "a1")))
    other = notebook_text(worksheet_notebook("a2", "", 1, student_items(1, "a2")))
    assert one == two and one != other


def test_graded_sheets_worksheet_is_off_by_default_and_follows_the_secret(tmp_path):
    try:
        import tomllib
    except ImportError:     # Python 3.10
        import tomli as tomllib
    from click.testing import CliRunner
    from chainrule.cli import cli
    from chainrule.notebook.worksheet import student_items

    (tmp_path / "r.csv").write_text("id\na1\n")
    secret = tmp_path / "course.secret"
    secret.write_text("0123456789abcdef0123456789abcdef\n")
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "o"), "--modules", "network",
                                      "--students", str(tmp_path / "r.csv"), "--seed", "1",
                                      "--secret-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o" / "students" / "a1").iterdir()) == [
        "network.ipynb", "network.pct.py"]          # graded: the instructor opts in
    # the graded sheet's variants, as `chainrule generate --secret-file` wrote them
    result = CliRunner().invoke(cli, ["generate", "--students", str(tmp_path / "r.csv"), "--seed", "1",
                                      "--secret-file", str(secret), "--families",
                                      "output_update,hidden_update", "--format", "md",
                                      "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    answers = tomllib.loads((tmp_path / "g" / "students" / "a1" / "answers.toml").read_text())
    written = {v["family"]: v["variant"] for v in answers["chainrule"]["variants"].values()}
    graded = {family: variant for family, _, variant in
              student_items(1, "a1", secret=b"0123456789abcdef0123456789abcdef")}
    assert graded == written
    assert {family: variant for family, _, variant in student_items(1, "a1")} != written


def test_korean_worksheet_runs_beside_a_korean_sheets_answers(nbformat, tmp_path):
    """--lang ko: the generator's Korean title and statement, Korean comments and verdicts;
    the hand answers come from the answers.toml of `chainrule generate --lang ko` for the
    same student, filled in with the key's values (one rounded wrong)."""
    import re

    from generator.core import make_problem

    (tmp_path / "r.csv").write_text("id,name\ns001,김민수\n", encoding="utf-8")
    for argv in (["notebook", "--out", "nb", "--modules", "network", "--students", "r.csv", "--seed", "7",
                  "--lang", "ko"],
                 ["generate", "--students", "r.csv", "--seed", "7", "--families", "output_update,hidden_update",
                  "--format", "md", "--lang", "ko", "--out", "sheets"]):
        proc = subprocess.run([sys.executable, "-m", "chainrule", *argv], capture_output=True, text=True,
                              cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "nb" / "students" / "s001"
    nb = nbformat.read(str(folder / "your_worksheet.ipynb"), as_version=4)
    output = make_problem("output_update", 7, "s001")
    title = output.title.get("ko")
    assert nb.cells[0].source.startswith("# 내 문제지의 신경망: 김민수 (s001)\n\n")
    # what to install, in the student's language (session 10: no doc said it)
    assert nb.cells[0].source.endswith(
        "이 노트북은 과제 사본의 Python 환경(`pip install -e .`로 `chainrule`과 NumPy를 설치한 환경)에 Jupyter를 "
        "추가하여 실행하시오(`pip install jupyterlab`, VS Code에서는 `pip install ipykernel`). 다른 환경에서는 첫 셀이 "
        "\"No module named 'chainrule'\" 오류로 멈춘다. `python your_worksheet.pct.py`는 Jupyter 없이 같은 셀을 실행한다.")
    assert f"## {title}\n\n여러분의 `output_update` 문제, 변형 `{output.variant}` (" in nb.cells[2].source
    assert "입력 2개, 은닉층 뉴런 2개" in nb.cells[2].source and "$`" not in nb.cells[2].source
    assert "    # 입력, shape (1, " in nb.cells[3].source and "    # 학습률 eta" in nb.cells[3].source
    assert nb.cells[4].source.endswith("}, lang='ko')")
    nbformat.write(filled(nbformat.read(str(folder / "network.ipynb"), as_version=4)), str(folder / "network.ipynb"))
    # the sheet's own answers file, two answers written in: one right, one off in the 4th decimal
    text = (tmp_path / "sheets" / "students" / "s001" / "answers.toml").read_text(encoding="utf-8")
    grad = next(q for q in output.questions if q.key.startswith("dE_dw"))
    new = next(q for q in output.questions if q.key.endswith("_new"))
    section = text.index("[p1_output_update]")
    head, tail = text[:section], text[section:]
    for key, value in ((grad.key, f"{float(grad.answer):.8f}"), (new.key, f"{float(new.answer) + 0.0004:.8f}")):
        tail, count = re.subn(rf'^{key} = ""', f'{key} = "{value}"', tail, count=1, flags=re.MULTILINE)
        assert count == 1, key
    (folder / "answers.toml").write_text(head + tail, encoding="utf-8")
    first, second = run_worksheet(nbformat, folder)
    assert first.startswith(f"output_update (변형 {output.variant}): 코드가 계산한 값과 손으로 계산한 답\n"
                            "손 계산 답: answers.toml의 p1_output_update 문제.\n")
    got = computed_rows(first, output)
    assert got[grad.key][1].endswith("일치 (적은 대로 소수점 아래 8자리까지)")
    assert got[new.key][1].endswith("소수점 아래 넷째 자리부터 다르다")
    assert "p2_hidden_update 문제" in second


def test_lang_needs_the_worksheet(tmp_path):
    from click.testing import CliRunner
    from chainrule.cli import cli

    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "o"), "--lang", "ko"])
    assert result.exit_code == 2
    assert ("Error: --lang ko translates your_worksheet.ipynb, which comes with --students (and not with "
            "--without-worksheet); the exercise notebooks are in English.") in result.output
    assert not (tmp_path / "o").exists()


def test_beside_words_in_korean_and_a_bad_language():
    from chainrule.notebook import beside, compare_numbers

    assert compare_numbers(0.12345, "0.1235", "ko") == "일치 (적은 대로 소수점 아래 4자리까지)"
    assert compare_numbers(0.12345, "-0.1235", "ko") == "부호가 다르다"
    assert compare_numbers(12.5, "3", "ko") == "소수점 앞부터 다르다"
    assert compare_numbers(0.12345, "x", "ko") == "'x': 수가 아니다"
    # a decimal place in native ordinal words, not "1째 자리" (trial 18a)
    code = 0.11111111111111
    said = [compare_numbers(code, hand, "ko") for hand in ("0.2", "0.12", "0.112", "0.11112", "0.11111111112",
                                                           "0.111111111112")]
    assert said == [f"소수점 아래 {nth} 자리부터 다르다" for nth in ("첫째", "둘째", "셋째", "다섯째", "열한째", "열두째")]
    table = beside("output_update", "abc", {"h_1": 0.5}, answers="/nowhere/answers.toml", lang="ko")
    assert repr(table).splitlines()[:2] == [
        "output_update (변형 abc): 코드가 계산한 값과 손으로 계산한 답",
        "이 노트북 옆에 /nowhere/answers.toml 파일이 없다. 코드가 계산한 값만 보인다."]
    # Hangul takes two columns of a monospace font: the code column ends where the header's does
    header, row = repr(table).splitlines()[2:4]
    assert header == "값" + " " * 3 + " " * 9 + "내 코드" + " " * 7 + "손 계산  "
    assert row == "h_1" + "  " + " " * 13 + "0.5"
    with pytest.raises(ValueError, match="Language 'fr' is not valid; use en or ko."):
        beside("output_update", "abc", {}, lang="fr")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_worksheet_shows_the_derivatives_as_the_sheet_does(nbformat, lang):
    """dE/db_3 as a fraction, as worksheet.md prints it (session 6's trial: the notebook wrote
    the answer name's symbol, `$dE_{db 3}$`)."""
    import re

    from chainrule.notebook.build import percent_script
    from chainrule.notebook.worksheet import student_items, worksheet_notebook
    from generator.render import render_sheets
    from generator.worksheets import Student, build_sheet, sheet_plan

    nb = worksheet_notebook("s001", "", 2026, student_items(2026, "s001"), lang)
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    maths = re.findall(r"\$([^$]+)\$", markdown)
    assert maths and not [m for m in maths if re.search(r"d[A-Za-z]_\{d", m)], maths
    assert r"\frac{\partial E}{\partial b_{3}}" in markdown and r"\frac{\partial E}{\partial h_{2}}" in markdown
    script = percent_script(nb)
    assert "dE_{d" not in script and r"\frac{\partial E}{\partial b_{3}}" in script
    # word for word the worksheet's statement (which writes GitHub's $`...`$ where it must)
    sheet = build_sheet(Student("s001"), 2026, sheet_plan(["output_update", "hidden_update"], None))
    md = render_sheets(sheet.problems, sheet.keys, "md", lang, {"id": "s001"}, 2026)["worksheet"]
    md = re.sub(r"\$`(.*?)`\$", r"$\1$", md)
    for problem_maths in (r"\frac{\partial E}{\partial b_{3}}", r"\frac{\partial E}{\partial h_{2}}"):
        sentence = next(line for line in markdown.splitlines() if problem_maths in line)
        assert sentence in md


@pytest.mark.parametrize("lang, practice_only", [("en", "(a practice sheet; your worksheet's first lines say how "
                                                        "yours is checked)"),
                                                 ("ko", "(연습용 문제지의 경우이며, 여러분의 문제지를 확인하는 방법은 "
                                                        "문제지 첫머리에 있다)")])
def test_worksheet_sends_only_practice_sheets_to_chainrule_check(nbformat, lang, practice_only):
    """An open or a graded sheet cannot be checked in the student release (finding 1)."""
    from chainrule.notebook.worksheet import student_items, worksheet_notebook

    intro = worksheet_notebook("s001", "", 2026, student_items(2026, "s001"), lang).cells[0].source
    assert intro.count("chainrule check answers.toml") == 1
    assert practice_only in intro


def test_notebook_refuses_a_roster_row_with_an_unquoted_comma(tmp_path):
    """The same rule as chainrule generate's (its roster reader): a name's second half is not
    dropped silently (session 6's trial, finding 4)."""
    from click.testing import CliRunner
    from chainrule.cli import cli

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns001,Ann\ns005,O'Brien, Sean\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "o"), "--students", str(roster),
                                      "--seed", "2026"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Roster '{roster}' line 3 has 3 fields where its header has 2: put the name in double quotes "
        "(\"O'Brien, Sean\"), or remove the extra comma.")
    assert not (tmp_path / "o").exists()


def test_practice_sheets_made_with_the_secret_get_their_own_networks(tmp_path):
    """Practice sheets made with the course secret draw their variants with a key derived from
    it (never the graded ones): `notebook --practice --secret-file` builds your_worksheet.ipynb
    from those, as `generate --practice --secret-file` wrote them."""
    import json

    from click.testing import CliRunner
    from chainrule.cli import cli

    (tmp_path / "r.csv").write_text("id\na1\n")
    secret = tmp_path / "course.secret"
    secret.write_text("0123456789abcdef0123456789abcdef\n")
    base = ["--students", str(tmp_path / "r.csv"), "--seed", "1", "--secret-file", str(secret)]
    for kind, extra in (("practice", ["--practice"]), ("graded", [])):
        result = CliRunner().invoke(cli, ["generate", *base, *extra, "--families", "output_update", "--format", "md",
                                          "--out", str(tmp_path / kind)])
        assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "nb"), "--modules", "network", *base,
                                      "--practice"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "nb" / "students" / "a1"
    assert (folder / "your_worksheet.ipynb").is_file()         # practice: with it by default
    text = (folder / "your_worksheet.ipynb").read_text()
    practice_variant = json.loads((tmp_path / "practice" / "manifest.json").read_text())["students"][0]["problems"][0]["variant"]
    graded_variant = json.loads((tmp_path / "graded" / "manifest.json").read_text())["students"][0]["problems"][0]["variant"]
    assert practice_variant != graded_variant
    assert practice_variant in text and graded_variant not in text
    result = CliRunner().invoke(cli, ["notebook", "--out", str(tmp_path / "x"), "--practice"])
    assert result.exit_code == 2
    assert "--practice goes with --students" in result.output


def test_the_notebooks_sheet_words_are_the_generators_and_it_imports_no_generator():
    """A student copy ships chainrule/notebook/__init__.py without the generator (session 10's
    trial: every beside() cell failed with "No module named 'generator'"): the two words it
    shares with the worksheets are copied there, and must stay the generator's."""
    import ast

    from chainrule import notebook
    from generator.i18n import LANGUAGES, words

    assert notebook.LANGUAGES == LANGUAGES
    for index, lang in enumerate(LANGUAGES):
        shared = words(lang)
        assert notebook.SHEET_WORDS["variant_word"][index] == shared["variant"]
        seed = shared["course_seed"]
        assert notebook.SHEET_WORDS["course_seed"][index] == (seed.lower() if lang == "en" else seed)
    tree = ast.parse((ROOT / "chainrule" / "notebook" / "__init__.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"generator", "sympy", "jinja2", "solutions", "nbformat"}, imported
