"""infra/deploy: static checks, then each script run against fake `aws`, `sam` and `python3.12`
commands that record their arguments (no AWS account, no network)."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys
import tomllib

import pytest

from tests.infrastructure.infra_helpers import ROOT, load_template

DEPLOY = ROOT / "infra" / "deploy"
SCRIPTS = ["deploy.sh", "put-secrets.sh", "redrive-dlq.sh"]
TEMPLATE = load_template()
BASH = shutil.which("bash") or "/bin/bash"
COREUTILS = ["dirname", "mktemp", "chmod", "rm", "od", "tr"]

FAKE = """#!{python}
import json, os, sys
args = sys.argv[1:]
entry = {{"tool": os.path.basename(sys.argv[0]), "args": args}}
for a in args:
    if a.startswith("file://"):
        entry["file"] = open(a[len("file://"):]).read()
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\\n")
joined = " ".join(args)
if entry["tool"] == "aws":
    if args[:2] == ["cloudformation", "describe-stacks"]:
        key = joined.split("OutputKey=='")[1].split("'")[0]
        print(json.loads(os.environ.get("FAKE_OUTPUTS", "{{}}")).get(key, "None"))
    elif args[:2] == ["sqs", "get-queue-attributes"]:
        print(os.environ.get("FAKE_WAITING", "3"))
    elif args[:2] == ["sqs", "start-message-move-task"]:
        print("task-handle-1")
    elif args[:2] == ["ssm", "put-parameter"]:
        name = args[args.index("--name") + 1]
        if "--overwrite" not in args and name in os.environ.get("FAKE_EXISTING", "").split(","):
            sys.stderr.write("An error occurred (ParameterAlreadyExists) when calling PutParameter\\n")
            sys.exit(254)
