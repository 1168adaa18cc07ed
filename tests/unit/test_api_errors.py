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
