"""Call lists, the lead search, the marketing and speed-to-lead reports (managers and admins
change; supervisors read; an agent reads the lists they work). Included into the claim function's resolver."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from leadwave.api import json_body, json_response, query
from leadwave.auth import current_agent, require_role
from leadwave.models import Agent, Role
from leadwave.services import leadsearch, reports, speedreport, worklists

router = Router()
MAX_BODY = 64 * 1024
MAX_CSV = 5 * 1024 * 1024


def _caller(*, change: bool) -> Agent:
    agent = current_agent(router.current_event)
    require_role(agent, *((Role.MANAGER, Role.ADMIN) if change else (Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)))
    return agent


def _body() -> object:
    return json_body(router, max_bytes=MAX_BODY)  # type: ignore[arg-type]


@router.get("/v1/lists")
def get_lists() -> Response:
    query(router, allowed=())  # type: ignore[arg-type]
    return json_response(200, {"items": worklists.list_lists(current_agent(router.current_event))})


@router.post("/v1/lists")
def create_list() -> Response:
    return json_response(201, worklists.create(_caller(change=True), _body()))


@router.get("/v1/lists/<list_id>")
def get_list(list_id: str) -> Response:
    return json_response(200, worklists.get(current_agent(router.current_event), list_id))


@router.put("/v1/lists/<list_id>")
def put_list(list_id: str) -> Response:
    return json_response(200, worklists.update(_caller(change=True), list_id, _body()))


@router.delete("/v1/lists/<list_id>")
def delete_list(list_id: str) -> Response:
    worklists.delete(_caller(change=True), list_id)
    return Response(status_code=204, body="")


@router.post("/v1/lists/<list_id>/split")
def split_list(list_id: str) -> Response:
    return json_response(200, worklists.split(_caller(change=True), list_id, _body()))


@router.post("/v1/lists/<list_id>/leads")
def upload_leads(list_id: str) -> Response:
    manager = _caller(change=True)
    event = router.current_event
    return json_response(200, worklists.upload_csv(manager, list_id, event.headers, event.decoded_body or "",
                                                   max_bytes=MAX_CSV))


@router.get("/v1/leads")
def search_leads() -> Response:
    params = router.current_event.multi_value_query_string_parameters or {}
    return json_response(200, leadsearch.search(_caller(change=False).org_id, params))


@router.get("/v1/reports/marketing")
def marketing_report() -> Response:
    params = query(router, allowed=("from", "to", "format"))  # type: ignore[arg-type]
    org_id = _caller(change=False).org_id
    if params.get("format") == "csv":
        body = reports.marketing_csv(org_id, params.get("from"), params.get("to"))
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                        headers={"Content-Disposition": 'attachment; filename="marketing-report.csv"'})
    return json_response(200, reports.marketing(org_id, params.get("from"), params.get("to")))


@router.get("/v1/reports/speed")
def speed_report() -> Response:
    params = query(router, allowed=("from", "to", "campaign_id", "format"))  # type: ignore[arg-type]
    org_id = _caller(change=False).org_id
    args = (org_id, params.get("from"), params.get("to"), params.get("campaign_id"))
    if params.get("format") == "csv":
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=speedreport.speed_csv(*args),
                        headers={"Content-Disposition": 'attachment; filename="speed-to-lead.csv"'})
    return json_response(200, speedreport.speed(*args))
