"""The local stack's runtime, in-process: template loader and resolver, route matching, proxy
events, authorizer rules, the SQS poller's batch semantics, the Lambda runtime, and moto's
Step Functions running the real ASL with its Task states dispatched to (throwaway) handlers."""

from __future__ import annotations

import json
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import boto3
import jwt
import pytest
from moto import mock_aws

from infra.local.authorizers import GatewayError, cognito_claims, policy_allows
from infra.local.lambdas import FunctionError, LambdaRuntime
from infra.local.pollers import SqsPoller
from infra.local.resources import physical_name, pseudo_parameters
from infra.local.routing import HttpRequest, MethodNotAllowed, RouteNotFound, Router, proxy_event
from infra.local.template import NO_VALUE, Route, SqsEventSource, Template


def write_template(tmp_path: Path, body: str) -> Template:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(body))
    return Template.load(path)


# ---------------------------------------------------------------- template and resolver

def test_short_tags_load_as_long_form_intrinsics(tmp_path: Path) -> None:
    # Given a template written with CloudFormation short tags
    t = write_template(tmp_path, """
        Parameters: {Name: {Type: String, Default: /leadwave/key-pepper}, Topic: {Type: String, Default: ""}}
        Conditions: {HasTopic: !Not [!Equals [!Ref Topic, ""]]}
        Resources:
          Q: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt D.Arn}}}
          D: {Type: AWS::SQS::Queue}
        Outputs:
          A: {Value: !Sub "${AWS::StackName}-x-${D.QueueName}-${!Literal}"}
          B: {Value: !Select [1, !Split ["/", !Ref Name]]}
          C: {Value: !If [HasTopic, [!Ref Topic], !Ref AWS::NoValue]}
    """)
    # Then the tags are the long form
    assert t.queues()["Q"]["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["D", "Arn"]}
    assert t.conditions["HasTopic"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Topic"}, ""]}]}
    # And the resolver evaluates them against local values
    r = t.resolver({"D": {"Ref": "url", "Arn": "arn:d", "QueueName": "dq"}}, pseudo_parameters())
    outputs = t.doc["Outputs"]
    assert r.resolve(outputs["A"]["Value"]) == "leadwave-local-x-dq-${Literal}"
    assert r.resolve(outputs["B"]["Value"]) == "leadwave"
    assert r.resolve(outputs["C"]["Value"]) is NO_VALUE
    assert r.resolve({"k": outputs["C"]["Value"], "j": 1}) == {"j": 1}


def test_real_template_routes_authorizers_queues_and_state_machine() -> None:
    t = Template.load()
    routes = {(r.method, r.path): r for r in t.routes()}
    post_lead = routes[("POST", "/v1/leads")]
    assert (post_lead.function_id, post_lead.authorizer, post_lead.api_key_required) == (
        "IngestFunction", "VendorKeyAuthorizer", True)
    assert routes[("GET", "/v1/me")].authorizer == "CognitoAuthorizer"  # the Api's DefaultAuthorizer
    assert routes[("POST", "/ivr/answer")].authorizer is None  # Authorizer: NONE
    assert routes[("ANY", "/v1/campaigns/{item_id}")].function_id == "ClaimFunction"
    vendor = t.authorizers(post_lead.api_id)["VendorKeyAuthorizer"]
    assert (vendor.kind, vendor.function_id, vendor.payload_type, vendor.identity_headers) == (
        "lambda", "VendorAuthorizerFunction", "REQUEST", ("x-api-key",))
    # a lead is read by its vendor (API key) and by users (id token) on one path: the claim function serves
    # both, behind an authorizer that takes either credential (no API key required: users have none)
    get_lead = routes[("GET", "/v1/leads/{prospect_id}")]
    assert (get_lead.function_id, get_lead.authorizer, get_lead.api_key_required) == (
        "ClaimFunction", "LeadReaderAuthorizer", False)
    reader = t.authorizers(get_lead.api_id)["LeadReaderAuthorizer"]
    assert (reader.kind, reader.function_id, reader.payload_type, reader.identity_headers) == (
        "lambda", "LeadReaderAuthorizerFunction", "REQUEST", ())
    assert routes[("GET", "/v1/leads")].function_id == "ClaimFunction"  # the lead search, beside POST (ingest)
    sources = {s.function_id: s for s in t.sqs_event_sources()}
    # distribution; bulk upload chunks; webhooks (issue 14): the bus's events, the deliveries
    assert sorted(sources) == ["DistributeFunction", "UploadFunction", "WebhookDeliveryFunction",
                               "WebhookFanoutFunction"]
    assert (sources["WebhookFanoutFunction"].queue_logical_id, sources["WebhookDeliveryFunction"].queue_logical_id) == (
        "WebhookEventsQueue", "WebhookDeliveryQueue")
    assert (sources["DistributeFunction"].queue_logical_id, sources["DistributeFunction"].reports_item_failures) == (
        "DistributionQueue", True)
    assert (sources["UploadFunction"].queue_logical_id, sources["UploadFunction"].reports_item_failures) == (
        "UploadQueue", True)
    assert t.queues()["DistributionQueue"]["RedrivePolicy"]["maxReceiveCount"] == 5
    (machine,) = t.state_machines().values()
    resolver = t.resolver({}, pseudo_parameters())
    name = resolver.resolve(machine.name)
    assert name == "leadwave-local-distribution"
    assert resolver.resolve(t.global_env()["STATE_MACHINE_ARN"]).endswith(f":stateMachine:{name}")
    assert machine.definition_uri is not None and machine.definition_uri.exists()


# ---------------------------------------------------------------- routing and events

def _route(method: str, path: str, fn: str = "F") -> Route:
    return Route(method=method, path=path, function_id=fn, event_id=fn, api_id="Api", authorizer=None,
                 api_key_required=False)


ROUTER = Router([
    _route("POST", "/v1/leads", "PostLead"), _route("GET", "/v1/leads", "SearchLeads"),
    _route("POST", "/v1/leads/bulk", "Bulk"), _route("GET", "/v1/leads/{prospect_id}", "GetLead"),
    _route("POST", "/v1/leads/{prospect_id}/{action}", "Action"),
    _route("GET", "/v1/leads/{prospect_id}/calls", "Calls"),
    _route("ANY", "/v1/campaigns/{item_id}", "Campaign"), _route("GET", "/files/{path+}", "Files"),
])


@pytest.mark.parametrize(("method", "path", "function", "params"), [
    ("POST", "/v1/leads", "PostLead", {}),
    ("GET", "/v1/leads", "SearchLeads", {}),
    ("POST", "/v1/leads/bulk", "Bulk", {}),
    ("GET", "/v1/leads/pr_1", "GetLead", {"prospect_id": "pr_1"}),
    ("POST", "/v1/leads/pr_1/claim", "Action", {"prospect_id": "pr_1", "action": "claim"}),
    ("GET", "/v1/leads/pr_1/calls", "Calls", {"prospect_id": "pr_1"}),
    ("DELETE", "/v1/campaigns/c%201", "Campaign", {"item_id": "c 1"}),
    ("PATCH", "/v1/campaigns/c1/", "Campaign", {"item_id": "c1"}),
    ("GET", "/files/a/b/c.txt", "Files", {"path": "a/b/c.txt"}),
])
def test_router_matches_like_api_gateway(method: str, path: str, function: str, params: dict) -> None:
    route, found = ROUTER.match(method, path)
    assert (route.function_id, found) == (function, params)


def test_router_prefers_the_literal_resource_and_reports_its_methods() -> None:
    with pytest.raises(MethodNotAllowed) as err:  # /v1/leads/bulk exists: GET does not fall to {prospect_id}
        ROUTER.match("GET", "/v1/leads/bulk")
    assert err.value.allowed == ["POST"]
    with pytest.raises(RouteNotFound):
        ROUTER.match("GET", "/v1/nothing")
    with pytest.raises(RouteNotFound):
        ROUTER.match("GET", "/files")


def test_proxy_event_has_the_rest_api_shape() -> None:
    req = HttpRequest(method="POST", path="/v1/leads/pr_1/claim", headers=[("Host", "127.0.0.1:3000"),
                      ("X-Multi", "a"), ("X-Multi", "b")], query=[("q", "1"), ("q", "2")], body=b"\xff\x00",
                      source_ip="127.0.0.1")
    route, params = ROUTER.match(req.method, req.path)
    event = proxy_event(req, route, params, "prod", "localapi", {"principalId": "p"})
    assert event["resource"] == "/v1/leads/{prospect_id}/{action}"
    assert event["headers"]["X-Multi"] == "b" and event["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["isBase64Encoded"] is True and event["body"] == "/wA="
    ctx = event["requestContext"]
    assert (ctx["stage"], ctx["resourcePath"], ctx["identity"]["sourceIp"], ctx["authorizer"]) == (
        "prod", route.path, "127.0.0.1", {"principalId": "p"})
    empty = proxy_event(HttpRequest("GET", "/v1/leads/x", [], [], b"", "1.2.3.4"), *ROUTER.match("GET", "/v1/leads/x"),
                        "prod", "localapi")
    assert empty["queryStringParameters"] is None and empty["body"] is None and "authorizer" not in empty[
        "requestContext"]


def test_policy_evaluation_denies_unless_allowed_and_deny_wins() -> None:
    arn = "arn:aws:execute-api:us-east-1:123456789012:api/prod/POST/v1/leads"
    allow = {"Action": "execute-api:Invoke", "Effect": "Allow",
             "Resource": ["arn:aws:execute-api:*:*:api/prod/*/v1/leads"]}
    deny = {**allow, "Effect": "Deny"}
    assert policy_allows({"Statement": [allow]}, arn)
    assert not policy_allows({"Statement": [allow, deny]}, arn)
    assert not policy_allows({"Statement": [{**allow, "Resource": "arn:aws:execute-api:*:*:api/prod/GET/*"}]}, arn)


def test_cognito_claims_are_strings_and_expired_tokens_are_refused() -> None:
    now = int(time.time())
    claims = {"sub": "agent01", "email": "a@demo.test", "custom:org_id": "demo", "token_use": "id",
              "cognito:groups": ["agent", "manager"], "email_verified": True, "iss": "leadwave-local",
              "aud": "leadwave-local-spa", "iat": now, "exp": now + 60}
    out = cognito_claims(jwt.encode(claims, "s3cret-for-tests-only-32-bytes!!", algorithm="HS256"),
                         "s3cret-for-tests-only-32-bytes!!")
    assert out["cognito:groups"] == "agent,manager" and out["email_verified"] == "true"
    assert out["custom:org_id"] == "demo" and out["exp"].endswith(time.strftime("%Y", time.gmtime(now + 60)))
    expired = jwt.encode({**claims, "exp": now - 1}, "s3cret-for-tests-only-32-bytes!!", algorithm="HS256")
    with pytest.raises(GatewayError):
        cognito_claims(expired, "s3cret-for-tests-only-32-bytes!!")


# ---------------------------------------------------------------- SQS poller

SOURCE = SqsEventSource(function_id="Consumer", event_id="Q", queue={"Fn::GetAtt": ["Q", "Arn"]}, batch_size=10,
                        batching_window=0, function_response_types=("ReportBatchItemFailures",))


@pytest.fixture
def queue():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for i in range(3):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": i}), MessageAttributes={
                "kind": {"DataType": "String", "StringValue": "test"}})
        yield sqs, url, arn, dlq


def _visible(sqs, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_poller_deletes_only_records_not_reported_failed(queue) -> None:
    sqs, url, arn, _ = queue
    events = []

    def consumer(event):
        events.append(event)
        bad = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["n"] == 1]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in bad]}

    poller = SqsPoller(SOURCE, url, arn, consumer, wait_seconds=0)
    assert poller.poll_once() == 3
    record = events[0]["Records"][0]
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == ("aws:sqs", arn, "us-east-1")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {"stringValue": "test", "stringListValues": [],
                                                   "binaryListValues": [], "dataType": "String"}
    assert _visible(sqs, url) == 1  # the failed record alone stays, and comes back after the timeout
    time.sleep(1.1)
    assert poller.poll_once() == 1
    (again,) = events[1]["Records"]
    assert json.loads(again["body"]) == {"n": 1} and again["attributes"]["ApproximateReceiveCount"] == "2"


