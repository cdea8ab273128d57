"""The graph cannot be written through any read route, and no query reaches the
network. Writes are tried through every route that exists, in every letter
case; the graph is then counted where the answers come from: over /sparql (the
query workers' copy, loaded from graph.nt), with `tckg sparql` (the store on
disk), in the app's own store, and as the dump's bytes."""
from __future__ import annotations

import json

import pytest

from tests.conftest import tckg
from tests.test_api import EXAMPLE_CSV, PLAN_FIELDS

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NEW = "<urn:tckg-test:s> <urn:tckg-test:p> <urn:tckg-test:o>"
PROBE = "ASK { ?s <urn:tckg-test:p> ?o }"

UPDATES = [
    f"INSERT DATA {{ {NEW} }}",
    f"insert data {{ {NEW} }}",
    f"PREFIX x: <urn:x#> InSeRt DaTa {{ {NEW} }}",
    "DELETE WHERE { ?s ?p ?o }",
    "delete where { ?s ?p ?o }",
    "DROP ALL", "drop all", "Clear Default", "clear all",
    "LOAD <http://127.0.0.1:9/x.ttl>", "load <http://127.0.0.1:9/x.ttl>",
    "CREATE GRAPH <urn:g>", "create graph <urn:g>",
    f"WITH <urn:g> INSERT {{ {NEW} }} WHERE {{}}",
    "COPY DEFAULT TO <urn:g>", "move default to <urn:g>", "add default to <urn:g>",
    f"SELECT * WHERE {{ ?s ?p ?o }} ; INSERT DATA {{ {NEW} }}",
]


def http_count(client) -> int:
    response = client.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def cli_count(home) -> int:
    done = tckg(home, "sparql", COUNT)
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"])


def probes(client, home) -> tuple[bool, bool]:
    over_http = client.get("/sparql", params={"query": PROBE}).json()["boolean"]
    on_disk = json.loads(tckg(home, "sparql", PROBE).stdout)["boolean"]
    return over_http, on_disk


def writes_over_http(client, update: str) -> list[int]:
    """Every way an HTTP client could send an update; the status codes."""
    calls = [
        lambda: client.post("/sparql", data={"update": update}),
        lambda: client.post("/sparql", content=update,
                            headers={"content-type": "application/sparql-update"}),
        lambda: client.post("/sparql", data={"query": update}),
        lambda: client.post("/sparql", content=update,
                            headers={"content-type": "application/sparql-query"}),
        lambda: client.get("/sparql", params={"query": update}),
        lambda: client.put("/sparql", content=update),
        lambda: client.delete("/sparql"),
        lambda: client.patch("/sparql", content=update),
    ]
    return [call().status_code for call in calls]


def test_an_update_parameter_on_get_is_not_run(client):
    """GET has no update operation: with only `update`, the answer is the service
    description, and the update is not run (checked by the test below)."""
    response = client.get("/sparql", params={"update": f"INSERT DATA {{ {NEW} }}"})
    assert response.status_code == 200 and "sd:SPARQL11Query" in response.text


def test_no_route_writes_the_graph(client, search_home, tmp_path):
    dump = (search_home / "graph" / "graph.nt").read_bytes()
    before = http_count(client)
    assert before == cli_count(search_home) == len(client.app.state.store) > 1000
    assert probes(client, search_home) == (False, False)

    for update in UPDATES:
        statuses = writes_over_http(client, update)
        assert all(400 <= s < 500 for s in statuses), (update, statuses)
        client.get("/sparql", params={"update": update})
    # A process each: every third form inline, and one from a query file.
    for update in UPDATES[::3]:
        done = tckg(search_home, "sparql", update)
        assert done.returncode == 2 and done.stdout == "", update
    query_file = tmp_path / "update.rq"
    query_file.write_text(UPDATES[1], encoding="utf-8")
    assert tckg(search_home, "sparql", str(query_file)).returncode == 2
    # Validating a conforming plan reports on it; it never publishes it.
    valid = client.post("/validate", content=EXAMPLE_CSV, params=PLAN_FIELDS,
                        headers={"content-type": "text/csv"})
    assert valid.status_code == 200 and valid.json()["conforms"] is True
    plan = tmp_path / "plan.csv"
    plan.write_bytes(EXAMPLE_CSV)
    args = [f"--{k}={v}" for k, v in PLAN_FIELDS.items()]
    assert tckg(search_home, "validate", str(plan), *args).returncode == 0

    assert http_count(client) == before
    assert cli_count(search_home) == before
    assert len(client.app.state.store) == before
    assert probes(client, search_home) == (False, False)
    assert (search_home / "graph" / "graph.nt").read_bytes() == dump


def test_the_probe_would_see_a_write(tmp_path):
    """The count and the probe can fail: a store written behind the guard's back shows
    the new triple to `tckg sparql` (a control for the test above)."""
    from kg.build import build_graph
    from kg.store import GRAPH_DIR

    home = tmp_path / "home"
    build_graph(home)
    before = cli_count(home)
    import pyoxigraph as ox

    store = ox.Store(str(home / GRAPH_DIR))
    store.update(f"INSERT DATA {{ {NEW} }}")
    store.flush()
    del store
    assert cli_count(home) == before + 1
    assert json.loads(tckg(home, "sparql", PROBE).stdout)["boolean"] is True


# --- SERVICE never reaches the network, whatever its letter case or route

SERVICE_FORMS = [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ service <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ Service Silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ sErViCe r:sparql {{ ?s ?p ?o }} }}",
    "ASK {{ ?s ?p ?o . service <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("form", SERVICE_FORMS)
def test_service_in_any_case_is_refused_over_http(client, listener, form):
    port, hits = listener
    query = form.format(port=port)
    for response in (client.get("/sparql", params={"query": query}),
                     client.post("/sparql", data={"query": query}),
                     client.post("/sparql", content=query,
                                 headers={"content-type": "application/sparql-query"})):
        assert response.status_code == 400
        assert "SERVICE clauses are not allowed" in response.json()["error"]["message"]
    assert hits == []


@pytest.mark.parametrize("form", SERVICE_FORMS[1:4])
def test_service_in_any_case_is_refused_by_the_cli(cli_home, listener, form, monkeypatch):
    # Were the guard to let it through, the query would wait on the listener (which
    # never answers) until the time limit: a few seconds, not the default 10.
    monkeypatch.setenv("TCKG_QUERY_TIMEOUT", "3")
    port, hits = listener
    done = tckg(cli_home, "sparql", form.format(port=port))
    assert done.returncode == 2 and "SERVICE clauses are not allowed" in done.stderr
    assert hits == []
