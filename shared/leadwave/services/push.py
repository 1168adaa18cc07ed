"""Push to agents' apps (issue 12): messages posted through API Gateway's ``@connections`` API to
every live WebSocket connection of the agents concerned (store/connections.py).

A push always follows the state change it announces, which is already written: an app that
misses it (no connection, a post failing) reads the same state when it (re)connects (its
``sync``) or polls. So a push never raises and never blocks the wave, claim or request that
sends it; failures are logged and counted. A connection API Gateway calls gone (410) is
forgotten, unless it is a few seconds old (a post to a connection whose $connect has not
returned yet is refused the same way).

Messages (JSON, each with ``type`` and ``at``): ``offer`` (one item of ``GET /v1/me/offers``),
``offers`` (all of them: the answer to ``sync``), ``offer_end`` (the offer is over: claimed,
declined, expired or placed), ``availability`` (the switch, from another device),
``lead_assigned`` (a lead is the agent's now: claimed, transferred, assigned). No domain model
is imported here: the leads stream's handler uses it and stays quick to start."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from leadwave import clock
from leadwave.observability import count, logger
from leadwave.store import connections
from leadwave.store.connections import Connection

YOUNG_MS = 10_000  # a connection younger than this may still be inside its $connect
FAN_OUT = 16  # parallel posts


def enabled() -> bool:
    return bool(connections.table() and os.environ.get("WS_ENDPOINT"))


def management_endpoint(ws_endpoint: str) -> str:
    """The ``@connections`` endpoint of a socket URL: ``wss://`` is posted to as ``https://``
    (and a local ``ws://`` as ``http://``), same host and stage."""
    for socket_scheme, http_scheme in (("wss://", "https://"), ("ws://", "http://")):
        if ws_endpoint.startswith(socket_scheme):
            return http_scheme + ws_endpoint[len(socket_scheme):]
    return ws_endpoint


@cache
def _api() -> Any:
    import boto3
    from botocore.config import Config

    # short: a push sits beside a wave or a request; a slow post is dropped, the app resyncs
    return boto3.client("apigatewaymanagementapi", endpoint_url=management_endpoint(os.environ["WS_ENDPOINT"]),
                        config=Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=1,
                                      read_timeout=2, max_pool_connections=FAN_OUT))


def message(message_type: str, /, **fields: Any) -> dict[str, Any]:
    """``at`` is when it was sent, unless the caller gives the time of the change it announces."""
    return {"type": message_type, "at": clock.iso(clock.now()), **fields}


def _post_one(c: Connection, data: bytes) -> str:
    api = _api()
    try:
        api.post_to_connection(ConnectionId=c.connection_id, Data=data)
    except api.exceptions.GoneException:
        if connections.delete(c, older_than_ms=int(clock.now().timestamp() * 1000) - YOUNG_MS):
            return "gone"
        return "young"
    except Exception:  # noqa: BLE001 - a push never fails its sender; the app resyncs
        logger.exception("push failed")
        return "failed"
    return "sent"


