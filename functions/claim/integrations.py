"""Integration settings (issue 14): the org's outbound webhooks and their delivery log.
Managers and admins change them; supervisors read. Included into the claim function's resolver
before the settings' ``/v1/<kind>`` routes."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from leadwave.api import json_body, json_response, query
from leadwave.auth import current_agent, require_role
from leadwave.models import Role
from leadwave.services import webhooks

router = Router()
MAX_BODY = 8 * 1024


def _org(*, change: bool) -> str:
    agent = current_agent(router.current_event)
    require_role(agent, *((Role.MANAGER, Role.ADMIN) if change else (Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)))
    return agent.org_id


@router.get("/v1/webhooks")
def list_webhooks() -> Response:
    return json_response(200, {"items": webhooks.list_webhooks(_org(change=False))})


@router.post("/v1/webhooks")
def create_webhook() -> Response:
    body = json_body(router, max_bytes=MAX_BODY)  # type: ignore[arg-type]
    return json_response(201, webhooks.create(_org(change=True), body))


@router.get("/v1/webhooks/<webhook_id>")
def get_webhook(webhook_id: str) -> Response:
    return json_response(200, webhooks.view(webhooks.get(_org(change=False), webhook_id)))


@router.put("/v1/webhooks/<webhook_id>")
def put_webhook(webhook_id: str) -> Response:
    body = json_body(router, max_bytes=MAX_BODY)  # type: ignore[arg-type]
    return json_response(200, webhooks.update(_org(change=True), webhook_id, body))


@router.delete("/v1/webhooks/<webhook_id>")
def delete_webhook(webhook_id: str) -> Response:
    webhooks.delete(_org(change=True), webhook_id)
    return Response(status_code=204, body="")


@router.post("/v1/webhooks/<webhook_id>/secret")
def rotate_secret(webhook_id: str) -> Response:
    return json_response(200, webhooks.rotate_secret(_org(change=True), webhook_id))


@router.post("/v1/webhooks/<webhook_id>/test")
def send_test(webhook_id: str) -> Response:
    return json_response(202, webhooks.send_test(_org(change=True), webhook_id))


@router.get("/v1/webhooks/<webhook_id>/deliveries")
def list_deliveries(webhook_id: str) -> Response:
    params = query(router, allowed=("cursor",))  # type: ignore[arg-type]
    return json_response(200, webhooks.deliveries(_org(change=False), webhook_id, params.get("cursor")))
