"""One Lambda execution environment runs one invocation at a time; this process runs many.

Powertools' REST resolver keeps the request it is answering on its ``BaseRouter`` *class*
(``BaseRouter.current_event = ...`` in ``resolve``), which every resolver and router of
every function reads. In Lambda that is one request per environment. Here, where the local
stack and the tests invoke handlers concurrently from several threads, one request's routes
would read another's path, body or authorizer the moment it waited on I/O.

``per_thread_requests`` makes the two values (the event and the Lambda context) per thread,
which is what separate execution environments give: an invocation runs in its caller's thread
(``infra.local.lambdas``). Powertools' own ``HttpResolver`` does the same with a
``ContextVar``. Idempotent; production code is untouched.
"""

from __future__ import annotations

import threading
from typing import Any

_ATTRIBUTES = ("current_event", "lambda_context")


class _PerThread:
    """A data descriptor whose value belongs to the thread that set it."""

    def __init__(self, name: str, initial: Any) -> None:
        self.name = name
        self.initial = initial  # what the class held before (another thread's reads start from it)
        self._local = threading.local()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        value = getattr(self._local, "value", self.initial)
        if value is _MISSING:
            raise AttributeError(self.name)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        self._local.value = value


_MISSING = object()


def per_thread_requests() -> None:
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    meta = type(BaseRouter)
    if getattr(meta, "per_thread_requests", False):
        return
    descriptors = {name: _PerThread(name, BaseRouter.__dict__.get(name, _MISSING)) for name in _ATTRIBUTES}
    for name, descriptor in descriptors.items():
        setattr(BaseRouter, name, descriptor)  # read on an instance: ``resolver.current_event``
    # ``BaseRouter.current_event = x`` is assigned on the class: its metaclass must carry them too
    BaseRouter.__class__ = type("PerThreadRouterMeta", (meta,), {**descriptors, "per_thread_requests": True})
