"""Bulk upload (issue 11): POST /v1/leads/bulk through the ingest handler, the chunks through
the real SQS worker handler, GET /v1/uploads/{id}; DynamoDB Local, moto's S3 and SQS."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, sqs_event, vendor_authorizer

pytestmark = pytest.mark.stack
HEADER = "phone,first_name,last_name,email,state,loan_amount,vendor_lead_id,assign_to_email"


@pytest.fixture(scope="module")
def ingest(aws_env):
    return load_handler("functions/ingest/app.py")


@pytest.fixture(scope="module")
def worker(aws_env):
    return load_handler("functions/ingest/uploads.py")


@pytest.fixture
def floor(new_org):
    org = new_org(3)
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    return org


def upload(ingest, org, text, *, mode="fresh", campaign="waves", list_id=None, who="mgr", content_type="text/csv",
           raw=None):
    q = {"campaign_id": campaign, "mode": mode, **({"list_id": list_id} if list_id else {})}
    auth = vendor_authorizer(org, "v1") if who == "vendor" else cognito_authorizer(f"{who}@{org}.test", org)
    ev = api_event("POST", "/v1/leads/bulk", raw_body=raw if raw is not None else text, query=q,
                   headers={"Content-Type": content_type}, authorizer=auth)
    res = ingest.handler(ev, Context("ingest"))
    return res["statusCode"], json.loads(res["body"])


def drain(worker, aws_env) -> int:
    """Deliver every queued chunk to the worker, as Lambda's SQS poller would."""
    sqs = boto3.client("sqs")
    url = aws_env.env["UPLOAD_QUEUE_URL"]
    n = 0
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return n
        for m in got:
            answer = worker.handler(sqs_event([m["Body"]]), Context("upload"))
            assert not answer.get("batchItemFailures"), answer
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            n += 1


def status(ingest, org, upload_id, who="mgr", cursor=None, path_suffix=""):
    auth = vendor_authorizer(org, "v1") if who == "vendor" else cognito_authorizer(f"{who}@{org}.test", org)
    ev = api_event("GET", f"/v1/uploads/{upload_id}{path_suffix}", query={"cursor": cursor} if cursor else None,
                   authorizer=auth)
    res = ingest.handler(ev, Context("ingest"))
    body = res["body"]
    kind = (res.get("multiValueHeaders") or {}).get("Content-Type", [""])[0]
    return res["statusCode"], (body if kind.startswith("text/csv") else json.loads(body))


def test_a_file_is_checked_queued_in_chunks_and_each_row_reported(ingest, worker, floor, aws_env):
    text = "\ufeff" + HEADER + "\r\n" + "\r\n".join([
        '4155550101,Ann,"Lee, Jr.",ann@example.com,CA,250000,L1,',
        "4155550102,Bob,Ray,not-an-email,TX,100000,L2,",
        "12,Cy,@SUM(1+1),,NY,,L3,",
        "",  # a blank line is skipped, not numbered
        '4155550104,"=HYPERLINK(""http://evil"")",Smith,,WA,,L4,',
    ]) + "\r\n"
    code, body = upload(ingest, floor, text, mode="fresh")
    assert code == 202 and body["status"] == "queued" and body["rows"] == 4
    assert drain(worker, aws_env) == 1
    code, got = status(ingest, floor, body["upload_id"])
    assert code == 200 and (got["status"], got["rows"], got["processed"], got["accepted"], got["rejected"]) == (
        "done", 4, 4, 2, 2)
    by_row = {r["row"]: r for r in got["results"]}
    assert by_row[2]["status"] == "accepted" and by_row[2]["lead_status"] == "unassigned"
    assert (by_row[3]["status"], by_row[3]["field"]) == ("rejected", "email")
    assert (by_row[4]["status"], by_row[4]["field"]) == ("rejected", "phone")
    from leadwave.store import leads

    evil = leads.get(by_row[5]["prospect_id"])
    assert evil.first_name == '=HYPERLINK("http://evil")'  # stored as text
    assert leads.get(by_row[2]["prospect_id"]).last_name == "Lee, Jr."
    code, csv_text = status(ingest, floor, body["upload_id"], path_suffix="/rejected")
    assert code == 200 and csv_text.splitlines()[0].startswith("row,field,reason,phone")
    assert "3,email," in csv_text and "4,phone," in csv_text
    assert ",'@SUM(1+1)," in csv_text  # neutralised: a spreadsheet shows it as text