def test_poller_deletes_nothing_when_the_function_fails_and_moto_redrives(queue) -> None:
    sqs, url, arn, dlq = queue

    def failing(event):
        raise FunctionError({"errorType": "ValueError", "errorMessage": "boom"})

    poller = SqsPoller(SOURCE, url, arn, failing, wait_seconds=0)
    assert poller.poll_once() == 3
    assert _visible(sqs, url) == 3
    time.sleep(1.1)
    assert poller.poll_once() == 3  # second receive: maxReceiveCount reached
    time.sleep(1.1)
    assert poller.poll_once() == 0
    assert _visible(sqs, dlq) == 3


def test_poller_treats_an_unknown_item_identifier_as_a_whole_batch_failure(queue) -> None:
    sqs, url, arn, _ = queue
    poller = SqsPoller(SOURCE, url, arn, lambda e: {"batchItemFailures": [{"itemIdentifier": "nope"}]},
                       wait_seconds=0)
    poller.poll_once()
    assert _visible(sqs, url) == 3
    poller = SqsPoller(SOURCE, url, arn, lambda e: None, wait_seconds=0)  # null answer: all succeeded
    time.sleep(1.1)
    poller.poll_once()
    assert _visible(sqs, url) == 0


# ---------------------------------------------------------------- Lambda runtime

