# 521助农小店 — targets a newcomer can guess. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
# The address make run serves, for the links in e-mails and text messages (unless set).
SERVED_AT = SHOP_BASE_URL=$${SHOP_BASE_URL:-$${SITE_URL:-http://$(HOST):$(PORT)}}
PYTEST_ARGS ?=

.PHONY: install run demo test test-fast lint format check bench browser-deps clean messages prod-stage

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv sync --frozen --inexact --quiet
	touch $@

install: $(VENV)/.synced

## run: set everything up and serve the shop with demo data on http://127.0.0.1:8000
## (links in e-mails and text messages name the address served: HOST and PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(SERVED_AT) $(PY) manage.py load_demo --if-empty
	$(SERVED_AT) $(PY) manage.py runserver $(HOST):$(PORT)

## demo: (re)load the demo data without starting the server
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

## test: the whole test suite (SQLite in memory unless DATABASE_URL is set)
test: install
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## lint: ruff, then the import rules (pyproject.toml [tool.importlinter]; docs/architecture.md),
## no import loop and no import inside a function without its reason (.ci/)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports
	$(PY) .ci/import_loops.py
	$(PY) .ci/hidden_imports.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	DJANGO_SETTINGS_MODULE=shop.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=shop.settings.test $(PY) manage.py makemigrations --check --dry-run

## prod-stage: the shop under production settings (gunicorn, Celery worker and beat on Redis,
## PostgreSQL) driven over HTTP by tests/production; needs PostgreSQL and Redis on 127.0.0.1
prod-stage: install
	.ci/prod_stage.sh $(PYTEST_ARGS)

## bench: benchmarks (routing, catalogue/search, checkout); prints figures, never fails on speed
bench: install
	$(PY) bench/run_all.py

## messages: refresh locale/en from the code and templates, then compile the .mo (needs gettext)
messages: install
	DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py makemessages -l en --no-obsolete \
		--ignore=.venv --ignore=data --ignore=artifacts --ignore=bench --ignore='tests/*'
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

## browser-deps: Debian's chromium, CJK fonts (screen; TrueType for PDFs) and poppler-utils for the tests (needs root)
browser-deps:
	apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils

clean:
	rm -rf $(VENV) data/db.sqlite3 data/media data/static
