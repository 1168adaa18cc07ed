"""Ring All and Auto-Dial (seeds 001, 002): agents' phones ring, at most ten at one time (a
batch nobody took is followed by the next, see ``rules.waves.ring_all_batches``); the first to
press 1 takes the lead through the same conditional claim as the API and is bridged to the
borrower; every other leg ends: a ringing one is canceled, an answered one first hears that
another agent took the lead. TwiML is built with twilio's VoiceResponse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, DomainError
from leadwave.ids import new_id
from leadwave.models import (
    ID_PATTERN,
    Agent,
    CallLeg,
    Campaign,
    DistributionType,
    LeadStatus,
    Org,
    Prospect,
    distinct_names,
)
from leadwave.observability import logger
from leadwave.rules.tcpa import call_block_reason
from leadwave.rules.work import first_work
from leadwave.rules.worklists import held_by
from leadwave.services import claims
from leadwave.services.assignment import event
from leadwave.store import aws, directory, leads, phone
from leadwave.store.tables import LeadItem
from leadwave.webhooks import callback_url

MAX_RING_SECONDS = 60


def cannot_ring(org: Org, agents: list[Agent]) -> str | None:
    """Why a Ring All wave cannot be placed at all (the lead goes to exception with it)."""
    if not org.caller_id:
        return "The organization has no caller ID for calls to agents (Org Details)."
    if not phone.enabled():
        return "Outbound calling is not configured (no Twilio account)."
    return duplicate_work_phone(agents)


def duplicate_work_phone(agents: list[Agent]) -> str | None:
    seen: dict[str, Agent] = {}
    for agent in agents:
        if agent.work_phone in seen:
            first, second = distinct_names([seen[agent.work_phone], agent])
            return f"{first} and {second} share a work phone; Ring All cannot tell who answered."
        if agent.work_phone:
            seen[agent.work_phone] = agent
    return None


def ring(p: Prospect, agents: list[Agent], org: Org, campaign: Campaign, base: str) -> None:
    """Place one call per agent of the wave, concurrently (Twilio queues API calls above the
    account's rate). A leg that cannot be placed is recorded as failed."""
    ring_seconds = min(MAX_RING_SECONDS, campaign.offer_timeout_seconds)

    def one(agent: Agent) -> CallLeg:
        q = {"prospect_id": p.prospect_id, "agent_id": agent.agent_id, "wave": p.wave, "leg": "ring"}
        leg = CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid="", kind="ring", agent_id=agent.agent_id,
                      wave=p.wave, phone_called=agent.work_phone, started_at=clock.iso(clock.now()))
        try:
            sid = phone.place_call(to=str(agent.work_phone), from_=str(org.caller_id),
                                   answer_url=callback_url(base, "/ivr/answer", **q),
                                   status_url=callback_url(base, "/ivr/status", **q), ring_seconds=ring_seconds)
            leg = leg.model_copy(update={"call_sid": sid})
        except Exception:
            logger.exception("could not place a Ring All call", extra={"agent_id": agent.agent_id})
            leg = leg.model_copy(update={"call_sid": new_id("failed"), "status": "failed",
                                         "ended_at": clock.iso(clock.now())})
        leads.create_call(leg)
        return leg

    with ThreadPoolExecutor(max_workers=max(1, len(agents))) as pool:
        legs = list(pool.map(one, agents))
    failed = sum(leg.status == "failed" for leg in legs)
    logger.info("ring all wave placed", extra={"legs": len(legs), "failed": failed})
    end_wave_if_over(p.prospect_id, p.wave)


def end_wave_if_over(prospect_id: str, wave: int) -> None:
    """When every leg of the wave has ended without a claim, the wave ends at once: exactly
    one caller (a conditional write on the token) ends the task (``aws.end_wave``)."""
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING or p.wave != wave or not p.wave_token:
        return
    legs = [c for c in leads.calls_of(prospect_id) if c.kind == "ring" and c.wave == wave]
    if len(legs) < len(p.current_offers) or any(c.status not in phone.FINAL for c in legs):
        return
    try:
        leads.update(p, {"wave_token": None, "updated_at": clock.iso(clock.now())},
                     event("wave_unanswered", wave=wave), condition=leads.in_status(LeadStatus.OFFERING)
                     & leads.token_is(p.wave_token))
    except ConcurrentUpdate:
        return
    aws.end_wave(p.wave_token, "no agent of the wave answered")