def test_the_same_file_again_creates_no_duplicate_leads(ingest, worker, floor, aws_env):
    text = HEADER + "\n4155550111,A,B,,,,,\n4155550112,C,D,,,,,\n"
    _, first = upload(ingest, floor, text)
    drain(worker, aws_env)
    code, again = upload(ingest, floor, text)
    assert code == 202 and again["upload_id"] == first["upload_id"] and again["replayed"] is True
    assert drain(worker, aws_env) == 0
    _, other_mode = upload(ingest, floor, text, mode="distribute")  # another upload of the same rows
    drain(worker, aws_env)
    _, a = status(ingest, floor, first["upload_id"])
    _, b = status(ingest, floor, other_mode["upload_id"])
    assert sorted(r["prospect_id"] for r in a["results"]) == sorted(r["prospect_id"] for r in b["results"])
    # a chunk delivered twice records and stores nothing twice
    worker.handler(sqs_event([json.dumps({"upload_id": first["upload_id"], "org_id": floor, "chunk": 1,
                                          "first": 2, "last": 501})]), Context("upload"))
    _, a2 = status(ingest, floor, first["upload_id"])
    assert (a2["processed"], a2["accepted"]) == (2, 2)


def test_assign_mode_gives_rows_to_the_named_agents_and_refuses_unknown_ones(ingest, worker, floor, aws_env):
    text = HEADER + f"\n4155550121,A,B,,,,,ag02@{floor}.test\n4155550122,C,D,,,,,nobody@x.test\n"
    code, body = upload(ingest, floor, text, mode="assign")
    drain(worker, aws_env)
    _, got = status(ingest, floor, body["upload_id"])
    by_row = {r["row"]: r for r in got["results"]}
    from leadwave.store import leads

    p = leads.get(by_row[2]["prospect_id"])
    assert (p.status.value, p.agent_id, p.assigned_by) == ("assigned", "ag02", "manager:mgr")
    assert (by_row[3]["status"], by_row[3]["field"]) == ("rejected", "assign_to_email")
    code, err = upload(ingest, floor, "phone\n4155550123\n", mode="assign")
    assert code == 400 and err["code"] == "missing_column" and "assign_to_email" in err["message"]
    code, err = upload(ingest, floor, text, mode="assign", who="vendor")
    assert code == 403 and err["code"] == "permission_required"


def test_list_mode_stores_the_rows_and_queues_them_on_the_list(ingest, worker, floor, aws_env):
    from leadwave.models import WorkList
    from leadwave.store import directory
    from leadwave.store import worklists as store

    list_id = f"wl_{floor}"  # list ids are unique (the list's counters are keyed by it)
    directory.save(WorkList(org_id=floor, list_id=list_id, name="Calls", agent_ids=["ag01"]))
    text = HEADER + "\n4155550131,A,B,,,,,\n4155550132,C,D,,,,,\n"
    code, body = upload(ingest, floor, text, mode="list", list_id=list_id)
    assert code == 202
    drain(worker, aws_env)
    _, got = status(ingest, floor, body["upload_id"])
    ids = [r["prospect_id"] for r in sorted(got["results"], key=lambda r: r["row"])]
    assert [e.pk.removeprefix("LEAD#") for e in store.entries_in(floor, list_id)] == ids
    assert store.counts(list_id)["total"] == 2
    drain(worker, aws_env)
    worker.handler(sqs_event([json.dumps({"upload_id": body["upload_id"], "org_id": floor, "chunk": 1, "first": 2,
                                          "last": 501})]), Context("upload"))
    assert store.counts(list_id)["total"] == 2  # a chunk delivered again adds nobody twice


def test_distribute_mode_sends_rows_through_the_campaign(ingest, worker, floor, aws_env):
    aws_env.queue_messages()
    code, body = upload(ingest, floor, HEADER + "\n4155550141,A,B,,,,,\n", mode="distribute", campaign="waves")
    drain(worker, aws_env)
    _, got = status(ingest, floor, body["upload_id"])
    [row] = got["results"]
    assert row["lead_status"] == "offering"
    assert [m["prospect_id"] for m in aws_env.queue_messages()] == [row["prospect_id"]]


