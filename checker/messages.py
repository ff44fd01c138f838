"""Every message of ``chainrule check``, in English and Korean (the file's lang chooses).

Messages never contain an expected answer; a named mistake's hint names the mistake,
never the value it gives. A Korean message puts no particle right after a value it quotes
(a student's answer, a key, a file name): the particle that fits depends on how the value is
read aloud, and a placeholder such as "은(는)" reads as a form, not a sentence (trial 18a);
the value goes after a colon or in brackets after a noun instead.
"""

MESSAGES = {
    "unanswered": ("not answered", "답하지 않음"),
    "carried": ("{n} with credit carried forward, ", "이어받아 인정 {n}, "),
    "few": ("{n} with too few digits, ", "자릿수 부족 {n}, "),
    "not_a_number": (
        "{given} is not a number; write one number such as 0.165, -2.5e-3 or 1/3{why}",
        "수가 아니다: {given}; 0.165, -2.5e-3, 1/3처럼 수 하나를 쓰시오{why}",
    ),
    # what ``not_a_number`` adds when the answer shows why it is not read (``judge.read``)
    "why_comma": (" (a decimal point, not a comma)", " (쉼표 대신 소수점을 쓰시오)"),
    # "12,500" may be grouped thousands or a decimal comma: the student's number both ways
    "why_grouping": (" (no comma in a number: {thousands} if the comma groups thousands, {decimal} if it is a "
                     "decimal point)",
                     " (수에는 쉼표를 쓰지 않는다: 천 단위를 나눈 쉼표라면 {thousands}, 소수점이라면 {decimal})"),
    "why_grouping_only": (" (no comma in a number: {thousands})", " (수에는 쉼표를 쓰지 않는다: {thousands})"),
    "why_percent": (" (a fraction, not a percentage: 0.33, not 33%)", " (백분율 대신 소수로 쓰시오: 33%가 아니라 0.33)"),
    "why_power": (" (a power of ten as e: 9.25e-5 for 9.25 × 10^-5)", " (10의 거듭제곱은 e로 쓰시오: 9.25 × 10^-5는 9.25e-5)"),
    "not_a_choice": (
        "{given} is not one of the choices; write one of {keys}",
        "보기에 없는 답이다: {given}; {keys} 중 하나를 쓰시오",
    ),
    "wrong_choice": ("not the right choice", "맞는 보기가 아니다"),
    "wrong_sign": ("wrong sign", "부호가 틀렸다"),
    "wrong_sign_and": ("wrong sign; apart from the sign, {hint}", "부호가 틀렸다; 부호를 빼면 {hint}"),
    "too_few_digits": (
        "agrees to the {k} significant {digits} you gave; write more digits, rounded as the worksheet says "
        "(8 decimals between 0.01 and 1, else 8 significant digits)",
        "쓴 유효숫자 {k}자리까지 맞는다; 문제지의 규칙대로 더 많은 자릿수를 쓰시오 "
        "(0.01과 1 사이는 소수점 아래 8자리, 그 밖에는 유효숫자 8자리)",
    ),
    # the digits given are the answer cut off, not rounded: nothing is said to agree
    "too_few_digits_cut": (
        "too few digits to tell whether this is right ({k} significant {digits}); the worksheet rounds: write 8 "
        "decimals between 0.01 and 1, else 8 significant digits, the last one rounded half up, not cut off",
        "자릿수가 너무 적어 맞는지 알 수 없다 (유효숫자 {k}자리); 문제지는 반올림한다: 0.01과 1 사이는 소수점 아래 "
        "8자리, 그 밖에는 유효숫자 8자리로 쓰고, 마지막 자리는 버리지 말고 반올림하시오",
    ),
    # a number off by a factor of 100 (within the tolerance once scaled back): a percentage for
    # a fraction, or the decimal point two places off
    "times_100": (
        "100 times the right value (a fraction, not a percentage: 0.33, not 33)",
        "맞는 값의 100배다 (백분율 대신 소수로 쓰시오: 33이 아니라 0.33)",
    ),
    "times_100_and": (
        "100 times the right value (a fraction, not a percentage: 0.33, not 33); apart from that, {hint}",
        "맞는 값의 100배다 (백분율 대신 소수로 쓰시오: 33이 아니라 0.33); 그 점을 빼면 {hint}",
    ),
    "over_100": (
        "1/100 of the right value (the decimal point is two places off)",
        "맞는 값의 1/100이다 (소수점이 두 자리 어긋났다)",
    ),
    "over_100_and": (
        "1/100 of the right value (the decimal point is two places off); apart from that, {hint}",
        "맞는 값의 1/100이다 (소수점이 두 자리 어긋났다); 그 점을 빼면 {hint}",
    ),
    "rounded_intermediate": (
        "this is what you get from intermediate values rounded to {k} significant digits: carry more digits "
        "until the end",
        "중간값을 유효숫자 {k}자리로 반올림하면 나오는 값이다: 끝까지 더 많은 자릿수로 계산하시오",
    ),
    "rounded_own": (
        "this is what your own rounded values give ({used}): carry more digits until the end",
        "직접 반올림한 값({used})으로 계산하면 나오는 값이다: 끝까지 더 많은 자릿수로 계산하시오",
    ),
    # a wrong answer that is the value of another blank or of a step of the key (a swap: o_2's
    # value written for o_1, h_2 where h_1 belongs); open and graded sheets only
    "elsewhere": ("this is the value of {names}", "이 값은 {names}의 값이다"),
    "elsewhere_short": (
        "to the {k} significant digits you gave, this is the value of {names}",
        "쓴 유효숫자 {k}자리까지 보면 이 값은 {names}의 값이다",
    ),
    "elsewhere_blank": ("{key} (part {letter})", "{key}({letter} 문항)"),
    # 4 or 5 digits: the method is likely right and a value was rounded on the way (the
    # activations rounded to 3 digits, the weighted inputs exact: trial 19b)
    "agrees_to_carry": (
        "agrees to {k} significant digits, but not to the digits asked: if you rounded a value on the way (an "
        "activation, say), carry all its digits until the end",
        "유효숫자 {k}자리까지 맞지만, 요구한 자릿수까지는 맞지 않는다: 중간값(활성값 등)을 반올림했다면 끝까지 모든 "
        "자릿수로 계산하시오",
    ),
    # a practice sheet's answer that a named mistake of an earlier blank, made there, gives
    # (the mistake's ``through``): not a new mistake (trial 19b: one t - o charged three times)
    "follows_from": (
        "follows from your {used}: the same mistake carried on, not a new one (the steps after it are right); "
        "recompute this once that answer is fixed",
        "앞에서 쓴 답({used})에서 이어진 값이다: 새 실수가 아니라 같은 실수가 이어진 것이다(그 뒤의 계산은 맞다); "
        "그 답을 고친 뒤 다시 계산하시오",
    ),
    "follows_used": ("{key} = {given} (part {letter})", "{key} = {given}, {letter} 문항"),
    # several named mistakes give this one value (no_eta and no_half at eta = 0.5): the answer
    # cannot tell which, so they are offered as alternatives, not charged together
    "mistakes_either": (
        "more than one mistake gives this value here: {hints}",
        "여기서는 여러 실수가 같은 값을 낸다: {hints}",
    ),
    "mistakes_or": ("; or ", "; 또는 "),
    "agrees_to": (
        "agrees to {k} significant digits, but not to the digits asked",
        "유효숫자 {k}자리까지 맞지만, 요구한 자릿수까지는 맞지 않는다",
    ),
    "consistent": (
        "consistent with your {used}: credit carried forward",
        "앞에서 쓴 답({used})으로 계산한 값과 같다: 앞 답을 이어받아 맞은 것으로 본다",
    ),
    "consistent_half": (
        "consistent with your {used}: half credit carried forward",
        "앞에서 쓴 답({used})으로 계산한 값과 같다: 앞 답을 이어받아 점수의 절반을 준다",
    ),
    "consistent_trivial": (
        "consistent with your {used}, but with that value this step asks no work (it gives 0, a given "
        "value or another of your answers): no credit is carried forward",
        "앞에서 쓴 답({used})으로 계산한 값과 같지만, 그 값으로는 이 단계에서 할 계산이 없다(0이나 주어진 값, 또는 "
        "앞에서 쓴 다른 답이 나온다): 앞 답을 이어받은 점수는 주지 않는다",
    ),
    "consistent_none": (
        "consistent with your {used}, but not the right value (no credit is carried forward)",
        "앞에서 쓴 답({used})으로 계산한 값과 같지만 맞는 값은 아니다 (앞 답을 이어받은 점수는 주지 않는다)",
    ),
    "too_long": (
        "{given} is not an answer (at most {chars} characters, {digits} digits, a size between 1e-{e} and 1e{e}); "
        "write one number such as 0.165",
        "답이 아니다: {given} (최대 {chars}자, 숫자 {digits}개, 크기 1e-{e}부터 1e{e}까지); 0.165처럼 수 하나를 쓰시오",
    ),
    "tolerance": (
        "Numbers count as right within {tolerance}{how}.",
        "수는 {tolerance} 이내면 맞는 것으로 본다{how}.",
    ),
    "tolerance_default": (" (each family's default)", " (문제 유형별 기본값)"),
    "tolerance_given": (" (--tolerance)", " (--tolerance)"),
    "practice_rebuilt_note": (
        "Practice sheet, rebuilt by the kit (its hashes are not read): judged to {k} significant digits (one unit "
        "either way in the last), as the student's own check judges it; no credit is carried forward.",
        "연습 문제지, 키트가 문제를 다시 만들어 판정한다(파일의 해시는 읽지 않는다): 학생 자신의 확인과 같이 유효숫자 "
        "{k}자리까지 판정한다 (마지막 자리 ±1); 앞 답을 이어받은 점수는 주지 않는다.",
    ),
    "practice_note": (
        "Practice sheet: judged from salted hashes, to {k} significant digits (one unit either way in the last); "
        "no credit is carried forward.",
        "연습 문제지: 솔트를 넣은 해시로 유효숫자 {k}자리까지 판정한다 (마지막 자리 ±1); 앞 답을 이어받은 점수는 주지 않는다.",
    ),
    # a practice sheet keeps no hash below 6 digits: a short answer that is the answer at its
    # digits (or too short to tell) cannot be judged; one that is not is said to be wrong
    "practice_too_few": (
        "cannot be judged with {k} {digits}; give 8 significant digits (8 decimals between 0.01 and 1), rounded "
        "as the worksheet says",
        "유효숫자 {k}자리로는 판정할 수 없다; 문제지의 규칙대로 유효숫자 8자리(0.01과 1 사이는 소수점 아래 8자리)로 "
        "반올림하여 쓰시오",
    ),
    "practice_short_skipped": (
        "{n} short {answers} (4 or 5 significant digits) could not be compared at the digits given: each takes up to "
        "152 hashes, and a file gets {tries}; give 8 significant digits and check again",
        "짧은 답 {n}개(유효숫자 4자리나 5자리)는 그 자릿수로 비교하지 못했다: 답 하나에 해시가 152번까지 들고 파일 하나에는 "
        "{tries}번까지만 쓴다; 유효숫자 8자리로 써서 다시 확인하시오",
    ),
    # an edited practice file of hundreds of invented blanks: its check stops hashing at
    # ``checker.practice.HASH_BUDGET``; the answers past it are not judged (not wrong)
    "practice_not_judged": (
        "not judged: this file's hashing budget was spent before this answer (see the note below)",
        "판정하지 않았다: 이 답에 이르기 전에 파일의 해시 예산을 다 썼다 (아래 참고)",
    ),
    "practice_budget_spent": (
        "{n} {answers} not judged: checking this practice file of {problems} problems makes at most {hashes} hashes, "
        "and its {blanks} blanks needed more; a sheet of that many problems from chainrule generate needs no more "
        "(unless it has over 60 problems), so its [chainrule.practice] tables were probably edited (blanks added): "
        "check the answers.toml that chainrule generate wrote",
        "답 {n}개는 판정하지 않았다: 문제 {problems}개의 이 연습 문제지를 확인할 때 해시는 최대 {hashes}번까지만 계산하는데 "
        "항목 {blanks}개에는 그보다 많이 필요했다; chainrule generate가 만든 그만한 문제지에는 (문제가 60개를 넘지 않으면) "
        "그보다 많이 들지 않으므로 [chainrule.practice] 섹션이 고쳐졌을 것이다(항목 추가): chainrule generate가 쓴 "
        "answers.toml을 확인하시오",
    ),
    "unjudged": (", {n} not judged", ", 판정하지 않음 {n}"),
    "practice_short_wrong": (
        "not the right value, not even to the {k} significant {digits} you gave",
        "쓴 유효숫자 {k}자리까지도 맞는 값이 아니다",
    ),
    "not_within": (
        "not the right value (an answer must agree to about {k} significant digits)",
        "맞는 값이 아니다 (답은 유효숫자 약 {k}자리까지 맞아야 한다)",
    ),
    "not_right_value": ("not the right value", "맞는 값이 아니다"),
    "not_whole": (
        "not a whole number; this question asks for an integer",
        "정수가 아니다; 이 질문의 답은 정수다",
    ),
    "wrong_integer": ("not the right number", "맞는 수가 아니다"),
    "unknown_key": (
        "unknown key '{key}' in [{table}] (not checked); its keys are {keys}",
        "[{table}]의 '{key}': 없는 키라 확인하지 않았다; 이 문제의 키는 {keys}",
    ),
    "unknown_key_close": (
        "unknown key '{key}' (did you mean '{close}'?) in [{table}]; it is not checked",
        "[{table}]의 '{key}': 없는 키라 확인하지 않았다 ('{close}'의 오타인가?)",
    ),
    "unknown_lang": (
        "unknown lang {code} in the [chainrule] table; checking in English",
        "unknown lang {code} in the [chainrule] table; checking in English",
    ),
    "checked_problems": (
        "Checked {n} {problems}: {keys}",
        "확인한 문제 {n}개: {keys}",
    ),
    "unknown_table": (
        "the file has no problem '{key}' (ignored); its problems are {keys}",
        "파일에 '{key}' 문제가 없어 무시했다; 이 파일의 문제는 {keys}",
    ),
    "header": (
        "Checked {source}: student {student}, course seed {seed}",
        "{source} 확인: 학생 {student}, 과정 시드 {seed}",
    ),
    "header_preset": (
        "Checked {source}: preset {preset}",
        "{source} 확인: 프리셋 {preset}",
    ),
    "problem": (
        "Problem {number}. {title}  ({key}, variant {variant}): {correct} of {total}",
        "문제 {number}. {title}  ({key}, 변형 {variant}): {total}문항 중 {correct}문항 정답",
    ),
    "note": ("Note: {text}", "참고: {text}"),
    "total": (
        "{correct} of {total} correct ({carried}{wrong} wrong, {few}{unanswered} not answered, {invalid} "
        "invalid{unjudged})",
        "{total}문항 중 {correct}문항 정답 ({carried}오답 {wrong}, {few}답하지 않음 {unanswered}, 형식 오류 "
        "{invalid}{unjudged})",
    ),
    "class_total": (
        "All {files} files: {correct} of {total} correct ({carried}{wrong} wrong, {few}{unanswered} not answered, "
        "{invalid} invalid{unjudged})",
        "파일 {files}개 전체: {total}문항 중 {correct}문항 정답 ({carried}오답 {wrong}, {few}답하지 않음 {unanswered}, "
        "형식 오류 {invalid}{unjudged})",
    ),
    # --- the file arguments: a file that cannot be read, or is not an answers file ---------------
    # (``checker.answers_file.read``, ``chainrule check``'s own FILE checks). In Korean when the
    # file says lang = "ko", or when it cannot say and the --manifest or the set's manifest does
    "no_such_path": (
        "{what} '{path}' does not exist; give the students' answers.toml files or a folder that holds them.",
        "{what} 없다: '{path}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 주시오.",
    ),
    # ``no_such_path``'s {what}: a name written with a trailing slash, one ending .toml, another
    "path_folder": ("Folder", "폴더가"),
    "path_file": ("File", "파일이"),
    "path_other": ("Path", "경로가"),
    "empty_folder": (
        "Folder '{path}' holds no .toml file; give the students' answers.toml files or a folder that holds them.",
        "폴더에 .toml 파일이 하나도 없다: '{path}'; 학생들의 answers.toml 파일이나 그 파일들이 든 폴더를 주시오.",
    ),
    "zip_file": (
        "'{path}' is a zip file; unzip it and give the folder (chainrule check FOLDER checks every .toml file in it).",
        "'{path}': zip 파일이다; 압축을 풀고 그 폴더를 주시오 (chainrule check FOLDER는 폴더 안의 .toml 파일을 모두 "
        "확인한다).",
    ),
    "is_folder": (
        "'{path}' is a folder, not an answers.toml file.",
        "'{path}': answers.toml 파일이 아니라 폴더다.",
    ),
    "cannot_read": ("Cannot read '{path}': {reason}.", "'{path}': 파일을 읽을 수 없다({reason})."),
    "not_readable": (
        "",   # English: click's own "Invalid value for 'FILE...': File '...' is not readable."
        "'{path}': 파일을 읽을 수 없다(읽기 권한이 없다).",
    ),
    "not_regular": (
        "'{path}' is not a file ({kind}); give the answers.toml a student filled in.",
        "'{path}': 파일이 아니다({kind_ko}); 학생이 답을 쓴 answers.toml을 주시오.",
    ),
    "manifest_given": (
        "'{path}' is {what}, not an answers file; give it with --manifest and the answers.toml files as arguments.",
        "'{path}': answers 파일이 아니라 생성한 세트의 매니페스트다; 매니페스트는 --manifest로 주고, answers.toml "
        "파일들을 인자로 주시오.",
    ),
    "other_kind": (
        "'{path}' is {what}, not an answers file; chainrule check takes the answers.toml a student filled in "
        "(students/<id>/answers.toml of a generated set).",
        "'{path}': answers 파일이 아니라 {what_ko}; chainrule check는 학생이 답을 쓴 answers.toml을 확인한다 "
        "(생성한 세트의 students/<id>/answers.toml).",
    ),
    "too_large": (
        "'{path}' is larger than {mb} MB; an answers.toml is a few kilobytes (is it the right file?).",
        "'{path}': {mb} MB보다 크다; answers.toml은 몇 킬로바이트짜리 파일이다 (맞는 파일인가?).",
    ),
    "not_utf8": (
        "'{path}' is not UTF-8 text (line {line}); save it as UTF-8{hint}.",
        "'{path}': UTF-8 텍스트가 아니다({line}번째 줄); UTF-8로 저장하시오{hint}.",
    ),
    "no_chainrule_table": (
        "",   # English: ``checker.answers_file.meta_error``'s sentence
        "'{source}': [chainrule] 섹션이 없다: chainrule generate가 쓴 answers.toml을 확인하시오 ([chainrule] 섹션은 "
        "쓰인 그대로 두어야 한다).",
    ),
    # --- an answers file against the class's manifest (``checker.manifest_file.against``) ---------
    "not_in_manifest": (
        "'{source}' is the answers file of '{student}', who is not a student of the manifest '{manifest}': it "
        "belongs to another class or its [chainrule] table was edited.",
        "'{source}': 학생 '{student}'의 answers 파일인데, 이 학생은 매니페스트 '{manifest}'에 없다: 다른 반의 "
        "파일이거나 [chainrule] 섹션이 고쳐졌다.",
    ),
    "other_mode": (
        "'{source}' of {student} is {kind}, the manifest '{manifest}' lists {mode} sheets: it belongs to another "
        "set{why}",
        "'{source}'(학생 {student}): {kind_ko}인데 매니페스트 '{manifest}'에 나열된 것은 {mode_ko}다: 다른 세트의 "
        "파일이다{why_ko}",
    ),
    "other_mode_why": (
        " (a student checks a practice sheet with chainrule check alone).",
        " (연습 문제지는 학생이 --manifest 없이 chainrule check로 확인한다).",
    ),
    "other_seed": (
        "'{source}' of {student} has course seed {seed}, the manifest gives {given}: its [chainrule] table was "
        "edited or it belongs to another class.",
        "'{source}'(학생 {student}): 과정 시드가 매니페스트와 다르다(파일: {seed}, 매니페스트: {given}); "
        "[chainrule] 섹션이 고쳐졌거나 다른 반의 파일이다.",
    ),
    "other_preset": (
        "'{source}' of {student} has preset {preset}, the manifest gives {given}: it is not the sheet this student "
        "was given.",
        "'{source}'(학생 {student}): 프리셋이 매니페스트와 다르다(파일: {preset_ko}, 매니페스트: {given_ko}); 이 "
        "학생이 받은 문제지가 아니다.",
    ),
    "other_secret": (
        "'{source}' of {student} was made with another course secret than the manifest's (or none): it belongs to "
        "another class or its [chainrule] table was edited.",
        "'{source}'(학생 {student}): 매니페스트와 다른 과정 비밀 키로 만든 파일이다(한쪽에만 비밀 키가 있거나 지문이 "
        "다르다); 다른 반의 파일이거나 [chainrule] 섹션이 고쳐졌다.",
    ),
    "other_count": (
        "'{source}' of {student} lists {n} problems, the manifest gives {given}: problems were {what} its "
        "[chainrule] table.",
        "'{source}'(학생 {student}): 문제 수가 매니페스트와 다르다(파일: {n}개, 매니페스트: {given}개); {what_ko}.",
    ),
    "other_variant": (
        "'{source}' of {student} gives problem {number} ('{key}', {family}) as variant {variant}, but the "
        "manifest's variant for this student is {given}: its [chainrule] table was edited, or the file is another "
        "student's.",
        "'{source}'(학생 {student}): 문제 {number}('{key}', {family})의 변형이 이 학생에게 매니페스트가 준 변형과 "
        "다르다(파일: {variant}, 매니페스트: {given}); [chainrule] 섹션이 고쳐졌거나 다른 학생의 파일이다.",
    ),
    "other_problem": (
        "'{source}' of {student} gives problem {number} as '{key}' ({family} variant {variant}, occurrence "
        "{occurrence}), the manifest gives '{key2}' ({family2} variant {variant2}, occurrence {occurrence2}): its "
        "[chainrule] table was edited.",
        "'{source}'(학생 {student}): 문제 {number}의 키, 문제 유형이나 변형이 매니페스트와 다르다(파일: '{key}', {family} 변형 {variant}, 순번 "
        "{occurrence}; 매니페스트: '{key2}', {family2} 변형 {variant2}, 순번 {occurrence2}); [chainrule] 섹션이 "
        "고쳐졌다.",
    ),
    # --- a sheet rebuilt by the kit, or refused (``checker.check``) ----------------------------
    # what ``checker.answers_file.meta_error`` says the [chainrule] tables (or a problem's) have
    "meta_unknown_preset": ("an unknown preset {preset}", "알 수 없는 프리셋이 있다({preset})"),
    "meta_preset_count": (
        "{n} problems where the preset {preset} has {count}",
        "문제가 {n}개 있다(프리셋 {preset}의 문제는 {count}개)",
    ),
    "meta_not_a_table": (
        "'{key}' as a value where the answers of problem '{key}' belong in a [{key}] table",
        "문제 '{key}'의 답이 들어갈 [{key}] 섹션 대신 같은 이름의 값이 있다",
    ),
    # what to do with a file whose [chainrule] tables were edited: said to the student who checks
    # it, or in a class check to the instructor (``{fix}`` of the messages that follow)
    "fix_copy": (
        "Copy your answers into the answers.toml that came with your worksheet.",
        "문제지와 함께 받은 answers.toml에 답을 옮겨 쓰시오.",
    ),
    "fix_copy_instructor": (
        "The student should hand in the answers.toml that came with their worksheet, answers copied into it.",
        "학생은 문제지와 함께 받은 answers.toml에 답을 옮겨 적어 제출해야 한다.",
    ),
    "family_edited": (
        "'{source}': problem '{key}' is of family '{family}', which chainrule does not have; the [chainrule] tables "
        "were edited. {fix}",
        "'{source}': 문제 '{key}'의 문제 유형이 chainrule에 없다({family}); [chainrule] 섹션이 고쳐졌다. {fix}",
    ),
    "family_other_kit": (
        "'{source}': problem '{key}' is of family '{family}', which this chainrule ({version}) does not have (the "
        "file was made by {kit}); check it with the chainrule version that made it.",
        "'{source}': 문제 '{key}'의 문제 유형이 이 chainrule({version})에 없다({family}; 파일을 만든 버전: {kit}); 파일을 "
        "만든 chainrule 버전으로 확인하시오.",
    ),
    "variant_edited": (
        "'{source}': problem '{key}' is {family} variant {variant} in the file, but chainrule makes {made_family} "
        "variant {made_variant} for it; the [chainrule] tables were edited. {fix}",
        "'{source}': 문제 '{key}'의 변형이 chainrule이 만드는 변형({made_family} {made_variant})과 다르다(파일: {family} "
        "{variant}); [chainrule] 섹션이 고쳐졌다. {fix}",
    ),
    "variant_other_kit": (
        "'{source}': problem '{key}' is {family} variant {variant} in the file, but this chainrule ({version}) makes "
        "{made_family} variant {made_variant} for it; the [chainrule] tables were edited or the file was made by "
        "chainrule {kit}. Copy your answers into the answers.toml that came with your worksheet, or check with the "
        "chainrule version that made it.",
        "'{source}': 문제 '{key}'의 변형이 이 chainrule({version})이 만드는 변형({made_family} {made_variant})과 "
        "다르다(파일: {family} {variant}); [chainrule] 섹션이 고쳐졌거나 다른 chainrule 버전({kit})으로 만든 파일이다. "
        "문제지와 함께 받은 answers.toml에 답을 옮겨 쓰거나, 파일을 만든 chainrule 버전으로 확인하시오.",
    ),
    # a graded sheet checked without the course secret: by the instructor (the full kit), or by
    # a student in their copy (no generator), who hands it in
    "graded_needs_secret": (
        "'{source}' is a graded sheet: checking it needs the course secret (chainrule check --secret-file FILE "
        "--manifest manifest.json); nothing was judged.",
        "'{source}': 채점용 문제지라 확인하려면 과정 비밀 키가 필요하다 (chainrule check --secret-file FILE --manifest "
        "manifest.json). 아무것도 채점하지 않았다.",
    ),
    "graded_hand_in": (
        "'{source}' is a graded sheet, which only your instructor can check (with the course secret): hand it in; "
        "nothing was judged.",
        "'{source}': 채점용 문제지라 과정 비밀 키를 가진 강사만 확인할 수 있다: 이 파일을 제출하시오. 아무것도 채점하지 "
        "않았다.",
    ),
    "open_needs_kit": (
        "'{source}' is an open worksheet, which only the full chainrule kit (with its generator and sympy) can "
        "check, not this student installation: hand it in to your instructor, or check it where the full kit is "
        "installed; nothing was judged.",
        "'{source}': 공개 문제지라 문제 생성기와 sympy가 있는 chainrule 전체 키트만 확인할 수 있고, 이 학생용 설치로는 "
        "확인할 수 없다: 강사에게 제출하거나 전체 키트가 설치된 곳에서 확인하시오. 아무것도 채점하지 않았다.",
    ),
    "practice_needs_secret": (
        "'{source}' is a practice sheet made with the course secret: a class check rebuilds its problems, which "
        "needs the secret (--secret-file FILE); nothing was judged.",
        "'{source}': 과정 비밀 키로 만든 연습 문제지라 학급 확인에서 문제를 다시 만들려면 비밀 키가 필요하다(--secret-file "
        "FILE). 아무것도 채점하지 않았다.",
    ),
    "another_secret_file": (
        "'{source}' was made with another course secret than the --secret-file given (fingerprints differ); "
        "nothing was judged.",
        "'{source}': --secret-file의 과정 비밀 키가 아닌 다른 비밀 키로 만든 파일이다(지문이 다르다). 아무것도 채점하지 "
        "않았다.",
    ),
    "practice_edited": (
        "'{source}': the [chainrule] tables were edited (its variants are not this practice set's). {fix}",
        "'{source}': [chainrule] 섹션이 고쳐졌다(변형이 이 연습 문제 세트의 것이 아니다). {fix}",
    ),
    # a practice set an earlier chainrule drew with the course secret itself: the graded variants
    "practice_graded_variants": (
        "'{source}' is a practice sheet made with the course secret by a chainrule before practice sets got a key "
        "of their own: its variants are the graded sheets', so its student could check graded work with it; "
        "generate the practice set again (chainrule generate --practice --secret-file), nothing was judged.",
        "'{source}': 연습 문제 세트에 별도의 키가 생기기 전의 chainrule이 과정 비밀 키로 만든 연습 문제지라 변형이 채점용 "
        "문제지와 같아, 그 학생이 채점용 답을 확인할 수 있다: 연습 문제 세트를 다시 만드시오 (chainrule generate "
        "--practice --secret-file). 아무것도 채점하지 않았다.",
    ),
    "practice_tolerance": (
        "'{source}' is a practice sheet, whose hashes keep each answer at {digits} significant digits only: use "
        "--tolerance sig:{digits} or none, not {tolerance}.",
        "'{source}': 연습 문제지라 해시가 답을 유효숫자 {digits}자리까지만 담고 있다: --tolerance 없이 확인하거나 "
        "--tolerance sig:{digits}만 쓰시오 (주어진 값: {tolerance}).",
    ),
    "internal_error": (
        "'{source}' could not be checked (internal error: {error}).",
        "'{source}': 확인할 수 없었다(내부 오류: {error}).",
    ),
}

