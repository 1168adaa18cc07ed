"""Plain-text tables and the formatting of the figures in them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HANDLER_COLUMNS = ["handler", "inv.", "DDB calls", "RRU", "WRU", "DynamoDB operations", "other API calls"]
CALL_COLUMNS = ["", "n", "DDB calls", "RRU", "WRU", "failed cond. writes", "DynamoDB operations", "other API calls"]


def num(value: Any) -> str:
    """Integers without decimals, other numbers with up to 3 decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def usd(value: float) -> str:
    """Dollars with 4 decimals; amounts under $0.001 with 6 (a cent per 1,000 leads matters)."""
    return f"${value:.6f}" if 0 < abs(value) < 0.001 else f"${value:.4f}"


def _right(text: str) -> bool:
    return text[:1].isdigit() or text[:1] == "$" and text[1:2].isdigit()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "   ",
          left: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell; numbers right-aligned (except in ``left`` columns)."""
    cells = [[num(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return indent + "  ".join(c.rjust(w) if _right(c) and i and i not in left else c.ljust(w)
                                  for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join([line(cells[0]), indent + "  ".join("-" * w for w in widths), *(line(r) for r in cells[1:])])


def ops(figures: dict[str, Any]) -> str:
    return ", ".join(f"{op} {num(n)}" for op, n in figures["dynamodb_by_operation"].items()) or "-"


def other(figures: dict[str, Any]) -> str:
    return ", ".join(f"{k} {num(v)}" for k, v in figures["other_calls"].items()) or "-"


def wru(figures: dict[str, Any]) -> str:
    """Write units, with the part estimated for failed conditional writes."""
    est = figures["failed_write_units_estimated"]
    return num(figures["write_units"]) + (f" ({num(est)} est.)" if est else "")


def handler_rows(breakdown: dict[str, Any], first: str = "") -> list[list[Any]]:
    rows = []
    for i, (name, f) in enumerate(breakdown.items()):
        rows.append([first if i == 0 else "", name.removesuffix("Function"), f["invocations"], f["dynamodb_calls"],
                     f["read_units"], wru(f), ops(f), other(f)])
    return rows


def call_row(label: str, f: dict[str, Any]) -> list[Any]:
    return [label, f["invocations"], f["dynamodb_calls"], f["read_units"], wru(f), f["failed_conditional_writes"],
            ops(f), other(f)]


SERVICE_NAMES = {"dynamodb": "DynamoDB", "lambda": "Lambda", "api_gateway": "API Gateway", "sqs": "SQS",
                 "step_functions": "Step Functions"}


def money(c: dict[str, float]) -> str:
    """``$0.0123 (DynamoDB $0.0100, Lambda ...)``: the total and its non-zero parts."""
    parts = ", ".join(f"{label} {usd(c[f'{key}_usd_per_1000'])}" for key, label in SERVICE_NAMES.items()
                      if c.get(f"{key}_usd_per_1000"))
    return f"{usd(c['total_usd_per_1000'])} ({parts or 'nothing billed'})"
