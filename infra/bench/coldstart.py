"""Cold start: how long each handler module of template.yaml takes to import, against ``import
boto3`` alone, each in a fresh interpreter (``python -X importtime``), laid out as Lambda lays
it out: the function's CodeUri as the working directory and first on ``sys.path``, then
``shared/`` (the layer), the template's global environment. Rounds interleave the modules so
machine noise hits them alike; the first round is discarded (it writes the .pyc files Lambda's
package would carry). Figures are the median of the cumulative top-level import time.

Each handler is also measured without leadwave: a probe importing exactly the library modules the
handler's import loads (powertools, pydantic, pynamodb, twilio, phonenumbers, the standard
library...), in the same layout. The handler's figure minus that one is leadwave's own import;
the probe's ratio to boto3 is the least the handler could reach with those libraries loaded at
import.

Two more probes import only what the fixed design asks of every handler of a kind, with the
collector off as the handlers have it: an API handler (boto3, powertools' REST resolver and
router, Logger, Metrics, pydantic's BaseModel, a pynamodb Model) and a queue handler (the same with
the batch processor instead of the resolver). No handler of that kind can import faster. A third
probe, the API handler's without pydantic, shows what pydantic adds to it."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
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


LOADED = ("import sys; before = set(sys.modules); import {module}; import json; "
          "print(json.dumps([[n, getattr(m, '__file__', None)] for n, m in sys.modules.items() if n not in before]))")
PROBE = "libraries_of_handler"


_FLOOR_HEAD = "import gc\n\ngc.disable()\nimport boto3\nfrom aws_lambda_powertools import Logger, Metrics\n"
_PYDANTIC = "from pydantic import BaseModel\n"
_FLOOR_TAIL = "from pynamodb.models import Model\n\ngc.freeze()\ngc.enable()\n"
_RESOLVER = ("from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
             "from aws_lambda_powertools.event_handler.api_gateway import Router\n")
FLOORS = {
    "API handler": _FLOOR_HEAD + _RESOLVER + _PYDANTIC + _FLOOR_TAIL,
    "queue handler": _FLOOR_HEAD + "from aws_lambda_powertools.utilities.batch import BatchProcessor\n" + _PYDANTIC
                     + _FLOOR_TAIL,
    # not a floor: what pydantic (powertools' parser, leadwave's models) adds to an API handler's floor
    "API handler without pydantic": _FLOOR_HEAD + _RESOLVER + _FLOOR_TAIL,
}


def is_library(name: str, file: str | None, own_dirs: tuple[Path, ...]) -> bool:
    """A module the handler loads that is not leadwave's: not under the function's code or the
    layer's ``leadwave`` package, nor ``__main__`` or the probe itself (a name registered under an
    alias is left to the probe, which passes over what it cannot import)."""
    if name in ("__main__", PROBE) or name.split(".")[0] == "leadwave":
        return False
    return not (file and any(Path(file).resolve().is_relative_to(d) for d in own_dirs))


def probe_source(libraries: list[str]) -> str:
    """A module importing each library module in the order the handler loaded it, with the
    garbage collector off as a handler module has it (leadwave.runtime); a name that cannot be
    imported on its own (a module registered under an alias) is skipped."""
    names = ", ".join(repr(n) for n in libraries)
    return ("import gc\nimport importlib\n\ngc.disable()\n"
            f"for _name in ({names},):\n"
            "    try:\n        importlib.import_module(_name)\n    except Exception:\n        pass\n"
            "gc.freeze()\ngc.enable()\n")


def library_probe(target: HandlerModule, env: dict[str, str], into: Path) -> Path | None:
    """A directory holding the probe module for ``target``'s libraries, or None if the handler
    does not import."""
    proc = subprocess.run([sys.executable, "-c", LOADED.format(module=target.module)], cwd=target.code_dir, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode:
        return None
    own = (target.code_dir.resolve(), (REPO_ROOT / "shared" / "leadwave").resolve())
    libraries = [n for n, f in json.loads(proc.stdout.splitlines()[-1]) if is_library(n, f, own)]
    folder = into / target.function
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{PROBE}.py").write_text(probe_source(libraries))
    return folder


def summary(label: str, samples: list[int], error: str = "") -> dict[str, Any]:
    ms = [s / 1000 for s in samples]
    return {"module": label, "runs": len(ms), "median_ms": rnd(statistics.median(ms), 1) if ms else None,
            "runs_ms": [rnd(m, 1) for m in ms], "error": error or None}


def _ratio(ms: float | None, base: float | None) -> float | None:
    return rnd(ms / base) if ms and base else None


def run(runs: int = RUNS, progress: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="leadwave-coldstart-") as tmp:
        return _run(runs, progress, Path(tmp))


def _run(runs: int, progress: Callable[[str], None], tmp: Path) -> dict[str, Any]:
    modules = handler_modules()
    # (label, module, working directory, environment)
    probes: list[tuple[str, str, Path, dict[str, str]]] = [(BASELINE, BASELINE, REPO_ROOT, lambda_env(None))]
    for t in modules:
        env = lambda_env(t)
        probes.append((t.function, t.module, t.code_dir, env))
        folder = library_probe(t, env, tmp)
        if folder is not None:  # the libraries alone: the probe first on the path, the function's layout kept
            probes.append((f"{t.function}:libraries", PROBE, t.code_dir,
                           {**env, "PYTHONPATH": os.pathsep.join([str(folder), env["PYTHONPATH"]])}))
    for n, (kind, source) in enumerate(FLOORS.items()):
        folder = tmp / f"floor{n}"
        folder.mkdir()
        (folder / f"{PROBE}.py").write_text(source)
        probes.append((f"floor:{kind}", PROBE, REPO_ROOT, {**lambda_env(None), "PYTHONPATH": str(folder)}))
    samples: dict[str, list[int]] = {label: [] for label, *_ in probes}
    errors: dict[str, str] = {}
    progress(f"  {len(modules)} handler modules, their libraries alone and {len(FLOORS)} floors, "
             f"{runs} rounds (+1 discarded)")
    for round_no in range(runs + 1):
        for label, module, cwd, env in probes:
            found, error = import_once(module, cwd, env)
            if found is None:
                errors[label] = error or "no importtime line"
            elif round_no:
                samples[label].append(found)
    baseline = summary(BASELINE, samples[BASELINE], errors.get(BASELINE, ""))
    base = baseline["median_ms"]
    handlers = []
    for t in modules:
        row = summary(f"{t.function} ({t.code_dir.relative_to(REPO_ROOT)}/{t.module}.py)", samples[t.function],
                      errors.get(t.function, ""))
        row["ratio_to_boto3"] = _ratio(row["median_ms"], base)
        row["function"] = t.function
        libs = samples.get(f"{t.function}:libraries") or []
        row["libraries_median_ms"] = rnd(statistics.median(libs) / 1000, 1) if libs else None
        row["libraries_ratio_to_boto3"] = _ratio(row["libraries_median_ms"], base)
        row["leadwave_ms"] = (rnd(row["median_ms"] - row["libraries_median_ms"], 1)
                              if row["median_ms"] and row["libraries_median_ms"] else None)
        handlers.append(row)
    floors = []
    for kind in FLOORS:
        row = summary(kind, samples[f"floor:{kind}"], errors.get(f"floor:{kind}", ""))
        row["ratio_to_boto3"] = _ratio(row["median_ms"], base)
        floors.append(row)
    return {"title": "Cold start: handler module import time vs `import boto3` alone (median, -X importtime)",
            "python": sys.version.split()[0], "baseline": baseline, "handlers": handlers, "floors": floors,
            "target_ratio": TARGET_RATIO}
