"""Fault injection at the SDK: every AWS call of the code under test goes through botocore's
``BaseClient._make_api_call`` (pynamodb's connection calls it too), so one patch sees each
write of a path, in order, and can fail one of them:

* ``throttle``: the write is refused as DynamoDB refuses it when the SDK's own retries are
  spent (``ProvisionedThroughputExceededException``; ``ThrottlingException`` for SQS and Step
  Functions); nothing is written.
* ``ccf``: a conditional write answers ``ConditionalCheckFailedException`` (a transaction:
  ``TransactionCanceledException`` with ``ConditionalCheckFailed`` for one of its conditional
  items) although its condition held, and nothing is written: what a lost race looks like to
  code that cannot see the winner. Only writes that carry a condition, except a create-if-absent
  (``attribute_not_exists`` alone), whose refusal always means the item exists (see ``ccf-twin``).
* ``ccf-twin``: a twin of the same request (a double click, a redelivered message, a vendor's
  retry while the first attempt still runs) makes the very same write first; this one is then
  refused by its condition (every conditional item of a transaction).
* ``dies``: the write happens, then the Lambda dies (``LambdaDied`` is a ``BaseException``:
  no ``except Exception`` of the code under test sees it, as no code runs in a dead sandbox).

Writes are told apart by a signature (operation, table, item kind) and counted per signature,
so a fault lands on "the 2nd UpdateItem of a lead item" whatever the threads' interleaving.
Step Functions is played by ``FakeStepFunctions`` (task tokens, executions named after the
prospect); SQS goes to moto.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
OTHER_WRITES = {("sqs", "SendMessage"), ("stepfunctions", "StartExecution"), ("stepfunctions", "SendTaskSuccess"),
                ("stepfunctions", "SendTaskFailure")}
FAULTS = ("throttle", "ccf", "ccf-twin", "dies")


class LambdaDied(BaseException):  # noqa: N818 - what happened, not an error the code may handle
    """The sandbox stopped (timeout, out of memory) right after a write: no handler runs."""


@dataclass(frozen=True)
class Write:
    signature: str  # "UpdateItem leads:LEAD", "TransactWriteItems leads:LEAD+directory:COUNTERS", ...
    occurrence: int  # 1 for the first write with this signature in the run
    conditional: tuple[int, ...]  # which items carry a condition (one item: (0,) or ())
    creates: bool = False  # a create-if-absent: its condition is attribute_not_exists alone

    def faults(self, kind: str) -> list[Fault]:
        """The faults of ``kind`` this write can take."""
        if kind == "ccf":
            return [] if self.creates else [Fault(kind, self.signature, self.occurrence, i) for i in self.conditional]
        if kind == "ccf-twin" and not self.conditional:
            return []
        return [Fault(kind, self.signature, self.occurrence)]

    @property
    def label(self) -> str:
        return f"{self.signature} #{self.occurrence}"


@dataclass
class Fault:
    kind: str
    signature: str
    occurrence: int
    item: int = 0  # ccf in a transaction: which of its items fails its condition
    every: bool = False  # fail this write and every later one with the signature (a lasting outage)
    fired: int = 0  # how many times it fired

    @property
    def label(self) -> str:
        where = f" (item {self.item})" if self.kind == "ccf" and self.signature.startswith("TransactWrite") else ""
        return f"{self.signature} #{self.occurrence}{where}"


def _kind(key: dict[str, Any] | None) -> str:
    sk = ((key or {}).get("sk") or {}).get("S", "")
    return sk.split("#", 1)[0] if sk else "?"


class Injector:
    """Records every write (``writes``) and fails the one ``fault`` names."""

    def __init__(self, tables: dict[str, str], sfn: FakeStepFunctions) -> None:
        self.names = {physical: logical for logical, physical in tables.items()}
        self.sfn = sfn
        self.writes: list[Write] = []
        self.fault: Fault | None = None
        self.calls: Counter[str] = Counter()
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def table(self, name: str) -> str:
        return self.names.get(name, name).removesuffix("Table").lower()

    def describe(self, service: str, op: str, params: dict[str, Any]) -> tuple[str, tuple[int, ...], bool] | None:
        if service == "dynamodb" and op in DYNAMODB_WRITES:
            if op == "TransactWriteItems":
                parts, conditional = [], []
                for i, entry in enumerate(params["TransactItems"]):
                    (action, body), = entry.items()
                    parts.append(f"{self.table(body['TableName'])}:{_kind(body.get('Key') or body.get('Item'))}")
                    if body.get("ConditionExpression"):
                        conditional.append(i)
                return f"{op} {'+'.join(parts)}", tuple(conditional), False
            if op == "BatchWriteItem":
                tables = sorted({self.table(t) for t in params["RequestItems"]})
                kinds = sorted({_kind((r.get("PutRequest") or {}).get("Item") or (r.get("DeleteRequest") or {})
                                      .get("Key")) for rs in params["RequestItems"].values() for r in rs})
                return f"{op} {'+'.join(tables)}:{'+'.join(kinds)}", (), False
            item = params.get("Key") or params.get("Item")
            condition = params.get("ConditionExpression") or ""
            creates = condition.startswith("attribute_not_exists") and ")" == condition.rstrip()[-1:] \
                and condition.count("(") == 1
            return f"{op} {self.table(params['TableName'])}:{_kind(item)}", (0,) if condition else (), creates
        if (service, op) in OTHER_WRITES:
            return f"{op} {service}", (), False
        return None

    def call(self, client: BaseClient, original: Callable[..., Any], op: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        with self._lock:
            self.calls[f"{service}:{op}"] += 1
        described = self.describe(service, op, params)
        if described is None:
            return self._send(client, original, service, op, params)
        signature, conditional, creates = described
        with self._lock:
            self._seen[signature] += 1
            write = Write(signature, self._seen[signature], conditional, creates)
            self.writes.append(write)
            fault = self.fault
            hit = (fault is not None and fault.signature == signature
                   and (fault.occurrence == write.occurrence or fault.every and write.occurrence > fault.occurrence))
            if hit:
                assert fault is not None
                fault.fired += 1
        if not hit:
            return self._send(client, original, service, op, params)
        assert fault is not None
        if fault.kind == "throttle":
            raise _error(client, op, "ProvisionedThroughputExceededException" if service == "dynamodb"
                         else "ThrottlingException", "Rate exceeded (fault injected)")
        if fault.kind in ("ccf", "ccf-twin"):
            if fault.kind == "ccf-twin":
                self._send(client, original, service, op, params)  # the twin's write lands first
            if op == "TransactWriteItems":
                failing = conditional if fault.kind == "ccf-twin" else (fault.item,)
                reasons = [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                           if i in failing else {"Code": "None"} for i in range(len(params["TransactItems"]))]
                raise _error(client, op, "TransactionCanceledException", "Transaction cancelled (fault injected)",
                             CancellationReasons=reasons)
            raise _error(client, op, "ConditionalCheckFailedException", "The conditional request failed (injected)")
        self._send(client, original, service, op, params)
        raise LambdaDied(f"the Lambda died after {write.label}")

    def _send(self, client: BaseClient, original: Callable[..., Any], service: str, op: str,
              params: dict[str, Any]) -> Any:
        if service == "stepfunctions":
            return self.sfn.call(client, op, params)
        return original(client, op, params)

    @contextmanager
    def installed(self) -> Iterator[Injector]:
        original = BaseClient._make_api_call
        injector = self

        def patched(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
            return injector.call(client, original, operation_name, api_params)

        BaseClient._make_api_call = patched  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    @contextmanager
    def recording(self, fault: Fault | None = None) -> Iterator[list[Write]]:
        """The writes made inside the block (with ``fault`` armed for them)."""
        with self._lock:
            self.writes, self._seen, self.fault = [], Counter(), fault
        try:
            yield self.writes
        finally:
            with self._lock:  # later writes (the retry, the recovery) are not the block's
                self.writes, self._seen, self.fault = [], Counter(), None


def _error(client: BaseClient, op: str, code: str, message: str, **extra: Any) -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}, **extra}
    return client.exceptions.from_code(code)(response, op)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- Step Functions, played in the test

@dataclass
class Execution:
    prospect_id: str
    status: str = "RUNNING"
    token: str | None = None  # the task token the execution waits on
    outcome: tuple[str, Any] | None = None  # ("done", output) | ("failed", (error, cause))
    steps: int = 0


@dataclass
class FakeStepFunctions:
    """Executions named after the prospect and their task tokens, as the state machine of
    infra/statemachines/distribution.asl.json uses them (``harness.drive`` plays its states)."""

    executions: dict[str, Execution] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, prospect_id: str) -> str | None:
        ex = self.executions.get(prospect_id)
        return ex.status if ex else None

    def by_token(self, token: str) -> Execution | None:
        ex = self.executions.get(token.split("|", 1)[0])
        return ex if ex is not None and ex.status == "RUNNING" and ex.token == token else None

    def call(self, client: BaseClient, op: str, params: dict[str, Any]) -> Any:
        with self.lock:
            if op == "StartExecution":
                name = params["name"]
                if name in self.executions:
                    raise _error(client, op, "ExecutionAlreadyExists", f"Execution Already Exists: {name}")
                self.executions[name] = Execution(name)
                return {"executionArn": f"arn:aws:states:us-east-1:123456789012:execution:m:{name}",
                        "startDate": 0}
            if op == "DescribeExecution":
                name = params["executionArn"].rsplit(":", 1)[1]
                if name not in self.executions:
                    raise _error(client, op, "ExecutionDoesNotExist", f"Execution Does Not Exist: {name}")
                return {"status": self.executions[name].status}
            if op in ("SendTaskSuccess", "SendTaskFailure"):
                ex = self.by_token(params["taskToken"])
                if ex is None or ex.outcome is not None:
                    raise _error(client, op, "InvalidToken", "Invalid Token")
                ex.outcome = (("done", params["output"]) if op == "SendTaskSuccess"
                              else ("failed", (params["error"], params.get("cause"))))
                return {}
        raise AssertionError(f"Step Functions {op} is not played by the fault tests")
