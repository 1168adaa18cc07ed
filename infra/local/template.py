"""Read ``template.yaml`` (SAM) as the local stack's only source of routes, tables, queues...

The YAML loader turns CloudFormation short tags into their long form (``!Ref X`` is
``{"Ref": "X"}``, ``!GetAtt A.B`` is ``{"Fn::GetAtt": ["A", "B"]}``). The resolver in
``infra.local.resolver`` evaluates those against the local physical values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.local.resolver import NO_VALUE, Resolver, UnresolvedReference
from infra.local.settings import REPO_ROOT

__all__ = ["NO_VALUE", "CfnLoader", "Resolver", "Template", "UnresolvedReference"]

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
API_TYPE = "AWS::Serverless::Api"
IMPLICIT_API = "ServerlessRestApi"
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)\}")  # ${LogicalId} in a Fn::Sub (no attribute)


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands ``!Ref``, ``!GetAtt``, ``!Sub``, ``!If``... tags."""


def _construct_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: str
    handler: str
    timeout: int
    memory: int
    runtime: str
    events: dict[str, Any]
    environment: dict[str, Any]


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # as in the template, with {param} / {param+} segments
    function_id: str
    event_id: str
    api_id: str
    authorizer: str | None  # name in the Api's Auth.Authorizers; None = open
    api_key_required: bool


@dataclass(frozen=True)
class Authorizer:
    name: str
    kind: str  # "cognito" | "lambda"
    function_id: str | None = None
    payload_type: str = "TOKEN"  # lambda authorizers: TOKEN | REQUEST
    identity_headers: tuple[str, ...] = ()
    identity_query: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SqsEventSource:
    function_id: str
    event_id: str
    queue: Any  # usually {"Fn::GetAtt": [QueueLogicalId, "Arn"]}
    batch_size: int
    batching_window: int
    function_response_types: tuple[str, ...]
    enabled: bool = True

    @property
    def queue_logical_id(self) -> str | None:
        if isinstance(self.queue, dict) and "Fn::GetAtt" in self.queue:
            return str(self.queue["Fn::GetAtt"][0])
        if isinstance(self.queue, dict) and "Ref" in self.queue:
            return str(self.queue["Ref"])
        return None

    @property
    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types


@dataclass(frozen=True)
class DynamoDBEventSource:
    """A ``Type: DynamoDB`` event: a stream event source mapping (defaults are Lambda's)."""

    function_id: str
    event_id: str
    stream: Any  # usually {"Fn::GetAtt": [TableLogicalId, "StreamArn"]}
    starting_position: str = "TRIM_HORIZON"  # TRIM_HORIZON | LATEST
    batch_size: int = 100
    batching_window: int = 0
    maximum_retry_attempts: int = -1  # -1: retry until the record expires from the stream
    bisect_on_error: bool = False
    function_response_types: tuple[str, ...] = ()
    filters: tuple[dict[str, Any], ...] = ()  # FilterCriteria patterns, parsed from their JSON
    enabled: bool = True

    @property
    def table_logical_id(self) -> str | None:
        """The table of ``!GetAtt Table.StreamArn`` (or ``!GetAtt Table.LatestStreamArn``)."""
        if isinstance(self.stream, dict) and "Fn::GetAtt" in self.stream:
            return str(self.stream["Fn::GetAtt"][0])
        return None

    @property
    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types


def filter_patterns(criteria: Any) -> tuple[dict[str, Any], ...]:
    """The patterns of an event's ``FilterCriteria`` (each ``Pattern`` is a JSON string)."""
    patterns = []
    for entry in (criteria or {}).get("Filters") or ():
        pattern = entry.get("Pattern") if isinstance(entry, dict) else None
        if isinstance(pattern, str):
            try:
                pattern = json.loads(pattern)
            except ValueError as err:
                raise ValueError(f"FilterCriteria pattern is not JSON: {pattern!r} ({err})") from None
        if not isinstance(pattern, dict):
            raise ValueError(f"FilterCriteria pattern must be a JSON object: {entry!r}")
        patterns.append(pattern)
    return tuple(patterns)


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    name: Any  # unresolved (e.g. {"Fn::Sub": "${AWS::StackName}-distribution"}) or None
    definition_uri: Path | None
    definition: Any  # inline Definition, when no DefinitionUri
    substitutions: dict[str, Any]
    type: str


