#!/usr/bin/env bash
# The README's test command: installs what the suite needs, makes PostgreSQL
# reachable, then runs ruff, mypy, the migration check and the whole pytest
# suite on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
scripts/system-deps.sh
if [ -z "${DATABASE_URL:-}" ]; then
  server=$(scripts/ensure-postgres.sh)
  export DATABASE_URL="${server}/omsorg"
fi
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-test-only-secret-key-not-for-production}
export DJANGO_ALLOW_ASYNC_UNSAFE=true DJANGO_PLAIN_STATIC=1
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
DJANGO_DEBUG=1 .venv/bin/mypy .
echo "== makemigrations --check"
DJANGO_DEBUG=1 DATABASE_URL=sqlite:///:memory: .venv/bin/python manage.py makemigrations --check --dry-run
echo "== pytest on ${DATABASE_URL%%@*}@…"
exec .venv/bin/python -m pytest --create-db "$@"
