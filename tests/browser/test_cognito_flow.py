"""The Cognito sign-in path of the SPA, with the hosted UI played by the test (Playwright routes
answer https://auth.leadwave.test): authorization code + PKCE (S256, the verifier checked against
the challenge), tokens kept in sessionStorage, refreshed before the id token expires, and sign-out
through the hosted UI's /logout. The id tokens are local-stack tokens, so the real local API
accepts them as API Gateway's Cognito authorizer would accept Cognito's."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from playwright.sync_api import expect

from infra.local.authorizers import LOCAL_AUDIENCE, LOCAL_ISSUER
from infra.local.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")]
DOMAIN = "https://auth.leadwave.test"
CLIENT_ID = "spa-client-id"


def _id_token(email: str, lifetime: int) -> str:
    now = int(time.time())
    claims = {"sub": email.split("@")[0], "email": email, "custom:org_id": "e2e", "cognito:groups": ["agent"],
              "token_use": "id", "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, Settings().jwt_secret, algorithm="HS256")


class HostedUi:
    """What the test's stand-in for Cognito saw."""

    def __init__(self, base_url: str, email: str, lifetime: int) -> None:
        self.base_url, self.email, self.lifetime = base_url, email, lifetime
        self.authorize: dict[str, str] = {}
        self.token_requests: list[dict[str, str]] = []
        self.logouts: list[dict[str, str]] = []

    def handle(self, route) -> None:
        url = urlsplit(route.request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        cors = {"access-control-allow-origin": "*"}
        if url.path == "/oauth2/authorize":
            self.authorize = query
            back = f"{query['redirect_uri']}?{urlencode({'code': 'the-code', 'state': query['state']})}"
            route.fulfill(status=302, headers={"location": back})
        elif url.path == "/oauth2/token":
            form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
            self.token_requests.append(form)
            body = {"id_token": _id_token(self.email, self.lifetime), "access_token": "access", "expires_in": 3600,
                    "token_type": "Bearer"}
            if form.get("grant_type") == "authorization_code":
                body["refresh_token"] = "the-refresh-token"
            route.fulfill(status=200, content_type="application/json", headers=cors, body=json.dumps(body))
        elif url.path == "/logout":
            self.logouts.append(query)
            route.fulfill(status=302, headers={"location": query["logout_uri"]})
        else:
            route.fulfill(status=404, headers=cors, body="{}")


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def test_cognito_sign_in_with_pkce_refresh_and_sign_out(app, local_stack):
    email = "e46@e2e.test"
    ui = HostedUi(local_stack.base_url, email, lifetime=125)  # refreshed 120 s before expiry: at once
    page = app.page()
    config = {"mode": "cognito", "apiBase": "", "region": "us-east-1", "userPoolId": "us-east-1_Test",
              "clientId": CLIENT_ID, "cognitoDomain": DOMAIN}
    page.route("**/config.json", lambda route: route.fulfill(status=200, content_type="application/json",
                                                             body=json.dumps(config)))
    page.route(f"{DOMAIN}/**", ui.handle)

    page.goto("/app/leads")
    expect(page.get_by_text("You will be sent to your organization's sign-in page.")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My leads")).to_be_visible()  # back where the user started
    assert page.url.endswith("/app/leads")

    assert {k: ui.authorize[k] for k in ("response_type", "client_id", "scope", "code_challenge_method")} == {
        "response_type": "code", "client_id": CLIENT_ID, "scope": "openid email profile",
        "code_challenge_method": "S256"}
    assert ui.authorize["redirect_uri"] == f"{local_stack.base_url}/app/callback"
    exchange = ui.token_requests[0]
    assert exchange["grant_type"] == "authorization_code" and exchange["code"] == "the-code"
    assert exchange["client_id"] == CLIENT_ID and exchange["redirect_uri"] == ui.authorize["redirect_uri"]
    assert _challenge(exchange["code_verifier"]) == ui.authorize["code_challenge"]

    stored = json.loads(page.evaluate("sessionStorage.getItem('leadwave.session')"))
    assert stored["mode"] == "cognito" and stored["refreshToken"] == "the-refresh-token"
    assert "the-refresh-token" not in json.dumps(page.evaluate("({...localStorage})"))

    deadline = time.monotonic() + 15  # the refresh timer fires after 5 s at the earliest
    while not any(r.get("grant_type") == "refresh_token" for r in ui.token_requests) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    refresh = next(r for r in ui.token_requests if r.get("grant_type") == "refresh_token")
    assert refresh["refresh_token"] == "the-refresh-token" and refresh["client_id"] == CLIENT_ID
    expect(page.get_by_role("heading", name="My leads")).to_be_visible()  # still signed in

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signin-notice")).to_have_text("You have signed out.")
    assert ui.logouts and ui.logouts[0]["client_id"] == CLIENT_ID
    assert ui.logouts[0]["logout_uri"] == f"{local_stack.base_url}/app/signed-out"
    assert page.evaluate("sessionStorage.getItem('leadwave.session')") is None


def test_a_callback_that_does_not_match_this_tab_shows_a_message(app):
    page = app.page()
    config = {"mode": "cognito", "apiBase": "", "region": "us-east-1", "userPoolId": "us-east-1_Test",
              "clientId": CLIENT_ID, "cognitoDomain": DOMAIN}
    page.route("**/config.json", lambda route: route.fulfill(status=200, content_type="application/json",
                                                             body=json.dumps(config)))
    page.goto("/app/callback?code=stolen&state=forged")
    expect(page.get_by_test_id("signin-notice")).to_contain_text("did not match this browser tab")
    assert page.url.endswith("/app")
