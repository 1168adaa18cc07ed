"""The agent's work queue and lead actions (seed 003), the lead page, the user's preferences.
Included into the claim function's resolver."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from leadwave.api import json_body, json_response, query
from leadwave.auth import current_agent, is_vendor, vendor_identity
from leadwave.services import agentleads, agents, leadpage, leadwork, queries, worklists
from leadwave.services.leadin import MAX_LEAD_BYTES
from leadwave.webhooks import public_base

router = Router()
MAX_BODY = 16 * 1024


def _body() -> object:
    event = router.current_event
    if not (event.body or "").strip():
        return {}
    return json_body(router, max_bytes=MAX_BODY)  # type: ignore[arg-type]


@router.post("/v1/queue/next")
def queue_next() -> Response:
    found = worklists.next_lead(current_agent(router.current_event), _body())
    return Response(status_code=204, body="") if found is None else json_response(200, found)


@router.post("/v1/leads/<prospect_id>/<action>")
def lead_action(prospect_id: str, action: str) -> Response:
    if action == "transfer" and is_vendor(router.current_event):  # a call center's patch-out (API key)
        return json_response(200, leadwork.patch_out(vendor_identity(router.current_event), prospect_id, _body()))
    agent = current_agent(router.current_event)
    base = public_base(router.current_event.raw_event) if action == "call" else None
    return json_response(200, leadwork.act(agent, prospect_id, action, _body(), callback_base=base))


@router.get("/v1/leads/<prospect_id>")
def lead_page(prospect_id: str) -> Response:
    """A vendor (API key): its lead's status and why; a user (sign-in token): the lead page."""
    event = router.current_event
    if is_vendor(event):
        return json_response(200, queries.vendor_lead(vendor_identity(event), prospect_id))
    return json_response(200, leadpage.page(current_agent(event), prospect_id))


@router.post("/v1/me/leads")
def create_own_lead() -> Response:
    """An agent's own lead (referral, channel partner, walk-in), assigned to them."""
    result = agentleads.create(current_agent(router.current_event), json_body(router, max_bytes=MAX_LEAD_BYTES))
    body = result["body"]
    return json_response(result["status_code"], body, {"Location": f"/v1/leads/{body['prospect_id']}"})


@router.get("/v1/me/notifications")
def get_notifications() -> Response:
    params = query(router, allowed=("since",))  # type: ignore[arg-type]
    return json_response(200, agents.notifications(current_agent(router.current_event), params.get("since") or None))


@router.get("/v1/me/colleagues")
def get_colleagues() -> Response:
    return json_response(200, {"items": agents.colleagues(current_agent(router.current_event))})


@router.put("/v1/me/preferences")
def put_preferences() -> Response:
    return json_response(200, agents.set_preferences(current_agent(router.current_event), _body()))
