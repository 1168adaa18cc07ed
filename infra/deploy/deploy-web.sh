#!/usr/bin/env bash
# Publish the agents' and managers' SPA (web/dist, built by `make web`) to a deployed stack:
# writes config.json from the stack's outputs, uploads to the web bucket and invalidates the
# CloudFront cache. `make deploy-web STACK_NAME=...` builds first, then runs this.
#
# Usage: infra/deploy/deploy-web.sh STACK_NAME
#   (STACK_NAME may also come from the environment; the aws CLI's AWS_REGION / AWS_PROFILE apply.)
#
# config.json: {"mode": "cognito", "apiBase", "region", "userPoolId", "clientId", "cognitoDomain",
# "wsUrl"} (wsUrl: the agents' WebSocket API, output WebSocketUrl), read by the SPA at start. It is
# written into web/dist only for the upload and removed after, so a local `make dev` keeps serving
# its own {"mode": "local"}. Hashed assets are cached for a year; everything else (index.html,
# config.json, the PWA's manifest.webmanifest and icons) is revalidated on every load. The service
# worker sw.js goes last, once the files it pre-caches are in place, also revalidated (a stale
# worker would keep serving an old app).
set -euo pipefail

die() {
  echo "deploy-web: $*" >&2
  exit 1
}

stack="${1:-${STACK_NAME:-}}"
[[ -n "$stack" ]] || die "usage: $0 STACK_NAME"
command -v aws >/dev/null 2>&1 || die "'aws' is not on PATH"

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dist=web/dist
[[ -f "$dist/index.html" ]] || die "$dist is not built: run 'make web'"

output() { # output KEY -> the stack output's value
  local value
  value="$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text)"
  [[ -n "$value" && "$value" != None ]] || die "stack $stack has no output $1"
  [[ "$value" != *[\"\\]* ]] || die "output $1 has a quote or backslash: $value"
  printf '%s' "$value"
}

api_url="$(output ApiUrl)"
region="$(output Region)"
user_pool="$(output UserPoolId)"
client_id="$(output UserPoolClientId)"
cognito_domain="$(output CognitoDomain)"
bucket="$(output WebBucketName)"
distribution="$(output WebDistributionId)"
web_url="$(output WebUrl)"
ws_url="$(output WebSocketUrl)"
[[ "$ws_url" == wss://* || "$ws_url" == ws://* ]] || die "output WebSocketUrl is not a ws(s):// URL: $ws_url"

config="$dist/config.json"
trap 'rm -f "$config"' EXIT
printf '{"mode": "cognito", "apiBase": "%s", "region": "%s", "userPoolId": "%s", "clientId": "%s", "cognitoDomain": "%s", "wsUrl": "%s"}\n' \
  "$api_url" "$region" "$user_pool" "$client_id" "$cognito_domain" "$ws_url" >"$config"

# Assets first (content-hashed names: old ones stay for pages still open), then the entry points.
if [[ -d "$dist/assets" ]]; then
  aws s3 sync "$dist/assets" "s3://$bucket/assets" --cache-control "public, max-age=31536000, immutable"
fi
aws s3 sync "$dist" "s3://$bucket" --delete --exclude "assets/*" --exclude ".built" \
  --exclude "sw.js" --exclude "manifest.webmanifest" --cache-control "no-cache"
if [[ -f "$dist/manifest.webmanifest" ]]; then
  aws s3 cp "$dist/manifest.webmanifest" "s3://$bucket/manifest.webmanifest" \
    --content-type "application/manifest+json" --cache-control "no-cache"
fi
if [[ -f "$dist/sw.js" ]]; then
  aws s3 cp "$dist/sw.js" "s3://$bucket/sw.js" --content-type "text/javascript; charset=utf-8" --cache-control "no-cache"
fi
invalidation="$(aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" \
  --query Invalidation.Id --output text)"
echo "deploy-web: published to s3://$bucket; CloudFront invalidation $invalidation"
echo "deploy-web: open $web_url/app"
