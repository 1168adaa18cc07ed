"""template.yaml expanded offline by aws-sam-translator; assertions on the CloudFormation it yields.

These are the properties the design relies on and that no local run can show: partial batch
failures and a DLQ on the queue, the API's auth per route, table settings, the state machine's
wiring, and IAM that grants what the code needs and nothing broad.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.infra_helpers import ROOT, as_list, load_template, resolve, role_statements

SAM = load_template()
FUNCTIONS = {k: v for k, v in SAM["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
ASL_PATH = ROOT / SAM["Resources"]["DistributionStateMachine"]["Properties"]["DefinitionUri"]
PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")

VENDOR_ROUTES = {("post", "/v1/leads"), ("post", "/v1/leads/ping"), ("get", "/v1/returns")}  # issue 14: ping, returns
# used by vendors (API key) and users (id token) alike: one authorizer that accepts either, no API key required
# (a lead's status or page; a bulk upload and its progress; a transfer, a call center's patch-out)
LEAD_READER_ROUTES = {("get", "/v1/leads/{prospect_id}"), ("post", "/v1/leads/bulk"),
                      ("get", "/v1/uploads/{upload_id}"), ("get", "/v1/uploads/{upload_id}/rejected"),
                      ("post", "/v1/leads/{prospect_id}/transfer")}
CONTRACT_ROUTES = VENDOR_ROUTES | LEAD_READER_ROUTES | {
    ("get", "/v1/me"),
    ("put", "/v1/me/availability"),
    ("get", "/v1/me/offers"),
    ("get", "/v1/me/leads"),
    ("post", "/v1/offers/{prospect_id}/claim"),
    ("post", "/v1/offers/{prospect_id}/decline"),
    ("get", "/v1/fresh"),
    ("post", "/v1/fresh/{prospect_id}/claim"),
    ("post", "/v1/queue/next"),
    ("post", "/v1/leads/{prospect_id}/{action}"),
    ("get", "/v1/leads"),
    ("put", "/v1/me/preferences"),
    ("get", "/v1/lists"),
    ("post", "/v1/lists"),
    ("post", "/v1/lists/{list_id}/split"),
    ("post", "/v1/lists/{list_id}/leads"),
    ("get", "/v1/reports/marketing"),
    ("get", "/v1/reports/speed"),
    ("get", "/v1/exceptions"),
    ("post", "/v1/exceptions/{prospect_id}/assign"),
    ("post", "/v1/exceptions/{prospect_id}/ignore"),
    ("get", "/v1/campaigns"),
    ("post", "/v1/campaigns"),
    ("get", "/v1/groups"),
    ("post", "/v1/groups"),
    ("get", "/v1/agents"),
    ("post", "/v1/agents"),
    ("get", "/v1/org"),
    ("put", "/v1/org"),
    ("get", "/v1/vendors"),
    ("post", "/v1/vendors"),
    ("post", "/ivr/answer"),
    ("post", "/ivr/press"),
    ("post", "/ivr/status"),
    ("post", "/ivr/recording"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


def _of_type(resources: dict[str, Any], type_: str) -> dict[str, Any]:
    return {k: v for k, v in resources.items() if v["Type"] == type_}


def _asl() -> dict[str, Any]:
    return json.loads(ASL_PATH.read_text(encoding="utf-8"))


def _states(definition: dict[str, Any]):
    """Every state, nested Parallel branches and Map iterators included."""
    for name, state in definition["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from _states(state[key])


# ---------------------------------------------------------------- SQS and the consumer


def test_distribute_function_reports_partial_batch_failures(cfn_resources):
    mappings = [
        m
        for m in _of_type(cfn_resources, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "DistributeFunction"}
    ]
    assert len(mappings) == 1
    props = mappings[0]["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["DistributionQueue", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert isinstance(props["BatchSize"], int) and 1 <= props["BatchSize"] <= 10


def test_distribution_queue_redrives_to_dlq(cfn_resources):
    queue = cfn_resources["DistributionQueue"]["Properties"]
    dlq = cfn_resources["DistributionDLQ"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["DistributionDLQ", "Arn"]}
    assert 1 <= int(queue["RedrivePolicy"]["maxReceiveCount"]) <= 10
    # AWS: visibility timeout at least 6x the consumer's timeout, or batches get redelivered mid-run.
    timeout = cfn_resources["DistributeFunction"]["Properties"]["Timeout"]
    assert int(queue["VisibilityTimeout"]) >= 6 * int(timeout)
    # A redriven message keeps its first enqueue time: the DLQ must keep it longer than the source.
    assert int(dlq["MessageRetentionPeriod"]) > int(queue["MessageRetentionPeriod"])


# ---------------------------------------------------------------- tables


def test_every_table_is_on_demand(cfn_resources):
    tables = _of_type(cfn_resources, "AWS::DynamoDB::Table")
    assert {"DirectoryTable", "LeadsTable", "IdempotencyTable"} <= set(tables)
    for name, table in tables.items():
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST", name


@pytest.mark.parametrize("name", ["DirectoryTable", "LeadsTable"])
def test_business_tables_have_pitr_and_are_retained(cfn_resources, name):
    table = cfn_resources[name]
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table.get("DeletionPolicy") == "Retain"
    assert table.get("UpdateReplacePolicy") == "Retain"


@pytest.mark.parametrize(
    ("name", "attribute"), [("LeadsTable", "expires_ttl"), ("IdempotencyTable", "expiration")]
)
def test_ttl_attribute(cfn_resources, name, attribute):
    ttl = cfn_resources[name]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": attribute, "Enabled": True}


def test_idempotency_table_matches_powertools_defaults(cfn_resources):
    props = cfn_resources["IdempotencyTable"]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


# ---------------------------------------------------------------- state machine


def test_state_machine_is_standard_and_wired_to_wave_task(cfn_resources):
    machine = cfn_resources["DistributionStateMachine"]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"  # waitForTaskToken needs Standard
    assert machine["DefinitionSubstitutions"]["WaveTaskFunctionArn"] == {
        "Fn::GetAtt": ["WaveTaskFunction", "Arn"]
    }


def test_every_asl_placeholder_has_a_substitution(cfn_resources):
    machine = cfn_resources["DistributionStateMachine"]["Properties"]
    definition = machine["DefinitionString"]
    if isinstance(definition, dict):  # the translator emits Fn::Join of the pretty-printed lines
        separator, lines = definition["Fn::Join"]
        definition = separator.join(lines)
    json.loads(definition)
    used = set(PLACEHOLDER.findall(definition))
    substitutions = set(machine["DefinitionSubstitutions"])
    assert used, "the definition should reference its functions through substitutions"
    assert used <= substitutions, f"placeholders without a substitution: {sorted(used - substitutions)}"
    assert substitutions <= used, f"substitutions the ASL never uses: {sorted(substitutions - used)}"
    raw = set(PLACEHOLDER.findall(ASL_PATH.read_text(encoding="utf-8")))
    assert raw == used


def test_state_machine_role_invokes_every_substituted_function(cfn_resources):
    machine = cfn_resources["DistributionStateMachine"]["Properties"]
    role = machine["RoleArn"]["Fn::GetAtt"][0]
    functions = {
        value["Fn::GetAtt"][0]
        for value in machine["DefinitionSubstitutions"].values()
        if isinstance(value, dict)
        and "Fn::GetAtt" in value
        and cfn_resources[value["Fn::GetAtt"][0]]["Type"] == "AWS::Lambda::Function"
    }
    granted = set()
    for logical_id, _, stmt in role_statements(cfn_resources):
        allows = stmt["Effect"] == "Allow" and "lambda:InvokeFunction" in as_list(stmt["Action"])
        if logical_id == role and allows:
            text = json.dumps(stmt["Resource"])
            granted |= {f for f in functions if f'"{f}"' in text}
    assert functions and functions <= granted


def test_state_machine_name_matches_the_arns_that_point_at_it(sam_template, cfn_resources):
    """Functions get the machine's ARN from its name (a Ref would be a dependency cycle)."""
    name = resolve(cfn_resources["DistributionStateMachine"]["Properties"]["StateMachineName"], sam_template)
    expected = f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    env = sam_template["Globals"]["Function"]["Environment"]["Variables"]
    assert resolve(env["STATE_MACHINE_ARN"], sam_template) == expected
    for logical_id, _, stmt in role_statements(cfn_resources):
        if any(str(a).startswith("states:") for a in as_list(stmt["Action"])):
            for resource in as_list(resolve(stmt["Resource"], sam_template)):
                executions = expected.replace(":stateMachine:", ":execution:") + ":*"  # DescribeExecution
                assert resource in (expected, executions), (logical_id, resource)


