#!/usr/bin/env bash
# Makes a PostgreSQL server reachable on 127.0.0.1:5432 and prints the
# DATABASE_URL to use: the running server if there is one, else the local
# Debian cluster started, else Debian's postgresql installed and started.
set -euo pipefail
HOST=${PGHOST_TEST:-127.0.0.1}
PORT=${PGPORT_TEST:-5432}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

can_connect() {
  PGCONNECT_TIMEOUT=3 psql "$1" -tAc 'select 1' >/dev/null 2>&1
}

url_trust="postgres://postgres@${HOST}:${PORT}/postgres"
url_pw="postgres://postgres:postgres@${HOST}:${PORT}/postgres"

if ! command -v psql >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
  if ! { command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PORT"; }; then
    echo "Installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q postgresql postgresql-client >&2
  fi
fi

if ! pg_isready -q -h "$HOST" -p "$PORT"; then
  if [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "Starting PostgreSQL $version cluster" >&2
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h "$HOST" -p "$PORT" && break
    sleep 1
  done
fi
pg_isready -q -h "$HOST" -p "$PORT" || { echo "PostgreSQL is not reachable on $HOST:$PORT" >&2; exit 1; }

if can_connect "$url_trust"; then echo "${url_trust%/postgres}"; exit 0; fi
if can_connect "$url_pw"; then echo "${url_pw%/postgres}"; exit 0; fi
# A fresh Debian cluster asks for a password over TCP: give the postgres role one.
echo "Setting a local password for the postgres role" >&2
if [ "$(id -u)" -eq 0 ]; then
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
else
  sudo -u postgres psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >&2
fi
can_connect "$url_pw" || { echo "Cannot log in to PostgreSQL as postgres" >&2; exit 1; }
echo "${url_pw%/postgres}"
