"""Create the template's resources locally and compute the handlers' environment.

Tables go to DynamoDB Local; queues, Lambda functions (so ARNs resolve), the state machine,
S3 buckets and the SSM parameters holding local secrets go to moto's server.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.dynamodb_local import dynamodb_client
from infra.local.settings import ACCOUNT_ID, DUMMY_CREDENTIALS, HOST, PARTITION, REGION, STACK_NAME, Settings
from infra.local.template import Resolver, Template

LOG = logging.getLogger(__name__)
ROLE_NAME = f"{STACK_NAME}-lambda"
ROLE_ARN = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{ROLE_NAME}"
MOTO_SERVICES = ("SQS", "SFN", "S3", "LAMBDA", "SSM", "EVENTBRIDGE")
_SQS_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
                   "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "FifoQueue",
                   "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "LocalSecondaryIndexes")


def pseudo_parameters(stack_name: str = STACK_NAME) -> dict[str, str]:
    return {
        "AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": PARTITION,
        "AWS::StackName": stack_name, "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack_name}/local",
    }


def physical_name(logical_id: str, stack_name: str = STACK_NAME, prefix: str = "") -> str:
    return f"{prefix}{stack_name}-{logical_id}"


def local_api_id(logical_id: str) -> str:
    """``!Ref`` of a WebSocket API locally (an API Gateway id is 10 lower-case characters)."""
    return f"local{logical_id.lower()[:5]}"


def socket_endpoint(port: int) -> str:
    """``!GetAtt Api.ApiEndpoint`` of the WebSocket API the gateway serves on ``port``
    (``wss://{id}.execute-api.{region}.amazonaws.com`` in AWS); its stages are below it."""
    return f"ws://{HOST}:{port}/ws"


@dataclass
class LocalResources:
    """What was created: physical values per logical id, and the handlers' environment."""

    physical: dict[str, dict[str, Any]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    function_names: dict[str, str] = field(default_factory=dict)  # logical id -> name

    def attr(self, logical_id: str, attribute: str = "Ref") -> Any:
        return self.physical[logical_id][attribute]


def _placeholder(logical_id: str, attribute: str) -> str:
    """Resources without a local counterpart (user pool, CDN...) get a stable placeholder."""
    LOG.debug("no local resource for %s.%s: using a placeholder", logical_id, attribute)
    base = physical_name(logical_id)
    return base if attribute == "Ref" else f"{base}-{attribute}"


def _table_spec(name: str, props: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"TableName": name, "BillingMode": "PAY_PER_REQUEST"}
    spec.update({k: props[k] for k in _TABLE_KEYS if props.get(k)})
    if props.get("GlobalSecondaryIndexes"):
        spec["GlobalSecondaryIndexes"] = [
            {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    for lsi in spec.get("LocalSecondaryIndexes", []):
        lsi.pop("ProvisionedThroughput", None)
    stream = stream_specification(props)
    if stream:
        spec["StreamSpecification"] = stream
    return spec


def stream_specification(props: dict[str, Any]) -> dict[str, Any] | None:
    """CreateTable's StreamSpecification from CloudFormation's (which has no ``StreamEnabled``:
    a StreamSpecification with a StreamViewType is an enabled stream)."""
    view = (props.get("StreamSpecification") or {}).get("StreamViewType")
    return {"StreamEnabled": True, "StreamViewType": str(view)} if view else None


def _ensure_stream(client: Any, name: str, props: dict[str, Any]) -> None:
    """A kept table (``LEADWAVE_PERSIST``) gets the template's stream if it has another or none."""
    wanted = stream_specification(props)
    current = client.describe_table(TableName=name)["Table"].get("StreamSpecification") or {}
    have = current.get("StreamViewType") if current.get("StreamEnabled") else None
    if (wanted or {}).get("StreamViewType") == have:
        return
    if have:  # DynamoDB changes a view type only through a disabled stream
        client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    if wanted:
        client.update_table(TableName=name, StreamSpecification=wanted)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    LOG.info("%s: stream %s -> %s", name, have, (wanted or {}).get("StreamViewType"))


def create_tables(template: Template, dynamodb_endpoint: str, *, prefix: str = "",
                  recreate: bool = False, stack_name: str = STACK_NAME) -> dict[str, str]:
    """Create the template's tables in DynamoDB Local; returns logical id -> table name.

    Existing tables are kept (their data too) unless ``recreate``.
    """
    if not template.tables():
        return {}
    client = dynamodb_client(dynamodb_endpoint, timeout=30.0)
    resolver = template.resolver({}, pseudo_parameters(stack_name), fallback=_placeholder)
    existing = set(client.get_paginator("list_tables").paginate().build_full_result()["TableNames"])
    names = {}
    for logical_id, raw in template.tables().items():
        props = resolver.resolve(raw)
        name = str(props.get("TableName") or physical_name(logical_id, stack_name, prefix))
        names[logical_id] = name
        if name in existing and recreate:
            client.delete_table(TableName=name)
            client.get_waiter("table_not_exists").wait(TableName=name)
        elif name in existing:
            _ensure_stream(client, name, props)
            continue
        client.create_table(**_table_spec(name, props))
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):  # accepted, never enforced locally (decide by timestamps)
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return names


def table_env(template: Template, table_names: dict[str, str]) -> dict[str, str]:
    """The Globals environment variables that name a table, resolved to ``table_names``."""
    return {key: table_names[expr["Ref"]] for key, expr in template.global_env().items()
            if isinstance(expr, dict) and expr.get("Ref") in table_names}


def _tiny_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("placeholder.py", "# the local stack runs the real handler in-process\n")
    return buf.getvalue()


def moto_client(service: str, endpoint: str):
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 2}, read_timeout=60),
    )


