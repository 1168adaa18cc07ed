"""Filtering, sorting and paging rows the way the Lead Exception page's columns ask (seed 000):
multi-select with search text for text columns, a range for numbers, a range for dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from leadwave.errors import InvalidRequest

TEXT_COLUMNS = ("prospect_name", "campaign", "description", "distribution", "lead_provider", "loan_purpose",
                "state", "failure_reason")
NUMBER_COLUMNS = ("loan_amount",)
DATE_COLUMNS = ("create_date",)
MAX_PAGE_SIZE = 200


@dataclass
class GridQuery:
    values: dict[str, set[str]] = field(default_factory=dict)  # column -> any of these values
    search: dict[str, str] = field(default_factory=dict)  # column -> substring
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    sort: str = "create_date"
    descending: bool = True
    page: int = 1
    page_size: int = 50


def _number(name: str, raw: str) -> Decimal:
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise InvalidRequest(f"{name} must be a number", code="invalid_query",
                             details=[{"field": name, "code": "number", "message": "not a number"}]) from None


def parse_query(multi: Mapping[str, Sequence[str]]) -> GridQuery:
    """From query parameters: ``<col>=a&<col>=b`` (or comma-separated), ``<col>_search=text``,
    ``loan_amount_min/max``, ``create_date_from/to`` (ISO), ``sort``, ``order``, ``page``, ``page_size``."""
    q = GridQuery()
    for col in TEXT_COLUMNS:
        vals = {v.strip() for raw in multi.get(col, []) for v in raw.split(",") if v.strip()}
        if vals:
            q.values[col] = vals
        text = (multi.get(f"{col}_search") or [""])[-1].strip()
        if text:
            q.search[col] = text.casefold()
    for col in NUMBER_COLUMNS:
        lo, hi = (multi.get(f"{col}_min") or [None])[-1], (multi.get(f"{col}_max") or [None])[-1]
        if lo or hi:
            q.ranges[col] = (_number(f"{col}_min", lo) if lo else None, _number(f"{col}_max", hi) if hi else None)
    for col in DATE_COLUMNS:
        lo, hi = (multi.get(f"{col}_from") or [None])[-1], (multi.get(f"{col}_to") or [None])[-1]
        if lo or hi:
            q.ranges[col] = (lo, hi)
    sort = (multi.get("sort") or ["create_date"])[-1]
    if sort not in (*TEXT_COLUMNS, *NUMBER_COLUMNS, *DATE_COLUMNS):
        raise InvalidRequest(f"cannot sort by {sort}", code="invalid_query",
                             details=[{"field": "sort", "code": "unknown_column", "message": sort}])
    q.sort = sort
    q.descending = (multi.get("order") or ["desc"])[-1].lower() != "asc"
    try:
        q.page = max(1, int((multi.get("page") or ["1"])[-1]))
        q.page_size = min(MAX_PAGE_SIZE, max(1, int((multi.get("page_size") or ["50"])[-1])))
    except ValueError:
        raise InvalidRequest("page and page_size must be whole numbers", code="invalid_query") from None
    return q


def keep(row: Mapping[str, Any], q: GridQuery) -> bool:
    for col, wanted in q.values.items():
        if str(row.get(col) or "") not in wanted:
            return False
    for col, text in q.search.items():
        if text not in str(row.get(col) or "").casefold():
            return False
    for col, (lo, hi) in q.ranges.items():
        value = row.get(col)
        if value is None:
            return False
        if col in NUMBER_COLUMNS:
            value = Decimal(str(value))
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return False
    return True


def apply(rows: list[dict[str, Any]], q: GridQuery) -> tuple[list[dict[str, Any]], int]:
    """(the requested page, the number of rows that matched)."""
    kept = [r for r in rows if keep(r, q)]
    present = [r for r in kept if r.get(q.sort) is not None]
    missing = [r for r in kept if r.get(q.sort) is None]
    present.sort(key=lambda r: (r[q.sort].casefold() if isinstance(r[q.sort], str) else r[q.sort]),
                 reverse=q.descending)
    ordered = present + missing  # blanks last either way
    start = (q.page - 1) * q.page_size
    return ordered[start:start + q.page_size], len(kept)


def facets(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The distinct values of each text column, for the multi-select filters."""
    return {col: sorted({str(r[col]) for r in rows if r.get(col)}, key=str.casefold) for col in TEXT_COLUMNS}
