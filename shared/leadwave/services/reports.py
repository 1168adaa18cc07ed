"""The marketing report (seed 002: leads "can be searched in inFlow and Marketing Report"):
leads per campaign and lead provider over a date range, by where they first ended. Read from
day counters the leads table's stream keeps (``store.reporting``): bounded by days x campaigns."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import InvalidRequest
from leadwave.rules.csvfile import safe_cell
from leadwave.store import directory, reporting

MAX_DAYS = 366
COLUMNS = ("campaign_name", "lead_provider", "assigned", "fresh", "exception", "stored", "in_distribution", "total",
           "duplicates")
COUNTED = (*reporting.OUTCOMES, "total", "duplicates")  # duplicates: repeats attached or refused, not in total


def _day(name: str, raw: str | None, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequest(f"query parameter {name}: a date YYYY-MM-DD", code="invalid_query",
                             details=[{"field": name, "code": "date", "message": "a date YYYY-MM-DD"}]) from None


def marketing(org_id: str, first: str | None, last: str | None) -> dict[str, Any]:
    today = clock.now().date()
    lo, hi = _day("from", first, today - timedelta(days=29)), _day("to", last, today)
    if lo > hi or (hi - lo).days >= MAX_DAYS:
        raise InvalidRequest(f"the range is from <= to, at most {MAX_DAYS} days", code="invalid_query",
                             details=[{"field": "from", "code": "range", "message": "from after to, or too long"}])
    s = directory.settings(org_id)
    by_campaign: dict[str, dict[str, Any]] = {}
    for r in reporting.rows(org_id, lo.isoformat(), hi.isoformat()):
        row = by_campaign.setdefault(str(r["campaign_id"]), {"campaign_id": r["campaign_id"],
                                                             **{k: 0 for k in COUNTED}})
        for k in COUNTED:
            row[k] += r[k]
    rows = []
    for cid, row in by_campaign.items():
        campaign = s.campaign(cid)
        ended = sum(row[k] for k in reporting.OUTCOMES)
        rows.append({**row, "campaign_name": campaign.name if campaign else cid,
                     "lead_provider": campaign.lead_provider if campaign else "",
                     "in_distribution": max(0, row["total"] - ended)})
    rows.sort(key=lambda r: (r["lead_provider"].casefold(), r["campaign_name"].casefold()))
    totals = {k: sum(r[k] for r in rows) for k in (*COUNTED, "in_distribution")}
    return {"from": lo.isoformat(), "to": hi.isoformat(), "rows": rows, "totals": totals}


def marketing_csv(org_id: str, first: str | None, last: str | None) -> str:
    report = marketing(org_id, first, last)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Campaign", "Lead provider", "Assigned", "Fresh bucket", "Lead Exception", "Stored",
                "In distribution", "Total", "Duplicates"])
    for r in report["rows"]:
        w.writerow([safe_cell(r[c]) for c in COLUMNS])
    w.writerow(["Total", "", *[report["totals"][c] for c in COLUMNS[2:]]])
    return out.getvalue()
