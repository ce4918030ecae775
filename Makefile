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
# Byte code is written beside the sources even when PYTHONDONTWRITEBYTECODE is set (as in some
# shells and containers): otherwise every pytest worker and every generator subprocess of the
# suite would compile generator/, generated/ and tests/ again (~5 s of each pytest process's start,
# ~0.3 s of each command). No PYTHONPYCACHEPREFIX: with one, Python reads no byte code from
# anywhere else, so on a fresh clone each process compiled the standard library and the
# environment again instead of loading what make install compiled (collection 10 -> 5 s of CPU).
PYCACHE := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=

.PHONY: help install generate check check-drift check-lint check-types test test-beside-mypy test-spec spec-diff diff bench clean

help:
	@echo "make generate   regenerate generated/ from spec/openapi.yaml"
	@echo "make test       the whole suite: make check and pytest, side by side"
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
	@# mypy's cache of the standard library and of the dependencies that the checked sources import
	@# (tests/mypy_dependencies.py), written once per install like their byte code: ~8 s of a cold
	@# mypy run. Only a warm-up, whose findings (modules without types) do not matter: whether the
	@# sources pass is make check's to say.
	$(BIN)/mypy --strict -c "$$($(BIN)/python tests/mypy_dependencies.py)" >/dev/null || true
	@touch $@

generate: $(STAMP)
	$(BIN)/python -m generator generate

# The three checks are independent: mypy (the longest: ~3 s after make install's warm-up, ~10 s
# from an empty cache) runs beside the drift check and ruff. Its cache (.mypy_cache) then seeds
# the mypy runs of the tests.
check: $(STAMP)
	@$(MAKE) --no-print-directory -j3 --output-sync=target check-drift check-lint check-types

check-drift: $(STAMP)
	$(PYCACHE) $(BIN)/python -m generator check

check-lint: $(STAMP)
	$(BIN)/ruff check --no-cache generator generated tests bench
	$(BIN)/ruff format --no-cache --check generator generated tests bench

MYPY_ARGS := --strict generator generated/seedance_client
check-types: $(STAMP)
	$(BIN)/mypy $(MYPY_ARGS)

# make check and pytest side by side (mypy is one core for ~3 s after make install's warm-up,
# ~10 s from an empty cache: alone, it left the other core idle); fails when any of them fails.
# The drift check is the test tests/generator/test_cli.py::test_committed_output_is_up_to_date
# (the same command in a pytest worker), not a process of its own (~1 s of CPU). Every test, on
# every core: tests that share a module's fixtures (or a corpus spec) run on one worker
# (xdist_group marks), each worker keeps one mypy cache (tests/conftest.py) copied from
# .mypy_cache once this mypy has written it (tests/beside_mypy.py).
test: $(STAMP)
	@$(MAKE) --no-print-directory -j2 --output-sync=line check-lint test-beside-mypy

test-beside-mypy: $(STAMP)
	$(PYCACHE) $(BIN)/python tests/beside_mypy.py $(MYPY_ARGS) -- -n auto --dist loadgroup

# The spec's changes since the last commit, classified for callers (exit 1 when breaking).
diff: $(STAMP)
	$(BIN)/python -m generator diff git:HEAD spec/openapi.yaml

# The loop after a docs change: review the diff (never fails here), regenerate (which checks
# the spec), then the spec's table and the replay of every example pair against the new client.
# The diff and the generation are independent and run side by side (output kept per target).
test-spec: $(STAMP)
	@$(MAKE) --no-print-directory -j2 --output-sync=target spec-diff generate
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/spec tests/contract/test_contract_replay.py

spec-diff: $(STAMP)
	@$(BIN)/python -m generator diff git:HEAD spec/openapi.yaml || true

bench: $(STAMP)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --compile-bytecode --group bench --python $(BIN)/python
	$(BIN)/python bench/run.py
	$(BIN)/python bench/corpus.py

clean:
	rm -rf $(VENV)
