"""Reading a Gradescope export's ``submission_metadata.yml`` without a YAML library
(``grader.gradescope``): each ``submission_<N>``'s submitters, every other field stepped over.
The expected values are written out by hand from the files, as a YAML reader gives them."""

import pytest

from grader.gradescope import Unusable, for_class, parse, read

# the file as the brief of the task gives it, Gradescope's layout
SAMPLE = """\
submission_123456:
  :submitters:
  - :name: Jane Doe
    :email: jane@example.edu
    :sid: '12345'
  - :name: Kim Minsu
    :email: kim@example.edu
    :sid: '2023001'
  :created_at: 2026-11-02 14:22:32.365935000 -07:00
  :score: 7.0
submission_123457:
  :submitters:
  - :name: "Lee, Ana"
    :email: ana@example.edu
    :sid:
"""


def person(sid, name, email):
    return {"sid": sid, "name": name, "email": email}


def test_gradescope_metadata_sample_gives_each_submissions_submitters_in_order():
    assert parse(SAMPLE.encode()) == [
        ("submission_123456", [person("12345", "Jane Doe", "jane@example.edu"),
                               person("2023001", "Kim Minsu", "kim@example.edu")]),
        ("submission_123457", [person(None, "Lee, Ana", "ana@example.edu")]),
    ]


# what Ruby writes besides: tagged objects, a history with submitters of its own, block text
# holding lines that look like keys, a date with colons, an anchor and its alias, comments
AWKWARD = """\
%YAML 1.1
---
# exported by Gradescope
submission_1: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
  :history:
  - :submitters:
    - :name: Someone Earlier
      :sid: '1'
  - !ruby/object:Submission
    id: 5
    nested: {a: [1, 2], b: "x: y"}
  :results: |
    submission_9:
      :submitters:
      - :name: Not A Student
  :submitters:
    - &1 !ruby/hash:Person
      :id: 55
      :name: 'O''Brien,
        Pat'
      :email: "p\\u00e9\\x41\\"t\\\\\\
        x"   # a comment
      :sid: 007
      :tags:
      - a
      - b
    -
      :name: >-
        Folded
        Name
      :sid: ~
  :created_at: 2026-11-02 14:22:32.365935000 -07:00
"not a submission":
  :submitters:
  - :name: Ignored
submission_2:
  :submitters: []
  :score: !ruby/object:BigDecimal 18:0.7E1
submission_3:
  :created_at: 1
submission_4:
  :submitters:
  - :name:
      Plain
      continued  # a comment
    :email: ''
  - *1
...
submission_5:
  :submitters:
  - :name: after the end of the document
"""


def test_gradescope_metadata_awkward_layouts_read_as_yaml_reads_them():
    pat = person("007", "O'Brien, Pat", 'p\u00e9A"t\\x')
    assert parse(AWKWARD.encode()) == [
        ("submission_1", [pat, person(None, "Folded Name", None)]),
        ("submission_2", []),
        ("submission_3", None),
        ("submission_4", [person(None, "Plain continued", ""), pat]),
    ]


def test_gradescope_metadata_line_ends_and_byte_order_mark_change_nothing():
    expected = parse(SAMPLE.encode())
    assert parse(SAMPLE.replace("\n", "\r\n").encode()) == expected
    assert parse(("\ufeff" + SAMPLE).replace("\n", "\r").encode()) == expected
    # indented lists and four-space indentation are the same file
    indented = SAMPLE.replace("\n  - ", "\n    - ").replace("\n    :", "\n      :").replace("\n  ", "\n    ")
    assert indented != SAMPLE and parse(indented.encode()) == expected


def test_gradescope_metadata_names_in_any_script_and_escapes():
    text = ('submission_7:\n  :submitters:\n  - :name: 김민지\n    :sid: "\\U0001F600"\n'
            '  - :name: "Zo\\u00EB\\tA"\n    :email: "\\ud83d\\ude00"\n    :sid: 12 # a number, kept as written\n')
    assert parse(text.encode()) == [("submission_7", [person("\U0001F600", "김민지", None),
                                                      person("12", "Zo\u00eb\tA", "\U0001F600")])]


@pytest.mark.parametrize("data, why", [
    (b"submission_1:\n  :submitters:\n  - :name: Jos\xe9\n",
     "it is not UTF-8 text (line 3 holds the byte 0xe9)"),
    (b"", "it names no submission_<N> (a Gradescope export's file maps each submission_<N> folder to its "
          "submitters)"),
    (b"- submission_1\n", "line 1 ('- submission_1') is not a 'key: value' line, as the file's top-level keys are"),
    (b"submission_1:\n  :score: 1\n", "none of its 1 submission_<N> has a :submitters: field"),
    (b'submission_1:\n  :submitters:\n  - :name: "Jane\n    :sid: 1\n',
     'line 3 opens a quoted value (") that is never closed'),
    (b"submission_1:\n  :submitters:\n  - :name: Jane\n   :sid: '1'\n",
     "line 4 is indented by 3 spaces where the fields of a submitter of submission_1 are indented by 4"),
    (b"submission_1:\n  :submitters:\n  - :name: Jane\n      :sid: '1'\n",
     "line 4 is indented under :name (line 3) but is not part of its value"),
    (b"submission_1:\n\t:submitters:\n", "line 2 is indented with a tab, which YAML does not allow"),
    (b'submission_1:\n  :submitters:\n  - :name: "a\\qb"\n',
     "line 3 has '\\q' in a double-quoted value, which is no YAML escape"),
    (b"submission_1:\n  :submitters:\n  - :name: 'Jane' Doe\n",
     "line 3 has 'Doe' after a quoted value's closing quote"),
    (b"submission_1:\n  :submitters:\n  - {:name: Jane}\n",
     "line 3 writes a submitter of submission_1 on one line ('{:name: Jane}'), not one field a line as "
     "Gradescope does"),
    (b"submission_1:\n  :submitters: *x\n", "line 2 refers to '*x', which is no list of submitters read before it"),
    (b"submission_1: 5\n", "line 1 gives submission_1 the value '5' instead of its fields below it"),
    (b"submission_1:\n  :submitters: []\nsubmission_1:\n  :submitters: []\n",
     "line 3 names submission_1 again (line 1 did)"),
])
def test_gradescope_metadata_a_file_it_cannot_read_is_refused_with_the_reason(data, why):
    with pytest.raises(Unusable) as caught:
        parse(data)
    assert str(caught.value) == why


def test_gradescope_metadata_for_class_never_raises(tmp_path):
    assert for_class(tmp_path) is None
    (tmp_path / "submission_metadata.yml").write_text(SAMPLE)
    assert for_class(tmp_path) == {"file": "submission_metadata.yml",
                                   "submissions": [[ident, people] for ident, people in parse(SAMPLE.encode())]}
    (tmp_path / "submission_metadata.yml").write_bytes(b"\xff\xfe")
    assert for_class(tmp_path) == {"file": "submission_metadata.yml",
                                   "unusable": "it is not UTF-8 text (line 1 holds the byte 0xff)"}
    (tmp_path / "submission_metadata.yml").unlink()
    (tmp_path / "submission_metadata.yml").mkdir()      # a folder of that name is an entry, not the file
    assert for_class(tmp_path) is None
    with pytest.raises(Unusable, match="^it is not a regular file$"):
        read(tmp_path / "submission_metadata.yml")
