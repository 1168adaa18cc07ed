"""DynamoDB Streams event source mappings: follow a table's stream, invoke the function with a
real DynamoDB stream event, as Lambda's stream poller does.

* Shards: every shard of the stream is followed, a child only once its parent is fully done
  (DynamoDB Local, like DynamoDB, closes a stream's shard every 4 hours and opens a child). The
  stream is described again every couple of seconds and whenever a shard ends; a shard found
  later starts at TRIM_HORIZON, the shards there at start at ``StartingPosition``.
* Events: each record as GetRecords returns it on the wire (typed attribute values such as
  ``{"S": "..."}``, binary values in base64, ``ApproximateCreationDateTime`` in epoch seconds)
  plus ``awsRegion`` and ``eventSourceARN``; batches of up to ``BatchSize`` records, within
  ``MaximumBatchingWindowInSeconds``.
* ``FilterCriteria``: a record that matches none of the patterns is dropped (never delivered,
  counted as processed), as Lambda does. Supported: exact values, nested keys, ``exists``,
  ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``, ``numeric`` and ``$or``.
* Failures: a function error retries the batch (halved first with ``BisectBatchOnFunctionError``;
  a split is not a retry); with ``ReportBatchItemFailures`` the records before the lowest
  reported ``itemIdentifier`` (a SequenceNumber) are done and the batch is retried from that
  record; an identifier that is missing, empty or not in the batch fails the whole batch. After
  ``MaximumRetryAttempts`` retries of the same record the record (the whole batch after a plain
  function error without bisection) is skipped with a WARNING. Retries back off from 50 ms to 1 s.
* ``drain(timeout)`` waits until every running mapping has processed every record written to
  its stream before the call (tests use it to wait for the asynchronous work of a handler);
  ``start_pollers`` starts the template's mappings on given tables (the stack, or a test that
  runs handlers in-process without the stack).

With a checkpoint file (``LEADWAVE_PERSIST=1``) a restarted stack goes on after the last record
done, as a mapping keeps its position in AWS, instead of replaying the stream's last 24 hours.

DynamoDB Local's streams, as found here (3.3.1): sequence numbers come from one counter shared by
every write to every table (with or without a stream), so a stream's numbers have gaps; an
iterator taken on a still empty shard points at the shard's StartingSequenceNumber, below the
first record to come, and reading it then fails with TrimmedDataAccessException (handled: read
from TRIM_HORIZON again). Records say ``awsRegion: "ddblocal"`` and ARNs hold region
``ddblocal`` and account ``000000000000``; ``ApproximateCreationDateTime`` is rounded down to
the minute. Shards roll over every 4 hours and records are kept 24 hours, as in DynamoDB.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.settings import DUMMY_CREDENTIALS, REGION
from infra.local.template import DynamoDBEventSource, Template

LOG = logging.getLogger(__name__)
IDLE_SECONDS = 0.1  # poll interval while the stream is quiet
DESCRIBE_SECONDS = 2.0  # look for new shards (and a recreated table's new stream) this often
READ_LIMIT = 1000  # GetRecords' maximum
MAX_BUFFERED = 1000  # records read ahead of the function, per shard
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 1.0
THREAD_PREFIX = "stream-poller-"

_RUNNING: set[StreamPoller] = set()
_RUNNING_LOCK = threading.Lock()


def streams_client(endpoint: str, timeout: float = 10.0) -> Any:
    """A boto3 DynamoDB Streams client for DynamoDB Local at ``endpoint`` (dummy credentials)."""
    return _client("dynamodbstreams", endpoint, timeout)


def _client(service: str, endpoint: str, timeout: float) -> Any:
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2}),
    )


def _seq(value: str) -> int:
    return int(value)


# ---------------------------------------------------------------- events

def wire_value(value: Any) -> Any:
    """What boto3 parsed back to its JSON form: bytes to base64, timestamps to epoch seconds."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {k: wire_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [wire_value(v) for v in value]
    return value


