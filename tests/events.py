"""Lambda events and contexts shaped like AWS's, for calling handlers in-process."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load_handler(relative: str) -> ModuleType:
    """Import functions/<x>/<module>.py as Lambda would, under a unique name (four modules are
    called app); returns the module."""
    from infra.local.lambdas import import_handler

    path = ROOT / relative
    name = "handler_" + relative.replace("/", "_").removesuffix(".py")
    import_handler(path.parent, f"{path.stem}.handler", name)
    return sys.modules[name]


class Context:
    def __init__(self, name: str = "test-function", timeout_ms: int = 10_000) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "test"
        self._timeout_ms = timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


def api_event(method: str, path: str, *, resource: str | None = None, body: Any = None, raw_body: str | None = None,
              headers: dict[str, str] | None = None, path_params: dict[str, str] | None = None,
              query: dict[str, str] | None = None, authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
    hdrs = {"Content-Type": "application/json", "Host": "api.example.com", **(headers or {})}
    return {
        "resource": resource or path, "path": path, "httpMethod": method,
        "headers": hdrs, "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": query, "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()}
        or None,
        "pathParameters": path_params, "stageVariables": None, "body": raw_body, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource or path, "httpMethod": method, "stage": "prod",
                           "requestId": str(uuid.uuid4()), "identity": {"sourceIp": "127.0.0.1"},
                           "authorizer": authorizer},
    }


def vendor_authorizer(org_id: str = "demo", vendor_id: str = "demo-vendor") -> dict[str, Any]:
    return {"principalId": vendor_id, "org_id": org_id, "vendor_id": vendor_id}


def cognito_authorizer(email: str, org_id: str = "demo") -> dict[str, Any]:
    return {"claims": {"sub": str(uuid.uuid4()), "email": email, "custom:org_id": org_id, "token_use": "id"}}


def sqs_event(bodies: list[str], queue_arn: str = "arn:aws:sqs:us-east-1:123456789012:q") -> dict[str, Any]:
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": str(uuid.uuid4()), "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                       "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1700000000000"},
        "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1"} for body in bodies]}
