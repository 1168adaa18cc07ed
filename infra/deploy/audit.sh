#!/usr/bin/env bash
# The no-lost-lead check (`make audit` on the local stack) against a deployed stack: every lead is
# in exactly one of stored, offering, assigned, unassigned, exception with the facts that state
# needs, and a lead still offering has a running execution. Prints the report as JSON (ok,
# counts, problems by prospect id; never a lead's data) and exits 1 when there is a problem.
#
# Usage: infra/deploy/audit.sh STACK_NAME
#   (STACK_NAME may also come from the environment; the aws CLI's AWS_REGION / AWS_PROFILE apply.)
#
# Runs this checkout's leadwave package (.venv: `make setup`) with the environment of the
# stack's SweepFunction (table names, queue, state machine) and the caller's credentials, which
# need lambda:GetFunctionConfiguration, dynamodb:Scan on the leads table and
# states:DescribeExecution. It scans the whole leads table: on a large one, run it off-peak.
set -euo pipefail

die() {
  echo "audit: $*" >&2
  exit 1
}

stack="${1:-${STACK_NAME:-}}"
[[ -n "$stack" ]] || die "usage: $0 STACK_NAME"
command -v aws >/dev/null 2>&1 || die "'aws' is not on PATH"

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python=.venv/bin/python
[[ -x "$python" ]] || die "$python is missing: run 'make setup'"

sweep="$(aws cloudformation describe-stack-resource --stack-name "$stack" \
  --logical-resource-id SweepFunction --query StackResourceDetail.PhysicalResourceId --output text)"
[[ -n "$sweep" && "$sweep" != None ]] || die "stack $stack has no SweepFunction"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
aws lambda get-function-configuration --function-name "$sweep" \
  --query Environment.Variables --output json >"$workdir/env.json"

"$python" - "$workdir/env.json" <<'PY'
import json
import os
import sys

with open(sys.argv[1], encoding="utf-8") as fh:
    os.environ.update({name: str(value) for name, value in json.load(fh).items()})

from leadwave.services.audit import run

report = run().as_dict()
print(json.dumps(report, indent=2))
sys.exit(0 if report["ok"] else 1)
PY
