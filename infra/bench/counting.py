"""Pure counting: DynamoDB capacity from API responses, item sizes, per-call tallies, state
transitions and prices. No I/O here, so every figure the benchmark prints can be unit-tested.

Units: DynamoDB reports *capacity units*; in on-demand mode one capacity unit is billed as one
*request unit* (a 1 KB write = 1 WRU, a 4 KB strongly consistent read = 1 RRU, eventually
consistent = 0.5 RRU, transactional = twice that), so the two are added as one and the same.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

READ_OPS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITE_OPS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
PARTIQL_OPS = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
CAPACITY_OPS = READ_OPS | WRITE_OPS | PARTIQL_OPS  # the operations that accept ReturnConsumedCapacity
CONDITIONAL_OPS = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
CONDITION_FAILED = "ConditionalCheckFailedException"

LEAD_ITEM = "LEAD#/LEAD"  # the prospect item (pk LEAD#<id>, sk LEAD) as ``item_label`` names it


def with_capacity(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request parameters with ``ReturnConsumedCapacity=TOTAL`` (unless already set) and,
    for a conditional single-item write, ``ReturnValuesOnConditionCheckFailure=ALL_OLD`` (so a
    failed write's item size, which AWS bills, can be estimated). Never mutates ``params``."""
    out = dict(params)
    if operation in CAPACITY_OPS:
        out.setdefault("ReturnConsumedCapacity", "TOTAL")
    if operation in CONDITIONAL_OPS and out.get("ConditionExpression"):
        out.setdefault("ReturnValuesOnConditionCheckFailure", "ALL_OLD")
    return out


def _entries(consumed: Any) -> list[Mapping[str, Any]]:
    return consumed if isinstance(consumed, list) else [consumed] if isinstance(consumed, dict) else []


def _entry_units(operation: str, entry: Mapping[str, Any]) -> tuple[float, float]:
    if "ReadCapacityUnits" in entry or "WriteCapacityUnits" in entry:
        return float(entry.get("ReadCapacityUnits") or 0), float(entry.get("WriteCapacityUnits") or 0)
    units = float(entry.get("CapacityUnits") or 0)
    return (0.0, units) if operation in WRITE_OPS else (units, 0.0)


def capacity_units(operation: str, consumed: Any) -> tuple[float, float]:
    """(read units, write units) from a response's ``ConsumedCapacity``: one dict, or a list of
    dicts (BatchGetItem, BatchWriteItem, transactions). Read/WriteCapacityUnits are used when
    present; otherwise ``CapacityUnits`` counts as reads or writes by the operation."""
    read = write = 0.0
    for entry in _entries(consumed):
        r, w = _entry_units(operation, entry)
        read, write = read + r, write + w
    return read, write


def reads_by_table(operation: str, consumed: Any) -> tuple[tuple[str, float], ...]:
    """Read units per ``TableName`` of the ``ConsumedCapacity`` entries (indexes included)."""
    out: Counter[str] = Counter()
    for entry in _entries(consumed):
        read, _ = _entry_units(operation, entry)
        if read:
            out[str(entry.get("TableName", "?"))] += read
    return tuple(sorted(out.items()))


