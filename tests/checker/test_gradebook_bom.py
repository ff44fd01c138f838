"""The CSV files ``chainrule check`` writes start with a UTF-8 byte order mark (trial 13: a
gradebook of Hangul names opened garbled in Excel on Korean Windows, which reads a CSV
without one as CP949). A CSV printed to the terminal has none, and every reader in the kit
takes a file with or without it."""

import csv
import io

import pytest
from click.testing import CliRunner

from chainrule.cli import cli

BOM = b"\xef\xbb\xbf"       # U+FEFF in UTF-8, what Excel looks for


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def korean_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("bom")
    roster = root / "roster.csv"
    roster.write_bytes("id,name\ns001,김민지\ns002,이서준\n".encode("utf-8"))
    result = run("generate", "--students", roster, "--seed", "7", "--lang", "ko", "--format", "md",
                 "--families", "forward_pass", "--out", root / "set")
    assert result.exit_code == 0, result.output
    return root / "set"


def test_the_gradebook_and_the_csv_report_start_with_a_byte_order_mark(korean_set, tmp_path):
    book, report = tmp_path / "book.csv", tmp_path / "class.csv"
    result = run("check", korean_set / "students", "--manifest", korean_set / "manifest.json",
                 "--gradebook", book, "--format", "csv", "-o", report)
    assert result.exit_code == 0, result.output
    data = book.read_bytes()
    assert data.startswith(BOM + b"id,name,")
    assert b"\ns001," + "김민지".encode("utf-8") + b"," in data    # the names as UTF-8 after the mark
    assert data.count(BOM) == 1
    assert report.read_bytes().startswith(BOM + b"student_id,correct,")
    # Python's reader for such files: the mark is not part of the first column's name
    rows = list(csv.DictReader(io.StringIO(book.read_text(encoding="utf-8-sig"))))
    assert [(r["id"], r["name"]) for r in rows] == [("s001", "김민지"), ("s002", "이서준")]


def test_a_csv_report_printed_to_the_terminal_has_no_byte_order_mark(korean_set):
    result = run("check", korean_set / "students" / "s001" / "answers.toml", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"student_id,correct,")


def test_a_text_report_written_to_a_file_has_no_byte_order_mark(korean_set, tmp_path):
    out = tmp_path / "report.txt"
    result = run("check", korean_set / "students" / "s001" / "answers.toml", "-o", out)
    assert result.exit_code == 0, result.output
    assert not out.read_bytes().startswith(BOM)


def test_the_same_class_checked_twice_gives_the_same_bytes(korean_set, tmp_path):
    books = []
    for name in ("a.csv", "b.csv"):
        result = run("check", korean_set / "students", "--manifest", korean_set / "manifest.json",
                     "--gradebook", tmp_path / name)
        assert result.exit_code == 0, result.output
        books.append((tmp_path / name).read_bytes())
    assert books[0] == books[1]
