"""The cyclic garbage collector held off during one piece of work.

A validation makes tens of thousands of short-lived objects (terms, tuples,
report entries); nearly all are freed by reference counting as it goes, but
their number sets off the collector, whose full collections walk every object
the process holds: 0.1-0.3 s of CPU in a 2,000-action validation (issue #14).
While any caller is inside `paused()` the collector is off; the last one out
turns it back on, so what a validation left in cycles is collected by the next
automatic collection (a long-running `tckg serve` does not grow).
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No automatic garbage collection inside; threads may nest and overlap.
    A collector that was already off when the first caller came in stays off."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
