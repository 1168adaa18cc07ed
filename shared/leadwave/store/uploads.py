"""Bulk uploads (issue 11): ``UPLOAD#<id>`` / ``UPLOAD`` holds the upload's parameters and its
progress counters; ``UPLOAD#<id>`` / ``CHUNK#<n>`` one chunk's per-row results, written once
in the same transaction that moves the counters (a redelivered chunk counts nothing twice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from leadwave import clock
from leadwave.errors import NotFound
from leadwave.store.tables import LeadItem, bind, transactions

SK = "UPLOAD"
KEEP_DAYS = 30


@dataclass
class Upload:
    upload_id: str
    org_id: str
    status: str  # queued | running | done | failed
    rows: int
    params: dict[str, Any]  # campaign_id, mode, list_id, uploader, file_key, file_sha256, chunks
    created_at: str
    processed: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    updated_at: str | None = None
    failure_reason: str | None = None


def _pk(upload_id: str) -> str:
    return f"UPLOAD#{upload_id}"


def _ttl(now: str) -> int:
    return int(clock.parse(now).timestamp()) + KEEP_DAYS * 86_400


def create(u: Upload) -> bool:
    """Store a new upload; False when this upload (the same file and parameters) exists."""
    bind()
    item = LeadItem(_pk(u.upload_id), SK, kind="upload", org_id=u.org_id, status=u.status, doc=u.params,
                    total=u.rows, processed=0, accepted=0, rejected=0, duplicates=0, created_at=u.created_at,
                    updated_at=u.created_at, expires_ttl=_ttl(u.created_at))
    try:
        item.save(condition=LeadItem.pk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get(upload_id: str, org_id: str) -> Upload:
    bind()
    try:
        item = LeadItem.get(_pk(upload_id), SK, consistent_read=True)
    except LeadItem.DoesNotExist:
        raise NotFound("no such upload", code="upload_not_found") from None
    if item.org_id != org_id:
        raise NotFound("no such upload", code="upload_not_found")
    return Upload(upload_id=upload_id, org_id=item.org_id, status=item.status, rows=int(item.total or 0),
                  params=dict(item.doc or {}), created_at=str(item.created_at), processed=int(item.processed or 0),
                  accepted=int(item.accepted or 0), rejected=int(item.rejected or 0),
                  duplicates=int(item.duplicates or 0), updated_at=item.updated_at,
                  failure_reason=item.failure_reason)


def record_chunk(upload_id: str, org_id: str, chunk: int, results: list[dict[str, Any]],
                 counts: dict[str, int]) -> bool:
    """One chunk's results and its counts, once; False when this chunk was recorded before."""
    bind()
    now = clock.iso(clock.now())
    actions = [LeadItem.processed.add(len(results)), LeadItem.updated_at.set(now)]
    actions += [getattr(LeadItem, name).add(n) for name, n in counts.items() if n]
    try:
        with TransactWrite(connection=transactions()) as tx:
            tx.save(LeadItem(_pk(upload_id), f"CHUNK#{chunk:05d}", kind="upload_chunk", org_id=org_id,
                             status="done", doc={"results": results}, expires_ttl=_ttl(now)),
                    condition=LeadItem.pk.does_not_exist())
            tx.update(LeadItem(_pk(upload_id), SK), actions=actions, condition=LeadItem.pk.exists())
    except TransactWriteError as exc:
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in (exc.cancellation_reasons or [])):
            return False
        raise
    return True


def set_status(upload_id: str, status: str, *, when_status: tuple[str, ...], reason: str | None = None,
               all_processed: bool = False) -> bool:
    """Move the upload to ``status`` if it is in one of ``when_status`` (and, with
    ``all_processed``, once every row is processed); False when it was not."""
    bind()
    cond = LeadItem.status.is_in(*when_status)
    if all_processed:
        cond = cond & (LeadItem.processed >= LeadItem.total)
    actions = [LeadItem.status.set(status), LeadItem.updated_at.set(clock.iso(clock.now()))]
    if reason:
        actions.append(LeadItem.failure_reason.set(reason))
    try:
        LeadItem(_pk(upload_id), SK).update(actions=actions, condition=cond)
    except Exception as exc:  # noqa: BLE001 - pynamodb's UpdateError wraps the condition failure
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def has_chunk(upload_id: str, chunk: int) -> bool:
    bind()
    return LeadItem.count(_pk(upload_id), LeadItem.sk == f"CHUNK#{chunk:05d}", consistent_read=True) > 0


def chunks(upload_id: str, *, after: int, limit: int) -> list[tuple[int, list[dict[str, Any]]]]:
    """Recorded chunks after chunk number ``after``, in order, at most ``limit``."""
    bind()
    out = []
    for item in LeadItem.query(_pk(upload_id), LeadItem.sk.between(f"CHUNK#{after + 1:05d}", "CHUNK#99999"),
                               limit=limit, consistent_read=True):
        out.append((int(item.sk.removeprefix("CHUNK#")), list((item.doc or {}).get("results", []))))
        if len(out) >= limit:
            break
    return out