class _Builder:
    def __init__(self, template: Template, settings: Settings, moto_endpoint: str,
                 dynamodb_endpoint: str, parameters: dict[str, Any] | None) -> None:
        self.template = template
        self.settings = settings
        self.moto = moto_endpoint
        self.dynamodb = dynamodb_endpoint
        self.out = LocalResources()
        self.resolver: Resolver = template.resolver(
            self.out.physical, pseudo_parameters(), parameters, fallback=_placeholder)

    def build(self) -> LocalResources:
        names = create_tables(self.template, self.dynamodb)  # a persisted database keeps its data
        ddb = dynamodb_client(self.dynamodb)
        for logical_id, name in names.items():
            table = ddb.describe_table(TableName=name)["Table"]
            self.out.physical[logical_id] = {"Ref": name, "Arn": table["TableArn"],
                                             "StreamArn": table.get("LatestStreamArn", "")}
        self._queues()
        self._event_buses()
        self._socket_apis()
        self._functions()
        self._buckets()
        self._state_machines()
        self._environment()
        return self.out

    def _queues(self) -> None:
        sqs = moto_client("sqs", self.moto)
        queues = self.template.queues()
        for logical_id, props in queues.items():
            name = self.resolver.resolve(props.get("QueueName")) or physical_name(logical_id)
            if props.get("FifoQueue") and not name.endswith(".fifo"):
                name += ".fifo"
            attrs = {k: _sqs_str(props[k]) for k in _SQS_ATTRIBUTES if k in props}
            url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.out.physical[logical_id] = {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}
        for logical_id, props in queues.items():  # after every queue exists, so DLQ ARNs resolve
            policies = {k: props[k] for k in ("RedrivePolicy", "RedriveAllowPolicy") if k in props}
            if policies:
                attrs = {k: json.dumps(self.resolver.resolve(v)) for k, v in policies.items()}
                sqs.set_queue_attributes(QueueUrl=self.out.attr(logical_id), Attributes=attrs)

    def _event_buses(self) -> None:
        """EventBridge buses and their rules' SQS targets, in moto's EventBridge, which puts a
        matching event on the target queue as AWS does (issue 14: the webhook fan-out's queue)."""
        events = moto_client("events", self.moto)
        for logical_id, res in self.template.of_type("AWS::Events::EventBus").items():
            name = str(self.resolver.resolve((res.get("Properties") or {}).get("Name")) or physical_name(logical_id))
            try:
                arn = events.create_event_bus(Name=name)["EventBusArn"]
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
                arn = events.describe_event_bus(Name=name)["Arn"]
            self.out.physical[logical_id] = {"Ref": name, "Arn": arn, "Name": name}
        for logical_id, res in self.template.of_type("AWS::Events::Rule").items():
            props = self.resolver.resolve(res.get("Properties") or {})
            bus = props.get("EventBusName", "default")
            name = physical_name(logical_id)
            arn = events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(props["EventPattern"]),
                                  State=props.get("State", "ENABLED"))["RuleArn"]
            targets = [{"Id": t["Id"], "Arn": t["Arn"]} for t in props.get("Targets") or []]
            if targets:
                events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
            self.out.physical[logical_id] = {"Ref": name, "Arn": arn}

    def _socket_apis(self) -> None:
        """WebSocket APIs are served by the gateway itself (``infra/local/websocket.py``)."""
        for logical_id in self.template.websocket_apis():
            self.out.physical[logical_id] = {"Ref": local_api_id(logical_id), "ApiId": local_api_id(logical_id),
                                             "ApiEndpoint": socket_endpoint(self.settings.port)}

    def _functions(self) -> None:
        iam = moto_client("iam", self.moto)
        try:
            iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}))
        except ClientError as err:
            if err.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
        lam = moto_client("lambda", self.moto)
        code = _tiny_zip()
        for logical_id, fn in self.template.functions().items():
            props = self.template.resources[logical_id].get("Properties") or {}
            name = str(self.resolver.resolve(props.get("FunctionName")) or physical_name(logical_id))[:64]
            arn = lam.create_function(
                FunctionName=name, Runtime=fn.runtime, Role=ROLE_ARN, Handler=fn.handler,
                Code={"ZipFile": code}, Timeout=fn.timeout, MemorySize=fn.memory,
            )["FunctionArn"]
            self.out.physical[logical_id] = {"Ref": name, "Arn": arn}
            self.out.function_names[logical_id] = name

    def _buckets(self) -> None:
        s3 = moto_client("s3", self.moto)
        for logical_id, res in self.template.of_type("AWS::S3::Bucket").items():
            props = res.get("Properties") or {}
            name = str(self.resolver.resolve(props.get("BucketName")) or physical_name(logical_id)).lower()
            s3.create_bucket(Bucket=name)
            self.out.physical[logical_id] = {
                "Ref": name, "Arn": f"arn:{PARTITION}:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
            }

    def _state_machines(self) -> None:
        sfn = moto_client("stepfunctions", self.moto)
        for logical_id, sm in self.template.state_machines().items():
            name = str(self.resolver.resolve(sm.name) if sm.name else physical_name(logical_id))
            if sm.definition_uri is not None:
                definition = sm.definition_uri.read_text(encoding="utf-8")
            else:
                definition = json.dumps(self.resolver.resolve(sm.definition))
            subs = {k: str(self.resolver.resolve(v)) for k, v in sm.substitutions.items()}
            for key, value in subs.items():
                definition = definition.replace("${" + key + "}", value)
            arn = sfn.create_state_machine(
                name=name, definition=definition, type=sm.type,
                roleArn=f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{STACK_NAME}-states",
            )["stateMachineArn"]
            self.out.physical[logical_id] = {"Ref": arn, "Arn": arn, "Name": name}

    def _environment(self) -> None:
        env: dict[str, str] = {}
        for fn in self.template.functions().values():
            for key, expr in fn.environment.items():
                value = str(self.resolver.resolve(expr))
                if key in env and env[key] != value:  # one process: one value per variable
                    LOG.warning("%s differs between functions; using %r", key, env[key])
                    continue
                env[key] = value
        env.update(DUMMY_CREDENTIALS)
        env.update({f"AWS_ENDPOINT_URL_{service}": self.moto for service in MOTO_SERVICES})
        env.update({
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
            "KEY_PEPPER": self.settings.key_pepper, "TWILIO_AUTH_TOKEN": self.settings.twilio_auth_token,
            "LEADWAVE_LOCAL": "1", "LEADWAVE_LOCAL_JWT_SECRET": self.settings.jwt_secret,
        })
        self._secrets_in_ssm(env)
        self.out.env = env

    def _secrets_in_ssm(self, env: dict[str, str]) -> None:
        """``X_PARAMETER=/ssm/name`` with a local setting ``X`` is stored in moto's SSM too."""
        ssm = moto_client("ssm", self.moto)
        for key, name in env.items():
            secret = env.get(key.removesuffix("_PARAMETER"))
            if key.endswith("_PARAMETER") and name.startswith("/") and secret:
                ssm.put_parameter(Name=name, Value=secret, Type="SecureString", Overwrite=True)


def _sqs_str(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def create_resources(template: Template, settings: Settings, moto_endpoint: str,
                     dynamodb_endpoint: str, parameters: dict[str, Any] | None = None) -> LocalResources:
    """Create everything the template declares that the local stack runs; see module doc."""
    return _Builder(template, settings, moto_endpoint, dynamodb_endpoint, parameters).build()
