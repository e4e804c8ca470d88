#!/usr/bin/env bash
# Runs benchmarks/bench_reports.py against PostgreSQL (database omsorg_bench,
# built once and kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
if [ -z "${DATABASE_URL:-}" ]; then
  server=$(scripts/ensure-postgres.sh)
  psql "${server}/postgres" -tAc "select 1 from pg_database where datname='omsorg_bench'" | grep -q 1 \
    || psql "${server}/postgres" -qc "create database omsorg_bench"
  export DATABASE_URL="${server}/omsorg_bench"
fi
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-benchmark-only}
exec .venv/bin/python benchmarks/bench_reports.py "$@"
