"""The operations side of template.yaml: every function, API, state machine and dead-letter
queue of the template has its CloudWatch alarms, every alarm notifies the stack's alarm topic,
the dashboard shows the app's own lead counts next to them, and the README's runbook says what
each alarm means. What must be alarmed is read from the template's own resources, so a new
function or queue without its alarms fails here, and so does removing any alarm (the last test
removes each one in turn)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.resources import pseudo_parameters
from infra.local.template import Resolver, Template, UnresolvedReference
from tests.events import ROOT

TEMPLATE = Template.load(ROOT / "template.yaml")
ALARM = "AWS::CloudWatch::Alarm"
STATE_MACHINE_FAILURES = ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")
EXTERNAL_TOPIC = "arn:aws:sns:us-east-1:123456789012:pager"
STACK = pseudo_parameters()["AWS::StackName"]


# ---------------------------------------------------------------- reading the template


def alarms(t: Template) -> dict[str, dict[str, Any]]:
    return {lid: dict(r.get("Properties") or {}) for lid, r in t.of_type(ALARM).items()}


def dimensions(props: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in props.get("Dimensions") or ()}


def find_alarm(t: Template, namespace: str, metric: str, **dims: Any) -> dict[str, Any] | None:
    for props in alarms(t).values():
        if props.get("Namespace") == namespace and props.get("MetricName") == metric and dimensions(props) == dims:
            return props
    return None


def fires_on_the_first(props: dict[str, Any] | None) -> bool:
    """Threshold "more than 0": one failed execution or one dead letter is enough."""
    return bool(props) and props.get("Threshold") == 0 and props.get("ComparisonOperator") == "GreaterThanThreshold"


def _get_att_target(value: Any) -> str | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def dead_letter_queues(t: Template) -> set[str]:
    """Queues that hold what something else gave up on: a queue's RedrivePolicy target, a
    function's DeadLetterQueue, an event source's on-failure destination."""
    found = {_get_att_target((props.get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
             for props in t.queues().values()}
    for fn in t.functions().values():
        props = t.resources[fn.logical_id].get("Properties") or {}
        found.add(_get_att_target((props.get("DeadLetterQueue") or {}).get("TargetArn")))
        for event in fn.events.values():
            on_failure = (((event.get("Properties") or {}).get("DestinationConfig") or {}).get("OnFailure") or {})
            found.add(_get_att_target(on_failure.get("Destination")))
    return {lid for lid in found if lid in t.queues()}


def apis(t: Template) -> dict[str, dict[str, Any]]:
    return {lid: dict(r.get("Properties") or {}) for lid, r in t.of_type("AWS::Serverless::Api").items()}


def resolver(t: Template, **parameters: str) -> Resolver:
    """Resolves against placeholders ("IngestFunction.Ref"); a reference to a resource the
    template does not have raises UnresolvedReference."""

    def placeholder(logical_id: str, attribute: str) -> str:
        if logical_id not in t.resources:
            raise UnresolvedReference(f"{logical_id}.{attribute}: no such resource")
        return f"{logical_id}.{attribute}"

    return t.resolver({}, pseudo_parameters(), parameters, fallback=placeholder)


# ---------------------------------------------------------------- what must be alarmed


def missing_function_alarms(t: Template) -> list[str]:
    return [f"{fn} {metric}" for fn in t.functions() for metric in ("Errors", "Throttles")
            if not find_alarm(t, "AWS/Lambda", metric, FunctionName={"Ref": fn})]


def missing_api_alarms(t: Template) -> list[str]:
    """REST APIs publish by ApiName (the API's Name) and Stage."""
    return [api_id for api_id, props in apis(t).items()
            if not find_alarm(t, "AWS/ApiGateway", "5XXError", ApiName=props.get("Name"), Stage=props.get("StageName"))]


def missing_state_machine_alarms(t: Template) -> list[str]:
    return [f"{sm} {metric}" for sm in t.state_machines() for metric in STATE_MACHINE_FAILURES
            if not fires_on_the_first(find_alarm(t, "AWS/States", metric, StateMachineArn={"Ref": sm}))]


def missing_dlq_alarms(t: Template) -> list[str]:
    return [dlq for dlq in sorted(dead_letter_queues(t))
            if not fires_on_the_first(find_alarm(t, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                                                 QueueName={"Fn::GetAtt": [dlq, "QueueName"]}))]


CHECKS: tuple[Callable[[Template], list[str]], ...] = (
    missing_function_alarms, missing_api_alarms, missing_state_machine_alarms, missing_dlq_alarms)


# ---------------------------------------------------------------- the alarms


def test_every_function_has_an_errors_and_a_throttles_alarm():
    assert len(TEMPLATE.functions()) >= 8
    assert missing_function_alarms(TEMPLATE) == []


def test_every_api_names_itself_and_has_a_5xx_alarm():
    assert apis(TEMPLATE)
    for api_id, props in apis(TEMPLATE).items():
        assert props.get("Name") == {"Ref": "AWS::StackName"}, f"{api_id}: its ApiName dimension must be known"
    assert missing_api_alarms(TEMPLATE) == []


def test_the_state_machine_failing_timing_out_or_being_stopped_raises_an_alarm():
    assert TEMPLATE.state_machines()
    assert missing_state_machine_alarms(TEMPLATE) == []


def test_every_dead_letter_queue_alarms_on_its_first_message():
    assert "DistributionDLQ" in dead_letter_queues(TEMPLATE)
    assert missing_dlq_alarms(TEMPLATE) == []


@pytest.mark.parametrize("alarm_id", sorted(alarms(TEMPLATE)))
def test_every_alarm_notifies_the_alarm_topic_and_the_optional_external_one(alarm_id):
    props = alarms(TEMPLATE)[alarm_id]
    for external, expected in (("", ["AlarmTopic.Ref"]), (EXTERNAL_TOPIC, ["AlarmTopic.Ref", EXTERNAL_TOPIC])):
        r = resolver(TEMPLATE, AlarmTopicArn=external)
        assert r.resolve(props.get("AlarmActions")) == expected
        assert r.resolve(props.get("OKActions")) == expected
    assert props["TreatMissingData"] == "notBreaching"
    assert "Runbook" in props["AlarmDescription"]


def test_the_alarm_topic_mails_the_alarm_email_only_when_one_is_given():
    assert TEMPLATE.resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    (subscription,) = TEMPLATE.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {"TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email",
                                          "Endpoint": {"Ref": "AlarmEmail"}}
    assert TEMPLATE.parameters["AlarmEmail"]["Default"] == ""
    pattern = re.compile(TEMPLATE.parameters["AlarmEmail"]["AllowedPattern"])
    assert pattern.fullmatch("") and pattern.fullmatch("ops@example.com")
    assert not pattern.fullmatch("ops at example.com")
    condition = subscription["Condition"]
    assert resolver(TEMPLATE, AlarmEmail="ops@example.com").condition(condition)
    assert not resolver(TEMPLATE).condition(condition)


# ---------------------------------------------------------------- the dashboard


def dashboard_metrics(body: dict[str, Any]) -> tuple[list[list[Any]], list[str]]:
    """The metric rows (their "." shorthand expanded, options dropped) and the math expressions
    of every metric widget."""
    rows, expressions = [], []
    for widget in body["widgets"]:
        previous: list[Any] = []
        for row in (widget.get("properties") or {}).get("metrics") or ():
            if isinstance(row[0], dict):
                expressions.append(row[0]["expression"])
                continue
            values = [v for v in row if not isinstance(v, dict)]
            values = [previous[i] if v == "." and i < len(previous) else v for i, v in enumerate(values)]
            rows.append(values)
            previous = values
    return rows, expressions


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    (dash,) = TEMPLATE.of_type("AWS::CloudWatch::Dashboard").values()
    return json.loads(resolver(TEMPLATE).resolve(dash["Properties"]["DashboardBody"]))


def test_the_dashboard_counts_every_metric_the_app_publishes(dashboard):
    namespace = TEMPLATE.global_env()["POWERTOOLS_METRICS_NAMESPACE"]
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "shared" / "leadwave").rglob("*.py"))
    published = set(re.findall(r"\b(?:count|timing|seconds)\(\"(\w+)\"", source))
    assert {"LeadReceived", "OfferClaimed", "LeadPlacedByWorkflow", "TimeToAssign", "SpeedToCall"} <= published
    assert f'namespace="{namespace}"' in (ROOT / "shared" / "leadwave" / "observability.py").read_text()
    _, expressions = dashboard_metrics(dashboard)
    for name in published:
        assert any(f"{{{namespace}," in e and f'MetricName="{name}"' in e for e in expressions), name


