"""The speed-to-lead report (issue 13): per campaign and per agent over a date range of arrival
days, the leads counted, how many were offered, assigned and called, the median seconds from
arrival to each, and the share first called within 5 minutes. Read from the day counters the
leads table's stream keeps (``store.speed``): one Query bounded by days x (campaigns + agents).

A campaign's leads are the leads it received; an agent's, the leads first assigned to them (a
call counts for the agent who had the lead when it was made). Medians are lower medians to the
histogram's resolution (``rules.speed``: to the second under a minute), stated in the answer."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import InvalidRequest
from leadwave.rules import speed as rules
from leadwave.rules.csvfile import safe_cell
from leadwave.services.reports import _day
from leadwave.store import directory
from leadwave.store import speed as store

MAX_DAYS = 92  # a quarter: the read stays bounded (days x campaigns and agents)
MAX_CAMPAIGN_ID = 200


def _figures(c: store.Counts, *, offers: bool) -> dict[str, Any]:
    h = c.histograms
    out: dict[str, Any] = {"leads": c.leads}
    if offers:
        out.update(offered=sum(h["offer"].values()), median_to_offer_s=rules.median(h["offer"]))
    out.update(claimed=sum(h["claim"].values()), median_to_claim_s=rules.median(h["claim"]),
               called=sum(h["call"].values()), median_to_call_s=rules.median(h["call"]),
               within_5_min=c.within,
               within_5_min_share=round(min(1.0, c.within / c.leads), 4) if c.leads else None)
    return out


def _range(first: str | None, last: str | None) -> tuple[date, date]:
    today = clock.now().date()
    lo, hi = _day("from", first, today - timedelta(days=29)), _day("to", last, today)
    if lo > hi or (hi - lo).days >= MAX_DAYS:
        raise InvalidRequest(f"the range is from <= to, at most {MAX_DAYS} days", code="invalid_query",
                             details=[{"field": "from", "code": "range", "message": "from after to, or too long"}])
    return lo, hi


def speed(org_id: str, first: str | None, last: str | None, campaign_id: str | None = None) -> dict[str, Any]:
    lo, hi = _range(first, last)
    if campaign_id is not None and not 0 < len(campaign_id) <= MAX_CAMPAIGN_ID:
        raise InvalidRequest("query parameter campaign_id: a campaign's id", code="invalid_query",
                             details=[{"field": "campaign_id", "code": "length", "message": "a campaign's id"}])
    campaigns: dict[str, store.Counts] = {}
    agents: dict[str, store.Counts] = {}
    for row in store.rows(org_id, lo.isoformat(), hi.isoformat()):
        into = campaigns if row.kind == "campaign" else agents
        for cid, counts in row.by_campaign.items():
            if campaign_id is None or cid == campaign_id:
                key = cid if row.kind == "campaign" else row.key
                into.setdefault(key, store.Counts()).add(counts)
    s = directory.settings(org_id)
    campaign_rows = []
    for cid, counts in campaigns.items():
        campaign = s.campaign(cid)
        campaign_rows.append({"campaign_id": cid, "campaign_name": campaign.name if campaign else cid,
                              "lead_provider": campaign.lead_provider if campaign else "",
                              **_figures(counts, offers=True)})
    campaign_rows.sort(key=lambda r: (r["campaign_name"].casefold(), r["campaign_id"]))
    names = {a.agent_id: a.display_name for a in directory.get_agents(org_id, sorted(agents))} if agents else {}
    agent_rows = [{"agent_id": aid, "agent_name": names.get(aid, aid), **_figures(counts, offers=False)}
                  for aid, counts in agents.items()]
    agent_rows.sort(key=lambda r: (r["agent_name"].casefold(), r["agent_id"]))
    total = store.Counts()
    for counts in campaigns.values():
        total.add(counts)
    return {"from": lo.isoformat(), "to": hi.isoformat(), "campaign_id": campaign_id,
            "contact_within_s": rules.CONTACT_WITHIN_S, "resolution": rules.resolution(),
            "campaigns": campaign_rows, "agents": agent_rows, "totals": _figures(total, offers=True)}


HEADER = ("By", "Id", "Name", "Leads", "Offered", "Median to first offer (s)", "Claimed (assigned)",
          "Median to claim (s)", "Called", "Median to first call (s)", "Called within 5 min",
          "Share called within 5 min (%)")
_COLUMNS = ("leads", "offered", "median_to_offer_s", "claimed", "median_to_claim_s", "called", "median_to_call_s",
            "within_5_min")


def _line(by: str, ident: str, name: str, r: dict[str, Any]) -> list[Any]:
    share = r["within_5_min_share"]
    return [by, safe_cell(ident), safe_cell(name), *("" if r.get(c) is None else r[c] for c in _COLUMNS),
            "" if share is None else round(share * 100, 1)]


def speed_csv(org_id: str, first: str | None, last: str | None, campaign_id: str | None = None) -> str:
    """The report's rows as CSV: the campaigns, their total, then the agents (an agent row has no
    offer figures: a lead is offered before it has an agent)."""
    report = speed(org_id, first, last, campaign_id)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for r in report["campaigns"]:
        w.writerow(_line("Campaign", r["campaign_id"], r["campaign_name"], r))
    w.writerow(_line("Total", "", "All campaigns", report["totals"]))
    for r in report["agents"]:
        w.writerow(_line("Agent", r["agent_id"], r["agent_name"], r))
    return out.getvalue()
