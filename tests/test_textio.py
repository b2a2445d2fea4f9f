import pytest

from analysis.core.errors import InputError
from analysis.core.textio import decode, parse_decimal, parse_int, read_delimited


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_decode_accepts_utf8_bom_and_latin1():
    assert decode("År;Øst".encode("utf-8-sig"), "f") == "År;Øst"
    assert decode("År;Øst".encode("latin-1"), "f") == "År;Øst"
    assert decode("År".encode(), "f") == "År"


def test_read_delimited_sniffs_separator_and_numbers_lines(tmp_path):
    p = write(tmp_path, "a.csv", "a;b\n1;2\n\n3;4\n".encode("latin-1"))
    df = read_delimited(p, ["a", "b"])
    assert df["a"].tolist() == ["1", "3"]
    assert df["_line"].tolist() == [2, 4]
    p2 = write(tmp_path, "b.csv", b"a,b\n1,2\n")
    assert read_delimited(p2, ["a", "b"])["b"].tolist() == ["2"]


@pytest.mark.parametrize(
    "content, message, line, column",
    [
        (b"", "file is empty", 1, "a"),
        (b"a;b\n", "no data rows", 2, "a"),
        (b"a;c\n1;2\n", "missing column", 1, "b"),
        (b"a;b;x\n1;2;3\n", "unexpected column", 1, "x"),
        (b"a;b\n1;2\n3\n", "row has 1 fields", 3, "b"),
        # rows that leave the plain (C parser) path are worded as before (decision 0136)
        (b"a;b\n1;2\n3;4;5\n", "row has 3 fields", 3, "(field 3)"),
        (b"a;b\n1;2;3\n3;4\n", "row has 3 fields", 2, "(field 3)"),
        (b"a;b\n\n1;2\n3\n", "row has 1 fields", 4, "b"),
    ],
)
def test_read_delimited_errors_name_line_and_column(tmp_path, content, message, line, column):
    p = write(tmp_path, "bad.csv", content)
    with pytest.raises(InputError) as e:
        read_delimited(p, ["a", "b"])
    assert message in e.value.message
    assert e.value.line == line
    assert e.value.column == column
    assert str(p) in str(e.value)


def test_parse_int_and_decimal_name_the_bad_cell(tmp_path):
    df = read_delimited(write(tmp_path, "n.csv", b"x;y\n1;2,5\n7;x\n"), ["x", "y"])
    assert parse_int(df, "x", "n.csv").tolist() == [1, 7]
    with pytest.raises(InputError) as e:
        parse_decimal(df, "y", "n.csv")
    assert (e.value.line, e.value.column, e.value.value) == (3, "y", "x")
    with pytest.raises(InputError) as e:
        parse_int(df, "x", "n.csv", hi=5)
    assert e.value.line == 3 and "out of range" in e.value.message


PLAIN = (
    "Enhet;År;Kommune;Antall\nPersoner;2019;Ås;12\nProsent;2020;Nord-Aurdal og Etnedal;.\nPersoner;2021;;\n"
)


@pytest.mark.parametrize(
    "other",
    [
        # the same table, not plain: quoted cells, Windows line ends with one quoted cell, padded
        # cells, a blank line (the line numbers then differ from the plain file's: compared apart)
        '"Enhet";"År";"Kommune";"Antall"\n"Personer";"2019";"Ås";"12"\n'
        '"Prosent";"2020";"Nord-Aurdal og Etnedal";"."\n"Personer";"2021";"";""\n',
        PLAIN.replace("\n", "\r\n").replace("Ås", '"Ås"'),
        PLAIN.replace(";", " ; "),
    ],
)
def test_plain_table_read_as_csv_reads_it(tmp_path, other):
    """A plain file (no quotes, no padding, no blank line) goes through pandas' C parser
    (decision 0136); every other spelling of the same table through csv: the frames are equal."""
    from analysis.core.textio import _plain_table

    assert _plain_table(PLAIN, ";") is not None and _plain_table(PLAIN.replace("\n", "\r\n"), ";") is not None
    assert _plain_table(other, ";") is None
    expected = ["Enhet", "År", "Kommune", "Antall"]
    fast = read_delimited(write(tmp_path, "plain.csv", PLAIN.encode("latin-1")), expected)
    crlf = read_delimited(write(tmp_path, "crlf.csv", PLAIN.replace("\n", "\r\n").encode()), expected)
    slow = read_delimited(write(tmp_path, "other.csv", other.encode("utf-8")), expected)
    assert fast.equals(slow) and fast.equals(crlf)
    assert list(fast.columns) == list(slow.columns) and fast.columns.dtype == slow.columns.dtype
    assert fast["Antall"].tolist() == ["12", ".", ""] and fast["_line"].tolist() == [2, 3, 4]
    assert fast.dtypes.tolist() == slow.dtypes.tolist()
