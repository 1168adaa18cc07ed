"""boto3 clients, created once per container. Endpoints come from botocore's standard
``AWS_ENDPOINT_URL_<SERVICE>`` variables, so the local stack needs no code path of its own."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from leadwave.config import get_settings
from leadwave.ids import execution_name


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    # short: every call sits on a request path whose Lambda times out at 10 s (two attempts of
    # 1 s + 3 s fit, leaving the caller time to fall back, e.g. ingest's queue-outage path)
    return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 2},
                                               connect_timeout=1, read_timeout=3))


def enqueue_distribution(prospect_id: str, org_id: str, timeout_seconds: int = 60, run: int = 0) -> None:
    """``timeout_seconds``: how long each wave of this lead stays open (the campaign's)."""
    body: dict[str, Any] = {"prospect_id": prospect_id, "org_id": org_id, "timeout_seconds": timeout_seconds}
    if run:
        body["run"] = run
    client("sqs").send_message(QueueUrl=get_settings().distribution_queue_url, MessageBody=json.dumps(body))


def _upload_place() -> tuple[str, str]:
    from leadwave.config import ConfigurationError

    bucket, queue = os.environ.get("UPLOADS_BUCKET", ""), os.environ.get("UPLOAD_QUEUE_URL", "")
    if not bucket or not queue:
        raise ConfigurationError("missing environment variables: UPLOADS_BUCKET, UPLOAD_QUEUE_URL")
    return bucket, queue


def put_upload_file(key: str, data: bytes) -> None:
    """A bulk upload's file, kept (encrypted at rest, expired by the bucket's lifecycle) for its workers."""
    client("s3").put_object(Bucket=_upload_place()[0], Key=key, Body=data, ContentType="text/csv")


def get_upload_file(key: str, start: int | None = None, end: int | None = None) -> bytes:
    """The file, or its bytes ``start`` to ``end`` (exclusive): one chunk's rows."""
    ranged = {"Range": f"bytes={start}-{end - 1}"} if start is not None and end is not None and end > start else {}
    return bytes(client("s3").get_object(Bucket=_upload_place()[0], Key=key, **ranged)["Body"].read())


def enqueue_upload_chunks(messages: list[dict[str, Any]]) -> None:
    """One message per chunk of rows, ten to a SendMessageBatch; raises if any was refused."""
    sqs = client("sqs")
    queue = _upload_place()[1]
    for start in range(0, len(messages), 10):
        batch = messages[start:start + 10]
        answer = sqs.send_message_batch(QueueUrl=queue, Entries=[
            {"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(batch)])
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} upload chunks were not queued")


def start_distribution(prospect_id: str, timeout_seconds: int = 60, run: int = 0) -> bool:
    """Start the execution named after the prospect (and its run). A second start for the same
    run is a no-op (AWS answers ExecutionAlreadyExists for a closed or differently-started one)."""
    sfn = client("stepfunctions")
    try:
        sfn.start_execution(stateMachineArn=get_settings().state_machine_arn, name=execution_name(prospect_id, run),
                            input=json.dumps({"prospect_id": prospect_id, "timeout_seconds": timeout_seconds}))
    except sfn.exceptions.ExecutionAlreadyExists:
        return False
    return True


def resume(token: str, output: dict[str, Any]) -> bool:
    """SendTaskSuccess; False when the token is no longer valid (the wave already moved on)."""
    sfn = client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=token, output=json.dumps(output))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return False
    return True


# A wave task's token fails with these on purpose (infra/statemachines/distribution.asl.json):
HOLD_ERROR = "leadwave.Hold"  # caught into Hold: wait for business hours, then open the wave again
WAVE_OVER_ERROR = "leadwave.WaveOver"  # caught like the wave's timeout: open the next wave now


def hold(token: str, next_input: dict[str, Any]) -> bool:
    """Fail the task with ``leadwave.Hold``: its cause (``next_input`` as JSON) becomes the input
    of the state machine's Hold, which waits ``wait_seconds``. False when the token is no longer
    valid."""
    return _fail(token, HOLD_ERROR, json.dumps(next_input))


def end_wave(token: str, why: str) -> bool:
    """The wave is over before its timeout (every agent declined, every phone stopped
    ringing): the execution opens the next wave at once. False when the token is no longer
    valid."""
    return _fail(token, WAVE_OVER_ERROR, why)


def _fail(token: str, error: str, cause: str) -> bool:
    sfn = client("stepfunctions")
    try:
        sfn.send_task_failure(taskToken=token, error=error, cause=cause)
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return False
    return True


def execution_status(name: str) -> str | None:
    """RUNNING, SUCCEEDED, FAILED, ... of the execution ``name`` (``execution_name``); None if
    never started."""
    settings = get_settings()
    arn = settings.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
    sfn = client("stepfunctions")
    try:
        return str(sfn.describe_execution(executionArn=arn)["status"])
    except sfn.exceptions.ExecutionDoesNotExist:
        return None


def register_vendor_key(vendor_id: str, key: str) -> None:
    """In AWS, vendor routes also require the key as an API Gateway API key on the vendors'
    usage plan (throttling, quota). Looked up by name (``USAGE_PLAN_NAME``) to avoid a
    template dependency cycle. The local stack has no API Gateway: its gateway relies on the
    key authorizer alone."""
    plan_name = os.environ.get("USAGE_PLAN_NAME", "")
    if not plan_name or get_settings().local:
        return
    apigw = client("apigateway")
    plans = [p for p in apigw.get_usage_plans(limit=500)["items"] if p["name"] == plan_name]
    if not plans:
        raise RuntimeError(f"usage plan {plan_name} not found")
    api_key = apigw.create_api_key(name=f"vendor-{vendor_id}", value=key, enabled=True)
    apigw.create_usage_plan_key(usagePlanId=plans[0]["id"], keyId=api_key["id"], keyType="API_KEY")


def disable_vendor_key(vendor_id: str) -> None:
    """A deactivated vendor's API Gateway key stops working at once (its authorizer answer
    may stay cached for up to 5 minutes; the key check does not)."""
    if not os.environ.get("USAGE_PLAN_NAME") or get_settings().local:
        return
    apigw = client("apigateway")
    for key in apigw.get_api_keys(nameQuery=f"vendor-{vendor_id}", limit=10)["items"]:
        apigw.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled",
                                                                 "value": "false"}])


