"""Settings routes (managers and admins change; supervisors read): campaigns, groups, agents,
the org, vendors. Included into the claim function's resolver."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from leadwave.api import json_body, json_response
from leadwave.auth import current_agent, require_role
from leadwave.errors import NotFound
from leadwave.models import Agent, Campaign, Group, Role, Vendor
from leadwave.services import admin, posting
from leadwave.webhooks import public_base

router = Router()
MAX_BODY = 64 * 1024
KINDS = {"campaigns": Campaign, "groups": Group, "agents": Agent}


def _caller(*, change: bool) -> Agent:
    agent = current_agent(router.current_event)
    require_role(agent, *((Role.MANAGER, Role.ADMIN) if change else (Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)))
    return agent


def _kind(kind: str) -> type:
    if kind not in KINDS:
        raise NotFound("No such route.", code="route_not_found")
    return KINDS[kind]


def _base() -> str:
    """Where Twilio reaches our webhooks (a campaign's virtual numbers are pointed there)."""
    return public_base(router.current_event.raw_event)


def _body() -> object:
    return json_body(router, max_bytes=MAX_BODY)  # type: ignore[arg-type]


@router.get("/v1/<kind>")
def list_items(kind: str) -> Response:
    if kind == "vendors":
        return json_response(200, {"items": admin.vendors(_caller(change=False).org_id)})
    return json_response(200, {"items": admin.list_items(_kind(kind), _caller(change=False).org_id)})


@router.post("/v1/<kind>")
def create_item(kind: str) -> Response:
    if kind == "vendors":
        return json_response(201, admin.create_vendor(_caller(change=True).org_id, _body()))
    return json_response(201, admin.save_item(_kind(kind), _caller(change=True).org_id, _body(),
                                              callback_base=_base()))


@router.get("/v1/<kind>/<item_id>")
def get_item(kind: str, item_id: str) -> Response:
    if kind == "vendors":
        return json_response(200, admin.get_vendor(_caller(change=False).org_id, item_id))
    return json_response(200, admin.get_item(_kind(kind), _caller(change=False).org_id, item_id))


@router.put("/v1/<kind>/<item_id>")
def put_item(kind: str, item_id: str) -> Response:
    if kind == "vendors":
        return json_response(200, admin.update_vendor(_caller(change=True).org_id, item_id, _body()))
    return json_response(200, admin.save_item(_kind(kind), _caller(change=True).org_id, _body(), item_id,
                                              callback_base=_base()))


@router.delete("/v1/<kind>/<item_id>")
def delete_item(kind: str, item_id: str) -> Response:
    org_id = _caller(change=True).org_id
    if kind == "groups":
        admin.delete_group(org_id, item_id)
    else:
        admin.deactivate(Vendor if kind == "vendors" else _kind(kind), org_id, item_id)
    return Response(status_code=204, body="")


@router.put("/v1/vendors/<vendor_id>/profile")
def put_vendor_profile(vendor_id: str) -> Response:
    """The vendor's own posting format and answer (issue 14); null: leadwave's JSON."""
    return json_response(200, posting.save_profile(_caller(change=True).org_id, vendor_id, _body()))


@router.post("/v1/vendors/<vendor_id>/profile/test")
def test_vendor_profile(vendor_id: str) -> Response:
    """The mapping editor's test console: the lead a sample post makes and the vendor's answer."""
    org_id = _caller(change=False).org_id
    admin.get_vendor(org_id, vendor_id)  # another org's vendor is unknown here
    return json_response(200, posting.test_post(org_id, _body()))


@router.get("/v1/org")
def get_org() -> Response:
    return json_response(200, admin.get_org(_caller(change=False).org_id))


@router.put("/v1/org")
def put_org() -> Response:
    return json_response(200, admin.save_org(_caller(change=True).org_id, _body()))
