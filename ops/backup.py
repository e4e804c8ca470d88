"""Backup and restore of the whole database, for both databases the app runs on.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean`` in one
transaction (a failed restore changes nothing). SQLite: the SQLite online
backup API, which copies a consistent snapshot even while the app runs.

A backup holds personal data: store it encrypted and as access-controlled as
the database itself (docs/operations.md)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections


class BackupError(Exception):
    """A backup or restore could not be made; the message says why (in Swedish)."""


def _settings(using: str) -> dict[str, Any]:
    return connections[using].settings_dict


def _vendor(using: str) -> str:
    return connections[using].vendor


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, setting in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(setting):
            env[key] = str(db[setting])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} saknas. Installera PostgreSQL-klienten (Debian: postgresql-client) "
            "i samma huvudversion som servern."
        )
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(completed.stderr.strip() or f"{command[0]} avslutades med fel.")


def backup(path: Path, *, using: str = "default") -> None:
    """Write a backup of the whole database to ``path``."""
    db = _settings(using)
    if _vendor(using) == "postgresql":
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                str(db["NAME"]),
            ],
            _pg_env(db),
        )
        return
    if _vendor(using) == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(path))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    raise BackupError(f"Databasen {_vendor(using)} stöds inte.")


def restore(path: Path, *, using: str = "default") -> None:
    """Replace every table of the database with the backup in ``path``."""
    if not path.is_file():
        raise BackupError(f"Filen {path} finns inte.")
    db = _settings(using)
    connections[using].close()  # nothing of ours holds a lock while the tables are replaced
    if _vendor(using) == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(path),
            ],
            _pg_env(db),
        )
        return
    if _vendor(using) == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Filen {path} är ingen SQLite-säkerhetskopia: {exc}") from None
        target = sqlite3.connect(str(db["NAME"]))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    raise BackupError(f"Databasen {_vendor(using)} stöds inte.")


def fingerprints(using: str = "default") -> dict[str, tuple[int, str]]:
    """Row count and a hash of the contents of every table, to compare two
    databases (or one database before and after a restore)."""
    connection = connections[using]
    result: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result
