# graphql_passwordreset: `make help` lists the targets.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= test,lint,jwt,dist,e2e,celery,redis
EXAMPLE := cd example_project && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-postgres test-mariadb test-django42 lint format messages dist clean

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP) ## create the virtualenv in .venv and install the package with its extras

run: $(STAMP) ## migrate SQLite and serve the example project (GraphiQL at /graphql)
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
	.venv-django42/bin/python -m pip install --quiet -e ".[test]" "Django>=4.2,<5.0"
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

# --- property tests, fuzzing and load (issue 3) ---

# --- example project and end-to-end tests (issue 4) ---

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

clean: ## remove the virtualenvs, build output and caches
	rm -rf $(VENV) .venv-django42 $(BENCH_VENV) dist build .coverage .pytest_cache .mypy_cache .ruff_cache
