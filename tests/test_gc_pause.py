"""kg/gc_pause.py: the collector is off inside a validation and back on after,
whatever happens inside, so a long-running server does not grow."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from kg import gc_pause
from kg.model import UnreadablePlan
from kg.validate import validate


class _Node:
    pass


def test_off_inside_and_on_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_pause.paused():
        assert not gc.isenabled()
        raise RuntimeError("inside")
    assert gc.isenabled()


def test_overlapping_callers_on_threads_turn_it_on_once_all_are_out():
    inside, release = threading.Barrier(2), threading.Event()
    seen = []

    def worker():
        with gc_pause.paused():
            inside.wait()
            release.wait()
        seen.append(gc.isenabled())

    other = threading.Thread(target=worker)
    other.start()
    with gc_pause.paused():
        inside.wait()
        release.set()
        other.join()
        assert seen == [False]  # the thread left first: still off for this caller
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with gc_pause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_made_inside_are_collected_after():
    with gc_pause.paused():
        node = _Node()
        node.self = node
        ref = weakref.ref(node)
        del node
        assert ref() is not None  # no collection inside
    gc.collect()
    assert ref() is None


def test_validate_turns_it_back_on_after_an_unreadable_plan_and_a_good_one():
    with pytest.raises(UnreadablePlan):
        validate(b"@prefix : <", "turtle")
    assert gc.isenabled()
    plan = (b"@prefix tc: <https://w3id.org/tckg/ontology#> .\n"
            b"<https://example.org/p> a tc:ActionPlan .\n")
    assert not validate(plan, "turtle").conforms
    assert gc.isenabled()
