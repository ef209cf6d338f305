# netmark developer commands. `make check` is the test command (README, "Development").
#
#   make check   Debian packages, .venv, assets and translations, then ruff, import contracts and
#                the test suite once on SQLite and once on a private PostgreSQL (with a private Redis)
#   make test    the test suite on SQLite only (with a private Redis); PYTEST_ARGS="-k plan" narrows it
#   make lint    ruff check, ruff format --check, lint-imports
#   make run     install everything and start `netmark serve` on http://127.0.0.1:8000
#   make bench   the benchmarks in bench/ (not part of CI)
#   make clean   remove generated files (keeps .venv and the data folder var/)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := check
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTEST_ARGS ?=
# Each suite runs on two pytest-xdist workers (this machine has two cores); PYTEST_WORKERS=0 runs
# it in one process. Every worker has its own test database; the event store lives in it or in
# per-test folders, and Redis users take unique queue names, so workers share nothing.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
TESTENV := $(CURDIR)/scripts/testenv.sh
# Configuration that would point the suite at a real installation's services is dropped.
CLEAN_ENV := env -u NETMARK_DATABASE_URL -u NETMARK_EVENTS_URL -u NETMARK_REDIS_URL -u NETMARK_SMTP_URL \
	-u NETMARK_DATA_DIR -u NETMARK_SECRET_KEY -u DJANGO_SETTINGS_MODULE
ECHARTS := netmark/web/vendor/echarts/echarts.min.js

.PHONY: check test lint run bench clean tracker packages runtime-packages install install-run assets messages suite-sqlite suite-postgres

# Both suites run even when the first fails (-k); the check fails if either does.
check: packages install assets messages lint
	$(TESTENV) run -- $(MAKE) -k suite-sqlite suite-postgres

test: packages install assets messages
	$(TESTENV) run --no-postgres -- $(MAKE) suite-sqlite

suite-sqlite:
	@echo "== test suite on SQLite"
	$(CLEAN_ENV) $(PYTEST)

suite-postgres:
	@test -n "$${NETMARK_TEST_POSTGRES_URL:-}" || { echo "suite-postgres runs inside scripts/testenv.sh run"; exit 1; }
	@echo "== test suite on PostgreSQL"
	$(CLEAN_ENV) NETMARK_DATABASE_URL="$$NETMARK_TEST_POSTGRES_URL" $(PYTEST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

run: runtime-packages install-run assets messages
	$(BIN)/netmark serve

bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	@if [ -f bench/__main__.py ]; then \
		$(BIN)/python -m bench; \
	elif compgen -G 'bench/*.py' >/dev/null; then \
		for script in bench/*.py; do echo "== $$script"; $(BIN)/python "$$script"; done; \
	else \
		echo "bench/ holds no benchmarks yet"; \
	fi

clean:
	rm -rf build dist netmark.egg-info .ruff_cache .pytest_cache .import_linter_cache .hypothesis test-artifacts \
		node_modules netmark/web/vendor
	find netmark -name '*.mo' -path '*/locale/*' -delete
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

packages:
	$(TESTENV) packages

runtime-packages:
	$(TESTENV) packages --runtime

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pip runs whenever pyproject.toml changed since the last install (and always on a fresh checkout).
# The test extra includes everything `make run` needs.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install: $(VENV)/.installed-test

install-run: $(VENV)/.installed-run

# ECharts comes from the npm registry (package.json and its lock are committed) and is copied into
# the static files; htmx is served by django-htmx itself.
ifneq ($(wildcard package.json),)
assets: $(ECHARTS)

$(ECHARTS): node_modules/.package-lock.json
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
else
assets:
	@echo "no package.json: no npm assets to install"
endif

messages: install-run
	@if find netmark -path '*/locale/*' -name '*.po' | grep -q .; then \
		cd netmark && $(CLEAN_ENV) $(BIN)/django-admin compilemessages >/dev/null; \
	fi

TRACKER := netmark/analytics/static/analytics/netmark.js
# Rebuild the shipped tracker after editing netmark/analytics/tracker/netmark.src.js (a test checks it).
tracker: node_modules/.package-lock.json
	node_modules/.bin/terser netmark/analytics/tracker/netmark.src.js --compress passes=2 --mangle --comments false -o $(TRACKER)
