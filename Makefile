# `make run` starts Recoup on its embedded defaults; `make test` runs every Python and UI test.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
UI_STAMP := stripe-app/node_modules/.installed

.PHONY: install run test test-python test-ui lint lint-imports typecheck simulator bench clean api-types

$(PY_STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(UI_STAMP): stripe-app/package.json stripe-app/package-lock.json
	cd stripe-app && npm ci --no-audit --no-fund
	touch $@

install: $(PY_STAMP)

run: $(PY_STAMP)
	$(BIN)/python -m backend serve

test: test-python test-ui

lint-imports: $(PY_STAMP)
	$(BIN)/lint-imports

typecheck: $(PY_STAMP)
	$(BIN)/mypy

lint: $(PY_STAMP)
	$(BIN)/ruff check backend tests bench

test-python: $(PY_STAMP) lint lint-imports typecheck
	$(BIN)/pytest

# The UI's types come from the backend's OpenAPI document; test-ui fails when they have drifted.
test-ui: $(UI_STAMP)
	cd stripe-app && npm run check-types && npm run typecheck && npm run lint && npm test

api-types: $(PY_STAMP) $(UI_STAMP)
	$(BIN)/python -m backend openapi > stripe-app/src/api/openapi.json
	cd stripe-app && npm run generate-types

simulator: $(PY_STAMP)
	$(BIN)/python -m backend.simulator

bench: $(PY_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) stripe-app/node_modules var
