"""The code the query and validation workers run, called in this process on the
real engines: `answer` (the row cap, the interchange forms), a worker's loop
`_serve` over a real pipe, the pools' settings, and the validation worker's
`_validate`. The process plumbing around them (spawning, killing, replacing) is
tested by tests/test_query_pool.py and tests/test_validation_pool.py; what runs
in a worker process is out of sight of mutmut's map of tests to code, so these
are what make kg/store/pool.py's and kg/validation_pool.py's mutants testable."""
from __future__ import annotations

import multiprocessing
import os
import threading

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from kg.store.base import Outcome
from kg.store.guard import QueryRefused, check_query
from kg.store.pool import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    _LineCap,
    _serve,
    answer,
    pool_settings,
)
from kg.store.query import QuerySyntaxError
from kg.validate import validate
from kg.validation_pool import _validate, default_workers
from tests.test_api import EXAMPLE_CSV, PLAN_FIELDS

TRIPLES = b"".join(b'<urn:s%d> <urn:p> "%d" .\n' % (n, n) for n in (1, 2, 3))
SUBJECTS = "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s"
GRAPH = "CONSTRUCT { ?s <urn:p> ?o } WHERE { ?s <urn:p> ?o }"


@pytest.fixture(scope="module")
def three():
    """A store of three triples, so every answer is known whole."""
    store = ox.Store()
    store.bulk_load(TRIPLES, format=ox.RdfFormat.N_TRIPLES)
    return store


def tsv(*subjects: int) -> bytes:
    return b"?s\n" + b"".join(b"<urn:s%d>\n" % n for n in subjects)


@pytest.mark.parametrize("max_rows, body, truncated", [
    (4, tsv(1, 2, 3), False),
    (3, tsv(1, 2, 3), False),  # exactly the cap: whole, not truncated
    (2, tsv(1, 2), True),
    (1, tsv(1), True),
    (0, tsv(), True),
])
def test_solutions_are_cut_at_the_row_cap_and_flagged(three, max_rows, body, truncated):
    assert answer(three, SUBJECTS, max_rows) == Outcome("solutions", body, truncated)


def test_no_solutions_is_the_header_alone(three):
    outcome = answer(three, "SELECT ?s WHERE { ?s <urn:none> ?o }", 5)
    assert outcome == Outcome("solutions", b"?s\n", False)
    assert list(outcome.results()) == []


@pytest.mark.parametrize("query, rows", [
    ("SELECT ?x WHERE { }", 1),
    ("SELECT ?x WHERE { OPTIONAL { <urn:s1> <urn:none> ?x } }", 1),
    ("SELECT ?x WHERE { VALUES ?n { 1 2 3 } OPTIONAL { <urn:s1> <urn:none> ?x } }", 3),
    ("SELECT ?x WHERE { <urn:s1> <urn:none> ?x }", 0),
])
def test_a_solution_with_its_one_variable_unbound_is_a_row(three, query, rows):
    """Such a solution is an empty line in TSV: it counts as the engine counts it
    (the answer once lost the empty lines at its end)."""
    outcome = answer(three, query, 5)
    assert outcome == Outcome("solutions", b"?x\n" + b"\n" * rows, False)
    assert len(list(outcome.results())) == len(list(three.query(query))) == rows
    assert answer(three, query, 2) == Outcome("solutions", b"?x\n" + b"\n" * min(rows, 2),
                                              rows > 2)


def test_empty_last_cells_and_a_bare_header_are_kept_whole(three):
    """Only the final line break is trimmed: an unbound last column (a row
    ending in a tab) and a header ending in the variable's name stay as they are."""
    optional = "SELECT ?s ?x WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:none> ?x } } ORDER BY ?s"
    assert answer(three, optional, 5) == Outcome(
        "solutions", b"?s\t?x\n<urn:s1>\t\n<urn:s2>\t\n<urn:s3>\t\n", False)
    assert answer(three, "SELECT ?X WHERE { ?X <urn:none> ?o }", 5) == Outcome(
        "solutions", b"?X\n", False)