def test_runtime_keeps_same_named_modules_of_functions_apart(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "helpers.py").write_text(f"WHO = {name!r}\n")
        (tmp_path / name / "app.py").write_text(textwrap.dedent("""
            import time
            from decimal import Decimal
            import helpers
            def handler(event, context):
                if event.get("raise"):
                    raise KeyError("missing")
                if event.get("sleep"):
                    time.sleep(event["sleep"])
                return {"who": helpers.WHO, "name": context.function_name, "amount": Decimal("1.5"),
                        "left": context.get_remaining_time_in_millis(), "memory": context.memory_limit_in_mb}
        """))
    t = write_template(tmp_path, """
        Globals: {Function: {Timeout: 1, MemorySize: 256}}
        Resources:
          One: {Type: AWS::Serverless::Function, Properties: {CodeUri: one/, Handler: app.handler}}
          Two: {Type: AWS::Serverless::Function, Properties: {CodeUri: two/, Handler: app.handler}}
    """)
    runtime = LambdaRuntime(t, {"One": physical_name("One"), "Two": physical_name("Two")})
    one, two = runtime.invoke("One", {}), runtime.invoke("Two", {})
    assert (one["who"], two["who"], one["name"], one["amount"], one["memory"]) == (
        "one", "two", "leadwave-local-One", 1.5, "256")
    assert 0 < one["left"] <= 1000
    assert runtime.resolve_id("arn:aws:lambda:us-east-1:123456789012:function:leadwave-local-Two:$LATEST") == "Two"
    with pytest.raises(FunctionError) as err:
        runtime.invoke("One", {"raise": True})
    assert err.value.payload["errorType"] == "KeyError"
    payload, failed = runtime.invoke_payload("Two", json.dumps({"sleep": 1.1}))
    assert failed and json.loads(payload)["errorType"] == "Sandbox.Timedout"
    assert Decimal("1.5") == Decimal(str(runtime.invoke("Two", {})["amount"]))


