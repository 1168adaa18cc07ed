"""Offline leads (seed 004, issue 11): a borrower calls one of a campaign's virtual numbers.

The call creates the lead at once (its phone is the caller's, its campaign the number's, its
channel ``phone``) and the caller waits in a Twilio queue named after the lead (``<Enqueue>``),
hearing a greeting and hold music, while the distribution rings up to 5 eligible agents through
the same code as Ring All (REST calls, "press 1", the conditional claim). The winner's call
takes the caller out of the queue (``<Dial><Queue>``); the other phones stop, an answered one
hears that another agent took the lead. Nobody within the ring time: the caller hears the
org's busy message and may leave a voicemail, and the lead goes to the fresh bucket; a caller
who hangs up first ends the ringing at once. After hours: the closed message, a voicemail,
the fresh bucket. A repeat call from the same number within the org's duplicate window
attaches to the first lead; if that lead has an agent, the caller is put through to them.
Why a queue and not a simultaneous ``<Dial>`` of the agents: README, "Inbound calls"."""

from __future__ import annotations

from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, NotFound
from leadwave.models import ID_PATTERN, Agent, CallLeg, Channel, DistributionType, LeadStatus, Org, Prospect, Reason
from leadwave.observability import count, logger
from leadwave.rules import hours
from leadwave.rules.direct import Decision
from leadwave.rules.phones import to_e164
from leadwave.rules.waves import inbound_campaign, max_waves, wave_timeout
from leadwave.services import dedupe, outcomes, ringall
from leadwave.services.assignment import apply_to_new, event
from leadwave.services.distribution import outcome
from leadwave.services.ingest import prospect_id_for
from leadwave.store import aws, directory, leads, numbers, phone
from leadwave.webhooks import callback_url

HOLD_MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"  # Twilio's own hold music
VOICEMAIL_SECONDS = 120
WAITING = "waiting"  # the caller's leg while they wait in the queue
GONE = frozenset({"completed", "busy", "no-answer", "failed", "canceled", "hangup"})


def _hangup(resp: VoiceResponse, text: str) -> str:
    resp.say(text)
    resp.hangup()
    return str(resp)


def _voicemail(resp: VoiceResponse, message: str, prospect_id: str, base: str) -> str:
    resp.say(message)
    resp.record(action=callback_url(base, "/ivr/voicemail", prospect_id=prospect_id), method="POST",
                max_length=VOICEMAIL_SECONDS, play_beep=True, finish_on_key="#")
    resp.say("We did not receive a message. Goodbye.")
    return str(resp)


def webhook_query(query: dict[str, str]) -> dict[str, str] | None:
    """The inbound webhooks' own parameter: ``prospect_id`` (none on the number's voice URL)."""
    q = {k: v for k, v in query.items() if v is not None}
    if "prospect_id" in q and not ID_PATTERN.fullmatch(q["prospect_id"]):
        return None
    return q


# ---------------------------------------------------------------- the call arrives

def call_in(form: dict[str, str], base: str) -> str:
    """The virtual number's voice webhook: create the lead and put the caller on hold (or say
    why not). A webhook Twilio sends again for the same call answers from the lead it created."""
    resp = VoiceResponse()
    found = numbers.owner(form.get("To", ""))
    s = directory.settings(found[0]) if found else None
    campaign = s.campaign(found[1]) if s is not None and found else None
    if s is None or campaign is None or not campaign.active:
        logger.warning("a call to a number of no active campaign")
        return _hangup(resp, "The number you have called is not in service. Goodbye.")
    org, sid = s.org, form["CallSid"]
    try:
        caller = to_e164(form.get("From", ""), org.default_country)
    except ValueError:
        return _hangup(resp, "We could not see the number you are calling from. Please call again without "
                             "hiding your number. Goodbye.")
    prospect_id = prospect_id_for(f"{org.org_id}#call#{sid}")
    try:
        return _again(leads.get(prospect_id), resp, base)
    except NotFound:
        pass
    now = clock.now()
    at = clock.iso(now)
    p = Prospect(org_id=org.org_id, prospect_id=prospect_id, campaign_id=campaign.campaign_id, vendor_id="call",
                 phone=caller, channel=Channel.PHONE, campaign_name=campaign.name,
                 distribution_type=DistributionType.RING_ALL, initial_status=campaign.initial_status,
                 initial_activity=campaign.initial_activity, inbound_call=sid, status=LeadStatus.OFFERING,
                 created_at=at, updated_at=at, events=[event("received", source="call", number=form.get("To"))])
    attached = dedupe.admit(org, p, "call")
    if attached is not None:
        return _repeat_caller(attached.first, form, base)
    ring = inbound_campaign(campaign)
    if not hours.is_open(org, now):
        p = _placed(p, Decision(LeadStatus.UNASSIGNED, reason=Reason.AFTER_HOURS), at)
        leads.create(p)
        _caller_leg(p, form, at, status="in-progress")
        outcomes.publish(p)
        count("InboundCall", outcome="closed")
        return _voicemail(resp, org.closed_message, p.prospect_id, base)
    p.events.append(event("queued"))
    leads.create(p, sweep_at=leads.sweep_due(at, max_waves(ring) * wave_timeout(ring)))
    _caller_leg(p, form, at, status=WAITING)
    try:
        aws.enqueue_distribution(p.prospect_id, p.org_id, wave_timeout(ring))
    except Exception:  # the caller must not wait for agents nobody will ring
        logger.exception("could not queue an inbound call's lead")
        _place_now(p, Decision(LeadStatus.UNASSIGNED, reason=Reason.QUEUE_UNAVAILABLE))
        return _voicemail(resp, org.busy_message, p.prospect_id, base)
    count("InboundCall", outcome="ringing")
    logger.info("inbound call: caller waiting", extra={"prospect_id": p.prospect_id})
    return _hold(resp, org, p.prospect_id, base)


