"""Bulk upload (issue 11, seed 004): a CSV file of leads from a vendor (API key) or a manager
(the SPA). The request only checks the file, keeps it in S3 and queues it in chunks of rows
(answering 202 with an upload id); workers store each chunk through the same lead path as a
vendor's post (validation, duplicates, the campaign's distribution unless the file says
otherwise) and record per-row results. Every row's lead id follows from the file's digest and
the row number: a chunk delivered twice, or the same file uploaded again, stores nothing twice."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from leadwave import clock
from leadwave.config import key_pepper
from leadwave.errors import (
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    ServiceBusy,
    UnsupportedMediaType,
)
from leadwave.models import Agent, LeadStatus, Role, Vendor, VendorPermission, WorkList
from leadwave.observability import count, logger
from leadwave.rules import csvfile
from leadwave.rules.direct import Decision
from leadwave.services import ingest
from leadwave.services.dedupe import DuplicateLead
from leadwave.services.leadin import parse_lead
from leadwave.store import aws, directory, uploads
from leadwave.store import worklists as lists_store

MODES = ("assign", "fresh", "list", "distribute")
WORKERS = 8  # rows of a chunk stored at once
ROW_ATTEMPTS = 3
RESULT_CHUNKS = 2  # chunks of results per status page (up to 1,000 rows)
REQUEUE_AFTER_SECONDS = 60


@dataclass(frozen=True)
class Uploader:
    org_id: str
    actor: str  # "vendor:<id>" or "manager:<agent id>"
    vendor_id: str  # the leads' vendor: the vendor, or "upload:<agent id>" for a manager's file
    may_assign: bool  # a manager, or a vendor with the transfer permission

    @classmethod
    def vendor(cls, org_id: str, vendor_id: str) -> Uploader:
        try:
            permissions = directory.get(Vendor, org_id, vendor_id).permissions
        except NotFound:
            permissions = []
        return cls(org_id, f"vendor:{vendor_id}", vendor_id, VendorPermission.TRANSFER in permissions)

    @classmethod
    def manager(cls, agent: Agent) -> Uploader:
        if not agent.has_role(Role.MANAGER, Role.ADMIN):
            raise Forbidden("only managers and admins upload leads", code="forbidden_role")
        return cls(agent.org_id, f"manager:{agent.agent_id}", f"upload:{agent.agent_id}", True)


def _bad(field: str, message: str, code: str) -> InvalidRequest:
    return InvalidRequest(message, code=code, details=[{"field": field, "code": code, "message": message}])


def submit(who: Uploader, params: dict[str, str], content_type: str, data: bytes) -> dict[str, Any]:
    """202 ``{"upload_id", "status", "rows"}``; the same file with the same parameters again
    answers the same upload (``replayed: true``) and queues nothing new."""
    if content_type.split(";")[0].strip().lower() not in ("text/csv", "application/csv"):
        raise UnsupportedMediaType("send the file as text/csv", code="unsupported_media_type")
    if len(data) > csvfile.MAX_BYTES:
        raise PayloadTooLarge(f"the file is larger than {csvfile.MAX_BYTES // (1024 * 1024)} MB; split it")
    mode, campaign_id, list_id = params.get("mode", ""), params.get("campaign_id", ""), params.get("list_id") or None
    if mode not in MODES:
        raise _bad("mode", f"mode: one of {', '.join(MODES)}", "invalid_mode")
    s = directory.settings(who.org_id)
    campaign = s.campaign(campaign_id)
    if campaign is None or not campaign.active:
        raise _bad("campaign_id", "campaign_id: an active campaign of your org", "unknown_campaign")
    if mode == "list":
        try:
            directory.get(WorkList, who.org_id, list_id or "-")
        except NotFound:
            raise _bad("list_id", "list_id: a call list of your org (mode=list)", "unknown_list") from None
    elif list_id:
        raise _bad("list_id", "list_id only with mode=list", "unexpected_list")
    if mode == "assign" and not who.may_assign:
        raise Forbidden("assigning rows to agents needs the transfer permission on this API key",
                        code="permission_required")
    try:
        sheet = csvfile.read_sheet(csvfile.decode(data), bom=data.startswith(b"\xef\xbb\xbf"),
                                   required=("phone", "assign_to_email") if mode == "assign" else ("phone",))
    except csvfile.CsvProblem as exc:
        raise _bad(exc.field, exc.message, exc.code) from None
    digest = hashlib.sha256(data).hexdigest()
    material = f"{who.org_id}|{who.actor}|{digest}|{campaign_id}|{mode}|{list_id or ''}"
    upload_id = "up_" + hmac.new(key_pepper().encode(), material.encode(), hashlib.sha256).hexdigest()[:24]
    chunks = -(-sheet.rows // csvfile.CHUNK_ROWS)
    now = clock.iso(clock.now())
    u = uploads.Upload(upload_id=upload_id, org_id=who.org_id, status="queued", rows=sheet.rows, created_at=now,
                       params={"campaign_id": campaign_id, "mode": mode, "list_id": list_id, "uploader": who.actor,
                               "vendor_id": who.vendor_id, "file_key": f"uploads/{who.org_id}/{upload_id}.csv",
                               "file_sha256": digest, "chunks": chunks, "columns": list(sheet.columns),
                               "ranges": [list(r) for r in sheet.chunks]})
    aws.put_upload_file(u.params["file_key"], data)  # the same key for the same file: safe to repeat
    if not uploads.create(u):
        old = uploads.get(upload_id, who.org_id)
        stale = (clock.now() - clock.parse(old.updated_at or old.created_at)).total_seconds() > REQUEUE_AFTER_SECONDS
        if old.status == "failed" or (old.status == "queued" and old.processed == 0 and stale):
            _enqueue(old)  # an earlier attempt could not queue its chunks
            uploads.set_status(upload_id, "queued", when_status=("failed", "queued"))
        return {"upload_id": upload_id, "status": uploads.get(upload_id, who.org_id).status, "rows": old.rows,
                "replayed": True}
    _enqueue(u)
    count("LeadsUploaded", mode=mode)
    logger.info("upload queued", extra={"upload_id": upload_id, "rows": sheet.rows, "chunks": chunks, "mode": mode})
    return {"upload_id": upload_id, "status": "queued", "rows": sheet.rows}


def _enqueue(u: uploads.Upload) -> None:
    messages = [{"upload_id": u.upload_id, "org_id": u.org_id, "chunk": n,
                 "first": 2 + (n - 1) * csvfile.CHUNK_ROWS, "last": 1 + n * csvfile.CHUNK_ROWS}
                for n in range(1, int(u.params["chunks"]) + 1)]
    try:
        aws.enqueue_upload_chunks(messages)
    except Exception:
        logger.exception("could not queue an upload")
        uploads.set_status(u.upload_id, "failed", when_status=("queued", "failed"),
                           reason="the upload queue was unavailable; upload the file again")
        raise ServiceBusy("the file could not be queued just now; upload it again", retry_after=5) from None


# ---------------------------------------------------------------- the workers

def process_chunk(message: dict[str, Any]) -> bool:
    """Store one chunk's rows and record their results; False when the chunk was done before."""
    upload_id, org_id, chunk = str(message["upload_id"]), str(message["org_id"]), int(message["chunk"])
    u = uploads.get(upload_id, org_id)
    if uploads.has_chunk(upload_id, chunk):
        return False  # delivered again after it was recorded
    uploads.set_status(upload_id, "running", when_status=("queued",))
    first, last = int(message["first"]), int(message["last"])
    ranges = u.params.get("ranges")
    if ranges:  # its own rows only, whatever the file's size
        start, end = ranges[chunk - 1]
        text = csvfile.decode(aws.get_upload_file(str(u.params["file_key"]), int(start), int(end)))
        rows = list(csvfile.rows(text, first, last, columns=list(u.params["columns"])))
    else:  # an upload queued before chunks had byte ranges
        rows = list(csvfile.rows(csvfile.decode(aws.get_upload_file(str(u.params["file_key"]))), first, last))
    ctx = _Context(u, directory.settings(org_id).org.default_country)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(ctx.row, rows))
    if u.params.get("mode") == "list":
        ctx.add_to_list(results)
    counts = {"accepted": sum(r["status"] == "accepted" for r in results),
              "rejected": sum(r["status"] == "rejected" for r in results),
              "duplicates": sum(bool(r.get("duplicate_of")) for r in results)}
    recorded = uploads.record_chunk(upload_id, org_id, chunk, [{k: v for k, v in r.items() if not k.startswith("_")}
                                                                for r in results], counts)
    if recorded and uploads.set_status(upload_id, "done", when_status=("queued", "running"), all_processed=True):
        logger.info("upload done", extra={"upload_id": upload_id})
    return recorded


