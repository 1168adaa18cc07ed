"""A Lambda sandbox's start. Every handler module turns the cyclic garbage collector off before
its first import and calls ``imports_done`` after its last one.

What import creates (modules, classes, pydantic models, botocore's service models) lives as
long as the process, so the collector's passes during import walk ever more objects and free
none of them: 15-20% of a handler's cold import (claim, ingest, sweep and wave task, measured
with the collector on and off in alternate fresh interpreters; ``make bench ARGS="--only
coldstart"`` shows the import as it is now). Freezing moves those objects out of every later
pass too, so a request's collections only look at what requests create."""

from __future__ import annotations

import gc


def imports_done() -> None:
    gc.freeze()
    gc.enable()