def _hold(resp: VoiceResponse, org: Org, prospect_id: str, base: str) -> str:
    resp.say(org.inbound_greeting)
    resp.enqueue(prospect_id, wait_url=callback_url(base, "/ivr/hold", prospect_id=prospect_id),
                 wait_url_method="POST", action=callback_url(base, "/ivr/inbound-end", prospect_id=prospect_id),
                 method="POST")
    return str(resp)


def _again(p: Prospect, resp: VoiceResponse, base: str) -> str:
    """Twilio sent the voice webhook again for a call whose lead exists: the same answer."""
    org = directory.settings(p.org_id).org
    if p.status is LeadStatus.OFFERING:
        return _hold(resp, org, p.prospect_id, base)
    return _voicemail(resp, org.closed_message if p.failure_reason == Reason.AFTER_HOURS else org.busy_message,
                      p.prospect_id, base)


def _placed(p: Prospect, decision: Decision, at: str) -> Prospect:
    fields, ev = outcome(decision, p, at)
    placed = apply_to_new(p, fields)
    placed.events.append(ev)
    return placed


def _place_now(p: Prospect, decision: Decision) -> None:
    fields, ev = outcome(decision, p, clock.iso(clock.now()))
    try:
        outcomes.publish(leads.update(p, fields, ev, condition=leads.in_status(LeadStatus.OFFERING)))
    except ConcurrentUpdate:
        pass


def _caller_leg(p: Prospect, form: dict[str, str], at: str, *, status: str) -> None:
    leads.create_call(CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid=form["CallSid"], kind="inbound",
                              phone_called=form.get("To"), status=status, started_at=at, answered_at=at))


def _repeat_caller(first: Prospect, form: dict[str, str], base: str) -> str:
    """The borrower called again within the duplicate window: no new lead; their agent's phone
    rings if the lead has one, else they may leave a voicemail on it."""
    resp = VoiceResponse()
    org = directory.settings(first.org_id).org
    at = clock.iso(clock.now())
    _caller_leg(first, form, at, status="in-progress")
    agent = None
    if first.status is LeadStatus.ASSIGNED and first.agent_id:
        try:
            agent = directory.get(Agent, first.org_id, first.agent_id)
        except NotFound:
            agent = None
    to = (agent.work_phone or agent.mobile_phone) if agent is not None and agent.active else None
    count("InboundCall", outcome="repeat")
    if not to:
        return _voicemail(resp, org.busy_message, first.prospect_id, base)
    resp.say("Connecting you to your loan officer.")
    dial = resp.dial(timeout=20, action=callback_url(base, "/ivr/owner-end", prospect_id=first.prospect_id),
                     method="POST")
    dial.number(to)
    return str(resp)


# ---------------------------------------------------------------- while the caller waits

def hold(q: dict[str, str]) -> str:
    resp = VoiceResponse()
    resp.say("Please stay on the line. A loan officer will be with you shortly.")
    resp.play(HOLD_MUSIC)
    return str(resp)


def connecting() -> str:
    """Said to the caller as the winning agent's call takes them out of the queue."""
    resp = VoiceResponse()
    resp.say("You are now being connected to a loan officer. This call may be recorded.")
    return str(resp)


