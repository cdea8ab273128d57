"""The SPARQL client (kg/store/protocol.py) and the remote backend
(kg/store/remote.py) in this process, against a real Oxigraph server on
127.0.0.1 holding a graph of four triples, so every answer is known whole;
and, for what a well-behaved server never does (stalls, broken-off answers,
each error status), a small HTTP server of the test's own.

Fast (a fresh server starts in about 0.1 s) and free of the search index, so
mutmut runs it on every mutant of those two modules; tests/test_external_store.py
holds the slower tests over the five-plan graph and the app."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from kg.store import remote as remote_module
from kg.store.base import Outcome, QueryTimeout, StoreMissing, StoreUnavailable
from kg.store.embedded import canonical_ntriples, memory_store
from kg.store.guard import QueryRefused
from kg.store.pool import answer
from kg.store.protocol import Endpoints, Exchange, ServerRefused, request, update
from kg.store.query import QuerySyntaxError, serialize
from kg.store.remote import (
    CONTROL,
    GENERATIONS,
    TC,
    RemoteBackend,
    RemoteRunner,
    _chunks,
    generation_graph,
    read_outcome,
    send_query,
    wait_until_up,
    with_bindings,
)

SMALL = canonical_ntriples(b"".join(b'<urn:s%d> <urn:p> "%d" .\n' % (n, n) for n in (1, 2, 3))
                           + b'<urn:s1> <urn:q> <urn:s2> .\n')
SUBJECTS = "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
ENV = ("TCKG_SPARQL_ENDPOINT", "TCKG_SPARQL_UPDATE_ENDPOINT", "TCKG_GRAPH_STORE_ENDPOINT",
       "TCKG_SPARQL_USER", "TCKG_SPARQL_PASSWORD", "TCKG_GRAPH_STORE_PARAMS")


def on_server(server, query: str) -> set[str]:
    """The first column of a query sent straight to the server, whole store."""
    body = request(server.endpoints, "POST", server.endpoints.query, body=query.encode(),
                   headers={"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"})
    return {next(iter(b.values()))["value"] for b in json.loads(body)["results"]["bindings"]}


def graphs(server) -> set[str]:
    return on_server(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")


def registered(server) -> set[str]:
    """The generations named in the control graph."""
    return on_server(server, f"SELECT ?g WHERE {{ GRAPH <{CONTROL}> {{ ?g a <{TC}GraphGeneration> }} }}")


@pytest.fixture()
def refused_port():
    """A port held but not listening: connections to it are refused, and no
    server started meanwhile (by a parallel test run) can take it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture(scope="module")
def loaded(oxigraph_servers):
    """A server of this module's own holding SMALL as its current generation."""
    server = oxigraph_servers.start()
    manifest = RemoteBackend(server.endpoints).write(SMALL, None, {"actions": 3})
    return server, manifest


# -- the environment and credentials ---------------------------------------------------

