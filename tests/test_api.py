"""The HTTP API in process (FastAPI's TestClient), on the real graph, index and shapes."""
from __future__ import annotations

import json
import socket
import threading

import pytest
import rdflib

from kg.suggested import THRESHOLD
from tests.test_validate import TEMPLATES, _jsonld

EXAMPLE_CSV = (TEMPLATES / "plan-example.csv").read_bytes()
PLAN_FIELDS = {"institution": "University of Example", "title": "Example plan"}
REPORT_KEYS = {"conforms", "violations", "warnings", "results", "not_addressed", "suggested_pillars",
               "peer_exemplars"}


def error_of(response, status: int) -> str:
    """The one error shape, asserted: status, content type, body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]["message"]


# --- search and similar -------------------------------------------------------------

def test_search_returns_the_cli_result_objects(client):
    response = client.get("/search", params={"q": "fair attribution policy", "limit": 3})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    results = response.json()
    assert {r["id"] for r in results} == {"northumbria:16", "manchester-met:3.4", "portsmouth:9"}
    assert results == client.app.state.searcher.search("fair attribution policy", 3)


def test_search_filters(client):
    results = client.get("/search", params={"q": "awards", "institution": "leicester",
                                            "pillar": "Recognition", "limit": 50}).json()
    assert results and all(r["institution"] == "University of Leicester"
                           and "Recognition" in r["pillars"] for r in results)


def test_similar_over_http(client):
    response = client.get("/actions/northumbria:16/similar", params={"limit": 5})
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()]
    assert "portsmouth:9" in ids and "northumbria:16" not in ids


# --- catalog --------------------------------------------------------------------------

def test_action_gives_every_field(client):
    response = client.get("/actions/northumbria:16")
    assert response.status_code == 200
    action = response.json()
    assert action["text"].startswith("the development and implementation of a fair attribution")
    assert action["recommendations"] == ["R11"] and action["institution"] == "Northumbria University"
    assert action["source"] == ["northumbria-2022.txt"] and action["source_line_start"] > 0
    suggested = action["suggested_recommendations"]
    assert [s["rank"] for s in suggested] == [1, 2, 3, 4, 5] and suggested[0]["code"] == "R11"


def test_institutions_with_counts(client):
    institutions = {i["name"]: i for i in client.get("/institutions").json()}
    assert {n: i["actions"] for n, i in institutions.items()} == {
        "Manchester Metropolitan University": 58, "Northumbria University": 39,
        "Nottingham Trent University": 19, "University of Leicester": 35,
        "University of Portsmouth": 21}
    assert institutions["Nottingham Trent University"]["summary_recommendations_addressed"] == 0
    assert institutions["Nottingham Trent University"]["summary_recommendations_suggested"] > 0


def test_recommendations_with_asserted_coverage(client):
    recommendations = client.get("/recommendations").json()
    assert [r["code"] for r in recommendations][:3] == ["R1", "R2", "R3"]
    assert len(recommendations) == 39
    r11 = next(r for r in recommendations if r["code"] == "R11")
    # Northumbria's (R11) actions and Manchester Met's rows mapped to R11.
    assert r11["asserted"]["institutions"] == 2 and r11["asserted"]["actions"] >= 5
    assert r11["suggested"]["institutions"] == 5 and r11["suggested"]["min_score"] == THRESHOLD


def test_search_by_suggested_links(client):
    params = {"q": "technicians", "limit": 100, "recommendation": "R11"}
    asserted = client.get("/search", params=params).json()
    suggested = client.get("/search", params=dict(params, links="suggested")).json()
    assert {r["institution"] for r in asserted} == {"Northumbria University",
                                                   "Manchester Metropolitan University"}
    assert "University of Leicester" in {r["institution"] for r in suggested}
    assert all(any(s["code"] == "R11" and s["score"] >= THRESHOLD for s in r["suggested_recommendations"])
               for r in suggested)


def test_suggest_over_http_matches_the_cli_shape(client):
    response = client.get("/suggest", params={"text": "Run an apprenticeship scheme for new "
                                                      "technicians", "limit": 2})
    assert response.status_code == 200
    answer = response.json()
    assert [p["label"] for p in answer["pillars"]] and len(answer["pillars"]) == 4
    assert answer["recommendations"][0]["code"] == "R7" and len(answer["recommendations"]) == 5
    scores = [r["score"] for r in answer["recommendations"]]
    assert scores == sorted(scores, reverse=True)
    assert len(answer["similar"]) == 2 and "suggested_recommendations" in answer["similar"][0]


# --- validation -----------------------------------------------------------------------

NO_PILLAR_CSV = (
    "id,parent,action,pillars,recommendations,owner,due,success_measure,status\n"
    'A1,,"Publish profiles of technical staff on the website and in the newsletter",,R11,'
    "Communications,2025-12,Profiles live,not started\n"
    'A2,,"Run an apprenticeship scheme for new technicians",Career Development,R7,HR,2026-06,'
    "Ten apprentices,not started\n")


def test_validation_suggests_pillars_for_actions_without_one(client):
    response = client.post("/validate", content=NO_PILLAR_CSV, params=PLAN_FIELDS,
                           headers={"content-type": "text/csv"})
    assert response.status_code == 200
    report = response.json()
    assert not report["conforms"]
    assert any(r["action_id"] == "A1" and r["path"] == "pillars" for r in report["results"])
    [suggestion] = report["suggested_pillars"]  # A2 has a pillar
    assert suggestion["action_id"] == "A1" and suggestion["row"] == 2
    scores = [p["score"] for p in suggestion["pillars"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert suggestion["pillars"][0]["label"] == "Visibility"

def test_validate_csv_body_with_plan_fields(client):
    response = client.post("/validate", params=PLAN_FIELDS, content=EXAMPLE_CSV,
                           headers={"content-type": "text/csv"})
    assert response.status_code == 200
    report = response.json()
    assert set(report) == REPORT_KEYS and report["conforms"] is True


def test_validate_multipart_upload(client):
    response = client.post("/validate", params=PLAN_FIELDS,
                           files={"file": ("plan.csv", EXAMPLE_CSV, "text/csv")})
    assert response.status_code == 200 and response.json()["conforms"] is True


def test_validate_nonconforming_plan_is_still_200(client):
    bad = EXAMPLE_CSV.replace(b"Visibility", b"Fame", 1)
    response = client.post("/validate", params=PLAN_FIELDS, content=bad,
                           headers={"content-type": "text/csv"})
    assert response.status_code == 200
    assert response.json()["conforms"] is False and response.json()["violations"] >= 1


def test_validate_report_graph_as_turtle(client):
    response = client.post("/validate", params=PLAN_FIELDS, content=EXAMPLE_CSV,
                           headers={"content-type": "text/csv", "accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    shacl = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, rdflib.RDF.type, shacl.ValidationReport) in graph


def test_validate_jsonld_with_the_shipped_context(client):
    response = client.post("/validate", content=_jsonld("https://w3id.org/tckg/context.jsonld"),
                           headers={"content-type": "application/ld+json"})
    assert response.status_code == 200 and response.json()["conforms"] is True


# --- linked data ----------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [("text/turtle", "text/turtle"),
                                           ("application/ld+json", "application/ld+json"),
                                           ("*/*", "text/turtle")])
def test_linked_data_rdf(client, accept, media):
    response = client.get("/id/northumbria/action/16", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    fmt = "json-ld" if "json" in media else "turtle"
    graph = rdflib.Graph().parse(data=response.text, format=fmt)
    action = rdflib.URIRef("https://w3id.org/tckg/id/northumbria/action/16")
    plan = rdflib.URIRef("https://w3id.org/tckg/id/northumbria/plan")
    assert (action, rdflib.DCTERMS.identifier, rdflib.Literal("16")) in graph
    assert (plan, None, action) in graph  # incoming triples too


def test_linked_data_html_links_neighbours(client):
    response = client.get("/id/northumbria/action/16",
                          headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/id/northumbria/plan"' in response.text
    assert 'href="/id/talent-R11"' in response.text


def test_sparql_page_for_browsers_lists_the_example_queries(client):
    response = client.get("/sparql", headers={"accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Coverage of the TALENT summary recommendations" in response.text


# --- errors, one shape everywhere -----------------------------------------------------

@pytest.mark.parametrize("method, url, kwargs, status", [
    ("get", "/search", {"params": {"q": "  "}}, 400),
    ("get", "/search", {"params": {"q": "x" * 2001}}, 400),
    ("get", "/search", {"params": {"q": "awards", "pillar": "Fame"}}, 400),
    ("get", "/search", {}, 422),
    ("get", "/suggest", {"params": {"text": "   "}}, 400),
    ("get", "/search", {"params": {"q": "awards", "links": "suggested"}}, 400),
    ("get", "/search", {"params": {"q": "awards", "recommendation": "R5", "links": "maybe"}}, 422),
    ("get", "/search", {"params": {"q": "awards", "limit": 0}}, 422),
    ("get", "/actions/northumbria:999/similar", {}, 404),
    ("get", "/actions/northumbria:999", {}, 404),
    ("get", "/id/northumbria/action/999", {}, 404),
    ("get", "/id/northumbria/action/16", {"params": {"format": "pdf"}}, 400),
    ("get", "/id/northumbria/action/16", {"headers": {"accept": "image/png"}}, 406),
    ("get", "/nowhere", {}, 404),
    ("get", "/sparql", {"params": {"query": "SELEC nothing"}}, 400),
    ("get", "/sparql", {"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> "
                                            "{ ?s ?p ?o } }"}}, 400),
    ("post", "/sparql", {"data": {"update": "DROP ALL"}}, 403),
    ("post", "/sparql", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
    ("get", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }"},
                        "headers": {"accept": "image/png"}}, 406),
    ("post", "/validate", {"content": b"@prefix : <", "headers": {"content-type": "text/turtle"}},
     400),
    ("post", "/validate", {"content": b"x", "headers": {"content-type": "application/pdf"}}, 415),
    ("post", "/validate", {"content": b"a,b\n", "headers": {"content-type": "text/csv"}}, 400),
    ("post", "/validate", {"files": {"other": ("p.csv", b"x", "text/csv")}}, 400),
    ("delete", "/search", {}, 405),
])
def test_every_error_has_the_one_shape(client, method, url, kwargs, status):
    error_of(getattr(client, method)(url, **kwargs), status)


# --- safety ---------------------------------------------------------------------------

@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that records whether anything connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits = []

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn)
            except OSError:
                continue

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def test_service_and_remote_context_never_reach_the_network(client, listener):
    port, hits = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    assert "SERVICE" in error_of(client.get("/sparql", params={"query": query}), 400)
    remote = _jsonld(f"http://127.0.0.1:{port}/context.jsonld")
    assert "never fetched" in error_of(client.post(
        "/validate", content=remote, headers={"content-type": "application/ld+json"}), 400)
    assert hits == []


def test_a_50_mb_upload_is_refused_with_413(client):
    body = b"# padding\n" * (5 * 2**20)
    message = error_of(client.post("/validate", content=body,
                                   headers={"content-type": "text/turtle"}), 413)
    assert "10,485,760-byte limit" in message


@pytest.fixture()
def capped(client, search_home):
    """The app with a query pool capped at 50 rows."""
    from kg.store.pool import QueryPool

    state, pool = client.app.state, QueryPool(search_home / "graph" / "graph.nt", workers=1,
                                              max_rows=50)
    original, state.queries = state.queries, pool
    yield client
    state.queries = original
    pool.close()


@pytest.mark.parametrize("query, accept", [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"),
])
def test_row_cap_cuts_results_and_says_so(capped, query, accept):
    response = capped.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["tckg-results-truncated"] == "50"
    if "json" in accept:
        assert len(response.json()["results"]["bindings"]) == 50
    else:
        assert len(rdflib.Graph().parse(data=response.text, format="nt")) == 50


def test_results_under_the_cap_are_whole_and_unmarked(capped):
    query = "SELECT ?a WHERE { ?a a <https://w3id.org/tckg/ontology#Institution> }"
    response = capped.get("/sparql", params={"query": query})
    assert response.status_code == 200 and "tckg-results-truncated" not in response.headers
    assert len(response.json()["results"]["bindings"]) == 5


def test_graph_dump_unchanged_after_hostile_requests(client, search_home):
    before = (search_home / "graph" / "graph.nt").read_bytes()
    snapshot = sorted(map(str, client.app.state.store))
    client.post("/sparql", data={"update": "DROP ALL"})
    client.post("/sparql", content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                headers={"content-type": "application/sparql-update"})
    client.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"})
    client.post("/validate", content=EXAMPLE_CSV, params=PLAN_FIELDS,
                headers={"content-type": "text/csv"})
    assert sorted(map(str, client.app.state.store)) == snapshot
    assert (search_home / "graph" / "graph.nt").read_bytes() == before
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert int(json.loads(count.text)["results"]["bindings"][0]["n"]["value"]) == len(snapshot)
