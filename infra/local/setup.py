"""``python -m infra.local.setup`` (``make setup``): Java 17 and DynamoDB Local, if missing."""

from __future__ import annotations

import logging
import sys

from infra.local.dynamodb_local import DynamoDBLocalError, ensure_installed


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    try:
        path = ensure_installed()
    except DynamoDBLocalError as err:
        logging.getLogger(__name__).error("%s", err)
        return 1
    logging.getLogger(__name__).info("DynamoDB Local is in %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