def test_no_endpoint_means_the_embedded_store(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    assert Endpoints.from_env() is None
    monkeypatch.setenv("TCKG_SPARQL_ENDPOINT", "")
    assert Endpoints.from_env() is None


def test_every_setting_is_read_and_empty_ones_are_unset(monkeypatch):
    for name in ENV:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("TCKG_SPARQL_ENDPOINT", "http://127.0.0.1:1/q")
    assert Endpoints.from_env() == Endpoints("http://127.0.0.1:1/q")
    values = ["http://127.0.0.1:1/q", "http://127.0.0.1:1/u", "http://127.0.0.1:1/s", "ann", "pw",
              "no_transaction&x=1&y="]
    for name, value in zip(ENV, values, strict=True):
        monkeypatch.setenv(name, value)
    assert Endpoints.from_env() == Endpoints(
        "http://127.0.0.1:1/q", "http://127.0.0.1:1/u", "http://127.0.0.1:1/s", "ann", "pw",
        (("no_transaction", ""), ("x", "1"), ("y", "")))


@pytest.mark.parametrize("user, password, header", [
    (None, None, None), (None, "pw", None),
    ("ann", "pw", "ann:pw"), ("ann", None, "ann:"), ("ann", "", "ann:")])
def test_credentials_are_http_basic(user, password, header):
    expected = {} if header is None else {
        "Authorization": "Basic " + base64.b64encode(header.encode()).decode()}
    assert Endpoints("http://x/q", user=user, password=password).headers() == expected


# -- the protocol against a server of the test's own -----------------------------------

class _Scripted(BaseHTTPRequestHandler):
    """/status/N answers N with a body saying so (/status/N/empty: no body, /long:
    600 characters); /echo and / answer what they were sent; /stall sends one line then
    waits; /reset sends one line then resets the connection."""

    def _answer(self):
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[0] == "status":
            status = int(parts[1])
            body = {"empty": b"", "long": b"x" * 600, "latin1": b"caf\xe9 problem"}.get(
                parts[-1], b" problem %d \n" % status)
            return self._send(status, body, "text/plain")
        if parts[0] in ("echo", ""):
            body = json.dumps({"method": self.command, "path": self.path, "body": sent.decode(),
                               "auth": self.headers.get("Authorization"),
                               "type": self.headers.get("Content-Type"),
                               "accept": self.headers.get("Accept")}).encode()
            return self._send(200, body, "Application/JSON; charset=utf-8")
        if parts[0] == "ntriples":  # blank lines, as some servers put between triples
            return self._send(200, b"<urn:a> <urn:b> <urn:c> .\n\n<urn:d> <urn:e> <urn:f> .\n\n",
                              "application/n-triples")
        if parts[0] == "strict":  # answers only what it is asked for by Accept
            if self.headers.get("Accept") != "application/sparql-results+json":
                return self._send(406, b"say what you accept", "text/plain")
            return self._send(200, b'{"head":{},"boolean":true}', "application/sparql-results+json")
        if parts[0] == "notype":
            return self._send(200, b"ok", None)
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"first\n")
        self.wfile.flush()
        if parts[0] == "stall":
            time.sleep(1)
        if parts[0] == "reset":  # then a TCP reset, as a crashed server's kernel sends
            time.sleep(0.2)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()

    def _send(self, status, body, kind):
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_request_goes_as_asked_with_the_credentials_and_the_urls_own_query(scripted):
    endpoints = Endpoints(f"{scripted}/echo", user="ann", password="pw")
    sent = json.loads(request(endpoints, "POST", f"{scripted}/echo?a=1", params=[("b", "2 3")],
                              body=b"hello", headers={"Content-Type": "text/x-test"}))
    assert sent == {"method": "POST", "path": "/echo?a=1&b=2+3", "body": "hello",
                    "auth": "Basic " + base64.b64encode(b"ann:pw").decode(),
                    "type": "text/x-test", "accept": None}
    plain = json.loads(request(Endpoints(scripted), "GET", f"{scripted}/echo"))
    assert (plain["method"], plain["path"], plain["auth"], plain["body"]) == ("GET", "/echo", None, "")


def test_a_url_without_a_path_asks_for_the_root(scripted):
    assert json.loads(request(Endpoints(scripted), "GET", scripted))["path"] == "/"
    sent = json.loads(request(Endpoints(scripted), "GET", scripted, params={"q": "1"}))
    assert sent["path"] == "/?q=1"


def test_content_type_is_the_bare_media_type(scripted):
    exchange = Exchange(Endpoints(scripted), "GET", f"{scripted}/echo", (), None, {}, 5)
    try:
        assert exchange.content_type == "application/json"
    finally:
        exchange.close()
    exchange = Exchange(Endpoints(scripted), "GET", f"{scripted}/notype", (), None, {}, 5)
    try:
        assert exchange.content_type == ""
        assert exchange.read_all() == b"ok"
    finally:
        exchange.close()


@pytest.mark.parametrize("status", [400, 405, 406, 409, 413, 415, 499])
def test_other_4xx_answers_are_the_requests_own_fault(scripted, status):
    with pytest.raises(ServerRefused) as refused:
        request(Endpoints(scripted), "GET", f"{scripted}/status/{status}")
    assert str(refused.value) == f"problem {status}"


@pytest.mark.parametrize("status", [401, 403, 404, 408, 429, 500, 502, 503])
def test_access_missing_busy_and_server_errors_are_the_server_unavailable(scripted, status):
    url = f"{scripted}/status/{status}"
    with pytest.raises(StoreUnavailable) as unavailable:
        request(Endpoints(scripted), "GET", url)
    assert str(unavailable.value) == f"the SPARQL server at {url} answered {status}: problem {status}"


def test_an_empty_refusal_says_the_status_and_a_long_error_is_cut(scripted):
    with pytest.raises(ServerRefused) as refused:
        request(Endpoints(scripted), "GET", f"{scripted}/status/400/empty")
    assert str(refused.value) == "the SPARQL server answered 400"
    url = f"{scripted}/status/500/long"
    with pytest.raises(StoreUnavailable) as unavailable:
        request(Endpoints(scripted), "GET", url)
    assert str(unavailable.value) == f"the SPARQL server at {url} answered 500: " + "x" * 500


def test_an_error_message_in_another_encoding_is_read_with_replacements(scripted):
    with pytest.raises(ServerRefused) as refused:
        request(Endpoints(scripted), "GET", f"{scripted}/status/400/latin1")
    assert str(refused.value) == "caf\ufffd problem"


