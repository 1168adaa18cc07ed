"""What template.yaml says about the functions the benchmark prices and imports: memory (Lambda
bills GB-seconds at the configured memory) and handler modules (cold start)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from infra.local.settings import REPO_ROOT
from infra.local.template import Template

DEFAULT_MEMORY_MB = 128  # Lambda's default when neither the function nor Globals set MemorySize


@dataclass(frozen=True)
class HandlerModule:
    function: str  # logical id
    module: str  # e.g. "app"
    code_dir: Path  # the function's CodeUri (Lambda's /var/task)


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template.load(REPO_ROOT / "template.yaml")


@lru_cache(maxsize=1)
def memory_by_function() -> dict[str, int]:
    """Logical id -> MemorySize (the function's own, else Globals.Function's)."""
    return {lid: fn.memory for lid, fn in _template().functions().items()}


def memory_of(function: str) -> int:
    return memory_by_function().get(function, DEFAULT_MEMORY_MB)


def handler_modules() -> list[HandlerModule]:
    """One entry per distinct (CodeUri, module) of the template's functions."""
    seen: dict[tuple[Path, str], HandlerModule] = {}
    for lid, fn in sorted(_template().functions().items()):
        code_dir = (REPO_ROOT / fn.code_uri).resolve()
        module = fn.handler.rpartition(".")[0]
        seen.setdefault((code_dir, module), HandlerModule(lid, module, code_dir))
    return list(seen.values())


def _plain(name: str, value: object, parameters: dict[str, dict[str, object]]) -> str:
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and set(value) == {"Ref"} and "Default" in parameters.get(str(value["Ref"]), {}):
        return str(parameters[str(value["Ref"])]["Default"])  # a template parameter's default
    return f"bench-{name.lower().replace('_', '-')}"  # a resource's name or ARN: a placeholder


def global_environment() -> dict[str, str]:
    """Globals.Function.Environment.Variables as a deployment with default parameters sets them
    (resource names and ARNs are placeholders): what a handler may read at import."""
    template = _template()
    return {name: _plain(name, value, template.parameters) for name, value in template.global_env().items()}
