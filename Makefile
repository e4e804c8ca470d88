# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv dev lint fmt mypy benchmark

# Runs the app with demo data on the embedded SQLite default, and the task
# worker that makes PDFs and runs imports (jobs app) beside it; stopping the
# server (Ctrl-C) stops the worker too.
run:
	scripts/bootstrap.sh
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo "Omsorgskontakt: http://$(HOST):$(PORT)/"
	@DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Runs ruff, mypy, the migration check and the whole test suite on SQLite and
# on PostgreSQL (installing and starting PostgreSQL where none is reachable).
test:
	scripts/test.sh

venv:
	scripts/bootstrap.sh

dev:
	scripts/bootstrap.sh dev

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

mypy: dev
	DJANGO_DEBUG=1 $(VENV)/bin/mypy .

benchmark: dev
	scripts/benchmark.sh