def test_an_https_url_speaks_tls(scripted):
    """The test's server speaks plain HTTP: asked over https, the TLS handshake
    fails, so the URL's scheme was honoured (nothing goes in clear text)."""
    url = scripted.replace("http://", "https://") + "/echo"
    with pytest.raises(StoreUnavailable, match=f"^the SPARQL server at {url} cannot be reached: .*SSL"):
        request(Endpoints(url), "GET", url, timeout=2)


def test_an_answer_that_stalls_is_stopped_at_the_deadline_after_what_came(scripted):
    started = time.monotonic()
    exchange = Exchange(Endpoints(scripted), "GET", f"{scripted}/stall", (), None, {}, 0.25)
    lines = exchange.blocks()
    assert next(lines) == b"first\n"
    with pytest.raises(QueryTimeout) as timed_out:
        next(lines)
    exchange.close()
    assert 0.25 <= time.monotonic() - started < 5
    assert str(timed_out.value) == ("the query ran past the 0.25 s time limit and was stopped; "
                                    "narrow it (filters, LIMIT) and try again")


def test_an_answer_broken_off_is_the_server_unavailable(scripted):
    with pytest.raises(StoreUnavailable, match="^the SPARQL server broke off its answer: "):
        request(Endpoints(scripted), "GET", f"{scripted}/reset")


def test_a_server_that_never_answers_is_a_time_out(listener):
    port, hits = listener
    url = f"http://127.0.0.1:{port}/query"
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"^the query ran past the 0.1 s time limit"):
        request(Endpoints(url), "GET", url, timeout=0.1)
    assert 0.1 <= time.monotonic() - started < 5 and len(hits) == 1


def test_nothing_listening_is_the_server_unreachable(refused_port):
    url = f"http://127.0.0.1:{refused_port}/query"
    with pytest.raises(StoreUnavailable, match=f"^the SPARQL server at {url} cannot be reached: "):
        request(Endpoints(url), "GET", url)


def test_an_update_needs_the_update_url():
    with pytest.raises(StoreUnavailable) as unavailable:
        update(Endpoints("http://127.0.0.1:1/q"), "CLEAR ALL")
    assert str(unavailable.value) == ("no SPARQL Update URL configured: set "
                                      "TCKG_SPARQL_UPDATE_ENDPOINT to load graphs into the "
                                      "external store")


def test_an_update_keeps_the_time_limit_it_is_given(listener):
    port, _ = listener
    url = f"http://127.0.0.1:{port}/update"
    with pytest.raises(QueryTimeout, match=r"^the query ran past the 0.1 s time limit"):
        update(Endpoints(url, update=url), "CLEAR ALL", timeout=0.1)


def test_blank_lines_between_triples_are_not_triples(scripted):
    assert request(Endpoints(scripted), "GET", f"{scripted}/ntriples") == (
        b"<urn:a> <urn:b> <urn:c> .\n\n<urn:d> <urn:e> <urn:f> .\n\n")  # the body as sent
    exchange = Exchange(Endpoints(scripted), "GET", f"{scripted}/ntriples", (), None, {}, 5)
    assert read_outcome("CONSTRUCT", exchange, None) == Outcome(
        "triples", b"<urn:a> <urn:b> <urn:c> .\n<urn:d> <urn:e> <urn:f> .\n", False)
    exchange = Exchange(Endpoints(scripted), "GET", f"{scripted}/ntriples", (), None, {}, 5)
    assert read_outcome("CONSTRUCT", exchange, 1) == Outcome(
        "triples", b"<urn:a> <urn:b> <urn:c> .\n", True)


def test_waiting_for_a_server_asks_for_the_ask_answer_format(scripted):
    wait_until_up(Endpoints(f"{scripted}/strict"), 2)


def test_an_update_is_sent_as_sparql_update(scripted):
    # the echo's JSON answer is read and dropped: update returns nothing
    assert update(Endpoints(scripted, update=f"{scripted}/echo"), "CLEAR ALL") is None
    with pytest.raises(ServerRefused, match="problem 400"):
        update(Endpoints(scripted, update=f"{scripted}/status/400"), "CLEAR ALL")


# -- binding values and chunking: plain functions -------------------------------------

S = ox.Variable("s")
S2 = ox.NamedNode("urn:s2")


