# Casebase: `make run` to start the site, `make test` to run the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
CASES ?= 20000
# Tests run on every core (pytest-xdist); PYTEST_ARGS adds to it, e.g. PYTEST_ARGS='-k search'.
TEST_WORKERS ?= auto
PYTEST = $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# Find a Python 3.12+: pyenv's 3.13 (as .python-version asks), then python3.13, python3.12, python3.
PYTHON_BOOT := $(shell \
  for c in "$$(command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.13 2>/dev/null)/bin/python" \
           python3.13 python3.12 python3; do \
    p=$$(command -v $$c 2>/dev/null) || continue; \
    $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
  done)

.PHONY: help venv install migrate fixtures demo run test test-fast lint check serve loadtest bench clean

help:
	@echo "make run    - set everything up and serve http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL is set)"
	@echo "make test   - set everything up and run the test suite"
	@echo "make test-fast - the test suite without the browser journeys (the inner loop)"
	@echo "make serve  - production serving with gunicorn (needs SECRET_KEY, DATABASE_URL and SITE_URL)"
	@echo "make loadtest - 60 s of load and a PostgreSQL restart against gunicorn (see docs/deploy.md)"
	@echo "make bench  - benchmark against CASES synthetic cases on PostgreSQL (default $(CASES))"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON_BOOT)" ]; then \
	  echo "Casebase needs Python 3.12 or newer (3.13 preferred). Install it (e.g. 'pyenv install 3.13') and try again." >&2; exit 1; fi
	@echo "Using $(PYTHON_BOOT) ($$($(PYTHON_BOOT) --version))"
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

venv install: $(VENV)/.installed

migrate: install
	DEBUG=$${DEBUG-1} $(PY) manage.py migrate --noinput

fixtures: migrate
	DEBUG=$${DEBUG-1} $(PY) manage.py load_casebase

demo: fixtures
	DEBUG=$${DEBUG-1} $(PY) manage.py create_demo_users

run: demo
	DEBUG=$${DEBUG-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py check

test: install
	@$(PY) tests/find_browser.py --install >/dev/null
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PYTEST) $(PYTEST_ARGS)

test-fast: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PYTEST) -m "not browser" $(PYTEST_ARGS)

serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec $(VENV)/bin/gunicorn casebase.wsgi:application --config casebase/gunicorn.conf.py

loadtest: install
	$(PY) loadtest/run.py $(LOADTEST_ARGS)

bench: install
	CASES=$(CASES) bash bench/run.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
