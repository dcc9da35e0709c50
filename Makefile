# Crux's entry points: `make run` serves the site, `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock requirements/base.lock | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench venv lock demo worker clean audit

venv: $(STAMP)

$(STAMP): requirements/base.lock requirements/dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found (Crux needs Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements/dev.lock
	rm -f $(VENV)/.installed-* && touch $@

# Serve on http://$(HOST):$(PORT). With REDIS_URL set, a Celery worker and beat run beside
# the server and stop with it (Ctrl-C).
run: venv
	DEBUG=$${DEBUG:-1} bash scripts/run.sh

test: venv lint
	DJANGO_SETTINGS_MODULE=forum.test_settings $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "make: models changed without a migration"; exit 1; }
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff: style, annotations (ANN) and complexity (C901); lint-imports: the import contracts in
# pyproject.toml; mypy (with django-stubs): types in services, queries and analysis.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy threads/services threads/queries threads/analysis

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	$(BIN)/python bench/run.py

audit: venv
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r requirements/base.lock

# Re-resolve the pinned locks from requirements/*.in (needs the package index).
lock:
	rm -rf /tmp/crux-lock && $(PYTHON) -m venv /tmp/crux-lock
	/tmp/crux-lock/bin/pip install --quiet -r requirements/base.in
	/tmp/crux-lock/bin/pip freeze --exclude pip --exclude setuptools > requirements/base.lock
	/tmp/crux-lock/bin/pip install --quiet -r requirements/dev.in
	/tmp/crux-lock/bin/pip freeze --exclude pip --exclude setuptools > requirements/dev.lock

worker: venv
	$(BIN)/celery -A forum worker --loglevel=INFO --concurrency=1 --max-memory-per-child=350000

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
