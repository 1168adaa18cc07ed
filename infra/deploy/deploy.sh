#!/usr/bin/env bash
# Build and deploy leadwave (template.yaml) with the AWS SAM CLI.
#
# Usage: infra/deploy/deploy.sh [extra `sam deploy` arguments]
#   First run (no samconfig.toml at the repository root): `sam deploy --guided` asks for the
#   stack name, region and the parameters below and saves the answers to samconfig.toml
#   (infra/deploy/samconfig.toml.example shows the result). Later runs: `sam deploy` with it;
#   SAM_CONFIG_ENV picks another environment table of samconfig.toml (default: default).
#
# Needs: sam, aws with credentials for the target account, python3.12 on PATH (the functions'
# runtime: `sam build` builds without Docker with it), and the SSM SecureString parameters,
# created once per account and region with infra/deploy/put-secrets.sh.
#
# Template parameters:
#   StageName                     API Gateway stage name (default: prod).
#   KeyPepperParameterName        SSM SecureString with the pepper vendor API keys are hashed with
#                                 (default: /leadwave/key-pepper).
#   TwilioAccountSid              Twilio account SID; empty disables outbound calls (default: empty).
#   TwilioAuthTokenParameterName  SSM SecureString with the Twilio auth token
#                                 (default: /leadwave/twilio-auth-token).
#   PublicBaseUrl                 https base URL Twilio calls for /ivr/* (a custom domain); empty means
#                                 the API's execute-api URL with the stage path (default: empty).
#   LogLevel                      DEBUG, INFO, WARNING or ERROR (default: INFO).
#   AlarmEmail                    e-mail subscribed to the stack's alarm topic (AWS mails a confirmation
#                                 link first); empty: no subscription (default: empty).
#   AlarmTopicArn                 an existing SNS topic every alarm notifies too, besides the stack's own
#                                 topic (output AlarmTopic); empty: none (default: empty).
set -euo pipefail

die() {
  echo "deploy: $*" >&2
  exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

for tool in sam aws; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not on PATH"
done
# Run it rather than `command -v`: a pyenv shim exists for every installed version but fails
# unless that version is selected.
if ! python3.12 -c 'import sys' >/dev/null 2>&1; then
  die "python3.12 (the Lambda runtime) is not on PATH; with pyenv, e.g.:
  PATH=\"\$(pyenv root)/versions/3.12.1/bin:\$PATH\" $0"
fi

sam build --cached --parallel

if [[ -f samconfig.toml ]]; then
  sam deploy --config-env "${SAM_CONFIG_ENV:-default}" "$@"
else
  echo "deploy: no samconfig.toml yet, running the guided deploy (answers are saved to it)" >&2
  sam deploy --guided "$@"
fi
