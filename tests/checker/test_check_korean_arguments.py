"""A Korean set's file arguments and manifest mismatches in Korean (session 19): a file that
does not exist, a folder, an unreadable file, a file that is not an answers file, bad TOML,
and an answers file that is not its manifest's (student, mode, seed, preset, secret, problems,
variant). A file that cannot say its language is said in the language of the --manifest or
of the set it lies in (its manifest.json); elsewhere English, as before
(test_check_wrong_files, tests/generator/test_check.py). Every line is the whole message."""

import json
import os
import shutil

import pytest

from _check_helpers import run

FAMILIES = ["--families", "loss_values", "--format", "md", "--lang", "ko", "--count", "2"]
USAGE = "Usage: cli check [OPTIONS] FILE...\nTry 'cli check --help' for help.\n\n"    # CliRunner's name


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("korean_arguments")
    for name, extra in (("open", []), ("practice", ["--practice"])):
        result = run("generate", "--out", root / name, *FAMILIES, *extra)
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def kit(made, tmp_path):
    """A copy of the Korean open set, to put files in."""
    return shutil.copytree(made / "open", tmp_path / "set")


def _one_error(result, code, usage=False):
    assert result.exit_code == code and result.stdout == "", result.output
    assert result.stderr.startswith(USAGE) == usage, result.stderr
    return result.stderr[len(USAGE):] if usage else result.stderr


# --- the file arguments ----------------------------------------------------------------

def test_a_missing_file_of_a_korean_set_in_korean(kit, made, tmp_path):
    missing = kit / "students" / "student-009" / "answers.toml"
    assert _one_error(run("check", missing), 2, usage=True) == (
        f"Error: 파일이 없다: '{missing}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 주시오.\n")
    elsewhere = tmp_path / "nowhere" / "answers.toml"      # no set: the --manifest says
    assert _one_error(run("check", elsewhere, "--manifest", made / "open" / "manifest.json"), 2, usage=True) == (
        f"Error: 파일이 없다: '{elsewhere}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 주시오.\n")
    folder = str(kit / "hand-ins") + os.sep
    assert _one_error(run("check", folder), 2, usage=True) == (
        f"Error: 폴더가 없다: '{folder}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 주시오.\n")
    # without a set or a manifest the language is not known: English, as before
    assert _one_error(run("check", elsewhere), 2, usage=True) == (
        f"Error: File '{elsewhere}' does not exist; give the students' answers.toml files or a folder that holds "
        "them.\n")


def test_a_missing_file_among_a_korean_class(kit):
    good = kit / "students" / "student-001" / "answers.toml"
    missing = kit / "students" / "student-009" / "answers.toml"
    result = run("check", good, missing)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '{missing}': 파일을 읽을 수 없다(그런 파일이 없다).\n"
                             "Error: answers 파일 2개 중 1개는 확인할 수 없었다(이유는 위 줄에 있다); 나머지는 보고서에 "
                             "있다.\n")


def test_a_folder_without_answers_and_a_zip_in_a_korean_set(kit):
    empty = kit / "hand-ins"
    empty.mkdir()
    assert _one_error(run("check", empty), 2, usage=True) == (
        f"Error: 폴더에 .toml 파일이 하나도 없다: '{empty}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 "
        "주시오.\n")
    archive = kit / "hand-ins.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    assert _one_error(run("check", archive), 2, usage=True) == (
        f"Error: '{archive}': zip 파일이다; 압축을 풀고 그 폴더를 주시오 (chainrule check FOLDER는 폴더 안의 .toml "
        "파일을 모두 확인한다).\n")


def test_a_folder_given_to_the_reader_in_korean(kit):
    from checker import check

    folder = kit / "students" / "student-001" / "figures"
    failure, = check.check_all([folder])
    assert (failure.reason, failure.lang) == (f"'{folder}': answers.toml 파일이 아니라 폴더다.", "ko")


def test_an_unreadable_file_of_a_korean_set(kit, monkeypatch):
    import checker.answers_file

    path = kit / "students" / "student-001" / "answers.toml"
    other = kit / "students" / "student-002" / "answers.toml"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(path) else real_access(p, mode))
    said = f"Error: '{path}': 파일을 읽을 수 없다(읽기 권한이 없다).\n"
    assert _one_error(run("check", path), 2, usage=True) == said
    assert _one_error(run("check", other, path), 2, usage=True) == said   # as click refuses it, before any check
    monkeypatch.setattr(os, "access", real_access)

    def refused(p):     # readable when the arguments were read, not when it was opened
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_read(p)

    real_read = checker.answers_file.read_regular
    monkeypatch.setattr(checker.answers_file, "read_regular", refused)
    result = run("check", path, other)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: '{path}': 파일을 읽을 수 없다(읽기 권한이 없다)."


