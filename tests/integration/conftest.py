"""Handlers in-process against DynamoDB Local (tables from template.yaml) and a moto server
standing in for SQS and Step Functions."""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.events import ROOT

ASL = ROOT / "infra" / "statemachines" / "distribution.asl.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's configuration is per process: a local-stack test earlier in the run may have told it
    # to execute state machines. Here executions only record that they were started.
    import requests

    requests.post(f"http://127.0.0.1:{port}/moto-api/config",
                  json={"stepfunctions": {"execute_state_machine": False}}, timeout=10).raise_for_status()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class AwsEnv:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")

    def queue_messages(self) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        out = []
        while True:
            got = sqs.receive_message(QueueUrl=self.env["DISTRIBUTION_QUEUE_URL"], MaxNumberOfMessages=10,
                                      WaitTimeSeconds=0).get("Messages", [])
            if not got:
                return out
            for m in got:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.env["DISTRIBUTION_QUEUE_URL"], ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture(scope="session")
def aws_env(ddb_local: Any, moto_endpoint: str) -> Iterator[AwsEnv]:
    saved = dict(os.environ)
    os.environ.update(ddb_local.env)
    os.environ.update({
        "AWS_ENDPOINT_URL_SQS": moto_endpoint, "AWS_ENDPOINT_URL_SFN": moto_endpoint,
        "AWS_ENDPOINT_URL_SSM": moto_endpoint, "AWS_ENDPOINT_URL_S3": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "KEY_PEPPER": "test-pepper",
        "TWILIO_AUTH_TOKEN": "test-twilio-token", "PUBLIC_BASE_URL": "https://hooks.example.com",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "POWERTOOLS_LOG_LEVEL": "INFO",
    })
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName=f"dist-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    definition = Path(ASL).read_text().replace(
        "${WaveTaskFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:wave-task")
    machine = sfn.create_state_machine(name=f"dist-{uuid.uuid4().hex[:8]}", definition=definition,
                                       roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
    upload_queue = sqs.create_queue(QueueName=f"up-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    bucket = f"uploads-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    os.environ.update({"DISTRIBUTION_QUEUE_URL": queue_url, "STATE_MACHINE_ARN": machine,
                       "UPLOAD_QUEUE_URL": upload_queue, "UPLOADS_BUCKET": bucket})
    _reset_caches()
    from infra.seed import load_seed

    load_seed()
    yield AwsEnv(dict(os.environ))
    os.environ.clear()
    os.environ.update(saved)
    _reset_caches()


def _reset_caches() -> None:
    from leadwave import config
    from leadwave.services import ingest
    from leadwave.store import aws

    config.reset()
    from leadwave.store import tables

    tables.unbind()
    aws.client.cache_clear()
    ingest._idempotent_accept.cache_clear()


@pytest.fixture
def new_org(aws_env: AwsEnv):
    """A fresh org with ``n`` agents and one campaign per type; returns its id."""
    from leadwave import clock
    from leadwave.models import Agent, Campaign, Org, Role, Vendor
    from leadwave.rules.keys import hash_key
    from leadwave.store import directory

    def make(n_agents: int = 3, *, org: dict[str, Any] | None = None, manager: bool = False, **campaign: Any) -> str:
        """``manager``: also ``boss@<org>.test``, a manager (takes no leads)."""
        org_id = "org" + uuid.uuid4().hex[:10]
        # duplicates on arrival are off unless a test turns them on: the distribution tests post one borrower often
        directory.save(Org.model_validate({"org_id": org_id, "name": "Test org", "dedupe": None, **(org or {})}))
        for i in range(1, n_agents + 1):
            directory.save(Agent(org_id=org_id, agent_id=f"ag{i:02d}", email=f"ag{i:02d}@{org_id}.test",
                                 work_phone=f"+1415555{i:04d}"))
        for dtype in ("none", "direct", "round_robin", "distribute_all", "waves", "ring_all"):
            directory.save(Campaign.model_validate({"org_id": org_id, "campaign_id": dtype, "name": dtype,
                                                    "distribution_type": dtype, **campaign}))
        directory.save(Vendor(org_id=org_id, vendor_id="v1", name="Vendor", key_hash=hash_key(f"key-{org_id}",
                              "test-pepper"), key_prefix="key-", created_at=clock.iso(clock.now())))
        if manager:
            directory.save(Agent(org_id=org_id, agent_id="boss", email=f"boss@{org_id}.test", roles=[Role.MANAGER]))
        return org_id

    return make



class StreamSettler:
    """What the leads table's stream does after a request (closing offers, moving the agent's
    times), run on demand: each call feeds the records written since the last one to the real
    stream handler, as Lambda's DynamoDB event source mapping would."""

    def __init__(self, endpoint: str, table: str) -> None:
        self.ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name="us-east-1")
        self.table = table
        self.after: dict[str, str] = {}
        self.handler: Any = None
        self._read(deliver=False)  # start from now

    def _read(self, deliver: bool) -> int:
        arn = self.ddb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        delivered = 0
        for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            sid = shard["ShardId"]
            kind = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.after[sid]} \
                if sid in self.after else {"ShardIteratorType": "TRIM_HORIZON"}
            iterator = self.streams.get_shard_iterator(StreamArn=arn, ShardId=sid, **kind)["ShardIterator"]
            while iterator:
                got = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                records = got.get("Records", [])
                if not records:
                    break
                self.after[sid] = records[-1]["dynamodb"]["SequenceNumber"]
                if deliver:
                    delivered += self._deliver(records, arn)
                iterator = got.get("NextShardIterator")
        return delivered

    def _deliver(self, records: list[dict[str, Any]], arn: str) -> int:
        from tests.events import Context, load_handler

        if self.handler is None:
            self.handler = load_handler("functions/distribute/stream.py")
        for r in records:
            r["dynamodb"].pop("ApproximateCreationDateTime", None)
            r.update({"eventSourceARN": arn, "awsRegion": "us-east-1"})
        answer = self.handler.handler({"Records": records}, Context("lead-stream"))
        assert not answer.get("batchItemFailures"), answer
        return len(records)

    def __call__(self) -> int:
        """Deliver what was written since the last call; returns the number of records."""
        return self._read(deliver=True)


@pytest.fixture
def settle(aws_env: AwsEnv) -> StreamSettler:
    return StreamSettler(aws_env.env["AWS_ENDPOINT_URL_DYNAMODB"], aws_env.env["LEADS_TABLE"])
