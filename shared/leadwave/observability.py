"""One Logger and one Metrics for every function (JSON logs; ids only, never a lead's PII).
The Tracer is created lazily: importing aws_xray_sdk costs ~200 ms of cold start."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="leadwave")
metrics = Metrics(namespace="leadwave", service="leadwave")


@lru_cache(maxsize=1)
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service="leadwave")
