"""``python -m infra.local`` as a user runs it: over HTTP, in a subprocess on free ports.

These check the runtime (gateway, authorizers, lifecycle), not the domain behind the routes."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from infra.local.process import LocalStackProcess, dynamodb_local_pids

# The stack's default LEADWAVE_LOCAL_JWT_SECRET is short; PyJWT warns when tests sign with it.
pytestmark = [pytest.mark.stack, pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")]


def assert_error_body(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["details"] == []
    return body


def test_health_answers_ok_once_the_stack_is_up(local_stack: LocalStackProcess) -> None:
    response = requests.get(f"{local_stack.base_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["dynamodb"] == "ok" and response.json()["moto"] == "ok"


def test_unknown_route_is_a_404_json_error(local_stack: LocalStackProcess) -> None:
    body = assert_error_body(requests.get(f"{local_stack.base_url}/v1/no-such-thing", timeout=10), 404)
    assert body["code"] in ("not_found", "route_not_found")


def test_known_path_with_another_method_is_a_405(local_stack: LocalStackProcess) -> None:
    response = requests.delete(f"{local_stack.base_url}/v1/me", timeout=10)
    assert assert_error_body(response, 405)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"


def test_vendor_route_without_api_key_is_refused_before_the_authorizer(local_stack: LocalStackProcess) -> None:
    response = requests.post(f"{local_stack.base_url}/v1/leads", json={"campaign_id": "demo-none"}, timeout=10)
    assert assert_error_body(response, 401)["code"] == "unauthorized"
    assert response.headers["x-amzn-ErrorType"] == "UNAUTHORIZED"


@pytest.mark.parametrize("authorization", [None, "Bearer garbage", "Bearer ", "Basic abc"])
def test_agent_route_without_a_valid_token_is_401(local_stack: LocalStackProcess, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = requests.get(f"{local_stack.base_url}/v1/me", headers=headers, timeout=10)
    assert assert_error_body(response, 401)["code"] == "unauthorized"


def _token(**overrides: object) -> str:
    now = int(time.time())
    claims = {"sub": "agent01", "email": "agent01@demo.test", "custom:org_id": "demo", "token_use": "id",
              "iss": "leadwave-local", "aud": "leadwave-local-spa", "iat": now, "exp": now + 600, **overrides}
    return jwt.encode(claims, "local-jwt-secret", algorithm="HS256")


def test_expired_or_foreign_tokens_are_401_and_a_valid_one_passes_the_gateway(local_stack: LocalStackProcess) -> None:
    url = f"{local_stack.base_url}/v1/me"
    expired = requests.get(url, headers={"Authorization": f"Bearer {_token(exp=int(time.time()) - 5)}"}, timeout=10)
    assert_error_body(expired, 401)
    foreign = jwt.encode({"sub": "x", "token_use": "id", "exp": int(time.time()) + 60},
                         "another-secret-of-32-bytes-long!!")
    assert_error_body(requests.get(url, headers={"Authorization": f"Bearer {foreign}"}, timeout=10), 401)
    valid = requests.get(url, headers={"Authorization": f"Bearer {_token()}"}, timeout=30)
    assert "x-amzn-ErrorType" not in valid.headers  # the gateway let it through to the handler


def test_body_over_the_limit_is_413(local_stack: LocalStackProcess) -> None:
    response = requests.post(f"{local_stack.base_url}/v1/leads", data=b"x" * (10 * 1024 * 1024 + 1),
                             headers={"x-api-key": "k", "Content-Type": "application/json"}, timeout=30)
    assert assert_error_body(response, 413)["code"] == "payload_too_large"


def test_cors_preflight_for_a_local_spa(local_stack: LocalStackProcess) -> None:
    response = requests.options(f"{local_stack.base_url}/v1/me", timeout=10, headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_login_refuses_an_unknown_email(local_stack: LocalStackProcess) -> None:
    response = requests.post(f"{local_stack.base_url}/local/login", json={"email": "nobody@nowhere.test"}, timeout=30)
    assert response.status_code in (404, 503)  # 503 while the domain's directory is not importable
    bad = requests.post(f"{local_stack.base_url}/local/login", json={"mail": "x"}, timeout=10)
    assert assert_error_body(bad, 400)["code"] == "invalid_request"


def test_sigterm_stops_the_stack_and_leaves_no_dynamodb_local() -> None:
    stack = LocalStackProcess().start(timeout=90)
    try:
        assert stack.dynamodb_port is not None
        assert dynamodb_local_pids(stack.dynamodb_port), "DynamoDB Local should run while the stack does"
        assert requests.get(f"{stack.base_url}/health", timeout=10).status_code == 200
    finally:
        code = stack.stop(timeout=30)
    assert code == 0, stack.stderr()[-3000:]
    assert stack.leftover_java() == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stack.base_url}/health", timeout=2)


def test_a_deactivated_user_can_no_longer_sign_in(local_stack: LocalStackProcess) -> None:
    # issue 9 #14: the deactivate dialog says so, yet /local/login handed out a token
    from tests.e2e.helpers import Client

    api = Client(local_stack.base_url)
    made = api.as_agent("boss@e2e.test", "POST", "/v1/agents", json={"email": "leaving@e2e.test",
                                                                       "first_name": "Leaving"})
    assert made.status_code == 201, made.text
    assert requests.post(f"{local_stack.base_url}/local/login", json={"email": "leaving@e2e.test"},
                         timeout=30).status_code == 200
    assert api.as_agent("boss@e2e.test", "DELETE", f"/v1/agents/{made.json()['agent_id']}").status_code == 204
    refused = requests.post(f"{local_stack.base_url}/local/login", json={"email": "leaving@e2e.test"}, timeout=30)
    assert assert_error_body(refused, 403)["code"] == "user_disabled"
    assert "deactivated" in refused.json()["message"]
