"""The loader's speed path: Python's cycle collector paused while one batch is loaded.

Equivalence: ``tests/target/fast_paths/test_switch.py`` (the collector is back on after a
batch, also when the batch fails; a run loads the same store with the switch on or off).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is classified and written.

    Why: a batch allocates about ten container objects per record (typed records, rows,
    parameter tuples), none of them in a reference cycle, so every one is freed by reference
    counting; but each 700 allocations the collector would walk the young objects, and every few
    walks the whole batch, a fifth of the target's time. Paused for one batch, memory stays
    bounded by the batch; the collector runs again between batches.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
