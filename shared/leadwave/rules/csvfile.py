"""CSV files in and out (issue 11), the pure part: the bulk upload's documented header set,
reading a file (UTF-8 with or without BOM, quoted fields, CRLF or LF) into numbered rows, and
the one neutralisation of spreadsheet formulas every exported CSV applies."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
CHUNK_ROWS = 500  # rows one worker invocation stores (a 10,000-row file: 20 messages)
REQUIRED = ("phone",)
COLUMNS = ("phone", "first_name", "last_name", "email", "state", "loan_purpose", "loan_amount", "vendor_lead_id",
           "assign_to_email")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvProblem(ValueError):
    """The file as a whole cannot be read: ``code`` and a message naming the problem."""

    def __init__(self, code: str, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Sheet:
    columns: tuple[str, ...]
    rows: int  # data rows (the header is row 1; data rows are numbered from 2)
    # each chunk of ``CHUNK_ROWS`` rows as a byte range of the file (start, end exclusive), so a
    # worker reads its own rows only, whatever the file's size
    chunks: tuple[tuple[int, int], ...] = ()


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem("invalid_encoding", f"the file is not UTF-8 (byte {exc.start + 1}); save it as "
                                             "\"CSV UTF-8\"") from None


def _reader(text: str) -> Any:
    return csv.reader(io.StringIO(text, newline=""), strict=True)


def _lines(text: str, offset: int, ends: list[int]) -> Iterator[str]:
    """The text's physical lines for the csv reader, noting where each ends in the file's bytes."""
    for line in io.StringIO(text, newline=""):
        offset += len(line.encode())
        ends.append(offset)
        yield line


def read_sheet(text: str, *, required: tuple[str, ...] = REQUIRED, bom: bool = False) -> Sheet:
    """The header's columns, the number of data rows and each chunk's byte range; ``CsvProblem``
    for a file that is empty, has an unknown or missing column, an unterminated quote, or too
    many rows. ``bom``: the file's bytes start with a UTF-8 BOM (``text`` does not)."""
    ends: list[int] = []
    reader = csv.reader(_lines(text, 3 if bom else 0, ends), strict=True)
    starts: list[int] = []
    try:
        header = next(reader, None)
        if header is None or not any(c.strip() for c in header):
            raise CsvProblem("empty_file", "the file is empty; the first line must name the columns")
        columns = tuple(c.strip().lower() for c in header)
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise CsvProblem("unknown_column", f"unknown column {unknown[0]!r}; the columns are "
                                               f"{', '.join(COLUMNS)}", unknown[0])
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise CsvProblem("duplicate_column", f"column {twice[0]!r} is named twice", twice[0])
        missing = [c for c in required if c not in columns]
        if missing:
            raise CsvProblem("missing_column", f"the header has no {missing[0]!r} column", missing[0])
        rows, before = 0, ends[-1] if ends else 0
        for record in reader:
            if any(cell.strip() for cell in record):
                rows += 1
                if rows > MAX_ROWS:
                    raise CsvProblem("too_many_rows", f"more than {MAX_ROWS} rows; split the file")
                if rows % CHUNK_ROWS == 1:
                    starts.append(before)  # a chunk starts where the record before it ended
            before = ends[reader.line_num - 1]
    except csv.Error as exc:
        raise CsvProblem("malformed_csv", f"line {reader.line_num}: {exc}") from None
    if rows == 0:
        raise CsvProblem("no_rows", "the file has a header but no rows")
    bounds = [*starts[1:], ends[-1]]
    return Sheet(columns, rows, tuple(zip(starts, bounds, strict=True)))


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]
    problem: str | None = None  # a row the reader could not map to the header


def rows(text: str, first: int, last: int, *, columns: list[str] | None = None) -> Iterator[Row]:
    """Data rows numbered ``first``..``last`` (blank rows are skipped and not numbered). With
    ``columns``, ``text`` is one chunk of the file (no header) whose first row is ``first``."""
    reader = _reader(text)
    if columns is None:
        columns = [c.strip().lower() for c in next(reader)]
        number = 1
    else:
        number = first - 1
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        number += 1
        if number < first:
            continue
        if number > last:
            return
        if len(record) > len(columns):
            yield Row(number, {}, f"{len(record)} cells; the header names {len(columns)}")
            continue
        yield Row(number, {c: v.strip() for c, v in zip(columns, record, strict=False) if v.strip()})


def safe_cell(value: Any) -> Any:
    """A cell of an exported CSV: text that a spreadsheet would run as a formula (it starts with
    ``= + - @``, a tab or a carriage return) is prefixed with a quote so it shows as text."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