@pytest.mark.parametrize("query, bound", [
    ("SELECT ?o WHERE { ?s <urn:p> ?o }",
     "SELECT ?o WHERE { VALUES (?s) { (<urn:s2>) }  ?s <urn:p> ?o }"),
    ("SELECT ?o where\n{ ?s <urn:p> ?o }",
     "SELECT ?o where\n{ VALUES (?s) { (<urn:s2>) }  ?s <urn:p> ?o }"),
    ("SELECT ?o { ?s <urn:p> ?o }", "SELECT ?o { VALUES (?s) { (<urn:s2>) }  ?s <urn:p> ?o }"),
    # WHERE inside an IRI, a string or a comment, or as part of a name, is not the keyword
    ('SELECT ?o # WHERE {\n{ ?s <urn:WHERE{> "WHERE {" . ?s ?p ?o }',
     'SELECT ?o # WHERE {\n{ VALUES (?s) { (<urn:s2>) }  ?s <urn:WHERE{> "WHERE {" . ?s ?p ?o }'),
    # the template's braces come first: values go in the WHERE group, in any case
    ("CONSTRUCT { ?s ?p ?o } where { ?s ?p ?o }",
     "CONSTRUCT { ?s ?p ?o } where { VALUES (?s) { (<urn:s2>) }  ?s ?p ?o }"),
    ("CONSTRUCT { ?s ?p ?o } WHERE{?s ?p ?o}",
     "CONSTRUCT { ?s ?p ?o } WHERE{ VALUES (?s) { (<urn:s2>) } ?s ?p ?o}"),
    ("SELECT ?where_x { ?s ?p ?where_x }",
     "SELECT ?where_x { VALUES (?s) { (<urn:s2>) }  ?s ?p ?where_x }"),
])
def test_values_are_bound_at_the_head_of_the_where_group(query, bound):
    assert with_bindings(query, {S: S2}) == bound


def test_no_bindings_leave_the_query_alone_and_two_go_in_order():
    assert with_bindings(SUBJECTS, None) == with_bindings(SUBJECTS, {}) == SUBJECTS
    two = with_bindings("ASK WHERE { ?s ?p ?o }", {S: S2, ox.Variable("o"): ox.Literal("2")})
    assert two == 'ASK WHERE { VALUES (?s ?o) { (<urn:s2> "2") }  ?s ?p ?o }'


def test_a_query_without_a_group_cannot_take_values():
    with pytest.raises(ValueError) as refused:
        with_bindings("DESCRIBE <urn:s1>", {S: S2})
    assert str(refused.value) == "cannot bind values in a query without a WHERE group"


@pytest.mark.parametrize("data, size, chunks", [
    (b"a\nbb\nccc\n", 100, [b"a\nbb\nccc\n"]),
    (b"a\nbb\nccc\n", 1, [b"a\n", b"bb\n", b"ccc\n"]),  # whole lines, at least `size` bytes each
    (b"a\nbb\nccc\n", 2, [b"a\nbb\n", b"ccc\n"]),
    (b"a\nbb\nccc\n", 5, [b"a\nbb\nccc\n"]),
    (b"a\nbb\nccc", 1, [b"a\n", b"bb\n", b"ccc"]),  # no final newline: the rest is one chunk
    (b"", 4, []),
])
def test_chunks_are_whole_lines(data, size, chunks):
    assert list(_chunks(data, size)) == chunks
    assert b"".join(chunks) == data


def test_generation_graphs_are_named_under_one_base():
    assert generation_graph("g-1") == GENERATIONS + "g-1" == "https://w3id.org/tckg/id/generation/g-1"


# -- the remote backend against a real Oxigraph server --------------------------------

def test_an_empty_server_has_no_graph(oxigraph_servers):
    server = oxigraph_servers.start()
    with pytest.raises(StoreMissing) as missing:
        RemoteBackend(server.endpoints).manifest()
    assert str(missing.value) == (f"no graph in the SPARQL store at {server.endpoints.query}: "
                                  "run `tckg build` first")


def test_a_loaded_generation_reads_as_the_embedded_store(loaded):
    server, manifest = loaded
    backend = RemoteBackend(server.endpoints)
    assert manifest == {"actions": 3, "triples": 4, "checksum": hashlib.sha256(SMALL).hexdigest(),
                        "generation": manifest["generation"]}
    assert manifest["generation"].endswith("-" + manifest["checksum"][:12])
    assert backend.manifest() == manifest
    reader, here = backend.open(), memory_store(SMALL)
    assert reader.generation == manifest["generation"]
    assert len(reader) == len(here) == 4
    assert sorted(map(str, reader)) == sorted(map(str, here))
    assert backend.ntriples() == SMALL
    dumped = reader.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert canonical_ntriples(dumped) == SMALL
    p, s1 = ox.NamedNode("urn:p"), ox.NamedNode("urn:s1")
    assert sorted(map(str, reader.quads_for_pattern(s1))) == sorted(
        map(str, here.quads_for_pattern(s1, None, None)))
    assert [str(q) for q in reader.quads_for_pattern(None, p, ox.Literal("2"))] == [
        '<urn:s2> <urn:p> "2"']
    assert reader.quads_for_pattern(s1, p, ox.Literal("9")) == []
    assert [str(q) for q in reader.quads_for_pattern(s1, p)] == ['<urn:s1> <urn:p> "1"']
    assert [str(q) for q in reader.quads_for_pattern(None, ox.NamedNode("urn:q"))] == [
        "<urn:s1> <urn:q> <urn:s2>"]
    rows = reader.query("SELECT ?o WHERE { ?s <urn:p> ?o }", {S: S2})
    assert [row["o"] for row in rows] == [ox.Literal("2")]


