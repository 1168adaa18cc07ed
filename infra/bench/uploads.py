"""Bulk upload (issue 11): ``POST /v1/leads/bulk`` with a CSV file, processed in chunks of 500
rows (one SQS message each on ``UploadQueue``, one ``UploadFunction`` invocation each, every row
through the lead path), must cost the same per row at 10,000 rows as at 500.

An org of its own (``uploads``: a manager, 2 agents, a campaign of type none; the org dedupes
on phone, the default), the manager's token from ``/local/login``. Per case, a generated file
(every column of the header set but ``assign_to_email``, distinct phones across the run):

* ``fresh`` (the main case, 500 then 10,000 rows): ``mode=fresh``, each row stored straight in
  the fresh bucket (the lead and the org's fresh counter in one transaction);
* ``distribute`` (500 rows): ``mode=distribute`` on the ``none`` campaign (a plain stored
  prospect: a PutItem, no counter).

Then for each: the POST (its own invocations: the authorizer and the ingest function; its
DynamoDB calls and units, the S3 bytes it stored, the SQS messages it sent), ``GET
/v1/uploads/{id}`` polled (tagged ``probe``, not counted) until ``done``: the wall time is
reported apart (machine-dependent, not a target). The workers are the ``UploadFunction``
invocations whose SQS message names the upload (``attribution.labels_of``; their pool threads
are counted on them, ``instrument``); the leads table's stream handler's invocations are counted
by window (nothing else runs meanwhile: every stream batch between the POST and the stream
drained after ``done``). Leads of the org are counted (a Query COUNT of the status index per
status) before and after; the same file is then posted again: the same upload answers
(``replayed``), nothing is queued, no lead is added.
"""

from __future__ import annotations

import time
from typing import Any

from infra.bench.attribution import AUTHORIZER, PROBE, STREAM, TAG_HEADER
from infra.bench.cases import Context, breakdown, handler_ms
from infra.bench.client import ScenarioFailed, expect
from infra.bench.counting import rnd
from infra.bench.instrument import Invocation, Recorder
from infra.bench.orgs import BenchOrg, _load, seed_document

ORG = "uploads"
SIZES = (500, 10_000)
CHUNK_ROWS = 500  # leadwave.rules.csvfile.CHUNK_ROWS (checked against it when the section runs)
CAMPAIGNS = {"none": {"distribution_type": "none"}}
AGENTS = 2
POLL_SECONDS = 0.25
TIMEOUT_SECONDS = 1800.0
DRAIN_SECONDS = 1800.0
WORKER = "UploadFunction"
HEADER = ("phone", "first_name", "last_name", "email", "state", "loan_purpose", "loan_amount", "vendor_lead_id")
STATES = ("IL", "CA", "TX", "NY", "FL")
PURPOSES = ("Purchase", "Refinance")
# (case, mode, sizes): fresh at every size, distribute at the smallest only
CASES = (("fresh", "fresh", None), ("distribute", "distribute", 1))


def _org(ctx: Context) -> BenchOrg:
    return ctx.orgs.get(ORG) or _load(ctx, seed_document(ORG, CAMPAIGNS), AGENTS, list(CAMPAIGNS))


def csv_file(rows: int, first: int) -> bytes:
    """``rows`` made-up leads (no real person), phones ``+1 312 <exchange> <line>`` numbered
    from ``first`` (so no two files of a run share a phone: the org dedupes on it)."""
    lines = [",".join(HEADER)]
    for i in range(first, first + rows):
        phone = f"+1312{200 + i // 10_000:03d}{i % 10_000:04d}"
        lines.append(f"{phone},Bench,Row {i},row{i}@example.com,{STATES[i % len(STATES)]},"
                     f"{PURPOSES[i % len(PURPOSES)]},{150_000 + (i % 500) * 1_000},bench-{i}")
    return ("\r\n".join(lines) + "\r\n").encode()


def lead_counts(org_id: str) -> dict[str, int]:
    """The org's leads per status (a Query COUNT of the status index each; the benchmark's reads)."""
    from leadwave.models import LeadStatus
    from leadwave.store.leads import status_key
    from leadwave.store.tables import LeadItem, bind

    bind()
    keys = {s.value: status_key(org_id, s) for s in LeadStatus}
    keys["exception_ignored"] = status_key(org_id, LeadStatus.EXCEPTION, True)
    return {name: LeadItem.by_gsi1.count(key) for name, key in keys.items()}


