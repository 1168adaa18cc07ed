"""The report's section for the bulk upload (issue 11): per file, what the POST did and what the
file cost per row in the workers, the stream handler, SQS and Lambda."""

from __future__ import annotations

from typing import Any

from infra.bench.report_flows import Section
from infra.bench.tables import num, table

FILE_COLUMNS = ["case", "rows", "status", "processed", "new leads", "again: new leads", "again: chunks",
                "POST DDB calls", "POST RRU", "POST WRU", "S3 bytes in", "SQS messages", "wall s", "rows/s"]
ROW_COLUMNS = ["case", "rows", "worker WRU", "worker RRU", "worker DDB calls", "SQS msgs", "Lambda inv.",
               "stream WRU", "stream RRU", "S3 bytes read"]


def _cases(u: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(case, size, f) for case, by_size in u["cases"].items()
            for size, f in sorted(by_size.items(), key=lambda kv: int(kv[0]))]


def _file_row(case: str, size: str, f: dict[str, Any]) -> list[Any]:
    req, again = f["request"], f["again"]
    return [case, int(size), f["status"], f["processed"], f["new_leads"], again["new_leads"],
            again["worker_invocations"], req["dynamodb_calls"], req["read_units"], req["write_units"],
            req["payload_bytes"].get("s3:PutObject", 0), f["worker_invocations"],
            f["wall_seconds_machine_dependent"], f["rows_per_second_machine_dependent"]]


def _row_row(case: str, size: str, f: dict[str, Any]) -> list[Any]:
    p = f["per_row"]
    return [case, int(size), p["worker_write_units"], p["worker_read_units"], p["worker_dynamodb_calls"],
            p["sqs_messages"], p["lambda_invocations"], p["stream_write_units"], p["stream_read_units"],
            p["worker_s3_bytes_read"]]


def uploads(r: dict[str, Any]) -> Section:
    u = r["uploads"]
    found = _cases(u)
    largest = next((f for case, size, f in found if case == "fresh" and size == u["largest"]), found[-1][2])
    by_item = ", ".join(f"{k} {num(v)}" for k, v in largest["per_row"]["worker_write_units_by_item"].items())
    handlers = ", ".join(f"{name.removesuffix('Function')} {num(h['invocations'])} inv. / {num(h['dynamodb_calls'])} "
                         f"calls" for name, h in largest["async_by_handler_per_row"].items() if name != "total")
    post = largest["request"]
    lag = ", ".join(f"{case} {int(size):,}: {f['stream_drained_after_done_seconds_machine_dependent']}s"
                    for case, size, f in found)
    return (f"{u['title']}: org '{u['org']}' (dedupes on phone), a manager's token, the none campaign", [
        "   per file (again = the same file posted once more: the same upload answers, nothing queued; wall = "
        "POST to status done, MACHINE-DEPENDENT, not a target)",
        table(FILE_COLUMNS, [_file_row(*c) for c in found]), "",
        "   per row (workers = UploadFunction, one invocation per SQS message of 500 rows, its pool threads "
        "included; stream = LeadStreamFunction's batches of the rows' changes; Lambda inv. = the POST's "
        "authorizer + ingest, workers and stream batches)",
        table(ROW_COLUMNS, [_row_row(*c) for c in found]),
        f"   worker write units per row by item, fresh {int(u['largest']):,}: {by_item or '-'}",
        f"   asynchronous handlers per row, fresh {int(u['largest']):,}: {handlers or '-'}",
        f"   the POST at {int(u['largest']):,} rows: {', '.join(f'{k} {v}' for k, v in post['invocations'].items())};"
        f" DynamoDB {', '.join(f'{k} {num(v)}' for k, v in post['dynamodb_by_operation'].items())}; "
        f"{', '.join(f'{k} {num(v)}' for k, v in post['other_calls'].items())}; bytes "
        f"{', '.join(f'{k} {v:,}' for k, v in post['payload_bytes'].items())}; handler "
        f"{post['handler_ms_machine_dependent']['p50']} ms",
        f"   stream handler caught up after done (MACHINE-DEPENDENT): {lag}"])