def test_a_dump_writes_where_and_how_it_is_asked(oxigraph_servers):
    """Turtle with the caller's prefixes and base, to a file object or as bytes,
    as the embedded store writes it."""
    server = oxigraph_servers.start()
    data = b'<http://e.org/a/s1> <http://e.org/a/p> "1" .\n'
    RemoteBackend(server.endpoints).write(data, None, {})
    reader, here = RemoteBackend(server.endpoints).open(), memory_store(data)
    asked = {"format": ox.RdfFormat.TURTLE, "prefixes": {"e": "http://e.org/a/"},
             "base_iri": "http://e.org/"}
    expected = b'@base <http://e.org/> .\n@prefix e: <a/> .\ne:s1 e:p "1" .\n'
    assert here.dump(from_graph=ox.DefaultGraph(), **asked) == expected
    assert reader.dump(from_graph=ox.DefaultGraph(), **asked) == expected
    written = io.BytesIO()
    assert reader.dump(written, **asked) is None
    assert written.getvalue() == expected


def test_the_generation_is_a_named_graph_and_registered(loaded):
    server, manifest = loaded
    graph = generation_graph(manifest["generation"])
    assert graphs(server) == {CONTROL, graph}
    assert registered(server) == {graph}


@pytest.mark.parametrize("max_rows", [0, 1, 2, 3, 4, None])
def test_the_public_runner_answers_as_the_embedded_worker(loaded, max_rows):
    """Whole outcomes, SELECT and CONSTRUCT on both sides of the row cap, ASK both
    ways: what the external server gives equals what a query worker gives."""
    server, manifest = loaded
    here = memory_store(SMALL)
    cap = 10 if max_rows is None else max_rows
    runner = RemoteRunner(server.endpoints, manifest["generation"], 5, cap, 1)
    for query in (SUBJECTS, GRAPH, "ASK { <urn:s1> <urn:q> ?x }", "ASK { <urn:s2> <urn:q> ?x }"):
        assert runner.run(query) == answer(here, query, cap), (query, max_rows)
    if max_rows is None:  # library reads: no cap at all
        form, exchange = send_query(server.endpoints, SUBJECTS, manifest["generation"], 5)
        assert read_outcome(form, exchange, None) == answer(here, SUBJECTS, 10)


@pytest.mark.parametrize("query", [
    "SELECT ?x WHERE { }",
    "SELECT ?x WHERE { VALUES ?n { 1 2 3 } OPTIONAL { <urn:s1> <urn:none> ?x } }",
    "SELECT ?s ?x WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:none> ?x } } ORDER BY ?s",
    "SELECT ?X WHERE { ?X <urn:none> ?o }",
], ids=["one-empty-solution", "three-empty-solutions", "unbound-last-column", "header-only"])
def test_rows_with_empty_cells_come_back_whole(loaded, query):
    server, manifest = loaded
    runner = RemoteRunner(server.endpoints, manifest["generation"], 5, 10, 1)
    outcome = runner.run(query)
    assert outcome == answer(memory_store(SMALL), query, 10)
    assert len(list(outcome.results())) == len(list(memory_store(SMALL).query(query)))


