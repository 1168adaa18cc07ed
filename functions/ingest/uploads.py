"""SQS consumer: one message is one chunk of a bulk upload's rows (stored through the lead
path, results recorded once). Partial batch failures are reported; a chunk delivered again
after it was recorded does nothing."""

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services.bulk import process_chunk
from pydantic import BaseModel, Field

imports_done()


class ChunkMessage(BaseModel):
    upload_id: str = Field(pattern=r"^up_[0-9a-f]{24}$")
    org_id: str = Field(min_length=1, max_length=64)
    chunk: int = Field(ge=1, le=10_000)
    first: int = Field(ge=2)
    last: int = Field(ge=2)


class ChunkRecord(SqsRecordModel):
    body: Json[ChunkMessage]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=ChunkRecord)


def record_handler(record: ChunkRecord) -> None:
    done = process_chunk(record.body.model_dump())
    logger.info("upload chunk stored" if done else "upload chunk already stored",
                extra={"upload_id": record.body.upload_id, "chunk": record.body.chunk})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
