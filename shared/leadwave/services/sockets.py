"""The agents' push socket (issue 12): what its routes do. ``$connect`` (already past the token
authorizer) records the connection under the agent it resolves to; ``$disconnect`` forgets it;
a message ``{"action": "sync"}`` posts the agent's open offers back (an app that connects while
an offer is open, or reconnects after missing pushes, is shown it); ``{"action": "ping"}``
keeps an idle connection open. The agent comes from the token's claims, never from the URL or
the message: another org's agent cannot appear in this org's connections."""

from __future__ import annotations

import json
from typing import Any

from leadwave.auth import current_agent
from leadwave.errors import InvalidRequest
from leadwave.observability import logger
from leadwave.services import agents, push
from leadwave.store import connections
from leadwave.store.connections import Connection
from leadwave.store.directory import find_agent_by_email

ACTIONS = ("sync", "ping")


def connect(event: dict[str, Any]) -> None:
    ctx = event["requestContext"]
    agent = current_agent(event)  # 401 unknown user, 403 inactive: the handshake is refused
    connections.put(agent.org_id, agent.agent_id, str(ctx["connectionId"]), int(ctx.get("connectedAt") or 0))
    logger.info("agent connected", extra={"agent_id": agent.agent_id})


def disconnect(event: dict[str, Any]) -> None:
    """Best effort (API Gateway may not call it): expired rows are skipped by every read and
    removed by the table's TTL; a post to a gone connection removes it too."""
    ctx = event["requestContext"]
    auth = ctx.get("authorizer") or {}
    email, org_id = auth.get("user_email"), auth.get("user_org_id")
    agent = find_agent_by_email(str(email), str(org_id)) if email and org_id else None
    if agent is not None:  # an agent deactivated since still has their connections forgotten
        connections.delete(Connection(agent.org_id, agent.agent_id, str(ctx["connectionId"]), 0))


def message(event: dict[str, Any]) -> None:
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        body = None
    action = body.get("action") if isinstance(body, dict) else None
    if action not in ACTIONS:
        raise InvalidRequest('send {"action": "sync"} or {"action": "ping"}', code="unknown_action")
    if action == "ping":
        return
    agent = current_agent(event)
    here = Connection(agent.org_id, agent.agent_id, str(event["requestContext"]["connectionId"]), 0)
    push.post([here], push.message("offers", offers=agents.open_offers(agent)))
