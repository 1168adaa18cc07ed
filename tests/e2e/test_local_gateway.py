"""The local gateway in-process, on a throwaway template: a REQUEST Lambda authorizer, proxy
responses (multi-value headers, base64 bodies), API Gateway's default gateway responses, CORS,
the SPA's static files."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest
import requests

from infra.local.gateway import Gateway
from infra.local.lambdas import LambdaRuntime
from infra.local.resources import pseudo_parameters
from infra.local.settings import Settings
from infra.local.template import Template

AUTH = '''
def handler(event, context):
    key = event["headers"].get("x-api-key")
    if key == "bad":
        raise Exception("Unauthorized")
    if key == "broken":
        raise ValueError("bug")
    effect = "Deny" if key == "deny" else "Allow"
    base = "/".join(event["methodArn"].split("/")[:2])
    return {"principalId": "v1", "context": {"org_id": "o1", "n": 1, "flag": True},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": f"{base}/*/echo/*"}]}}
'''
APP = '''
import base64, json

def handler(event, context):
    if event["resource"] == "/open":
        return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\\x00\\x01").decode(),
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "headers": {"Content-Type": "image/png"}}
    if event["resource"] == "/broken":
        return {"body": "no status code"}
    return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
'''


@pytest.fixture
def gateway(tmp_path: Path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "auth.py").write_text(AUTH)
    (tmp_path / "fn" / "app.py").write_text(APP)
    (tmp_path / "web" / "assets").mkdir(parents=True)
    (tmp_path / "web" / "index.html").write_text("<html>spa</html>")
    (tmp_path / "web" / "assets" / "a.js").write_text("console.log(1)")
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: test
              Cors: {AllowMethods: "'GET,POST'", AllowHeaders: "'Content-Type,x-api-key'"}
              Auth:
                DefaultAuthorizer: KeyAuth
                Authorizers:
                  KeyAuth: {FunctionArn: !GetAtt AuthFn.Arn, FunctionPayloadType: REQUEST,
                            Identity: {Headers: [x-api-key]}}
          AuthFn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn/, Handler: auth.handler}}
          AppFn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Events:
                Echo: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/echo/{id}", Method: ANY}}
                Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: GET, Auth: {Authorizer: NONE}}}
                Broken: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /broken, Method: GET,
                                                 Auth: {Authorizer: NONE}}}
    """))
    template = Template.load(tmp_path / "template.yaml")
    gw = Gateway(template, LambdaRuntime(template), Settings(port=0), template.resolver({}, pseudo_parameters()),
                 health=lambda: (True, {"status": "ok"}), web_dir=tmp_path / "web").start()
    try:
        yield gw
    finally:
        gw.stop()


def test_health_is_503_until_ready(gateway: Gateway) -> None:
    assert requests.get(f"{gateway.url}/health", timeout=5).status_code == 503
    assert requests.get(f"{gateway.url}/open", timeout=5).status_code == 503
    gateway.ready.set()
    assert requests.get(f"{gateway.url}/health", timeout=5).json() == {"status": "ok"}


def test_request_authorizer_context_reaches_the_handler_as_strings(gateway: Gateway) -> None:
    gateway.ready.set()
    response = requests.post(f"{gateway.url}/echo/42?x=1", headers={"x-api-key": "good"}, json={"a": 1}, timeout=10)
    assert response.status_code == 201
    event = response.json()
    authorizer = event["requestContext"]["authorizer"]
    assert {k: authorizer[k] for k in ("org_id", "n", "flag", "principalId")} == {
        "org_id": "o1", "n": "1", "flag": "true", "principalId": "v1"}
    assert (event["resource"], event["pathParameters"], event["requestContext"]["stage"]) == (
        "/echo/{id}", {"id": "42"}, "test")
    assert json.loads(event["body"]) == {"a": 1} and event["queryStringParameters"] == {"x": "1"}


@pytest.mark.parametrize(("key", "status", "body"), [
    (None, 401, {"message": "Unauthorized"}),
    ("bad", 401, {"message": "Unauthorized"}),
    ("deny", 403, {"message": "User is not authorized to access this resource with an explicit deny"}),
    ("broken", 500, {"message": None}),
])
def test_authorizer_refusals_use_api_gateway_default_responses(gateway: Gateway, key, status, body) -> None:
    gateway.ready.set()
    headers = {"x-api-key": key} if key else {}
    response = requests.get(f"{gateway.url}/echo/1", headers=headers, timeout=10)
    assert (response.status_code, response.json()) == (status, body)


def test_proxy_response_headers_and_base64_body(gateway: Gateway) -> None:
    gateway.ready.set()
    response = requests.get(f"{gateway.url}/open", timeout=10)
    assert response.content == b"\x00\x01" and response.headers["Content-Type"] == "image/png"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    broken = requests.get(f"{gateway.url}/broken", timeout=10)
    assert (broken.status_code, broken.json()) == (502, {"message": "Internal server error"})


def test_spa_files_and_fallback_and_cors(gateway: Gateway) -> None:
    gateway.ready.set()
    assert requests.get(f"{gateway.url}/", timeout=5).text == "<html>spa</html>"
    assert requests.get(f"{gateway.url}/app/offers/123", timeout=5).text == "<html>spa</html>"
    asset = requests.get(f"{gateway.url}/assets/a.js", timeout=5)
    assert asset.text == "console.log(1)" and "javascript" in asset.headers["Content-Type"]
    assert requests.get(f"{gateway.url}/assets/../../template.yaml", timeout=5).status_code == 404
    preflight = requests.options(f"{gateway.url}/echo/1", headers={"Origin": "http://127.0.0.1:5173"}, timeout=5)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST"
    too_big = requests.post(f"{gateway.url}/echo/1", data=b"x" * (10 * 1024 * 1024 + 1), headers={"x-api-key": "good"},
                            timeout=30)  # API Gateway's own limit: 10 MB
    assert too_big.status_code == 413


def test_binary_request_body_is_base64_in_the_event(gateway: Gateway) -> None:
    gateway.ready.set()
    response = requests.post(f"{gateway.url}/echo/1", data=b"\xff\xfe", headers={"x-api-key": "good"}, timeout=10)
    event = response.json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\xfe"
