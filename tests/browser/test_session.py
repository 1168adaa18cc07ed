"""Signing in and out, and what a bad token does: never a blank page, always the sign-in
screen with a message."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from playwright.sync_api import expect

from infra.local.authorizers import LOCAL_AUDIENCE, LOCAL_ISSUER
from infra.local.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")]
KEY = "leadwave.session"


def _with_session(page, session: dict) -> None:
    page.goto("/app")
    expect(page.get_by_role("heading", name="Sign in to leadwave")).to_be_visible()
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [KEY, json.dumps(session)])


def _local_token(email: str, org: str, exp: int) -> str:
    now = int(time.time())
    claims = {"sub": email.split("@")[0], "email": email, "custom:org_id": org, "cognito:groups": ["agent"],
              "token_use": "id", "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "iat": now - 7200, "exp": exp}
    return jwt.encode(claims, Settings().jwt_secret, algorithm="HS256")


def test_a_garbage_token_lands_on_sign_in_with_a_message(app):
    page = app.page()
    _with_session(page, {"mode": "local", "idToken": "not.a-real.token", "roles": ["agent"]})
    page.goto("/app/offers")
    expect(page.get_by_role("heading", name="Sign in to leadwave")).to_be_visible()
    expect(page.get_by_test_id("signin-notice")).to_have_text(
        "Your session has expired or is no longer valid. Please sign in again.")
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") is None
    app.shot(page, "signin-session-ended")


def test_an_expired_token_lands_on_sign_in_with_a_message(app):
    page = app.page()
    token = _local_token("e48@e2e.test", "e2e", exp=int(time.time()) - 60)
    _with_session(page, {"mode": "local", "idToken": token, "roles": ["agent"]})
    page.goto("/app/offers")
    expect(page.get_by_test_id("signin-notice")).to_have_text("Your session has expired. Please sign in again.")
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") is None


def test_a_token_the_api_refuses_lands_on_sign_in_with_a_message(app):
    page = app.page()
    forged = _local_token("e48@e2e.test", "e2e", exp=int(time.time()) + 3600)[:-4] + "AAAA"  # bad signature
    _with_session(page, {"mode": "local", "idToken": forged, "roles": ["agent"]})
    page.goto("/app/leads")
    expect(page.get_by_test_id("signin-notice")).to_have_text(
        "Your session has expired or is no longer valid. Please sign in again.")


def test_a_401_in_the_middle_of_a_shift_returns_to_sign_in(app):
    page = app.page("e49@e2e.test")
    expect(page.get_by_role("heading", name="Lead offers")).to_be_visible()
    # offers are pushed (no poll to refuse): the agent's next call is refused, opening the fresh bucket
    page.route("**/v1/fresh*", lambda route: route.fulfill(
        status=401, content_type="application/json",
        body='{"code": "unauthorized", "message": "Missing or invalid credentials.", "details": []}'))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fresh bucket", exact=True).click()
    expect(page.get_by_test_id("signin-notice")).to_contain_text("Please sign in again")
    page.unroute("**/v1/fresh*")
    page.get_by_label("Email").fill("e49@e2e.test")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Fresh bucket")).to_be_visible()  # back where the agent was


def test_sign_in_keeps_the_token_in_session_storage_and_sign_out_clears_it(app):
    page = app.page()
    page.goto("/app")
    app.shot(page, "signin")
    page.get_by_label("Email").fill("nobody@e2e.test")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("No agent signs in with that email.")).to_be_visible()
    page.get_by_label("Email").fill("e50@e2e.test")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    stored = json.loads(page.evaluate(f"sessionStorage.getItem('{KEY}')"))
    assert stored["idToken"] and stored["agentId"] == "e50"
    assert "Token" not in json.dumps(page.evaluate("({...localStorage})"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signin-notice")).to_have_text("You have signed out.")
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") is None
    page.goto("/app/offers")
    expect(page.get_by_role("heading", name="Sign in to leadwave")).to_be_visible()


def test_a_user_deactivated_mid_shift_is_signed_out_with_the_reason_and_cannot_sign_in_again(app, api):
    # issue 9 #14: the app showed a lowercase error with a pointless Retry
    email = f"gone{int(time.time() * 1000) % 10**9}@e2e.test"
    made = api.as_agent("boss@e2e.test", "POST", "/v1/agents", json={"email": email, "first_name": "Gone",
                                                                      "roles": ["agent"], "available": False})
    assert made.status_code == 201, made.text
    page = app.page(email)
    expect(page.get_by_role("heading", name="Lead offers")).to_be_visible()
    assert api.as_agent("boss@e2e.test", "DELETE", f"/v1/agents/{made.json()['agent_id']}").status_code == 204
    page.reload()  # the next call the app makes (a poll before the reload, or the reload's own) is refused: 403
    gone = "Your account has been deactivated, so you are signed out. Ask a manager to reactivate it."
    expect(page.get_by_test_id("signin-notice")).to_have_text(gone)
    page.reload()  # the reason stays on the sign-in screen of this tab until someone signs in
    expect(page.get_by_test_id("signin-notice")).to_have_text(gone)
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("This user has been deactivated. Ask a manager to reactivate you.")).to_be_visible()
    app.shot(page, "signin-deactivated")