@dataclass(frozen=True)
class SocketAuthorizer:
    """An ``AWS::ApiGatewayV2::Authorizer`` of a WebSocket API (REQUEST, on ``$connect``)."""

    logical_id: str
    authorizer_type: str  # REQUEST
    authorizer_uri: Any  # unresolved: arn:...:apigateway:...:lambda:path/.../functions/<function ARN>/invocations
    identity_source: tuple[str, ...]  # route.request.querystring.token, route.request.header.Auth...

    @property
    def identity_query(self) -> tuple[str, ...]:
        prefix = "route.request.querystring."
        return tuple(s.removeprefix(prefix) for s in self.identity_source if s.startswith(prefix))

    @property
    def identity_headers(self) -> tuple[str, ...]:
        prefix = "route.request.header."
        return tuple(s.removeprefix(prefix) for s in self.identity_source if s.startswith(prefix))


@dataclass(frozen=True)
class SocketRoute:
    """An ``AWS::ApiGatewayV2::Route`` and the integration its ``Target`` names."""

    route_key: str  # $connect, $disconnect, $default, or a value of the route selection expression
    integration_id: str | None
    integration_type: str | None  # AWS_PROXY
    integration_uri: Any  # unresolved: arn:...:apigateway:...:lambda:path/.../functions/<function ARN>/invocations
    authorization_type: str  # NONE | CUSTOM | AWS_IAM
    authorizer: SocketAuthorizer | None


@dataclass(frozen=True)
class WebSocketApi:
    """An ``AWS::ApiGatewayV2::Api`` with ``ProtocolType: WEBSOCKET``: its routes by RouteKey."""

    logical_id: str
    route_selection: str  # $request.body.action
    routes: dict[str, SocketRoute]
    stage_name: Any  # unresolved (usually !Ref StageName); None without a Stage


def referenced_id(value: Any, known: dict[str, Any]) -> str | None:
    """The logical id among ``known`` that ``value`` references: ``!Ref X``,
    ``!Sub "integrations/${X}"``, ``!Join ["/", [integrations, !Ref X]]`` or a plain id."""
    if isinstance(value, str):
        return value if value in known else None
    if isinstance(value, list):
        return next((found for v in value if (found := referenced_id(v, known))), None)
    if not isinstance(value, dict):
        return None
    if "Ref" in value:
        return referenced_id(value["Ref"], known)
    if "Fn::Sub" in value:
        text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]
        return next((n for n in _SUB_NAME.findall(str(text)) if n in known), None)
    if "Fn::Join" in value:
        return referenced_id(value["Fn::Join"][1], known)
    return None


