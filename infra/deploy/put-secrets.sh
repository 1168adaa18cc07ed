#!/usr/bin/env bash
# Create the SSM SecureString parameters template.yaml reads (once per account and region,
# before the first deploy). Uses the aws CLI's usual AWS_REGION / AWS_PROFILE.
#
# Values come from the environment, else from a prompt:
#   LEADWAVE_KEY_PEPPER   pepper vendor API keys are hashed with; at the prompt, Enter
#                         generates a random one (32 bytes, hex).
#   TWILIO_AUTH_TOKEN     Twilio auth token; at the prompt, Enter skips it (no Twilio yet:
#                         /ivr/* webhooks are refused until it exists).
# Parameter names (must match the stack's parameters; defaults match template.yaml):
#   KEY_PEPPER_PARAMETER         default /leadwave/key-pepper
#   TWILIO_AUTH_TOKEN_PARAMETER  default /leadwave/twilio-auth-token
#
# An existing pepper is kept: changing it invalidates every stored vendor key hash. Set
# ROTATE_PEPPER=1 to replace it anyway (and re-issue every vendor key). The Twilio token is
# always overwritten (rotation).
set -euo pipefail

pepper_name="${KEY_PEPPER_PARAMETER:-/leadwave/key-pepper}"
token_name="${TWILIO_AUTH_TOKEN_PARAMETER:-/leadwave/twilio-auth-token}"

die() {
  echo "put-secrets: $*" >&2
  exit 1
}

command -v aws >/dev/null 2>&1 || die "'aws' is not on PATH"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
chmod 700 "$workdir"

ask() { # ask PROMPT -> the value typed (not echoed)
  [[ -t 0 ]] || die "no terminal to prompt on: set the value in the environment"
  local value
  read -rsp "$1: " value
  echo >&2
  printf '%s' "$value"
}

put() { # put NAME VALUE [aws args...]; the value goes through a file, never the command line
  local name="$1" value="$2"
  shift 2
  printf '%s' "$value" >"$workdir/value"
  aws ssm put-parameter --name "$name" --type SecureString --value "file://$workdir/value" \
    --description "leadwave secret (infra/deploy/put-secrets.sh)" "$@" >/dev/null
}

pepper="${LEADWAVE_KEY_PEPPER:-}"
if [[ -z "$pepper" ]]; then
  pepper="$(ask "Vendor key pepper for $pepper_name (Enter generates one)")"
fi
if [[ -z "$pepper" ]]; then
  pepper="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
fi
if [[ "${ROTATE_PEPPER:-0}" == 1 ]]; then
  put "$pepper_name" "$pepper" --overwrite
  echo "put-secrets: $pepper_name replaced; re-issue every vendor key" >&2
elif err="$(put "$pepper_name" "$pepper" 2>&1)"; then
  echo "put-secrets: $pepper_name created" >&2
elif [[ "$err" == *ParameterAlreadyExists* ]]; then
  echo "put-secrets: $pepper_name exists, kept (ROTATE_PEPPER=1 replaces it)" >&2
else
  die "$err"
fi

token="${TWILIO_AUTH_TOKEN:-}"
if [[ -z "$token" ]]; then
  token="$(ask "Twilio auth token for $token_name (Enter skips)")"
fi
if [[ -z "$token" ]]; then
  echo "put-secrets: $token_name skipped" >&2
else
  put "$token_name" "$token" --overwrite
  echo "put-secrets: $token_name written" >&2
fi
