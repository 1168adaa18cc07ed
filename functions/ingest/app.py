"""Vendor API: POST /v1/leads and the bulk upload routes (template.yaml). A vendor reads its lead's status at
GET /v1/leads/{prospect_id}, served by the claim function beside the lead page."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bulk import router as bulk_router
from leadwave.api import build_app, json_body, json_response
from leadwave.auth import vendor_identity
from leadwave.observability import logger
from leadwave.services import ingest
from leadwave.services.leadin import MAX_LEAD_BYTES

app = build_app()
app.include_router(bulk_router)  # POST /v1/leads/bulk, GET /v1/uploads/{id}[/rejected]


@app.post("/v1/leads")
def post_lead() -> Response:
    vendor = vendor_identity(app.current_event)
    key = app.current_event.headers.get("Idempotency-Key")  # case-insensitive
    result = ingest.ingest(vendor, json_body(app, max_bytes=MAX_LEAD_BYTES), key or None, app.lambda_context)
    body = result["body"]
    return json_response(result["status_code"], body, {"Location": f"/v1/leads/{body['prospect_id']}"})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
