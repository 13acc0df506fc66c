# The commands a newcomer runs. `make run` to try the site, `make test` to prove it.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install lint format check-deploy clean bench load audit

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python=$$(scripts/find-python.sh) || exit 1; \
	  echo "Using $$python ($$($$python --version))"; \
	  $$python -m venv $(VENV) || { echo "Could not create a virtual environment: install the venv module (Debian: python3-venv)."; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

## run: install, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite, tasks in process);
## PRESET=llama (or arla) first configures the program from that preset
## HOST and PORT change where (emails, the calendar file and allauth's links follow: SITE_URL unless set)
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo $(if $(PRESET),--preset $(PRESET))
	$(PY) manage.py seed_demo_pairs
	@echo "Serving on http://$(HOST):$(PORT)/ (links in emails: $$SITE_URL) — stop with Ctrl-C"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The tests keep Python's compiled modules (__pycache__, ignored by git) even where the
# environment says not to write them (PYTHONDONTWRITEBYTECODE, set on this machine): otherwise
# every run, and every test process, compiled the project and rewrote each test module's
# asserts again, about 5 s of CPU a process.
test test-fast: export PYTHONDONTWRITEBYTECODE :=

## test: the whole suite on real PostgreSQL and Redis (started here unless DATABASE_URL/REDIS_URL are set);
## installs PostgreSQL, Redis and Chromium first when they are missing and this machine allows it
test: install
	scripts/need-services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PY=$(PY) scripts/with-services.sh --template-cache .cache/test-pg $(PY) -m pytest $(PYTEST_ARGS)

## test-fast: the suite without the slow lane (browsers, faults, workers, load-like); for working, not for commits.
## In one process per core (pytest-xdist; at most 8: each has its own test database and Redis database);
## TEST_WORKERS=0 runs it in this process (a debugger, -x, print). worksteal: each process starts on its
## half of the tests, in order, and one that finishes early takes tests from the other's queue.
TEST_WORKERS ?= auto
test-fast: install
	scripts/need-services.sh --without-chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PY=$(PY) scripts/with-services.sh --template-cache .cache/test-pg $(PY) -m pytest -m "not slow" -n $(TEST_WORKERS) --maxprocesses 8 --dist worksteal $(PYTEST_ARGS)

## bench: performance figures on a throwaway PostgreSQL (10,000 demo members); fails when a target is missed.
## Every page against its category's target; one category alone: make bench BENCH_ARGS="--category working"
## (fixed, working, csv, xlsx), one page: BENCH_ARGS="--page pairs:orientation"
bench: install
	scripts/with-services.sh $(PY) scripts/bench.py $(BENCH_ARGS)

## audit: the pins of requirements*.txt (and what they bring in) against PyPI's advisories and newest releases
audit: install
	$(PY) scripts/audit.py $(AUDIT_ARGS)

$(VENV)/.installed-load: $(VENV)/.installed requirements-load.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	@touch $@

## load: the Procfile (gunicorn, Celery worker and beat) on 127.0.0.1 under 50 Locust users for 2 min; fails when a target is missed
load: $(VENV)/.installed-load
	LOAD_USERS=$(LOAD_USERS) LOAD_TIME=$(LOAD_TIME) scripts/with-services.sh $(PY) scripts/load.py $(LOAD_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache staticfiles
