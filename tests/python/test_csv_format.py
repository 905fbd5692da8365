"""The per-value quoting rules of the real Olist files."""

import io

import pytest

from datagen.csv_format import BARE, ID, QUOTED, TEXT, ZIP, format_value, write_csv


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        # pragma: allowlist nextline secret
        ("e481f51cbdc54678b7cc49136f2d6af7", ID, "e481f51cbdc54678b7cc49136f2d6af7"),
        # pragma: allowlist nextline secret
        ("9ef432eb6251297304e76186b10a928d", ID, '"9ef432eb6251297304e76186b10a928d"'),
        ("01037", ZIP, '"01037"'),
        ("sao paulo", BARE, "sao paulo"),
        ("2017-10-02 10:56:33", BARE, "2017-10-02 10:56:33"),
        (None, ZIP, ""),
        ("", ID, ""),
        ("abc", QUOTED, '"abc"'),
        ("plain text", TEXT, "plain text"),
        ("a, b", TEXT, '"a, b"'),
        ('say "hi"', TEXT, '"say ""hi"""'),
        ("line1\r\nline2", TEXT, '"line1\r\nline2"'),
    ],
)
def test_format_value(value, kind, expected):
    assert format_value(value, kind) == expected


def test_write_csv_crlf_without_final_newline():
    buf = io.StringIO()
    n = write_csv(
        buf,
        ["a", "b"],
        [BARE, BARE],
        [("x", "y"), ("z", "w")],
        newline="\r\n",
        quote_header=False,
        final_newline=False,
    )
    assert n == 2
    assert buf.getvalue() == "a,b\r\nx,y\r\nz,w"


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown quoting kind"):
        format_value("x", "weird")
