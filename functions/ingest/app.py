"""Vendor API: POST /v1/leads and the bulk upload routes (template.yaml). A vendor reads its lead's status at
GET /v1/leads/{prospect_id}, served by the claim function beside the lead page."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bulk import router as bulk_router
from leadwave.api import build_app, json_body, json_of, json_response, raw_body
from leadwave.auth import vendor_identity
from leadwave.errors import DomainError
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import ingest, ping, posting, returns
from leadwave.services.leadin import MAX_LEAD_BYTES

imports_done()

app = build_app()
app.include_router(bulk_router)  # POST /v1/leads/bulk, GET /v1/uploads/{id}[/rejected]


@app.post("/v1/leads")
def post_lead() -> Response:
    """leadwave's JSON, or the vendor's own format and answer (its posting profile, issue 14)."""
    # the request read whole before any I/O (the resolver's current event is the process's, not the call's)
    event, context = app.current_event, app.lambda_context
    vendor = vendor_identity(event)
    key = event.headers.get("Idempotency-Key")  # case-insensitive
    content_type = event.headers.get("Content-Type")
    raw = raw_body(app, max_bytes=MAX_LEAD_BYTES)
    profile = posting.profile_of(vendor)
    try:
        lead = json_of(raw, content_type) if profile is None else posting.lead_of(profile, content_type, raw)
        result = ingest.ingest(vendor, lead, key or None, context)
    except DomainError as exc:
        answer = posting.rendered(profile, posting.refused(exc))
        if answer is None:
            raise
        retry_after = getattr(exc, "retry_after", None)
        return Response(exc.status, answer[0], answer[1], {"Retry-After": str(retry_after)} if retry_after else None)
    body = result["body"]
    headers = {"Location": f"/v1/leads/{body['prospect_id']}"}
    answer = posting.rendered(profile, posting.accepted(result["status_code"], body))
    if answer is not None:
        return Response(result["status_code"], answer[0], answer[1], headers)
    return json_response(result["status_code"], body, headers)


@app.post("/v1/leads/ping")
def ping_lead() -> Response:
    """Would leadwave take this lead? (issue 14's ping/post: non-personal fields only)"""
    return json_response(200, ping.ping(vendor_identity(app.current_event), json_body(app, max_bytes=4096)))


@app.get("/v1/returns")
def list_returns() -> Response:
    """The vendor's leads returned to it (issue 14), newest first; ``cursor`` reads on."""
    vendor = vendor_identity(app.current_event)
    return json_response(200, returns.vendor_returns(vendor, app.current_event.get_query_string_value("cursor")))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
