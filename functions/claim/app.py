"""Agent and manager API (Cognito-authorized routes in template.yaml)."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any, TypeVar

from admin import router as admin_router
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations import router as integrations_router
from leadwave.api import build_app, json_body, json_response, query
from leadwave.auth import current_agent, require_role
from leadwave.errors import InvalidRequest
from leadwave.models import Agent, LazyModel, Role
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import agents, appclaim, calls, claims, exceptions, fresh, trace
from leadwave.webhooks import public_base
from lists import router as lists_router
from pydantic import ConfigDict, ValidationError
from work import router as work_router

imports_done()

app = build_app()
app.include_router(work_router)  # before the settings' /v1/<kind>/<item_id>, which would take /v1/leads/<id>
app.include_router(lists_router)
app.include_router(integrations_router)  # before /v1/<kind>, which would take /v1/webhooks
app.include_router(admin_router)
M = TypeVar("M", bound=LazyModel)
MAX_BODY = 16 * 1024


class AvailabilityIn(LazyModel):  # each body model is built by the first request of its route
    model_config = ConfigDict(extra="forbid", strict=True)
    available: bool


def _validated(model: type[M]) -> M:
    try:
        return model.model_validate(json_body(app, max_bytes=MAX_BODY))
    except ValidationError as exc:
        raise InvalidRequest("the body has invalid fields", code="validation_failed",
                             details=[{"field": ".".join(map(str, e["loc"])) or "body", "code": e["type"],
                                       "message": e["msg"]} for e in exc.errors(include_url=False)]) from exc


@app.get("/v1/me")
def get_me() -> Response:
    return json_response(200, agents.profile(current_agent(app.current_event)))


@app.put("/v1/me/availability")
def put_availability() -> Response:
    agent = current_agent(app.current_event)
    return json_response(200, agents.set_availability(agent, _validated(AvailabilityIn).available))


@app.get("/v1/me/offers")
def get_offers() -> Response:
    return json_response(200, {"offers": agents.open_offers(current_agent(app.current_event))})


@app.get("/v1/me/leads")
def get_my_leads() -> Response:
    """The agent's newest leads; with ``status``, one page of that work-in-progress bucket."""
    params = query(app, allowed=("status", "cursor", "limit"))
    agent = current_agent(app.current_event)
    if "status" in params:
        return json_response(200, agents.bucket(agent, params["status"], params.get("cursor"), params.get("limit")))
    return json_response(200, {"leads": agents.my_leads(agent)})


@app.post("/v1/offers/<prospect_id>/claim")
def claim_offer(prospect_id: str) -> Response:
    agent = current_agent(app.current_event)
    base = public_base(app.current_event.raw_event)  # where Twilio reaches us, for Auto-Dial
    return json_response(200, appclaim.claim(agent, prospect_id, base))


@app.get("/v1/leads/<prospect_id>/calls")
def get_calls(prospect_id: str) -> Response:
    return json_response(200, {"calls": calls.list_calls(current_agent(app.current_event), prospect_id)})


@app.get("/v1/leads/<prospect_id>/trace")
def get_trace(prospect_id: str) -> Response:
    """Why the lead is where it is: every distribution decision and the history around them."""
    return json_response(200, trace.explain(current_agent(app.current_event), prospect_id))


@app.post("/v1/offers/<prospect_id>/decline")
def decline_offer(prospect_id: str) -> Response:
    claims.decline_offer(current_agent(app.current_event), prospect_id)
    return Response(status_code=204, body="")


@app.get("/v1/fresh")
def get_fresh() -> Response:
    params = query(app, allowed=("cursor",))
    return json_response(200, fresh.list_fresh(current_agent(app.current_event), params.get("cursor") or None))


@app.post("/v1/fresh/<prospect_id>/claim")
def claim_fresh(prospect_id: str) -> Response:
    return json_response(200, fresh.claim_fresh(current_agent(app.current_event), prospect_id))


def _manager(*, change: bool) -> Agent:
    agent = current_agent(app.current_event)
    roles = (Role.MANAGER, Role.ADMIN) if change else (Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)
    require_role(agent, *roles)
    return agent


@app.get("/v1/exceptions")
def get_exceptions() -> Response:
    params = app.current_event.multi_value_query_string_parameters or {}
    return json_response(200, exceptions.list_exceptions(_manager(change=False).org_id, params))


class AssignIn(LazyModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    agent_id: str


@app.post("/v1/exceptions/<prospect_id>/assign")
def assign_exception(prospect_id: str) -> Response:
    manager = _manager(change=True)
    body = _validated(AssignIn)
    return json_response(200, exceptions.assign(manager, prospect_id, body.agent_id))


@app.post("/v1/exceptions/<prospect_id>/redistribute")
def redistribute_exception(prospect_id: str) -> Response:
    """Run the lead's distribution again (after fixing the configuration that sent it here)."""
    return json_response(200, exceptions.redistribute(_manager(change=True), prospect_id))


@app.post("/v1/exceptions/<prospect_id>/ignore")
def ignore_exception(prospect_id: str) -> Response:
    return json_response(200, exceptions.ignore(_manager(change=True), prospect_id))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
