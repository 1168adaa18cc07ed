"""Count every AWS API call made in this process and attribute it to the Lambda invocation
that made it.

Three wraps, all undone by ``uninstall()``:

* ``botocore.client.BaseClient._make_api_call`` (boto3 and pynamodb both go through it): each
  call is counted per (service, operation); DynamoDB calls get ``ReturnConsumedCapacity=TOTAL``
  and their consumed capacity is summed.
* ``infra.local.lambdas.LambdaRuntime.invoke`` (the gateway, the authorizers, the SQS pollers
  and moto's Step Functions tasks all invoke handlers through it): the running invocation is
  kept in a context variable, so a call lands on the invocation of its own thread.
* ``concurrent.futures.ThreadPoolExecutor.submit``: a task submitted while an invocation runs
  (the bulk upload worker stores a chunk's rows from a pool of threads) runs in a copy of the
  submitter's context, so its calls land on that invocation too.

S3 and SQS calls also keep the bytes they carried (``Call.payload_bytes``: a PutObject's
body, a GetObject's ContentLength, the message bodies sent); EventBridge's PutEvents and SQS's
message calls the entries they carried and what is billed for them (``Call.entries``,
``Call.billed``: PutEvents' 64 KB event chunks, SQS's 64 KB request chunks). An invocation keeps
how many records its event held and how many it reported failed (``batchItemFailures``).

Calls made outside any invocation are the stack's own plumbing: the SQS pollers' receive and
delete (an event source mapping: billed on AWS, priced per message in the costs instead of
counted here, as local polling runs idle; also kept per mapping in ``Recorder.pollers``, an empty
receive as ``ReceiveMessage (empty)``), the DynamoDB stream pollers' reads (free for a Lambda
trigger), moto's internal Lambda invocations, and the benchmark's own reads (run inside
``recorder.bench()``).
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from infra.bench.attribution import kind_of, labels_of, outcome_of
from infra.bench.counting import WRITE_OPS, Call, Tally, dynamodb_call, item_label, total, with_capacity
from infra.bench.pricing import eventbridge_billed_events, put_events_entry_size, sqs_billed_requests

ESM = "event source mapping (SQS pollers; billed on AWS, priced per message in the costs)"
STREAM_ESM = "event source mapping (DynamoDB stream pollers; free for a Lambda trigger)"
PLUMBING = "local stack plumbing (moto's Step Functions -> Lambda, other)"
BENCH = "benchmark's own calls (seeding, waiting, sizes)"
SQS_POLLER = "sqs-poller-"  # the local stack's SQS event source mappings' threads: sqs-poller-<function>
EMPTY_RECEIVE = "ReceiveMessage (empty)"


@dataclass
class Invocation:
    function: str
    kind: str
    labels: tuple[str, ...]
    tally: Tally = field(default_factory=Tally)
    outcome: str = "?"
    seconds: float = 0.0
    records: int = 0  # SQS / stream records in the event
    failed_records: int = 0  # records the handler reported failed (``batchItemFailures``)


_CURRENT: ContextVar[Invocation | str | None] = ContextVar("leadwave_bench_invocation", default=None)
_EXTRA: ContextVar[tuple[str, ...]] = ContextVar("leadwave_bench_labels", default=())


def _error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code") or type(exc).__name__)
    return None


def payload_bytes(service: str, operation: str, params: dict[str, Any], response: Any) -> int:
    """Bytes an S3 or SQS call carried: a PutObject's body, a GetObject's ContentLength, the
    message bodies a SendMessage(Batch) sent; 0 for anything else."""
    if service == "s3" and operation == "PutObject":
        body = params.get("Body")
        return len(body) if isinstance(body, bytes | bytearray | str) else 0
    if service == "s3" and operation == "GetObject" and isinstance(response, dict):
        return int(response.get("ContentLength") or 0)
    if service == "sqs" and operation == "SendMessage":
        return len(str(params.get("MessageBody", "")).encode())
    if service == "sqs" and operation == "SendMessageBatch":
        return sum(len(str(e.get("MessageBody", "")).encode()) for e in params.get("Entries") or [])
    return 0


def entries_of(service: str, operation: str, params: dict[str, Any], response: Any) -> tuple[int, int]:
    """(entries, billed units) of an EventBridge or SQS call: PutEvents' entries and their 64 KB
    event chunks; SQS messages sent, received (from the answer) or deleted and the request's
    64 KB payload chunks (at least one). (0, 0) for anything else."""
    if service == "events" and operation == "PutEvents":
        entries = params.get("Entries") or []
        return len(entries), eventbridge_billed_events(put_events_entry_size(e) for e in entries)
    if service != "sqs":
        return 0, 0
    if operation == "SendMessage":
        return 1, sqs_billed_requests([len(str(params.get("MessageBody", "")).encode())])
    if operation == "SendMessageBatch":
        sent = params.get("Entries") or []
        return len(sent), sqs_billed_requests([sum(len(str(e.get("MessageBody", "")).encode()) for e in sent)])
    if operation == "ReceiveMessage":
        got = (response or {}).get("Messages") or [] if isinstance(response, dict) else []
        return len(got), sqs_billed_requests([sum(len(str(m.get("Body", "")).encode()) for m in got)])
    if operation in ("DeleteMessageBatch", "ChangeMessageVisibilityBatch"):
        return len(params.get("Entries") or []), 1
    if operation in ("DeleteMessage", "ChangeMessageVisibility"):
        return 1, 1
    return 0, 0


def records_of(event: Any, result: Any) -> tuple[int, int]:
    """(records in an SQS or stream event, records the handler reported failed)."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return 0, 0
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    return len(records), len(failures) if isinstance(failures, list) else 0


