"""Words of the worksheets that are not family-specific, in English and Korean.

Korean follows the seed notes' terms: 학습률 (learning rate), 가중치 (weight),
편향 (bias), 오차 역전파 (backpropagation), 순전파 (forward propagation), 은닉층 (hidden
layer), 출력층 (output layer), 입력층 (input layer), 활성화 함수 (activation function),
손실 함수 (loss function), 옵티마이저 (optimizer), 에포크 (epoch), 배치 크기 (batch size).
Family prose lives in the families' ``Text`` objects, never here.
"""

from __future__ import annotations

LANGUAGES = ("en", "ko")
MODES = ("open", "graded", "practice")

WORDS = {
    "worksheet": ("Worksheet", "문제지"),
    "answer_key": ("Answer key", "풀이 및 정답"),
    "student": ("Student", "학생"),
    "name": ("Name", "이름"),
    "course_seed": ("Course seed", "과정 시드"),
    "variant": ("variant", "변형"),
    "problem": ("Problem", "문제"),
    "given": ("Given", "주어진 값"),
    "questions": ("Questions", "질문"),
    "worked_solution": ("Worked solution", "풀이"),
    "answers": ("Answers", "정답"),
    "answer_blank": ("answer", "답"),
    "choose_one": ("choose one", "하나를 고르시오"),
    "figure": ("The network with its weights", "가중치가 표시된 인공 신경망"),
    "remarks": ("Remarks", "참고"),
    # the kind of answer each question wants, in the comments of answers.toml
    "kind_number": ("number", "수"),
    "kind_integer": ("integer", "정수"),
    "kind_choice": ("choice: one of {choices}", "선택: {choices} 중 하나"),
    "connections": ("Which units each weight connects", "각 가중치가 잇는 뉴런"),
    "bias_of": ("{bias}: the bias of {unit}", "{bias}: {unit}의 편향"),
    # the sheet's first line: how to hand in and check, by the sheet's mode (a student release
    # checks practice sheets alone; a graded sheet needs the instructor's course secret; an
    # open one the full kit, with its generator)
    "instructions_practice": (
        "Round numbers as the rule below says. "
        "Write your answers into {file} under the key shown next to each question, then run "
        "{command} to check them.",
        "수는 아래 규칙에 따라 반올림하시오. 답은 {file} 파일에 각 질문 옆에 표시된 "
        "키로 적고, {command} 명령으로 확인하시오.",
    ),
    "instructions_graded": (
        "Round numbers as the rule below says. "
        "Write your answers into {file} under the key shown next to each question and hand it in: "
        "your instructor checks it.",
        "수는 아래 규칙에 따라 반올림하시오. 답은 {file} 파일에 각 질문 옆에 표시된 "
        "키로 적어 제출하시오. 채점은 강사가 한다.",
    ),
    "instructions_open": (
        "Round numbers as the rule below says. "
        "Write your answers into {file} under the key shown next to each question. If the full "
        "chainrule kit (the course's kit with its generator, installed by pip install) is on your "
        "computer, run {command} to check them; otherwise hand {file} in to your instructor.",
        "수는 아래 규칙에 따라 반올림하시오. 답은 {file} 파일에 각 질문 옆에 표시된 "
        "키로 적으시오. 전체 chainrule 키트(생성기가 포함된 과정의 키트, pip install로 설치)가 설치되어 "
        "있으면 {command} 명령으로 확인하고, 아니면 {file} 파일을 강사에게 제출하시오.",
    ),
    "key_intro": (
        "Every line reads: quantity = formula = value. Values are rounded for display; each "
        "line is computed from the exact values of the lines before it. An answer is right when it "
        "agrees with the key to a relative difference of at most 0.000001 (about 6 significant "
        "digits): a student who rounds each line before using it, as the course notes do, may "
        "differ in the last digits and is still right.",
        "각 줄은 '값 = 식 = 결과' 형식이다. 결과는 표시를 위해 반올림했으며, 각 줄은 앞 줄들의 "
        "정확한 값으로 계산했다. 답은 정답과의 상대 차이가 0.000001 이하(유효숫자 약 6자리)이면 맞다. "
        "강의 노트처럼 각 줄을 반올림한 뒤 다음 계산에 쓴 학생은 마지막 자리가 다를 수 있으나 맞은 답이다.",
    ),
    "number_rule": (
        "Numbers: a value that is exactly a decimal of at most 8 significant digits is written as it is "
        "(0.08, -0.5, 2000); any other value gets 8 decimals if its size is between 0.01 and 1 (0.02397190), "
        "else 8 significant digits (1.9664077), in scientific notation below 0.0001 or from 100000000 up "
        "(1.2345678e-05). Round half up on the size (0.123456785 to 0.12345679, -0.123456785 to -0.12345679). "
        "Carry every value into the next line with at least the digits this rule writes: an answer computed "
        "from values rounded to fewer (0.0937 for 0.09372452) can differ from the key by more than its tolerance.",
        "수 표기: 유효숫자 8자리 이하의 유한소수로 정확히 나타나는 값은 그대로 쓴다(0.08, -0.5, 2000). 그 밖의 값은 "
        "크기가 0.01과 1 사이이면 소수점 아래 8자리(0.02397190), 아니면 유효숫자 8자리(1.9664077)로 쓰고, 0.0001보다 "
        "작거나 100000000 이상이면 지수 표기(1.2345678e-05)로 쓴다. 반올림은 크기에 대해 한다(0.123456785는 "
        "0.12345679, -0.123456785는 -0.12345679). 다음 줄의 계산에는 값을 최소한 이 규칙이 쓰는 자릿수까지 "
        "쓰시오. 더 적은 자리로 반올림한 값(0.09372452 대신 0.0937)으로 계산한 답은 정답과의 차이가 허용 오차를 넘을 수 있다.",
    ),
    "answers_for": ("chainrule answers for student {id}", "chainrule 답안: 학생 {id}"),
    # answers.toml's second comment line: "answers_how", then the example of a number blank
    # (a made-up name that is none of the sheet's blanks, a value that is no answer of the
    # sheet), then the choice sentence naming a choice blank of this sheet (no value: it
    # could read as the answer)
    "answers_how": (
        "Write each answer between the quotes, rounded as the worksheet says (the rule below)",
        "각 답을 따옴표 안에 문제지의 규칙(아래)대로 반올림하여 쓰시오.",
    ),
    "answers_how_number": (
        ", e.g. a value of {raw} for a blank named {key} (a made-up name) is written  {key} = \"{value}\" "
        "(8 decimals, as it lies between 0.01 and 1)",
        " 예: {key}라는 항목(예로 지어낸 이름)의 값이 {raw}이면  {key} = \"{value}\"라고 쓴다 (0.01과 1 사이이므로 소수점 "
        "아래 8자리).",
    ),
    "answers_how_choice": (
        "; for a choice such as {key}, write one of the keys listed above it.",
        " {key} 같은 선택형 문제는 그 위 줄에 나열된 보기의 키 중 하나를 쓰시오.",
    ),
    # answers.toml's last comment line, by the sheet's mode (as the sheet's instructions)
    "answers_check_practice": (
        "Then run:  chainrule check answers.toml   (do not edit the [chainrule] tables: they "
        "identify your variant of every problem)",
        "그 뒤 실행:  chainrule check answers.toml   ([chainrule] 섹션은 고치지 마시오: 각 문제의 "
        "변형을 나타낸다)",
    ),
    "answers_check_graded": (
        "Then hand this file in; your instructor checks it (do not edit the [chainrule] tables: "
        "they identify your variant of every problem)",
        "그 뒤 이 파일을 제출하시오. 채점은 강사가 한다 ([chainrule] 섹션은 고치지 마시오: 각 문제의 "
        "변형을 나타낸다)",
    ),
    "answers_check_open": (
        "Then, if the full chainrule kit (with its generator) is installed, run:  "
        "chainrule check answers.toml   Otherwise hand this file in to your instructor (do not edit "
        "the [chainrule] tables: they identify your variant of every problem)",
        "그 뒤 전체 chainrule 키트(생성기 포함)가 설치되어 있으면 실행:  chainrule check answers.toml   "
        "아니면 이 파일을 강사에게 제출하시오 ([chainrule] 섹션은 고치지 마시오: 각 문제의 변형을 나타낸다)",
    ),
    # the running head of a printed page (TeX; HTML where the browser prints margin boxes)
    "page_of": ("page {page} of {pages}", "{page} / {pages} 쪽"),
    "generated_by": ("Generated by chainrule {version}.", "chainrule {version}으로 생성."),
}


def words(lang: str) -> dict:
    """The table for ``lang`` (``en`` or ``ko``)."""
    index = LANGUAGES.index(lang)
    return {key: pair[index] for key, pair in WORDS.items()}
