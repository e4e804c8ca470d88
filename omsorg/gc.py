"""Pausing Python's garbage collector while a large, acyclic result is built.

Building tens of thousands of small objects (a report's rows) triggers the
cyclic garbage collector every few hundred allocations, and each collection
scans the objects just made although they hold no cycles and live as long as
the result. Reference counting still frees everything as usual while the
collector is paused; it is turned back on (if it was on) when the block ends,
also when it raises, with what was made meanwhile counted as long-lived.

Long-lived, here, means moved to the oldest generation without a scan (see
``gc_paused``). Python starts a full collection of that generation by its own
count of the objects that reached it through the younger collections, which
these moves bypass: in a web worker that runs such a block on every start
page, cyclic garbage of each request (Django's querysets make some) went
with them and was never collected, 45 KB a request (a worker grew from 97 to
250 MB in 3,300 requests, docs/performance.md). So the blocks keep Python's
rule themselves: once the objects they moved since the last full collection
made here are a quarter of those tracked after it, the tracked objects are
counted, and if they have grown by a quarter a full collection is made
before the next block."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Python's own rule for a full collection: what reached the oldest generation
# since the last one is a quarter of what was there after it (CPython:
# long_lived_pending > long_lived_total / 4).
QUARTER = 4
# Below this many tracked objects a full collection is cheap and Python's
# own counts are left to decide (a fresh process holds ~100,000).
FLOOR = 50_000

# Objects moved to the oldest generation by the blocks since the last full
# collection made here, and how many objects were tracked after it.
_moved = 0
_tracked_after_full = 0


def tracked_objects() -> int:
    """How many objects the collector tracks, without building a list of
    them (``len(gc.get_objects())``): frozen and thawed again, which leaves
    every object where ``gc_paused`` puts it anyway (a walk of the list,
    about 9 ns an object)."""
    gc.freeze()
    count = gc.get_freeze_count()
    gc.unfreeze()
    return count


def _collect_if_grown() -> None:
    """Python's rule, kept for the objects the blocks moved: a full
    collection once the objects tracked have grown by a quarter since the
    last one made here. Counted (a walk of the list) only when the blocks
    have moved that many: most of what they move is a result that is freed
    again with its request, and then nothing has grown."""
    global _moved, _tracked_after_full
    baseline = max(_tracked_after_full, FLOOR)
    if _moved * QUARTER <= baseline:
        return
    _moved = 0
    if tracked_objects() * QUARTER > baseline * (QUARTER + 1):
        gc.collect()
        _tracked_after_full = tracked_objects()


@contextmanager
def gc_paused() -> Iterator[None]:
    global _moved
    was_enabled = gc.isenabled()
    if was_enabled:
        # Before the block, not after it: what it makes is still in use then
        # and would be scanned for nothing.
        _collect_if_grown()
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
            # The youngest generation's count is how many tracked objects
            # it holds (made and not yet freed): counted as moved.
            _moved += gc.get_count()[0]
            gc.freeze()
            gc.unfreeze()
            gc.enable()