@pytest.mark.parametrize("max_rows, kept, truncated", [(4, 3, False), (3, 3, False),
                                                        (2, 2, True), (0, 0, True)])
def test_triples_have_no_header_and_are_cut_at_the_cap(three, max_rows, kept, truncated):
    outcome = answer(three, GRAPH, max_rows)
    lines = [line for line in outcome.body.splitlines() if line]
    assert (outcome.kind, outcome.truncated, len(lines)) == ("triples", truncated, kept)
    assert set(lines) <= set(TRIPLES.splitlines())
    assert outcome.body.endswith(b"\n")
    if not truncated:
        assert sorted(lines) == sorted(TRIPLES.splitlines())


def test_an_empty_graph_answer_reads_as_no_triples(three):
    outcome = answer(three, "CONSTRUCT { ?s ?p ?o } WHERE { ?s <urn:none> ?o }", 5)
    assert outcome == Outcome("triples", b"\n", False)
    assert outcome.results() == []


@pytest.mark.parametrize("query, body", [("ASK { <urn:s1> <urn:p> ?o }", b"true"),
                                         ("ASK { <urn:s9> <urn:p> ?o }", b"false")])
def test_ask_is_true_or_false(three, query, body):
    assert answer(three, query, 0) == Outcome("boolean", body, False)


@pytest.mark.parametrize("query, error", [("INSERT DATA { <urn:a> <urn:b> <urn:c> }", QueryRefused),
                                          ("SELECT nothing", QuerySyntaxError)])
def test_answer_refuses_what_the_engine_refuses(three, query, error):
    with pytest.raises(error):
        answer(three, query, 5)


def test_the_line_cap_takes_lines_up_to_its_limit_then_stops():
    sink = _LineCap(2)
    assert sink.writable() is True
    assert sink.write(b"a\nb") == 3
    assert sink.write(b"\n") == 1  # two lines: at the limit, still taken
    with pytest.raises(EOFError):
        sink.write(b"c\n")
    assert bytes(sink.data) == b"a\nb\nc\n"


def refusal(query: str) -> str:
    with pytest.raises(QueryRefused) as refused:
        check_query(query)
    return str(refused.value)


@pytest.fixture()
def worker(tmp_path):
    """`_serve`, the worker's loop, on a thread of this process at the end of a
    real pipe, over a dump file, with a row cap of 2."""
    dump = tmp_path / "graph.nt"
    dump.write_bytes(TRIPLES)
    ours, theirs = multiprocessing.Pipe()

    def serve():
        try:
            _serve(theirs, str(dump), 2)
        finally:  # as a worker process's death closes its end: the test reads EOF, not silence
            theirs.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield Answers(ours), thread
    ours.close()
    thread.join(5)


