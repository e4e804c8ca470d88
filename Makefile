# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv dev lint fmt mypy benchmark

# Runs the app with demo data on the embedded SQLite default.
run:
	scripts/bootstrap.sh
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo "Omsorgskontakt: http://$(HOST):$(PORT)/"
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