def test_distribute_function_may_start_the_execution(sam_template, cfn_resources):
    actions = {
        action
        for logical_id, _, stmt in role_statements(cfn_resources)
        if logical_id == "DistributeFunctionRole" and stmt["Effect"] == "Allow"
        for action in as_list(stmt["Action"])
    }
    assert "states:StartExecution" in actions


@pytest.mark.parametrize("function", ["WaveTaskFunction", "ClaimFunction", "IvrFunction"])
def test_claimers_may_resume_the_task_token(cfn_resources, function):
    actions = {
        action
        for logical_id, _, stmt in role_statements(cfn_resources)
        if logical_id == f"{function}Role" and stmt["Effect"] == "Allow"
        for action in as_list(stmt["Action"])
    }
    assert "states:SendTaskSuccess" in actions


# ---------------------------------------------------------------- the ASL file


def test_asl_is_valid_json_with_consistent_transitions():
    definition = _asl()
    names = {name for name, _ in _states(definition)}
    assert definition["StartAt"] in names
    for name, state in _states(definition):
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [c.get("Next") for c in state.get("Catch", [])]
        for target in filter(None, targets):
            assert target in names, f"{name} -> {target}"
        terminal = state["Type"] in ("Succeed", "Fail", "Choice") or state.get("End") is True
        assert terminal or "Next" in state, f"{name} neither ends nor has Next"