def _leg(q: dict[str, str], form: dict[str, str]) -> CallLeg:
    """The leg a webhook is about; created if the webhook beat the REST answer that records it."""
    found = leads.get_call(q["prospect_id"], form["CallSid"])
    if found is not None:
        return found
    p = leads.get(q["prospect_id"])
    leg = CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid=form["CallSid"], kind=q.get("leg", "ring"),
                  agent_id=q.get("agent_id"), wave=int(q.get("wave") or 0), phone_called=form.get("To"),
                  started_at=clock.iso(clock.now()))
    leads.create_call(leg)
    return leads.get_call(leg.prospect_id, leg.call_sid) or leg


def _hangup(resp: VoiceResponse, text: str) -> str:
    resp.say(text)
    resp.hangup()
    return str(resp)


def answer(q: dict[str, str], form: dict[str, str], base: str) -> str:
    leg = _leg(q, form)
    leads.update_call(leg.prospect_id, leg.call_sid, {"status": "in-progress", "answered_at": clock.iso(clock.now())},
                      final_statuses=phone.FINAL)
    # the lead is read after the leg is marked answered: a winner who still saw this leg ringing
    # (and only canceled it) took the lead before this read, so this agent hears it was taken
    p = leads.get(q["prospect_id"])
    resp = VoiceResponse()
    if q.get("leg") == "autodial":
        if p.status is LeadStatus.ASSIGNED and p.agent_id == q.get("agent_id"):
            return bridge(p, resp, form["CallSid"], q, base)
        return _hangup(resp, "This lead is no longer yours. Goodbye.")
    if q.get("leg") == "click":  # the agent still holds the lead locked, or owns it
        now = clock.iso(clock.now())
        owns = p.status is LeadStatus.ASSIGNED and p.agent_id == q.get("agent_id")
        if owns or held_by(p.lock_agent, p.lock_until, str(q.get("agent_id")), now):
            return bridge(p, resp, form["CallSid"], q, base, agent_id=str(q.get("agent_id")))
        return _hangup(resp, "Your lock on this lead ended. Goodbye.")
    if p.status is LeadStatus.OFFERING and q.get("agent_id") in p.current_offers and str(p.wave) == q.get("wave"):
        gather = resp.gather(num_digits=1, action=callback_url(base, "/ivr/press", **q), method="POST",
                             timeout=8)
        if p.inbound_call:
            gather.say(f"A borrower is calling {p.campaign_name} now. Press 1 to take the call.")
        else:
            gather.say(f"New lead from {p.campaign_name}. Press 1 to accept this lead.")
        return _hangup(resp, "No selection received. Goodbye.")  # never falls through to a bridge
    return _hangup(resp, TAKEN)


def press(q: dict[str, str], form: dict[str, str], base: str) -> str:
    """Press 1 takes a Ring All lead, only through a leg leadwave placed to that agent for that
    wave, and only once per leg: a replayed press bridges no second call."""
    resp = VoiceResponse()
    if form.get("Digits") != "1":
        return _hangup(resp, "Goodbye.")
    p = leads.get(q["prospect_id"])
    leg = leads.get_call(p.prospect_id, form["CallSid"])
    if (p.distribution_type is not DistributionType.RING_ALL or leg is None or leg.kind != "ring"
            or leg.agent_id != q.get("agent_id") or str(leg.wave) != q.get("wave")):
        logger.warning("press refused: not a ring leg of this agent and wave")
        return _hangup(resp, "This call is not for a current lead. Goodbye.")
    if not leads.first_press(p.prospect_id, leg.call_sid, clock.iso(clock.now())):
        logger.warning("press refused: this leg already pressed")
        return _hangup(resp, "This call was already handled. Goodbye.")
    agent = directory.get(Agent, p.org_id, str(leg.agent_id))
    try:
        claims.claim_offer(agent, p.prospect_id, by_phone=True)
    except DomainError:  # already claimed, expired, not offered: this caller did not get it
        return _hangup(resp, TAKEN)
    won = leads.get(p.prospect_id)
    _hang_up_others(won, keep=form["CallSid"])
    if won.inbound_call:  # the borrower is waiting on the line: take them out of their queue
        return take_caller(won, resp, form["CallSid"], q, base)
    resp.say("Connecting you to the borrower now.")
    return bridge(won, resp, form["CallSid"], q, base, announce=False)


HANG_UP_WAIT_SECONDS = 3.0
TAKEN = "Sorry, another agent took this lead. Goodbye."


def losing_leg_action(status: str) -> str | None:
    """What ends a losing leg of a wave someone won: ``say`` to an answered call (the agent
    hears that the lead was taken, then it ends), ``cancel`` to one not answered yet (Twilio's
    ``canceled`` leaves an answered call alone: if it was answered meanwhile, its answer
    webhook says the lead was taken), nothing to an ended one."""
    if status in phone.FINAL:
        return None
    return "say" if status == "in-progress" else "cancel"


def taken_twiml() -> str:
    return _hangup(VoiceResponse(), TAKEN)


