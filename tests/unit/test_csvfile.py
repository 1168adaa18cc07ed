"""The bulk upload's file rules (issue 11): reading, the chunks' byte ranges, neutralising formulas."""

from __future__ import annotations

import pytest
from leadwave.rules import csvfile


def _chunks(data: bytes, monkeypatch, size: int):
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", size)
    sheet = csvfile.read_sheet(csvfile.decode(data), bom=data.startswith(b"\xef\xbb\xbf"))
    out = []
    for i, (start, end) in enumerate(sheet.chunks):
        first = 2 + i * size
        out.append([(r.number, r.values.get("first_name"))
                    for r in csvfile.rows(csvfile.decode(data[start:end]), first, first + size - 1,
                                          columns=list(sheet.columns))])
    return sheet, out


def test_each_chunk_is_a_byte_range_holding_exactly_its_rows(monkeypatch):
    data = ("\ufeffphone,first_name\r\n4155550101,Ann\r\n\r\n4155550102,\"Bo\r\nMultiline\"\r\n"
            "4155550103,Zoë\r\n4155550104,Dee\r\n4155550105,Eve").encode()
    sheet, chunks = _chunks(data, monkeypatch, 2)
    assert sheet.rows == 5 and len(sheet.chunks) == 3
    assert chunks == [[(2, "Ann"), (3, "Bo\r\nMultiline")], [(4, "Zoë"), (5, "Dee")], [(6, "Eve")]]
    assert sheet.chunks[0][0] > 3 and sheet.chunks[-1][1] == len(data)  # after the BOM and header; to the end
    whole = [(r.number, r.values.get("first_name")) for r in csvfile.rows(csvfile.decode(data), 2, 6)]
    assert whole == [row for chunk in chunks for row in chunk]  # the same numbering as the whole file


def test_a_single_chunk_file_with_lf_endings(monkeypatch):
    sheet, chunks = _chunks(b"phone\n4155550101\n4155550102\n", monkeypatch, 500)
    assert sheet.chunks == ((6, 28),) and [n for n, _ in chunks[0]] == [2, 3]


@pytest.mark.parametrize(("value", "shown"), [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"),
                                               ("@x", "'@x"), ("\tx", "'\tx"), ("Ann", "Ann"), (5, 5)])
def test_exported_cells_never_run_as_formulas(value, shown):
    assert csvfile.safe_cell(value) == shown


def test_a_row_with_more_cells_than_the_header_is_rejected_alone():
    got = list(csvfile.rows("phone,first_name\n4155550101,Ann,extra\n4155550102,Bo\n", 2, 3))
    assert got[0].problem and got[1].values == {"phone": "4155550102", "first_name": "Bo"}
