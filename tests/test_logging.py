"""The runserver console shows each traceback once (issue 8, "a newcomer's
first ten minutes"): an error of a view reaches exactly one console handler,
with DEBUG on as in development and off as in production."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import override_settings


def console_handlers_reached(record: logging.LogRecord) -> list[logging.Handler]:
    """The handlers outside pytest that would print ``record``, following
    the logger hierarchy as logging.Logger.callHandlers does."""
    reached = []
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            if record.levelno >= handler.level and handler.filter(record):
                reached.append(handler)
        if not logger.propagate:
            break
        logger = logger.parent
    return [h for h in reached if isinstance(h, logging.StreamHandler)]


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_is_printed_once(debug):
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /",
            (),
            sys.exc_info(),
        )
    with override_settings(DEBUG=debug):
        assert len(console_handlers_reached(record)) == 1