class Template:
    def __init__(self, doc: dict[str, Any], path: Path) -> None:
        self.doc = doc
        self.path = path
        self.root = path.parent

    @classmethod
    def load(cls, path: Path | str | None = None) -> Template:
        path = Path(path) if path else REPO_ROOT / "template.yaml"
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.load(fh, Loader=CfnLoader), path)  # noqa: S506 - CfnLoader is a SafeLoader

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.doc.get("Resources") or {}

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return self.doc.get("Parameters") or {}

    @property
    def conditions(self) -> dict[str, Any]:
        return self.doc.get("Conditions") or {}

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") in types}

    def function_globals(self) -> dict[str, Any]:
        return (self.doc.get("Globals") or {}).get("Function") or {}

    def global_env(self) -> dict[str, Any]:
        """Globals.Function.Environment.Variables, unresolved."""
        return dict(((self.function_globals().get("Environment") or {}).get("Variables")) or {})

    def functions(self) -> dict[str, Function]:
        glob = self.function_globals()
        out = {}
        for lid, res in self.of_type(*FUNCTION_TYPES).items():
            props = res.get("Properties") or {}
            env = self.global_env()
            env.update(((props.get("Environment") or {}).get("Variables")) or {})
            out[lid] = Function(
                logical_id=lid,
                code_uri=str(props.get("CodeUri") or glob.get("CodeUri") or "."),
                handler=str(props.get("Handler") or glob.get("Handler")),
                timeout=int(props.get("Timeout") or glob.get("Timeout") or 3),
                memory=int(props.get("MemorySize") or glob.get("MemorySize") or 128),
                runtime=str(props.get("Runtime") or glob.get("Runtime") or "python3.12"),
                events=dict(props.get("Events") or {}),
                environment=env,
            )
        return out

    def _api_auth(self, api_id: str) -> dict[str, Any]:
        api = self.resources.get(api_id) or {}
        return dict((api.get("Properties") or {}).get("Auth") or {})

    def api_properties(self, api_id: str) -> dict[str, Any]:
        return dict((self.resources.get(api_id) or {}).get("Properties") or {})

    def routes(self) -> list[Route]:
        routes = []
        for fn in self.functions().values():
            for event_id, event in fn.events.items():
                if event.get("Type") != "Api":
                    continue
                props = event.get("Properties") or {}
                rest_api = props.get("RestApiId")
                api_id = rest_api["Ref"] if isinstance(rest_api, dict) else (rest_api or IMPLICIT_API)
                api_auth = self._api_auth(api_id)
                event_auth = props.get("Auth") or {}
                authorizer = event_auth.get("Authorizer", api_auth.get("DefaultAuthorizer"))
                if authorizer in ("NONE", "AWS_IAM"):  # AWS_IAM has no local equivalent: open
                    authorizer = None
                key_required = event_auth.get("ApiKeyRequired", api_auth.get("ApiKeyRequired", False))
                routes.append(Route(
                    method=str(props["Method"]).upper(), path=str(props["Path"]),
                    function_id=fn.logical_id, event_id=event_id, api_id=api_id,
                    authorizer=authorizer, api_key_required=bool(key_required),
                ))
        return routes

    def authorizers(self, api_id: str) -> dict[str, Authorizer]:
        out = {}
        for name, spec in (self._api_auth(api_id).get("Authorizers") or {}).items():
            identity = spec.get("Identity") or {}
            if "UserPoolArn" in spec:
                out[name] = Authorizer(name=name, kind="cognito", properties=spec,
                                       identity_headers=(identity.get("Header") or "Authorization",))
                continue
            arn = spec.get("FunctionArn")
            function_id = arn["Fn::GetAtt"][0] if isinstance(arn, dict) and "Fn::GetAtt" in arn else None
            payload = str(spec.get("FunctionPayloadType") or "TOKEN").upper()
            headers = identity.get("Headers") or ([] if payload == "REQUEST" else
                                                  [identity.get("Header") or "Authorization"])
            out[name] = Authorizer(
                name=name, kind="lambda", function_id=function_id, payload_type=payload,
                identity_headers=tuple(headers),
                identity_query=tuple(identity.get("QueryStrings") or ()), properties=spec,
            )
        return out

    def tables(self) -> dict[str, dict[str, Any]]:
        return {lid: dict(r.get("Properties") or {}) for lid, r in self.of_type("AWS::DynamoDB::Table").items()}

    def queues(self) -> dict[str, dict[str, Any]]:
        return {lid: dict(r.get("Properties") or {}) for lid, r in self.of_type("AWS::SQS::Queue").items()}

    def sqs_event_sources(self) -> list[SqsEventSource]:
        out = []
        for fn in self.functions().values():
            for event_id, event in fn.events.items():
                if event.get("Type") != "SQS":
                    continue
                props = event.get("Properties") or {}
                out.append(SqsEventSource(
                    function_id=fn.logical_id, event_id=event_id, queue=props.get("Queue"),
                    batch_size=int(props.get("BatchSize") or 10),
                    batching_window=int(props.get("MaximumBatchingWindowInSeconds") or 0),
                    function_response_types=tuple(props.get("FunctionResponseTypes") or ()),
                    enabled=bool(props.get("Enabled", True)),
                ))
        return out

    def dynamodb_event_sources(self) -> list[DynamoDBEventSource]:
        out = []
        for fn in self.functions().values():
            for event_id, event in fn.events.items():
                if event.get("Type") != "DynamoDB":
                    continue
                props = event.get("Properties") or {}
                out.append(DynamoDBEventSource(
                    function_id=fn.logical_id, event_id=event_id, stream=props.get("Stream"),
                    starting_position=str(props.get("StartingPosition") or "TRIM_HORIZON").upper(),
                    batch_size=int(props.get("BatchSize") or 100),
                    batching_window=int(props.get("MaximumBatchingWindowInSeconds") or 0),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                    function_response_types=tuple(props.get("FunctionResponseTypes") or ()),
                    filters=filter_patterns(props.get("FilterCriteria")),
                    enabled=bool(props.get("Enabled", True)),
                ))
        return out

    def state_machines(self) -> dict[str, StateMachine]:
        out = {}
        types = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
        for lid, res in self.of_type(*types).items():
            props = res.get("Properties") or {}
            uri = props.get("DefinitionUri")
            out[lid] = StateMachine(
                logical_id=lid,
                name=props.get("Name", props.get("StateMachineName")),
                definition_uri=(self.root / uri) if isinstance(uri, str) else None,
                definition=props.get("Definition"),
                substitutions=dict(props.get("DefinitionSubstitutions") or {}),
                type=str(props.get("Type") or props.get("StateMachineType") or "STANDARD"),
            )
        return out

    def parameter_defaults(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        values = {name: spec.get("Default", "") for name, spec in self.parameters.items()}
        values.update(overrides or {})
        return values

    def resolver(self, physical: dict[str, dict[str, Any]], pseudo: dict[str, Any],
                 parameters: dict[str, Any] | None = None, **kwargs: Any) -> Resolver:
        """A Resolver for this template: parameters default to their Default values."""
        return Resolver(physical, self.parameter_defaults(parameters), pseudo,
                        conditions=self.conditions, mappings=self.doc.get("Mappings") or {}, **kwargs)

    def websocket_apis(self) -> dict[str, WebSocketApi]:
        """The template's WebSocket APIs (API Gateway v2: SAM has no resource for them), each
        with its routes, their integrations and authorizers, and its stage's name."""
        apis = {lid: r for lid, r in self.of_type("AWS::ApiGatewayV2::Api").items()
                if str((r.get("Properties") or {}).get("ProtocolType", "")).upper() == "WEBSOCKET"}

        def of_api(type_: str, api_id: str) -> dict[str, dict[str, Any]]:
            return {lid: dict(r.get("Properties") or {}) for lid, r in self.of_type(type_).items()
                    if referenced_id((r.get("Properties") or {}).get("ApiId"), apis) == api_id}

        out = {}
        for api_id, api in apis.items():
            integrations = of_api("AWS::ApiGatewayV2::Integration", api_id)
            authorizers = {lid: SocketAuthorizer(
                logical_id=lid, authorizer_type=str(p.get("AuthorizerType") or "REQUEST").upper(),
                authorizer_uri=p.get("AuthorizerUri"), identity_source=tuple(p.get("IdentitySource") or ()),
            ) for lid, p in of_api("AWS::ApiGatewayV2::Authorizer", api_id).items()}
            routes = {}
            for props in of_api("AWS::ApiGatewayV2::Route", api_id).values():
                integration_id = referenced_id(props.get("Target"), integrations)
                integration = integrations.get(integration_id or "", {})
                authorizer_id = referenced_id(props.get("AuthorizerId"), authorizers)
                routes[str(props["RouteKey"])] = SocketRoute(
                    route_key=str(props["RouteKey"]), integration_id=integration_id,
                    integration_type=integration.get("IntegrationType"),
                    integration_uri=integration.get("IntegrationUri"),
                    authorization_type=str(props.get("AuthorizationType") or "NONE").upper(),
                    authorizer=authorizers.get(authorizer_id or ""),
                )
            stages = of_api("AWS::ApiGatewayV2::Stage", api_id)
            out[api_id] = WebSocketApi(
                logical_id=api_id,
                route_selection=str((api.get("Properties") or {}).get("RouteSelectionExpression") or ""),
                routes=routes,
                stage_name=next((p.get("StageName") for p in stages.values()), None),
            )
        return out

    def state_machine(self) -> StateMachine:
        """The template's one state machine (the distribution workflow)."""
        (machine,) = self.state_machines().values()
        return machine

    def gateway_responses(self, api_id: str) -> dict[str, dict[str, Any]]:
        return dict(self.api_properties(api_id).get("GatewayResponses") or {})

    def stage_name(self, api_id: str) -> Any:
        return self.api_properties(api_id).get("StageName", "Prod")