# ---------------------------------------------------------------- Step Functions on moto, Task -> handler

WAVE_TASKS = '''
import json
import boto3
from leadwave.store.aws import end_wave, hold

sfn = boto3.client("stepfunctions")
WAVES = {}


class TaskRetryable(Exception):
    pass


def handler(event, context):
    action, pid = event["action"], event.get("prospect_id")
    if action == "open_wave":
        if pid.startswith("crash"):
            raise RuntimeError("the wave could not be opened")
        WAVES[pid] = WAVES.get(pid, 0) + 1
        if pid.startswith("held") and WAVES[pid] == 1:  # out of hours: wait 1 s, then open with a 2-s timeout
            hold(event["token"], {"prospect_id": pid, "timeout_seconds": 2, "wait_seconds": 1})
            return {"held": True}
        if pid.startswith("flaky") and WAVES[pid] == 1:  # a throttle: the state machine retries the task
            raise TaskRetryable("ProvisionedThroughputExceededException")
        if pid.startswith("declined") and WAVES[pid] == 1:  # every agent declined at once
            end_wave(event["token"], "every agent of the wave declined")
            return {"declined": True}
        if WAVES[pid] >= 2:  # no further wave: the task places the lead and resumes its own token
            sfn.send_task_success(taskToken=event["token"], output=json.dumps(
                {"next": "done", "prospect_id": pid, "placed": "fresh", "reason": f"after {WAVES[pid]} waves"}))
        return {"opened": WAVES[pid]}
    if action == "fallback":
        return {"placed": "fresh", "reason": event["reason"]}
    raise ValueError("kaboom")
'''