def set_user_enabled(email: str, enabled: bool) -> None:
    """In AWS, a deactivated agent's Cognito user is disabled (and signed out everywhere), so
    they can no longer sign in; reactivating enables it. The local stack's /local/login checks
    the agent's ``active`` flag itself."""
    pool = os.environ.get("USER_POOL_ID", "")
    if not pool or get_settings().local:
        return
    cognito = client("cognito-idp")
    try:
        if enabled:
            cognito.admin_enable_user(UserPoolId=pool, Username=email)
        else:
            cognito.admin_disable_user(UserPoolId=pool, Username=email)
            cognito.admin_user_global_sign_out(UserPoolId=pool, Username=email)
    except cognito.exceptions.UserNotFoundException:
        return


def invite_user(email: str, org_id: str) -> None:
    """In AWS, a new agent gets a Cognito user (Cognito e-mails a temporary password) whose
    ``custom:org_id`` ties the token to the org. The local stack signs in with /local/login."""
    pool = os.environ.get("USER_POOL_ID", "")
    if not pool or get_settings().local:
        return
    cognito = client("cognito-idp")
    try:
        cognito.admin_create_user(UserPoolId=pool, Username=email, DesiredDeliveryMediums=["EMAIL"],
                                  UserAttributes=[{"Name": "email", "Value": email},
                                                  {"Name": "email_verified", "Value": "true"},
                                                  {"Name": "custom:org_id", "Value": org_id}])
    except cognito.exceptions.UsernameExistsException:
        return