def stream_record(record: Mapping[str, Any], stream_arn: str, region: str = REGION) -> dict[str, Any]:
    """One record of a Lambda DynamoDB stream event, from a (boto3-parsed) GetRecords record."""
    out = {k: wire_value(v) for k, v in record.items() if k != "eventSourceARN"}
    out["awsRegion"] = region  # DynamoDB Local says "ddblocal"; the handlers run in REGION
    out["eventSourceARN"] = stream_arn
    return out


def sequence_number(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


# ---------------------------------------------------------------- filter criteria

_OPERATORS = {"exists", "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric"}


class FilterError(ValueError):
    """A FilterCriteria pattern Lambda would refuse, or that this local poller does not run."""


def check_pattern(pattern: Any, path: str = "") -> None:
    """Raise ``FilterError`` for a pattern outside the syntax ``matches`` runs."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise FilterError(f"pattern {path or '(root)'} must be a non-empty JSON object")
    for key, rule in pattern.items():
        where = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(rule, list) or len(rule) < 2:
                raise FilterError(f"{where} needs a list of at least two patterns")
            for alternative in rule:
                check_pattern(alternative, where)
        elif isinstance(rule, Mapping):
            check_pattern(rule, where)
        elif isinstance(rule, list) and rule:
            for matcher in rule:
                if isinstance(matcher, Mapping):
                    if len(matcher) != 1 or next(iter(matcher)) not in _OPERATORS:
                        raise FilterError(f"{where}: unsupported matcher {json.dumps(matcher)}")
                    if "numeric" in matcher:
                        _numeric_ops(matcher["numeric"], where)
                elif isinstance(matcher, list):
                    raise FilterError(f"{where}: a matcher cannot be a list")
        else:
            raise FilterError(f"{where}: a value must be a non-empty list or an object")


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Lambda's (EventBridge's) event pattern matching of ``event`` against ``pattern``."""
    obj = event if isinstance(event, Mapping) else {}
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(alternative, event) for alternative in rule):
                return False
            continue
        present = key in obj
        value = obj.get(key)
        if isinstance(rule, Mapping):
            if not matches(rule, value if isinstance(value, Mapping) else {}):
                return False
        elif not _leaf_matches(rule, present, value):
            return False
    return True