ERRORS_ASL = {"StartAt": "Boom", "States": {
    "Boom": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "${TaskArn}", "Payload": {"action": "boom"}},
             "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Caught"}], "End": True},
    "Caught": {"Type": "Succeed"}}}


@pytest.fixture(scope="module")
def moto_sfn(tmp_path_factory: pytest.TempPathFactory):
    import os

    import requests
    from moto.server import ThreadedMotoServer

    from infra.local.lambdas import install_moto_dispatch
    from infra.local.resources import create_resources, moto_client
    from infra.local.settings import REPO_ROOT, Settings, free_port
    from infra.local.stack import MOTO_CONFIG

    root = tmp_path_factory.mktemp("sfn")
    (root / "fn").mkdir()
    (root / "fn" / "tasks.py").write_text(WAVE_TASKS)
    (root / "errors.asl.json").write_text(json.dumps(ERRORS_ASL))
    asl = REPO_ROOT / "infra" / "statemachines" / "distribution.asl.json"
    t = write_template(root, f"""
        Globals:
          Function:
            Environment:
              Variables:
                STATE_MACHINE_ARN: !Ref Distribution  # the ARN
        Resources:
          WaveTaskFunction: {{Type: AWS::Serverless::Function, Properties: {{CodeUri: fn/, Handler: tasks.handler}}}}
          Distribution:
            Type: AWS::Serverless::StateMachine
            Properties:
              Name: !Sub "${{AWS::StackName}}-distribution"
              DefinitionUri: {asl}
              DefinitionSubstitutions: {{WaveTaskFunctionArn: !GetAtt WaveTaskFunction.Arn}}
          Errors:
            Type: AWS::Serverless::StateMachine
            Properties: {{DefinitionUri: errors.asl.json, DefinitionSubstitutions: {{TaskArn: !Ref WaveTaskFunction}}}}
    """)
    saved = dict(os.environ)
    port = free_port()
    os.environ["MOTO_PORT"] = str(port)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        requests.post(f"{endpoint}/moto-api/config", json=MOTO_CONFIG, timeout=10).raise_for_status()
        resources = create_resources(t, Settings(), endpoint, "http://127.0.0.1:9")
        os.environ.update(resources.env)
        runtime = LambdaRuntime(t, resources.function_names)
        uninstall = install_moto_dispatch(runtime)
        yield moto_client("stepfunctions", endpoint), resources
        uninstall()
        # moto's configuration is per process: leave it as other tests expect it
        requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": False}},
                      timeout=10)
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def _run(sfn, machine_arn: str, name: str, payload: dict, timeout: float = 30.0) -> dict:
    arn = sfn.start_execution(stateMachineArn=machine_arn, name=name, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + timeout
    while (out := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.05)
    out["events"] = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return out


def test_real_asl_times_out_a_wave_reenters_it_and_resumes_its_own_token(moto_sfn) -> None:
    sfn, resources = moto_sfn
    # Given the production state machine, named as the template says, its tasks on our handler
    machine = resources.attr("Distribution")
    assert machine.endswith(":stateMachine:leadwave-local-distribution")
    assert resources.env["STATE_MACHINE_ARN"] == machine
    started = time.monotonic()
    # When a prospect runs through it: wave 1 gets no claim, wave 2 finds no agents left
    out = _run(sfn, machine, "pr_wave", {"prospect_id": "pr_wave", "timeout_seconds": 1})
    # Then TimeoutSecondsPath (1 s) timed wave 1 out, Catch entered NextWave, and the
    # SendTaskSuccess sent from inside the task's own invocation ended the execution
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"next": "done", "prospect_id": "pr_wave", "placed": "fresh",
                                         "reason": "after 2 waves"}
    types = [e["type"] for e in out["events"]]
    assert types.count("TaskTimedOut") == 1 and types.count("TaskSubmitted") == 2
    assert _entered(out) == ["OpenWave", "NextWave"]
    assert time.monotonic() - started >= 1.0


def _entered(out: dict) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in out["events"] if e["type"].endswith("StateEntered")]


