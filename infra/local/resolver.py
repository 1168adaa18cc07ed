"""Evaluate CloudFormation intrinsic functions against local physical values.

``physical`` maps a logical id to its attributes: ``{"Ref": name-or-url, "Arn": ..., ...}``.
Resources the local stack does not create (a CloudFront distribution, a user pool) go to the
``fallback`` callable, which may return a placeholder or raise ``UnresolvedReference``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any

NO_VALUE = object()  # AWS::NoValue: the property or list item disappears
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


class UnresolvedReference(KeyError):
    """A Ref or GetAtt the local stack has no value for."""


def _raise(logical_id: str, attribute: str) -> Any:
    raise UnresolvedReference(f"no local value for {logical_id}.{attribute}")


class Resolver:
    def __init__(
        self,
        physical: Mapping[str, Mapping[str, Any]],
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, Any],
        conditions: Mapping[str, Any] | None = None,
        mappings: Mapping[str, Any] | None = None,
        fallback: Callable[[str, str], Any] = _raise,
    ) -> None:
        self.physical = physical
        self.parameters = parameters
        self.pseudo = {**pseudo, "AWS::NoValue": NO_VALUE}
        self.conditions = conditions or {}
        self.mappings = mappings or {}
        self.fallback = fallback

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            handler = self._FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
        out = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}

    # -- references
    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.get_att(name, "Ref")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        attrs = self.physical.get(logical_id)
        if attrs is not None and attribute in attrs:
            return attrs[attribute]
        return self.fallback(logical_id, attribute)

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.conditions[name]))

    def sub(self, template: str, variables: Mapping[str, Any] | None = None) -> str:
        variables = variables or {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return _SUB_VAR.sub(replace, template)

    # -- intrinsic functions
    def _fn_ref(self, arg: Any) -> Any:
        return self.ref(str(arg))

    def _fn_get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        return self.get_att(str(arg[0]), str(self.resolve(arg[1])))

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            return self.sub(arg[0], {k: self.resolve(v) for k, v in (arg[1] or {}).items()})
        return self.sub(arg)

    def _fn_join(self, arg: Any) -> str:
        sep, items = arg
        return str(sep).join(str(v) for v in self.resolve(items))

    def _fn_select(self, arg: Any) -> Any:
        index, items = self.resolve(arg)
        return items[int(index)]

    def _fn_split(self, arg: Any) -> list[str]:
        sep, text = arg
        return str(self.resolve(text)).split(str(sep))

    def _fn_if(self, arg: Any) -> Any:
        name, if_true, if_false = arg
        return self.resolve(if_true if self.condition(name) else if_false)

    def _fn_equals(self, arg: Any) -> bool:
        left, right = self.resolve(arg)
        return left == right

    def _fn_not(self, arg: Any) -> bool:
        return not self.resolve(arg[0])

    def _fn_and(self, arg: Any) -> bool:
        return all(self.resolve(arg))

    def _fn_or(self, arg: Any) -> bool:
        return any(self.resolve(arg))

    def _fn_condition(self, arg: Any) -> Any:
        if not isinstance(arg, str):  # a plain "Condition" key (IAM), not the intrinsic
            return {"Condition": self.resolve(arg)}
        return self.condition(arg)

    def _fn_base64(self, arg: Any) -> str:
        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _fn_find_in_map(self, arg: Any) -> Any:
        name, top, second = self.resolve(arg)
        return self.mappings[name][top][second]

    _FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
        "Ref": _fn_ref,
        "Fn::GetAtt": _fn_get_att,
        "Fn::Sub": _fn_sub,
        "Fn::Join": _fn_join,
        "Fn::Select": _fn_select,
        "Fn::Split": _fn_split,
        "Fn::If": _fn_if,
        "Fn::Equals": _fn_equals,
        "Fn::Not": _fn_not,
        "Fn::And": _fn_and,
        "Fn::Or": _fn_or,
        "Condition": _fn_condition,
        "Fn::Base64": _fn_base64,
        "Fn::FindInMap": _fn_find_in_map,
    }
