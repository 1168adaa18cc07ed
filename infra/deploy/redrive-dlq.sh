#!/usr/bin/env bash
# Move the messages in the distribution DLQ back to the distribution queue with an SQS message
# move task, once the cause of the failures is fixed (the DistributionDLQAlarm fired). Safe to
# repeat: a prospect whose execution already exists is not distributed twice.
#
# Usage: infra/deploy/redrive-dlq.sh STACK_NAME [MAX_MESSAGES_PER_SECOND]
#   (STACK_NAME may also come from the environment; the aws CLI's AWS_REGION / AWS_PROFILE apply.)
set -euo pipefail

die() {
  echo "redrive-dlq: $*" >&2
  exit 1
}

stack="${1:-${STACK_NAME:-}}"
rate="${2:-}"
[[ -n "$stack" ]] || die "usage: $0 STACK_NAME [MAX_MESSAGES_PER_SECOND]"
command -v aws >/dev/null 2>&1 || die "'aws' is not on PATH"

output() { # output KEY -> the stack output's value
  local value
  value="$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text)"
  [[ -n "$value" && "$value" != None ]] || die "stack $stack has no output $1"
  printf '%s' "$value"
}

dlq_arn="$(output DistributionDLQArn)"
dlq_url="$(output DistributionDLQUrl)"
queue_arn="$(output DistributionQueueArn)"

waiting="$(aws sqs get-queue-attributes --queue-url "$dlq_url" \
  --attribute-names ApproximateNumberOfMessages \
  --query Attributes.ApproximateNumberOfMessages --output text)"
echo "redrive-dlq: about $waiting message(s) in $dlq_arn"
if [[ "$waiting" == 0 ]]; then
  exit 0
fi

args=(--source-arn "$dlq_arn" --destination-arn "$queue_arn")
if [[ -n "$rate" ]]; then
  args+=(--max-number-of-messages-per-second "$rate")
fi
handle="$(aws sqs start-message-move-task "${args[@]}" --query TaskHandle --output text)"
echo "redrive-dlq: move task started to $queue_arn ($handle); follow it with"
echo "  aws sqs list-message-move-tasks --source-arn $dlq_arn"
