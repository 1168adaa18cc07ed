"""Cold start: how long each handler module of template.yaml takes to import, against ``import
boto3`` alone, each in a fresh interpreter (``python -X importtime``), laid out as Lambda lays
it out: the function's CodeUri as the working directory and first on ``sys.path``, then
``shared/`` (the layer), the template's global environment. Rounds interleave the modules so
machine noise hits them alike; the first round is discarded (it writes the .pyc files Lambda's
package would carry). Figures are the median of the cumulative top-level import time."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.bench.counting import rnd
from infra.bench.handlers import HandlerModule, global_environment, handler_modules, memory_of
from infra.local.settings import REPO_ROOT

BASELINE = "boto3"
RUNS = 7
TARGET_RATIO = 1.3


def parse_cumulative_us(stderr: str, module: str) -> int | None:
    """The cumulative microseconds of ``module``'s top-level line in ``-X importtime`` output
    (``import time: self | cumulative | name``, nested imports indented further)."""
    found = None
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3:
            continue
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  ") and name.strip() == module:
            try:
                found = int(parts[1].strip())
            except ValueError:
                continue
    return found


def lambda_env(target: HandlerModule | None) -> dict[str, str]:
    shared = str(REPO_ROOT / "shared")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(global_environment())
    env.update({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": shared,
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})
    if target is not None:
        env.update({"PYTHONPATH": os.pathsep.join([str(target.code_dir), shared]),
                    "LAMBDA_TASK_ROOT": str(target.code_dir), "AWS_LAMBDA_FUNCTION_NAME": target.function,
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_of(target.function))})
    return env


def import_once(module: str, cwd: Path, env: dict[str, str]) -> tuple[int | None, str]:
    """(cumulative µs or None, the error's last line) of one ``import module`` in a new process."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    found = parse_cumulative_us(proc.stderr, module) if proc.returncode == 0 else None
    tail = [line for line in proc.stderr.splitlines() if not line.startswith("import time:")]
    return found, (tail[-1] if tail and proc.returncode else "")


def summary(label: str, samples: list[int], error: str = "") -> dict[str, Any]:
    ms = [s / 1000 for s in samples]
    return {"module": label, "runs": len(ms), "median_ms": rnd(statistics.median(ms), 1) if ms else None,
            "runs_ms": [rnd(m, 1) for m in ms], "error": error or None}


def run(runs: int = RUNS, progress: Callable[[str], None] = print) -> dict[str, Any]:
    targets: list[tuple[str, HandlerModule | None]] = [(BASELINE, None)]
    targets += [(f"{t.function} ({t.code_dir.relative_to(REPO_ROOT)}/{t.module}.py)", t) for t in handler_modules()]
    samples: dict[str, list[int]] = {label: [] for label, _ in targets}
    errors: dict[str, str] = {}
    progress(f"  {len(targets)} modules, {runs} rounds (+1 discarded)")
    for round_no in range(runs + 1):
        for label, target in targets:
            module = target.module if target else BASELINE
            cwd = target.code_dir if target else REPO_ROOT
            found, error = import_once(module, cwd, lambda_env(target))
            if found is None:
                errors[label] = error or "no importtime line"
            elif round_no:
                samples[label].append(found)
    baseline = summary(BASELINE, samples[BASELINE], errors.get(BASELINE, ""))
    handlers = []
    for label, target in targets[1:]:
        row = summary(label, samples[label], errors.get(label, ""))
        base = baseline["median_ms"]
        row["ratio_to_boto3"] = rnd(row["median_ms"] / base) if row["median_ms"] and base else None
        row["function"] = target.function if target else label
        handlers.append(row)
    return {"title": "Cold start: handler module import time vs `import boto3` alone (median, -X importtime)",
            "python": sys.version.split()[0], "baseline": baseline, "handlers": handlers,
            "target_ratio": TARGET_RATIO}
