"""Speed to lead's counters (issue 13), kept by the leads table's stream and read by the report.

Items of the leads table, partition ``SPD#<org>``, one per day (the lead's arrival day, UTC) and
campaign (``<day>#C#<campaign>``) or agent (``<day>#A#<agent>``). Their counters are top-level
attributes named after the campaign, so an agent's row can be read for one campaign:
``<campaign>|n`` (leads received; on an agent's row, leads first assigned to them),
``<campaign>|w`` (first called within 5 minutes of arrival) and one count per histogram bucket
``<campaign>|<figure>|<bucket>`` (figure ``o`` to the first offer, ``k`` to the first
assignment, ``c`` to the first call; ``leadwave.rules.speed`` names the buckets).

Each lead counts once per figure: its own item ``LEAD#<id>`` / ``SPD`` holds each figure it was
counted with, set on condition that it is not there yet, in the same transaction as the counters,
so a stream record delivered again adds nothing. A report over a range of days is one Query of
days x (campaigns + agents) items, never a read of the leads. Table items only (the stream
handler imports this and stays quick to start)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path
from pynamodb.transactions import TransactWrite

from leadwave.store.tables import LeadItem, bind, transactions

MARK_SK = "SPD"
CODES = {"offer": "o", "claim": "k", "call": "c"}  # a figure's letter in the counters' names
_FIGURE = {v: k for k, v in CODES.items()}
_ONE = {"N": "1"}


def _pk(org_id: str) -> str:
    return f"SPD#{org_id}"


def campaign_sk(day: str, campaign_id: str) -> str:
    return f"{day}#C#{campaign_id}"


def agent_sk(day: str, agent_id: str) -> str:
    return f"{day}#A#{agent_id}"


def _names(campaign_id: str, figure: str, bucket: int | None, *, lead: bool, within: bool) -> list[str]:
    names = [f"{campaign_id}|n"] if lead else []
    if figure in CODES and bucket is not None:
        names.append(f"{campaign_id}|{CODES[figure]}|{bucket}")
    if within:
        names.append(f"{campaign_id}|w")
    return names


def _counter(org_id: str, sk: str, names: list[str]) -> tuple[LeadItem, list[Any]]:
    actions = [LeadItem.kind.set("speed"), LeadItem.org_id.set(org_id), LeadItem.status.set("report"),
               LeadItem.doc.set({}), *(Path([n]).add(_ONE) for n in names)]
    return LeadItem(_pk(org_id), sk), actions


def count(org_id: str, prospect_id: str, day: str, campaign_id: str, figure: str, *, seconds: float | None = None,
          bucket: int | None = None, agent_id: str | None = None, within: bool = False) -> bool:
    """Count one lead's ``figure`` on its arrival ``day``: ``received`` (the campaign's lead
    count), ``offer``, ``claim`` (also the agent's lead count) or ``call`` (``within``: within 5
    minutes), in ``bucket``, on the campaign's row and, for ``claim`` and ``call``, on
    ``agent_id``'s. Once per lead and figure: False when it was already counted."""
    bind()
    rows = [(campaign_sk(day, campaign_id), _names(campaign_id, figure, bucket, lead=figure == "received",
                                                   within=within))]
    if agent_id and figure in ("claim", "call"):
        rows.append((agent_sk(day, agent_id), _names(campaign_id, figure, bucket, lead=figure == "claim",
                                                     within=within)))
    mark = Path([f"spd_{figure}"])
    value = {"N": repr(seconds)} if seconds is not None else {"S": day}
    try:
        with TransactWrite(connection=transactions()) as tx:
            tx.update(LeadItem(f"LEAD#{prospect_id}", MARK_SK), actions=[
                LeadItem.kind.set("speed_mark"), LeadItem.org_id.set(org_id), LeadItem.status.set("report"),
                LeadItem.doc.set({}), mark.set(value), *([Path(["spd_agent"]).set({"S": agent_id})]
                                                          if agent_id and figure == "claim" else [])],
                condition=mark.does_not_exist())
            for sk, names in rows:
                if names:
                    item, actions = _counter(org_id, sk, names)
                    tx.update(item, actions=actions)
    except TransactWriteError as exc:
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in (exc.cancellation_reasons or [])):
            return False  # counted when this record was first delivered
        raise
    return True


def counted(prospect_id: str) -> dict[str, Any]:
    """What a lead was counted with (``received``: its day; a figure: its seconds; ``agent``)."""
    bind()
    for raw in LeadItem.query(f"LEAD#{prospect_id}", LeadItem.sk == MARK_SK).page_iter:
        for data in raw.get("Items", []):
            out: dict[str, Any] = {}
            for name, value in data.items():
                if name.startswith("spd_"):
                    ((kind, v),) = value.items()
                    out[name.removeprefix("spd_")] = float(v) if kind == "N" else v
            return out
    return {}


@dataclass
class Counts:
    """One row's counters for one campaign: leads, first called within 5 minutes, and per figure
    its histogram (bucket -> leads)."""

    leads: int = 0
    within: int = 0
    histograms: dict[str, dict[int, int]] = field(default_factory=lambda: {f: {} for f in CODES})

    def add(self, other: Counts) -> Counts:
        self.leads += other.leads
        self.within += other.within
        for figure, histogram in other.histograms.items():
            mine = self.histograms[figure]
            for low, c in histogram.items():
                mine[low] = mine.get(low, 0) + c
        return self


@dataclass
class Row:
    day: str
    kind: str  # "campaign" or "agent"
    key: str  # the campaign's or the agent's id
    by_campaign: dict[str, Counts]


def _parse(data: dict[str, Any]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for name, value in data.items():
        if "|" not in name or "N" not in value:
            continue
        n = int(value["N"])
        head, _, last = name.rpartition("|")
        if last in ("n", "w"):
            counts = out.setdefault(head, Counts())
            if last == "n":
                counts.leads += n
            else:
                counts.within += n
            continue
        campaign_id, _, code = head.rpartition("|")
        if code in _FIGURE and last.isdigit() and campaign_id:
            histogram = out.setdefault(campaign_id, Counts()).histograms[_FIGURE[code]]
            histogram[int(last)] = histogram.get(int(last), 0) + n
    return out


def rows(org_id: str, first_day: str, last_day: str) -> Iterator[Row]:
    """Every campaign's and agent's row of the days from ``first_day`` to ``last_day``."""
    bind()
    for raw in LeadItem.query(_pk(org_id), LeadItem.sk.between(f"{first_day}#", f"{last_day}#\uffff")).page_iter:
        for data in raw.get("Items", []):
            day, _, rest = data["sk"]["S"].partition("#")
            kind, _, key = rest.partition("#")
            if kind in ("C", "A") and key:
                yield Row(day, "campaign" if kind == "C" else "agent", key, _parse(data))
