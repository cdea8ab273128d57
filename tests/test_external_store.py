"""The external store: real Oxigraph servers on 127.0.0.1 (tests/store_fixtures.py).

Generations (whole loads, one-step switches, failed loads), the public query
runner's limits against the embedded pool's, the backend chosen by the
environment, credentials, and two API replicas over one server.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kg.ontology import ONTOLOGY_DIR
from kg.store import (
    GRAPH_DIR,
    backend,
    current_generation,
    open_store,
    read_manifest,
    write_store,
)
from kg.store import remote as remote_module
from kg.store.base import QueryTimeout, StoreUnavailable
from kg.store.embedded import DUMP, EmbeddedBackend
from kg.store.guard import QueryRefused
from kg.store.oxigraph_server import free_port
from kg.store.pool import QueryPool, answer
from kg.store.protocol import Endpoints, ServerRefused, request
from kg.store.query import QuerySyntaxError, select_rows
from kg.store.remote import CONTROL, CURRENT, RemoteBackend, RemoteRunner, generation_graph
from tests.conftest import TCKG
from tests.store_fixtures import load_home
from tests.test_plans_http import TOKEN

COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes of work
EXTRA = b'<urn:tckg:test> <http://www.w3.org/2000/01/rdf-schema#label> "added" .\n'


@pytest.fixture(scope="module")
def dump(built_home) -> bytes:
    """The five-plan graph's canonical N-Triples (3,934 triples, no blank nodes)."""
    return (built_home / GRAPH_DIR / DUMP).read_bytes()


def triples(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip())


def graphs(server) -> set[str]:
    """Every named graph on the server that holds a triple."""
    body = request(server.endpoints, "POST", server.endpoints.query,
                   body=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                   headers={"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"})
    return {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}


@pytest.mark.parametrize(("graph_store", "bulk"), [(True, False), (False, False), (True, True)],
                         ids=["graph-store", "sparql-update", "graph-store-bulk-hint"])
def test_generations_switch_whole_and_the_one_before_last_is_dropped(
        oxigraph_servers, dump, tmp_path, graph_store, bulk):
    server = oxigraph_servers.start()
    with server.environment(graph_store, bulk):
        first = write_store(dump, tmp_path, {"actions": 172})
        reader = open_store(tmp_path)
        second = write_store(dump + EXTRA, tmp_path, {"actions": 172})
        assert (first["triples"], second["triples"]) == (triples(dump), triples(dump) + 1)
        assert current_generation(tmp_path) == second["generation"] != first["generation"]
        assert read_manifest(tmp_path) == second
        assert len(open_store(tmp_path)) == triples(dump) + 1
        assert len(reader) == triples(dump)  # a reader not yet switched reads a whole graph
        third = write_store(dump, tmp_path, {"actions": 172})
    assert graphs(server) == {CONTROL, generation_graph(second["generation"]),
                              generation_graph(third["generation"])}
    assert len(reader) == 0  # its generation was dropped after two newer ones
    assert sorted(os.listdir(tmp_path)) == []  # nothing of the graph is kept locally


def test_readers_never_see_half_a_generation(oxigraph_servers, dump, tmp_path, monkeypatch):
    server = oxigraph_servers.start()
    monkeypatch.setattr(remote_module, "UPDATE_CHUNK", 20_000)  # ~40 requests per load
    seen, stop = set(), threading.Event()
    with server.environment(graph_store=False):
        write_store(dump, tmp_path, {})

        def watch():
            while not stop.is_set():
                seen.add(len(open_store(tmp_path)))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            write_store(dump + EXTRA, tmp_path, {})
            time.sleep(0.2)
        finally:
            stop.set()
            watcher.join()
    assert seen == {triples(dump), triples(dump) + 1}


@pytest.mark.parametrize(("graph_store", "bulk"), [(True, False), (False, False), (True, True)],
                         ids=["graph-store", "sparql-update", "graph-store-bulk-hint"])
