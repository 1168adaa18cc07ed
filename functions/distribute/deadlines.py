"""Scheduled (template.yaml: every minute): follow-up deadlines (issue 13) - reminders due are
pushed to their agents, leads not worked in time are taken back."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services.deadlines import check

imports_done()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return check()