@pytest.mark.parametrize(("text", "code", "field"), [
    ("", "empty_file", "file"),
    ("phone,first_name\n", "no_rows", "file"),
    ("first_name,last_name\nAnn,Lee\n", "missing_column", "phone"),
    ("phone,nickname\n4155550101,Al\n", "unknown_column", "nickname"),
    ('phone,first_name\n4155550101,"Ann\n', "malformed_csv", "file"),
    ("phone,phone\n1,2\n", "duplicate_column", "phone"),
])
def test_a_malformed_file_is_a_400_naming_the_problem_and_stores_nothing(ingest, floor, text, code, field):
    status_code, body = upload(ingest, floor, text)
    assert (status_code, body["code"], body["details"][0]["field"]) == (400, code, field)


def test_a_file_too_large_is_a_413_and_bad_parameters_are_400s(ingest, floor):
    from leadwave.rules.csvfile import MAX_BYTES

    big = "phone\n" + "4155550101\n" * (MAX_BYTES // 11 + 10)
    code, body = upload(ingest, floor, big)
    assert (code, body["code"]) == (413, "payload_too_large")
    assert upload(ingest, floor, "phone\n4155550101\n", content_type="application/json")[0] == 415
    assert upload(ingest, floor, "phone\n4155550101\n", mode="everything")[1]["code"] == "invalid_mode"
    assert upload(ingest, floor, "phone\n4155550101\n", campaign="nosuch")[1]["code"] == "unknown_campaign"
    assert upload(ingest, floor, "phone\n4155550101\n", mode="list", list_id="nosuch")[1]["code"] == "unknown_list"
    import base64

    ev = api_event("POST", "/v1/leads/bulk", query={"campaign_id": "waves", "mode": "fresh"},
                   headers={"Content-Type": "text/csv"}, authorizer=cognito_authorizer(f"mgr@{floor}.test", floor))
    ev.update(body=base64.b64encode("phone,first_name\n4155550101,Jos\xe9\n".encode("latin-1")).decode(),
              isBase64Encoded=True)  # a spreadsheet's "CSV" in Latin-1
    res = ingest.handler(ev, Context("ingest"))
    assert (res["statusCode"], json.loads(res["body"])["code"]) == (400, "invalid_encoding")


def test_uploads_are_read_by_their_vendor_and_the_orgs_managers_only(ingest, worker, floor, aws_env, new_org):
    code, body = upload(ingest, floor, HEADER + "\n4155550151,A,B,,,,,\n", who="vendor")
    assert code == 202
    assert status(ingest, floor, body["upload_id"], who="vendor")[0] == 200
    assert status(ingest, floor, body["upload_id"], who="mgr")[0] == 200
    assert status(ingest, floor, body["upload_id"], who="ag01")[0] == 404
    other = new_org(1)
    assert status(ingest, other, body["upload_id"], who="vendor")[0] == 404
    assert upload(ingest, floor, "phone\n4155550152\n", who="ag01")[0] == 403


def test_a_row_repeating_a_lead_of_the_org_is_attached_and_counted(ingest, worker, new_org, aws_env):
    org = new_org(2, org={"dedupe": {"fields": ["phone"]}})
    from leadwave.models import Agent, Role
    from leadwave.store import directory, leads

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    ev = api_event("POST", "/v1/leads", body={"campaign_id": "none", "phone": "4155550161"},
                   authorizer=vendor_authorizer(org, "v1"))
    first = json.loads(ingest.handler(ev, Context("ingest"))["body"])["prospect_id"]
    _, body = upload(ingest, org, HEADER + "\n4155550161,Ann,Lee,,,,,\n4155550162,Bo,Ray,,,,,\n")
    drain(worker, aws_env)
    _, got = status(ingest, org, body["upload_id"])
    by_row = {r["row"]: r for r in got["results"]}
    assert (by_row[2]["prospect_id"], by_row[2]["duplicate_of"]) == (first, first)
    assert (got["accepted"], got["duplicates"]) == (2, 1)
    assert [e.detail["source"] for e in leads.get(first).events if e.type == "touch"] == [f"upload:{body['upload_id']}"]
