"""A Korean sheet's file-level errors and a Korean class's own lines in Korean (trial 18a,
finding 4): another course secret, an edited or copied variant, a practice sheet made with
the secret checked without it, a CP949 file, a problem written as a value, an internal error,
and the notes, warnings and summary lines a class check prints (a link out of a folder). English sheets keep their English lines (test_check_modes and
test_check.py). Every line is the whole message, as the reader gets it."""

import re
import shutil

import pytest

from _check_helpers import run

FAMILIES = ["--families", "loss_values", "--format", "md", "--lang", "ko", "--count", "2"]


@pytest.fixture(scope="module")
def made(tmp_path_factory, secret_file):
    root = tmp_path_factory.mktemp("korean_files")
    for name, extra in (("graded", []), ("practice", ["--practice"])):
        result = run("generate", "--out", root / name, *FAMILIES, "--secret-file", secret_file, *extra)
        assert result.exit_code == 0, result.output
    other = root / "other.secret"
    other.write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    return root


def _copy(made, which, tmp_path, student="student-001", name="answers.toml"):
    target = tmp_path / name
    shutil.copy(made / which / "students" / student / "answers.toml", target)
    return target


def _variant(path):
    return re.search(r'^variant = "([0-9a-f]+)"', path.read_text(encoding="utf-8"), re.M).group(1)


def test_another_course_secret_in_korean(made, tmp_path):
    path = _copy(made, "graded", tmp_path)
    result = run("check", path, "--secret-file", made / "other.secret")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"Error: '{path}': --secret-file의 과정 비밀 키가 아닌 다른 비밀 키로 만든 파일이다(지문이 "
                             "다르다). 아무것도 채점하지 않았다.\n")


def test_an_edited_variant_in_korean(made, tmp_path, secret_file):
    path = _copy(made, "graded", tmp_path)
    variant = _variant(path)
    edited = "0123456789" if variant != "0123456789" else "9876543210"
    path.write_text(path.read_text(encoding="utf-8").replace(variant, edited, 1), encoding="utf-8")
    said = "Error: '{path}': 문제 'p1_loss_values'의 변형이 chainrule이 만드는 변형(loss_values {variant})과 다르다(파일: " \
        "loss_values {edited}); [chainrule] 섹션이 고쳐졌다. {fix}\n"
    result = run("check", path, "--secret-file", secret_file)       # the student's own check
    assert result.exit_code == 1
    assert result.stderr == said.format(path=path, variant=variant, edited=edited,
                                        fix="문제지와 함께 받은 answers.toml에 답을 옮겨 쓰시오.")
    result = run("check", path, "--secret-file", secret_file, "--manifest", made / "graded" / "manifest.json")
    assert result.exit_code == 1
    assert result.stderr == said.format(path=path, variant=variant, edited=edited,
                                        fix="학생은 문제지와 함께 받은 answers.toml에 답을 옮겨 적어 제출해야 한다.")


def test_a_practice_sheet_made_with_the_secret_checked_without_it_in_korean(made, tmp_path):
    path = _copy(made, "practice", tmp_path)
    result = run("check", path, "--manifest", made / "practice" / "manifest.json")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '{path}': 과정 비밀 키로 만든 연습 문제지라 학급 확인에서 문제를 다시 만들려면 비밀 "
                             "키가 필요하다(--secret-file FILE). 아무것도 채점하지 않았다.\n")