@pytest.mark.parametrize("name, said", [
    ("students/student-001/worksheet.md", "answers 파일이 아니라 문제지(또는 다른 문서)다; chainrule check는 학생이 답을 "
                                          "쓴 answers.toml을 확인한다 (생성한 세트의 students/<id>/answers.toml)."),
    ("keys/student-001/key.md", "answers 파일이 아니라 풀이 및 정답 문서다; chainrule check는 학생이 답을 쓴 "
                                "answers.toml을 확인한다 (생성한 세트의 students/<id>/answers.toml)."),
    ("manifest.json", "answers 파일이 아니라 생성한 세트의 매니페스트다; 매니페스트는 --manifest로 주고, answers.toml "
                      "파일들을 인자로 주시오."),
])
def test_a_korean_sets_other_files_in_korean(kit, name, said):
    path = kit / name
    assert _one_error(run("check", path), 1) == f"Error: '{path}': {said}\n"


def test_a_pdf_a_fifo_a_large_file_in_a_korean_set(kit):
    pdf = kit / "students" / "student-001" / "worksheet.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert _one_error(run("check", pdf), 1) == (
        f"Error: '{pdf}': answers 파일이 아니라 PDF 파일이다(인쇄한 문제지나 풀이 및 정답); chainrule check는 학생이 답을 "
        "쓴 answers.toml을 확인한다 (생성한 세트의 students/<id>/answers.toml).\n")
    big = kit / "students" / "student-001" / "big.toml"
    big.write_text('[chainrule]\nlang = "ko"\n' + "# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    assert _one_error(run("check", big), 1) == (
        f"Error: '{big}': 2 MB보다 크다; answers.toml은 몇 킬로바이트짜리 파일이다 (맞는 파일인가?).\n")
    if not hasattr(os, "mkfifo"):
        return
    fifo = kit / "students" / "student-001" / "pipe.toml"
    os.mkfifo(fifo)
    good = kit / "students" / "student-002" / "answers.toml"
    result = run("check", fifo, good)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: '{fifo}': 파일이 아니다(FIFO); 학생이 답을 쓴 answers.toml을 주시오."


def test_bad_toml_and_no_chainrule_table_in_a_korean_set(kit, tmp_path):
    broken = kit / "students" / "student-001" / "broken.toml"     # no lang line to go by: the set's
    broken.write_text('[p1_loss_values]\nl_1 = "0.5\n', encoding="utf-8")
    assert _one_error(run("check", broken), 1) == (
        f"Error: '{broken}'의 TOML 문법이 틀렸다: 따옴표가 닫히지 않았다 (2번째 줄, 11번째 글자); 답은 따옴표 안에 쓴다. "
        "예: z_1 = \"0.165\"\n")
    bare = kit / "students" / "student-001" / "bare.toml"
    bare.write_text('[p1_loss_values]\nl_1 = "0.5"\n', encoding="utf-8")
    said = ("[chainrule] 섹션이 없다: chainrule generate가 쓴 answers.toml을 확인하시오 ([chainrule] 섹션은 쓰인 그대로 "
            "두어야 한다).\n")
    assert _one_error(run("check", bare), 1) == f"Error: '{bare}': {said}"
    alone = tmp_path / "bare.toml"
    shutil.copy(bare, alone)
    assert _one_error(run("check", alone, "--manifest", kit / "manifest.json"), 1) == f"Error: '{alone}': {said}"
    assert _one_error(run("check", alone), 1) == (      # no set, no manifest: English, as before
        f"Error: '{alone}' has no [chainrule] table; check the answers.toml that chainrule generate wrote (its "
        "[chainrule] tables must stay as they were).\n")


# --- an answers file against its manifest --------------------------------------------------

