"""Run the template's Lambda handlers in this process, the way the Lambda runtime does.

Each function's handler module (``CodeUri`` + ``Handler``) is imported once under a unique
module name, with its ``CodeUri`` directory on ``sys.path`` only while it imports (four
functions have an ``app.py``), so sibling modules must be imported at module level, as
they are in practice. Invocations run in the caller's thread, concurrently, like Lambda.
Results go through JSON exactly as the runtime marshals them (``Decimal`` becomes a number).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from infra.local.powertools_compat import per_thread_requests
from infra.local.settings import ACCOUNT_ID, PARTITION, REGION, REPO_ROOT
from infra.local.template import Function, Template

LOG = logging.getLogger(__name__)
_IMPORT_LOCK = threading.RLock()
REFUSAL = "Unauthorized"  # what a Lambda authorizer raises to have API Gateway answer 401


class FunctionError(Exception):
    """The function failed (raised, timed out, failed to import): ``payload`` is what AWS returns."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(f"{payload.get('errorType')}: {payload.get('errorMessage')}")
        self.payload = payload


def _decimal_default(value: Any) -> Any:  # as awslambdaric's to_json
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def to_json(result: Any) -> str:
    return json.dumps(result, default=_decimal_default)


class LambdaContext:
    """The context object the Python runtime passes to a handler."""

    def __init__(self, function_name: str, timeout: int, memory: int, request_id: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = str(memory)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LambdaRuntime:
    def __init__(self, template: Template, function_names: dict[str, str] | None = None,
                 root: Path | None = None) -> None:
        self.functions: dict[str, Function] = template.functions()
        self.root = root or template.root or REPO_ROOT
        self.set_names(function_names or {})
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        shared = str(REPO_ROOT / "shared")  # `import leadwave`, as the layer provides in AWS
        if shared not in sys.path:
            sys.path.append(shared)

    def set_names(self, function_names: dict[str, str]) -> None:
        """Physical function names (logical id -> name), once the functions exist."""
        self.names = {lid: function_names.get(lid, lid) for lid in self.functions}
        self._by_name = {name: lid for lid, name in self.names.items()}

    def resolve_id(self, name_or_arn: str) -> str | None:
        """Logical id for a logical id, a function name, ``name:qualifier`` or an ARN."""
        if name_or_arn in self.functions:
            return name_or_arn
        name = name_or_arn
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) > 6 else ""
        return self._by_name.get(name.split(":")[0])

    def handler(self, logical_id: str) -> Callable[[Any, Any], Any]:
        found = self._handlers.get(logical_id)
        if found is not None:
            return found
        with _IMPORT_LOCK:
            if logical_id not in self._handlers:
                self._handlers[logical_id] = self._load(self.functions[logical_id])
            return self._handlers[logical_id]

    def _load(self, fn: Function) -> Callable[[Any, Any], Any]:
        module_path = fn.handler.rpartition(".")[0]
        try:
            return import_handler((self.root / fn.code_uri).resolve(), fn.handler,
                                  f"leadwave_local_fn.{fn.logical_id}.{module_path}")
        except Exception as exc:
            raise FunctionError({
                "errorMessage": f"Unable to import module '{module_path}': {exc}",
                "errorType": "Runtime.ImportModuleError", "stackTrace": [],
            }) from exc

    def preload(self) -> dict[str, str]:
        """Import every handler now (a cold start); returns logical id -> error for failures."""
        errors = {}
        for logical_id in self.functions:
            try:
                self.handler(logical_id)
            except FunctionError as err:
                errors[logical_id] = str(err)
        return errors

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run the handler; returns its JSON-marshalled result or raises ``FunctionError``."""
        fn = self.functions[logical_id]
        request_id = str(uuid.uuid4())
        handler = self.handler(logical_id)
        context = LambdaContext(self.names[logical_id], fn.timeout, fn.memory, request_id)
        started = time.monotonic()
        try:
            result = handler(event, context)
        except Exception as exc:
            if str(exc) == REFUSAL:  # an authorizer's 401: a refusal (the gateway logs it), not a failure
                LOG.debug("%s refused the request (request %s): Unauthorized", logical_id, request_id)
            else:
                LOG.error("%s failed (request %s): %s", logical_id, request_id, type(exc).__name__, exc_info=True)
            raise FunctionError({
                "errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id,
                "stackTrace": traceback.format_tb(exc.__traceback__.tb_next),  # without this frame
            }) from exc
        elapsed = time.monotonic() - started
        if elapsed > fn.timeout:  # AWS would have stopped it: report what AWS reports
            LOG.error("%s ran %.1fs, over its %ss timeout", logical_id, elapsed, fn.timeout)
            raise FunctionError({"errorType": "Sandbox.Timedout", "errorMessage":
                                 f"{request_id} Task timed out after {fn.timeout:.2f} seconds"})
        try:
            return json.loads(to_json(result))
        except (TypeError, ValueError) as exc:
            raise FunctionError({"errorType": "Runtime.MarshalError", "requestId": request_id,
                                 "errorMessage": f"Unable to marshal response: {exc}"}) from exc

    def invoke_payload(self, logical_id: str, payload: bytes | str | None) -> tuple[bytes, bool]:
        """Lambda's Invoke API: JSON bytes in, (JSON bytes out, function error?)."""
        try:
            event = json.loads(payload) if payload else {}
            return to_json(self.invoke(logical_id, event)).encode(), False
        except FunctionError as err:
            return json.dumps(err.payload).encode(), True
        except ValueError as exc:
            error = {"errorType": "Runtime.UnmarshalError", "errorMessage": f"Unable to parse input: {exc}"}
            return json.dumps(error).encode(), True