"""

OUTPUTS = {
    "DistributionDLQArn": "arn:aws:sqs:us-east-1:123456789012:leadwave-DistributionDLQ-X",
    "DistributionDLQUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/leadwave-DistributionDLQ-X",
    "DistributionQueueArn": "arn:aws:sqs:us-east-1:123456789012:leadwave-DistributionQueue-Y",
}


# ---------------------------------------------------------------- static


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_strict_executable_bash(name):
    path = DEPLOY / name
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert path.stat().st_mode & stat.S_IXUSR
    subprocess.run([BASH, "-n", str(path)], check=True)


def test_deploy_documents_every_template_parameter():
    text = (DEPLOY / "deploy.sh").read_text(encoding="utf-8")
    missing = [p for p in TEMPLATE["Parameters"] if not re.search(rf"^#\s+{p}\s", text, re.MULTILINE)]
    assert not missing


def test_samconfig_example_matches_the_template():
    config = tomllib.loads((DEPLOY / "samconfig.toml.example").read_text(encoding="utf-8"))
    deploy = config["default"]["deploy"]["parameters"]
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    assert config["default"]["global"]["parameters"]["stack_name"]
    names = {override.split("=", 1)[0] for override in deploy["parameter_overrides"]}
    assert names <= set(TEMPLATE["Parameters"]), names - set(TEMPLATE["Parameters"])


def test_scripts_use_the_template_names():
    secrets = (DEPLOY / "put-secrets.sh").read_text(encoding="utf-8")
    for parameter in ("KeyPepperParameterName", "TwilioAuthTokenParameterName"):
        assert TEMPLATE["Parameters"][parameter]["Default"] in secrets
    redrive = (DEPLOY / "redrive-dlq.sh").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\(output (\w+)\)", redrive))
    assert used and used <= set(TEMPLATE["Outputs"]), used - set(TEMPLATE["Outputs"])


# ---------------------------------------------------------------- runs with fakes


@pytest.fixture
def fake(tmp_path):
    """A copy of infra/deploy in an empty tree, fake tools on PATH; returns run(script, *args)."""
    tree = tmp_path / "repo"
    shutil.copytree(DEPLOY, tree / "infra" / "deploy")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in COREUTILS:  # only these on PATH, so a python3.12 elsewhere cannot leak in
        (bin_dir / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "calls.jsonl"

    def install(*tools):
        for tool in tools:
            path = bin_dir / tool
            path.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
            path.chmod(0o755)

    def run(script, *args, env=None, stdin=subprocess.DEVNULL):
        environment = {
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "FAKE_LOG": str(log),
            "FAKE_OUTPUTS": json.dumps(OUTPUTS),
            **(env or {}),
        }
        proc = subprocess.run(
            [BASH, str(tree / "infra" / "deploy" / script), *args],
            env=environment,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        return proc, calls

    install("aws", "sam")
    run.install = install
    run.tree = tree
    return run


def _commands(calls):
    return [[c["tool"], *c["args"]] for c in calls]


def test_deploy_refuses_without_python312(fake):
    proc, calls = fake("deploy.sh")
    assert proc.returncode != 0
    assert "python3.12" in proc.stderr
    assert not [c for c in calls if c["tool"] == "sam"]


def test_deploy_first_run_is_guided(fake):
    fake.install("python3.12")
    proc, calls = fake("deploy.sh")
    assert proc.returncode == 0, proc.stderr
    sam = [c[1:] for c in _commands(calls) if c[0] == "sam"]
    assert sam[0][0] == "build"
    assert sam[1][:2] == ["deploy", "--guided"]


def test_deploy_later_runs_use_samconfig(fake):
    fake.install("python3.12")
    (fake.tree / "samconfig.toml").write_text("version = 0.1\n")
    proc, calls = fake("deploy.sh", "--no-confirm-changeset", env={"SAM_CONFIG_ENV": "staging"})
    assert proc.returncode == 0, proc.stderr
    sam = [c[1:] for c in _commands(calls) if c[0] == "sam"]
    assert sam[1] == ["deploy", "--config-env", "staging", "--no-confirm-changeset"]


def test_redrive_moves_dlq_back_to_the_source_queue(fake):
    proc, calls = fake("redrive-dlq.sh", "leadwave", "5")
    assert proc.returncode == 0, proc.stderr
    (move,) = [c for c in _commands(calls) if c[1:3] == ["sqs", "start-message-move-task"]]
    args = move[3:]
    assert args[args.index("--source-arn") + 1] == OUTPUTS["DistributionDLQArn"]
    assert args[args.index("--destination-arn") + 1] == OUTPUTS["DistributionQueueArn"]
    assert args[args.index("--max-number-of-messages-per-second") + 1] == "5"
    stacks = [c for c in _commands(calls) if c[1:3] == ["cloudformation", "describe-stacks"]]
    assert stacks and all(c[c.index("--stack-name") + 1] == "leadwave" for c in stacks)


def test_redrive_with_an_empty_dlq_starts_nothing(fake):
    proc, calls = fake("redrive-dlq.sh", "leadwave", env={"FAKE_WAITING": "0"})
    assert proc.returncode == 0, proc.stderr
    assert not [c for c in _commands(calls) if "start-message-move-task" in c]


def test_redrive_needs_a_stack_name(fake):
    proc, _ = fake("redrive-dlq.sh")
    assert proc.returncode != 0 and "usage" in proc.stderr


def test_redrive_fails_on_a_stack_without_the_outputs(fake):
    proc, calls = fake("redrive-dlq.sh", "other", env={"FAKE_OUTPUTS": "{}"})
    assert proc.returncode != 0 and "DistributionDLQArn" in proc.stderr
    assert not [c for c in _commands(calls) if "start-message-move-task" in c]


def test_put_secrets_from_environment(fake):
    env = {"LEADWAVE_KEY_PEPPER": "pepper-value-123", "TWILIO_AUTH_TOKEN": "twilio-token-456"}
    proc, calls = fake("put-secrets.sh", env=env)
    assert proc.returncode == 0, proc.stderr
    puts = [c for c in calls if c["args"][:2] == ["ssm", "put-parameter"]]
    puts = {c["args"][c["args"].index("--name") + 1]: c for c in puts}
    pepper, token = puts["/leadwave/key-pepper"], puts["/leadwave/twilio-auth-token"]
    assert pepper["file"] == "pepper-value-123" and "--overwrite" not in pepper["args"]
    assert token["file"] == "twilio-token-456" and "--overwrite" in token["args"]
    for call in (pepper, token):
        assert call["args"][call["args"].index("--type") + 1] == "SecureString"
        assert not {"pepper-value-123", "twilio-token-456"} & set(call["args"]), "secret on the command line"


def test_put_secrets_keeps_an_existing_pepper(fake):
    env = {"LEADWAVE_KEY_PEPPER": "new", "TWILIO_AUTH_TOKEN": "t", "FAKE_EXISTING": "/leadwave/key-pepper"}
    proc, calls = fake("put-secrets.sh", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "kept" in proc.stderr
    assert not [c for c in calls if "--overwrite" in c["args"] and "/leadwave/key-pepper" in c["args"]]


def test_put_secrets_without_values_or_terminal_fails(fake):
    proc, calls = fake("put-secrets.sh")
    assert proc.returncode != 0 and "environment" in proc.stderr
    assert not calls
