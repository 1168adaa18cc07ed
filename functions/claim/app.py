"""Agent and manager API (Cognito-authorized routes in template.yaml)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, ValidationError

from leadwave.api import build_app, json_body, json_response
from leadwave.auth import current_agent, require_role
from leadwave.errors import InvalidRequest
from leadwave.models import Role
from leadwave.observability import logger
from leadwave.services import agents, exceptions

app = build_app()
MAX_BODY = 16 * 1024


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    available: bool


@app.get("/v1/me")
def get_me() -> Response:
    return json_response(200, agents.profile(current_agent(app.current_event)))


@app.put("/v1/me/availability")
def put_availability() -> Response:
    agent = current_agent(app.current_event)
    try:
        body = AvailabilityIn.model_validate(json_body(app, max_bytes=MAX_BODY))
    except ValidationError as exc:
        raise InvalidRequest("send {\"available\": true|false}", code="validation_failed",
                             details=[{"field": "available", "code": e["type"], "message": e["msg"]}
                                      for e in exc.errors(include_url=False)]) from exc
    return json_response(200, agents.set_availability(agent, body.available))


@app.get("/v1/me/offers")
def get_offers() -> Response:
    return json_response(200, {"offers": agents.open_offers(current_agent(app.current_event))})


@app.get("/v1/me/leads")
def get_my_leads() -> Response:
    return json_response(200, {"leads": agents.my_leads(current_agent(app.current_event))})


@app.get("/v1/exceptions")
def get_exceptions() -> Response:
    agent = current_agent(app.current_event)
    require_role(agent, Role.MANAGER, Role.ADMIN, Role.SUPERVISOR)
    show_ignored = app.current_event.get_query_string_value("show_ignored", "false").lower() == "true"
    return json_response(200, {"items": exceptions.list_exceptions(agent.org_id, show_ignored=show_ignored)})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