def passes(filters: Iterable[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    """No filters: every record; else records matching at least one pattern."""
    filters = list(filters)
    return not filters or any(matches(p, record) for p in filters)


def _leaf_matches(rules: list[Any], present: bool, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, Mapping) and "exists" in rule:  # as EventBridge: leaves only
            if bool(rule["exists"]) == (present and not isinstance(value, Mapping)):
                return True
        elif present and any(_value_matches(rule, v) for v in values):
            return True
    return False


def _value_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return _equal(rule, value)
    (op, arg), = rule.items()
    if op == "prefix":
        return isinstance(value, str) and value.startswith(str(arg))
    if op == "suffix":
        return isinstance(value, str) and value.endswith(str(arg))
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if op == "anything-but":
        if isinstance(arg, Mapping):
            return not _value_matches(arg, value)
        banned = arg if isinstance(arg, list) else [arg]
        return not any(_equal(b, value) for b in banned)
    if op == "numeric":
        number = _number(value)
        return number is not None and all(_compare(number, o, n) for o, n in _numeric_ops(arg, ""))
    raise FilterError(f"unsupported matcher {op}")


def _equal(rule: Any, value: Any) -> bool:
    if isinstance(rule, bool) or isinstance(value, bool) or rule is None or value is None:
        return rule is value or (type(rule) is type(value) and rule == value)
    if isinstance(rule, int | float) and isinstance(value, int | float):
        return float(rule) == float(value)
    return type(rule) is type(value) and rule == value


def _number(value: Any) -> float | None:
    """A JSON number, or a numeric string (DynamoDB's ``{"N": "5"}``), as Lambda compares them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
            return number if math.isfinite(number) else None
    return None


def _numeric_ops(arg: Any, where: str) -> list[tuple[str, float]]:
    if not isinstance(arg, list) or not arg or len(arg) % 2:
        raise FilterError(f"{where}: numeric needs [operator, number, ...]")
    pairs = list(zip(arg[::2], arg[1::2], strict=True))
    for op, number in pairs:
        if op not in ("=", "<", "<=", ">", ">=") or isinstance(number, bool) or not isinstance(number, int | float):
            raise FilterError(f"{where}: bad numeric comparison {op!r} {number!r}")
    return [(str(op), float(number)) for op, number in pairs]


def _compare(value: float, op: str, number: float) -> bool:
    return {"=": value == number, "<": value < number, "<=": value <= number,
            ">": value > number, ">=": value >= number}[op]


# ---------------------------------------------------------------- batch item failures

def first_failure(result: Any, batch: list[dict[str, Any]]) -> int | None:
    """Index in ``batch`` of the lowest record the function reported failed; ``len(batch)`` when
    none did; None when the answer fails the whole batch (an identifier missing, empty or not in
    the batch), as Lambda reads ``batchItemFailures``."""
    if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
        return len(batch)
    index = {sequence_number(r): i for i, r in enumerate(batch)}
    lowest = len(batch)
    for item in result["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if not identifier or str(identifier) not in index:
            return None
        lowest = min(lowest, index[str(identifier)])
    return lowest


# ---------------------------------------------------------------- the poller

@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    iterator: str | None = None
    ended: bool = False  # GetRecords gave no next iterator: the shard is closed and fully read
    read_through: str | None = None  # last sequence number read
    done_through: str | None = None  # last sequence number done (delivered, dropped or skipped)
    pending: deque[tuple[dict[str, Any], bool]] = field(default_factory=deque)  # (record, delivered?)
    windows: list[str] = field(default_factory=list)  # bisection: retry only up to windows[-1]
    failing: tuple[str, int] = ("", 0)  # (sequence number of the record retried, failures so far)
    retry_at: float = 0.0
    waiting_since: float | None = None  # batching window: when the oldest pending record was read
    skip_existing: bool = False  # StartingPosition LATEST: what the shard held at start is not delivered
    skip_to_end: bool = False  # ... and a shard closed at start is not delivered at all

    @property
    def finished(self) -> bool:
        return self.ended and not self.pending


class StreamPoller:
    """One DynamoDB stream event source mapping: a thread following ``table_name``'s stream and
    invoking ``invoke(event)`` (``LambdaRuntime.invoke`` bound to the function)."""

    def __init__(self, source: DynamoDBEventSource, table_name: str, invoke: Callable[[dict[str, Any]], Any],
                 endpoint: str, *, checkpoint_file: Path | None = None, idle_seconds: float = IDLE_SECONDS,
                 describe_seconds: float = DESCRIBE_SECONDS) -> None:
        for pattern in source.filters:
            check_pattern(pattern)
        self.source = source
        self.table_name = table_name
        self.invoke = invoke
        self.endpoint = endpoint
        self.checkpoint_file = checkpoint_file
        self.idle_seconds = idle_seconds
        self.describe_seconds = describe_seconds
        self.name = f"{source.function_id}.{source.event_id}"
        self.stream_arn = ""
        self.invocations = 0
        self.skipped: list[str] = []  # sequence numbers given up after MaximumRetryAttempts
        self._client = streams_client(endpoint)
        self._ddb = _client("dynamodb", endpoint, 10.0)
        self._shards: dict[str, _Shard] = {}
        self._described_at = 0.0
        self._lock = threading.Lock()  # guards _progress and stream_arn for drain()
        self._progress: dict[str, str | None] = {}  # shard id -> done_through
        self._saved: dict[str, Any] = {}
        self._saved_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drain_client: Any = None

    # -- lifecycle
    def start(self) -> StreamPoller:
        self._attach(self._latest_stream_arn(), initial=True)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"{THREAD_PREFIX}{self.source.function_id}")
        self._thread.start()
        with _RUNNING_LOCK:
            _RUNNING.add(self)
        LOG.info("%s follows the stream of %s", self.name, self.table_name)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with _RUNNING_LOCK:
            _RUNNING.discard(self)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                LOG.warning("%s still running a batch after %.0fs", self.name, timeout)
            self._thread = None
        self._save_checkpoint(force=True)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                if self._stop.is_set():
                    break
                LOG.exception("stream poller %s failed; retrying", self.name)
                self._stop.wait(1.0)
                continue
            if not busy:
                self._stop.wait(self.idle_seconds)

    # -- the stream and its shards
    def _latest_stream_arn(self) -> str:
        table = self._ddb.describe_table(TableName=self.table_name)["Table"]
        spec = table.get("StreamSpecification") or {}
        if not spec.get("StreamEnabled") or not table.get("LatestStreamArn"):
            raise ValueError(f"{self.table_name} has no stream enabled (StreamSpecification in the template?)")
        return str(table["LatestStreamArn"])

    def _attach(self, stream_arn: str, initial: bool) -> None:
        checkpoint = self._load_checkpoint(stream_arn) if initial else {}
        with self._lock:
            self.stream_arn = stream_arn
            self._shards = {}
            self._progress = {}
        self._describe(initial=initial, checkpoint=checkpoint)

    def _describe(self, initial: bool = False, checkpoint: Mapping[str, str] | None = None) -> None:
        shards, status = self._all_shards(self._client, self.stream_arn)
        self._described_at = time.monotonic()
        for shard in shards:
            shard_id = str(shard["ShardId"])
            if shard_id in self._shards:
                continue
            # LATEST reads the shards there at start from their beginning without delivering what
            # they hold (so drain() knows where they stand); every later shard is new: TRIM_HORIZON.
            latest = initial and self.source.starting_position == "LATEST"
            closed = "EndingSequenceNumber" in (shard.get("SequenceNumberRange") or {})
            state = _Shard(shard_id, shard.get("ParentShardId"), skip_existing=latest, skip_to_end=latest and closed)
            done = (checkpoint or {}).get(shard_id)
            if done:
                state.done_through = state.read_through = done
                state.skip_existing = state.skip_to_end = False
            self._shards[shard_id] = state
            with self._lock:
                self._progress[shard_id] = state.done_through
        if status == "DISABLED" and all(s.finished for s in self._shards.values()):
            self._follow_recreated_table()

    @staticmethod
    def _all_shards(client: Any, stream_arn: str) -> tuple[list[dict[str, Any]], str]:
        shards: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        while True:
            page = client.describe_stream(StreamArn=stream_arn, **extra)["StreamDescription"]
            shards += page.get("Shards") or []
            if not page.get("LastEvaluatedShardId"):
                return shards, str(page.get("StreamStatus") or "")
            extra = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]}

    def _follow_recreated_table(self) -> None:
        """The stream was disabled (its table deleted, or its stream turned off) and is fully
        read: if the table has a new stream, follow that one from its start."""
        try:
            latest = self._latest_stream_arn()
        except (ClientError, ValueError):
            return
        if latest != self.stream_arn:
            LOG.info("%s: %s has a new stream; following it", self.name, self.table_name)
            self._attach(latest, initial=False)

    def _ready(self, shard: _Shard) -> bool:
        """A child shard waits until its parent is fully done (Lambda keeps a key's order)."""
        parent = self._shards.get(shard.parent_id or "")
        return parent is None or parent.finished

    # -- one round
    def poll_once(self) -> int:
        """Read every ready shard and run at most one batch per shard; returns records handled."""
        if time.monotonic() - self._described_at >= self.describe_seconds:
            self._describe()
        handled = 0
        for shard in list(self._shards.values()):
            if self._stop.is_set():
                break
            if shard.finished or not self._ready(shard):
                continue
            if not shard.ended and len(shard.pending) < MAX_BUFFERED:
                handled += self._read(shard)
                if shard.ended:
                    self._described_at = 0.0  # a closed shard may have children: look now
            handled += self._deliver(shard)
        self._save_checkpoint()
        return handled

    def _read(self, shard: _Shard) -> int:
        after = shard.read_through or shard.done_through
        try:
            if shard.iterator is None:
                shard.iterator = self._iterator(self._client, shard.shard_id, after)
            page = self._get_records(self._client, shard.shard_id, shard.iterator, after)
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code == "ExpiredIteratorException":
                shard.iterator = None
                return 0
            if code == "ResourceNotFoundException":
                self._described_at = 0.0
                return 0
            raise
        records = [r for r in page.get("Records") or [] if not after or _seq(sequence_number(r)) > _seq(after)]
        for raw in records:
            record = stream_record(raw, self.stream_arn)
            deliver = not shard.skip_existing and passes(self.source.filters, record)
            shard.pending.append((record, deliver))
            shard.read_through = sequence_number(record)
        if not records and not shard.skip_to_end:
            shard.skip_existing = False  # caught up with what was there at start (LATEST)
        shard.iterator = page.get("NextShardIterator")
        if shard.iterator is None:
            shard.ended = True
        if shard.pending and shard.waiting_since is None:
            shard.waiting_since = time.monotonic()
        return len(records)

    def _iterator(self, client: Any, shard_id: str, after: str | None) -> str:
        """An iterator after sequence number ``after``, or at the shard's oldest record."""
        args: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
        if after:
            args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        try:
            return str(client.get_shard_iterator(**args)["ShardIterator"])
        except ClientError as err:
            if not after or err.response["Error"]["Code"] != "TrimmedDataAccessException":
                raise
        LOG.warning("%s: records of %s after %s expired from the stream before they were read", self.name,
                    shard_id, after)
        return str(client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"])

    def _get_records(self, client: Any, shard_id: str, iterator: str, after: str | None) -> dict[str, Any]:
        """One GetRecords page (it may start at or before ``after``: callers drop those records)."""
        try:
            return dict(client.get_records(ShardIterator=iterator, Limit=READ_LIMIT))
        except ClientError as err:
            if err.response["Error"]["Code"] != "TrimmedDataAccessException":
                raise
        # DynamoDB Local numbers the records of all its streams from one counter, but an iterator
        # taken on an empty shard points at the shard's StartingSequenceNumber: once records come
        # (numbered higher), reading it fails as if they had been trimmed. Read from the oldest.
        if after:  # the shard had records: some really expired (24 hours) before they were read
            LOG.warning("%s: records of %s after %s expired from the stream before they were read",
                        self.name, shard_id, after)
        iterator = client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return dict(client.get_records(ShardIterator=iterator, Limit=READ_LIMIT))

    def _done(self, shard: _Shard, count: int) -> None:
        """The first ``count`` pending records are done."""
        for _ in range(count):
            record, _delivered = shard.pending.popleft()
            shard.done_through = sequence_number(record)
        if count:
            done = _seq(shard.done_through or "0")
            shard.windows = [w for w in shard.windows if _seq(w) > done]
            shard.waiting_since = time.monotonic() if shard.pending else None
            with self._lock:
                self._progress[shard.shard_id] = shard.done_through

    def _deliver(self, shard: _Shard) -> int:
        leading = 0  # dropped by the filters, in front of anything to deliver
        while leading < len(shard.pending) and not shard.pending[leading][1]:
            leading += 1
        self._done(shard, leading)
        if not shard.pending or time.monotonic() < shard.retry_at:
            return leading
        batch, span = self._batch(shard)
        if not batch:  # cannot happen (a window ends at a pending record); never loop on it
            shard.windows.clear()
            return leading
        window = self.source.batching_window
        if (len(batch) < self.source.batch_size and window and not shard.ended and not shard.failing[1]
                and time.monotonic() - (shard.waiting_since or 0.0) < window):
            return leading
        self.invocations += 1
        try:
            result = self.invoke(json.loads(json.dumps({"Records": batch})))  # a fresh event, as each invoke
        except Exception as exc:  # a function error: the whole batch failed
            LOG.warning("%s failed a batch of %d records: %s", self.name, len(batch), type(exc).__name__)
            self._batch_failed(shard, batch, span)
            return leading + len(batch)
        failed = first_failure(result, batch) if self.source.reports_item_failures else len(batch)
        if failed is None:
            LOG.warning("%s returned an invalid batchItemFailures; the whole batch failed", self.name)
            self._batch_failed(shard, batch, span)
        elif failed == len(batch):
            shard.failing = ("", 0)
            self._done(shard, span)
        else:
            LOG.info("%s reported record %s of a batch of %d failed", self.name, sequence_number(batch[failed]),
                     len(batch))
            self._done(shard, self._position(shard, batch[failed]))
            self._failed_once(shard, [batch[failed]], 1)
        return leading + len(batch)

    def _batch(self, shard: _Shard) -> tuple[list[dict[str, Any]], int]:
        """The next batch (up to BatchSize records to deliver, within the bisection window) and
        how many pending records it spans (dropped ones included)."""
        end = _seq(shard.windows[-1]) if shard.windows else None
        batch: list[dict[str, Any]] = []
        span = 0
        for record, deliver in shard.pending:
            if len(batch) >= self.source.batch_size or (end is not None and _seq(sequence_number(record)) > end):
                break
            span += 1
            if deliver:
                batch.append(record)
        return batch, span

    @staticmethod
    def _position(shard: _Shard, record: Mapping[str, Any]) -> int:
        seq = sequence_number(record)
        return next(i for i, (r, _d) in enumerate(shard.pending) if sequence_number(r) == seq)

    def _batch_failed(self, shard: _Shard, batch: list[dict[str, Any]], span: int) -> None:
        if self.source.bisect_on_error and len(batch) > 1:  # retry each half on its own; no retry counted
            last = sequence_number(batch[-1])
            if not shard.windows or shard.windows[-1] != last:
                shard.windows.append(last)
            shard.windows.append(sequence_number(batch[len(batch) // 2 - 1]))
            return
        self._failed_once(shard, batch, span)

    def _failed_once(self, shard: _Shard, batch: list[dict[str, Any]], span: int) -> None:
        """``batch`` (starting at the first pending record, spanning ``span``) failed once more:
        retry it after a backoff, or skip it once it has used its MaximumRetryAttempts."""
        head = sequence_number(batch[0])
        failures = shard.failing[1] + 1 if shard.failing[0] == head else 1
        limit = self.source.maximum_retry_attempts
        if 0 <= limit < failures:
            sequence_numbers = [sequence_number(r) for r in batch]
            LOG.warning("%s: %d record(s) skipped after %d retries: %s", self.name, len(batch), limit,
                        ", ".join(sequence_numbers))
            self.skipped += sequence_numbers
            shard.failing = ("", 0)
            shard.retry_at = 0.0
            self._done(shard, span)
            return
        shard.failing = (head, failures)
        shard.retry_at = time.monotonic() + min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - 1))

    # -- checkpoints (LEADWAVE_PERSIST)
    def _load_checkpoint(self, stream_arn: str) -> dict[str, str]:
        if self.checkpoint_file is None or not self.checkpoint_file.exists():
            return {}
        try:
            saved = json.loads(self.checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            LOG.warning("%s: unreadable checkpoint %s; starting at %s", self.name, self.checkpoint_file,
                        self.source.starting_position)
            return {}
        if saved.get("stream") != stream_arn:
            return {}
        return {str(k): str(v) for k, v in (saved.get("shards") or {}).items() if v}

    def _save_checkpoint(self, force: bool = False) -> None:
        if self.checkpoint_file is None or not self.stream_arn:
            return
        with self._lock:
            state = {"stream": self.stream_arn, "shards": {k: v for k, v in self._progress.items() if v}}
        if state == self._saved or (not force and time.monotonic() - self._saved_at < 1.0):
            return
        self.checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.checkpoint_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(state), encoding="utf-8")
        scratch.replace(self.checkpoint_file)
        self._saved, self._saved_at = state, time.monotonic()

    # -- drain
    def progress(self) -> dict[str, str | None]:
        """Shard id -> sequence number of the last record done (None: none yet)."""
        with self._lock:
            return dict(self._progress)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until this mapping has processed every record written to the stream before the
        call (delivered, dropped by the filters or skipped); ``TimeoutError`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        targets = self._tips()
        while True:
            progress = self.progress()
            behind = {s: t for s, t in targets.items() if not progress.get(s) or _seq(progress[s] or "0") < _seq(t)}
            if not behind:
                return
            if not self.running:
                raise RuntimeError(f"stream poller {self.name} is not running")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not process its stream within {timeout:.1f}s: "
                                   f"behind on {behind}, done {progress}")
            time.sleep(0.02)

    def _tips(self) -> dict[str, str]:
        """Shard id -> last sequence number in it now, for the shards with records not yet done."""
        with self._lock:
            stream_arn, progress = self.stream_arn, dict(self._progress)
            if self._drain_client is None:
                self._drain_client = streams_client(self.endpoint)
            client = self._drain_client
        tips = {}
        shards, _status = self._all_shards(client, stream_arn)
        for shard in shards:
            shard_id = str(shard["ShardId"])
            if shard_id not in progress:
                self._described_at = 0.0  # the poller has not seen this shard yet: look now
            after = progress.get(shard_id)
            iterator: str | None = self._iterator(client, shard_id, after)
            while iterator:
                page = self._get_records(client, shard_id, iterator, after)
                records = [r for r in page.get("Records") or [] if not after or _seq(sequence_number(r)) > _seq(after)]
                if not records:
                    break
                tips[shard_id] = after = sequence_number(records[-1])
                iterator = page.get("NextShardIterator")
        return tips

    def __repr__(self) -> str:
        return f"<StreamPoller {self.name} on {self.table_name}>"


def start_pollers(template: Template, tables: Mapping[str, str], endpoint: str,
                  invoke_for: Callable[[str], Callable[[dict[str, Any]], Any]] | None = None,
                  checkpoint_dir: Path | None = None) -> list[StreamPoller]:
    """Start a poller for every enabled ``Type: DynamoDB`` event of ``template`` whose table is in
    ``tables`` (logical id -> table name, e.g. what ``create_tables`` returns). ``invoke_for(function
    id)`` gives the invoke of a function; by default a ``LambdaRuntime`` of the template runs the
    real handler in this process (with this process's environment: tests without the whole stack
    set the handlers' variables themselves). The stack (``LocalStack``) starts its pollers here."""
    if invoke_for is None:
        from infra.local.lambdas import LambdaRuntime

        runtime = LambdaRuntime(template)

        def invoke_for(function_id: str) -> Callable[[dict[str, Any]], Any]:
            return partial(runtime.invoke, function_id)

    pollers = []
    try:
        for source in template.dynamodb_event_sources():
            table_id = source.table_logical_id
            if not source.enabled or table_id not in tables:
                LOG.warning("%s.%s: no local stream for %s", source.function_id, source.event_id, source.stream)
                continue
            checkpoint = checkpoint_dir / f"{source.function_id}.{source.event_id}.json" if checkpoint_dir else None
            poller = StreamPoller(source, tables[table_id], invoke_for(source.function_id), endpoint,
                                  checkpoint_file=checkpoint)
            pollers.append(poller.start())
    except BaseException:
        for poller in pollers:
            poller.stop()
        raise
    return pollers


def running() -> list[StreamPoller]:
    """The stream pollers running in this process."""
    with _RUNNING_LOCK:
        return sorted(_RUNNING, key=lambda p: p.name)


def drain(timeout: float = 10.0, pollers: Iterable[StreamPoller] | None = None) -> list[str]:
    """Wait until every stream poller (of this process, or ``pollers``) has processed every record
    written to its stream before this call; returns the mappings drained. ``TimeoutError`` if
    they have not within ``timeout`` seconds (a handler still failing and retrying, say)."""
    deadline = time.monotonic() + timeout
    chosen = list(pollers) if pollers is not None else running()
    for poller in chosen:
        poller.drain(max(0.0, deadline - time.monotonic()))
    return [p.name for p in chosen]
