"""Cold start (issue 8): importing a handler module loads only what every request of that
function needs. Each handler is imported in a fresh interpreter the way Lambda does it (its
CodeUri as the working directory, the layer on the path), and the test counts modules, not
milliseconds, so it cannot flake; the bench measures the import times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.template import Template

ROOT = Path(__file__).resolve().parents[2]

# loaded by the code path that uses them, never at import
OPTIONAL = {
    "phonenumbers",  # lead and settings phone numbers, the TCPA zone look-up
    "email_validator",  # leads that carry an email
    "aws_lambda_powertools.utilities.idempotency",  # ingest's POST
    "aws_lambda_powertools.utilities.parameters",  # secrets from SSM
    "aws_xray_sdk",  # the Tracer
    "twilio.rest",  # placing and ending calls
    "twilio.request_validator",  # checking a webhook's signature
}
NO_TWILIO = {"twilio"}
NO_PARSER = {"aws_lambda_powertools.utilities.parser"}  # pydantic parsing of whole events

# what else stays unloaded, per handler module; every function of template.yaml is checked
MORE = {
    "ingest/app": NO_TWILIO | NO_PARSER,
    "ingest/authorizer": NO_TWILIO | NO_PARSER | {"pydantic", "leadwave.models"},  # a key look-up only
    "distribute/app": NO_TWILIO,
    "distribute/tasks": set(),  # the wave services answer Ring All calls with twilio's TwiML
    "distribute/sweep": NO_PARSER,
    "distribute/stream": NO_TWILIO | NO_PARSER | {"pydantic", "leadwave.models"},  # table items only
    "claim/app": NO_TWILIO | NO_PARSER,
    "ivr/app": NO_PARSER,
}
HANDLERS = sorted({f"{Path(f.code_uri).name}/{f.handler.rsplit('.', 1)[0]}"
                   for f in Template.load(ROOT / "template.yaml").functions().values()})


PROBE = """
import json, sys
import {module}
loaded = sorted(sys.modules)  # before the probe's own import of the models below
from leadwave.models import LazyModel

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

print(json.dumps({{
    "modules": loaded,
    "built": sorted(m.__name__ for m in subclasses(LazyModel) if m.__pydantic_complete__),
}}))
"""


def _cold_import(handler: str) -> dict[str, list[str]]:
    code_dir, module = handler.split("/")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=ROOT / "functions" / code_dir,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{handler} does not import:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _loaded(modules: list[str], names: set[str]) -> list[str]:
    """Which of ``names`` (packages or modules) are imported."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_handler_imports_without_the_modules_only_some_requests_use(handler):
    # Given a fresh interpreter in the function's code directory
    # When the handler module is imported
    loaded = _cold_import(handler)
    # Then none of the optional heavy modules is loaded yet
    assert _loaded(loaded["modules"], OPTIONAL | MORE.get(handler, set())) == []
    # And no domain model has built its validator: the first request builds the ones it uses
    assert loaded["built"] == []


def test_the_distribute_consumer_parses_only_sqs_records():
    # powertools' batch types import every record model (Kafka, Kinesis, DynamoDB Streams) when
    # pydantic is already loaded; the consumer imports the batch utility first, so only SQS's load
    modules = _cold_import("distribute/app")["modules"]
    models = [m for m in modules if m.startswith("aws_lambda_powertools.utilities.parser.models.")]
    assert models == ["aws_lambda_powertools.utilities.parser.models.sqs"]


def test_a_deferred_model_validates_as_before_on_first_use():
    # Given entity models whose validators are built on first use
    from leadwave.models import Agent, Role

    # When the first one is validated Then it is built, with its nested models, and validates as before
    agent = Agent.model_validate({"org_id": "o", "agent_id": "a", "email": "a@x.test", "roles": ["manager"],
                                  "filters": {"states": ["CA"]}})
    assert agent.roles == [Role.MANAGER] and agent.filters.states == ["CA"]
    assert Agent.__pydantic_complete__
    with pytest.raises(ValueError):
        Agent.model_validate({"org_id": "o"})