@pytest.mark.parametrize("fmt", [None, "turtle", "ntriples", "jsonld"])
def test_a_remote_graph_answer_serialises_as_the_embedded_one(loaded, fmt):
    """A CONSTRUCT from the server arrives as a list of triples: each graph format
    writes the same triples, with the same media type, as from the embedded store."""
    server, manifest = loaded
    remote = RemoteRunner(server.endpoints, manifest["generation"], 5, 10, 1).run(GRAPH)
    there = serialize(remote.results(), fmt)
    here = serialize(memory_store(SMALL).query(GRAPH), fmt)
    assert isinstance(remote.results(), list) and there.media_type == here.media_type
    rdf = {None: ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE,
           "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    assert there.media_type == rdf.media_type
    assert sorted(map(str, ox.parse(there.body, rdf))) == sorted(
        map(str, ox.parse(here.body, rdf))) == sorted(map(str, memory_store(SMALL)))


def test_the_backends_runner_serves_the_current_generation_with_its_limits(loaded):
    server, manifest = loaded
    runner = RemoteBackend(server.endpoints).query_runner(None, timeout=0.15, max_rows=2,
                                                          workers=3)
    assert (runner.endpoints, runner.generation, runner.timeout, runner.max_rows) == (
        server.endpoints, manifest["generation"], 0.15, 2)
    assert runner.run(SUBJECTS) == answer(memory_store(SMALL), SUBJECTS, 2)
    assert all(runner._slots.acquire(timeout=0) for _ in range(3))  # three slots,
    assert not runner._slots.acquire(timeout=0)  # and no more


def test_the_runner_reads_only_its_generation(loaded):
    server, manifest = loaded
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    mine = RemoteRunner(server.endpoints, manifest["generation"], 5, 10, 1)
    assert mine.run(count) == Outcome("solutions", b"?n\n4\n", False)
    other = RemoteRunner(server.endpoints, "no-such-generation", 5, 10, 1)
    assert other.run(count) == Outcome("solutions", b"?n\n0\n", False)
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert mine.run(named).body == b"?n\n0\n"  # its generation as the default graph, alone
    form, exchange = send_query(server.endpoints, named, None, 5)  # no generation: every graph
    assert read_outcome(form, exchange, None).body == b"?n\n7\n"  # 4, and 3 in the control graph


@pytest.mark.parametrize("query, error, message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", QueryRefused, "SPARQL updates (INSERT)"),
    ("SELECT ?x WHERE { ?x ?y \ud800 }", QuerySyntaxError,
     "the query is not valid Unicode text (surrogates not allowed at character 24)"),
    ("SELECT * WHERE { ?s ?p }", QuerySyntaxError, "SPARQL syntax "),
    ("sel", QuerySyntaxError, "SPARQL syntax "),  # no query form: sent as SELECT, refused there
])
def test_the_runner_refuses_what_the_pool_refuses(loaded, query, error, message):
    server, manifest = loaded
    with pytest.raises(error) as refused:
        RemoteRunner(server.endpoints, manifest["generation"], 5, 10, 1).run(query)
    assert str(refused.value).startswith(message)


def test_a_busy_runner_waits_its_time_limit_for_a_slot(loaded):
    server, manifest = loaded
    runner = RemoteRunner(server.endpoints, manifest["generation"], 0.1, 10, 2)
    assert runner._slots.acquire(timeout=0)  # one of two slots in use: the other answers
    assert runner.run("ASK {}") == Outcome("boolean", b"true", False)
    assert runner._slots.acquire(timeout=0)  # both in use
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as busy:
        runner.run("ASK {}")
    assert 0.1 <= time.monotonic() - started < 5
    assert str(busy.value) == "every query slot stayed busy for 0.1 s; try again shortly"
    runner._slots.release()
    assert runner.run("ASK {}").body == b"true"  # a slot back: it answers, and gives it back
    assert runner._slots.acquire(timeout=0)
    runner.close()


def test_the_runner_keeps_its_time_limit_on_a_server_that_never_answers(listener):
    port, _ = listener
    runner = RemoteRunner(Endpoints(f"http://127.0.0.1:{port}/query"), "g", 0.1, 10, 1)
    with pytest.raises(QueryTimeout, match=r"^the query ran past the 0.1 s time limit"):
        runner.run("ASK {}")
    with pytest.raises(QueryTimeout):  # the slot was given back
        runner.run("ASK {}")


@pytest.mark.parametrize("graph_store, chunk", [(True, 1 << 20), (True, 40), (False, 1 << 20),
                                                (False, 40)],
                         ids=["graph-store", "graph-store-chunked", "update", "update-chunked"])
def test_generations_load_whole_and_only_the_two_newest_are_kept(
        oxigraph_servers, monkeypatch, graph_store, chunk):
    monkeypatch.setattr(remote_module, "GSP_CHUNK", chunk)
    monkeypatch.setattr(remote_module, "UPDATE_CHUNK", chunk)
    server = oxigraph_servers.start()
    endpoints = server.endpoints if graph_store else Endpoints(server.endpoints.query,
                                                                server.endpoints.update)
    backend = RemoteBackend(endpoints)
    first = backend.write(SMALL, None, {"generation": "g-1"})
    assert first["generation"] == "g-1" and backend.ntriples() == SMALL
    more = canonical_ntriples(SMALL + b'<urn:s4> <urn:p> "4" .\n')
    second = backend.write(more, None, {"generation": "g-2"})
    assert backend.manifest() == second and backend.ntriples() == more
    assert graphs(server) == registered(server) | {CONTROL} == {
        CONTROL, generation_graph("g-1"), generation_graph("g-2")}
    backend.write(SMALL, None, {"generation": "g-3"})
    assert graphs(server) == {CONTROL, generation_graph("g-2"), generation_graph("g-3")}
    assert registered(server) == {generation_graph("g-2"), generation_graph("g-3")}
    assert backend.ntriples() == SMALL