def post(conns: Iterable[Connection], build: dict[str, Any] | Callable[[Connection], dict[str, Any] | None]) -> int:
    """Post to each connection ``build`` (a message, or a message per connection; None skips
    it). Returns the messages sent. Never raises."""
    try:
        targets = []
        for c in conns:
            msg = build(c) if callable(build) else build
            if msg is not None:
                targets.append((c, json.dumps(msg, separators=(",", ":"), default=str).encode()))
        if not targets:
            return 0
        if len(targets) == 1:
            results = [_post_one(*targets[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(FAN_OUT, len(targets))) as pool:
                results = list(pool.map(lambda t: _post_one(*t), targets))
    except Exception:  # noqa: BLE001 - e.g. the connections table unreachable: the app resyncs
        logger.exception("push failed")
        count("PushFailed")
        return 0
    tally = Counter(results)
    if tally["sent"]:
        count("PushSent", tally["sent"])
    if tally["gone"]:
        count("PushGone", tally["gone"])
    if tally["failed"]:
        count("PushFailed", tally["failed"])
    return tally["sent"]


def _safely(what: Callable[[], list[Connection]]) -> list[Connection]:
    if not enabled():
        return []
    try:
        return what()
    except Exception:  # noqa: BLE001 - a push never fails its sender
        logger.exception("reading the connections failed")
        count("PushFailed")
        return []


class _Ready:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="push")


def in_background(read: Callable[[], Any]) -> Any:
    """Start ``read`` (who to push to) beside the writes it must not wait for; ``.result()``
    is its answer, or None when it failed or push is off. Never raises."""
    if not enabled():
        return _Ready(None)

    def safely() -> Any:
        try:
            return read()
        except Exception:  # noqa: BLE001 - a push never fails its sender
            logger.exception("reading whom to push to failed")
            return None

    return _BACKGROUND.submit(safely)


def to_agents(org_id: str, agent_ids: list[str], build: Any) -> int:
    if not agent_ids:
        return 0
    return post(_safely(lambda: connections.of_agents(org_id, agent_ids)), build)


def to_org(org_id: str, build: Any) -> int:
    return post(_safely(lambda: connections.of_org(org_id)), build)


def org_connections(org_id: str) -> list[Connection]:
    return _safely(lambda: connections.of_org(org_id))


def offer_end(prospect_id: str, wave: int | None, reason: str,
              winner: str | None = None) -> Callable[[Connection], Any]:
    return lambda c: message("offer_end", prospect_id=prospect_id, wave=wave, reason=reason,
                             by_me=winner is not None and c.agent_id == winner)


# ---------------------------------------------------------------- after a lead's change (the stream)

CLAIMED_BY = ("claim", "phone")


def _s(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name) or {}
    return value.get("S") if isinstance(value, dict) else None


def _n(image: dict[str, Any], name: str) -> int | None:
    value = (image.get(name) or {}).get("N") if isinstance(image.get(name), dict) else None
    return int(value) if value is not None else None


def _ss(image: dict[str, Any], name: str) -> list[str]:
    value = image.get(name) or {}
    return list(value.get("SS") or []) if isinstance(value, dict) else []


def lead_view(image: dict[str, Any], kind: str) -> dict[str, Any]:
    """A lead newly the agent's, as an item of ``GET /v1/me/notifications``: the agent's own lead."""
    try:
        doc = json.loads(_s(image, "doc") or "{}")
    except ValueError:
        doc = {}
    by = (_s(image, "assigned_by") or "").partition(":")[2] or None
    return {"prospect_id": (_s(image, "pk") or "").removeprefix("LEAD#"), "kind": kind, "by": by, "by_name": None,
            "at": _s(image, "assigned_at"), "first_name": _s(image, "first_name") or doc.get("first_name"),
            "last_name": _s(image, "last_name") or doc.get("last_name"), "phone": doc.get("phone"),
            "campaign_name": doc.get("campaign_name"), "reason": None}


def given(p: Any, kind: str, *, by: str | None, reason: str | None, by_name: str | None = None) -> dict[str, Any]:
    """A lead someone gave the agent (a Prospect), as an item of ``GET /v1/me/notifications``."""
    return {"prospect_id": p.prospect_id, "kind": kind, "by": by, "by_name": by_name, "at": p.assigned_at,
            "first_name": p.first_name, "last_name": p.last_name, "phone": p.phone,
            "campaign_name": p.campaign_name, "reason": reason}


def after_lead_change(new: dict[str, Any], old: dict[str, Any]) -> None:
    """The stream's part: the offers of a lead that left distribution end on every app showing
    them (the winner's marked ``by_me``), and a lead newly assigned is announced to its agent.
    Never fails the stream's record (a retry would repeat the bookkeeping's pushes only)."""
    if not enabled():
        return
    try:
        _after_lead_change(new, old)
    except Exception:  # noqa: BLE001 - the apps resync; the change's bookkeeping is done
        logger.exception("pushing a lead's change failed")
        count("PushFailed")


def _after_lead_change(new: dict[str, Any], old: dict[str, Any]) -> None:
    org_id, status, was = _s(new, "org_id"), _s(new, "status"), _s(old, "status")
    if not org_id:
        return
    prospect_id = (_s(new, "pk") or "").removeprefix("LEAD#")
    agent_id, by = _s(new, "agent_id"), (_s(new, "assigned_by") or "").split(":", 1)[0]
    if was == "offering" and status != "offering" and (_n(old, "wave") or 0) > 0:
        claimed = status == "assigned" and by in CLAIMED_BY
        expired = (_s(old, "wave_expires_at") or "") <= clock.iso(clock.now())
        reason = "claimed" if claimed else ("expired" if expired else "placed")
        end = offer_end(prospect_id, _n(old, "wave"), reason, agent_id if claimed else None)
        targeted = _ss(old, "current_offers")
        if targeted:
            to_agents(org_id, sorted(set(targeted) | ({agent_id} if agent_id else set())), end)
        else:  # a Distribute All wave: offered to every eligible agent, so told to every app of the org
            to_org(org_id, end)
    newly = status == "assigned" and agent_id and (was != "assigned" or _s(old, "agent_id") != agent_id)
    if newly:
        kind = "claimed" if by in CLAIMED_BY else ("transfer" if by == "transfer" else "assigned")
        lead = lead_view(new, kind)
        if by == "manager" and lead["by"]:
            lead["by_name"] = _name_of(org_id, lead["by"])
        to_agents(org_id, [agent_id], message("lead_assigned", kind=kind, prospect_id=prospect_id, lead=lead))


def _name_of(org_id: str, agent_id: str) -> str | None:
    """A person's name as the app shows it (first and last, else the email), read from their
    directory item without a domain model; None when it cannot be read."""
    from leadwave.store.tables import DirectoryItem, bind

    try:
        bind()
        doc = dict(DirectoryItem.get(f"ORG#{org_id}", f"AGENT#{agent_id}", attributes_to_get=["doc"]).doc or {})
    except Exception:  # noqa: BLE001 - the notice still says "a manager"
        return None
    name = f"{doc.get('first_name') or ''} {doc.get('last_name') or ''}".strip()
    return name or doc.get("email")
