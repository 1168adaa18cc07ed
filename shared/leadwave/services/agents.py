"""An agent's own view: profile, availability switch, open offers, leads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import Forbidden, InvalidRequest
from leadwave.models import Agent, Campaign, DistributionType, LeadStatus, Prospect, Role, as_number, distinct_names
from leadwave.rules.phones import masked
from leadwave.rules.worklists import may_view_only
from leadwave.services import claims, push
from leadwave.store import dedupe as dedupe_keys
from leadwave.store import directory, leads


def profile(agent: Agent) -> dict[str, Any]:
    return {"agent_id": agent.agent_id, "org_id": agent.org_id, "email": agent.email,
            "first_name": agent.first_name, "last_name": agent.last_name,
            "roles": [r.value for r in agent.roles], "active": agent.active, "available": agent.available,
            "preferences": {"view_only": agent.view_only},
            # the statuses of the work-in-progress buckets and the activities under each
            "workflow": [w.model_dump(mode="json") for w in directory.settings(agent.org_id).org.workflow]}


def set_preferences(agent: Agent, body: Any) -> dict[str, Any]:
    """"View leads only" (seed 003): supervisors, managers and admins open leads and queues
    without locking them."""
    if not isinstance(body, dict) or set(body) - {"view_only"} or not isinstance(body.get("view_only", False), bool):
        raise InvalidRequest("the body is {\"view_only\": true|false}", code="validation_failed",
                             details=[{"field": "view_only", "code": "bool_type", "message": "true or false"}])
    view_only = bool(body.get("view_only", agent.view_only))
    if view_only and not may_view_only(agent):
        raise Forbidden("View leads only is for supervisors, managers and admins", code="forbidden_role")
    if view_only != agent.view_only:
        current = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True)
        directory.save(current.model_copy(update={"view_only": view_only}))
        agent.view_only = view_only
    return {"preferences": {"view_only": agent.view_only}}


def set_availability(agent: Agent, available: bool) -> dict[str, Any]:
    """Takes effect at once: the agent enters or leaves the ready index waves draw from, and
    their open offers are hidden while they are unavailable."""
    catch_up = directory.settings(agent.org_id).org.rotation_return == "catch_up"
    directory.set_availability(agent, available, catch_up=catch_up)
    # the time of the change orders it against another device's change pushed meanwhile
    at = clock.iso(clock.now())
    push.to_agents(agent.org_id, [agent.agent_id], push.message("availability", available=available, at=at))
    return {**profile(agent), "available": available, "available_at": at}


def open_offers(agent: Agent) -> list[dict[str, Any]]:
    """Open offers with enough of the lead to decide; never the full phone number. Reads are
    bounded by the open offers: the agent's own (targeted waves) and the org's open Distribute
    All broadcasts, matched against the agent's eligibility; then one BatchGetItem of their
    leads and the agent's declines (an offer whose lead moved on is closed, whatever its item
    says yet)."""
    if not agent.available:
        return []
    now = clock.iso(clock.now())
    targeted = {o.prospect_id: o.wave for o in leads.open_offers_for_agent(agent.org_id, agent.agent_id,
                                                                          not_expired_at=now)}
    broadcast = {b.prospect_id: b.wave for b in leads.open_broadcasts(agent.org_id, not_expired_at=now)
                 if claims.may_see_broadcast(agent, b, at=clock.parse(now))}
    waves = {**broadcast, **targeted}
    found, declined = leads.leads_and_declines(list(waves), agent.agent_id, offers_of=set(broadcast) - set(targeted))
    s = directory.settings(agent.org_id)
    out = []
    for p in found:
        live = p.status is LeadStatus.OFFERING and p.wave == waves[p.prospect_id] and (p.wave_expires_at or "") > now
        if not live or p.prospect_id in declined or (p.prospect_id in targeted
                                                      and agent.agent_id not in p.current_offers):
            continue  # taken, declined, or the wave moved on: the offer is closed
        if p.distribution_type is DistributionType.RING_ALL:
            continue  # taken by pressing 1 on the call, not in the app
        out.append(offer_view(p, blind=is_blind(s.campaign(p.campaign_id))))
    return sorted(out, key=lambda o: o["expires_at"] or "")


def is_blind(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.blind_offers


def offer_view(p: Prospect, *, blind: bool = False) -> dict[str, Any]:
    """An open offer as the agent's app shows it (``GET /v1/me/offers``, the ``offer`` push).
    A blind campaign's offer (issue 13) shows neither the borrower's name nor any part of their
    phone (its area code tells where they are, its tail who they are), nor the lead's provider:
    the agent decides on the state, the purpose and the amount, and sees who after the claim."""
    return {"prospect_id": p.prospect_id, "wave": p.wave, "expires_at": p.wave_expires_at,
            "campaign_id": p.campaign_id, "campaign_name": p.campaign_name,
            "distribution_type": p.distribution_type.value, "first_name": None if blind else p.first_name,
            "state": p.state, "loan_purpose": p.loan_purpose, "loan_amount": as_number(p.loan_amount),
            "phone": None if blind else masked(p.phone), "channel": p.channel.value, "blind": blind}


def _mine(p: Prospect) -> dict[str, Any]:
    return {"prospect_id": p.prospect_id, "application_id": p.application_id, "campaign_name": p.campaign_name,
            "first_name": p.first_name, "last_name": p.last_name, "phone": p.phone, "email": p.email,
            "state": p.state, "loan_purpose": p.loan_purpose, "loan_amount": as_number(p.loan_amount),
            "app_status": p.app_status, "app_activity": p.app_activity, "assigned_at": p.assigned_at,
            "assigned_by": p.assigned_by, "source": p.source}


def my_leads(agent: Agent) -> list[dict[str, Any]]:
    """The agent's newest leads (a bounded page)."""
    return [_mine(p) for p in leads.list_for_agent(agent.org_id, agent.agent_id)]


