# The two README commands: `make demo` (the whole pipeline locally) and `make test`.
# Everything runs from .venv, created on first use with Python 3.11 (AWS Glue 5.0's).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
LAKE ?= lake
SCALE ?= 0.01
BASE ?= origin/main
PORT ?= 8080
# pytest-xdist workers for `make test`: the twin's tests share one (one Trino), the rest
# spread over both; 2 fits the 2-core CI machine.
TEST_WORKERS ?= 2
# `make faults`: SIGKILL trials over ingest, clean and transform (plus the other faults).
TRIALS ?= 21
.DEFAULT_GOAL := help
.PHONY: help demo demo-aws deploy-local twin test test-aws lint format unit docs dashboard bench bench-aws faults clean check-python glue-package browser pr-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "error: python3.11 not found on PATH; install Python 3.11 (AWS Glue 5.0's version)"; exit 2; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || { \
	  echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); this project needs Python 3.11 (set PYTHON=/path/to/python3.11)"; exit 2; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed ## the whole pipeline on generated data (SCALE=0.01)
	$(BIN)/lakehouse --lake $(LAKE) demo --scale $(SCALE)

demo-aws: $(VENV)/.installed-dev ## the pipeline on the local AWS twin (moto + Trino), compared with DuckDB
	$(BIN)/lakehouse demo-aws --scale $(SCALE)

deploy-local: $(VENV)/.installed-dev ## deploy every CloudFormation stack to moto, check each resource, run the state machine
	$(BIN)/lakehouse deploy-local

twin: $(VENV)/.installed-dev ## run the local AWS twin until Ctrl+C (prints its environment)
	$(BIN)/lakehouse twin

test: $(VENV)/.installed-dev browser ## lint + unit + end-to-end tests (what CI runs)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit

# The browser tests drive Debian's chromium. Installed here when missing and possible
# (root with apt-get); otherwise those tests skip locally with the reason, and fail
# under CI=true.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	  else \
	    echo "note: chromium not installed (needs root + apt-get); browser tests will skip"; \
	  fi; \
	fi

# Every pre-commit hook on every tracked file: hygiene, ruff, sqlfluff, workflow schema,
# cfn-lint and checkov on the CloudFormation templates (checkov in its own environment).
lint: $(VENV)/.installed-dev ## the pre-commit hooks on every file (ruff, sqlfluff, cfn-lint, checkov, ...)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

format: $(VENV)/.installed-dev ## apply ruff format and sqlfluff fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/lakehouse lint-sql --fix

# The PR check builds on the lake's cleaned data: run `make demo` once first.
pr-check: $(VENV)/.installed-dev ## check a dbt change against BASE (default origin/main)
	$(BIN)/lakehouse --lake $(LAKE) pr-check --base $(BASE)

# pytest: unit tests, Spark transform tests, the end-to-end tests (generate -> ingest ->
# Spark clean -> dbt build on DuckDB -> docs on tiny data), and the twin's tests (moto +
# Trino), in TEST_WORKERS processes.
unit: $(VENV)/.installed-dev
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist loadgroup

test-aws: $(VENV)/.installed-dev ## only the demo-aws tests (part of make test): demo-aws on tiny data, its parity, the next day (~8 min)
	$(BIN)/pytest -m twin_demo

docs: $(VENV)/.installed ## generate and serve the dbt docs site on http://127.0.0.1:8080 (PORT=)
	$(BIN)/lakehouse --lake $(LAKE) docs --serve --port $(PORT)

dashboard: $(VENV)/.installed ## write target/dashboard.html from the marts (after make demo)
	$(BIN)/lakehouse --lake $(LAKE) dashboard --out target/dashboard.html

glue-package: $(VENV)/.installed ## build dist/glue/ (Glue job script + --extra-py-files zip)
	$(BIN)/lakehouse package-glue --out dist/glue

bench: $(VENV)/.installed ## time each stage at SCALE against the targets, DuckDB and Spark references, two `make demo` runs (not part of test)
	$(BIN)/python bench/pipeline.py --scale $(SCALE)

bench-aws: $(VENV)/.installed-dev ## demo-aws per stage, Trino's start, bytes Athena scans (not part of test)
	$(BIN)/python bench/demo_aws.py --scale $(SCALE)

# Not part of `make test` (about 20 minutes): each trial reruns a stage after killing it.
faults: $(VENV)/.installed-dev ## kill -9 each stage at random moments (and fill the disk, cut S3), rerun, compare with an uninterrupted run (TRIALS=21)
	$(BIN)/python -m tests.faults --trials $(TRIALS)

clean: ## remove generated data and build artefacts (keeps .venv)
	rm -rf $(LAKE) data/generated target logs .dbt .pytest_cache