class _Upload:
    """One file posted by the manager and followed to ``done``."""

    def __init__(self, ctx: Context, org: BenchOrg, case: str, mode: str, size: int) -> None:
        self.ctx, self.org, self.case, self.mode, self.size = ctx, org, case, mode, size
        self.token = ctx.api.login(org.manager)
        self.params = {"campaign_id": org.campaigns["none"], "mode": mode}

    def post(self, data: bytes, tag: str) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "text/csv", TAG_HEADER: tag}
        r = self.ctx.api.http.post(f"{self.ctx.api.base}/v1/leads/bulk", params=self.params, data=data,
                                   headers=headers, timeout=120)
        try:
            body = r.json()
        except ValueError:
            body = {"text": r.text[:300]}
        return r.status_code, body

    def get(self, upload_id: str, cursor: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", TAG_HEADER: PROBE}
        r = self.ctx.api.http.get(f"{self.ctx.api.base}/v1/uploads/{upload_id}", headers=headers, timeout=60,
                                  params={"cursor": cursor} if cursor else None)
        expect(r.status_code == 200, f"uploads {self.case} {self.size:,}: GET /v1/uploads answered "
                                     f"{r.status_code}: {r.text[:200]}")
        return dict(r.json())

    def wait_done(self, upload_id: str, began: float) -> tuple[dict[str, Any], float]:
        deadline = began + TIMEOUT_SECONDS
        got: dict[str, Any] = {}
        while time.monotonic() < deadline:
            got = self.get(upload_id)
            if got["status"] in ("done", "failed"):
                return got, time.monotonic() - began
            time.sleep(POLL_SECONDS)
        raise ScenarioFailed(f"uploads {self.case} {self.size:,}: not done in {TIMEOUT_SECONDS:.0f}s: "
                             f"{ {k: got.get(k) for k in ('status', 'rows', 'processed')} }")

    def prospect_ids(self, upload_id: str) -> list[str]:
        """Every accepted row's lead, from the status pages (the benchmark's reads)."""
        out, cursor = [], None
        while True:
            page = self.get(upload_id, cursor)
            out += [str(r["prospect_id"]) for r in page["results"] if r.get("prospect_id")]
            cursor = page.get("next_cursor")
            if not cursor:
                return out


def drain(ctx: Context, seconds: float = DRAIN_SECONDS) -> float:
    """Wait for the stream handler to catch up (the stack's drain waits 10 s a call); the seconds waited."""
    began = time.monotonic()
    while True:
        try:
            ctx.drain()
            return time.monotonic() - began
        except TimeoutError:
            if time.monotonic() - began > seconds:
                raise


def _window(recorder: Recorder, start: int) -> list[Invocation]:
    with recorder._lock:
        return list(recorder.invocations[start:])


def _by_function(invocations: list[Invocation]) -> dict[str, int]:
    return {f: sum(1 for i in invocations if i.function == f) for f in sorted({i.function for i in invocations})}


def _request(invocations: list[Invocation]) -> dict[str, Any]:
    """The POST's own invocations: calls, units, S3 bytes, SQS messages sent."""
    tally = Recorder.tally(invocations)
    return {"invocations": _by_function(invocations),
            "statuses": sorted({i.outcome for i in invocations}),
            **tally.as_dict(), "payload_bytes": dict(sorted(tally.payload_bytes.items())),
            "handler_ms_machine_dependent": handler_ms(i for i in invocations if i.kind != AUTHORIZER)}


def measure(ctx: Context, org: BenchOrg, case: str, mode: str, size: int, first_row: int,
            progress: Any) -> dict[str, Any]:
    u = _Upload(ctx, org, case, mode, size)
    data = csv_file(size, first_row)
    recorder = ctx.recorder
    with recorder.bench():
        before = lead_counts(org.org_id)
    tag = f"uploads:{case}:{size}:post"
    start = len(recorder.invocations)
    began = time.monotonic()
    status, answer = u.post(data, tag)
    expect(status == 202, f"uploads {case} {size:,}: POST /v1/leads/bulk answered {status}: {answer}")
    upload_id = str(answer["upload_id"])
    progress(f"  {case} {size:,} rows: upload {upload_id} queued; waiting for done")
    done, wall = u.wait_done(upload_id, began)
    stream_lag = drain(ctx)  # the stream handler's batches of the rows just written
    time.sleep(1.0)
    window = [i for i in _window(recorder, start) if PROBE not in i.labels]
    request = [i for i in window if tag in i.labels]
    workers = [i for i in window if i.function == WORKER and upload_id in i.labels]
    streams = [i for i in window if i.kind == STREAM]
    counted = {id(i) for i in (*request, *workers, *streams)}
    others = [i for i in window if id(i) not in counted]
    with recorder.bench():
        after = lead_counts(org.org_id)
    pids = u.prospect_ids(upload_id)
    new_leads = sum(after.values()) - sum(before.values())

    # the same file again: the same upload, nothing queued, no lead added
    again_tag = f"uploads:{case}:{size}:again"
    again_start = len(recorder.invocations)
    again_status, again_answer = u.post(data, again_tag)
    time.sleep(2.0)  # long enough for a queued chunk to be picked up, if one were queued
    drain(ctx)
    again_window = [i for i in _window(recorder, again_start) if PROBE not in i.labels]
    again_request = [i for i in again_window if again_tag in i.labels]
    with recorder.bench():
        again_after = lead_counts(org.org_id)

    worker_tally = Recorder.tally(workers)
    async_all = workers + streams
    per_row = breakdown(async_all, size)
    chunks = -(-size // CHUNK_ROWS)
    sent = Recorder.tally(request).calls
    return {
        "mode": mode, "rows": size, "upload_id": upload_id, "file_bytes": len(data),
        "status": done["status"], "rows_reported": done["rows"], "processed": done["processed"],
        "accepted": done["accepted"], "rejected": done["rejected"], "duplicates": done["duplicates"],
        "chunks_expected": chunks, "prospect_ids_in_results": len(pids), "distinct_prospect_ids": len(set(pids)),
        "leads_before": before, "leads_after": after, "new_leads": new_leads,
        "wall_seconds_machine_dependent": rnd(wall, 2),
        "rows_per_second_machine_dependent": rnd(size / wall, 1) if wall else None,
        "stream_drained_after_done_seconds_machine_dependent": rnd(stream_lag, 1),
        "request": _request(request),
        "sqs_send_calls_by_request": {f"{s}:{op}": n for (s, op), n in sorted(sent.items()) if s == "sqs"},
        "worker_invocations": len(workers), "worker_outcomes": sorted({i.outcome for i in workers}),
        "worker_handler_ms_machine_dependent": handler_ms(workers),
        "stream_invocations": len(streams),
        "other_invocations": _by_function(others),
        "per_row": {
            "worker_write_units": rnd(worker_tally.billed_write_units / size, 4),
            "worker_read_units": rnd(worker_tally.read_units / size, 4),
            "worker_dynamodb_calls": rnd(worker_tally.count("dynamodb") / size, 4),
            "worker_write_units_by_item": {k: rnd(v / size, 4) for k, v in sorted(
                worker_tally.write_units_by_item.items())},
            "worker_failed_conditional_writes": rnd(worker_tally.failed_writes / size, 4),
            "worker_s3_bytes_read": rnd(worker_tally.payload_bytes.get("s3:GetObject", 0) / size, 1),
            "sqs_messages": rnd(len(workers) / size, 6),
            "lambda_invocations": rnd((len(request) + len(workers) + len(streams)) / size, 6),
            "lambda_invocations_billable": rnd((len([i for i in request if i.kind != AUTHORIZER]) + len(workers)
                                                + len(streams)) / size, 6),
            "stream_write_units": rnd(Recorder.tally(streams).billed_write_units / size, 4),
            "stream_read_units": rnd(Recorder.tally(streams).read_units / size, 4),
        },
        "async_by_handler_per_row": per_row,
        "again": {"status": again_status, "same_upload": again_answer.get("upload_id") == upload_id,
                  "replayed": bool(again_answer.get("replayed")), "answer_status": again_answer.get("status"),
                  "request": _request(again_request),
                  "worker_invocations": sum(1 for i in again_window if i.function == WORKER),
                  "new_leads": sum(again_after.values()) - sum(after.values())},
    }


def run(ctx: Context, sizes: tuple[int, ...] = SIZES, progress: Any = print) -> dict[str, Any]:
    from leadwave.rules import csvfile

    expect(csvfile.CHUNK_ROWS == CHUNK_ROWS, f"uploads: chunks of {csvfile.CHUNK_ROWS} rows now, "
                                              f"update infra/bench/uploads.CHUNK_ROWS")
    org = _org(ctx)
    sizes = tuple(sorted(sizes))
    cases: dict[str, dict[str, Any]] = {}
    first_row = 0
    for case, mode, only in CASES:
        for size in sizes[:only] if only else sizes:
            cases.setdefault(case, {})[str(size)] = measure(ctx, org, case, mode, size, first_row, progress)
            first_row += size
            f = cases[case][str(size)]
            progress(f"  {case} {size:,} rows: {f['status']} in {f['wall_seconds_machine_dependent']}s, "
                     f"{f['per_row']['worker_write_units']} WRU/row")
    return {"title": "Bulk upload: POST /v1/leads/bulk, chunks of 500 rows through UploadFunction (" +
            " vs ".join(f"{n:,}" for n in sizes) + " rows)", "org": ORG, "chunk_rows": CHUNK_ROWS,
            "smallest": str(sizes[0]), "largest": str(sizes[-1]), "cases": cases}
