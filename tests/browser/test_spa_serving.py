"""How the local gateway serves the SPA: its files, index.html for its pages (deep links),
the local /config.json, and JSON 404s for unknown API paths and missing files."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.browser


def test_config_json_says_local_mode(local_stack):
    r = requests.get(f"{local_stack.base_url}/config.json", timeout=10)
    assert r.status_code == 200 and r.json() == {
        "mode": "local", "apiBase": "", "wsUrl": f"ws://127.0.0.1:{local_stack.port}/ws/prod"}


@pytest.mark.parametrize("path", ["/", "/app", "/app/offers", "/app/settings/org", "/app/callback"])
def test_spa_pages_answer_index_html(local_stack, path):
    r = requests.get(f"{local_stack.base_url}{path}", timeout=10)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    assert '<div id="app">' in r.text


@pytest.mark.parametrize("path", ["/v1/no-such-thing", "/assets/missing.js", "/favicon.ico"])
def test_unknown_api_paths_and_missing_files_are_404(local_stack, path):
    r = requests.get(f"{local_stack.base_url}{path}", timeout=10)
    assert r.status_code == 404
    assert "text/html" not in r.headers.get("Content-Type", "")