def _manifest(made, tmp_path, edit, which="open"):
    data = json.loads((made / which / "manifest.json").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "edited" / "manifest.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _against(made, tmp_path, edit, which="open"):
    answers = made / which / "students" / "student-001" / "answers.toml"
    manifest = _manifest(made, tmp_path, edit, which)
    return answers, manifest, _one_error(run("check", answers, "--manifest", manifest), 1)


def _student(data, sid="student-001"):
    return next(s for s in data["students"] if s["id"] == sid)


def test_a_student_not_in_the_manifest_in_korean(made, tmp_path):
    path, manifest, said = _against(made, tmp_path, lambda d: d["students"].remove(_student(d)))
    assert said == (f"Error: '{path}': 학생 'student-001'의 answers 파일인데, 이 학생은 매니페스트 '{manifest}'에 없다: "
                    "다른 반의 파일이거나 [chainrule] 섹션이 고쳐졌다.\n")


def test_another_mode_in_korean(made, tmp_path):
    path, manifest, said = _against(made, tmp_path, lambda d: d.update(mode="graded"))
    assert said == (f"Error: '{path}'(학생 student-001): 공개 문제지인데 매니페스트 '{manifest}'에 나열된 것은 채점용 "
                    "문제지다: 다른 세트의 파일이다.\n")
    path, manifest, said = _against(made, tmp_path, lambda d: d.update(mode="open"), "practice")
    assert said == (f"Error: '{path}'(학생 student-001): 연습 문제지인데 매니페스트 '{manifest}'에 나열된 것은 공개 "
                    "문제지다: 다른 세트의 파일이다 (연습 문제지는 학생이 --manifest 없이 chainrule check로 확인한다).\n")


def test_another_seed_preset_or_secret_in_korean(made, tmp_path):
    path, _, said = _against(made, tmp_path, lambda d: d.update(course_seed=d["course_seed"] + 1))
    seed = json.loads((made / "open" / "manifest.json").read_text(encoding="utf-8"))["course_seed"]
    assert said == (f"Error: '{path}'(학생 student-001): 과정 시드가 매니페스트와 다르다(파일: {seed}, 매니페스트: "
                    f"{seed + 1}); [chainrule] 섹션이 고쳐졌거나 다른 반의 파일이다.\n")
    path, _, said = _against(made, tmp_path, lambda d: d.update(preset="worked-example"))
    assert said == (f"Error: '{path}'(학생 student-001): 프리셋이 매니페스트와 다르다(파일: 없음, 매니페스트: "
                    "worked-example); 이 학생이 받은 문제지가 아니다.\n")
    path, _, said = _against(made, tmp_path, lambda d: d.update(secret="0123456789abcdef"))
    assert said == (f"Error: '{path}'(학생 student-001): 매니페스트와 다른 과정 비밀 키로 만든 파일이다(한쪽에만 비밀 키가 "
                    "있거나 지문이 다르다); 다른 반의 파일이거나 [chainrule] 섹션이 고쳐졌다.\n")


def test_other_problems_or_variants_in_korean(made, tmp_path):
    def more(d):
        problems = _student(d)["problems"]
        problems.append(dict(problems[0], key="p2_loss_values", occurrence=1))

    path, _, said = _against(made, tmp_path, more)
    assert said == (f"Error: '{path}'(학생 student-001): 문제 수가 매니페스트와 다르다(파일: 1개, 매니페스트: 2개); "
                    "[chainrule] 섹션에서 문제가 지워졌다.\n")
    problem = _student(json.loads((made / "open" / "manifest.json").read_text(encoding="utf-8")))["problems"][0]
    variant = problem["variant"]
    path, _, said = _against(made, tmp_path, lambda d: _student(d)["problems"][0].update(variant="0123456789"))
    assert said == (f"Error: '{path}'(학생 student-001): 문제 1('p1_loss_values', loss_values)의 변형이 이 학생에게 "
                    f"매니페스트가 준 변형과 다르다(파일: {variant}, 매니페스트: 0123456789); [chainrule] 섹션이 "
                    "고쳐졌거나 다른 학생의 파일이다.\n")
    path, _, said = _against(made, tmp_path, lambda d: _student(d)["problems"][0].update(key="p1_other"))
    assert said == (f"Error: '{path}'(학생 student-001): 문제 1의 키, 문제 유형이나 변형이 매니페스트와 다르다(파일: "
                    f"'p1_loss_values', loss_values 변형 {variant}, 순번 0; 매니페스트: 'p1_other', loss_values 변형 "
                    f"{variant}, 순번 0); [chainrule] 섹션이 고쳐졌다.\n")
