"""Filtering, sorting and paging rows the way the Lead Exception page's columns ask (seed 000):
multi-select with search text for text columns, a range for numbers, a range for dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal, InvalidOperation
from typing import Any

from leadwave import clock
from leadwave.errors import InvalidRequest
from leadwave.models import MAX_AMOUNT

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


MAX_TEXT = 200  # a search text or a filter value
MAX_VALUES = 100  # values of one multi-select filter
# the list's own parameters besides the columns' (its callers add these)
LIST_PARAMETERS = ("cursor", "show_ignored")


def _bad(name: str, code: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"query parameter {name}: {message}", code="invalid_query",
                          details=[{"field": name, "code": code, "message": message}])


def _number(name: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise _bad(name, "number", "not a number") from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise _bad(name, "number", f"a number between -{MAX_AMOUNT} and {MAX_AMOUNT}")
    return value


def _date(name: str, raw: str) -> str:
    """An ISO date (kept as is) or date-time (in UTC, as stored) to compare with stored times."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        at = clock.parse(raw)
        return clock.iso(at if at.tzinfo else at.replace(tzinfo=UTC))
    except (ValueError, OverflowError):  # OverflowError: a zone that moves the instant past year 1 or 9999
        raise _bad(name, "date", "an ISO date (2026-11-30) or date-time (2026-11-30T14:00:00Z)") from None


def _whole(name: str, raw: str, lo: int, hi: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise _bad(name, "integer", f"a whole number from {lo} to {hi}") from None
    if not lo <= value <= hi:
        raise _bad(name, "integer", f"a whole number from {lo} to {hi}")
    return value


def _one_of(name: str, raw: str, allowed: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in allowed:
        raise _bad(name, "one_of", f"one of {', '.join(allowed)}")
    return value


def known_parameters() -> set[str]:
    return {*TEXT_COLUMNS, *(f"{c}_search" for c in TEXT_COLUMNS), *(f"{c}_min" for c in NUMBER_COLUMNS),
            *(f"{c}_max" for c in NUMBER_COLUMNS), *(f"{c}_from" for c in DATE_COLUMNS),
            *(f"{c}_to" for c in DATE_COLUMNS), "sort", "order", "page", "page_size", *LIST_PARAMETERS}


def parse_query(multi: Mapping[str, Sequence[str]]) -> GridQuery:
    """From query parameters: ``<col>=a&<col>=b`` (or comma-separated), ``<col>_search=text``,
    ``loan_amount_min/max``, ``create_date_from/to`` (ISO), ``sort``, ``order``, ``page``,
    ``page_size``. Any other parameter, and any value out of its shape, is a 400 naming it."""
    for name in multi:
        if name not in known_parameters():
            raise _bad(name, "unknown_parameter", "not a parameter of this list")
    q = GridQuery()
    for col in TEXT_COLUMNS:
        vals = {v.strip() for raw in multi.get(col, []) for v in raw.split(",") if v.strip()}
        if len(vals) > MAX_VALUES or any(len(v) > MAX_TEXT for v in vals):
            raise _bad(col, "too_long", f"at most {MAX_VALUES} values of {MAX_TEXT} characters")
        if vals:
            q.values[col] = vals
        text = (multi.get(f"{col}_search") or [""])[-1].strip()
        if len(text) > MAX_TEXT:
            raise _bad(f"{col}_search", "too_long", f"at most {MAX_TEXT} characters")
        if text:
            q.search[col] = text.casefold()
    for col in NUMBER_COLUMNS:
        lo, hi = (multi.get(f"{col}_min") or [None])[-1], (multi.get(f"{col}_max") or [None])[-1]
        if lo or hi:
            q.ranges[col] = (_number(f"{col}_min", lo) if lo else None, _number(f"{col}_max", hi) if hi else None)
    for col in DATE_COLUMNS:
        lo, hi = (multi.get(f"{col}_from") or [None])[-1], (multi.get(f"{col}_to") or [None])[-1]
        if lo or hi:
            q.ranges[col] = (_date(f"{col}_from", lo) if lo else None, _date(f"{col}_to", hi) if hi else None)
    sort = (multi.get("sort") or ["create_date"])[-1]
    if sort not in (*TEXT_COLUMNS, *NUMBER_COLUMNS, *DATE_COLUMNS):
        raise _bad("sort", "unknown_column", f"one of {', '.join((*TEXT_COLUMNS, *NUMBER_COLUMNS, *DATE_COLUMNS))}")
    q.sort = sort
    q.descending = _one_of("order", (multi.get("order") or ["desc"])[-1], ("asc", "desc")) == "desc"
    q.page = _whole("page", (multi.get("page") or ["1"])[-1], 1, 10_000)
    q.page_size = _whole("page_size", (multi.get("page_size") or ["50"])[-1], 1, MAX_PAGE_SIZE)
    _one_of("show_ignored", (multi.get("show_ignored") or ["false"])[-1], ("true", "false"))
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
