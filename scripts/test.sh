#!/usr/bin/env bash
# The README's test command: installs what the suite needs, makes PostgreSQL
# reachable, then runs ruff, mypy, the migration check and the whole pytest
# suite twice: on SQLite (the embedded default) and on PostgreSQL (production),
# each spread over the machine's cores with pytest-xdist.
#
#   scripts/test.sh                       everything
#   TEST_DB=sqlite scripts/test.sh -k x   one database only (sqlite or postgresql);
#                                         extra arguments go to pytest
#   TEST_WORKERS=4 scripts/test.sh        pytest-xdist workers for both databases (default:
#                                         SQLite 3, PostgreSQL 2 on two cores; see below)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/bootstrap.sh dev
scripts/system-deps.sh
# The npm packages of the tests, installed once here, before the workers start:
# the OpenID Provider of the sign-in tests (tests/oidc_provider) and axe-core
# for the accessibility test (tests/axe). Without npm those tests are skipped.
for provider in tests/oidc_provider tests/axe; do
  if command -v npm >/dev/null && { [ ! -f "$provider/node_modules/.package-lock.json" ] \
      || [ "$provider/package-lock.json" -nt "$provider/node_modules/.package-lock.json" ]; }; then
    echo "== npm ci in $provider"
    (cd "$provider" && npm ci --no-audit --no-fund --loglevel=error) \
      || echo "npm ci failed in $provider: the tests that need it will be skipped"
  fi
done
TEST_DB=${TEST_DB:-both}
if [ "$TEST_DB" != sqlite ] && [ -z "${PG_DATABASE_URL:-}" ]; then
  server=$(scripts/ensure-postgres.sh)
  PG_DATABASE_URL="${server}/omsorg"
fi
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-test-only-secret-key-not-for-production}
export DJANGO_ALLOW_ASYNC_UNSAFE=true DJANGO_PLAIN_STATIC=1
mkdir -p tmp
# Workers per database, measured on two cores (2 December 2026): SQLite with
# three workers 2 min 58 s against 3 min 48 s with two (the browser tests wait
# on their browser and live server, so a third worker fills the gaps) and
# 3 min 12 s with four; PostgreSQL's own server processes need the cores
# too: with three workers its run took 3 min 54 s to 6 min 53 s (load 4)
# against a steady 5 min or so with two.
cores=$(nproc 2>/dev/null || echo 2)
sqlite_workers=${TEST_WORKERS:-$((cores + 1))}
pg_workers=${TEST_WORKERS:-$cores}

if [ $# -eq 0 ]; then
  echo "== ruff"
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  echo "== mypy"
  DJANGO_DEBUG=1 .venv/bin/mypy .
  echo "== makemigrations --check"
  DJANGO_DEBUG=1 DATABASE_URL=sqlite:///:memory: .venv/bin/python manage.py makemigrations --check --dry-run
fi

run_pytest() {  # run_pytest <label> <database url> <workers> [pytest args...]
  local label=$1 url=$2 workers=$3
  shift 3
  echo "== pytest on $label ($workers workers)"
  DATABASE_URL="$url" .venv/bin/python -m pytest -n "$workers" --dist worksteal --create-db "$@"
}

sqlite_url="sqlite:///$PWD/tmp/db.sqlite3"
pg_label="PostgreSQL (${PG_DATABASE_URL:-}"
pg_label="${pg_label%%@*}@…)"
status=0
# One database after the other: on two cores, both at once measured slower
# (four workers and their browsers crowd each other out).
if [ "$TEST_DB" = both ] || [ "$TEST_DB" = sqlite ]; then
  run_pytest SQLite "$sqlite_url" "$sqlite_workers" "$@" || status=$?
fi
if [ "$TEST_DB" = both ] || [ "$TEST_DB" = postgresql ]; then
  run_pytest "$pg_label" "$PG_DATABASE_URL" "$pg_workers" "$@" || status=$?
fi
echo "== make test finished in $(($(date +%s) - started)) s with status $status"
exit $status