def test_the_bulk_hint_goes_with_graph_store_loads(oxigraph_servers):
    server = oxigraph_servers.start()
    hinted = Endpoints(*[getattr(server.endpoints, f) for f in ("query", "update", "graph_store")],
                       load_params=(("no_transaction", ""),))
    assert RemoteBackend(hinted).write(SMALL, None, {})["triples"] == 4
    bad = Endpoints(*[getattr(server.endpoints, f) for f in ("query", "update", "graph_store")],
                    load_params=(("graph", "urn:another"),))  # a second graph: the server refuses
    with pytest.raises(ServerRefused):
        RemoteBackend(bad).write(SMALL, None, {})


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store", "update"])
def test_a_failed_load_is_dropped_and_the_previous_generation_serves(
        oxigraph_servers, graph_store):
    server = oxigraph_servers.start()
    endpoints = server.endpoints if graph_store else Endpoints(server.endpoints.query,
                                                                server.endpoints.update)
    backend = RemoteBackend(endpoints)
    served = backend.write(SMALL, None, {"generation": "g-1"})
    with pytest.raises(ServerRefused):
        backend.write(SMALL + b'<urn:s9> <urn:p> "never closed .\n', None, {"generation": "g-2"})
    assert backend.manifest() == served
    assert graphs(server) == {CONTROL, generation_graph("g-1")}
    assert registered(server) == {generation_graph("g-1")}


def test_a_load_the_server_holds_less_of_is_refused(oxigraph_servers):
    """Four distinct triples and one repeated: the server holds four of the five
    lines sent, so the count check refuses the generation."""
    server = oxigraph_servers.start()
    backend = RemoteBackend(server.endpoints)
    with pytest.raises(StoreMissing) as short:
        backend.write(SMALL + SMALL.splitlines(keepends=True)[0] + b"\n\n", None,
                      {"generation": "g-1"})
    assert str(short.value) == (f"the server holds 4 of the 5 triples sent to "
                                f"{generation_graph('g-1')}; the previous generation stays in use")
    assert graphs(server) == set() and registered(server) == set()
    with pytest.raises(StoreMissing):
        backend.manifest()


def test_a_failure_after_the_switch_keeps_the_new_generation(oxigraph_servers, monkeypatch):
    """The switch went through on the server, but its answer was lost: the
    generation now serving is not dropped as a failed load would be."""
    server = oxigraph_servers.start()
    backend = RemoteBackend(server.endpoints)
    switch = backend._switch

    def switch_then_lose_the_answer(graph, manifest):
        switch(graph, manifest)
        raise StoreUnavailable("the answer to the switch was lost")

    backend.write(SMALL, None, {"generation": "g-1"})
    monkeypatch.setattr(backend, "_switch", switch_then_lose_the_answer)
    with pytest.raises(StoreUnavailable, match="the answer to the switch was lost"):
        backend.write(SMALL, None, {"generation": "g-2"})
    assert backend.manifest()["generation"] == "g-2"
    assert graphs(server) == {CONTROL, generation_graph("g-1"), generation_graph("g-2")}


@pytest.mark.parametrize("gone", ["unreachable", "silent"])
def test_a_load_failing_as_the_server_goes_away_raises_its_own_error(
        oxigraph_servers, monkeypatch, listener, refused_port, gone):
    """The clean-up after a failed load finds the server unreachable or silent:
    the load's own error is what the caller gets, not the clean-up's."""
    server = oxigraph_servers.start()
    backend = RemoteBackend(server.endpoints)
    monkeypatch.setattr(remote_module, "LIBRARY_TIMEOUT", 0.1)
    port = refused_port if gone == "unreachable" else listener[0]

    def load_then_lose_the_server(graph, ntriples):
        backend.endpoints = Endpoints(f"http://127.0.0.1:{port}/query",
                                      f"http://127.0.0.1:{port}/update")
        raise ConnectionAbortedError("the load broke off")

    monkeypatch.setattr(backend, "_load", load_then_lose_the_server)
    with pytest.raises(ConnectionAbortedError, match="the load broke off"):
        backend.write(SMALL, None, {"generation": "g-1"})
    assert registered(server) == {generation_graph("g-1")}  # left for the next load to drop


def test_waiting_for_a_server_returns_once_it_answers_or_gives_up(loaded, refused_port):
    server, _ = loaded
    started = time.monotonic()
    wait_until_up(server.endpoints, 5)
    assert time.monotonic() - started < 5
    nowhere = Endpoints(f"http://127.0.0.1:{refused_port}/query")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        wait_until_up(nowhere, 0.1)
    assert 0.1 <= time.monotonic() - started < 5