def test_a_failed_load_leaves_the_previous_generation_serving(
        oxigraph_servers, dump, tmp_path, monkeypatch, graph_store, bulk):
    server = oxigraph_servers.start()
    monkeypatch.setattr(remote_module, "UPDATE_CHUNK", 50_000)
    monkeypatch.setattr(remote_module, "GSP_CHUNK", 50_000)
    broken = dump + b'<urn:tckg:test> <urn:tckg:p> "never closed .\n'  # fails in the last chunk
    with server.environment(graph_store, bulk):
        served = write_store(dump, tmp_path, {"actions": 172})
        with pytest.raises(ServerRefused):
            write_store(broken, tmp_path, {"actions": 173})
        assert read_manifest(tmp_path) == served
        assert len(open_store(tmp_path)) == triples(dump)
    assert graphs(server) == {CONTROL, generation_graph(served["generation"])}


def test_the_generation_is_readable_by_a_small_sparql_query(external_home, oxigraph_server):
    body = request(oxigraph_server.endpoints, "POST", oxigraph_server.endpoints.query,
                   body=CURRENT.encode(), headers={"Content-Type": "application/sparql-query",
                                                   "Accept": "application/sparql-results+json"})
    [row] = json.loads(body)["results"]["bindings"]
    with oxigraph_server.environment():
        manifest = read_manifest(external_home)
    assert row["generation"]["value"] == generation_graph(manifest["generation"])
    assert json.loads(row["manifest"]["value"]) == manifest


@pytest.fixture(scope="module")
def runners(search_home, external_home, oxigraph_server):
    """The embedded worker pool and the external runner over the same graph, with
    the same limits."""
    with oxigraph_server.environment():
        generation = current_generation(external_home)
    embedded = QueryPool(search_home / GRAPH_DIR / DUMP, workers=1, timeout=2, max_rows=7)
    yield embedded, RemoteRunner(oxigraph_server.endpoints, generation, 2, 7, 2)
    embedded.close()


@pytest.mark.parametrize("query", [
    "SELECT ?a ?id WHERE { ?a <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?a",
    "SELECT ?a WHERE { ?a a <https://w3id.org/tckg/ontology#Action> } ORDER BY ?a LIMIT 3",
    "CONSTRUCT { ?a a ?t } WHERE { ?a a ?t } ORDER BY ?a ?t",
    "ASK { ?a a <https://w3id.org/tckg/ontology#ActionPlan> }",
    "ASK { ?a a <urn:tckg:nothing> }",
    "SELECT ?a ?id WHERE { ?a <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?a LIMIT 7",
    "SELECT ?a ?id WHERE { ?a <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?a LIMIT 8",
    "SELECT ?x WHERE { OPTIONAL { ?a <urn:tckg:nothing> ?x } }",
], ids=["select-capped", "select-under-cap", "construct-capped", "ask-true", "ask-false",
        "select-at-cap", "select-one-past-cap", "select-one-unbound-row"])
def test_the_external_runner_answers_as_the_embedded_pool(runners, query):
    embedded, external = runners
    assert external.run(query) == embedded.run(query)


LONG_ROWS = ("SELECT ?a (CONCAT(?text, ?text, ?text, ?text, ?text) AS ?long) WHERE { "
             "?a <http://purl.org/dc/terms/description> ?text } ORDER BY ?a")


def test_a_long_answer_read_in_blocks_is_cut_at_the_same_row(suggested_store, external_home,
                                                             oxigraph_server):
    """An answer over many read blocks, capped one row short of it, at it and past it."""
    with oxigraph_server.environment():
        generation = current_generation(external_home)
    rows = len(answer(suggested_store, LONG_ROWS, 10**6).body.splitlines()) - 1
    assert rows > 100
    for cap in (rows - 1, rows, rows + 1):
        external = RemoteRunner(oxigraph_server.endpoints, generation, 30, cap, 1)
        got = external.run(LONG_ROWS)
        assert got == answer(suggested_store, LONG_ROWS, cap)
        assert got.truncated == (cap < rows) and len(got.body) > 1 << 17


def test_the_time_limit_holds_on_the_external_server(runners):
    _, external = runners
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="2 s time limit"):
        external.run(HEAVY)
    assert time.monotonic() - started < 3
    assert external.run(COUNT).body == b"?n\n172\n"


@pytest.mark.parametrize("query, error, message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", QueryRefused, r"updates \(INSERT\)"),
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", QueryRefused, "SERVICE"),
    ("SELECT ?x WHERE { ?x ?y \ud800 }", QuerySyntaxError, "not valid Unicode"),
    (COUNT, StoreUnavailable, "cannot be reached"),
])
def test_refusals_are_decided_before_anything_is_sent(query, error, message):
    """Against a port nothing listens on: only a query that passes the checks
    gets as far as trying to connect."""
    nowhere = RemoteRunner(Endpoints(f"http://127.0.0.1:{free_port()}/query"), "g", 2, 7, 1)
    with pytest.raises(error, match=message):
        nowhere.run(query)


def test_a_syntax_error_from_the_server_is_the_clients_mistake(runners):
    with pytest.raises(QuerySyntaxError, match="error at 1:"):
        runners[1].run("SELECT * WHERE { ?s ?p }")


def test_an_unreachable_server_is_503_in_the_one_error_shape(external_client):
    state = external_client.app.state
    original = state.queries
    state.queries = RemoteRunner(Endpoints(f"http://127.0.0.1:{free_port()}/query"), "g", 2, 7, 1)
    try:
        response = external_client.get("/sparql", params={"query": COUNT})
    finally:
        state.queries = original
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == 503
    assert "cannot be reached" in body["error"]["message"]


def test_the_backend_is_chosen_by_the_environment(monkeypatch, tmp_path, dump):
    for name in ("TCKG_SPARQL_ENDPOINT", "TCKG_SPARQL_UPDATE_ENDPOINT",
                 "TCKG_GRAPH_STORE_ENDPOINT", "TCKG_GRAPH_STORE_PARAMS"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(backend(), EmbeddedBackend)
    monkeypatch.setenv("TCKG_SPARQL_ENDPOINT", f"http://127.0.0.1:{free_port()}/query")
    chosen = backend()
    assert isinstance(chosen, RemoteBackend) and chosen.endpoints.update is None
    with pytest.raises(StoreUnavailable, match="TCKG_SPARQL_UPDATE_ENDPOINT"):
        write_store(dump, tmp_path, {})  # a read-only configuration cannot load
    assert chosen.endpoints.load_params == ()  # no server-specific hint unless asked
    monkeypatch.setenv("TCKG_GRAPH_STORE_PARAMS", "no_transaction&x=1")
    assert backend().endpoints.load_params == (("no_transaction", ""), ("x", "1"))


class _BasicAuthServer(BaseHTTPRequestHandler):
    """Answers ASK queries true for one user, 401 for anyone else."""

    def do_GET(self):
        expected = "Basic " + base64.b64encode(b"analyst:s3cret").decode()
        ok = self.headers.get("Authorization") == expected
        body = b'{"head":{},"boolean":true}' if ok else b"who are you?"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_credentials_go_as_http_basic_auth():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BasicAuthServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/query"
    try:
        answer = request(Endpoints(url, user="analyst", password="s3cret"), "GET", url,
                         params={"query": "ASK {}"})
        assert json.loads(answer)["boolean"] is True
        with pytest.raises(StoreUnavailable, match="answered 401"):
            request(Endpoints(url, user="analyst", password="wrong"), "GET", url,
                    params={"query": "ASK {}"})
    finally:
        server.shutdown()


def _serve(home, server, port):
    env = dict(os.environ, TCKG_HOME=str(home), **server.env())
    return subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_healthy(base, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).json()
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.3)
    pytest.fail(f"{base} did not start within {seconds} s")


def test_two_replicas_over_one_server_answer_alike_and_see_each_others_plans(
        search_home, oxigraph_servers, tmp_path, monkeypatch):
    """Two `tckg serve` processes over one server (their home's local files shared,
    as on a shared disk): the same answers; a plan published through one and
    removed through the other is seen by both."""
    server = oxigraph_servers.start()
    manifest = load_home(search_home, server, tmp_path / "home")
    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    ports = [free_port(), free_port()]
    replicas = [_serve(tmp_path / "home", server, port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        health = [_wait_healthy(base, p) for base, p in zip(bases, replicas, strict=True)]
        assert health[0] == health[1] and health[0]["triples"] == manifest["triples"]
        coverage = (ONTOLOGY_DIR / "queries" / "coverage-matrix.rq").read_text(encoding="utf-8")
        answers = [[httpx.post(f"{base}/sparql", data={"query": q},
                               headers={"accept": "text/csv"}, timeout=30).text
                    for q in (COUNT, coverage)] for base in bases]
        assert answers[0] == answers[1]
        assert answers[0][0].splitlines() == ["n", "172"]
        with server.environment():
            expected = select_rows(open_store(tmp_path / "home"), coverage)
        assert len(answers[0][1].splitlines()) == len(expected) + 1
        _publish_through_one_seen_by_the_other(bases)
    finally:
        for process in replicas:
            process.terminate()
        for process in replicas:
            process.wait(timeout=20)


def test_a_plan_published_over_the_external_store_starts_from_the_servers_graph(
        search_home, oxigraph_servers, tmp_path):
    """`tckg add` with the server configured: the plan lands on the server beside its
    whole graph, even when the home still holds an embedded dump of another graph
    (left by an earlier build, here without NTU's actions)."""
    from tests.test_publish import HARBOUR_ID, add_harbourside

    server = oxigraph_servers.start()
    home = tmp_path / "home"
    load_home(search_home, server, home)
    stale = home / GRAPH_DIR
    stale.mkdir()
    (stale / DUMP).write_bytes(b"".join(line + b"\n" for line in dump_lines(search_home)
                                        if b"/id/ntu/" not in line))
    with server.environment():
        added = add_harbourside(home)
        assert added.returncode == 0, added.stderr
        store = open_store(home)
        assert select_rows(store, COUNT) == [{"n": str(172 + 10)}]
        ntu = select_rows(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?p <https://w3id.org/tckg/"
                                 "ontology#hasAction> ?a FILTER(CONTAINS(STR(?a), '/id/ntu/')) }")
        assert ntu == [{"n": "19"}]  # the stale dump lacks them: it was not the start
    assert HARBOUR_ID in (home / "plans" / "registry.json").read_text(encoding="utf-8")


def dump_lines(home) -> list[bytes]:
    return (home / GRAPH_DIR / DUMP).read_bytes().splitlines()



def _count(base: str) -> str:
    answer = httpx.post(f"{base}/sparql", data={"query": COUNT}, headers={"accept": "text/csv"},
                        timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.text.split()[-1]


def _seen_within(base: str, expected: str, seconds: float = 60) -> str:
    """What a replica answers once its reload watch (every second) has looked."""
    deadline = time.monotonic() + seconds
    while (got := _count(base)) != expected and time.monotonic() < deadline:
        time.sleep(0.3)
    return got


def _publish_through_one_seen_by_the_other(bases: list[str]) -> None:
    from tests.test_plans_http import CSV_FIELDS, csv_plan
    from tests.test_publish import HARBOUR_ID

    auth = {"Authorization": f"Bearer {TOKEN}"}
    added = httpx.post(f"{bases[0]}/plans", params=CSV_FIELDS, content=csv_plan(),
                       headers={"Content-Type": "text/csv", **auth}, timeout=180)
    assert added.status_code == 201, added.text
    assert _count(bases[0]) == "182"
    assert _seen_within(bases[1], "182") == "182"
    assert [p["id"] for p in httpx.get(f"{bases[1]}/plans", timeout=30).json()] == [HARBOUR_ID]
    removed = httpx.delete(f"{bases[1]}/plans/{HARBOUR_ID}", headers=auth, timeout=180)
    assert removed.status_code == 200, removed.text
    assert _count(bases[1]) == "172"
    assert _seen_within(bases[0], "172") == "172"


def test_a_running_app_keeps_the_backend_it_was_made_with(client, external_home, oxigraph_server):
    """The reload thread must not follow the environment: pointed at a server
    (holding another generation) after start-up, the embedded app stays itself."""
    reloader, before = client.app.state.reloader, client.app.state.queries
    with oxigraph_server.environment():
        assert reloader.check() is False
    assert client.app.state.queries is before and isinstance(before, QueryPool)