def test_the_dashboard_shows_functions_api_workflow_and_dlq(dashboard):
    rows, _ = dashboard_metrics(dashboard)
    for fn in TEMPLATE.functions():
        for metric in ("Errors", "Throttles", "Duration"):
            assert ["AWS/Lambda", metric, "FunctionName", f"{fn}.Ref"] in rows, (fn, metric)
    for props in apis(TEMPLATE).values():
        api = ["ApiName", STACK, "Stage", resolver(TEMPLATE).resolve(props["StageName"])]
        for metric in ("5XXError", "Latency"):
            assert ["AWS/ApiGateway", metric, *api] in rows, metric
    for sm in TEMPLATE.state_machines():
        for metric in ("ExecutionsStarted", *STATE_MACHINE_FAILURES):
            assert ["AWS/States", metric, "StateMachineArn", f"{sm}.Ref"] in rows, metric
    for dlq in dead_letter_queues(TEMPLATE):
        assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", f"{dlq}.QueueName"] in rows


def test_the_dashboard_lists_the_state_of_every_alarm(dashboard):
    (widget,) = [w for w in dashboard["widgets"] if w["type"] == "alarm"]
    assert sorted(widget["properties"]["alarms"]) == sorted(f"{lid}.Arn" for lid in alarms(TEMPLATE))


def test_the_dashboard_and_the_alarm_topic_are_outputs():
    outputs = TEMPLATE.doc["Outputs"]
    assert outputs["AlarmTopic"]["Value"] == {"Ref": "AlarmTopic"}
    assert "${OpsDashboard}" in outputs["DashboardUrl"]["Value"]["Fn::Sub"]


# ---------------------------------------------------------------- the runbook


def test_the_runbook_explains_every_alarm_and_its_scripts_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Runbook\n" in readme
    runbook = readme.split("\n## Runbook\n", 1)[1].split("\n## ", 1)[0]
    for alarm_id in alarms(TEMPLATE):
        assert f"`{alarm_id}`" in runbook, alarm_id
    for script in set(re.findall(r"infra/deploy/[\w.-]+\.sh", runbook)):
        assert (ROOT / script).is_file(), script
    assert "make redrive" in runbook and "\nredrive:" in (ROOT / "Makefile").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the checks themselves


@pytest.mark.parametrize("alarm_id", sorted(alarms(TEMPLATE)))
def test_removing_any_alarm_fails_a_check(alarm_id):
    doc = copy.deepcopy(TEMPLATE.doc)
    del doc["Resources"][alarm_id]
    without = Template(doc, TEMPLATE.path)
    assert any(check(without) for check in CHECKS), f"nothing requires {alarm_id}"
