"""Each handler module of template.yaml imports with the cyclic garbage collector off and leaves
it on, with what import created frozen (leadwave.runtime): imported as Lambda lays it out."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from infra.bench.coldstart import lambda_env
from infra.bench.handlers import handler_modules

CHECK = """
import gc, importlib.util, json
importlib.util.find_spec("{module}").loader.get_code("{module}")  # compiled first: compiling is not the body
before = sum(s["collections"] for s in gc.get_stats())
import {module}
print(json.dumps({{"collections": sum(s["collections"] for s in gc.get_stats()) - before,
                   "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}))
"""


@pytest.mark.parametrize("target", handler_modules(), ids=lambda t: t.function)
def test_a_handler_module_imports_without_a_collection_and_leaves_the_collector_on(target):
    proc = subprocess.run([sys.executable, "-c", CHECK.format(module=target.module)], cwd=target.code_dir,
                          env=lambda_env(target), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.splitlines()[-1])
    # at most one, run while the loader reads the module before its first line; without
    # gc.disable() a cold import runs over a hundred
    assert seen["collections"] <= 1
    assert seen["enabled"] is True
    assert seen["frozen"] > 10_000  # the modules, classes and models import made