class _Context:
    def __init__(self, u: uploads.Upload, country: str) -> None:
        self.u, self.country = u, country
        self.mode = str(u.params["mode"])
        self.agents: dict[str, Agent | None] = {}

    def _agent(self, email: str) -> Agent | None:
        key = email.strip().casefold()
        if key not in self.agents:
            found = directory.find_agent_by_email(key, self.u.org_id)
            self.agents[key] = found if found is not None and found.active and Role.AGENT in found.roles else None
        return self.agents[key]

    def row(self, row: csvfile.Row) -> dict[str, Any]:
        if row.problem:
            return {"row": row.number, "status": "rejected", "field": "row", "reason": row.problem}
        values = {**row.values, "campaign_id": self.u.params["campaign_id"]}
        try:
            lead = parse_lead(values, self.country)
        except InvalidRequest as exc:
            d = (exc.details or [{}])[0]
            return {"row": row.number, "status": "rejected", "field": d.get("field", "row"),
                    "reason": d.get("message", exc.message)}
        placed, by = None, "distribution"
        if self.mode == "fresh":
            placed = Decision(LeadStatus.UNASSIGNED)
        elif self.mode == "list":
            placed = Decision(LeadStatus.STORED)
        elif self.mode == "assign":
            agent = self._agent(lead.assign_to_email or "")
            if agent is None:
                return {"row": row.number, "status": "rejected", "field": "assign_to_email",
                        "reason": "no active agent with this email in your org"}
            uploader = str(self.u.params["uploader"])
            placed, by = Decision(LeadStatus.ASSIGNED, agent), (
                uploader if uploader.startswith("manager:") else f"transfer:{uploader}")
        request = {"org_id": self.u.org_id, "vendor_id": self.u.params["vendor_id"],
                   "lead": lead.model_dump(mode="json"),
                   "idempotency_key": f"{self.u.org_id}#upload#{self.u.params['file_sha256']}#{row.number}"}
        for attempt in range(ROW_ATTEMPTS):
            try:
                stored = ingest.store_lead(request, placed=placed, by=by, source=f"upload:{self.u.upload_id}")
                break
            except DuplicateLead as exc:
                return {"row": row.number, "status": "rejected", "field": "phone", "reason": exc.message,
                        "duplicate_of": exc.duplicate_of}
            except InvalidRequest as exc:
                return {"row": row.number, "status": "rejected", "field": "row", "reason": exc.message}
            except DomainError as exc:  # contention: try the row again, then report it
                if attempt == ROW_ATTEMPTS - 1:
                    return {"row": row.number, "status": "rejected", "field": "row",
                            "reason": f"could not be stored ({exc.message}); upload this row again"}
                time.sleep(0.2 * (attempt + 1))
        p = stored.prospect
        out: dict[str, Any] = {"row": row.number, "status": "accepted", "prospect_id": p.prospect_id,
                               "lead_status": p.status.value}
        if stored.attached:
            out["duplicate_of"] = p.prospect_id
        else:
            out["_entry"] = lists_store.Row(p.prospect_id, p.campaign_id, p.state, p.loan_purpose, p.loan_amount,
                                            p.created_at)
            out["_created"] = stored.created
        return out

    def add_to_list(self, results: list[dict[str, Any]]) -> None:
        """The chunk's new leads join the list in file order (a lead an earlier attempt stored
        but did not add is added now; one already in the list is not added twice)."""
        list_id = str(self.u.params["list_id"])
        entries = []
        for r in results:
            entry = r.get("_entry")
            if entry is None:
                continue
            if not r.get("_created") and any(e.sk.endswith(f"#{list_id}") for e in lists_store.entries_of(
                    entry.prospect_id)):
                continue
            entries.append(entry)
        lists_store.add_entries(self.u.org_id, list_id, entries)