class Recorder:
    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.outside: dict[str, Tally] = {ESM: Tally(), STREAM_ESM: Tally(), PLUMBING: Tally(), BENCH: Tally()}
        self.pollers: dict[str, Tally] = {}  # function -> its SQS event source mapping's own calls
        self._lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []

    # ------------------------------------------------------------- recording
    def record(self, call: Call) -> None:
        current = _CURRENT.get()
        if isinstance(current, Invocation):
            with self._lock:  # its pool threads (``submit`` below) add to the same tally
                current.tally.add(call)
            return
        poller = None
        if current is None:
            name = threading.current_thread().name
            current = ESM if name.startswith(SQS_POLLER) else STREAM_ESM if name.startswith(
                "stream-poller-") else PLUMBING
            poller = name[len(SQS_POLLER):] if current == ESM else None
        with self._lock:
            self.outside.setdefault(current, Tally()).add(call)
            if poller is not None:
                empty = call.operation == "ReceiveMessage" and not call.entries and not call.error
                self.pollers.setdefault(poller, Tally()).add(replace(call, operation=EMPTY_RECEIVE) if empty else call)

    def _finished(self, invocation: Invocation) -> None:
        with self._lock:
            self.invocations.append(invocation)

    def reset_outside(self) -> None:
        """Forget the calls made outside invocations so far (start-up, seeding, logins)."""
        with self._lock:
            self.outside = {name: Tally() for name in self.outside}
            self.pollers = {}

    @contextlib.contextmanager
    def bench(self) -> Iterator[None]:
        """Calls made inside are the benchmark's own, counted apart."""
        token = _CURRENT.set(BENCH)
        try:
            yield
        finally:
            _CURRENT.reset(token)

    @contextlib.contextmanager
    def labelled(self, *labels: str) -> Iterator[None]:
        """Invocations started inside (in this thread) also carry ``labels`` (a scheduled
        handler the benchmark invokes itself: its event names no lead)."""
        token = _EXTRA.set(_EXTRA.get() + labels)
        try:
            yield
        finally:
            _EXTRA.reset(token)

    # ------------------------------------------------------------- queries
    def count(self, labels: Iterable[str]) -> int:
        return len(self.select(labels))

    def select(self, labels: Iterable[str], *, function: str | None = None,
               kind: str | None = None, outcome: str | None = None) -> list[Invocation]:
        wanted = set(labels)
        with self._lock:
            found = list(self.invocations)
        return [i for i in found if wanted.intersection(i.labels) and function in (None, i.function)
                and kind in (None, i.kind) and outcome in (None, i.outcome)]

    @staticmethod
    def tally(invocations: Iterable[Invocation]) -> Tally:
        return total(i.tally for i in invocations)

    # ------------------------------------------------------------- install
    def install(self) -> Recorder:
        import botocore.client

        from infra.local.lambdas import LambdaRuntime

        original_call = botocore.client.BaseClient._make_api_call
        original_invoke = LambdaRuntime.invoke
        original_submit = ThreadPoolExecutor.submit
        recorder = self

        def make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            item = None
            sent = payload_bytes(service, operation, params, None)  # before: botocore wraps a Body in place
            if service == "dynamodb":
                params = with_capacity(operation, params)
                item = item_label(operation, params) if operation in WRITE_OPS else None
            try:
                response = original_call(client, operation, params)
            except Exception as exc:
                code = _error_code(exc)
                if code is not None:
                    raw = getattr(exc, "response", None)
                    recorder.record(dynamodb_call(operation, raw, code, item) if service == "dynamodb"
                                    else Call(service, operation, error=code))
                raise
            entries, billed = entries_of(service, operation, params, response)
            recorder.record(dynamodb_call(operation, response, item=item) if service == "dynamodb"
                            else Call(service, operation,
                                      payload_bytes=sent or payload_bytes(service, operation, {}, response),
                                      entries=entries, billed=billed))
            return response

        def invoke(runtime: Any, logical_id: str, event: Any) -> Any:
            invocation = Invocation(logical_id, kind_of(event), labels_of(event) + _EXTRA.get())
            token = _CURRENT.set(invocation)
            started = time.perf_counter()
            try:
                result = original_invoke(runtime, logical_id, event)
                invocation.outcome = outcome_of(result)
                invocation.records, invocation.failed_records = records_of(event, result)
                return result
            except Exception:
                invocation.outcome = "error"
                raise
            finally:
                invocation.seconds = time.perf_counter() - started
                _CURRENT.reset(token)
                recorder._finished(invocation)

        def submit(pool: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            if isinstance(_CURRENT.get(), Invocation):  # the task's calls are the invocation's
                return original_submit(pool, contextvars.copy_context().run, fn, *args, **kwargs)
            return original_submit(pool, fn, *args, **kwargs)

        botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
        LambdaRuntime.invoke = invoke  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]

        def undo() -> None:
            botocore.client.BaseClient._make_api_call = original_call  # type: ignore[method-assign]
            LambdaRuntime.invoke = original_invoke  # type: ignore[method-assign]
            ThreadPoolExecutor.submit = original_submit  # type: ignore[method-assign]

        self._undo.append(undo)
        return self

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()