def bridge_end(form: dict[str, str]) -> str:
    """The winning agent's ``<Dial><Queue>`` ended: a talk that ended, or nobody in the queue."""
    resp = VoiceResponse()
    if form.get("DialCallStatus") in ("completed", "answered"):
        resp.hangup()
        return str(resp)
    return _hangup(resp, "The caller hung up before you were connected. The lead is yours; please call them back.")


def inbound_end(q: dict[str, str], form: dict[str, str]) -> str:
    """The caller left the queue (the ``<Enqueue>`` action): bridged and done, hung up while
    waiting, or taken out of it (to leave a voicemail). A caller who hung up stops the ringing:
    the wave ends now and the lead goes to the fresh bucket."""
    resp = VoiceResponse()
    result = form.get("QueueResult", "")
    p = leads.get(q["prospect_id"])
    if result in ("redirected", "leave"):
        return str(resp)  # Twilio runs the TwiML the call was given (the voicemail)
    changes: dict[str, Any] = {"status": "completed", "ended_at": clock.iso(clock.now())}
    leads.update_call(p.prospect_id, form["CallSid"], changes, final_statuses=phone.FINAL)
    if result != "bridged" and p.status is LeadStatus.OFFERING:
        _caller_left(p)
    resp.hangup()
    return str(resp)


def _caller_left(p: Prospect) -> None:
    """Stop the agents' phones and end the open wave now (its execution places the lead in the
    fresh bucket); before any wave opened, the wave task sees the caller gone and places it."""
    token = p.wave_token
    try:
        p = leads.update(p, {"wave_token": None, "updated_at": clock.iso(clock.now())},
                         event("caller_hung_up", wave=p.wave),
                         condition=leads.in_status(LeadStatus.OFFERING) & (leads.token_is(token) if token
                                                                           else leads.wave_is(p.wave)))
    except ConcurrentUpdate:
        return
    ringall.stop_legs(p)
    if token:
        aws.end_wave(token, "the caller hung up")
    logger.info("caller hung up while agents were rung")


def caller_gone(p: Prospect) -> bool:
    """Whether a caller's lead has no caller waiting any more (checked before a wave rings)."""
    if not p.inbound_call:
        return False
    leg = leads.get_call(p.prospect_id, p.inbound_call)
    return leg is not None and leg.status != WAITING


def nobody_answered(p: Prospect, base: str) -> None:
    """A caller's lead was placed without an agent: if the caller still waits, offer a voicemail."""
    leg = leads.get_call(p.prospect_id, str(p.inbound_call))
    if leg is None or leg.status != WAITING:
        return
    org = directory.settings(p.org_id).org
    try:
        phone.run_twiml(str(p.inbound_call), _voicemail(VoiceResponse(), org.busy_message, p.prospect_id, base))
    except Exception:  # the caller may have hung up a moment ago
        logger.exception("could not offer the caller a voicemail")


def owner_end(q: dict[str, str], form: dict[str, str], base: str) -> str:
    """A repeat caller put through to their agent: done, or nobody picked up (a voicemail)."""
    if form.get("DialCallStatus") in ("completed", "answered"):
        resp = VoiceResponse()
        resp.hangup()
        return str(resp)
    p = leads.get(q["prospect_id"])
    return _voicemail(VoiceResponse(), directory.settings(p.org_id).org.busy_message, p.prospect_id, base)


def voicemail(q: dict[str, str], form: dict[str, str]) -> str:
    """The caller's message (``<Record>``'s action): kept on the lead's call activity once, its
    recording playable from the lead page."""
    resp = VoiceResponse()
    p = leads.get(q["prospect_id"])
    url = form.get("RecordingUrl", "")
    if url:
        sid = form.get("RecordingSid") or f"vm{form['CallSid']}"
        seconds = form.get("RecordingDuration", "0")
        talk = min(int(seconds), VOICEMAIL_SECONDS * 10) if seconds.isascii() and seconds.isdecimal() else 0
        at = clock.iso(clock.now())
        created = leads.create_call(CallLeg(org_id=p.org_id, prospect_id=p.prospect_id, call_sid=sid,
                                            kind="voicemail", phone_called=None, status="completed", started_at=at,
                                            ended_at=at, talk_seconds=talk, recording_url=url))
        if created:
            try:
                leads.update(p, {"updated_at": at}, event("voicemail", seconds=talk))
            except ConcurrentUpdate:
                pass
    return _hangup(resp, "Thank you. Goodbye.") if form.get("Digits") is not None or url else str(resp)
