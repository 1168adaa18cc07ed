import json

from leadwave.api import build_app
from leadwave.observability import logger

from tests.events import Context, api_event


def test_an_unexpected_error_is_a_json_500_whose_log_names_the_error_but_not_its_message(caplog):
    app = build_app()

    @app.get("/boom")
    def boom():
        raise ValueError("input_value='Jane Doe +14155552671'")

    res = app.resolve(api_event("GET", "/boom"), Context())
    assert res["statusCode"] == 500 and json.loads(res["body"])["code"] == "internal_error"
    lines = [logger.registered_formatter.format(r) for r in caplog.records if r.name == "leadwave"]
    assert any('"error":"ValueError"' in line.replace(" ", "") for line in lines)
    assert not any("Jane" in line or "4155552671" in line for line in lines)


def _get_with_origin(monkeypatch, allowed, origin):
    if allowed is None:
        monkeypatch.delenv("ALLOWED_ORIGIN", raising=False)
    else:
        monkeypatch.setenv("ALLOWED_ORIGIN", allowed)
    app = build_app()

    @app.get("/ping")
    def ping():
        return {"ok": True}

    ev = api_event("GET", "/ping", headers={"Origin": origin})
    res = app.resolve(ev, Context())
    headers = {k.lower(): v for k, v in (res.get("multiValueHeaders") or {}).items()}
    headers.update({k.lower(): [v] for k, v in (res.get("headers") or {}).items()})
    return headers.get("access-control-allow-origin")


def test_cors_allows_only_the_spas_origin(monkeypatch):
    # issue 9 #9: every handler answered Access-Control-Allow-Origin: *
    spa = "https://d111111abcdef8.cloudfront.net"
    assert _get_with_origin(monkeypatch, spa, spa) == [spa]
    assert _get_with_origin(monkeypatch, spa, "https://evil.example") is None
    assert _get_with_origin(monkeypatch, None, "https://evil.example") is None  # no origin configured: none


def test_the_template_gives_every_function_the_spas_origin():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "template.yaml").read_text()
    assert 'ALLOWED_ORIGIN: !Sub "https://${WebDistribution.DomainName}"' in text
