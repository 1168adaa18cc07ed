"""``python -m infra.local`` as a child process, for tests and scripts: start it on free ports,
wait for its ready line, stop it with SIGTERM and check that no DynamoDB Local is left."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from infra.local.dynamodb_local import set_parent_death_signal
from infra.local.settings import HOST, REPO_ROOT, free_port

READY = "leadwave local stack ready on "
_DYNAMODB_LINE = re.compile(r"DynamoDB Local\s+http://[\d.]+:(\d+)")
# Inherited variables that would change what the stack does (a test session's AWS settings...)
_SCRUB_PREFIXES = ("AWS_", "LEADWAVE_", "POWERTOOLS_", "MOTO_", "TWILIO_")
_SCRUB = {"KEY_PEPPER", "DIRECTORY_TABLE", "LEADS_TABLE", "IDEMPOTENCY_TABLE", "DISTRIBUTION_QUEUE_URL",
          "STATE_MACHINE_ARN", "PUBLIC_BASE_URL"}


def dynamodb_local_pids(port: int) -> list[int]:
    """Pids of DynamoDB Local processes listening on ``port`` (from /proc, no psutil)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"DynamoDBLocal.jar") for a in args) and b"-port" in args:
            if args[args.index(b"-port") + 1] == str(port).encode():
                pids.append(int(proc.name))
    return pids


def _stop_with_parent() -> None:  # preexec_fn: if the test run dies, the stack stops cleanly
    set_parent_death_signal(signal.SIGTERM)


class LocalStackProcess:
    def __init__(self, port: int | None = None, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT) -> None:
        self.port = port or free_port()
        self.extra_env = env or {}
        self.cwd = cwd
        self.process: subprocess.Popen[str] | None = None
        self.stdout_lines: list[str] = []
        self.dynamodb_port: int | None = None
        self._ready = threading.Event()
        self._stderr = tempfile.TemporaryFile(prefix="leadwave-local-")

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def moto_endpoint(self) -> str | None:
        """Known when the caller fixed ``LEADWAVE_MOTO_PORT`` (tests read Step Functions there)."""
        port = self.extra_env.get("LEADWAVE_MOTO_PORT")
        return f"http://{HOST}:{port}" if port and port != "0" else None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUB_PREFIXES) and k not in _SCRUB}
        env.update({"LEADWAVE_PORT": str(self.port), "LEADWAVE_DYNAMODB_PORT": "0",
                    "LEADWAVE_MOTO_PORT": "0", "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> LocalStackProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"], cwd=self.cwd, env=self.environment(), text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
            preexec_fn=_stop_with_parent, start_new_session=True,
        )
        threading.Thread(target=self._read_stdout, daemon=True, name="local-stack-stdout").start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                why = "exited" if self.process.poll() is not None else f"not ready after {timeout:.0f}s"
                self.stop()
                raise RuntimeError(f"the local stack {why}; its log:\n{self.stderr()[-6000:]}")
        return self

    def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout_lines.append(line)
            found = _DYNAMODB_LINE.search(line)
            if found:
                self.dynamodb_port = int(found.group(1))
            if line.startswith(READY):
                self._ready.set()

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then wait; SIGKILL of the whole process group if it does not stop in time."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout)
        return process.returncode

    def leftover_java(self, wait: float = 5.0) -> list[int]:
        """DynamoDB Local processes of this stack still alive (after ``wait`` seconds at most)."""
        if self.dynamodb_port is None:
            return []
        deadline = time.monotonic() + wait
        while (pids := dynamodb_local_pids(self.dynamodb_port)) and time.monotonic() < deadline:
            time.sleep(0.1)
        return pids
