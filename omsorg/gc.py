"""Pausing Python's garbage collector while a large, acyclic result is built.

Building tens of thousands of small objects (a report's rows) triggers the
cyclic garbage collector every few hundred allocations, and each collection
scans the objects just made although they hold no cycles and live as long as
the result. Reference counting still frees everything as usual while the
collector is paused; it is turned back on (if it was on) when the block ends,
also when it raises, with what was made meanwhile counted as long-lived."""

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
            # The objects made meanwhile are all still in the youngest
            # generation, and the first allocation after enable() would
            # scan them all at once (14 ms for the FOK statistics of a
            # whole organisation). They live as long as the result: moved
            # to the oldest generation instead (freeze, then unfreeze: two
            # list splices, no scan), they are scanned only by a full
            # collection, as long-lived objects are. (unfreeze() would also
            # release what anything else had frozen: nothing here freezes.)
            gc.freeze()
            gc.unfreeze()
            gc.enable()
