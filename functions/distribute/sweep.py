"""Scheduled (template.yaml: every 5 minutes): re-queue or rescue leads stuck in 'offering'."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services.sweep import sweep

imports_done()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return sweep()