#: what ``cannot_read`` says of the common reasons a file cannot be read, in Korean (another
#: reason stays as the system says it)
READ_REASONS_KO = {"ENOENT": "그런 파일이 없다", "EACCES": "읽기 권한이 없다", "EPERM": "읽기 권한이 없다",
                   "ENOTDIR": "경로의 한 부분이 폴더가 아니다", "ELOOP": "링크가 끝없이 이어진다"}
#: ``other_kind``'s kinds of file (``checker.answers_file._other_kind``), in Korean
KINDS_KO = {
    "a PDF (a printed worksheet or answer key)": "PDF 파일이다(인쇄한 문제지나 풀이 및 정답)",
    "an answer key": "풀이 및 정답 문서다",
    "a worksheet (or another document)": "문제지(또는 다른 문서)다",
}
#: ``not_regular``'s kinds of file, in Korean
SPECIAL_KO = {"a FIFO": "FIFO", "a device": "장치 파일", "a socket": "소켓", "a special file": "특수 파일"}
#: the sheet modes ``other_mode`` names
MODES_EN = {"practice": "a practice sheet", "graded": "a graded sheet", "open": "an open sheet"}
MODES_KO = {"practice": "연습 문제지", "graded": "채점용 문제지", "open": "공개 문제지"}


# --- a class check's own lines (chainrule/commands/check.py, checker.check) -----------------------
CLASS_MESSAGES = {
    # files a class check could not check; ``covered`` is one of the four that follow
    "class_failures": (
        "{failed} of {total} answers files could not be checked (the lines above say why); {covered}",
        "answers 파일 {total}개 중 {failed}개는 확인할 수 없었다(이유는 위 줄에 있다); {covered}",
    ),
    "covered_report": ("the report covers the others.", "나머지는 보고서에 있다."),
    "covered_none": ("there is no report.", "보고서는 없다."),
    "covered_csv_report": ("the report covers the others (and gives the reason in its error column).",
                           "나머지는 보고서에 있다(확인하지 못한 파일의 이유는 보고서의 error 열에 있다)."),
    "covered_csv": ("the report gives the reasons in its error column.", "이유는 보고서의 error 열에 있다."),
    # files made with the course secret given without it; ``these`` is one of the three that follow
    "secret_these_some": ("{count} of the {total} answers files", "answers 파일 {total}개 중 {count}개"),
    "secret_these_all": ("all {total} answers files", "answers 파일 {total}개 모두"),
    "secret_these_one": ("the answers file", "answers 파일"),
    "secret_summary_kit": (
        "{These} were made with the course secret (graded sheets, or practice sheets made with it): checking "
        "them needs it (chainrule check --secret-file FILE --manifest manifest.json); nothing in them was judged.",
        "{these}: 과정 비밀 키로 만든 파일이라(채점용 문제지, 또는 비밀 키로 만든 연습 문제지) 확인하려면 비밀 키가 "
        "필요하다 (chainrule check --secret-file FILE --manifest manifest.json). 아무것도 채점하지 않았다.",
    ),
    "secret_summary_student": (
        "{These} were made with the course secret, so only your instructor can check them: hand them in; "
        "nothing in them was judged.",
        "{these}: 과정 비밀 키로 만든 파일이라 강사만 확인할 수 있다: 제출하시오. 아무것도 채점하지 않았다.",
    ),
    # --secret-file given for sheets made without a secret (a warning, not a refusal)
    "secret_unused_one": (
        "Warning: '{source}' is {kind} made without a course secret, so --secret-file was not used; only sheets "
        "made with the secret need it.",
        "Warning: '{source}': 과정 비밀 키 없이 만든 {kind}라 --secret-file은 쓰지 않았다; 비밀 키로 만든 문제지에만 "
        "필요하다.",
    ),
    "secret_unused_some": (
        "Warning: {some} answers files checked {verb} made without a course secret ({shown}), so --secret-file was "
        "not used for {them}; only sheets made with the secret need it.",
        "Warning: 확인한 answers 파일 {some} 과정 비밀 키 없이 만든 것이라({shown}) 그 파일에는 --secret-file을 "
        "쓰지 않았다; 비밀 키로 만든 문제지에만 필요하다.",
    ),
    # ``secret_unused_some``'s {some}, and ``secret_unused_one``'s {kind} of a sheet of no known mode
    "unused_all": ("all {total}", "{total}개는 모두"),
    "unused_some": ("{count} of the {total}", "{total}개 중 {count}개는"),
    "a_sheet": ("a sheet", "문제지"),
    # a folder argument's entry that links out of the folder: left out
    "link_outside": (
        "Note: '{path}' is a link to '{real}', outside '{folder}': not checked.",
        "Note: '{path}': 폴더 '{folder}' 밖을 가리키는 링크라 확인하지 않았다(가리키는 곳: '{real}').",
    ),
    # practice sheets of a class check without --manifest: judged from hashes a student can rewrite
    "practice_trusted": (
        "Warning: {n} practice {sheets} {verb} judged from {its} own hashes, which a student can rewrite; for "
        "marks, check a class with --manifest (the kit then rebuilds every problem).",
        "Warning: 연습 문제지 {n}개를 파일 자체의 해시로 판정했다. 해시는 학생이 다시 쓸 수 있으므로, 점수를 매기려면 "
        "--manifest로 학급을 확인하시오(그러면 키트가 모든 문제를 다시 만든다).",
    ),
    "duplicate_id": (
        "Warning: {n} answers files carry the student id '{student}' ({paths}); each is reported, so keep the one "
        "that counts.",
        "Warning: answers 파일 {n}개에 같은 학번이 적혀 있다('{student}': {paths}); 모두 보고하므로 인정할 파일 하나만 "
        "남기시오.",
    ),
    # the manifest's students without a file; ``end`` is "." or, with --gradebook, one of the two after
    "missing_students": (
        "Note: {n} of the manifest's {active} students {verb} no answers file here: {shown}{end}",
        "Note: 매니페스트의 학생 {active}명 중 {n}명은 여기에 answers 파일이 없다: {shown}{end}",
    ),
    "missing_row": (" (the gradebook row is empty).", " (성적표에서 그 행은 비어 있다)."),
    "missing_rows": (" (their gradebook rows are empty).", " (성적표에서 그 행은 비어 있다)."),
    "wrote_gradebook": (
        "Wrote the gradebook for {n} {files} to {path}.",
        "answers 파일 {n}개의 성적표를 {path}에 썼다.",
    ),
    "wrote_report": (
        "Wrote the {fmt} report for {n} {files} to {path}.",
        "answers 파일 {n}개의 {fmt} 보고서를 {path}에 썼다.",
    ),
    "below_fail_under": ("Below --fail-under {percent}%: {shown}.", "--fail-under {percent}% 미만: {shown}."),
}
MESSAGES.update(CLASS_MESSAGES)


def message(lang: str, name: str, **slots) -> str:
    """The message ``name`` in ``lang`` ("ko" or anything else: English), slots filled."""
    pair = MESSAGES[name]
    return (pair[1] if lang == "ko" else pair[0]).format(**slots)