def test_waiting_for_a_server_that_comes_up_later():
    """The port is held from the start (bound, not listening: connections are
    refused), so no other server can take it before this one listens."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Asks, bind_and_activate=False)
    server.server_bind()
    endpoints = Endpoints(f"http://127.0.0.1:{server.server_address[1]}/query")

    def later():
        time.sleep(0.2)
        server.server_activate()
        server.serve_forever(0.05)

    threading.Thread(target=later, daemon=True).start()
    started = time.monotonic()
    wait_until_up(endpoints, 5)
    assert 0.1 <= time.monotonic() - started < 1.09  # it tries again every 0.1 s (not 1.1)
    server.shutdown()
    server.server_close()


class _Asks(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"head":{},"boolean":true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_lines_lose_only_their_line_ends():
    """What a block read from the server becomes: rows without \\r\\n, however a
    row's last value ends (a blank node or language tag may end in any letter)."""
    body = bytearray(b'?a\t?b\r\n<urn:a>\t_:X\r\n<urn:b>\t"x"@en-X\n<urn:c>\t\r\n<urn:d>')
    assert remote_module._lines(body, 1, complete=True) == [
        b"?a\t?b", b"<urn:a>\t_:X", b'<urn:b>\t"x"@en-X', b"<urn:c>\t"]
    assert remote_module._lines(body, 1, complete=False)[-1] == b"<urn:d>"
    triples = bytearray(b"<urn:a> <urn:p> <urn:X> .\r\n\r\n<urn:b> <urn:p> <urn:c> .\n")
    assert remote_module._lines(triples, 0, complete=False) == [
        b"<urn:a> <urn:p> <urn:X> .", b"<urn:b> <urn:p> <urn:c> ."]


class _Blocks:
    """The response side of an Exchange, as read_outcome reads it: these blocks,
    exactly (a real server cannot be made to cut its answer at a given byte)."""

    def __init__(self, *blocks: bytes):
        self._blocks, self.closed = blocks, False

    def blocks(self):
        yield from self._blocks

    def read_all(self) -> bytes:
        return b"".join(self._blocks)

    def close(self):
        self.closed = True


@pytest.mark.parametrize("blocks, max_rows, expected", [
    ((b"?a\r\n<urn:1>\r\n",), None, (b"?a\n<urn:1>\n", False)),            # CRLF rows
    ((b"?a\n<urn:1>",), None, (b"?a\n<urn:1>\n", False)),                   # no last line end
    ((b"?a\n<urn:", b"1>\n<urn:2>\n"), None, (b"?a\n<urn:1>\n<urn:2>\n", False)),
    ((b"?a\n<urn:1>\n",), 1, (b"?a\n<urn:1>\n", False)),                    # at the cap
    ((b"?a\n<urn:1>\n<urn:2>",), 1, (b"?a\n<urn:1>\n", True)),              # one past, no end
    ((b"?a\n<urn:", b"1>\n<urn:2>\n<urn:3>\n"), 1, (b"?a\n<urn:1>\n", True)),
    ((b"?a\n<urn:1>\n<urn:2>",), 2, (b"?a\n<urn:1>\n<urn:2>\n", False)),    # under the cap, no end
    # a row with every variable unbound is an empty line: kept, CRLF or past the cap
    ((b"?a\r\n\r\n<urn:1>\r\n",), None, (b"?a\n\n<urn:1>\n", False)),
    ((b"?a\n\n\n\n",), 2, (b"?a\n\n\n", True)),
])
def test_a_select_answer_as_read_in_blocks(blocks, max_rows, expected):
    given = _Blocks(*blocks)
    assert read_outcome("SELECT", given, max_rows) == Outcome("solutions", *expected)
    assert given.closed


def test_a_servers_environment_points_tckg_at_it_and_is_restored(loaded, monkeypatch):
    import os
    server, _ = loaded
    e = server.endpoints
    names = ("TCKG_SPARQL_ENDPOINT", "TCKG_SPARQL_UPDATE_ENDPOINT", "TCKG_GRAPH_STORE_ENDPOINT",
             "TCKG_GRAPH_STORE_PARAMS")
    assert server.env() == dict(zip(names[:3], (e.query, e.update, e.graph_store)))
    assert server.env(graph_store=False, bulk=True) == dict(zip(
        (names[0], names[1], names[3]), (e.query, e.update, "no_transaction")))
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TCKG_GRAPH_STORE_PARAMS", "before")
    with server.environment(graph_store=False):
        assert [os.environ.get(n) for n in names] == [e.query, e.update, None, None]
    assert [os.environ.get(n) for n in names] == [None, None, None, "before"]


def test_a_construct_answer_past_the_cap_after_blank_lines_is_truncated():
    """Blank lines between triples count as line ends but are no triples: at the
    cap after the first block, reading goes on to see whether a triple follows."""
    given = _Blocks(b"<urn:a> <urn:b> <urn:c> .\n\n", b"<urn:d> <urn:e> <urn:f> .\n")
    assert read_outcome("CONSTRUCT", given, 1) == Outcome("triples", b"<urn:a> <urn:b> <urn:c> .\n", True)
    given = _Blocks(b"<urn:a> <urn:b> <urn:c> .\n\n", b"\n")
    assert read_outcome("CONSTRUCT", given, 1) == Outcome("triples", b"<urn:a> <urn:b> <urn:c> .\n", False)
