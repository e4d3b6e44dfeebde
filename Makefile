# graphql_passwordreset: `make help` lists the targets.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= test,lint,jwt,dist,e2e,celery,redis
EXAMPLE := cd example_project && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-postgres test-mariadb test-django42 lint format messages dist clean test-services timing mailbox schema e2e

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP) ## create the virtualenv in .venv and install the package with its extras

run: export EXAMPLE_BASE_URL = http://$(HOST):$(PORT)
run: $(STAMP) ## migrate SQLite, create the demo user, serve the example (front end at /, GraphiQL at /graphql)
	$(EXAMPLE) migrate --noinput
	$(EXAMPLE) create_demo_user
	$(EXAMPLE) runserver $(HOST):$(PORT)

test: $(STAMP) ## run the whole suite on SQLite, with both user models, with coverage
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=0 -p no:cacheprovider
	$(BIN)/python -m pytest --ds=tests.settings_custom_user --cov --cov-append --cov-report=term-missing -p no:cacheprovider

test-postgres: $(STAMP) ## the suite on PostgreSQL (127.0.0.1:5432, user postgres)
	$(BIN)/python -m pip install --quiet -e ".[postgres]"
	DB=postgres $(BIN)/python -m pytest -p no:cacheprovider
	DB=postgres $(BIN)/python -m pytest --ds=tests.settings_custom_user -p no:cacheprovider

test-mariadb: $(STAMP) ## the suite on MariaDB (127.0.0.1:3306, root); needs libmariadb-dev
	$(BIN)/python -m pip install --quiet -e ".[mysql]"
	DB=mariadb $(BIN)/python -m pytest -p no:cacheprovider
	DB=mariadb $(BIN)/python -m pytest --ds=tests.settings_custom_user -p no:cacheprovider

.venv-django42/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-django42
	.venv-django42/bin/python -m pip install --quiet --upgrade pip
	.venv-django42/bin/python -m pip install --quiet -e ".[test,jwt,e2e,celery,redis]" "Django>=4.2,<5.0"
	touch $@

test-django42: .venv-django42/.installed ## the suite on Django 4.2 LTS, in .venv-django42
	.venv-django42/bin/python -m pytest -p no:cacheprovider
	.venv-django42/bin/python -m pytest --ds=tests.settings_custom_user -p no:cacheprovider

lint: $(STAMP) ## ruff (lint and format check) and mypy (strict, django-stubs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP) ## update the translation catalogs and compile them
	cd graphql_passwordreset && ../$(BIN)/django-admin makemessages -l en -l de --no-obsolete
	cd graphql_passwordreset && ../$(BIN)/django-admin compilemessages

dist: $(STAMP) ## build the sdist and wheel into dist/ and check them
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python tests/check_wheel.py dist/*.whl

# --- services: Celery with a real worker, throttles shared across processes (issue 3) ---

test-services: $(STAMP) ## Celery delivery with a real worker, throttles shared by two servers (needs Redis)
	$(BIN)/python -m pytest -m services --ds=tests.services.settings tests/services -p no:cacheprovider

TIMING_N ?= 500
# .venv-bench is defined under "benchmarks" below (prerequisites expand when read, hence the path).
timing: .venv-bench/.installed ## does response time reveal known addresses? (both delivery modes; TIMING_N)
	$(BENCH_BIN)/python bench/timing_leak.py --mode request --requests $(TIMING_N)
	$(BENCH_BIN)/python bench/timing_leak.py --mode celery --requests $(TIMING_N)

# --- property tests, fuzzing and load (issue 3) ---

# The Hypothesis property tests (tests/test_properties.py) run in `make test`; for more examples:
# HYPOTHESIS_PROFILE=thorough. fuzz and load serve the test project with gunicorn on 127.0.0.1
# from .venv-bench (a literal path below: prerequisites expand when read); output in artifacts/.
FUZZ_SECONDS ?= 20
LOAD_SECONDS ?= 60
.PHONY: fuzz load load-ci
fuzz: .venv-bench/.installed ## Schemathesis fuzz of /graphql and /graphql-relay on a live server (about a minute)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BENCH_BIN)/python -m bench.fuzz

load: .venv-bench/.installed ## mixed concurrent traffic (LOAD_SECONDS=60) on gunicorn, PostgreSQL, Redis; database checks
	LOAD_SECONDS=$(LOAD_SECONDS) $(BENCH_BIN)/python -m bench.load

load-ci: .venv-bench/.installed ## the load run, 15 s
	LOAD_SECONDS=15 $(BENCH_BIN)/python -m bench.load

# --- example project and end-to-end tests (issue 4) ---

SMTP_PORT ?= 1025
E2E_ARTIFACTS ?= .ci/artifacts/e2e

mailbox: $(STAMP) ## SMTP sink on 127.0.0.1:1025 (SMTP_PORT) for EXAMPLE_EMAIL=smtp make run; prints, saves mail
	$(EXAMPLE) mailbox --port $(SMTP_PORT)

schema: $(STAMP) ## write the example's GraphQL schema (SDL) to schema.graphql
	$(EXAMPLE) graphql_schema --out=-.graphql > ../schema.graphql.tmp
	mv schema.graphql.tmp schema.graphql

e2e: $(STAMP) ## end-to-end: a live example server, Debian's Chromium (Playwright), the gql client
	@test -x /usr/bin/chromium || { echo "make e2e needs Debian's Chromium: apt-get install chromium" >&2; exit 1; }
	E2E_ARTIFACTS="$(abspath $(E2E_ARTIFACTS))" $(BIN)/python -m pytest -m e2e tests/e2e -p no:cacheprovider
	@echo "Screenshots and the server log: $(abspath $(E2E_ARTIFACTS))"

# --- benchmarks (issue 5) ---

# bench/ has its own virtualenv: django-rest-passwordreset 1.6.0 and the measuring tools live
# only there, never in the package's dependencies.
BENCH_VENV := .venv-bench
BENCH_BIN := $(BENCH_VENV)/bin
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_BIN)/python -m pip install --quiet --upgrade pip
	$(BENCH_BIN)/python -m pip install --quiet -e ".[bench,jwt,postgres,redis,celery,fuzz]"
	touch $@

# Variables for bench/run.py, given on the command line: DB=sqlite|postgres, HASHER=md5|default,
# THROTTLES=on|off, SQLITE_MODE=wal|default, BENCH_ROUNDS=15, BENCH_QUICK=1.
.PHONY: bench bench-scale bench-quick bench-profile
bench: $(BENCH_VENV)/.installed ## GraphQL vs django-rest-passwordreset, interleaved rounds; writes docs/benchmarks.md
	$(BENCH_BIN)/python -m bench.run

bench-scale: $(BENCH_VENV)/.installed ## the same at 1,000,000 token rows vs empty tables (fill cached in artifacts/bench)
	SCALE=1 $(BENCH_BIN)/python -m bench.run

bench-quick: $(BENCH_VENV)/.installed ## a smoke run of the benchmark (under a minute), output in artifacts/bench
	BENCH_QUICK=1 $(BENCH_BIN)/python -m bench.run

bench-profile: $(BENCH_VENV)/.installed ## where each operation's time goes (parts timed alone, cProfile layers)
	$(BENCH_BIN)/python -m bench.profile_ops

clean: ## remove the virtualenvs, build output and caches
	rm -rf $(VENV) .venv-django42 $(BENCH_VENV) dist build .coverage .pytest_cache .mypy_cache .ruff_cache