BUCKET_PAGE = 25


def bucket(agent: Agent, status: str, cursor: str | None, limit: str | None) -> dict[str, Any]:
    """One page of the agent's work-in-progress bucket ``status`` (a status of the org's
    workflow), newest assignment first, with a cursor to read on."""
    workflow = directory.settings(agent.org_id).org.workflow
    if status not in {w.name for w in workflow}:
        raise InvalidRequest("status: one of the workflow's statuses", code="invalid_query", details=[
            {"field": "status", "code": "not_in_workflow", "message": ", ".join(w.name for w in workflow)}])
    size = BUCKET_PAGE
    if limit is not None:
        if not (limit.isascii() and limit.isdecimal() and 1 <= int(limit) <= 100):
            raise InvalidRequest("limit: 1 to 100", code="invalid_query",
                                 details=[{"field": "limit", "code": "range", "message": "1 to 100"}])
        size = int(limit)
    found, after = leads.bucket_page(agent.org_id, agent.agent_id, status, limit=size, cursor=cursor)
    return {"status": status, "items": [_mine(p) for p in found], "cursor": after}


def colleagues(agent: Agent) -> list[dict[str, Any]]:
    """Whom a lead can be transferred to: the org's active agents, by name (the transfer picker;
    one Query of the org's agents when the dialog opens, never on a per-lead path)."""
    found = [a for a in directory.list_kind(Agent, agent.org_id)
             if a.active and Role.AGENT in a.roles and a.agent_id != agent.agent_id]
    names = distinct_names(found)
    return sorted(({"agent_id": a.agent_id, "name": n} for a, n in zip(found, names, strict=True)),
                  key=lambda x: x["name"].casefold())


NOTIFY_KINDS = ("transfer", "manager")  # leads given to the agent by someone (not taken by them)
MAX_NOTIFICATIONS = 20


def notifications(agent: Agent, since: str | None) -> dict[str, Any]:
    """Leads someone gave the agent (transferred to them, assigned by a manager) after ``since``
    (an ISO time; default the last 10 minutes): the app polls this and says so. One Query of the
    agent's leads index from that time, with a limit, and the few leads found in one BatchGetItem."""
    now = clock.now()
    if since is not None:
        try:
            since = clock.iso(clock.parse(since))
        except ValueError:
            raise InvalidRequest("since: an ISO date-time", code="invalid_query", details=[
                {"field": "since", "code": "datetime", "message": "an ISO date-time"}]) from None
    since = since or clock.iso(now - timedelta(minutes=10))
    found = leads.list_for_agent(agent.org_id, agent.agent_id, limit=MAX_NOTIFICATIONS, since=since)
    given = [p for p in found if (p.assigned_by or "").split(":", 1)[0] in NOTIFY_KINDS]
    by_ids = sorted({(p.assigned_by or "").split(":", 1)[1] for p in given if ":" in (p.assigned_by or "")})
    names = {a.agent_id: a.display_name for a in directory.get_agents(agent.org_id, by_ids)} if by_ids else {}
    items = []
    for p in given:
        kind, _, by = (p.assigned_by or "").partition(":")
        last = next((e for e in reversed(p.events) if e.type in ("transfer", "reassign", "assigned")), None)
        items.append({"prospect_id": p.prospect_id, "kind": "transfer" if kind == "transfer" else "assigned",
                      "by": by or None, "by_name": names.get(by), "at": p.assigned_at,
                      "first_name": p.first_name, "last_name": p.last_name, "phone": p.phone,
                      "campaign_name": p.campaign_name, "reason": last.detail.get("reason") if last else None})
    items.extend(_touches(agent, since))
    items.sort(key=lambda x: str(x["at"]), reverse=True)
    return {"items": items[:MAX_NOTIFICATIONS], "now": clock.iso(now)}


def _touches(agent: Agent, since: str) -> list[dict[str, Any]]:
    """The borrower of one of the agent's leads came back (a duplicate attached to it): one
    Query of the agent's touches from that time, with a limit."""
    found = dedupe_keys.touches_since(agent.org_id, agent.agent_id, since, MAX_NOTIFICATIONS)
    by_id = {p.prospect_id: p for p in leads.get_many(sorted({pid for pid, _, _ in found}))} if found else {}
    return [{"prospect_id": pid, "kind": "duplicate", "by": None, "by_name": None, "at": at, "source": source,
             "first_name": by_id[pid].first_name, "last_name": by_id[pid].last_name, "phone": by_id[pid].phone,
             "campaign_name": by_id[pid].campaign_name, "reason": None}
            for pid, at, source in found if pid in by_id and by_id[pid].agent_id == agent.agent_id]
