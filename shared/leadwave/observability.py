"""One Logger and one Metrics for every function (JSON logs; ids only, never a lead's PII).
The Tracer is created lazily: importing aws_xray_sdk costs ~200 ms of cold start, so the
handlers rely on Lambda's active tracing (template.yaml) for their segments."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger(service="leadwave")
metrics = Metrics(namespace="leadwave", service="leadwave")


@lru_cache(maxsize=1)
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service="leadwave")


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """One CloudWatch count (``value`` of them), published at once as an EMF log line; dimensions
    stay low-cardinality (a distribution type, an outcome), never an id."""
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="leadwave") as metric:
        metric.add_dimension(name="service", value="leadwave")
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def timing(name: str, milliseconds: float, **dimensions: str) -> None:
    """One CloudWatch duration in milliseconds (EMF), low-cardinality dimensions as ``count``."""
    with single_metric(name=name, unit=MetricUnit.Milliseconds, value=max(0.0, milliseconds),
                       namespace="leadwave") as metric:
        metric.add_dimension(name="service", value="leadwave")
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def seconds(name: str, value: float, **dimensions: str) -> None:
    """One CloudWatch duration in seconds (EMF), low-cardinality dimensions as ``count``."""
    with single_metric(name=name, unit=MetricUnit.Seconds, value=max(0.0, value), namespace="leadwave") as metric:
        metric.add_dimension(name="service", value="leadwave")
        for key, value_ in dimensions.items():
            metric.add_dimension(name=key, value=value_)