class Answers:
    """The pool's end of a worker's pipe; a reply that does not come within 10 s
    fails the test instead of hanging it."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, query) -> None:
        self.connection.send(query)

    def recv(self):
        assert self.connection.poll(10), "the worker did not answer"
        return self.connection.recv()

    def close(self) -> None:
        self.connection.close()


def test_a_worker_says_ready_then_answers_each_query_in_turn(worker):
    connection, thread = worker
    assert connection.recv() == ("ready", None)
    connection.send(SUBJECTS)
    assert connection.recv() == ("ok", Outcome("solutions", tsv(1, 2), True))
    connection.send("ASK { <urn:s3> <urn:p> \"3\" }")
    assert connection.recv() == ("ok", Outcome("boolean", b"true", False))
    connection.send("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    status, message = connection.recv()
    assert status == "QueryRefused" and message == refusal("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    connection.send("SELECT nothing")
    status, message = connection.recv()
    assert status == "QuerySyntaxError" and message.startswith("SPARQL syntax")
    connection.send(None)  # not even text: any other error is reported, and it serves on
    status, message = connection.recv()
    assert status == "QuerySyntaxError" and message.startswith("the query failed: ")
    connection.send("ASK { <urn:s9> ?p ?o }")
    assert connection.recv() == ("ok", Outcome("boolean", b"false", False))
    assert thread.is_alive()


def test_a_worker_stops_quietly_when_the_pool_closes_its_pipe(worker):
    connection, thread = worker
    assert connection.recv() == ("ready", None)
    connection.close()
    thread.join(5)
    assert not thread.is_alive()


@pytest.mark.parametrize("env, settings", [
    ({}, {"timeout": DEFAULT_TIMEOUT, "max_rows": DEFAULT_MAX_ROWS, "workers": 2}),
    ({"TCKG_QUERY_TIMEOUT": "", "TCKG_MAX_ROWS": "", "TCKG_QUERY_WORKERS": ""},
     {"timeout": 10.0, "max_rows": 10_000, "workers": 2}),
    ({"TCKG_QUERY_TIMEOUT": "2.5", "TCKG_MAX_ROWS": "7", "TCKG_QUERY_WORKERS": "3"},
     {"timeout": 2.5, "max_rows": 7, "workers": 3}),
])
def test_pool_settings_come_from_the_environment(monkeypatch, env, settings):
    for name in ("TCKG_QUERY_TIMEOUT", "TCKG_MAX_ROWS", "TCKG_QUERY_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert pool_settings() == settings
    assert (DEFAULT_TIMEOUT, DEFAULT_MAX_ROWS) == (10.0, 10_000)


@pytest.mark.parametrize("value, workers", [(None, os.cpu_count()), ("", os.cpu_count()),
                                            ("1", 1), ("3", 3)])
def test_validation_workers_default_to_one_per_core(monkeypatch, value, workers):
    monkeypatch.delenv("TCKG_VALIDATION_WORKERS", raising=False)
    if value is not None:
        monkeypatch.setenv("TCKG_VALIDATION_WORKERS", value)
    assert default_workers() == workers


def test_validation_workers_are_one_when_the_cores_are_unknown(monkeypatch):
    monkeypatch.delenv("TCKG_VALIDATION_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # what Python gives when it cannot tell
    assert default_workers() == 1


BROKEN = EXAMPLE_CSV.replace(b"Visibility", b"Visibilty", 1)


@pytest.mark.parametrize("data", [EXAMPLE_CSV, BROKEN], ids=["conforming", "violating"])
def test_the_validation_worker_reports_as_validate_and_keeps_the_graph_if_asked(data):
    here = validate(data, "csv", **PLAN_FIELDS)
    without = _validate(data, "csv", False, dict(PLAN_FIELDS))
    with_graph = _validate(data, "csv", True, dict(PLAN_FIELDS))
    assert without.to_json() == with_graph.to_json() == here.to_json()
    assert without.report_ntriples == ""
    assert len(with_graph.report_graph) == len(here.report_graph) > 0
    assert isomorphic(with_graph.report_graph, here.report_graph)


@pytest.mark.parametrize("asked, workers", [(1, 1), (3, 3), (None, "default")])
def test_a_validation_pool_is_spawned_warm_workers_of_the_count_asked(monkeypatch, asked, workers):
    """No process starts until the first validation, so the executor's settings
    are read here: the count asked for (else the default), spawned (no threads
    or model inherited), each worker compiling the shapes first (`warm`)."""
    from kg.validate import warm
    from kg.validation_pool import ValidationPool

    monkeypatch.setenv("TCKG_VALIDATION_WORKERS", "5")
    expected = 5 if workers == "default" else workers
    pool = ValidationPool(asked)
    try:
        executor = pool._executor
        assert (pool.workers, executor._max_workers) == (expected, expected)
        assert executor._mp_context.get_start_method() == "spawn"
        assert executor._initializer is warm
    finally:
        pool.close()
