# GymGenius Core. Two commands: `make run` (embedded profile, no services) and `make test`.
SHELL := /bin/bash
PY_BOOT ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint unit bench worker init clean node debian-packages restore-test fuzz

$(UV):
	$(PY_BOOT) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

install: $(UV)
	$(UV) sync --frozen --quiet

# socket.io-client for the realtime tests; openapi-typescript and tsc for the contract tests
NODE_DIRS := tests/e2e/realtime/node tests/contract/node

node: $(addsuffix /node_modules,$(NODE_DIRS))

%/node_modules: %/package.json %/package-lock.json
	cd $* && npm ci --silent --no-audit --no-fund
	touch $*/node_modules

run: install
	$(PY) -m interfaces.cli init
	$(PY) -m interfaces.cli serve

init: install
	$(PY) -m interfaces.cli init

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# pgBackRest (the restore test), promtool (the alert rule tests) and Chromium (the admin page test):
# Debian packages, installed once
debian-packages:
	bash ops/setup/debian-packages.sh

# Two runs: everything but the fault tests on TEST_WORKERS processes (pytest-xdist; each worker has
# its own Redis databases and every test its own PostgreSQL schema), then the fault tests alone,
# since they restart PostgreSQL and Redis under everyone
TEST_WORKERS ?= 3
test: install lint node debian-packages
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal -m "not faults" $(PYTEST_ARGS)
	$(PY) -m pytest -q -p no:cacheprovider -m faults $(PYTEST_ARGS) $(if $(findstring --cov,$(PYTEST_ARGS)),--cov-append)

# The backup drill alone: full backup, more events, point-in-time restore into a scratch cluster
restore-test: install debian-packages
	$(PY) -m pytest -q -s -p no:cacheprovider tests/ops/test_backup_restore.py


# schemathesis over the whole document as five roles, long: >= 10,000 cases (make test runs ~1,900)
fuzz: install
	GYMGENIUS_FUZZ_CASES=$${GYMGENIUS_FUZZ_CASES:-60} $(PY) -m pytest -q -p no:cacheprovider -s \
		tests/contract/test_response_conformance.py $(PYTEST_ARGS)

bench: install  # the load comes from a few callers: rate limits would measure themselves
	GYMGENIUS_RATE_LIMITS=0 $(PY) -m ops.bench

worker: install
	GYMGENIUS_PROFILE=server dramatiq_worker_timeout=100 $(PY) -m interfaces.workers interfaces.workers.actors --processes 1 --threads 4

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache
