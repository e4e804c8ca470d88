"""The settings are safe by default: checked in fresh interpreters so the
environment of each case is exactly what a deployment would have."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args, *(("--no-imports",) if args[0] == "shell" else ())],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_without_a_secret_key_outside_debug():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    result = run_manage("shell", "-c", code, DJANGO_SECRET_KEY="x" * 60)
    assert result.stdout.strip() == "False []"


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
        DJANGO_ALLOWED_HOSTS="omsorg.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_default_is_a_sqlite_file_in_the_project():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['ENGINE'], d['NAME'])"
    )
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="1")
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "db.sqlite3"


def test_database_url_selects_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_manage(
        "shell", "-c", code, DJANGO_DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/x"
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_language_and_time_zone_are_swedish():
    code = (
        "from django.conf import settings;"
        " print(settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_I18N)"
    )
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="1")
    assert result.stdout.strip() == "sv Europe/Stockholm True"