_ACTIVE: list[LambdaRuntime] = []


def _header(headers: Any, name: str) -> str | None:
    for key, value in (dict(headers) if headers else {}).items():
        if key.lower() == name.lower():
            return value
    return None


def install_moto_dispatch(runtime: LambdaRuntime) -> Callable[[], None]:
    """Make moto's Docker-free Lambda backend run ``runtime``'s handlers; returns an undo.

    A handler that raises answers like AWS: header ``X-Amz-Function-Error: Unhandled`` and an
    ``{"errorType", "errorMessage"}`` payload, which moto's Step Functions turn into a task
    failure named after ``errorType`` (so ``Catch``/``Retry`` match on it).
    Functions this runtime does not know keep moto's default behaviour.
    """
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from infra.local.moto_compat import parse_each_definition_once, pass_task_failure_cause

    pass_task_failure_cause()  # the state machine's Hold reads the task failure's cause
    parse_each_definition_once()
    if not _ACTIVE:
        original = LambdaSimpleBackend.invoke

        def invoke(backend: Any, function_name: str, qualifier: str | None, body: Any,
                   headers: Any, response_headers: dict[str, str]) -> Any:
            for active in list(_ACTIVE):
                logical_id = active.resolve_id(function_name)
                if logical_id is None:
                    continue
                kind = _header(headers, "X-Amz-Invocation-Type") or "RequestResponse"
                if kind == "DryRun":
                    return b""
                if kind == "Event":
                    threading.Thread(target=active.invoke_payload, args=(logical_id, body),
                                     name=f"lambda-event-{logical_id}", daemon=True).start()
                    return b""
                payload, failed = active.invoke_payload(logical_id, body)
                if failed:
                    response_headers["x-amz-function-error"] = "Unhandled"
                return payload
            return original(backend, function_name, qualifier, body, headers, response_headers)

        invoke.original = original  # type: ignore[attr-defined]
        LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
    _ACTIVE.append(runtime)

    def uninstall() -> None:
        if runtime in _ACTIVE:
            _ACTIVE.remove(runtime)
        if not _ACTIVE and hasattr(LambdaSimpleBackend.invoke, "original"):
            LambdaSimpleBackend.invoke = LambdaSimpleBackend.invoke.original  # type: ignore[method-assign]

    return uninstall


def import_handler(code_dir: Path, handler: str, unique: str) -> Callable[[Any, Any], Any]:
    """Import ``module.attr`` from a function's code folder as Lambda would (the folder first on
    the path, so sibling modules import), under a unique module name: several functions have an
    ``app.py``, and each keeps its own copy of its siblings. Handlers may then be invoked from
    several threads at once, each its own execution environment (``per_thread_requests``)."""
    per_thread_requests()
    module_path, _, attr = handler.rpartition(".")
    file = code_dir / (module_path.replace(".", "/") + ".py")
    if not file.exists():
        file = code_dir / module_path.replace(".", "/") / "__init__.py"
    before = set(sys.modules)
    sys.path.insert(0, str(code_dir))
    try:
        spec = importlib.util.spec_from_file_location(unique, file)
        if spec is None or spec.loader is None or not file.exists():
            raise ModuleNotFoundError(f"No module named '{module_path}'")
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            sys.modules.pop(unique, None)
            raise
        return getattr(module, attr)  # type: ignore[no-any-return]
    finally:
        sys.path.remove(str(code_dir))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            if name != unique and module_file and Path(module_file).resolve().is_relative_to(code_dir):
                sys.modules.pop(name, None)