# ---------------------------------------------------------------- reading an upload

def _readable(who: Uploader | Agent, upload_id: str) -> uploads.Upload:
    """A vendor reads its own uploads; managers, admins and supervisors any of their org's."""
    org_id = who.org_id
    u = uploads.get(upload_id, org_id)
    if isinstance(who, Uploader):
        if u.params.get("uploader") != who.actor:
            raise NotFound("no such upload", code="upload_not_found")
    elif not who.has_role(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR):
        raise NotFound("no such upload", code="upload_not_found")
    return u


def status(who: Uploader | Agent, upload_id: str, cursor: str | None) -> dict[str, Any]:
    """Progress and a page of per-row results (``next_cursor`` reads on)."""
    u = _readable(who, upload_id)
    after = 0
    if cursor:
        if not (cursor.isascii() and cursor.isdecimal() and len(cursor) <= 5):
            raise _bad("cursor", "cursor: one this upload gave out", "invalid_cursor")
        after = int(cursor)
    found = uploads.chunks(upload_id, after=after, limit=RESULT_CHUNKS)
    results = [r for _, chunk in found for r in chunk]
    last = found[-1][0] if found else after
    more = len(found) == RESULT_CHUNKS and last < int(u.params.get("chunks", 0))
    return {"upload_id": u.upload_id, "status": u.status, "rows": u.rows, "processed": u.processed,
            "accepted": u.accepted, "rejected": u.rejected, "duplicates": u.duplicates, "mode": u.params.get("mode"),
            "campaign_id": u.params.get("campaign_id"), "list_id": u.params.get("list_id"),
            "created_at": u.created_at, "updated_at": u.updated_at, "failure_reason": u.failure_reason,
            "results": results, "next_cursor": str(last) if more else None}


def rejected_csv(who: Uploader | Agent, upload_id: str) -> str:
    """The rejected rows as CSV (row, field, reason, then the row's own cells) to fix and upload
    again; every cell neutralised against spreadsheet formulas."""
    u = _readable(who, upload_id)
    rejected = {}
    after = 0
    while True:
        found = uploads.chunks(upload_id, after=after, limit=10)
        for _, chunk in found:
            rejected.update({r["row"]: r for r in chunk if r.get("status") == "rejected"})
        if len(found) < 10:
            break
        after = found[-1][0]
    columns = list(u.params.get("columns") or csvfile.COLUMNS)
    cells: dict[int, dict[str, str]] = {}
    if rejected:
        text = csvfile.decode(aws.get_upload_file(str(u.params["file_key"])))
        cells = {r.number: r.values for r in csvfile.rows(text, min(rejected), max(rejected)) if r.number in rejected}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["row", "field", "reason", *columns])
    for number in sorted(rejected):
        r = rejected[number]
        w.writerow([number, *(csvfile.safe_cell(v) for v in (r.get("field"), r.get("reason"))),
                    *(csvfile.safe_cell(cells.get(number, {}).get(c, "")) for c in columns)])
    return out.getvalue()
