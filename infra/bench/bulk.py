"""Thousands of items written as the store would write them, fast: BatchWriteItem of the
store's own items (its private ``_to_item``, so the format, index keys and all stay the
store's), then the org's counters moved once as the store's one-by-one writes would have moved
them. The store's one-by-one path may run a transaction per item (a counter kept with it), and
DynamoDB Local takes about a third of a second per transaction: 20,000 leads would take hours.

Each helper returns False when the store no longer has what it uses; callers then fall back
to the public one-by-one functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.bench.cases import Context

THREADS = 8
BATCH = 25  # BatchWriteItem's limit


def batch_write(ctx: Context, module: Any, entities: list[Any]) -> bool:
    """``module._to_item(entity)`` for each, written 25 to a BatchWriteItem from a few threads."""
    to_item: Callable[[Any], Any] | None = getattr(module, "_to_item", None)
    items = [to_item(e) for e in entities] if to_item else []
    if not items or not hasattr(type(items[0]), "batch_write"):
        return False
    getattr(module, "bind", lambda: None)()
    chunks = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]

    def one(chunk: list[Any]) -> None:
        with ctx.recorder.bench(), type(chunk[0]).batch_write() as batch:
            for item in chunk:
                batch.save(item)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, chunks))
    return True


def move_counters(ctx: Context, org_id: str, deltas: Mapping[str, int]) -> bool:
    """Add ``deltas`` to the org's counters item with the store's own update actions."""
    from leadwave.store import directory

    actions, item = getattr(directory, "counter_actions", None), getattr(directory, "counters_item", None)
    if not (actions and item):
        return False
    wanted = {k: v for k, v in deltas.items() if v}
    try:
        with ctx.recorder.bench():
            if wanted:
                item(org_id).update(actions=actions(wanted))
    except (TypeError, AttributeError, ValueError):
        return False
    getattr(directory, "forget_settings", lambda _org: None)(org_id)  # the handlers' cached settings
    return True


def each(ctx: Context, save: Callable[[Any], Any], entities: list[Any], threads: int = THREADS) -> None:
    """The public one-by-one path, from ``threads`` threads."""
    def one(entity: Any) -> None:
        with ctx.recorder.bench():
            save(entity)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, entities))


def client(threads: int = THREADS) -> Any:
    """A plain DynamoDB client of the stack (its endpoint from the environment) that does not
    validate parameters: the items it writes are the store's own, already serialized."""
    import boto3
    from botocore.config import Config
    from leadwave.store.tables import LeadItem, bind

    bind()
    return boto3.client("dynamodb", region_name=LeadItem.Meta.region,
                        config=Config(parameter_validation=False, max_pool_connections=2 * threads,
                                      retries={"max_attempts": 10, "mode": "standard"}))


def put_serialized(ctx: Context, dynamodb: Any, table: str, items: list[dict[str, Any]]) -> None:
    """Items in DynamoDB's JSON (a pynamodb item's ``serialize()``), 25 to a BatchWriteItem;
    unprocessed ones are sent again."""
    for i in range(0, len(items), BATCH):
        pending = [{"PutRequest": {"Item": item}} for item in items[i:i + BATCH]]
        while pending:
            with ctx.recorder.bench():
                answer = dynamodb.batch_write_item(RequestItems={table: pending})
            pending = (answer.get("UnprocessedItems") or {}).get(table, [])