def _hang_up_others(p: Prospect, keep: str, *, twiml: str | None = None) -> None:
    """End the losing legs concurrently, waiting at most a few seconds: the winner's TwiML must
    reach Twilio well inside its 15 s. A leg still ringing is canceled; an answered one hears
    "another agent took this lead" (the call is updated with that TwiML), then ends."""
    others = [(c.call_sid, action) for c in leads.calls_of(p.prospect_id)
              if c.kind == "ring" and c.call_sid != keep and (action := losing_leg_action(c.status))]
    if not others:
        return
    said = twiml or taken_twiml()
    pool = ThreadPoolExecutor(max_workers=len(others))
    wait([pool.submit(_end_losing_leg, sid, action, said) for sid, action in others], timeout=HANG_UP_WAIT_SECONDS)
    pool.shutdown(wait=False)


def stop_legs(p: Prospect) -> None:
    """A caller hung up while their agents were rung: every leg stops; an answered one hears why."""
    _hang_up_others(p, keep="", twiml=_hangup(VoiceResponse(), "Sorry, the caller hung up. Goodbye."))


def _end_losing_leg(sid: str, action: str, twiml: str) -> None:
    try:
        if action == "say":
            phone.say_and_end(sid, twiml)
        else:
            phone.cancel(sid)
    except Exception:
        logger.exception("could not end a losing leg", extra={"call_sid": sid, "action": action})


def bridge(p: Prospect, resp: VoiceResponse, call_sid: str, q: dict[str, str], base: str, *,
           announce: bool = True, agent_id: str | None = None) -> str:
    """Dial the borrower's mobile with the agent's caller ID, recorded, unless the TCPA guard
    blocks it (the assignment stands; the reason is recorded on the lead)."""
    org = directory.get(Org, p.org_id)
    campaign = directory.campaign_or_none(p.org_id, p.campaign_id)
    agent = directory.get(Agent, p.org_id, agent_id or str(p.agent_id))
    reason = call_block_reason(tcpa=bool(campaign and campaign.tcpa), consent=p.consent, state=p.state,
                               phone=p.phone, do_not_call=org.do_not_call, now=clock.now())
    if reason:
        record_blocked(p, agent.agent_id, reason)
        return _hangup(resp, "The borrower cannot be called right now. The lead is yours; "
                             "please follow up later. Goodbye.")
    if announce:
        resp.say("Connecting you to your new lead.")
    dial = resp.dial(caller_id=agent.caller_id or org.caller_id, record="record-from-answer-dual", timeout=30,
                     recording_status_callback=callback_url(base, "/ivr/recording", **q),
                     recording_status_callback_method="POST")
    dial.number(p.phone)
    leads.update_call(p.prospect_id, call_sid, {"bridged": True})
    _called(p, agent.agent_id)
    return str(resp)


def _called(p: Prospect, agent_id: str) -> None:
    """The borrower was dialled (or taken from the queue they called into): the lead's first call
    and its agent's first action, once (speed to lead); never fails the call."""
    if p.status is not LeadStatus.ASSIGNED or p.agent_id != agent_id:
        p = leads.get(p.prospect_id)  # read before the press of 1 that made it theirs
    now = clock.iso(clock.now())
    fields = first_work(p, agent_id, now, call=True)
    if not fields:
        return
    unset = None
    for name in fields:
        absent = getattr(LeadItem, name).does_not_exist()
        unset = absent if unset is None else unset & absent
    try:
        leads.update(p, fields, None, condition=unset)
    except ConcurrentUpdate:
        pass  # set meanwhile by another call or action: the first one stands


def take_caller(p: Prospect, resp: VoiceResponse, call_sid: str, q: dict[str, str], base: str) -> str:
    """The agent who pressed 1 for a caller's lead (a borrower who called a virtual number and
    waits in the queue named after the lead, ``services.inbound``): take them out of it."""
    resp.say("Connecting you to the caller.")
    dial = resp.dial(record="record-from-answer-dual", timeout=10, action=callback_url(base, "/ivr/bridge-end", **q),
                     method="POST", recording_status_callback=callback_url(base, "/ivr/recording", **q),
                     recording_status_callback_method="POST")
    dial.queue(p.prospect_id, url=callback_url(base, "/ivr/connecting", **q), method="POST")
    leads.update_call(p.prospect_id, call_sid, {"bridged": True})
    _called(p, str(q.get("agent_id") or p.agent_id))
    return str(resp)


