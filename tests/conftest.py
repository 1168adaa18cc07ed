"""Session fixtures shared by every test directory.

* ``ddb_local``: one DynamoDB Local (in memory) for the session with the template's tables;
  ``.endpoint``, ``.env`` (table names + endpoint + dummy credentials + region, to monkeypatch
  into ``os.environ``), ``.tables`` (logical id -> name), ``.clear()`` (empty every table).
* ``local_stack``: ``python -m infra.local`` in a subprocess on free ports; ``.base_url``.
  Stopped with SIGTERM at the end of the session, and no DynamoDB Local may survive it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.local.dynamodb_local import DynamoDBLocal, dynamodb_client
from infra.local.process import LocalStackProcess
from infra.local.resources import create_tables, table_env
from infra.local.settings import DUMMY_CREDENTIALS, REGION, free_port
from infra.local.template import Template


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use DynamoDB Local or the local stack are ``stack`` tests (``-m "not stack"``)."""
    for item in items:
        if {"ddb_local", "local_stack"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)


@dataclass
class DynamoDBLocalFixture:
    endpoint: str
    tables: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)

    def client(self) -> Any:
        return dynamodb_client(self.endpoint, timeout=10.0)

    def clear(self) -> None:
        """Delete every item of every table (keeps the tables)."""
        client = self.client()
        for name in self.tables.values():
            keys = [k["AttributeName"] for k in client.describe_table(TableName=name)["Table"]["KeySchema"]]
            for page in client.get_paginator("scan").paginate(TableName=name, ProjectionExpression=",".join(
                    f"#k{i}" for i in range(len(keys))), ExpressionAttributeNames={f"#k{i}": k for i, k in
                                                                                 enumerate(keys)}):
                for item in page["Items"]:
                    client.delete_item(TableName=name, Key=item)


@pytest.fixture(scope="session")
def ddb_local() -> Iterator[DynamoDBLocalFixture]:
    template = Template.load()
    with DynamoDBLocal() as db:
        tables = create_tables(template, db.endpoint, recreate=True)
        env = {**table_env(template, tables), **DUMMY_CREDENTIALS, "AWS_ENDPOINT_URL_DYNAMODB": db.endpoint,
               "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
        yield DynamoDBLocalFixture(endpoint=db.endpoint, tables=tables, env=env)


E2E_SEED = Path(__file__).parent / "e2e" / "seeds" / "e2e.json"
LOG_ARTIFACT = Path(__file__).parents[1] / "artifacts" / "local-stack.log"
FUZZ_SEED = E2E_SEED.with_name("fuzz.json")  # schemathesis's own org (tests/e2e/test_schemathesis.py)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStackProcess]:
    """With the demo org and the orgs of tests/e2e/seeds: end-to-end (50 agents, short timeouts), fuzz."""
    stack = LocalStackProcess(env={"LEADWAVE_SEED_FILES": f"{E2E_SEED},{FUZZ_SEED}",
                                   "LEADWAVE_MOTO_PORT": str(free_port()),
                                   # webhooks (issue 14): retries a second apart; the demo org's own
                                   # endpoint off (tests register theirs, on their own orgs)
                                   "LEADWAVE_WEBHOOK_RETRY_DELAYS": "1,1,1", "LEADWAVE_DEMO_WEBHOOK": "0"}
                              ).start(timeout=90)
    try:
        yield stack
    finally:
        stack.stop()
        # the stack's own log (every handler's JSON lines), for a failure seen only in the test's answer
        LOG_ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        LOG_ARTIFACT.write_text(stack.stderr(), encoding="utf-8")
        leftover = stack.leftover_java()
        assert not leftover, f"DynamoDB Local survived the local stack: pids {leftover}"
