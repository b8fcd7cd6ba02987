"""The one CSV writer: what it writes reads back identical, whatever the text, on every Python version."""
import csv
import io

from hypothesis import example, given
from hypothesis import strategies as st

from tnl.pipeline.csv_writer import format_row, write_csv

cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=5))
@example([["a\rb"]])  # a lone carriage return: unquoted by csv.writer before Python 3.11.9, it split the row
@example([[""]])  # a lone empty field must stay a field
@example([['"', ",", "\n", "\r\n", " x "]])
def test_rows_read_back_identical(rows):
    text = "".join(format_row(row) for row in rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows


@given(st.lists(st.text(st.characters(blacklist_characters="\r", blacklist_categories=("Cs",)), max_size=20),
                min_size=1, max_size=5))
@example(["plain", "with, comma", 'with "quote"', "", "multi\nline"])
def test_same_bytes_as_csv_writer_where_python_versions_agree(row):
    """Files written before keep their bytes: minimal quoting, as csv.writer does wherever no "\\r" is involved."""
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerow(row)
    assert format_row(row) == expected.getvalue()


def test_write_csv_writes_header_then_rows(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(path, ["a", "b"], [["1", "x\ry"], [None, 2]])
    assert path.read_bytes() == b'a,b\n1,"x\ry"\n,2\n'
