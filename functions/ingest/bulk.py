"""Bulk upload routes (vendor API key or a manager's sign-in token, through the
LeadReaderAuthorizer): POST /v1/leads/bulk, GET /v1/uploads/{id}, GET /v1/uploads/{id}/rejected."""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from leadwave.api import json_response, query
from leadwave.auth import current_agent, is_vendor, vendor_identity
from leadwave.services import bulk

router = Router()


def _uploader() -> bulk.Uploader:
    event = router.current_event
    if is_vendor(event):
        vendor = vendor_identity(event)
        return bulk.Uploader.vendor(vendor.org_id, vendor.vendor_id)
    return bulk.Uploader.manager(current_agent(event))


def _reader() -> bulk.Uploader | object:
    event = router.current_event
    if is_vendor(event):
        vendor = vendor_identity(event)
        return bulk.Uploader.vendor(vendor.org_id, vendor.vendor_id)
    return current_agent(event)


@router.post("/v1/leads/bulk")
def post_bulk() -> Response:
    event = router.current_event
    params = query(router, allowed=("campaign_id", "mode", "list_id"))  # type: ignore[arg-type]
    raw = event.raw_event.get("body") or ""
    data = base64.b64decode(raw) if event.raw_event.get("isBase64Encoded") else raw.encode()
    result = bulk.submit(_uploader(), params, event.headers.get("Content-Type") or "", data)
    return json_response(202, result, {"Location": f"/v1/uploads/{result['upload_id']}"})


@router.get("/v1/uploads/<upload_id>")
def get_upload(upload_id: str) -> Response:
    params = query(router, allowed=("cursor",))  # type: ignore[arg-type]
    return json_response(200, bulk.status(_reader(), upload_id, params.get("cursor")))  # type: ignore[arg-type]


@router.get("/v1/uploads/<upload_id>/rejected")
def get_rejected(upload_id: str) -> Response:
    text = bulk.rejected_csv(_reader(), upload_id)  # type: ignore[arg-type]
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=text,
                    headers={"Content-Disposition": f'attachment; filename="{upload_id}-rejected.csv"'})
