"""Sizes of the items the scenarios left behind: why a write costs the units it costs.

A write is billed per started KB of the item, once for the table and once more for every
global secondary index (all ``ProjectionType: ALL`` here) whose keys the item carries.
"""

from __future__ import annotations

import os
from typing import Any

from infra.bench.counting import item_size, write_units
from infra.bench.instrument import Recorder

INDEX_KEYS = ("gsi1pk", "gsi2pk")


def _describe(label: str, item: dict[str, Any] | None) -> dict[str, Any] | None:
    if not item:
        return None
    size = item_size(item)
    copies = 1 + sum(1 for key in INDEX_KEYS if key in item)
    return {"item": label, "bytes": size, "copies_table_plus_gsis": copies,
            "wru_per_full_write": copies * write_units(size)}


def item_sizes(recorder: Recorder, race_pid: str | None, rr_pid: str | None, waves_pid: str | None,
               agent_sk: str = "AGENT#e01", org_pk: str = "ORG#e2e") -> list[dict[str, Any]]:
    import boto3  # the endpoint and credentials are the stack's (AWS_ENDPOINT_URL_DYNAMODB ...)

    leads, directory = os.environ["LEADS_TABLE"], os.environ["DIRECTORY_TABLE"]
    out = []
    with recorder.bench():
        client = boto3.client("dynamodb")

        def get(table: str, pk: str, sk: str) -> dict[str, Any] | None:
            return client.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")

        wanted = [("prospect: round_robin, assigned", leads, rr_pid, "LEAD"),
                  ("prospect: distribute_all, claimed after a 50-agent wave", leads, race_pid, "LEAD"),
                  ("prospect: waves, claimed from the fresh bucket", leads, waves_pid, "LEAD"),
                  ("offer (one per agent per wave)", leads, race_pid, "OFFER#e01")]
        for label, table, pid, sk in wanted:
            if pid:
                out.append(_describe(label, get(table, f"LEAD#{pid}", sk)))
        out.append(_describe("agent (directory)", get(directory, org_pk, agent_sk)))
    return [row for row in out if row]


def lead_item_bytes(recorder: Recorder, pid: str) -> int | None:
    """DynamoDB's size of the prospect item now (attribute names plus values), read with the
    raw client so the figure is the stored item's, whatever the store's model."""
    import boto3

    with recorder.bench():
        item = boto3.client("dynamodb").get_item(
            TableName=os.environ["LEADS_TABLE"], Key={"pk": {"S": f"LEAD#{pid}"}, "sk": {"S": "LEAD"}},
            ConsistentRead=True).get("Item")
    return item_size(item) if item else None
