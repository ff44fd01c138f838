"""The generic words of the sheets exist in both languages; Korean uses the notes' terms."""

import re

from generator import i18n

HANGUL = re.compile("[\uac00-\ud7a3]")


def test_i18n_every_word_has_english_and_korean():
    for key, (en, ko) in i18n.WORDS.items():
        assert en.strip() and ko.strip(), key
        assert HANGUL.search(ko), key
        assert not HANGUL.search(en), key
        # the same slots in both languages
        assert sorted(re.findall(r"{(\w+)}", en)) == sorted(re.findall(r"{(\w+)}", ko)), key


def test_i18n_words_table_per_language():
    assert i18n.words("en")["answer_key"] == "Answer key"
    assert i18n.words("ko")["answer_key"] == "풀이 및 정답"
