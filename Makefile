# graphql_passwordreset: `make help` lists the targets.
#
# One virtualenv, .venv, filled as targets need it: `make run` installs the package and what
# the example needs, nothing more; `make test` adds the test, lint and build tools (PEP 735
# dependency groups in pyproject.toml). bench/ has its own, .venv-bench.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := cd example_project && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test test-races lint format messages dist docs quickstart python313 tox matrix \
	test-services timing fuzz load load-ci mailbox graphiql-assets schema e2e bench bench-scale \
	bench-quick bench-profile bench-aliases clean

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	@echo "Creating the virtualenv $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@# pip >= 25.1 installs PEP 735 dependency groups (--group).
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.example: pyproject.toml | $(BIN)/python
	@echo "Installing the package and the example project's dependencies into $(VENV) (a minute or two)"
	$(BIN)/python -m pip install --quiet -e . --group example
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	@echo "Installing the package with its extras and the test, lint and build tools into $(VENV)"
	$(BIN)/python -m pip install --quiet -e ".[jwt,celery]" --group test --group lint \
		--group dist --group tox --group example
	touch $@

run: export EXAMPLE_BASE_URL = http://$(HOST):$(PORT)
run: $(VENV)/.example ## migrate SQLite, create the demo user, serve the example (front end at /, GraphiQL at /graphql)
	@echo "Migrating the example's SQLite database"
	$(EXAMPLE) migrate --noinput
	@echo "Creating the demo user, unless it exists"
	$(EXAMPLE) create_demo_user
	@echo "Serving the example at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(EXAMPLE) runserver $(HOST):$(PORT)

test: $(VENV)/.dev ## the whole suite on SQLite, with both user models, with branch coverage
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=0 -p no:cacheprovider
	$(BIN)/python -m pytest --ds=tests.settings_custom_user --cov --cov-append --cov-report=term-missing -p no:cacheprovider

test-races: $(VENV)/.dev ## the thread races that SQLite can run, on a SQLite file database (DB=sqlite-file)
	DB=sqlite-file $(BIN)/python -m pytest -p no:cacheprovider tests/test_refresh_race.py tests/test_attempt_race.py

lint: $(VENV)/.dev ## ruff (lint and format check) and mypy (strict, django-stubs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.dev ## update the translation catalogs and compile them (needs gettext)
	cd graphql_passwordreset && ../$(BIN)/django-admin makemessages -l en -l de --no-obsolete
	cd graphql_passwordreset && ../$(BIN)/django-admin compilemessages

