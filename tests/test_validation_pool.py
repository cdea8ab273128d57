"""Validations in worker processes give what validate() gives in process."""
from __future__ import annotations

import os
import signal

import pytest

from kg.model import UnreadablePlan
from kg.validate import validate
from kg.validation_pool import ValidationPool
from tests.test_api import EXAMPLE_CSV, PLAN_FIELDS

BROKEN = EXAMPLE_CSV.replace(b"Visibility", b"Visibilty", 1)


@pytest.fixture(scope="module")
def pool():
    pool = ValidationPool(workers=2)
    yield pool
    pool.close()


@pytest.mark.parametrize("data, conforms", [(EXAMPLE_CSV, True), (BROKEN, False)],
                         ids=["conforming", "violating"])
def test_the_pool_reports_as_validate_does(pool, data, conforms):
    here = validate(data, "csv", **PLAN_FIELDS)
    there = pool.validate(data, "csv", **PLAN_FIELDS)
    assert here.conforms is conforms
    assert there.to_json() == here.to_json()
    assert len(there.report_graph) == 0  # left in the worker unless asked for
    graph = pool.validate(data, "csv", with_graph=True, **PLAN_FIELDS).report_graph
    assert len(graph) == len(here.report_graph) > 0


def test_the_pool_raises_what_validate_raises(pool):
    with pytest.raises(UnreadablePlan, match="does not parse"):
        pool.validate(b"<unclosed", "turtle")


def kill_workers(pool: ValidationPool) -> None:
    """Every worker of the pool killed, as the kernel's out-of-memory killer would
    (after a validation: the workers start with the first)."""
    pool.validate(EXAMPLE_CSV, "csv", **PLAN_FIELDS)
    assert pool._executor._processes
    for pid in list(pool._executor._processes):
        os.kill(pid, signal.SIGKILL)


def test_a_dead_worker_is_replaced_and_the_next_validation_answers():
    from kg.validation_pool import ValidationCrashed

    pool = ValidationPool(workers=1)
    try:
        assert pool.validate(EXAMPLE_CSV, "csv", **PLAN_FIELDS).conforms
        kill_workers(pool)
        with pytest.raises(ValidationCrashed) as crashed:
            pool.validate(EXAMPLE_CSV, "csv", **PLAN_FIELDS)
        assert str(crashed.value) == ("a validation worker died; the workers have been "
                                      "replaced, so the plan can be sent again")
        assert pool.validate(EXAMPLE_CSV, "csv", **PLAN_FIELDS).conforms
    finally:
        pool.close()


def test_the_report_graph_is_the_reports_own(pool):
    """The N-Triples a worker sends back read into the same rdflib graph, with the
    shapes' prefixes for the Turtle download."""
    from rdflib.compare import isomorphic

    here = validate(BROKEN, "csv", **PLAN_FIELDS)
    there = pool.validate(BROKEN, "csv", with_graph=True, **PLAN_FIELDS)
    assert isomorphic(here.report_graph, there.report_graph)
    assert "@prefix tcsh: <https://w3id.org/tckg/shapes#>" in there.report_graph.serialize(format="turtle")
