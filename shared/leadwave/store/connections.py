"""The agents' live WebSocket connections (ConnectionsTable, issue 12): pk the org, sk
``<agent>#<connection>``, so one agent's devices are one begins_with Query and the org's
connected agents one Query of its partition. A connection lives at most two hours in API
Gateway; ``expires_at`` (epoch seconds, the table's TTL) is that plus a margin, and every read
skips expired rows (TTL deletes lag). Plain boto3 items: the socket handler stays quick to
start. Without ``CONNECTIONS_TABLE`` (a deployment without push) there is nothing to read."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

MAX_AGE_SECONDS = 2 * 3600 + 300  # API Gateway's 2 h connection limit, and a margin


def client(service: str) -> Any:
    """boto3's client, imported at first use: the leads stream's handler imports this module
    and stays quick to start."""
    from leadwave.store.aws import client as aws_client

    return aws_client(service)


@dataclass(frozen=True)
class Connection:
    org_id: str
    agent_id: str
    connection_id: str
    connected_at: int  # epoch milliseconds


def table() -> str | None:
    return os.environ.get("CONNECTIONS_TABLE") or None


def _key(org_id: str, agent_id: str, connection_id: str) -> dict[str, Any]:
    return {"pk": {"S": org_id}, "sk": {"S": f"{agent_id}#{connection_id}"}}


def put(org_id: str, agent_id: str, connection_id: str, connected_at_ms: int) -> None:
    name = table()
    if name is None:
        return
    item = {**_key(org_id, agent_id, connection_id), "agent_id": {"S": agent_id},
            "connected_at": {"N": str(connected_at_ms)},
            "expires_at": {"N": str(connected_at_ms // 1000 + MAX_AGE_SECONDS)}}
    client("dynamodb").put_item(TableName=name, Item=item)


def delete(c: Connection, *, older_than_ms: int | None = None) -> bool:
    """Forget a connection; with ``older_than_ms``, only one connected before that time (a
    post to a connection whose $connect has not returned yet is refused too: keep young rows)."""
    name = table()
    if name is None:
        return False
    extra: dict[str, Any] = {}
    if older_than_ms is not None:
        extra = {"ConditionExpression": "connected_at < :t",
                 "ExpressionAttributeValues": {":t": {"N": str(older_than_ms)}}}
    try:
        client("dynamodb").delete_item(TableName=name, Key=_key(c.org_id, c.agent_id, c.connection_id), **extra)
    except client("dynamodb").exceptions.ConditionalCheckFailedException:
        return False
    return True


def _query(org_id: str, prefix: str | None) -> list[Connection]:
    name = table()
    if name is None:
        return []
    now = int(time.time())
    condition, values = "pk = :o", {":o": {"S": org_id}, ":now": {"N": str(now)}}
    if prefix is not None:
        condition += " AND begins_with(sk, :p)"
        values[":p"] = {"S": prefix}
    out: list[Connection] = []
    pages = client("dynamodb").get_paginator("query").paginate(
        TableName=name, KeyConditionExpression=condition, FilterExpression="expires_at > :now",
        ExpressionAttributeValues=values, ProjectionExpression="sk, agent_id, connected_at")
    for page in pages:
        for item in page.get("Items", []):
            agent_id = item["agent_id"]["S"]
            out.append(Connection(org_id, agent_id, item["sk"]["S"][len(agent_id) + 1:],
                                  int(item["connected_at"]["N"])))
    return out


def of_agent(org_id: str, agent_id: str) -> list[Connection]:
    """One agent's devices (a few rows)."""
    return _query(org_id, f"{agent_id}#")


def of_agents(org_id: str, agent_ids: list[str]) -> list[Connection]:
    """The connections of a wave's agents: one Query per agent for a small wave, one Query of the
    org's connections (its connected agents, never its whole floor) for a large one."""
    if len(agent_ids) <= 10:
        return [c for a in agent_ids for c in of_agent(org_id, a)]
    wanted = set(agent_ids)
    return [c for c in of_org(org_id) if c.agent_id in wanted]


def of_org(org_id: str) -> list[Connection]:
    """Every connected device of the org (a Distribute All wave is offered to all who may see it)."""
    return _query(org_id, None)