def test_real_asl_holds_a_lead_failed_with_hold_then_opens_with_the_holds_timeout(moto_sfn) -> None:
    sfn, resources = moto_sfn
    started = time.monotonic()
    # When the first task fails its token with leadwave.Hold (aws.hold), its cause the next input
    out = _run(sfn, resources.attr("Distribution"), "held_1", {"prospect_id": "held_1", "timeout_seconds": 60})
    # Then HoldInput unpacks the cause, Hold waits its wait_seconds, and OpenWave runs again with
    # the timeout the hold carried; its own resume ends the execution
    assert out["status"] == "SUCCEEDED", out
    assert _entered(out) == ["OpenWave", "HoldInput", "Hold", "OpenWave"]
    assert json.loads(out["output"])["reason"] == "after 2 waves"
    failed = [e["taskFailedEventDetails"] for e in out["events"] if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["leadwave.Hold"]
    waited = next(e for e in out["events"] if e["type"] == "WaitStateEntered")
    assert json.loads(waited["stateEnteredEventDetails"]["input"]) == {"prospect_id": "held_1", "timeout_seconds": 2,
                                                                       "wait_seconds": 1}
    assert time.monotonic() - started >= 1.0


def test_real_asl_opens_the_next_wave_at_once_when_a_wave_ends_early(moto_sfn) -> None:
    sfn, resources = moto_sfn
    started = time.monotonic()
    out = _run(sfn, resources.attr("Distribution"), "declined_1", {"prospect_id": "declined_1",
                                                                    "timeout_seconds": 60})
    assert out["status"] == "SUCCEEDED", out
    assert _entered(out) == ["OpenWave", "NextWave"]
    assert [e["taskFailedEventDetails"]["error"] for e in out["events"] if e["type"] == "TaskFailed"] == [
        "leadwave.WaveOver"]
    assert time.monotonic() - started < 30  # long before the wave's 60-s timeout


def test_real_asl_retries_a_retryable_task_failure_instead_of_rescuing(moto_sfn) -> None:
    sfn, resources = moto_sfn
    out = _run(sfn, resources.attr("Distribution"), "flaky_1", {"prospect_id": "flaky_1", "timeout_seconds": 60})
    assert out["status"] == "SUCCEEDED", out
    assert _entered(out) == ["OpenWave"]  # retried within the state, no Rescue
    failed = [e["taskFailedEventDetails"]["error"] for e in out["events"] if e["type"] == "TaskFailed"]
    assert failed == ["TaskRetryable"] and json.loads(out["output"])["next"] == "done"


def test_a_handler_exception_is_a_task_failure_named_after_its_type(moto_sfn) -> None:
    sfn, resources = moto_sfn
    out = _run(sfn, resources.attr("Errors"), "boom", {})
    assert out["status"] == "SUCCEEDED", out
    error = json.loads(out["output"])["error"]
    assert error["Error"] == "ValueError"
    assert json.loads(error["Cause"])["errorMessage"] == "kaboom"
    failed = [e for e in out["events"] if e["type"] == "TaskFailed"]
    assert failed and failed[0]["taskFailedEventDetails"]["error"] == "ValueError"


def test_a_task_failing_for_good_sends_the_lead_to_rescue_not_into_limbo(moto_sfn) -> None:
    from leadwave.models import Reason

    sfn, resources = moto_sfn
    out = _run(sfn, resources.attr("Distribution"), "crash_1", {"prospect_id": "crash_1", "timeout_seconds": 1})
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"placed": "fresh", "reason": Reason.DISTRIBUTION_FAILED}
    assert _entered(out)[-1] == "Rescue"


def test_schedules_run_rate_expressions_with_a_scheduled_event() -> None:
    from infra.local.schedules import Scheduler, rate_seconds
    from infra.local.template import Function

    assert (rate_seconds("rate(5 minutes)"), rate_seconds("rate(1 hour)"), rate_seconds("rate(2 days)")) == (
        300, 3600, 172800)
    with pytest.raises(ValueError):
        rate_seconds("cron(0 12 * * ? *)")
    fn = Function("Sweep", "x/", "h.handler", 3, 128, "python3.12",
                  {"Every": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}}, {})
    calls = []
    scheduler = Scheduler({"Sweep": fn}, lambda fid, event: calls.append((fid, event["detail-type"])))
    assert scheduler.jobs == [("Sweep", "Every", 300)]
    scheduler.jobs = [("Sweep", "Every", 0.05)]  # type: ignore[list-item]
    scheduler.start()
    time.sleep(0.3)
    scheduler.stop()
    assert calls and calls[0] == ("Sweep", "Scheduled Event")
