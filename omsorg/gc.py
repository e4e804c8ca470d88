"""Pausing Python's garbage collector while a large, acyclic result is built.

Building tens of thousands of small objects (a report's rows) triggers the
cyclic garbage collector every few hundred allocations, and each collection
scans the objects just made although they hold no cycles and live as long as
the result. Reference counting still frees everything as usual while the
collector is paused; it is turned back on (if it was on) when the block ends,
also when it raises."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
