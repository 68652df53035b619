# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# Real services for `make test-services` (and production-like local runs).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/0
SERVICES_RESULT_BACKEND ?= redis://127.0.0.1:6379/1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install run test test-services lint audit chromium services worker beat clean \
	wrk bench bench-quick

help:
	@echo "make run            serve the portal with demo data on http://$(HOST):$(PORT)"
	@echo "make test           lint, checks and the whole test suite (embedded mode)"
	@echo "make test-services  the suite again on PostgreSQL, Redis and a real Celery worker"
	@echo "make audit          known vulnerabilities in installed packages (needs PyPI)"
	@echo "make bench          benchmark the hot paths (docs/benchmarks.md; about 20 min)"
	@echo "make bench-quick    the same benchmark on tiny data, as a smoke test"

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[test]"
	touch $@

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo
	@echo "Learning centre: http://$(HOST):$(PORT)/"
	@echo "Editors (Wagtail): http://$(HOST):$(PORT)/admin/"
	@echo "Sales view:        http://$(HOST):$(PORT)/sales/"
	@echo "Health:            http://$(HOST):$(PORT)/healthz"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# axe-core for the accessibility audit, pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

# Every installed package against PyPI's vulnerability data; --strict fails
# when a package cannot be checked, so an unreachable PyPI is never a pass.
# The portal itself (editable, not on PyPI) is skipped. No finding is ignored;
# an ignored one would be listed here with --ignore-vuln and its reason.
audit: install
	$(BIN)/pip-audit --local --strict --skip-editable --progress-spinner off

test: install chromium node_modules/.package-lock.json lint
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -m "not services"

services:
	scripts/start-services

test-services: install chromium node_modules/.package-lock.json services
	DATABASE_URL=$(SERVICES_DATABASE_URL) \
	CELERY_BROKER_URL=$(SERVICES_BROKER_URL) \
	CELERY_RESULT_BACKEND=$(SERVICES_RESULT_BACKEND) \
	PORTAL_SERVICES=1 \
		$(BIN)/pytest

wrk:
	@command -v wrk >/dev/null || { \
		echo "Installing Debian's wrk for the benchmark"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }

# Recreates the portal_bench database (PostgreSQL at BENCH_POSTGRES_URL, by
# default the local server) and uses Redis databases 12 and 13 only;
# BENCH_ARGS adds options, e.g. BENCH_ARGS="--events 1000000".
bench: install services wrk
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: install services wrk
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

worker: install
	CELERY_TASK_ALWAYS_EAGER=false $(BIN)/celery -A portal worker -l info

beat: install
	CELERY_TASK_ALWAYS_EAGER=false $(BIN)/celery -A portal beat -l info

clean:
	rm -rf $(VENV) node_modules staticfiles var db.sqlite3 db.sqlite3-shm db.sqlite3-wal