def test_a_korean_class_without_the_secret_is_told_once_in_korean(made):
    result = run("check", made / "graded" / "students", "--manifest", made / "graded" / "manifest.json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("Error: answers 파일 2개 모두: 과정 비밀 키로 만든 파일이라(채점용 문제지, 또는 비밀 키로 만든 "
                             "연습 문제지) 확인하려면 비밀 키가 필요하다 (chainrule check --secret-file FILE --manifest "
                             "manifest.json). 아무것도 채점하지 않았다.\n")


def test_a_korean_class_checks_notes_and_summary_in_korean(made, tmp_path, secret_file):
    hand = tmp_path / "hand"
    (hand / "a").mkdir(parents=True)
    first = _copy(made, "graded", hand / "a")
    copy = _copy(made, "graded", hand, name="copy.toml")                 # the same student's file twice
    broken = hand / "broken.toml"
    broken.write_text(first.read_text(encoding="utf-8").replace(_variant(first), "0123456789", 1), encoding="utf-8")
    gradebook = tmp_path / "grades.csv"
    result = run("check", hand, "--secret-file", secret_file, "--manifest", made / "graded" / "manifest.json",
                 "--gradebook", gradebook, "--format", "csv", "-o", tmp_path / "class.csv")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Error: '{broken}': 문제 'p1_loss_values'의 변형이 chainrule이 만드는 변형(")
    assert lines[1:] == [
        f"Warning: answers 파일 3개에 같은 학번이 적혀 있다('student-001': {broken}, {copy}, {first}); 모두 보고하므로 "
        "인정할 파일 하나만 남기시오.",
        "Note: 매니페스트의 학생 2명 중 1명은 여기에 answers 파일이 없다: student-002 (성적표에서 그 행은 비어 있다).",
        "Error: answers 파일 3개 중 1개는 확인할 수 없었다(이유는 위 줄에 있다); 나머지는 보고서에 있다(확인하지 못한 파일의 "
        "이유는 보고서의 error 열에 있다).",
    ]
    assert result.stdout.splitlines() == [
        f"answers 파일 3개의 성적표를 {gradebook}에 썼다.",
        f"answers 파일 3개의 csv 보고서를 {tmp_path / 'class.csv'}에 썼다.",
    ]


def test_a_korean_class_below_fail_under_in_korean(made, tmp_path, secret_file):
    result = run("check", made / "graded" / "students", "--secret-file", secret_file, "--fail-under", "50")
    assert result.exit_code == 1
    assert result.stderr == "--fail-under 50% 미만: student-001 0.0%, student-002 0.0%.\n"


def test_a_cp949_file_gets_a_korean_hint(made, tmp_path):
    path = _copy(made, "graded", tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp949"))
    line = next(i for i, s in enumerate(text.splitlines(), start=1) if not s.isascii())
    result = run("check", path)
    assert result.exit_code == 1
    # the whole sentence in Korean: the file's lang = "ko" line is ASCII, read all the same (trial 19)
    assert result.stderr == (f"Error: '{path}': UTF-8 텍스트가 아니다({line}번째 줄); UTF-8로 저장하시오 (CP949로 저장된 "
                             "파일이다: 메모장의 '다른 이름으로 저장'에서 인코딩을 UTF-8로 고르시오).\n")
    # bytes that are neither UTF-8 nor Korean get the English sentence alone
    path.write_bytes(b'# \xff\xfe\n[chainrule]\n')
    assert run("check", path).stderr == f"Error: '{path}' is not UTF-8 text (line 1); save it as UTF-8.\n"


def test_a_link_out_of_a_korean_class_folder_is_noted_in_korean(made, tmp_path, secret_file):
    hand = tmp_path / "hand"
    hand.mkdir()
    _copy(made, "graded", hand, name="a.toml")
    outside = _copy(made, "graded", tmp_path, student="student-002", name="elsewhere.toml")
    (hand / "b.toml").symlink_to(outside)
    result = run("check", hand, "--secret-file", secret_file, "--manifest", made / "graded" / "manifest.json",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    assert f"Note: '{hand / 'b.toml'}': 폴더 '{hand}' 밖을 가리키는 링크라 확인하지 않았다(가리키는 곳: '{outside}')." \
        in result.stderr.splitlines()


def test_a_problem_written_as_a_value_is_said_in_korean(made, tmp_path):
    path = _copy(made, "practice", tmp_path)
    text = path.read_text(encoding="utf-8").replace("\n[p1_loss_values]\n", "\n[moved]\n", 1)
    path.write_text('p1_loss_values = "0.5"\n' + text, encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: '{path}'에 문제 'p1_loss_values'의 답이 들어갈 [p1_loss_values] 섹션 대신 같은 "
                             "이름의 값이 있다: chainrule generate가 쓴 answers.toml을 확인하시오 ([chainrule] 섹션은 "
                             "쓰인 그대로 두어야 한다; 답의 이름을 바꾸어 쓰는 찾아 바꾸기가 그 섹션까지 바꾸었을 수 "
                             "있다).\n")


def test_an_internal_error_on_a_korean_sheet_is_said_in_korean(made, tmp_path, monkeypatch):
    from checker import check

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "check_data", broken)
    path = _copy(made, "practice", tmp_path)
    result = run("check", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: '{path}': 확인할 수 없었다(내부 오류: RuntimeError: boom).\n"
