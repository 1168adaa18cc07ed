"""Helpers for the offline infrastructure tests (imported by conftest.py and the tests).

Nothing here talks to AWS: template.yaml is read with a loader that understands
CloudFormation's short-form tags, and aws-sam-translator expands it locally the same way
CloudFormation's AWS::Serverless transform would.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.template import CfnLoader

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as a dict, short-form intrinsics as their long form (the local stack's loader)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


def prepare_for_offline_transform(template: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """What `sam package` would do, without S3: code URIs become s3:// placeholders and the
    state machine's DefinitionUri is inlined as Definition (DefinitionSubstitutions kept)."""
    template = copy.deepcopy(template)
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = f"s3://leadwave-artifacts/{logical_id}.zip"
        if "DefinitionUri" in props:
            props["Definition"] = json.loads((root / props.pop("DefinitionUri")).read_text(encoding="utf-8"))
    return template


MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}


def sam_transform(template: dict[str, Any]) -> dict[str, Any]:
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    with pytest.MonkeyPatch.context() as mp:
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            mp.delenv(var, raising=False)
        session = boto3.session.Session(region_name=REGION)
        parameters = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID}
        to_py27_compatible_template(template, parameters)
        translator = Translator(None, Parser(), boto_session=session)
        try:
            out = translator.translate(
                template, parameter_values=parameters, get_managed_policy_map=lambda: MANAGED_POLICIES
            )
        except InvalidDocumentException as exc:
            causes = "\n".join(f"- {cause.message}" for cause in exc.causes)
            pytest.fail(f"aws-sam-translator rejected template.yaml:\n{causes}")
    return json.loads(json.dumps(undo_mark_unicode_str_in_template(out)))


STACK_NAME = "leadwave"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK_NAME,
    "AWS::URLSuffix": "amazonaws.com",
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resolve(value: Any, template: dict[str, Any], extra: dict[str, Any] | None = None) -> Any:
    """Evaluate the intrinsics an IAM ARN or a name is built from, with parameter defaults and
    fixed pseudo parameters. A resource's Ref becomes `<Logical>`, a GetAtt `<Logical.Attr>`."""
    names = {**PSEUDO, **(extra or {})}
    for name, param in (template.get("Parameters") or {}).items():
        names.setdefault(name, param.get("Default", f"<{name}>"))

    def ev(v: Any) -> Any:
        if isinstance(v, list):
            return [ev(x) for x in v]
        if not isinstance(v, dict):
            return v
        if len(v) != 1:
            return {k: ev(x) for k, x in v.items()}
        ((fn, arg),) = v.items()
        if fn == "Ref":
            return names.get(arg, f"<{arg}>")
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            return f"<{parts[0]}.{parts[1]}>"
        if fn == "Fn::Sub":
            if isinstance(arg, str):
                text, local = arg, {}
            else:
                text, local = arg[0], {k: ev(x) for k, x in arg[1].items()}
            out, i = [], 0
            while (start := text.find("${", i)) != -1:
                end = text.index("}", start)
                out.append(text[i:start])
                key = text[start + 2 : end]
                if key.startswith("!"):
                    out.append("${" + key[1:] + "}")
                elif key in local:
                    out.append(str(local[key]))
                elif "." in key:
                    out.append(ev({"Fn::GetAtt": key}))
                else:
                    out.append(str(names.get(key, f"<{key}>")))
                i = end + 1
            return "".join(out) + text[i:]
        if fn == "Fn::Select":
            return ev(arg[1])[int(ev(arg[0]))]
        if fn == "Fn::Split":
            return ev(arg[1]).split(arg[0])
        if fn == "Fn::Join":
            return arg[0].join(str(x) for x in ev(arg[1]))
        return {fn: ev(arg)}

    return ev(value)


def role_statements(resources: dict[str, Any]):
    """(role logical id, policy name, statement) for every inline statement of every role."""
    for logical_id, res in resources.items():
        if res["Type"] == "AWS::IAM::Role":
            for policy in res["Properties"].get("Policies", []):
                for stmt in as_list(policy["PolicyDocument"]["Statement"]):
                    yield logical_id, policy["PolicyName"], stmt
        elif res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for stmt in as_list(res["Properties"]["PolicyDocument"]["Statement"]):
                yield logical_id, logical_id, stmt