dist: $(VENV)/.dev ## build the sdist and wheel into dist/, check them, install the wheel next to Django 6.1
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python tests/check_wheel.py dist/*.whl
	PYTHON313="$$(tools/python313.sh)" && tests/check_install.sh "$$PYTHON313" dist/*.whl

$(VENV)/.docs: pyproject.toml | $(BIN)/python
	@echo "Installing MkDocs and the Material theme into $(VENV)"
	$(BIN)/python -m pip install --quiet --group docs
	touch $@

docs: $(VENV)/.docs ## build the documentation site (docs/, mkdocs.yml) into site/, failing on any broken link
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The Quickstart (docs/quickstart.md) run as written: the wheel into a fresh virtualenv, a new
# startproject, the page's code blocks applied, runserver, the reset over HTTP without cookies.
# QUICKSTART_PYTHON=/opt/python3.13/bin/python3.13 runs it on Django 6.1.
QUICKSTART_PYTHON ?= $(PYTHON)
quickstart: $(VENV)/.dev ## follow docs/quickstart.md in a new project (both variants); QUICKSTART_PYTHON picks Python
	QUICKSTART_PYTHON="$(QUICKSTART_PYTHON)" $(BIN)/python -m pytest -m quickstart tests/quickstart -rP \
		-p no:cacheprovider

# --- the Django x Python x database matrix (tox.ini) ---

python313: ## build CPython 3.13 into /opt/python3.13 unless it is there (tools/python313.sh)
	tools/python313.sh

ENV ?= py311-django52-sqlite
tox: $(VENV)/.dev ## one leg of the matrix: make tox ENV=py313-django61-postgres (legs: tox.ini)
	PATH="$$(dirname "$$(tools/python313.sh)"):$$PATH" $(BIN)/tox -e $(ENV)

matrix: $(VENV)/.dev ## every leg of the matrix, one after another
	PATH="$$(dirname "$$(tools/python313.sh)"):$$PATH" $(BIN)/tox

# --- real services, the example project, end-to-end ---

test-services: $(VENV)/.dev ## Celery delivery with a real worker, throttles shared by two servers (needs Redis)
	$(BIN)/python -m pytest -m services --ds=tests.integration.settings tests/integration -p no:cacheprovider

SMTP_PORT ?= 1025
E2E_ARTIFACTS ?= .ci/artifacts/e2e

mailbox: $(VENV)/.dev ## SMTP sink on 127.0.0.1:1025 (SMTP_PORT) for EXAMPLE_EMAIL=smtp make run; prints, saves mail
	$(EXAMPLE) mailbox --port $(SMTP_PORT)

# GraphiQL's files are committed in example_project/static/graphiql/ (make run needs neither npm
# nor a CDN); this fetches them again from the npm registry at graphene-django's versions.
graphiql-assets: $(VENV)/.example ## refresh the example's copy of GraphiQL from npm (after a graphene-django upgrade)
	$(BIN)/python tools/graphiql_assets.py

schema: $(VENV)/.example ## write the example's GraphQL schema (SDL) to schema.graphql
	$(EXAMPLE) graphql_schema --out=-.graphql > ../schema.graphql.tmp
	mv schema.graphql.tmp schema.graphql

e2e: $(VENV)/.dev ## end-to-end: a live example server, Debian's Chromium (Playwright), the gql client
	@test -x /usr/bin/chromium || { echo "make e2e needs Debian's Chromium: apt-get install chromium" >&2; exit 1; }
	E2E_ARTIFACTS="$(abspath $(E2E_ARTIFACTS))" $(BIN)/python -m pytest -m e2e example_project/example_tests/e2e -p no:cacheprovider
	@echo "Screenshots and the server log: $(abspath $(E2E_ARTIFACTS))"

# --- timing, fuzzing, load and benchmarks: bench/, in .venv-bench ---

# django-rest-passwordreset 1.6.0 and the measuring tools live only in .venv-bench, never in
# the package's dependencies. BENCH_PYTHON and BENCH_DJANGO pick the interpreter and Django
# series, e.g. `make bench BENCH_VENV=.venv-bench-61 BENCH_PYTHON=/opt/python3.13/bin/python3.13
# BENCH_DJANGO="Django>=6.1,<6.2"`.
BENCH_VENV ?= .venv-bench
BENCH_BIN := $(BENCH_VENV)/bin
BENCH_PYTHON ?= $(PYTHON)
BENCH_DJANGO ?= Django>=5.2,<5.3
$(BENCH_VENV)/.installed: pyproject.toml
	$(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_BIN)/python -m pip install --quiet --upgrade pip
	$(BENCH_BIN)/python -m pip install --quiet -e ".[jwt,celery]" --group bench "$(BENCH_DJANGO)"
	touch $@

TIMING_N ?= 500
timing: $(BENCH_VENV)/.installed ## does response time reveal known addresses? (both delivery modes; TIMING_N)
	$(BENCH_BIN)/python bench/timing_leak.py --mode request --requests $(TIMING_N)
	$(BENCH_BIN)/python bench/timing_leak.py --mode celery --requests $(TIMING_N)

# The Hypothesis property tests (tests/test_properties.py) run in `make test`; for more examples:
# HYPOTHESIS_PROFILE=thorough. fuzz and load serve the test project with gunicorn on 127.0.0.1.
FUZZ_SECONDS ?= 20
LOAD_SECONDS ?= 60
fuzz: $(BENCH_VENV)/.installed ## Schemathesis fuzz of /graphql and /graphql-relay on a live server (about a minute)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BENCH_BIN)/python -m bench.fuzz

load: $(BENCH_VENV)/.installed ## mixed concurrent traffic (LOAD_SECONDS=60) on gunicorn, PostgreSQL, Redis; database checks
	LOAD_SECONDS=$(LOAD_SECONDS) $(BENCH_BIN)/python -m bench.load

load-ci: $(BENCH_VENV)/.installed ## the load run, 15 s
	LOAD_SECONDS=15 $(BENCH_BIN)/python -m bench.load

# Variables for bench/run.py, given on the command line: DB=sqlite|postgres, HASHER=md5|default,
# THROTTLES=on|off, SQLITE_MODE=wal|default, BENCH_ROUNDS=15, BENCH_QUICK=1.
bench: $(BENCH_VENV)/.installed ## GraphQL vs django-rest-passwordreset, interleaved rounds; writes docs/benchmarks.md
	$(BENCH_BIN)/python -m bench.run

bench-scale: $(BENCH_VENV)/.installed ## the same at 1,000,000 token rows vs empty tables (fill cached in artifacts/bench)
	SCALE=1 $(BENCH_BIN)/python -m bench.run

bench-quick: $(BENCH_VENV)/.installed ## a smoke run of the benchmark (under a minute), output in artifacts/bench
	BENCH_QUICK=1 $(BENCH_BIN)/python -m bench.run

bench-profile: $(BENCH_VENV)/.installed ## where each operation's time goes (parts timed alone, cProfile layers)
	$(BENCH_BIN)/python -m bench.profile_ops

bench-aliases: $(BENCH_VENV)/.installed ## N aliased reset fields in one document vs graphene's no-op field (BENCH_ALIASES=1000,5000)
	$(BENCH_BIN)/python -m bench.aliases

clean: ## remove the virtualenvs, tox environments, build output and caches
	rm -rf $(VENV) .venv-bench* .tox dist build site .coverage .pytest_cache .mypy_cache .ruff_cache
