"""The agents' push socket (AgentSocketApi in template.yaml, API Gateway WebSocket): $connect,
$disconnect and messages ($default), dispatched on the route key to leadwave.services.sockets.
An answer other than 2xx to $connect refuses the handshake."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.errors import DomainError
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import sockets

imports_done()

ROUTES = {"$connect": sockets.connect, "$disconnect": sockets.disconnect}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    route = (event.get("requestContext") or {}).get("routeKey")
    logger.append_keys(route=route, connection_id=(event.get("requestContext") or {}).get("connectionId"))
    try:
        ROUTES.get(route, sockets.message)(event)
    except DomainError as err:
        logger.info("socket request refused", extra={"code": err.code})
        return {"statusCode": err.status, "body": json.dumps({"code": err.code, "message": err.message})}
    return {"statusCode": 200}
