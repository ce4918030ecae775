# The few commands a person runs. Every target that needs Python tools depends on the
# locked environment in .venv (created from uv.lock by `make install`).
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
# Use uv from PATH when there is one; otherwise install the pinned uv with pip into .venv.
UV := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)
STAMP := $(VENV)/.installed

.PHONY: help install generate check test test-spec diff bench clean

help:
	@echo "make generate   regenerate generated/ from spec/openapi.yaml"
	@echo "make test       the whole suite: make check, then pytest"
	@echo "make check      generated/ up to date, ruff, mypy --strict"
	@echo "make diff       what the working copy of the spec changes for callers (vs git HEAD)"
	@echo "make test-spec  the quick loop after a spec edit: diff, generate, spec and contract replay tests"
	@echo "make bench      benchmarks (bench/)"
	@echo "make install    create .venv with the locked dependencies"

install: $(STAMP)

$(STAMP): uv.lock pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@if [ "$(UV)" = "$(BIN)/uv" ] && [ ! -x $(BIN)/uv ]; then \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); fi
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	@touch $@

generate: $(STAMP)
	$(BIN)/python -m generator generate

check: $(STAMP)
	$(BIN)/python -m generator check
	$(BIN)/ruff check --no-cache generator generated tests bench
	$(BIN)/ruff format --no-cache --check generator generated tests bench
	$(BIN)/mypy --strict generator generated/seedance_client

test: check
	$(BIN)/python -m pytest

# The spec's changes since the last commit, classified for callers (exit 1 when breaking).
diff: $(STAMP)
	$(BIN)/python -m generator diff git:HEAD spec/openapi.yaml

# The loop after a docs change: review the diff (never fails here), regenerate (which checks
# the spec), then the spec's table and the replay of every example pair against the new client.
test-spec: $(STAMP)
	@$(BIN)/python -m generator diff git:HEAD spec/openapi.yaml || true
	$(BIN)/python -m generator generate
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/spec tests/contract/test_contract_replay.py

bench: $(STAMP)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --compile-bytecode --group bench --python $(BIN)/python
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
