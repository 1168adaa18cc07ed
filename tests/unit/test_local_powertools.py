"""Concurrent invocations in one process each answer their own request, as separate Lambda
execution environments do (``infra.local.powertools_compat``)."""

from __future__ import annotations

import json
import threading

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.router import Router

from infra.local.powertools_compat import per_thread_requests
from tests.events import api_event


def test_a_route_reads_its_own_request_after_another_arrived_meanwhile():
    per_thread_requests()
    per_thread_requests()  # idempotent
    app, router = APIGatewayRestResolver(), Router()
    both_arrived = threading.Barrier(2, timeout=10)

    @router.post("/v1/things/<thing>")
    def post(thing: str) -> dict:
        both_arrived.wait()  # as a DynamoDB call would: the other request is resolved meanwhile
        return {"thing": thing, "path": router.current_event.path, "body": router.current_event.json_body,
                "resolver_saw": app.current_event.path, "context": app.lambda_context}

    app.include_router(router)
    answers: dict[str, dict] = {}

    def invoke(thing: str) -> None:
        event = api_event("POST", f"/v1/things/{thing}", resource="/v1/things/{thing}",
                          path_params={"thing": thing}, body={"name": thing})
        answers[thing] = json.loads(app.resolve(event, f"context-{thing}")["body"])

    threads = [threading.Thread(target=invoke, args=(thing,)) for thing in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {thing: {"thing": thing, "path": f"/v1/things/{thing}", "body": {"name": thing},
                               "resolver_saw": f"/v1/things/{thing}", "context": f"context-{thing}"}
                       for thing in ("a", "b")}