def _number_size(text: str) -> int:
    digits = text.lstrip("+-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return max(1, math.ceil(len(digits) / 2)) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's JSON (``{"S": ...}``), by AWS's sizing rules."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "N":
        return _number_size(str(raw))
    if kind == "B":
        return len(raw) if isinstance(raw, bytes | bytearray) else len(str(raw).encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(v).encode()) for v in raw)
    if kind == "NS":
        return sum(_number_size(str(v)) for v in raw)
    if kind == "BS":
        return sum(len(v) for v in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes of an item: attribute names plus values."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size_bytes: int) -> int:
    """Write request units of a standard write of an item of this size (1 KB each, at least 1)."""
    return max(1, math.ceil(size_bytes / 1024))


@dataclass(frozen=True)
class Call:
    """One AWS API call: what it was and what DynamoDB says it consumed."""

    service: str
    operation: str
    read_units: float = 0.0
    write_units: float = 0.0
    error: str | None = None
    failed_write_units: float = 0.0  # estimated: AWS bills a failed conditional write, Local reports 0
    item: str | None = None  # which item a write wrote (``item_label``), None for reads
    table_reads: tuple[tuple[str, float], ...] = ()  # read units per table
    payload_bytes: int = 0  # S3 / SQS: bytes stored, read or sent (``instrument.payload_bytes``)
    entries: int = 0  # entries a call carried: PutEvents' events, SQS messages sent, received, deleted
    billed: int = 0  # what the service bills for them: PutEvents' 64 KB event chunks (``instrument.entries_of``)

    @property
    def failed_conditional(self) -> bool:
        return self.error == CONDITION_FAILED and self.operation in CONDITIONAL_OPS


def dynamodb_call(operation: str, response: Mapping[str, Any] | None, error: str | None = None,
                  item: str | None = None) -> Call:
    """A DynamoDB call from its (success or error) response; ``item``: ``item_label`` of a write."""
    response = response or {}
    read, write = capacity_units(operation, response.get("ConsumedCapacity"))
    failed = 0.0
    if error == CONDITION_FAILED and operation in CONDITIONAL_OPS:
        old = response.get("Item")
        failed = float(write_units(item_size(old)) if old else 1)
    return Call("dynamodb", operation, read, write, error, failed, item,
                reads_by_table(operation, response.get("ConsumedCapacity")))


def _kind(value: Any) -> str:
    """``LEAD#pr_1`` -> ``LEAD#``; a value without ``#`` is its own kind (``LEAD``, ``ORG``)."""
    text = str(value)
    return text[: text.index("#") + 1] if "#" in text else text


def key_label(key: Mapping[str, Any], table: str = "") -> str:
    """``LEAD#/LEAD`` for ``{"pk": {"S": "LEAD#pr_1"}, "sk": {"S": "LEAD"}}``; tables keyed
    otherwise (powertools' idempotency table) are named by table."""
    if "pk" not in key:
        return f"table:{table}"
    pk = next(iter(key["pk"].values()), "")
    sk = next(iter((key.get("sk") or {"S": ""}).values()), "")
    return f"{_kind(pk)}/{_kind(sk)}"


def _entry_key(entry: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    for action in ("Put", "Update", "Delete", "ConditionCheck"):
        if action in entry:
            body = entry[action]
            return str(body.get("TableName", "")), body.get("Item") or body.get("Key") or {}
    for action in ("PutRequest", "DeleteRequest"):
        if action in entry:
            body = entry[action]
            return "", body.get("Item") or body.get("Key") or {}
    return "", {}


def item_label(operation: str, params: Mapping[str, Any]) -> str | None:
    """Which item(s) a write writes, by key kind: ``LEAD#/LEAD``; ``tx:A+B`` for a transaction
    and ``batch:A+B`` for a batch (their units are reported per table, not per item)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return key_label(params.get("Item") or params.get("Key") or {}, str(params.get("TableName", "")))
    labels: set[str] = set()
    if operation == "TransactWriteItems":
        for entry in params.get("TransactItems") or []:
            table, key = _entry_key(entry)
            labels.add(key_label(key, table))
        return "tx:" + "+".join(sorted(labels))
    if operation == "BatchWriteItem":
        for table, entries in (params.get("RequestItems") or {}).items():
            labels.update(key_label(_entry_key(e)[1], table) for e in entries)
        return "batch:" + "+".join(sorted(labels))
    return None


def lead_item_write_units(by_item: Mapping[str, float]) -> float:
    """Write units spent on the prospect item: its own writes, plus whole transactions that
    include it (an upper bound: a transaction's units are reported per table)."""
    return sum(units for label, units in by_item.items()
               if label == LEAD_ITEM or (label.startswith("tx:") and LEAD_ITEM in label[3:].split("+")))


@dataclass
class Tally:
    """Calls and DynamoDB units, summed."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    failed_writes: int = 0
    failed_write_units: float = 0.0
    write_units_by_item: Counter[str] = field(default_factory=Counter)  # billed, by ``item_label``
    read_units_by_table: Counter[str] = field(default_factory=Counter)
    payload_bytes: Counter[str] = field(default_factory=Counter)  # ``service:Operation`` -> bytes
    entries: Counter[str] = field(default_factory=Counter)  # ``service:Operation`` -> entries carried
    billed: Counter[str] = field(default_factory=Counter)  # ``service:Operation`` -> billed units of them

    def add(self, call: Call) -> None:
        self.calls[(call.service, call.operation)] += 1
        if call.payload_bytes:
            self.payload_bytes[f"{call.service}:{call.operation}"] += call.payload_bytes
        if call.entries or call.billed:
            self.entries[f"{call.service}:{call.operation}"] += call.entries
            self.billed[f"{call.service}:{call.operation}"] += call.billed
        if call.error:
            self.errors[(call.service, call.operation, call.error)] += 1
        self.read_units += call.read_units
        self.write_units += call.write_units
        if call.failed_conditional:
            self.failed_writes += 1
            self.failed_write_units += call.failed_write_units
        if call.item is not None:
            self.write_units_by_item[call.item] += call.write_units + call.failed_write_units
        for table, units in call.table_reads:
            self.read_units_by_table[table] += units

    def merge(self, other: Tally) -> Tally:
        self.calls.update(other.calls)
        self.errors.update(other.errors)
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.failed_writes += other.failed_writes
        self.failed_write_units += other.failed_write_units
        self.write_units_by_item.update(other.write_units_by_item)
        self.read_units_by_table.update(other.read_units_by_table)
        self.payload_bytes.update(other.payload_bytes)
        self.entries.update(other.entries)
        self.billed.update(other.billed)
        return self

    @property
    def billed_write_units(self) -> float:
        """Reported write units plus the estimate for failed conditional writes."""
        return self.write_units + self.failed_write_units

    def count(self, service: str, operation: str | None = None) -> int:
        return sum(n for (s, op), n in self.calls.items() if s == service and operation in (None, op))

    def other_calls(self) -> dict[str, int]:
        """Non-DynamoDB calls as ``service:Operation`` -> count."""
        return {f"{s}:{op}": n for (s, op), n in sorted(self.calls.items()) if s != "dynamodb"}

    def as_dict(self, per: float = 1.0) -> dict[str, Any]:
        """The figures divided by ``per`` (leads, claims...), rounded for the report."""
        return {
            "dynamodb_calls": rnd(self.count("dynamodb") / per),
            "dynamodb_by_operation": {op: rnd(n / per) for (s, op), n in sorted(self.calls.items()) if s == "dynamodb"},
            "read_units": rnd(self.read_units / per),
            "write_units": rnd(self.billed_write_units / per),
            "write_units_reported": rnd(self.write_units / per),
            "failed_conditional_writes": rnd(self.failed_writes / per),
            "failed_write_units_estimated": rnd(self.failed_write_units / per),
            "other_calls": {k: rnd(n / per) for k, n in self.other_calls().items()},
            "errors": {":".join(k): rnd(n / per) for k, n in sorted(self.errors.items())},
            "write_units_by_item": {k: rnd(n / per) for k, n in sorted(self.write_units_by_item.items())},
            "lead_item_write_units": rnd(lead_item_write_units(self.write_units_by_item) / per),
        }


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.merge(t)
    return out


def rnd(value: float, places: int = 3) -> float:
    return float(round(Decimal(str(value)), places))


# ------------------------------------------------------------------ Step Functions

def moto_extra_transitions(events: Iterable[Mapping[str, Any]]) -> int:
    """Choice states moto's interpreter enters that AWS does not: a Catch whose Next is its own
    Task state is routed through the state's Next (a Choice) before re-entering it. Counted as
    a ChoiceStateEntered right after a TaskTimedOut and right before the timed-out Task again."""
    seq = [e for e in events if str(e.get("type", "")).endswith(("StateEntered", "TimedOut"))]
    extra = 0
    for i, event in enumerate(seq):
        if event.get("type") != "ChoiceStateEntered" or i == 0 or i + 1 >= len(seq):
            continue
        before, after = seq[i - 1], seq[i + 1]
        if before.get("type") == "TaskTimedOut" and str(after.get("type", "")).endswith("StateEntered"):
            last_task = next((e for e in reversed(seq[:i]) if e.get("type") == "TaskStateEntered"), None)
            if last_task is not None and _name(last_task) == _name(after):
                extra += 1
    return extra


def _name(event: Mapping[str, Any]) -> str:
    return str(event.get("stateEnteredEventDetails", {}).get("name", ""))


# ------------------------------------------------------------------ stats

def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile (0 < pct <= 100); 0.0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
