# The two README commands: `make demo` (the whole pipeline locally) and `make test`.
# Everything runs from .venv, created on first use with Python 3.11 (AWS Glue 5.0's).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
LAKE ?= lake
SCALE ?= 0.01
THROTTLE ?= 0
BASE ?= origin/main
PORT ?= 8080
# pytest-xdist workers for `make test`: the twin's tests share one (one Trino), the rest
# spread over both; 2 fits the 2-core CI machine.
TEST_WORKERS ?= 2
# `make faults`: SIGKILL trials over ingest, clean and transform (plus the other faults).
TRIALS ?= 21
.DEFAULT_GOAL := help
.PHONY: help demo demo-aws deploy-local twin twin-conformance test test-aws lint format unit docs docs-site site dashboard bench bench-aws faults clean check-python glue-package browser pr-check lock test-latest

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "error: python3.11 not found on PATH; install Python 3.11 (AWS Glue 5.0's version)"; exit 2; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || { \
	  echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); this project needs Python 3.11 (set PYTHON=/path/to/python3.11)"; exit 2; }

# Every Python dependency comes from the committed lock, requirements/*.txt (exact versions
# with hashes, every platform), made by `make lock` with uv. pip installs uv alone (its
# hash checked); uv then makes the environment exactly the lock and installs the project
# itself without build isolation, so the build backend is the locked setuptools.
UV := $(BIN)/uv
LOCK := pip compile --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock'
UPGRADE ?=

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt

# Stamps: sync again only when the lock changes.
$(VENV)/.installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes requirements/base.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-dev
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes requirements/dev.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed

# checkov pins versions that clash with the stack: an environment of its own, locked too.
.venv-checkov/.installed: requirements/checkov.txt | check-python
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt
	.venv-checkov/bin/uv pip sync --quiet --python .venv-checkov/bin/python --require-hashes requirements/checkov.txt
	@touch $@

# Refresh the lock from pyproject.toml and requirements/*.in, keeping every pin it can.
# UPGRADE=boto3,botocore moves those packages to their newest allowed versions; UPGRADE=all
# moves everything. Then run `make test` (and `make test-latest`) before committing it.
lock: | $(BIN)/python ## refresh requirements/*.txt (UPGRADE=pkg,pkg or UPGRADE=all)
	@up="$(UPGRADE)"; flags=""; \
	if [ "$$up" = all ]; then flags="--upgrade"; \
	elif [ -n "$$up" ]; then for p in $${up//,/ }; do flags="$$flags --upgrade-package $$p"; done; fi; \
	set -x; \
	$(UV) $(LOCK) $$flags requirements/bootstrap.in -o requirements/bootstrap.txt && \
	$(UV) $(LOCK) $$flags pyproject.toml requirements/tools.in --extra dev --extra lint -o requirements/dev.txt && \
	$(UV) $(LOCK) $$flags pyproject.toml requirements/tools.in -c requirements/dev.txt -o requirements/base.txt && \
	$(UV) $(LOCK) $$flags requirements/checkov.in requirements/tools.in -o requirements/checkov.txt

demo: $(VENV)/.installed ## the whole pipeline on generated data (SCALE=0.01)
	$(BIN)/lakehouse --lake $(LAKE) demo --scale $(SCALE)

# THROTTLE=0.05: the twin throttles that share of its Athena API calls (athena_twin/faults.py).
demo-aws: $(VENV)/.installed-dev ## the pipeline on the local AWS twin (moto + Trino), compared with DuckDB
	LAKEHOUSE_TWIN_THROTTLE=$(THROTTLE) $(BIN)/lakehouse demo-aws --scale $(SCALE)

deploy-local: $(VENV)/.installed-dev ## deploy every CloudFormation stack to moto, check each resource, run the state machine
	$(BIN)/lakehouse deploy-local

twin: $(VENV)/.installed-dev ## run the local AWS twin until Ctrl+C (prints its environment)
	$(BIN)/lakehouse twin

# dbt-athena's own functional tests (from the locked version's sdist) on the twin: the
# twin's conformance test. Weekly and on changes to the twin, not in `make test` (about
# 6 minutes); writes docs/twin-conformance.md.
twin-conformance: $(VENV)/.installed-dev ## dbt-athena's functional tests on the local AWS twin
	$(BIN)/lakehouse twin-conformance

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
lint: $(VENV)/.installed-dev .venv-checkov/.installed ## the pre-commit hooks on every file (ruff, sqlfluff, cfn-lint, checkov, ...)
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

# The lock's environment with these packages at their newest allowed releases instead
# (pyproject.toml's ranges: dbt-core stays 1.11.x), in .venv-latest; then the tests of
# everything that talks to AWS: the twin, the deployment, streaming, demo-aws.
LATEST := boto3 botocore moto dbt-core dbt-athena dbt-athena-community dbt-duckdb
LATEST_TESTS := tests/python/test_twin.py tests/python/test_twin_protocols.py \
	tests/python/test_twin_errors.py tests/python/test_deploy.py tests/python/test_streaming.py \
	tests/python/test_demo_aws.py
test-latest: | $(BIN)/python ## the twin, deploy and streaming tests on the newest boto3, moto, dbt (not the lock)
	@test -x .venv-latest/bin/python || { $(PYTHON) -m venv .venv-latest && \
	  .venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt; }
	@mkdir -p target/test-latest
	cp requirements/dev.txt target/test-latest/requirements.txt
	.venv-latest/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	  $(foreach p,$(LATEST),--upgrade-package $(p)) pyproject.toml requirements/tools.in \
	  --extra dev --extra lint -o target/test-latest/requirements.txt
	.venv-latest/bin/uv pip sync --quiet --python .venv-latest/bin/python --require-hashes target/test-latest/requirements.txt
	.venv-latest/bin/uv pip install --quiet --python .venv-latest/bin/python --no-deps --no-build-isolation -e .
	@.venv-latest/bin/python -c 'import importlib.metadata as m, sys; \
	  print("test-latest resolved: " + ", ".join(f"{p} {m.version(p)}" for p in sys.argv[1:]))' $(LATEST) \
	  | tee target/test-latest/versions.txt
	.venv-latest/bin/pytest --numprocesses $(TEST_WORKERS) --dist loadgroup $(LATEST_TESTS)

docs: $(VENV)/.installed ## generate and serve the dbt docs site on http://127.0.0.1:8080 (PORT=)
	$(BIN)/lakehouse --lake $(LAKE) docs --serve --port $(PORT)

docs-site: $(VENV)/.installed-dev ## serve the documentation site (docs/, MkDocs) on http://127.0.0.1:8000
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

SITE_DIR ?= target/site
site: $(VENV)/.installed-dev ## build the documentation site into $(SITE_DIR), --strict (the docs workflow publishes it)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(SITE_DIR)

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
