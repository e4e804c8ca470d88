"""Argument parsing shared by continuity_report and continuity_kpi."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from django.core.management.base import CommandError

from contacts.models import Unit

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str, option: str) -> dt.date:
    try:
        if not _DATE.match(value or ""):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: ”{value}” är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)."
        ) from None


def get_unit(code: str | None) -> Unit | None:
    if code is None:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"--unit: enheten ”{code}” finns inte.")
    return unit


def write_output(command, output: str | None, content: str | bytes) -> None:  # type: ignore[no-untyped-def]
    if output:
        path = Path(output)
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--output: kan inte skriva {output}: {exc.strerror}") from None
        return
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        command.stdout.write(content, ending="")