def record_blocked(p: Prospect, agent_id: str, reason: str) -> None:
    at = clock.iso(clock.now())
    leads.create_call(CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid=new_id("blocked"), kind="blocked",
                              agent_id=agent_id, phone_called=None, status="blocked", started_at=at, ended_at=at,
                              reason=reason))
    try:
        leads.update(p, {"updated_at": at}, event("borrower_call_blocked", reason=reason))
    except ConcurrentUpdate:
        pass
    logger.info("borrower call blocked", extra={"reason": reason})


def status(q: dict[str, str], form: dict[str, str]) -> None:
    leg = _leg(q, form)
    call_status = form.get("CallStatus", leg.status)
    changes: dict[str, Any] = {"status": call_status}
    if call_status in phone.FINAL:
        changes["ended_at"] = clock.iso(clock.now())
        changes["talk_seconds"] = _seconds(form.get("CallDuration")) if leg.answered_at else 0
    leads.update_call(leg.prospect_id, leg.call_sid, changes, final_statuses=phone.FINAL)
    if call_status in phone.FINAL and leg.kind == "ring":
        end_wave_if_over(q["prospect_id"], int(q.get("wave") or 0))


def _seconds(value: str | None) -> int:
    """Twilio's CallDuration (whole seconds); anything else counts as 0, never a 5xx."""
    text = (value or "").strip()
    return min(int(text), 86_400) if text.isascii() and text.isdecimal() and len(text) <= 6 else 0


def recording(q: dict[str, str], form: dict[str, str]) -> None:
    leg = _leg(q, form)
    if form.get("RecordingUrl"):
        leads.update_call(leg.prospect_id, leg.call_sid, {"recording_url": form["RecordingUrl"]})


def auto_dial(p: Prospect, agent: Agent, base: str) -> None:
    """Distribute All with Auto-Dial: after the claim, call the agent's phone; answering bridges
    to the borrower under the same TCPA guard (checked before dialling and when bridging)."""
    _call_agent_first(p, agent, base, "autodial")


def click_to_call(p: Prospect, agent: Agent, base: str) -> dict[str, Any]:
    """"Call" on a lead the agent holds locked or owns (the work queue, the lead page): the
    Auto-Dial path — the agent's own phone rings first, answering bridges to the lead with the
    agent's caller ID, recorded, under the same TCPA guard."""
    return _call_agent_first(p, agent, base, "click")


def _call_agent_first(p: Prospect, agent: Agent, base: str, kind: str) -> dict[str, Any]:
    org = directory.get(Org, p.org_id)
    campaign = directory.campaign_or_none(p.org_id, p.campaign_id)
    reason = call_block_reason(tcpa=bool(campaign and campaign.tcpa), consent=p.consent, state=p.state,
                               phone=p.phone, do_not_call=org.do_not_call, now=clock.now())
    if not reason and not org.caller_id:
        reason = "The organization has no caller ID for calls to agents (Org Details)."
    to = agent.work_phone or agent.mobile_phone
    if not reason and not to:
        reason = "The agent has no work or mobile phone to ring first."
    if reason:
        record_blocked(p, agent.agent_id, reason)
        return {"status": "blocked", "reason": reason, "call_sid": None}
    q = {"prospect_id": p.prospect_id, "agent_id": agent.agent_id, "wave": p.wave, "leg": kind}
    leg = CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid="", kind=kind, agent_id=agent.agent_id,
                  wave=p.wave, phone_called=to, started_at=clock.iso(clock.now()))
    try:
        sid = phone.place_call(to=str(to), from_=str(org.caller_id), answer_url=callback_url(base, "/ivr/answer", **q),
                               status_url=callback_url(base, "/ivr/status", **q), ring_seconds=30)
        leads.create_call(leg.model_copy(update={"call_sid": sid}))
    except Exception:
        logger.exception("could not place the call to the agent", extra={"leg": kind})
        leads.create_call(leg.model_copy(update={"call_sid": new_id("failed"), "status": "failed"}))
        return {"status": "failed", "reason": "The call could not be placed (phone provider error).", "call_sid": None}
    return {"status": "queued", "reason": None, "call_sid": sid, "phone_called": to}


LEGS = ("ring", "autodial", "click")


def webhook_query(query: dict[str, str]) -> dict[str, str] | None:
    """The parameters our callback URLs carry (``prospect_id``, ``agent_id``, ``wave``, ``leg``),
    checked; None when a signed request's are missing or malformed (its call is hung up)."""
    q = {k: v for k, v in query.items() if v is not None}
    ok = (ID_PATTERN.fullmatch(q.get("prospect_id", "")) and ID_PATTERN.fullmatch(q.get("agent_id", ""))
          and q.get("wave", "").isdecimal() and len(q["wave"]) <= 4 and q.get("leg") in LEGS)
    return q if ok else None


def goodbye() -> str:
    return _hangup(VoiceResponse(), "This call is not for a current lead. Goodbye.")