def test_every_asl_task_targets_a_substitution():
    for name, state in _states(_asl()):
        if state["Type"] != "Task":
            continue
        resource = state["Resource"]
        if resource.startswith("arn:aws:states:::lambda:invoke"):
            target = state["Parameters"]["FunctionName"]
        else:
            target = resource
        assert PLACEHOLDER.fullmatch(target), f"{name} targets {target!r}, not a ${{...}} substitution"


def test_waiting_tasks_pass_their_token_and_time_out():
    """A Standard execution waits up to a year: a lost token must end in a timeout."""
    waiting = [(n, s) for n, s in _states(_asl()) if s.get("Resource", "").endswith(".waitForTaskToken")]
    assert waiting
    for name, state in waiting:
        assert "$$.Task.Token" in json.dumps(state["Parameters"]), name
        limits = {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"}
        assert limits & set(state), name


def test_asl_has_no_pass_state_on_a_path_every_lead_takes():
    """Each transition is billed (DESIGN section 4): the one Pass state unpacks a hold's input,
    entered only by a lead held for business hours, and goes straight to the wait."""
    states = dict(_states(_asl()))
    assert [n for n, s in states.items() if s["Type"] == "Pass"] == ["HoldInput"]
    assert states["HoldInput"]["Next"] == "Hold" and states["Hold"]["Type"] == "Wait"
    entries = [c for s in states.values() for c in s.get("Catch", []) if c["Next"] == "HoldInput"]
    assert entries and all(c["ErrorEquals"] == ["leadwave.Hold"] for c in entries)


# ---------------------------------------------------------------- API


@pytest.fixture(scope="module")
def swagger(cfn_resources) -> dict[str, Any]:
    return cfn_resources["LeadwaveApi"]["Properties"]["Body"]


def _operations(swagger):
    for path, methods in swagger["paths"].items():
        for method, operation in methods.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_contract_routes_exist(swagger):
    routes = {(m, p) for p, m, _ in _operations(swagger)}
    assert not CONTRACT_ROUTES - routes, sorted(CONTRACT_ROUTES - routes)


def test_only_v1_and_ivr_routes_are_deployed(swagger):
    stray = [p for p in swagger["paths"] if not p.startswith(("/v1/", "/ivr/"))]
    assert not stray, f"routes outside /v1 and /ivr (local-only routes must stay out of AWS): {stray}"


def test_vendor_routes_use_key_authorizer_and_api_key(swagger):
    definitions = swagger["securityDefinitions"]
    authorizer = definitions["VendorKeyAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "request"
    assert "method.request.header.x-api-key" in authorizer["identitySource"]
    assert "VendorAuthorizerFunction" in json.dumps(authorizer["authorizerUri"])
    assert definitions["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    for path, method, operation in _operations(swagger):
        if (method, path) in VENDOR_ROUTES:
            schemes = {name for requirement in operation.get("security", []) for name in requirement}
            assert schemes == {"VendorKeyAuthorizer", "api_key"}, (method, path, schemes)


def test_the_lead_reader_route_takes_a_vendor_key_or_a_user_token(swagger, cfn_resources):
    authorizer = swagger["securityDefinitions"]["LeadReaderAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "request"
    assert "LeadReaderAuthorizerFunction" in json.dumps(authorizer["authorizerUri"])
    assert authorizer.get("authorizerResultTtlInSeconds", 0) == 0  # either header may carry the identity
    assert cfn_resources["LeadReaderAuthorizerFunction"]["Properties"]["Handler"] == "authorizer.lead_reader_handler"
    for path, method, operation in _operations(swagger):
        if (method, path) in LEAD_READER_ROUTES:
            schemes = {name for requirement in operation.get("security", []) for name in requirement}
            assert schemes == {"LeadReaderAuthorizer"}, (method, path, schemes)  # users have no API key
            function = "IngestFunction" if "bulk" in path or "uploads" in path else "ClaimFunction"
            assert function in json.dumps(operation["x-amazon-apigateway-integration"]["uri"]), (method, path)


def test_ivr_routes_have_no_authorizer(swagger):
    ivr = [(p, m, op) for p, m, op in _operations(swagger) if p.startswith("/ivr/")]
    assert ivr
    for path, method, operation in ivr:
        security = operation.get("security", [])
        assert security in ([], [{"NONE": []}]), (method, path, security)


def test_other_v1_routes_use_cognito(swagger):
    assert swagger["securityDefinitions"]["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [{"Fn::GetAtt": ["UserPool", "Arn"]}],
    }
    checked = 0
    for path, method, operation in _operations(swagger):
        if path.startswith("/v1/") and method != "options" and (method, path) not in VENDOR_ROUTES | LEAD_READER_ROUTES:
            assert operation.get("security") == [{"CognitoAuthorizer": []}], (method, path)
            checked += 1
    assert checked >= 20


def test_cors_preflight_is_unauthenticated(swagger):
    for path, method, operation in _operations(swagger):
        if method == "options":
            assert operation.get("security", []) in ([], [{"NONE": []}]), path


def test_gateway_errors_follow_the_contract_and_carry_cors(swagger):
    responses = swagger["x-amazon-apigateway-gateway-responses"]
    expected = {"UNAUTHORIZED", "INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED"}
    expected |= {"DEFAULT_4XX", "DEFAULT_5XX"}
    assert expected <= set(responses)
    for name, response in responses.items():
        body = response["responseTemplates"]["application/json"]
        body = body.replace("$context.error.messageString", '"x"')
        assert set(json.loads(body)) == {"code", "message", "details"}, name
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in response["responseParameters"], name
    assert responses["THROTTLED"]["statusCode"] == "429"
    assert "gatewayresponse.header.Retry-After" in responses["THROTTLED"]["responseParameters"]


def test_authorizer_may_be_invoked_by_api_gateway(cfn_resources):
    permissions = [
        p["Properties"]
        for p in _of_type(cfn_resources, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": ["VendorAuthorizerFunction", "Arn"]}
    ]
    assert permissions and all(p["Principal"] == "apigateway.amazonaws.com" for p in permissions)


def test_vendor_usage_plan_exists_and_is_exported(cfn, cfn_resources):
    plans = _of_type(cfn_resources, "AWS::ApiGateway::UsagePlan")
    assert len(plans) == 1
    ((logical_id, plan),) = plans.items()
    assert plan["Properties"]["ApiStages"][0]["ApiId"] == {"Ref": "LeadwaveApi"}
    assert {"Throttle", "Quota"} <= set(plan["Properties"])
    assert cfn["Outputs"]["UsagePlanId"]["Value"] == {"Ref": logical_id}


def test_outputs_reference_existing_resources(cfn, cfn_resources):
    def refs(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "Ref" and isinstance(inner, str) and not inner.startswith("AWS::"):
                    yield inner
                elif key == "Fn::GetAtt":
                    yield inner[0] if isinstance(inner, list) else inner.split(".")[0]
                else:
                    yield from refs(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from refs(inner)

    known = set(cfn_resources) | set(cfn.get("Parameters", {}))
    for name, output in cfn["Outputs"].items():
        for ref in refs(output["Value"]):
            assert ref in known, (name, ref)


# ---------------------------------------------------------------- IAM


def test_no_wildcard_actions_and_no_dynamodb_on_every_resource(cfn_resources):
    problems = []
    for logical_id, policy, stmt in role_statements(cfn_resources):
        if stmt.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in as_list(stmt.get("Action", []))]
        resources = as_list(stmt.get("Resource", []))
        if "NotAction" in stmt or "NotResource" in stmt:
            problems.append((logical_id, policy, "NotAction/NotResource"))
        for action in actions:
            if action == "*" or action.endswith(":*"):
                problems.append((logical_id, policy, action))
            if action.startswith("dynamodb:") and "*" in resources:
                problems.append((logical_id, policy, f"{action} on *"))
    assert not problems, problems


def test_no_broad_managed_policies(cfn_resources):
    for logical_id, role in _of_type(cfn_resources, "AWS::IAM::Role").items():
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            text = json.dumps(arn)
            assert not re.search(r"AdministratorAccess|PowerUserAccess|FullAccess", text), (logical_id, arn)


@pytest.mark.parametrize(
    ("role", "parameter"),
    [
        ("VendorAuthorizerFunctionRole", "KeyPepperParameterName"),
        ("ClaimFunctionRole", "KeyPepperParameterName"),
        ("WaveTaskFunctionRole", "TwilioAuthTokenParameterName"),
        ("IvrFunctionRole", "TwilioAuthTokenParameterName"),
    ],
)
def test_secret_readers_can_read_their_whole_parameter(sam_template, cfn_resources, role, parameter):
    name = sam_template["Parameters"][parameter]["Default"]
    assert name.startswith("/")
    expected = f"arn:aws:ssm:us-east-1:123456789012:parameter{name}"
    granted = [
        resource
        for logical_id, _, stmt in role_statements(cfn_resources)
        if logical_id == role and stmt["Effect"] == "Allow" and "ssm:GetParameter" in as_list(stmt["Action"])
        for resource in as_list(resolve(stmt["Resource"], sam_template))
    ]
    assert expected in granted, granted


# ---------------------------------------------------------------- code on disk


def _code_uri(props: dict[str, Any]) -> str:
    return props.get("CodeUri") or SAM.get("Globals", {}).get("Function", {}).get("CodeUri")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_handler_file_exists_and_defines_the_handler(function):
    props = FUNCTIONS[function]["Properties"]
    module, _, attribute = props["Handler"].rpartition(".")
    path = ROOT / _code_uri(props) / Path(*module.split(".")).with_suffix(".py")
    assert path.is_file(), f"{function}: {path.relative_to(ROOT)} does not exist"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {alias.asname or alias.name for alias in node.names}
    assert attribute in defined, f"{function}: {path.relative_to(ROOT)} defines no {attribute!r}"


def test_layer_content_is_the_shared_package():
    layer = SAM["Resources"]["SharedLayer"]
    content = ROOT / layer["Properties"]["ContentUri"]
    assert (content / "requirements.txt").is_file()
    assert (content / "leadwave" / "__init__.py").is_file()
    runtime = SAM["Globals"]["Function"]["Runtime"]
    assert layer["Metadata"]["BuildMethod"] == runtime
    assert runtime in layer["Properties"]["CompatibleRuntimes"]
    assert SAM["Globals"]["Function"]["Architectures"] == layer["Properties"]["CompatibleArchitectures"]


def test_the_stuck_lead_sweeper_runs_every_five_minutes_and_may_only_describe_executions(cfn_resources):
    rules = [r for r in cfn_resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert any(r["Properties"].get("ScheduleExpression") == "rate(5 minutes)" for r in rules)
    actions = {a for lid, _, stmt in role_statements(cfn_resources) if lid == "SweepFunctionRole"
               for a in as_list(stmt["Action"]) if str(a).startswith("states:")}
    assert actions == {"states:DescribeExecution"}
